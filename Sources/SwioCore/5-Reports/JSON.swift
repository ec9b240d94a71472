// A minimal ordered JSON value and writer. fio's consumers care about key order and number
// formats (floats printed as %f), so reports are built as ordered trees, not dictionaries.
#if canImport(Glibc)
import Glibc
#endif

public indirect enum JSON: Sendable, Equatable {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    case int(Int64)
    case uint(UInt64)
    /// A float printed with fio's "%f" (6 decimals).
    case double(Double)
    case bool(Bool)
    case null

    public static func == (a: JSON, b: JSON) -> Bool { a.serialized() == b.serialized() }

    public subscript(key: String) -> JSON? {
        if case .object(let kv) = self { return kv.first { $0.0 == key }?.1 }
        return nil
    }

    public func serialized(pretty: Bool = true) -> String {
        var out = ""
        write(to: &out, indent: 0, pretty: pretty)
        return out
    }

    func write(to out: inout String, indent: Int, pretty: Bool) {
        let nl = pretty ? "\n" : ""
        let pad = pretty ? String(repeating: "  ", count: indent + 1) : ""
        let endPad = pretty ? String(repeating: "  ", count: indent) : ""
        switch self {
        case .object(let kv):
            if kv.isEmpty { out += "{}"; return }
            out += "{" + nl
            for (i, (k, v)) in kv.enumerated() {
                out += pad
                JSON.escape(k, into: &out)
                out += pretty ? " : " : ":"
                v.write(to: &out, indent: indent + 1, pretty: pretty)
                out += (i < kv.count - 1 ? "," : "") + nl
            }
            out += endPad + "}"
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "[" + nl
            for (i, v) in a.enumerated() {
                out += pad
                v.write(to: &out, indent: indent + 1, pretty: pretty)
                out += (i < a.count - 1 ? "," : "") + nl
            }
            out += endPad + "]"
        case .string(let s): JSON.escape(s, into: &out)
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .double(let d): out += d.isFinite ? Format.fixed(d, 6) : "0.000000"
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    static func escape(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else { out.unicodeScalars.append(u) }
            }
        }
        out += "\""
    }
}

/// printf-style number formatting without Foundation.
public enum Format {
    public static func fixed(_ v: Double, _ decimals: Int) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buf in
            let n = withVaList([decimals, v]) { vsnprintf(buf.baseAddress!, 64, "%.*f", $0) }
            return String(decoding: UnsafeRawBufferPointer(start: buf.baseAddress!, count: Int(min(n, 63))), as: UTF8.self)
        }
    }
    /// "%g"-like with up to `significant` digits, trailing zeroes dropped.
    public static func general(_ v: Double, _ significant: Int = 3) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buf in
            let n = withVaList([significant, v]) { vsnprintf(buf.baseAddress!, 64, "%.*g", $0) }
            return String(decoding: UnsafeRawBufferPointer(start: buf.baseAddress!, count: Int(min(n, 63))), as: UTF8.self)
        }
    }
    public static func padLeft(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
    public static func padRight(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}

/// Unbuffered writes to stdout/stderr (fd 1/2): the report goes to stdout in one piece,
/// diagnostics to stderr, never interleaved through shared stdio buffers.
public enum Console {
    /// Returns 0, or the errno of the write that failed (ENOSPC, EIO, EPIPE): a report that
    /// did not reach stdout is an error for the caller to report.
    @discardableResult
    public static func write(_ s: String, fd: Int32) -> Int32 {
        var s = s
        return s.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 {
                    let e = errno
                    if e == EINTR { continue }
                    return e
                }
                off += n
            }
            return 0
        }
    }
    public static func writeLine(_ s: String, fd: Int32) { write(s.hasSuffix("\n") ? s : s + "\n", fd: fd) }
}
