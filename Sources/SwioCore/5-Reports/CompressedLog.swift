// fio's compressed logs (log_store_compressed=1, a ".fz" file): zlib streams of fio's binary
// samples, struct io_sample (time, value, ddir with flag bits, priority, bs: 32 bytes) or
// io_sample_offset (the offset after it: 40 bytes). --inflate-log turns one back into the text
// log, as fio's does; fio and swio read each other's.

import CZlib
#if canImport(Glibc)
import Glibc
#endif

public enum CompressedLog {
    static let offsetBit: UInt32 = 0x8000_0000
    static let prioBit: UInt32 = 0x4000_0000

    /// The entries as fio's samples, in one zlib stream.
    static func compress(_ entries: [LogEntry], offset: Bool, prio: Bool) throws -> [UInt8] {
        // An empty log is an empty file, as fio's.
        if entries.isEmpty { return [] }
        let size = offset ? 40 : 32
        var raw = [UInt8](repeating: 0, count: entries.count * size)
        let flags = (offset ? offsetBit : 0) | (prio ? prioBit : 0)
        raw.withUnsafeMutableBytes { b in
            for (i, e) in entries.enumerated() {
                let at = i * size
                b.storeBytes(of: e.timeMs.littleEndian, toByteOffset: at, as: UInt64.self)
                b.storeBytes(of: e.value.littleEndian, toByteOffset: at + 8, as: UInt64.self)
                b.storeBytes(of: (UInt32(e.ddir) | flags).littleEndian, toByteOffset: at + 16, as: UInt32.self)
                b.storeBytes(of: e.prio.littleEndian, toByteOffset: at + 20, as: UInt16.self)
                b.storeBytes(of: UInt64(e.bs).littleEndian, toByteOffset: at + 24, as: UInt64.self)
                if offset { b.storeBytes(of: e.offset.littleEndian, toByteOffset: at + 32, as: UInt64.self) }
            }
        }
        var out = [UInt8](repeating: 0, count: czlib_bound(raw.count))
        var n = 0
        let r = czlib_compress(raw, raw.count, &out, &n)
        guard r == 0 else { throw ValueError("zlib could not compress the log (error \(r))") }
        return Array(out.prefix(n))
    }

    /// The text log a compressed one holds (fio's --inflate-log): each zlib stream in turn,
    /// its samples' columns from the first one's flag bits.
    public static func inflate(_ bytes: [UInt8]) throws -> String {
        var text = ""
        var at = 0
        while at < bytes.count {
            var consumed = 0, length = 0
            var out: UnsafeMutableRawPointer? = nil
            let r = bytes.withUnsafeBytes { b in czlib_inflate_stream(b.baseAddress! + at, bytes.count - at, &consumed, &out, &length) }
            guard r == 0, let samples = out else {
                throw ValueError("not a compressed fio log, or cut short: zlib error \(r) at byte \(at)")
            }
            defer { free(samples) }
            text += lines(UnsafeRawBufferPointer(start: samples, count: length))
            at += consumed
        }
        return text
    }

    static func lines(_ b: UnsafeRawBufferPointer) -> String {
        guard b.count >= 32 else { return "" }
        let first = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        let offset = first & offsetBit != 0, prio = first & prioBit != 0
        let size = offset ? 40 : 32
        var text = ""
        for at in stride(from: 0, through: b.count - size, by: size) {
            let time = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            let value = Int64(littleEndian: b.loadUnaligned(fromByteOffset: at + 8, as: Int64.self))
            let ddir = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: at + 16, as: UInt32.self)) & ~(offsetBit | prioBit)
            let p = UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at + 20, as: UInt16.self))
            let bs = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: at + 24, as: UInt64.self))
            var line = "\(time), \(value), \(ddir), \(bs), "
            if offset { line += "\(UInt64(littleEndian: b.loadUnaligned(fromByteOffset: at + 32, as: UInt64.self))), " }
            line += LogWriter.Columns.prioText(p, value: prio) + "\n"
            text += line
        }
        return text
    }
}
