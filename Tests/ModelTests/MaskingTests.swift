import Testing
@testable import Model

@Suite struct MaskingTests {
    @Test func validIDsAreMaskedKeepingSixAndFour() {
        #expect(Masking.mask("身份证320682198503121233") == "身份证320682********1233")
        #expect(Masking.mask("320623197908052462，") == "320623********2462，")
        #expect(Masking.mask("号码:320612199202270011") == "号码:320612********0011")
    }

    @Test func invalidCheckDigitIsNotAnID() {
        // Same digits with the last one changed: an order number, not a person.
        #expect(Masking.mask("订单320682198503121234") == "订单320682198503121234")
        #expect(Masking.validIDChecksum("320682198503121233"))
        #expect(!Masking.validIDChecksum("320682198503121234"))
    }

    @Test func idEndingInX() {
        // 11010519491231002X is the textbook example with check character X.
        #expect(Masking.validIDChecksum("11010519491231002X"))
        #expect(Masking.mask("11010519491231002X号") == "110105********002X号")
        #expect(Masking.mask("11010519491231002x") == "110105********002x")
    }

    @Test func mobiles() {
        #expect(Masking.mask("手机13800001234") == "手机138****1234")
        #expect(Masking.mask("+8613800001234") == "+86138****1234")
        #expect(Masking.mask("电话 19912345678。") == "电话 199****5678。")
        // 12 digits, or starting 12: not a mobile.
        #expect(Masking.mask("12800001234") == "12800001234")
        #expect(Masking.mask("138000012345") == "138000012345")
    }

    @Test func hotlinesAndOfficeNumbersStay() {
        let s = "请拨打12333或0513-85678901，2025年12月1日起执行"
        #expect(Masking.mask(s) == s)
    }

    @Test func bankCardsPassingLuhn() {
        #expect(Masking.mask("卡号4111111111111112") == "卡号4111111111111112")  // fails Luhn
        #expect(Masking.mask("4111111111111111") == "411111******1111")
    }

    @Test func maskingIsIdempotentAndKeepsLength() {
        let s = "我身份证号是320682198503121233，手机13800001234，帮我查下社保交到几月份了。"
        let once = Masking.mask(s)
        #expect(Masking.mask(once) == once)
        #expect(once.count == s.count)
        #expect(once == "我身份证号是320682********1233，手机138****1234，帮我查下社保交到几月份了。")
    }
}

@Suite struct ReferenceDataTests {
    let orgs = ReferenceData.bundled.organisations

    @Test(arguments: [
        ("港闸区", "崇川区"), ("海门市", "海门区"), ("海安县", "海安市"), ("如东市", "如东县"),
        ("如皋", "如皋市"), (" 启东市 ", "启东市"), ("南通市通州区", "通州区"), ("江苏省南通市海门市", "海门区"),
        ("320682", "如皋市"), ("如皋市人社局", "如皋市"), ("开发区", "南通经济技术开发区"), ("市本级", "市本级"),
    ])
    func legacyAndShortNamesNormalise(raw: String, expected: String) {
        #expect(orgs.normalise(raw) == expected)
    }

    @Test func unknownNamesAreKeptAsWritten() {
        #expect(orgs.normalise("  苏州市 ") == "苏州市")
        #expect(!orgs.isKnown("苏州市"))
    }

    @Test func regionsAndTaxonomy() {
        #expect(orgs.kbRegions == ["全市", "海安市", "海门区", "启东市", "如皋市", "如东县", "通州区"])
        let tax = ReferenceData.bundled.taxonomy
        #expect(tax.level1.count == 14)
        #expect(tax.contains(level1: "养老保险", level2: "城乡居民养老保险"))
        #expect(!tax.contains(level1: "养老保险", level2: "工伤认定"))
    }

    @Test func anOverrideDirectoryReplacesTheBundledFile() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        _ = dir.write("taxonomy.json", """
            {"smallTalk": {"level1": "其他", "level2": "闲聊"}, "level1": [{"name": "其他", "level2": ["闲聊"]}]}
            """)
        let ref = try ReferenceData.load(overrideDirectories: [dir.url])
        #expect(ref.taxonomy.level1.map(\.name) == ["其他"])
        #expect(ref.organisations.kbRegions.count == 7)  // not overridden: bundled
    }

    @Test func aBrokenOverrideNamesTheFile() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.write("organisations.json", "{ not json")
        #expect(throws: ReferenceDataError.self) { try ReferenceData.load(overrideDirectories: [dir.url]) }
        do { _ = try ReferenceData.load(overrideDirectories: [dir.url]) } catch {
            #expect("\(error)".contains(path))
        }
    }
}

@Suite struct LabelTests {
    @Test func parsingAcceptsKeyChineseNameAndCode() {
        #expect(Label(parsing: "1") == .missingKnowledge)
        #expect(Label(parsing: "理解错误") == .misunderstood)
        #expect(Label(parsing: "Correct") == .correct)
        #expect(Label(parsing: " outOfScope ") == .outOfScope)
        #expect(Label(parsing: "5") == nil)
        #expect(Label.allCases.map(\.key) == ["1", "2", "3", "4"])
        #expect(Label.allCases.map(\.chineseName) == ["业务缺失", "理解错误", "回答正确", "非人社职能"])
        #expect(ReviewStatus(parsing: "已复核") == .reviewed)
    }
}

@Suite struct RowNormaliserTests {
    @Test(arguments: [("是", true), ("否", false), ("1", true), ("0", false), ("TRUE", true), ("No", false), ("兜底", true), ("未命中", false)])
    func yesNoValues(text: String, expected: Bool) {
        #expect(RowNormaliser.parseBool(text) == expected)
    }

    @Test func unknownYesNoIsUnknown() {
        #expect(RowNormaliser.parseBool("也许") == nil)
    }

    @Test(arguments: [
        ("社会保险(综合)/缴费基数与费率", "社会保险(综合)", "缴费基数与费率"),
        ("养老保险／城乡居民养老保险", "养老保险", "城乡居民养老保险"),
        ("工伤保险 > 工伤认定", "工伤保险", "工伤认定"),
        ("失业保险", "失业保险", nil),
    ])
    func combinedBusinessTypeSplits(text: String, l1: String, l2: String?) {
        let (a, b) = RowNormaliser.splitBusinessType(text)
        #expect(a == l1 && b == l2)
    }
}

@Suite struct DigitScanTests {
    @Test func theWordAtATimeScanAgreesWithTheByteLoop() {
        var rng = SeededRandom(seed: 3)
        let pieces = ["社保", "1", "23", "4567", "89012", " ", "a", "。", "：", "0513-", "\u{1F600}"]
        for _ in 0..<2000 {
            let s = (0..<rng.int(0...30)).map { _ in rng.pick(pieces) }.joined()
            var run = 0, expected = false
            for b in s.utf8 {
                if b >= 0x30 && b <= 0x39 { run += 1; if run >= 11 { expected = true } } else { run = 0 }
            }
            #expect(Masking.hasLongDigitRun(s) == expected, "\(s)")
        }
        for b in 0...255 {
            let word = UInt64(b) << 24 | 0x4141_4141_0041_4141
            #expect(Masking.hasDigitByte(word) == (b >= 0x30 && b <= 0x39), "byte \(b)")
        }
    }
}
