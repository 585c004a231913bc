import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A stream of bytes in chunks, so an import of a gigabyte file holds a few megabytes at a time.
public protocol ByteSource: AnyObject {
    /// The next chunk, or nil at the end.
    func read() throws -> [UInt8]?
    /// Bytes of the underlying file consumed so far (for progress).
    var bytesConsumed: Int { get }
}

public struct ImportFileError: Error, CustomStringConvertible, Equatable {
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
    let chunkSize: Int
    let path: String
    public private(set) var bytesConsumed = 0
    /// Bytes to hand out before reading the file (the encoding sniff's sample).
    var pending: [UInt8]?

    public init(path: String, chunkSize: Int = 4 << 20) throws {
        self.path = path
        self.chunkSize = chunkSize
        fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw ImportFileError(file: path, reason: "无法打开文件 (cannot open): \(String(cString: strerror(errno)))")
        }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ImportFileError(file: path, reason: "这是一个目录 (is a directory)")
        }
    }

    deinit { close(fd) }

    public var fileSize: Int {
        var st = stat()
        return fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    public func read() throws -> [UInt8]? {
        if let p = pending {
            pending = nil
            return p
        }
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, chunkSize) }
        if n < 0 { throw ImportFileError(file: path, reason: "读取失败 (read error): \(String(cString: strerror(errno)))") }
        if n == 0 { return nil }
        chunk.removeSubrange(n...)
        bytesConsumed += n
        return chunk
    }

    /// The first bytes of the file, which `read()` will then hand out again.
    func peek(_ count: Int) throws -> [UInt8] {
        if let p = pending { return p }
        var sample: [UInt8] = []
        while sample.count < count, let c = try read() { sample += c }
        pending = sample
        return sample
    }
}

/// Bytes already in memory (tests, and text passed on the command line).
public final class MemoryByteSource: ByteSource {
    var data: [UInt8]?
    let total: Int
    public init(_ bytes: [UInt8]) {
        data = bytes
        total = bytes.count
    }
    public func read() throws -> [UInt8]? {
        defer { data = nil }
        return data
    }
    public var bytesConsumed: Int { data == nil ? total : 0 }
}

/// Converts another source to UTF-8 with iconv, carrying a multi-byte character split across two
/// chunks over to the next one. Foundation's String(data:encoding:) cannot stream, and GB2312 there
/// silently garbles what it does not know (platform.md), so GB18030 goes through glibc's iconv.
public final class IconvByteSource: ByteSource {
    let inner: ByteSource
    let cd: iconv_t
    let encodingName: String
    let file: String
    var carry: [UInt8] = []
    var done = false
    var offset = 0

    public init(_ inner: ByteSource, from encoding: String, file: String) throws {
        self.inner = inner
        self.encodingName = encoding
        self.file = file
        cd = iconv_open("UTF-8", encoding)
        if cd == iconv_t(bitPattern: -1) {
            throw ImportFileError(file: file, reason: "本机不支持编码 \(encoding) (encoding not available)")
        }
    }

    deinit { iconv_close(cd) }

    public var bytesConsumed: Int { inner.bytesConsumed }

    public func read() throws -> [UInt8]? {
        if done { return nil }
        guard let chunk = try inner.read() else {
            done = true
            if !carry.isEmpty {
                throw ImportFileError(file: file, reason: "文件末尾有不完整的 \(encodingName) 字符 (truncated character at the end, byte \(offset))")
            }
            return nil
        }
        var input = carry + chunk
        carry = []
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var produced = 0
        var consumed = 0
        let total = input.count
        try input.withUnsafeMutableBufferPointer { inBuf in
            try output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var inLeft = total
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var outLeft = outBuf.count
                let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                consumed = total - inLeft
                produced = outBuf.count - outLeft
                if r == -1 {
                    switch errno {
                    case EINVAL: break  // incomplete character at the end: carried over
                    case EILSEQ:
                        throw ImportFileError(
                            file: file,
                            reason: "第 \(offset + consumed) 字节不是有效的 \(encodingName) 编码 (invalid byte sequence); 请用 --encoding 指定编码")
                    default:
                        throw ImportFileError(file: file, reason: "编码转换失败 (iconv errno \(errno))")
                    }
                }
            }
        }
        carry = Array(input[consumed...])
        offset += consumed
        output.removeSubrange(produced...)
        return output
    }
}
