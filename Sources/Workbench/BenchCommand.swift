import ArgumentParser
import Foundation
import Model

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "placeholder")
    func run() throws {}
}
