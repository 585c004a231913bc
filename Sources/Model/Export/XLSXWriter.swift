import Foundation
import ZIPFoundation

/// Writes an Office Open XML workbook, streamed: each sheet's XML goes to a temporary file as rows
/// arrive (memory stays flat however many rows), and `finish` zips the parts with ZIPFoundation.
/// Every text cell is an inline string (`t="inlineStr"`): no formula is evaluated and an 18-digit
/// id stays text.
public final class XLSXWriter {
    public struct Column: Sendable {
        public let width: Double
        public let wrap: Bool
        public init(width: Double, wrap: Bool = false) {
            self.width = width
            self.wrap = wrap
        }
    }

    let path: String
    let tempDir: URL
    var sheetNames: [String] = []
    var out: FileHandle?
    var buffer: [UInt8] = []
    var rowNumber = 0
    var wrapColumns: Set<Int> = []
    var columnLetters: [String] = []

    public init(path: String) throws {
        self.path = path
        tempDir = URL(fileURLWithPath: (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
            .appendingPathComponent(".xlsx-\(UUID().uuidString)")
        // Inside an export's private folder: named to the signal handler before it is made.
        ExportCleanup.willCreate(tempDir.path)
        do {
            try FileManager.default.createDirectory(at: tempDir, withIntermediateDirectories: true)
        } catch {
            throw ExportError(file: path, reason: "无法在目标目录写入临时文件 (cannot write in the output directory)")
        }
    }

    deinit { try? FileManager.default.removeItem(at: tempDir) }

    /// Starts a sheet; the header row (bold) is frozen at the top.
    public func beginSheet(_ name: String, columns: [Column], header: [String]) throws {
        try endSheet()
        sheetNames.append(name)
        let url = tempDir.appendingPathComponent("sheet\(sheetNames.count).xml")
        ExportCleanup.willCreate(url.path)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        out = try FileHandle(forWritingTo: url)
        rowNumber = 0
        wrapColumns = Set(columns.indices.filter { columns[$0].wrap })
        columnLetters = (0..<max(columns.count, header.count)).map(Self.letters)
        var s = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>\
            </sheetView></sheetViews><cols>
            """
        for (i, c) in columns.enumerated() {
            s += "<col min=\"\(i + 1)\" max=\"\(i + 1)\" width=\"\(c.width)\" customWidth=\"1\"/>"
        }
        s += "</cols><sheetData>"
        buffer += Array(s.utf8)
        try row(header.map { .text($0) }, style: 2)
    }

    /// One row. Style 1 (wrap, top) on wrap columns; 2 is the bold header.
    public func row(_ cells: [ExportCell], style: Int? = nil) throws {
        rowNumber += 1
        buffer += Array("<row r=\"\(rowNumber)\">".utf8)
        for (i, cell) in cells.enumerated() {
            let ref = columnLetters.indices.contains(i) ? columnLetters[i] : Self.letters(i)
            let s = style ?? (wrapColumns.contains(i) ? 1 : 0)
            let styleAttr = s == 0 ? "" : " s=\"\(s)\""
            switch cell {
            case .empty: continue
            case .number(let n):
                buffer += Array("<c r=\"\(ref)\(rowNumber)\"\(styleAttr)><v>\(n)</v></c>".utf8)
            case .text(let t):
                buffer += Array("<c r=\"\(ref)\(rowNumber)\"\(styleAttr) t=\"inlineStr\"><is><t xml:space=\"preserve\">".utf8)
                Self.appendEscaped(t, to: &buffer)
                buffer += Array("</t></is></c>".utf8)
            }
        }
        buffer += Array("</row>".utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Sheet XML written to the temporary files so far.
    public private(set) var bytesWritten: Int64 = 0

    func flush() throws {
        guard let out, !buffer.isEmpty else { return }
        try out.write(contentsOf: buffer)
        bytesWritten += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    func endSheet() throws {
        guard let o = out else { return }
        buffer += Array("</sheetData></worksheet>".utf8)
        try flush()
        try o.close()
        out = nil
    }

    /// XML text: the five entities, CR as a character reference (a bare CR would be read back as
    /// LF), and what XML 1.0 cannot carry (C0 controls but tab and LF, U+FFFE, U+FFFF) as OOXML's
    /// `_xHHHH_`, which Excel, WPS, openpyxl and our importer read back as the character. A `_`
    /// that would otherwise start such an escape is written `_x005F_`, so `_x0041_` typed in an
    /// answer comes back as typed.
    static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        let u = Array(s.utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        func escape(_ v: UInt32) {
            out += Array("_x".utf8)
            for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int((v >> UInt32(shift)) & 15)]) }
            out.append(UInt8(ascii: "_"))
        }
        func isHex(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x66) }
        var i = 0
        while i < u.count {
            let b = u[i]
            switch b {
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case UInt8(ascii: "\""): out += Array("&quot;".utf8)
            case 0x0D: out += Array("&#13;".utf8)
            case 0x09, 0x0A: out.append(b)
            case 0..<0x20: escape(UInt32(b))
            case UInt8(ascii: "_") where i + 6 < u.count && u[i + 1] == UInt8(ascii: "x")
                && u[(i + 2)...(i + 5)].allSatisfy(isHex) && u[i + 6] == UInt8(ascii: "_"):
                escape(0x5F)
            case 0xEF where i + 2 < u.count && u[i + 1] == 0xBF && u[i + 2] >= 0xBE:
                escape(u[i + 2] == 0xBE ? 0xFFFE : 0xFFFF)
                i += 2
            default: out.append(b)
            }
            i += 1
        }
    }

    /// 0 → A, 25 → Z, 26 → AA.
    static func letters(_ index: Int) -> String {
        var n = index + 1
        var s = ""
        while n > 0 {
            let r = (n - 1) % 26
            s = String(Character(Unicode.Scalar(UInt8(65 + r)))) + s
            n = (n - 1) / 26
        }
        return s
    }

    /// Writes the workbook: the parts around the sheets, then the sheets, deflated.
    public func finish() throws {
        try endSheet()
        let fm = FileManager.default
        try? fm.removeItem(atPath: path)
        do {
            let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
            func add(_ name: String, _ text: String) throws {
                let data = Data(text.utf8)
                try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
                                     provider: { pos, size in data.subdata(in: Int(pos)..<Int(pos) + size) })
            }
            let sheets = sheetNames.indices
            var sheetList = ""
            for i in sheets {
                var name: [UInt8] = []
                Self.appendEscaped(sheetNames[i], to: &name)
                sheetList += "<sheet name=\"\(String(decoding: name, as: UTF8.self))\" sheetId=\"\(i + 1)\" r:id=\"rId\(i + 1)\"/>"
            }
            try add("[Content_Types].xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
                <Default Extension="xml" ContentType="application/xml"/>\
                <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
                <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
                \(sheets.map { "<Override PartName=\"/xl/worksheets/sheet\($0 + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" }.joined())\
                </Types>
                """)
            try add("_rels/.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
                </Relationships>
                """)
            try add("xl/workbook.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
                <sheets>\(sheetList)</sheets></workbook>
                """)
            try add("xl/_rels/workbook.xml.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                \(sheets.map { "<Relationship Id=\"rId\($0 + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>" }.joined())\
                <Relationship Id="rId\(sheets.count + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
                </Relationships>
                """)
            try add("xl/styles.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
                <fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>\
                <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
                <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
                <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
                <cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
                <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf>\
                <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>\
                <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
                </styleSheet>
                """)
            for i in sheets {
                try archive.addEntry(with: "xl/worksheets/sheet\(i + 1).xml",
                                     fileURL: tempDir.appendingPathComponent("sheet\(i + 1).xml"), compressionMethod: .deflate,
                                     bufferSize: 1 << 16)
            }
        } catch let e as ExportError {
            throw e
        } catch {
            // ZIPFoundation's errors keep no errno: take it as the failed write left it, and the
            // free space before the partial workbook is removed (which frees some).
            let code = errno
            let dir = (path as NSString).deletingLastPathComponent
            let space = OutputFile.spaceErrno(error, near: dir, errno: code)
            try? fm.removeItem(atPath: path)
            // A full disk goes up as such, for the caller to say with the file's name (OutputFile.failed).
            if let space, let posix = POSIXErrorCode(rawValue: space) { throw POSIXError(posix) }
            throw ExportError(file: path, reason: "无法写入 XLSX (cannot write the workbook): \(error)")
        }
        // ZIPFoundation flushes after each part without looking at the result, so a disk that
        // filled at the end would leave a workbook without its directory: read it back.
        let parts: Int
        do { parts = Array(try Archive(url: URL(fileURLWithPath: path), accessMode: .read)).count } catch { parts = -1 }
        guard parts == 5 + sheetNames.count else {
            let full = OutputFile.isNearlyFull((path as NSString).deletingLastPathComponent)
            try? fm.removeItem(atPath: path)
            if full { throw POSIXError(.ENOSPC) }
            throw ExportError(file: path, reason: "写出的 XLSX 读回时不完整 (the workbook written is incomplete)")
        }
    }
}
