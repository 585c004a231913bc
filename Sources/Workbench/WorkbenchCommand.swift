import ArgumentParser
import Foundation
import Model

@main
struct WorkbenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "人社 AI 客服问答质量审核工作台 (Workbench: review the answers of the 人社 customer-service bot).",
        discussion: """
            数据库位置 (database): --db PATH, else $WORKBENCH_DB, else $XDG_DATA_HOME/workbench/workbench.sqlite.
            """,
        subcommands: [
            ImportCommand.self, DemoCommand.self, ListCommand.self, LabelCommand.self, ReviewCommand.self,
            HistoryCommand.self,
            BenchCommand.self,
        ]
    )
}
