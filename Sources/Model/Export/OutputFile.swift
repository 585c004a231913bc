import Foundation

/// Where an export or a report the user named is written, decided before anything is written:
///
/// - a new file, or an existing regular file when `overwrite` is given: written in a private
///   folder beside it (0700, so no other user reads a half-written export of citizens' questions),
///   made 0600 (an overwritten file keeps its own mode) and renamed into place at the end — an
///   interrupted export never leaves a half file under the name, and a symlink's target is
///   replaced, not the link;
/// - `-`, a pipe, a terminal or a device (`/dev/stdout`, a FIFO): written there directly, after
///   the whole file is made, never replaced by a regular file;
/// - a directory, an existing file without `overwrite`, a dangling symlink, a missing folder:
///   refused with one line, nothing touched.
public final class OutputFile {
    public enum Kind: Equatable, Sendable { case newFile, replacesFile, stream }

    /// As the user named it (`-` for standard output).
    public let path: String
    public let kind: Kind
    /// Where the writer writes; `commit` moves or copies it to `path`.
    public let workPath: String
    private let workDir: String
    /// The regular file that `commit` renames onto (a symlink's target), or the stream to copy to.
    private let target: String
    private let mode: mode_t

    public static let standardOutput = "-"

    public init(_ path: String, overwrite: Bool) throws {
        self.path = path
        let fm = FileManager.default
        var st = stat()
        var target = path
        var kind = Kind.newFile
        var mode: mode_t = 0o600
        if path == Self.standardOutput {
            kind = .stream
        } else if lstat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFLNK {
                // Follow the link: what it names decides, and a regular target is replaced, not the
                // link (`/dev/stdout` names a pipe or a terminal through /proc: written as it is).
                guard stat(path, &st) == 0 else {
                    throw ExportError(file: path, reason: "是指向不存在位置的符号链接，未写入 (a symlink to nothing; nothing written)")
                }
                if (st.st_mode & S_IFMT) == S_IFREG, let resolved = realpath(path, nil) {
                    target = String(cString: resolved)
                    free(resolved)
                }
            }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                throw ExportError(file: path, reason: "是一个目录，请给出文件名，如 \((path as NSString).appendingPathComponent("导出.xlsx")) (a directory: name a file in it)")
            case S_IFREG:
                guard overwrite else {
                    throw ExportError(file: path, reason: "文件已存在，未覆盖；要覆盖请加 --force，或换一个文件名 (the file exists: add --force to overwrite it)")
                }
                kind = .replacesFile
                mode = st.st_mode & 0o7777
            default:
                kind = .stream  // a FIFO, a terminal, a device, a socket
            }
        } else {
            let dir = (path as NSString).deletingLastPathComponent
            var isDir: ObjCBool = false
            guard dir.isEmpty || (fm.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue) else {
                throw ExportError(file: path, reason: "目录不存在 (no such folder): \(dir)")
            }
        }
        self.kind = kind
        self.target = target
        self.mode = mode
        // The private folder: beside the target (same filesystem, so the rename is atomic), or in
        // the temporary folder for a stream.
        let parent = kind == .stream ? NSTemporaryDirectory() : {
            let d = (target as NSString).deletingLastPathComponent
            return d.isEmpty ? "." : d
        }()
        var template = Array((parent as NSString).appendingPathComponent(".workbench-export-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw ExportError(file: path, reason: "无法在 \(parent) 中写入 (cannot write in that folder): \(String(cString: strerror(errno)))")
        }
        workDir = String(cString: made)
        workPath = (workDir as NSString).appendingPathComponent((target as NSString).lastPathComponent.isEmpty
            ? "export" : (target as NSString).lastPathComponent)
    }

    deinit { discard() }

    /// Puts the finished file at `path`: renamed onto the file, or copied to the stream.
    public func commit() throws {
        defer { discard() }
        switch kind {
        case .newFile, .replacesFile:
            guard chmod(workPath, mode) == 0, rename(workPath, target) == 0 else {
                throw ExportError(file: path, reason: "无法写入 (cannot write): \(String(cString: strerror(errno)))")
            }
        case .stream:
            let out = path == Self.standardOutput ? STDOUT_FILENO : open(target, O_WRONLY | O_CLOEXEC)
            guard out >= 0 else { throw ExportError(file: path, reason: "无法打开 (cannot open): \(String(cString: strerror(errno)))") }
            defer { if out != STDOUT_FILENO { close(out) } }
            let input = open(workPath, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else { throw ExportError(file: path, reason: "无法读取临时文件 (cannot read the temporary file)") }
            defer { close(input) }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if n == 0 { break }
                guard n > 0 else { throw ExportError(file: path, reason: "读取失败 (read failed)") }
                var done = 0
                while done < n {
                    let w = buffer.withUnsafeBytes { write(out, $0.baseAddress! + done, n - done) }
                    guard w > 0 else {
                        throw ExportError(file: path, reason: "写入中断 (write failed): \(String(cString: strerror(errno)))")
                    }
                    done += w
                }
            }
        }
    }

    /// Removes the private folder and whatever is in it (an export that failed leaves nothing).
    public func discard() {
        try? FileManager.default.removeItem(atPath: workDir)
    }

    /// Whether `path` names a file that exists and would need `overwrite` (the app asks first).
    public static func wouldReplace(_ path: String) -> Bool {
        guard path != standardOutput else { return false }
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        return (st.st_mode & S_IFMT) == S_IFREG
    }
}

extension OutputFile {
    /// A size in a message: `1.0 MB`, `12 KB`, `100 字节`.
    static func size(_ bytes: Int64) -> String {
        if bytes >= 1 << 20 { return String(format: "%.1f MB", Double(bytes) / Double(1 << 20)) }
        if bytes >= 1 << 10 { return String(format: "%.0f KB", Double(bytes) / Double(1 << 10)) }
        return "\(bytes) 字节"
    }

    /// 1234567 → "1,234,567" (Model has no terminal helpers).
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}
