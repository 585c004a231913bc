import Foundation
import ZIPFoundation

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
///
/// Nothing is left behind (issue 36): while the file is made, SIGINT, SIGTERM, SIGHUP, SIGQUIT and
/// SIGPIPE remove the private folder before the process ends (`ExportCleanup`, which hands the
/// signal on to the app's own handler or the default action); a write that fails removes it and
/// says why in one line (`failed`); and a folder left by a process killed outright (`kill -9`, a
/// power cut) is removed by the next export into the same folder — only ours by name and owner,
/// older than that export, and not locked: each export holds `flock` on a lock file in its
/// folder while it runs, so an export running beside it keeps its own.
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
    /// The lock file's descriptor, `flock`ed while the export runs, and the folder's slot in
    /// `ExportCleanup` (for the signal handler).
    private var lockFD: Int32 = -1
    private(set) var cleanupSlot: Int?

    public static let standardOutput = "-"
    /// The private folder's name: this and six letters or digits from mkdtemp.
    public static let folderPrefix = ".workbench-export-"
    /// In the private folder: locked by the export that made it, as long as that export runs.
    static let lockName = ".workbench-export.lock"

    public init(_ path: String, overwrite: Bool) throws {
        let started = Date()
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
        Self.removeLeftovers(in: parent, olderThan: started)
        var template = Array((parent as NSString).appendingPathComponent(Self.folderPrefix + "XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            let code = errno
            if Self.isSpace(code) {
                throw ExportError(file: path, reason: "\(Self.spaceWords(code))：无法在 \(parent) 中建立临时文件夹，未写入 (nothing written)")
            }
            throw ExportError(file: path, reason: "无法在 \(parent) 中写入 (cannot write in that folder): \(String(cString: strerror(code)))")
        }
        workDir = String(cString: made)
        let name = (target as NSString).lastPathComponent
        let workName = name.isEmpty || name == Self.lockName ? "export" : name
        workPath = (workDir as NSString).appendingPathComponent(workName)
        // Named to the signal handler before either is made: the lock file, then the export.
        cleanupSlot = ExportCleanup.register(folder: workDir, names: [Self.lockName, workName])
        // Held until the folder is removed: the next export's clean-up leaves a locked folder alone.
        lockFD = open((workDir as NSString).appendingPathComponent(Self.lockName), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else {
            let code = errno
            discard()
            if Self.isSpace(code) {
                throw ExportError(file: path, reason: "\(Self.spaceWords(code))：无法在 \(parent) 中建立临时文件，未写入 (nothing written)")
            }
            throw ExportError(file: path, reason: "无法在 \(parent) 中写入 (cannot write in that folder): \(String(cString: strerror(code)))")
        }
        // Where flock does not work (some network filesystems) the export goes on unlocked; the
        // clean-up, whose flock fails the same way, then removes nothing there.
        _ = flock(lockFD, LOCK_EX | LOCK_NB)
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
            var copied: Int64 = 0
            while true {
                let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if n == 0 { break }
                guard n > 0 else { throw ExportError(file: path, reason: "读取失败 (read failed)") }
                var done = 0
                while done < n {
                    let w = buffer.withUnsafeBytes { write(out, $0.baseAddress! + done, n - done) }
                    guard w > 0 else {
                        let code = errno
                        if Self.isSpace(code) {
                            throw ExportError(file: path, reason: "\(Self.spaceWords(code))：写出 \(Self.size(copied)) 后无法再写，已写出的部分不完整 (what was written is incomplete)")
                        }
                        throw ExportError(file: path, reason: "写入中断 (write failed): \(String(cString: strerror(code)))")
                    }
                    done += w
                    copied += Int64(w)
                }
            }
        }
    }

    /// Removes the private folder and whatever is in it (an export that failed leaves nothing),
    /// then frees its slot in the signal handler's table and lets go of the lock.
    public func discard() {
        if !workDir.isEmpty { try? FileManager.default.removeItem(atPath: workDir) }
        if let slot = cleanupSlot {
            ExportCleanup.unregister(slot)
            cleanupSlot = nil
        }
        if lockFD >= 0 {
            close(lockFD)
            lockFD = -1
        }
    }

    /// What an export that could not be written says: the folder is removed first; a full disk
    /// (ENOSPC), a full quota (EDQUOT) or a file-size limit (EFBIG) becomes one line naming the
    /// file, the cause and how much was written (`rows`: records handed to the writer;
    /// `written`: what the writer counted, as its temporary files may be gone by now). Any
    /// other error is returned as it is.
    public func failed(_ error: Error, rows: Int? = nil, written counted: Int64 = 0) -> Error {
        let written = max(counted, Self.bytes(under: workDir))
        let near = (workDir as NSString).deletingLastPathComponent
        let space = Self.spaceErrno(error, near: near)  // before the folder's removal frees space
        discard()
        guard let code = space else {
            // A writer's own line names the hidden file: name the one the user asked for.
            if let e = error as? FileError, e.file == workPath { return ExportError(file: path, reason: e.reason) }
            return error
        }
        let at = rows.map { "（写到第 \(Self.grouped($0)) 条记录时）" } ?? ""
        // A stream is made in the temporary folder first: that is the disk that filled.
        let whereWritten = kind == .stream ? "在临时文件夹 \(near) 中" : ""
        return ExportError(file: path, reason: "\(Self.spaceWords(code))：\(whereWritten)写入 \(Self.size(written)) 后无法再写\(at)，"
                           + "未留下部分文件 (nothing left behind)")
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
    static func isSpace(_ code: Int32) -> Bool { code == ENOSPC || code == EDQUOT || code == EFBIG }

    static func spaceWords(_ code: Int32) -> String {
        switch code {
        case EDQUOT: return "磁盘配额已满 (disk quota full)"
        case EFBIG: return "超过文件大小上限 (file size limit)"
        default: return "磁盘已满 (disk full)"
        }
    }

    /// The errno behind a failed write when it is a full disk, a full quota or a file-size limit:
    /// write(2)'s, Foundation's (NSCocoaErrorDomain 640 is "out of space", with the POSIX error
    /// under it). ZIPFoundation's errors keep none: for them `errno` as the failed write left it
    /// (taken by the caller at once), else the filesystem's free space decides.
    static func spaceErrno(_ error: Error, near dir: String, errno last: Int32 = 0) -> Int32? {
        if let e = error as? POSIXError { return isSpace(e.code.rawValue) ? e.code.rawValue : nil }
        if error is Data.DataError || error is Archive.ArchiveError { return isSpace(last) ? last : isNearlyFull(dir) ? ENOSPC : nil }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return isSpace(Int32(ns.code)) ? Int32(ns.code) : nil }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? Error, let code = spaceErrno(underlying, near: dir) { return code }
        if ns.domain == NSCocoaErrorDomain && ns.code == CocoaError.fileWriteOutOfSpace.rawValue { return ENOSPC }
        return nil
    }

    /// Whether the filesystem holding `dir` has less than 256 KB left for us.
    static func isNearlyFull(_ dir: String) -> Bool {
        var fs = statvfs()
        return statvfs(dir, &fs) == 0 && UInt64(fs.f_bavail) * UInt64(fs.f_frsize) < 256 << 10
    }

    /// Bytes in the regular files under `dir`.
    static func bytes(under dir: String) -> Int64 {
        guard !dir.isEmpty, let e = FileManager.default.enumerator(atPath: dir) else { return 0 }
        var total: Int64 = 0
        while let name = e.nextObject() as? String {
            var st = stat()
            if lstat((dir as NSString).appendingPathComponent(name), &st) == 0, (st.st_mode & S_IFMT) == S_IFREG {
                total += Int64(st.st_size)
            }
        }
        return total
    }

    /// Whether `name` is a private folder's: the prefix and mkdtemp's six letters or digits.
    static func isFolderName(_ name: String) -> Bool {
        guard name.hasPrefix(folderPrefix) else { return false }
        let tail = name.utf8.dropFirst(folderPrefix.utf8.count)
        return tail.count == 6 && tail.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }

    /// Removes what an export killed outright left in `parent`: folders named as ours, owned by
    /// this user, last changed more than a second before `started` (one made this instant by an
    /// export starting beside us has not locked yet), and whose lock file no running export
    /// holds (a killed process's lock went with it; a folder without one was killed before it
    /// was made). Anything else is left alone, and so is everything where flock does not work.
    static func removeLeftovers(in parent: String, olderThan started: Date) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        let uid = geteuid()
        for name in names where isFolderName(name) {
            let full = (parent as NSString).appendingPathComponent(name)
            var st = stat()
            guard lstat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == uid else { continue }
            #if canImport(Glibc)
            let changed = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
            #else
            let changed = Double(st.st_mtimespec.tv_sec) + Double(st.st_mtimespec.tv_nsec) / 1e9
            #endif
            guard changed < started.timeIntervalSince1970 - 1 else { continue }
            let lock = open((full as NSString).appendingPathComponent(lockName), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            if lock >= 0 {
                defer { close(lock) }
                // Held (EWOULDBLOCK) by a running export, or flock unsupported here: left alone.
                guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { continue }
                try? FileManager.default.removeItem(atPath: full)
            } else if errno == ENOENT {
                try? FileManager.default.removeItem(atPath: full)
            }
        }
    }

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
