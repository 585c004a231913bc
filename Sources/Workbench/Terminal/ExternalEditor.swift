import Foundation
import Model

/// Editing text in the user's editor, as git does for commit messages: `$VISUAL`, else `$EDITOR`,
/// else `vi`, run through the shell on a temporary file; the file's text afterwards is the result.
enum ExternalEditor {
    static func command(_ env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        for k in ["VISUAL", "EDITOR"] { if let v = env[k], !v.trimmed.isEmpty { return v } }
        return "vi"
    }

    /// Runs the editor on `text` (in a file named after `name`, so the editor can tell its type)
    /// and returns what the file holds when it exits. Throws when the editor cannot run or fails.
    static func edit(_ text: String, name: String, editor: String? = nil) throws -> String {
        let command = editor ?? command()
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("workbench-edit-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(safeFileName(name))
        try Data(text.utf8).write(to: file)
        // The file name goes in as "$1": no quoting problems whatever the path holds.
        let status = try runInForeground(["/bin/sh", "-c", "\(command) \"$1\"", "editor", file.path])
        guard status == 0 else {
            throw UserError("编辑器 \(command) 退出状态 \(status)，未保存 (the editor failed; nothing saved)")
        }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw UserError("编辑后的文件不见了 (the edited file is gone)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs a program on this terminal and waits for it, as git runs an editor. Foundation's
    /// `Process` starts the child in a process group of its own: not the terminal's foreground
    /// group, so a real `vi` was stopped (SIGTTIN) or read EIO and quit, and its terminal queries'
    /// answers reached the app as keys. `posix_spawn` here keeps the child in our (foreground) group;
    /// SIGINT and SIGQUIT are ignored meanwhile in this process (the editor's to handle) and reset
    /// to their defaults in the child. Returns the exit status (128 + signal when killed).
    static func runInForeground(_ argv: [String]) throws -> Int32 {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGQUIT)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF))
        let oldInt = signal(SIGINT, SIG_IGN), oldQuit = signal(SIGQUIT, SIG_IGN)
        defer {
            signal(SIGINT, oldInt)
            signal(SIGQUIT, oldQuit)
        }
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for a in cArgs { free(a) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, argv[0], nil, &attr, &cArgs, environ)
        guard rc == 0 else {
            throw UserError("无法启动 \(argv[0])：\(String(cString: strerror(rc))) (cannot start the editor)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw UserError("等待编辑器失败 (waiting for the editor failed)") }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG by hand (macros, not functions, in Glibc).
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Where a text the user wrote is kept when it cannot be saved: nothing typed is lost.
    /// A file name made from an entry's id: never a path. Anything but letters, digits, `-`, `_`
    /// and one `.` before the extension becomes `_` (an id of `../x` once wrote outside the folder).
    static func safeFileName(_ name: String) -> String {
        let ext = (name as NSString).pathExtension, stem = (name as NSString).deletingPathExtension
        let clean = String(String.UnicodeScalarView(stem.unicodeScalars.prefix(60).map {
            $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "-" || $0 == "_" ? $0 : "_"
        }))
        let e = ext.unicodeScalars.allSatisfy { $0.isASCII && $0.properties.isAlphabetic } ? ext : ""
        return (clean.isEmpty ? "条目" : clean) + (e.isEmpty ? "" : "." + e)
    }

    static func keep(_ text: String, name: String) -> String? {
        let dir = WorkbenchPaths.dataDirectory().appendingPathComponent("kb-drafts")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let stamp = ShanghaiTime.format(Int64(Date().timeIntervalSince1970)).replacingOccurrences(of: " ", with: "_")
            .replacingOccurrences(of: ":", with: "")
        let file = dir.appendingPathComponent(safeFileName("\(name)-\(stamp).txt"))
        return (try? Data(text.utf8).write(to: file)) == nil ? nil : file.path
    }
}

/// What became of one edit.
enum EntryEditOutcome {
    case saved(KnowledgeEntry)
    case unchanged
    case cancelled
    /// Refused: the reasons, and the text as the user left it (to edit again, nothing lost).
    case invalid([String], text: String)
}

extension KnowledgeBase {
    /// One round of editing `entry` (or a new one) in the editor: `text` to start from (a refused
    /// earlier attempt) else the entry's own, with `notes` (reasons) on top.
    func editRound(_ entry: KnowledgeEntry, startingText: String? = nil, notes: [String] = [], by: String, at: Int64,
                   editor: String? = nil) throws -> EntryEditOutcome
    {
        var start = startingText ?? entry.editableText()
        if !notes.isEmpty {
            start = notes.map { "# 未保存：\($0)" }.joined(separator: "\n") + "\n" + start
        }
        let edited = try ExternalEditor.edit(start, name: (entry.id.isEmpty ? "新条目" : entry.id) + ".txt", editor: editor)
        // Notes from an earlier round are ours, not the user's: drop them before reading.
        let cleaned = edited.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("# 未保存：") }.joined(separator: "\n")
        do {
            guard let changed = try entry.applyingEditedText(cleaned) else { return .cancelled }
            if changed.fieldValues == entry.fieldValues, !entry.id.isEmpty { return .unchanged }
            try validate(changed)
            guard let saved = try store.saveKnowledge(changed, action: entry.id.isEmpty ? .create : .edit, by: by, at: at) else {
                return .unchanged
            }
            return .saved(saved)
        } catch let e as KnowledgeValidationError {
            return .invalid(e.reasons, text: cleaned)
        }
    }
}
