// Reads JSON into swio's ordered JSON value, keeping key order and the int/float distinction
// (a rank's report is merged and written again in fio's layout).

import SwioCore

public enum OrderedJSON {
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ text: String) throws -> JSON {
        var p = Parser(Array(text.utf8))
        p.skip()
        let v = try p.value()
        p.skip()
        guard p.i == p.b.count else { throw ParseError(description: "trailing text at byte \(p.i)") }
        return v
    }

    struct Parser {
        let b: [UInt8]
        var i = 0
        init(_ b: [UInt8]) { self.b = b }

        mutating func skip() { while i < b.count, b[i] == 0x20 || b[i] == 0x0a || b[i] == 0x0d || b[i] == 0x09 { i += 1 } }
        func fail(_ m: String) -> ParseError { ParseError(description: "\(m) at byte \(i)") }

        mutating func value() throws -> JSON {
            guard i < b.count else { throw fail("unexpected end") }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1; skip()
                var kv: [(String, JSON)] = []
                if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(kv) }
                while true {
                    skip()
                    guard case .string(let k) = try value() else { throw fail("object key is not a string") }
                    skip()
                    guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    i += 1; skip()
                    kv.append((k, try value()))
                    skip()
                    guard i < b.count else { throw fail("unterminated object") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; return .object(kv) }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                i += 1; skip()
                var a: [JSON] = []
                if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                while true {
                    skip(); a.append(try value()); skip()
                    guard i < b.count else { throw fail("unterminated array") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                i += 1
                var out: [UInt8] = []
                while i < b.count, b[i] != UInt8(ascii: "\"") {
                    if b[i] == UInt8(ascii: "\\"), i + 1 < b.count {
                        i += 1
                        switch b[i] {
                        case UInt8(ascii: "n"): out.append(0x0a)
                        case UInt8(ascii: "t"): out.append(0x09)
                        case UInt8(ascii: "r"): out.append(0x0d)
                        case UInt8(ascii: "b"): out.append(0x08)
                        case UInt8(ascii: "f"): out.append(0x0c)
                        case UInt8(ascii: "u"):
                            guard i + 4 < b.count, let v = UInt32(String(decoding: b[(i + 1)...(i + 4)], as: UTF8.self), radix: 16) else { throw fail("bad \\u escape") }
                            out += Array(String(Character(Unicode.Scalar(v) ?? "?")).utf8)
                            i += 4
                        default: out.append(b[i])
                        }
                    } else { out.append(b[i]) }
                    i += 1
                }
                guard i < b.count else { throw fail("unterminated string") }
                i += 1
                return .string(String(decoding: out, as: UTF8.self))
            case UInt8(ascii: "t"): i += 4; return .bool(true)
            case UInt8(ascii: "f"): i += 5; return .bool(false)
            case UInt8(ascii: "n"): i += 4; return .null
            default:
                let start = i
                var float = false
                while i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") || (b[i] >= UInt8(ascii: "0") && b[i] <= UInt8(ascii: "9"))
                        || b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
                    if b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") { float = true }
                    i += 1
                }
                let s = String(decoding: b[start..<i], as: UTF8.self)
                if !float, let v = Int64(s) { return .int(v) }
                if !float, let v = UInt64(s) { return .uint(v) }
                guard let d = Double(s) else { throw fail("bad value '\(s)'") }
                return .double(d)
            }
        }
    }
}

extension JSON {
    /// The value as a number, whatever its JSON type.
    public var number: Double? {
        switch self {
        case .int(let v): Double(v)
        case .uint(let v): Double(v)
        case .double(let v): v
        default: nil
        }
    }
    public var objectPairs: [(String, JSON)]? { if case .object(let kv) = self { return kv }; return nil }
    public var arrayValues: [JSON]? { if case .array(let a) = self { return a }; return nil }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
}
