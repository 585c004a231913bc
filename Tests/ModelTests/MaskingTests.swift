import Testing
@testable import Model

/// Numbers as citizens type them (issue 18): generated valid IDs, mobiles and bank cards in every
/// common form, and the real-looking numbers that must stay.
@Suite struct MaskingTests {
    static func id(_ rng: inout SeededRandom) -> String {
        let region = rng.pick(["320682", "320623", "320612", "110105", "440305", "320602", "510107"])
        let year = rng.int(1940...2006), month = rng.int(1...12), day = rng.int(1...28)
        var s = region + String(format: "%04d%02d%02d%03d", year, month, day, rng.int(0...999))
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(s, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        s.append(Array("10X98765432")[sum % 11])
        return s
    }

    static func mobile(_ rng: inout SeededRandom) -> String {
        "1" + String(rng.int(3...9)) + (0..<9).map { _ in String(rng.int(0...9)) }.joined()
    }

    static func card(_ rng: inout SeededRandom) -> String {
        var digits = [6, 2] + (0..<(rng.int(16...19) - 3)).map { _ in rng.int(0...9) }
        // The Luhn check digit.
        var sum = 0
        for (k, d) in digits.reversed().enumerated() { var x = d; if k % 2 == 0 { x *= 2; if x > 9 { x -= 9 } }; sum += x }
        digits.append((10 - sum % 10) % 10)
        return digits.map(String.init).joined()
    }

    static func fullWidth(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { u in
            (0x30...0x39).contains(u.value) || u == "X" || u == "x" ? Unicode.Scalar(u.value + 0xFEE0)! : u
        }))
    }

    static func grouped(_ s: String, _ sizes: [Int], _ sep: String) -> String {
        var out: [String] = []
        var rest = Substring(s)
        for n in sizes where !rest.isEmpty { out.append(String(rest.prefix(n))); rest = rest.dropFirst(n) }
        if !rest.isEmpty { out.append(String(rest)) }
        return out.joined(separator: sep)
    }

    /// The number's digits (as typed) with only `kept` of them left: the others are `*` or `＊`.
    static func expectMasked(_ text: String, number: String, keepFirst: Int, keepLast: Int, _ context: String) {
        let masked = Masking.mask(text)
        #expect(masked.unicodeScalars.count == text.unicodeScalars.count, "length changed: \(context)")
        #expect(Masking.mask(masked) == masked, "not idempotent: \(context)")
        guard let r = text.range(of: number) else { Issue.record("bad case \(context)"); return }
        let start = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: r.lowerBound)
        let typed = Array(number.unicodeScalars), got = Array(masked.unicodeScalars)[start..<(start + typed.count)]
        let digitIdx = typed.indices.filter { Masking.digit(typed[$0].value) != nil || Masking.isCheckX(typed[$0].value) }
        for (n, k) in digitIdx.enumerated() {
            let keep = n < keepFirst || n >= digitIdx.count - keepLast
            let g = got[got.startIndex + k]
            if keep { #expect(g == typed[k], "\(context): digit \(n) should stay in \(masked)") }
            else { #expect(g == "*" || g == "＊", "\(context): digit \(n) should be masked in \(masked)") }
            if g == "＊" { #expect(typed[k].value >= 0xFF10, "a wide star for a narrow digit: \(context)") }
        }
        for k in typed.indices where !digitIdx.contains(k) { #expect(got[got.startIndex + k] == typed[k], "a separator changed: \(context)") }
    }

    @Test func everyCommonFormOfAnIDMobileAndCardIsMasked() {
        var rng = SeededRandom(seed: 18)
        let seps = [" ", "-", ".", "\u{3000}", "－", "．", "  "].dropLast()  // one separator between groups
        let around = [("身份证号是", "，帮我查下"), ("", ""), ("号码：", "。"), ("(", ")"), ("我的是 ", " 谢谢"), ("电话", "")]
        for _ in 0..<300 {
            let (pre, post) = rng.pick(around)
            // IDs: plain, lowercase x, full-width, 6-8-4 and 6-4-4-4 groups.
            var idn = Self.id(&rng)
            if idn.hasSuffix("X"), rng.chance(0.5) { idn = String(idn.dropLast()) + "x" }
            var idForms = [idn, Self.grouped(idn, [6, 8, 4], rng.pick(Array(seps))), Self.grouped(idn, [6, 4, 4, 4], " ")]
            idForms.append(Self.fullWidth(rng.pick(idForms)))
            for f in idForms { Self.expectMasked(pre + f + post, number: f, keepFirst: 6, keepLast: 4, "ID \(f)") }
            // Mobiles: plain, 3-4-4, +86 / 0086 / 86 prefixes, full-width.
            let m = Self.mobile(&rng)
            let sep = rng.pick(Array(seps))
            var mForms = [m, Self.grouped(m, [3, 4, 4], sep), "+86" + m, "+86 " + m, "0086" + m, "+86-" + Self.grouped(m, [3, 4, 4], "-"), "86 " + m]
            mForms.append(Self.fullWidth(rng.pick(mForms)))
            for f in mForms {
                // 86 or 0086 before the 11 digits stays, with the first three.
                let prefixDigits = f.unicodeScalars.filter { Masking.digit($0.value) != nil }.count - 11
                Self.expectMasked(pre + f + post, number: f, keepFirst: prefixDigits + 3, keepLast: 4, "mobile \(f)")
            }
            // Cards: plain, groups of four, full-width.
            let c = Self.card(&rng)
            var cForms = [c, Self.grouped(c, [4, 4, 4, 4, 4], rng.pick([" ", "-"]))]
            cForms.append(Self.fullWidth(rng.pick(cForms)))
            for f in cForms { Self.expectMasked(pre + f + post, number: f, keepFirst: 6, keepLast: 4, "card \(f)") }
        }
    }

    @Test func numbersThatAreNotPersonalStay() {
        var rng = SeededRandom(seed: 7)
        var stays = [
            "请拨打12333或0513-85678901咨询", "0513 8567 8901", "通人社规〔2024〕2号", "苏人社发〔2023〕118号", "2025-12-01 09:15:33",
            "2025年12月1日起执行", "缴费基数3,500.00元至18,000元", "12000元", "每月1,820.5元", "记录号1700000000158372082",
            "订单320682198503121234", "知识KB00790", "邮编226000", "12800001234", "138000012345", "工号20231234567",
            "1700000000158372082 1700000000158364163", "版本 2.10.33.4455.6677", "时间戳1733011200000",
            "320682000000001238", "320682199913451237", "A320682198503121233", "320682198503121233B",
        ]
        // 18-digit numbers with a valid check digit but no real birth date, and card-length numbers starting 1 or 2.
        for _ in 0..<200 {
            var d = "3206" + (0..<4).map { _ in String(rng.int(0...9)) }.joined() + "0000" + (0..<5).map { _ in String(rng.int(0...9)) }.joined()
            let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
            d = String(d.prefix(17))
            let sum = zip(d, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
            stays.append(d + String(Array("10X98765432")[sum % 11]))
            stays.append(String(rng.int(1...2)) + (0..<rng.int(15...18)).map { _ in String(rng.int(0...9)) }.joined())
        }
        for s in stays { #expect(Masking.mask(s) == s, "masked: \(s) → \(Masking.mask(s))") }
    }

    @Test func validIDsAreMaskedKeepingSixAndFour() {
        #expect(Masking.mask("身份证320682198503121233") == "身份证320682********1233")
        #expect(Masking.mask("11010519491231002X号") == "110105********002X号")
        #expect(Masking.mask("11010519491231002x") == "110105********002x")
        #expect(Masking.mask("320682 19850312 1233") == "320682 ******** 1233")
        #expect(Masking.mask("手机１３８００００１２３４") == "手机１３８＊＊＊＊１２３４")
        #expect(Masking.mask("138-0000-1234，138 0000 1234") == "138-****-1234，138 **** 1234")
        #expect(Masking.mask("+86 13800001234") == "+86 138****1234" && Masking.mask("008613800001234") == "0086138****1234")
        #expect(Masking.mask("卡号6222 0212 3456 7890 128") == Masking.mask("卡号6222 0212 3456 7890 128"))
        #expect(Masking.mask("4111111111111111") == "411111******1111" && Masking.mask("4111111111111112") == "4111111111111112")
        #expect(Masking.validIDChecksum("320682198503121233") && !Masking.validIDChecksum("320682198503121234"))
    }

    @Test func namesAndAddressesInTheQuestionAreMaskedThereAndInTheAnswer() {
        let cases: [(String, String)] = [
            ("我叫张三丰，身份证320682198503121233", "我叫张＊＊，身份证320682********1233"),
            ("联系人：李娜，电话13800001234", "联系人：李＊，电话138****1234"),
            ("姓名王芳想咨询失业金", "姓名王＊想咨询失业金"),
            ("本人欧阳娜娜，要办退休", "本人欧阳＊＊，要办退休"),
            ("我住在阳光小区3栋201室，怎么办社保卡", "我住在阳光小区*栋***室，怎么办社保卡"),
            ("家在人民路88号，离哪个网点近", "家在人民路**号，离哪个网点近"),
            ("新华村3组12号的老人怎么领养老金", "新华村*组**号的老人怎么领养老金"),
        ]
        for (q, expected) in cases { #expect(Masking.mask(question: q, answer: "").question == expected, "\(q) → \(Masking.mask(question: q, answer: "").question)") }
        let (q, a) = Masking.mask(question: "我叫张三丰，住阳光小区3栋201室", answer: "张三丰您好，阳光小区3栋201室属于崇川区，张三丰请携带身份证。")
        #expect(q == "我叫张＊＊，住阳光小区*栋***室")
        #expect(a == "张＊＊您好，阳光小区*栋***室属于崇川区，张＊＊请携带身份证。")
        // Questions with the trigger words but no name or address stay as they are.
        for s in ["本人想咨询一下失业金", "本人是灵活就业人员", "我叫的车到了", "联系人变更怎么办", "本人于2020年退休", "姓名写错了怎么改",
                  "人民路上的社保中心几点开门", "3号窗口在几楼", "市民中心3楼28号窗口", "我是海门区的，灵活就业怎么交"] {
            #expect(Masking.mask(question: s, answer: s) == (s, s), "\(s) → \(Masking.mask(question: s, answer: s))")
        }
    }

    @Test func aReviewersOwnSpanIsMaskedEverywhere() {
        let (t, n) = Masking.mask("欧阳娜娜", in: "我是欧阳娜娜，欧阳娜娜的社保")
        #expect(t == "我是＊＊＊＊，＊＊＊＊的社保" && n == 2)
        #expect(Masking.mask("138 0000", in: "打138 0000 1234") == ("打*** **** 1234", 1))
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
        // Long Chinese stretches too: the scan jumps 11 bytes at a time over them, so a number
        // must be found at every offset after them.
        let pieces = ["社保", "1", "23", "4567", "89012", " ", "a", "。", "：", "0513-", "\u{1F600}", "１", "２３", "（", "＊", "ｘ", "-", ".", "\u{3000}", "－", "．", "  ",
                      "失业保险金怎么领取", "请拨打", "您好，", "ab", "社会保障卡补办需要"]
        for _ in 0..<4000 {
            let s = (0..<rng.int(0...50)).map { _ in rng.pick(pieces) }.joined()
            // The definition, scalar by scalar: 11 digits with one separator at most between two,
            // not glued to an ASCII letter or digit at either end (a code, not a number).
            let u = Array(s.unicodeScalars)
            func alnum(_ k: Int) -> Bool { k >= 0 && k < u.count && u[k].isASCII && (u[k].properties.isAlphabetic || ("0"..."9").contains(u[k])) }
            var expected = false
            var k = 0
            while k < u.count {
                guard Masking.digit(u[k].value) != nil else { k += 1; continue }
                let start = k
                var digits = 0, last = k
                while k < u.count {
                    if Masking.digit(u[k].value) != nil { digits += 1; last = k; k += 1 }
                    else if [" ", "-", ".", "\u{3000}", "－", "．"].contains(u[k]), k == last + 1, k + 1 < u.count, Masking.digit(u[k + 1].value) != nil { k += 1 }
                    else { break }
                }
                var after = last + 1
                if digits == 17, after < u.count, Masking.isCheckX(u[after].value) { after += 1; digits = 11 }
                if digits >= 11, !alnum(start - 1), !alnum(after) { expected = true }
                k = max(k, start + 1)
            }
            #expect(Masking.mayHoldNumber(s) == expected, "\(s)")
        }
        for b in 0...255 {
            let word = UInt64(b) << 24 | 0x4141_4141_0041_4141
            #expect(Masking.hasDigitByte(word) == (b >= 0x30 && b <= 0x39), "byte \(b)")
        }
    }
}
