// fio's verify options, typed: what a write puts in its blocks and what a read checks.

import SwioChecksums

/// What fio's verify= asks for (its VERIFY_* values are the header's verify_type).
public enum VerifyMode: Equatable, Sendable {
    /// A header and a checksum of the rest of each verify_interval.
    case checksum(VerifyChecksum)
    /// verify=meta: the header only (and the pattern after it, when verify_pattern is given).
    case meta
    /// verify_pattern without verify=: a header, then the pattern (fio's VERIFY_PATTERN).
    case patternAfterHeader
    /// verify=pattern: the pattern alone, no header (fio's VERIFY_PATTERN_NO_HDR).
    case pattern
    /// verify=null: blocks are written as usual and nothing is checked.
    case null

    public var typeCode: UInt16 {
        switch self {
        case .checksum(let c): c.typeCode
        case .meta: 1
        case .patternAfterHeader: 17
        case .pattern: 18
        case .null: 19
        }
    }

    /// Bytes at the start of each interval that are not data: the 40-byte header and the
    /// checksum field (fio's __hdr_size()).
    public var headerSize: Int {
        switch self {
        case .checksum(let c): VerifyHeader.size + c.fieldSize
        case .meta, .patternAfterHeader: VerifyHeader.size
        case .pattern, .null: 0
        }
    }
    public var hasHeader: Bool { self != .pattern && self != .null }
}

/// verify_pattern: the bytes, and where %o (the block's offset, 8 bytes little-endian) goes.
public struct VerifyPattern: Sendable, Equatable {
    public var bytes: [UInt8]
    public var offsetFields: [Int]

    /// The pattern with the offsets of a block at `offset` pasted in.
    public func instantiated(offset: UInt64) -> [UInt8] {
        var b = bytes
        for at in offsetFields {
            for i in 0..<Swift.min(8, b.count - at) { b[at + i] = UInt8(truncatingIfNeeded: offset >> (8 * UInt64(i))) }
        }
        return b
    }

    /// fio's pattern syntax (lib/pattern.c): "text", 'file' (its first bytes), 0xHEX (bytes in
    /// the order written), decimal numbers (a 32-bit value, little-endian, in as few bytes as it
    /// needs; -12 is f4 ff ff ff), and %o, run together: "abcd"-120xdeadface is "abcd", -12,
    /// then de ad fa ce.
    public static func parse(_ text: String, allowOffset: Bool = true) throws -> VerifyPattern {
        let c = Array(text.utf8)
        var out: [UInt8] = [], fields: [Int] = []
        var i = 0
        func hexValue(_ ch: UInt8) -> UInt8? {
            switch ch {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): ch - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): ch - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): ch - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        func startsHex(_ at: Int) -> Bool {
            at + 2 < c.count && c[at] == UInt8(ascii: "0") && (c[at + 1] | 0x20) == UInt8(ascii: "x") && hexValue(c[at + 2]) != nil
        }
        while i < c.count {
            let ch = c[i]
            if ch == UInt8(ascii: "\"") {
                guard let close = c[(i + 1)...].firstIndex(of: ch) else { throw ValueError("unterminated \"string\" in pattern '\(text)'") }
                out += c[(i + 1)..<close]
                i = close + 1
            } else if ch == UInt8(ascii: "'") {
                guard let close = c[(i + 1)...].firstIndex(of: ch) else { throw ValueError("unterminated 'file' in pattern '\(text)'") }
                let path = String(decoding: c[(i + 1)..<close], as: UTF8.self)
                guard let data = readPatternFile(path, max: VerifyPattern.maxSize) else {
                    throw ValueError("cannot read the pattern file '\(path)' in '\(text)'")
                }
                out += data
                i = close + 1
            } else if ch == UInt8(ascii: "%") {
                guard allowOffset, i + 1 < c.count, c[i + 1] == UInt8(ascii: "o") else {
                    throw ValueError("'\(text)': the only format in a pattern is %o (the block's offset)")
                }
                fields.append(out.count)
                out += [UInt8](repeating: 0, count: 8)
                i += 2
            } else if startsHex(i) {
                var j = i + 2
                while j < c.count && hexValue(c[j]) != nil { j += 1 }
                // "0xdead0xbeef": the 0 before the next 0x belongs to it.
                if j < c.count && (c[j] | 0x20) == UInt8(ascii: "x") && j - 1 > i + 2 { j -= 1 }
                var digits = Array(c[(i + 2)..<j])
                if digits.count % 2 == 1 { digits.insert(UInt8(ascii: "0"), at: 0) }
                for k in stride(from: 0, to: digits.count, by: 2) { out.append(hexValue(digits[k])! << 4 | hexValue(digits[k + 1])!) }
                i = j
            } else if ch == UInt8(ascii: "-") || ch == UInt8(ascii: "+") || (ch >= UInt8(ascii: "0") && ch <= UInt8(ascii: "9")) || ch == UInt8(ascii: " ") {
                var j = i
                while j < c.count && c[j] == UInt8(ascii: " ") { j += 1 }
                let signAt = j
                if j < c.count && (c[j] == UInt8(ascii: "-") || c[j] == UInt8(ascii: "+")) { j += 1 }
                let digitsAt = j
                // Digits up to a following 0x (which starts the next piece).
                while j < c.count && c[j] >= UInt8(ascii: "0") && c[j] <= UInt8(ascii: "9") && !startsHex(j) { j += 1 }
                guard j > digitsAt, let v = Int64(String(decoding: c[signAt..<j], as: UTF8.self)), v >= Int64(Int32.min), v <= Int64(Int32.max) else {
                    throw ValueError("'\(text)' is not a pattern: expected \"text\", 'file', 0xHEX, a 32-bit number or %o at '\(String(decoding: c[i...], as: UTF8.self))'")
                }
                if v == 0 { out.append(0) } else {
                    var u = UInt32(bitPattern: Int32(v))
                    while u != 0 { out.append(UInt8(u & 0xff)); u >>= 8 }
                }
                i = j
            } else {
                throw ValueError("'\(text)' is not a pattern: expected \"text\", 'file', 0xHEX, a 32-bit number or %o at '\(String(decoding: c[i...], as: UTF8.self))'")
            }
            guard out.count <= VerifyPattern.maxSize else { throw ValueError("pattern '\(text)' is longer than fio's \(VerifyPattern.maxSize) bytes") }
        }
        guard !out.isEmpty else { throw ValueError("empty pattern") }
        return VerifyPattern(bytes: out, offsetFields: fields)
    }

    /// fio's MAX_PATTERN_SIZE.
    public static let maxSize = 512
}

#if canImport(Glibc)
import Glibc
#endif

private func readPatternFile(_ path: String, max: Int) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buf = [UInt8](repeating: 0, count: max)
    let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, max) }
    guard n > 0 else { return nil }
    return Array(buf[0..<n])
}

/// The job's verify options, resolved as fio resolves them (verify_interval from the block sizes).
public struct VerifySettings: Sendable {
    public var mode: VerifyMode
    /// Bytes per header: each write is checked in pieces of this size.
    public var interval: Int
    /// verify_offset: the header is swapped with the bytes this far into each piece.
    public var headerOffset: Int
    public var pattern: VerifyPattern?
    /// do_verify: read everything back after writing it.
    public var readBack: Bool
    /// verify_only: write nothing, read back what the job would have written.
    public var only: Bool
    /// verify_fatal: stop at the first bad piece of a block (the job stops on the error anyway).
    public var fatal: Bool
    /// verify_dump: write the bad block to files beside the target.
    public var dump: Bool
    /// verify_backlog: while writing, read back and check written blocks whenever this many are
    /// waiting; verify_backlog_batch of them at a time (default: the backlog).
    public var backlog: Int = 0
    public var backlogBatch: Int = 0
    /// trim_percentage of the written blocks are trimmed, trim_backlog at a time (batches of
    /// trim_backlog_batch), and read back as zeros when trim_verify_zero.
    public var trimPercent: Int = 0
    public var trimBacklog: Int = 0
    public var trimBatch: Int = 0
    public var trimVerifyZero = true
    /// experimental_verify: the verify phase reads the blocks back in the order they were written.
    public var writeOrder = false
    /// verify_state_save: a job that wrote leaves fio's <prefix>-<job>-<n>-verify.state;
    /// verify_state_load: the verify phase reads back no more than that state says was written.
    public var stateSave = true
    public var stateLoad = false
}

extension VerifySettings {
    /// nil when the job does not verify.
    static func make(_ d: JobDefinition, rw: RWMode, writeSizes: (min: UInt64, max: UInt64), readMin: UInt64,
                     option: (String) -> SourceLocation) throws -> VerifySettings? {
        func fail(_ name: String, _ msg: String) -> JobFileError { JobFileError(option(name), option: name, msg) }
        func flag(_ name: String, _ def: Bool) throws -> Bool {
            guard let v = d[name] else { return def }
            do { return try Values.flag(v) } catch { throw fail(name, "\(error)") }
        }
        let pattern: VerifyPattern? = try d["verify_pattern"].map { text in
            do { return try VerifyPattern.parse(text) } catch { throw fail("verify_pattern", "\(error)") }
        }
        let word = (d["verify"] ?? "0").lowercased()
        var mode: VerifyMode
        switch word {
        case "0", "none": 
            // fio: a verify_pattern alone turns on VERIFY_PATTERN (a header, then the pattern).
            guard pattern != nil, d["verify"] == nil else { return nil }
            mode = .patternAfterHeader
        case "meta": mode = .meta
        case "pattern":
            guard pattern != nil else { throw fail("verify", "verify=pattern needs verify_pattern") }
            mode = .pattern
        case "null": mode = .null
        default:
            guard let c = VerifyChecksum(rawValue: word) else { throw fail("verify", "'\(word)' is not a verify type") }
            mode = .checksum(c)
        }
        let stateLoad = try flag("verify_state_load", false)
        if stateLoad && !rw.directions.contains(.write) {
            throw fail("verify_state_load", "swio applies a saved verify state to a writing job's verify phase (run the write job again with verify_only=1); this job only reads")
        }
        func count(_ name: String) throws -> Int {
            guard let v = d[name] else { return 0 }
            guard let n = Int(v), n >= 0 else { throw fail(name, "'\(v)' is not a count") }
            return n
        }
        let backlog = try count("verify_backlog")
        let batch = try count("verify_backlog_batch")
        let trimPercent = try count("trim_percentage")
        let trimBacklog = try count("trim_backlog")
        let trimBatch = try count("trim_backlog_batch")
        // fio's fixup_options(): the interval divides every write size and is no larger than
        // the smallest write (or read, for a job that reads too).
        var interval = try d["verify_interval"].map { v -> UInt64 in
            do { return try Values.bytes(v) } catch { throw fail("verify_interval", "\(error)") }
        } ?? 0
        if writeSizes.max != writeSizes.min && interval == 0 { interval = writeSizes.min }
        if interval > writeSizes.min { interval = writeSizes.min }
        else if rw.directions.contains(.read) && interval > readMin { interval = readMin }
        if interval == 0 || writeSizes.min % interval != 0 || writeSizes.max % interval != 0 {
            interval = gcd(writeSizes.min, writeSizes.max)
        }
        let headerOffset = try d["verify_offset"].map { v -> Int in
            do { return Int(try Values.bytes(v)) } catch { throw fail("verify_offset", "\(error)") }
        } ?? 0
        if mode.headerSize > 0 && UInt64(mode.headerSize) >= interval {
            throw fail("verify", "a \(interval)-byte verify_interval leaves no room for data after the \(mode.headerSize)-byte header and checksum (fio: \"Blocksize too small\")")
        }
        if headerOffset > 0 && headerOffset < mode.headerSize {
            throw fail("verify_offset", "verify_offset=\(headerOffset) is inside the \(mode.headerSize)-byte header and checksum it would move; give 0 or at least \(mode.headerSize)")
        }
        if headerOffset > 0 && UInt64(headerOffset + mode.headerSize) > interval {
            throw fail("verify_offset", "verify_offset=\(headerOffset) puts the \(mode.headerSize)-byte header past the \(interval)-byte verify_interval")
        }
        return VerifySettings(mode: mode, interval: Int(interval), headerOffset: headerOffset, pattern: pattern,
                              readBack: try flag("do_verify", true), only: try flag("verify_only", false),
                              fatal: try flag("verify_fatal", false), dump: try flag("verify_dump", false),
                              backlog: backlog, backlogBatch: batch > 0 ? batch : backlog,
                              trimPercent: trimPercent, trimBacklog: trimBacklog, trimBatch: trimBatch > 0 ? trimBatch : trimBacklog,
                              trimVerifyZero: try flag("trim_verify_zero", true),
                              writeOrder: try flag("experimental_verify", false),
                              stateSave: try flag("verify_state_save", true), stateLoad: stateLoad)
    }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 { b == 0 ? a : gcd(b, a % b) }
}
