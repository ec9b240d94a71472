// Value grammar of fio job files: sizes, times, integers, arithmetic, per-direction lists.
// Mirrors fio 3.33's str_to_decimal()/get_mult_bytes()/get_mult_time() (parse.c).

/// A value that could not be parsed; the parser adds file, line and option name.
public struct ValueError: Error, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// I/O directions in fio's order (read, write, trim): per-direction values are written "r,w,t".
public enum Direction: Int, CaseIterable, Sendable, Codable {
    case read = 0, write = 1, trim = 2
    public var name: String { ["read", "write", "trim"][rawValue] }
}

public enum Values {
    /// Splits "a,b,c" into per-direction parts, as fio does: a part left out repeats the one
    /// before it (bs=4k,8k gives trim 8k), an empty part is that direction's default, nil here
    /// (fio 3.33: rate=500k, limits reads only, rate=,500k writes only, bs=,8k reads 4k).
    public static func perDirectionParts(_ s: String) -> [String?] {
        let parts = s.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmed }
        var out: [String?] = []
        for i in 0..<3 {
            if i < parts.count { out.append(parts[i].isEmpty ? nil : parts[i]) } else { out.append(out[i - 1]) }
        }
        return out
    }

    /// perDirectionParts with each empty part replaced by `def`.
    public static func perDirection(_ s: String, default def: String) -> [String] {
        perDirectionParts(s).map { $0 ?? def }
    }

    /// Parses a size like "4k", "1MiB", "0x1000", "(2*1024)m", "50%".
    /// `kbBase` is 1024 or 1000. With kb_base=1024 fio reads k/KB as 1024 but KiB as 1000
    /// (its documented compatibility reversal, checked against fio 3.33: size=4KiB moved 4000 bytes).
    public static func size(_ raw: String, kbBase: Int = 1024) throws -> SizeValue {
        let s = raw.trimmed
        guard !s.isEmpty else { throw ValueError("empty value, expected a size like 4k or 1m") }
        let (number, rest) = try leadingNumber(s)
        let suffix = rest.trimmed.lowercased()
        if suffix == "%" {
            guard number >= 0, number <= 100 else { throw ValueError("percentage \(raw) is outside 0-100") }
            return .percent(number)
        }
        guard let mult = byteMultiplier(suffix, kbBase: kbBase) else {
            throw ValueError("'\(raw)' is not a size (expected a number with an optional suffix k, m, g, t, p, KiB, MB, ..., or %)")
        }
        let v = number * Double(mult)
        guard v >= 0, v < 0x1p63 else { throw ValueError("size \(raw) is out of range (at most 8 EiB)") }
        return .bytes(UInt64(v.rounded()))
    }

    /// Size that must be absolute bytes (no %).
    public static func bytes(_ raw: String, kbBase: Int = 1024) throws -> UInt64 {
        switch try size(raw, kbBase: kbBase) {
        case .bytes(let b): return b
        case .percent: throw ValueError("'\(raw)': a percentage is not allowed here")
        }
    }

    static func byteMultiplier(_ suffix: String, kbBase: Int) -> UInt64? {
        if suffix.isEmpty || suffix == "b" { return 1 }
        let units: [Character] = ["k", "m", "g", "t", "p", "e"]
        guard let first = suffix.first, let power = units.firstIndex(of: first) else { return nil }
        let tail = suffix.dropFirst()
        let base: UInt64
        switch tail {
        case "", "b", "i": base = UInt64(kbBase)          // k, kb, ki follow kb_base
        case "ib": base = kbBase == 1024 ? 1000 : 1024   // KiB is the reversed one
        default: return nil
        }
        var m: UInt64 = 1
        for _ in 0...power { m = m &* base }
        return m
    }

    /// A time, or LOW-HIGH (fio's startdelay range); the high end is not below the low.
    public static func timeRangeMicros(_ raw: String, defaultUnitMicros: UInt64 = 1_000_000) throws -> (low: UInt64, high: UInt64) {
        let s = raw.trimmed
        if let dash = s.dropFirst().firstIndex(of: "-") {
            let lo = try timeMicros(String(s[..<dash]), defaultUnitMicros: defaultUnitMicros)
            let hi = try timeMicros(String(s[s.index(after: dash)...]), defaultUnitMicros: defaultUnitMicros)
            guard hi >= lo else { throw ValueError("'\(s)': the range's end is before its start") }
            return (lo, hi)
        }
        let t = try timeMicros(s, defaultUnitMicros: defaultUnitMicros)
        return (t, t)
    }

    /// Parses a time; bare numbers are in `defaultUnit` (microseconds per unit). Returns microseconds.
    public static func timeMicros(_ raw: String, defaultUnitMicros: UInt64 = 1_000_000) throws -> UInt64 {
        let s = raw.trimmed
        guard !s.isEmpty else { throw ValueError("empty value, expected a time like 10s or 500ms") }
        let (number, rest) = try leadingNumber(s)
        let unit: Double
        switch rest.trimmed.lowercased() {
        case "": unit = Double(defaultUnitMicros)
        case "us", "usec": unit = 1
        case "ms", "msec": unit = 1_000
        case "s", "sec": unit = 1_000_000
        case "m", "min": unit = 60_000_000
        case "h": unit = 3_600_000_000
        case "d": unit = 86_400_000_000
        default: throw ValueError("'\(raw)' is not a time (expected a number with an optional suffix us, ms, s, m, h, d)")
        }
        guard number >= 0 else { throw ValueError("'\(raw)': a time cannot be negative") }
        // Times become nanoseconds added to a monotonic clock; 100 years keeps that far from
        // overflowing (and is longer than any run).
        guard number * unit <= 100 * 365.25 * 86_400_000_000 else { throw ValueError("'\(raw)' is too long (the limit is 100 years)") }
        return UInt64((number * unit).rounded())
    }

    /// A plain integer, with hex and parenthesised arithmetic.
    public static func integer(_ raw: String) throws -> Int64 {
        let s = raw.trimmed
        let (number, rest) = try leadingNumber(s)
        guard rest.trimmed.isEmpty else { throw ValueError("'\(raw)' is not an integer") }
        guard number == number.rounded(.towardZero) else { throw ValueError("'\(raw)' is not an integer") }
        guard number >= -9.2e18, number <= 9.2e18 else { throw ValueError("'\(raw)' is out of range") }
        return Int64(number)
    }

    /// An unsigned 64-bit integer, exact for plain decimal and hex (randseed=0xffffffffffffffff,
    /// which a Double would round), else as `integer`.
    public static func unsignedInteger(_ raw: String) throws -> UInt64 {
        let s = raw.trimmed
        if s.lowercased().hasPrefix("0x"), let v = UInt64(s.dropFirst(2), radix: 16) { return v }
        if let v = UInt64(s) { return v }
        let n = try integer(raw)
        guard n >= 0 else { throw ValueError("'\(raw)' cannot be negative") }
        return UInt64(n)
    }

    public static func bool(_ raw: String) throws -> Bool {
        switch raw.trimmed.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ValueError("'\(raw)' is not a boolean (expected 0 or 1)")
        }
    }

    /// A bare-flag option's value (fio's FIO_OPT_STR_SET: norandommap, time_based, fixedbufs,
    /// ...). fio takes any number there, set when it is not 0 (norandommap=2, =0x1, =1k, =-1),
    /// where its 0/1 options (direct, nowait) stop at 1; swio also takes the boolean words.
    public static func flag(_ raw: String) throws -> Bool {
        if let b = try? bool(raw) { return b }
        if let n = try? integer(raw) { return n != 0 }
        if let n = try? bytes(raw) { return n != 0 }
        throw ValueError("'\(raw)' is not 0, 1 or a number")
    }

    /// Reads a leading number: "(expr)", "0x..", or a decimal. Returns the number and the rest.
    static func leadingNumber(_ s: String) throws -> (Double, Substring) {
        if s.hasPrefix("(") {
            var depth = 0
            var end = s.startIndex
            for i in s.indices {
                if s[i] == "(" { depth += 1 } else if s[i] == ")" { depth -= 1; if depth == 0 { end = i; break } }
            }
            guard depth == 0 else { throw ValueError("unbalanced parentheses in '\(s)'") }
            let v = try Arithmetic.evaluate(String(s[s.index(after: s.startIndex)..<end]))
            return (v, s[s.index(after: end)...])
        }
        var idx = s.startIndex
        var negative = false
        if idx < s.endIndex, s[idx] == "-" || s[idx] == "+" { negative = s[idx] == "-"; idx = s.index(after: idx) }
        let body = s[idx...]
        if body.lowercased().hasPrefix("0x") {
            let hexStart = body.index(body.startIndex, offsetBy: 2)
            let hexEnd = body[hexStart...].firstIndex { !$0.isHexDigit } ?? body.endIndex
            guard hexEnd > hexStart, let v = UInt64(body[hexStart..<hexEnd], radix: 16) else { throw ValueError("'\(s)' is not a valid hex number") }
            return (negative ? -Double(v) : Double(v), body[hexEnd...])
        }
        let numEnd = body.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? body.endIndex
        guard numEnd > body.startIndex, let v = Double(body[body.startIndex..<numEnd]) else {
            throw ValueError("'\(s)' does not start with a number")
        }
        return (negative ? -v : v, body[numEnd...])
    }
}

public enum SizeValue: Equatable, Sendable, CustomStringConvertible {
    case bytes(UInt64)
    case percent(Double)
    public var description: String {
        switch self {
        case .bytes(let b): return "\(b)"
        case .percent(let p): return "\(p)%"
        }
    }
    public func resolve(against total: UInt64) -> UInt64 {
        switch self {
        case .bytes(let b): return b
        case .percent(let p): return UInt64(Double(total) * p / 100)
        }
    }
}

/// Built-in evaluator for fio's parenthesised arithmetic (CONFIG_ARITHMETIC): + - * / % ^ and
/// parentheses, so `size=(2*1024)m` works without fio's external `bc`.
public enum Arithmetic {
    public static func evaluate(_ text: String) throws -> Double {
        var p = ExprParser(chars: Array(text.filter { !$0.isWhitespace }))
        let v = try p.expression()
        guard p.pos == p.chars.count else { throw ValueError("unexpected '\(String(p.chars[p.pos...]))' in expression '\(text)'") }
        guard v.isFinite else { throw ValueError("expression '\(text)' has no finite value (division by zero?)") }
        return v
    }

    struct ExprParser {
        var chars: [Character]
        var pos = 0
        var depth = 0
        mutating func expression() throws -> Double {
            var v = try term()
            while pos < chars.count, chars[pos] == "+" || chars[pos] == "-" {
                let op = chars[pos]; pos += 1
                let r = try term()
                v = try fits(op == "+" ? v + r : v - r)
            }
            return v
        }
        /// fio evaluates in 64-bit integers: a step that leaves their range (INT64_MIN / -1,
        /// say) is an error here, not a huge size.
        func fits(_ v: Double) throws -> Double {
            guard v >= -0x1p63, v < 0x1p63 else { throw ValueError("arithmetic overflows 64-bit integers") }
            return v
        }
        mutating func term() throws -> Double {
            var v = try power()
            while pos < chars.count, chars[pos] == "*" || chars[pos] == "/" || chars[pos] == "%" {
                let op = chars[pos]; pos += 1
                let r = try power()
                switch op {
                case "*": v = try fits(v * r)
                case "/": v = try fits(v / r)
                default: v = v.truncatingRemainder(dividingBy: r)
                }
            }
            return v
        }
        mutating func power() throws -> Double {
            let base = try unary()
            if pos < chars.count, chars[pos] == "^" {
                pos += 1
                let e = try power()
                var r = 1.0
                if e >= 0, e == e.rounded(), e < 1024 { for _ in 0..<Int(e) { r = try fits(r * base) } } else { throw ValueError("unsupported exponent") }
                return r
            }
            return base
        }
        mutating func unary() throws -> Double {
            if pos < chars.count, chars[pos] == "-" { pos += 1; return -(try unary()) }
            if pos < chars.count, chars[pos] == "+" { pos += 1; return try unary() }
            return try primary()
        }
        mutating func primary() throws -> Double {
            guard pos < chars.count else { throw ValueError("expression ends early") }
            if chars[pos] == "(" {
                depth += 1
                guard depth < 64 else { throw ValueError("expression nests too deeply") }
                pos += 1
                let v = try expression()
                guard pos < chars.count, chars[pos] == ")" else { throw ValueError("missing ')' in expression") }
                pos += 1
                depth -= 1
                return v
            }
            let start = pos
            if pos + 1 < chars.count, chars[pos] == "0", chars[pos + 1] == "x" || chars[pos + 1] == "X" {
                pos += 2
                let hs = pos
                while pos < chars.count, chars[pos].isHexDigit { pos += 1 }
                guard pos > hs, let v = UInt64(String(chars[hs..<pos]), radix: 16) else { throw ValueError("bad hex number") }
                return Double(v)
            }
            while pos < chars.count, chars[pos].isASCII, chars[pos].isNumber || chars[pos] == "." { pos += 1 }
            guard pos > start, let v = Double(String(chars[start..<pos])) else {
                throw ValueError("expected a number at '\(String(chars[start...]))'")
            }
            return v
        }
    }
}

extension String {
    public var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
extension Substring {
    public var trimmed: String { String(self).trimmed }
}

/// Edit distance (optimal string alignment: a swap of neighbours counts as one edit, so
/// iodepht -> iodepth is distance 1) for "did you mean" suggestions.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}

extension String {
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

/// How the text report writes its numbers: kb_base (1024: KiB first, 1000: kB first),
/// unit_base (rates in bits or bytes) and significant_figures.
public struct NumberStyle: Sendable, Equatable {
    public var kbBase = 1024
    public var bits = false
    public var figures = 4
    public init(kbBase: Int = 1024, bits: Bool = false, figures: Int = 4) {
        self.kbBase = kbBase; self.bits = bits; self.figures = max(1, min(10, figures))
    }
    public var pow2: Bool { kbBase == 1024 }
}

/// mem=: where a job's I/O buffers live (fio's memory types). The mmap types may name a
/// file to map (mmap:FILE, mmapshared:FILE, mmaphuge:FILE on hugetlbfs).
public enum BufferMemory: Sendable, Equatable {
    /// malloc and mmap: private memory (mapped from FILE, privately, when one is named).
    case privateMap(file: String?)
    /// mmapshared: shared memory (FILE's pages when one is named).
    case sharedMap(file: String?)
    /// mmaphuge: anonymous huge pages (MAP_HUGETLB), or FILE on hugetlbfs.
    case hugeMap(file: String?)
    /// shm, shmhuge: a SysV shared memory segment (with SHM_HUGETLB).
    case sysvShared(huge: Bool)

    public static let standard = BufferMemory.privateMap(file: nil)

    public static func parse(_ s: String) throws -> BufferMemory {
        let parts = s.split(separator: ":", maxSplits: 1).map(String.init)
        let file = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
        switch parts.first?.lowercased() ?? "" {
        case "malloc": return .standard
        case "mmap": return .privateMap(file: file)
        case "mmapshared": return .sharedMap(file: file)
        case "mmaphuge": return .hugeMap(file: file)
        case "shm": return .sysvShared(huge: false)
        case "shmhuge": return .sysvShared(huge: true)
        case "cudamalloc": throw ValueError("cudamalloc needs CUDA, which swio does not use")
        default: throw ValueError("'\(s)' is not one of malloc, mmap[:FILE], mmapshared[:FILE], mmaphuge[:FILE], shm, shmhuge")
        }
    }
}
