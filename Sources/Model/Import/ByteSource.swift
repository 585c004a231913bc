import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A stream of bytes read into the caller's buffer, so an import of a gigabyte file holds a few
/// megabytes at a time and allocates nothing per chunk (a fresh 4 MB array per read cost a tenth of
/// the import in page faults and zeroing, by perf).
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`; returns how many, 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Bytes of the underlying file consumed so far (for progress).
    var bytesConsumed: Int { get }
}

extension ByteSource {
    /// The next chunk as an array, or nil at the end (for readers that are not hot paths).
    public func readChunk(maxBytes: Int = 1 << 20) throws -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: maxBytes)
        let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
        if n == 0 { return nil }
        chunk.removeSubrange(n...)
        return chunk
    }
}

/// A whole file refused or unwritable, said with its path: import and export share it.
public typealias ImportFileError = FileError
public typealias ExportError = FileError

public struct FileError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }
    public var description: String { "\(file): \(reason)" }
}

/// Reads a file with read(2) in fixed chunks (not mmap: mapped pages would count against resident
/// memory for the whole file).
public final class FileByteSource: ByteSource {
    let fd: Int32
    let path: String
    public private(set) var bytesConsumed = 0
    /// Bytes to hand out before reading the file (the encoding sniff's sample).
    var pending: [UInt8]?

    /// What the path is: a regular file, or a pipe (a FIFO, `<(…)`), a device.
    public private(set) var isRegular = true
    public private(set) var isPipe = false

    public init(path: String) throws {
        self.path = path
        // Non-blocking open: a FIFO without a writer would otherwise block here until one comes.
        // Reads block again (the flag is cleared), so a FIFO whose writer is there streams as a
        // file does; one without a writer reads as empty and the importer says so.
        fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else {
            throw ImportFileError(file: path, reason: "无法打开文件 (cannot open): \(String(cString: strerror(errno)))")
        }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        var st = stat()
        if fstat(fd, &st) == 0 {
            let type = st.st_mode & S_IFMT
            if type == S_IFDIR {
                close(fd)
                throw ImportFileError(file: path, reason: "这是一个目录 (is a directory)")
            }
            isRegular = type == S_IFREG
            isPipe = type == S_IFIFO
        }
    }

    deinit { close(fd) }

    public var fileSize: Int {
        var st = stat()
        return fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if var p = pending {
            let n = min(p.count, buffer.count)
            p.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
            p.removeFirst(n)
            pending = p.isEmpty ? nil : p
            return n
        }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw ImportFileError(file: path, reason: "读取失败 (read error): \(String(cString: strerror(errno)))") }
            bytesConsumed += n
            return n
        }
    }

    /// The first bytes of the file, which `read()` will then hand out again.
    func peek(_ count: Int) throws -> [UInt8] {
        if let p = pending { return p }
        var sample = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try sample.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if n == 0 { break }
            filled += n
        }
        sample.removeSubrange(filled...)
        pending = sample.isEmpty ? nil : sample
        return sample
    }
}

/// Bytes already in memory (tests, and text passed on the command line).
public final class MemoryByteSource: ByteSource {
    let data: [UInt8]
    var offset = 0
    public init(_ bytes: [UInt8]) { data = bytes }
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, data.count - offset)
        guard n > 0 else { return 0 }
        data.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        offset += n
        return n
    }
    public var bytesConsumed: Int { offset }
}

/// Converts another source to UTF-8 with iconv, carrying a multi-byte character split across two
/// chunks over to the next one. Foundation's String(data:encoding:) cannot stream, and GB2312 there
/// silently garbles what it does not know (platform.md), so GB18030 goes through glibc's iconv.
public final class IconvByteSource: ByteSource {
    let inner: ByteSource
    let cd: iconv_t
    let encodingName: String
    let file: String
    /// Bytes read from `inner` and not yet converted (a character split across reads waits here).
    var input: [UInt8]
    var inputCount = 0
    var innerDone = false
    var offset = 0

    public init(_ inner: ByteSource, from encoding: String, file: String, inputChunk: Int = 1 << 20) throws {
        self.inner = inner
        self.encodingName = encoding
        self.file = file
        input = [UInt8](repeating: 0, count: inputChunk)
        cd = iconv_open("UTF-8", encoding)
        if cd == iconv_t(bitPattern: -1) {
            throw ImportFileError(file: file, reason: "本机不支持编码 \(encoding) (encoding not available)")
        }
    }

    deinit { iconv_close(cd) }

    public var bytesConsumed: Int { inner.bytesConsumed }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if !innerDone, inputCount < input.count {
                let n = try input.withUnsafeMutableBytes {
                    try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[inputCount...]))
                }
                if n == 0 { innerDone = true } else { inputCount += n }
            }
            if inputCount == 0 { return 0 }
            var consumed = 0
            var produced = 0
            var failure: Int32 = 0
            input.withUnsafeMutableBytes { inBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = inBuf.baseAddress!.assumingMemoryBound(to: CChar.self)
                var inLeft = inputCount
                var outPtr: UnsafeMutablePointer<CChar>? = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
                var outLeft = buffer.count
                if iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) == -1 { failure = errno }
                consumed = inputCount - inLeft
                produced = buffer.count - outLeft
            }
            if failure == EILSEQ {
                throw ImportFileError(
                    file: file,
                    reason: "第 \(offset + consumed) 字节不是有效的 \(encodingName) 编码 (invalid byte sequence); 请用 --encoding 指定编码")
            }
            if consumed > 0 {
                input.withUnsafeMutableBytes { b in
                    b.baseAddress!.copyMemory(from: b.baseAddress! + consumed, byteCount: inputCount - consumed)
                }
                inputCount -= consumed
                offset += consumed
            }
            if produced > 0 { return produced }
            // Nothing converted: either an incomplete character waits for more input, or the file
            // ends inside one.
            if innerDone {
                throw ImportFileError(file: file, reason: "文件末尾有不完整的 \(encodingName) 字符 (truncated character at the end, byte \(offset))")
            }
            if failure != EINVAL && failure != E2BIG && failure != 0 {
                throw ImportFileError(file: file, reason: "编码转换失败 (iconv errno \(failure))")
            }
        }
    }
}
