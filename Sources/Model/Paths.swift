import Foundation

/// Where Workbench keeps its files. XDG rules, so a bureau machine can point them elsewhere.
public enum WorkbenchPaths {
    /// `$XDG_DATA_HOME/workbench`, else `~/.local/share/workbench`.
    public static func dataDirectory(environment env: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let xdg = env["XDG_DATA_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("workbench")
        }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/share/workbench")
    }

    /// `--db PATH`, else `$WORKBENCH_DB`, else the data directory's `workbench.sqlite`.
    public static func databasePath(
        explicit: String?, environment env: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnv = env["WORKBENCH_DB"], !fromEnv.isEmpty { return fromEnv }
        return dataDirectory(environment: env).appendingPathComponent("workbench.sqlite").path
    }
}
