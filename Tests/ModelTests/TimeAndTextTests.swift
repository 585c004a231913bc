import Testing
@testable import Model

@Suite struct ShanghaiTimeTests {
    @Test(arguments: [
        ("2025-12-01 09:15:33", "2025-12-01 09:15:33"),
        ("2025/12/1 9:05", "2025-12-01 09:05:00"),
        ("2025/12/01 09:05:07", "2025-12-01 09:05:07"),
        ("2025-12-01T09:15:33", "2025-12-01 09:15:33"),
        ("2025-12-01T01:15:33Z", "2025-12-01 09:15:33"),
        ("2025-12-01T09:15:33+08:00", "2025-12-01 09:15:33"),
        ("2025-12-01 09:15:33.250", "2025-12-01 09:15:33"),
        ("2025年12月1日 9:05", "2025-12-01 09:05:00"),
        ("2025.12.1", "2025-12-01 00:00:00"),
        ("  2025-12-01  ", "2025-12-01 00:00:00"),
        ("1764551733", "2025-12-01 09:15:33"),
        ("1764551733000", "2025-12-01 09:15:33"),
        ("2024-02-29 23:59:59", "2024-02-29 23:59:59"),
    ])
    func parsesVendorFormats(input: String, expected: String) {
        let e = ShanghaiTime.parse(input)
        #expect(e.map(ShanghaiTime.format) == expected)
    }

    @Test(arguments: ["", "yesterday", "2025-13-01", "2025-02-30", "2023-02-29", "2025-12-01 25:00", "2025-12-01 9", "12/01/2025", "2025-12-01 09:15:33 extra"])
    func rejectsWhatIsNotADate(input: String) {
        #expect(ShanghaiTime.parse(input) == nil)
    }

    @Test func epochIsShanghaiWallClock() {
        // 2025-12-01 00:00 in Shanghai is 2025-11-30 16:00 UTC.
        #expect(ShanghaiTime.parse("2025-12-01 00:00:00") == 1_764_518_400)
        #expect(ShanghaiTime.startOfDay(1_764_518_400 + 86399) == 1_764_518_400)
        #expect(ShanghaiTime.formatDate(1_764_518_400 - 1) == "2025-11-30")
    }
}

@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("标注记录名称", 5, "标注~"),
        ("标注记录名称", 6, "标注~"),
        ("标注记录名称", 12, "标注记录名称"),
        ("大大大大", 5, "大大~"),
        ("abc标注", 4, "abc~"),
        ("abcdef", 4, "abc~"),
        ("", 3, ""),
    ])
    func truncatesByColumns(text: String, width: Int, expected: String) {
        #expect(DisplayWidth.truncate(text, to: width) == expected)
    }

    @Test func paddingFillsTheGapAWideCharacterLeaves() {
        let s = DisplayWidth.truncate("标注记录名称", to: 6, pad: true)
        #expect(s == "标注~ ")
        #expect(DisplayWidth.of(s) == 6)
        #expect(DisplayWidth.of(DisplayWidth.truncate("记录", to: 7, pad: true)) == 7)
    }

    @Test func widths() {
        #expect(DisplayWidth.of("标注") == 4)
        #expect(DisplayWidth.of("ａｂ") == 4)  // fullwidth
        #expect(DisplayWidth.of("😀") == 2)
        #expect(DisplayWidth.of("𠮷") == 2)  // CJK extension B
        #expect(DisplayWidth.of("e\u{301}") == 1)  // combining accent
        #expect(DisplayWidth.of("⠿") == 1)  // Braille stays narrow
        #expect(DisplayWidth.of("─") == 1)
        #expect(DisplayWidth.of("─", ambiguousWide: true) == 2)
    }

    @Test func controlsBecomeVisible() {
        #expect(VisibleText.escapeControls("a\u{7}b\u{1B}[31m") == "a^Gb^[[31m")
        #expect(VisibleText.escapeControls("line1\nline2") == "line1\nline2")
        #expect(VisibleText.singleLine("line1\nline2\tx") == "line1 line2 x")
        #expect(VisibleText.escapeControls("\u{85}\u{7F}") == "<U+0085>^?")
    }

    @Test func trimmedHandlesChineseSpaces() {
        #expect("\u{3000} 海安市 \t".trimmed == "海安市")
        #expect("".trimmed == "")
        #expect("   ".trimmed == "")
        #expect("a b".trimmed == "a b")
    }
}
