/// One record as a JSON object with English camelCase keys in a fixed order (the `list --format
/// jsonl` line; the JSONL importer reads the same keys back). Written by hand so keys keep their
/// order and non-ASCII text stays readable instead of \u-escaped.
public enum RecordJSON {
    /// `proof`: also the answer's length and SHA-256 (the export's 问答结果字符数 / SHA256 columns).
    public static func line(_ r: InteractionRecord, proof: (chars: Int, sha256: String)? = nil) -> String {
        var o = JSONObjectWriter()
        o.add("id", r.id)
        o.add("sessionId", r.sessionId)
        o.add("turn", r.turn)
        o.add("askedAt", ShanghaiTime.format(r.askedAt))
        o.add("channel", r.channel)
        o.add("org", r.org)
        o.add("question", r.question)
        o.add("answer", r.answer)
        o.add("knowledgeId", r.knowledgeId)
        o.add("knowledge", r.standardQuestion)
        o.add("fallback", r.fallback)
        o.add("hit", r.hitFlag)
        o.add("biz1", r.biz1)
        o.add("biz2", r.biz2)
        o.add("correctedBiz1", r.correctedBiz1)
        o.add("correctedBiz2", r.correctedBiz2)
        o.add("label", r.label?.code)
        o.add("labelName", r.label?.chineseName)
        o.add("status", r.status.rawValue)
        o.add("reviewer", r.reviewer)
        o.add("labeledAt", r.labeledAt.map(ShanghaiTime.format))
        o.add("reviewedBy", r.reviewedBy)
        o.add("reviewedAt", r.reviewedAt.map(ShanghaiTime.format))
        o.add("satisfaction", r.satisfaction)
        o.add("note", r.note)
        if let proof {
            o.add("answerChars", proof.chars)
            o.add("answerSha256", proof.sha256)
        }
        return o.finish()
    }
}

struct JSONObjectWriter {
    private var out = "{"
    private var first = true

    private mutating func key(_ k: String) {
        if !first { out += "," }
        first = false
        out += "\"\(k)\":"
    }

    mutating func add(_ k: String, _ v: String?) {
        key(k)
        guard let v else { out += "null"; return }
        out += Self.quote(v)
    }

    mutating func add(_ k: String, _ v: Int?) {
        key(k)
        out += v.map(String.init) ?? "null"
    }

    mutating func add(_ k: String, _ v: Bool?) {
        key(k)
        out += v.map { $0 ? "true" : "false" } ?? "null"
    }

    mutating func finish() -> String { out + "}" }

    static func quote(_ s: String) -> String {
        var r = "\""
        r.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\r": r += "\\r"
            case "\t": r += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029 {
                    r += String(format: "\\u%04x", u.value)
                } else {
                    r.unicodeScalars.append(u)
                }
            }
        }
        return r + "\""
    }
}

import Foundation
