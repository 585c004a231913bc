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
        let file = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The file name goes in as "$1": no quoting problems whatever the path holds.
        p.arguments = ["-c", "\(command) \"$1\"", "editor", file.path]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw UserError("编辑器 \(command) 退出状态 \(p.terminationStatus)，未保存 (the editor failed; nothing saved)")
        }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw UserError("编辑后的文件不见了 (the edited file is gone)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Where a text the user wrote is kept when it cannot be saved: nothing typed is lost.
    static func keep(_ text: String, name: String) -> String? {
        let dir = WorkbenchPaths.dataDirectory().appendingPathComponent("kb-drafts")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let stamp = ShanghaiTime.format(Int64(Date().timeIntervalSince1970)).replacingOccurrences(of: " ", with: "_")
            .replacingOccurrences(of: ":", with: "")
        let file = dir.appendingPathComponent("\(name)-\(stamp).txt")
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
            try changed.validate(reference: reference)
            guard let saved = try store.saveKnowledge(changed, action: entry.id.isEmpty ? .create : .edit, by: by, at: at) else {
                return .unchanged
            }
            return .saved(saved)
        } catch let e as KnowledgeValidationError {
            return .invalid(e.reasons, text: cleaned)
        }
    }
}
