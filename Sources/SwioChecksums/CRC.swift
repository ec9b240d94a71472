// The CRCs of fio's verify headers, each as fio 3.33 computes it (which is not always the
// catalogued variant: its crc32c keeps the register uninverted, its crc32 is POSIX cksum's
// without the length). Tables are built once from the polynomial; the wide ones are read 8
// bytes at a time (slicing-by-8).

import CChecksums

/// Slicing-by-8 tables for a reflected (LSB-first) CRC of up to 64 bits.
@usableFromInline final class ReflectedTables: @unchecked Sendable {
    @usableFromInline let t: UnsafeMutablePointer<UInt64>
    init(poly: UInt64) {
        t = .allocate(capacity: 8 * 256)
        for i in 0..<256 {
            var c = UInt64(i)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ poly : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xff)]
            }
        }
    }

    /// Runs the register over the bytes (no inversion in or out).
    @inlinable func update(_ crc: UInt64, _ data: UnsafeRawBufferPointer) -> UInt64 {
        var c = crc
        guard var p = data.baseAddress else { return c }
        var n = data.count
        while n >= 8 {
            let w = c ^ UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
            c = t[7 * 256 + Int(w & 0xff)] ^ t[6 * 256 + Int((w >> 8) & 0xff)]
                ^ t[5 * 256 + Int((w >> 16) & 0xff)] ^ t[4 * 256 + Int((w >> 24) & 0xff)]
                ^ t[3 * 256 + Int((w >> 32) & 0xff)] ^ t[2 * 256 + Int((w >> 40) & 0xff)]
                ^ t[1 * 256 + Int((w >> 48) & 0xff)] ^ t[Int(w >> 56)]
            p += 8; n -= 8
        }
        while n > 0 {
            c = t[Int((c ^ UInt64(p.load(as: UInt8.self))) & 0xff)] ^ (c >> 8)
            p += 1; n -= 1
        }
        return c
    }
}

/// Slicing-by-8 tables for a 32-bit MSB-first CRC.
@usableFromInline final class ForwardTables32: @unchecked Sendable {
    @usableFromInline let t: UnsafeMutablePointer<UInt32>
    init(poly: UInt32) {
        t = .allocate(capacity: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i) << 24
            for _ in 0..<8 { c = c & 0x8000_0000 != 0 ? (c << 1) ^ poly : c << 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev << 8) ^ t[Int(prev >> 24)]
            }
        }
    }

    @inlinable func update(_ crc: UInt32, _ data: UnsafeRawBufferPointer) -> UInt32 {
        var c = crc
        guard var p = data.baseAddress else { return c }
        var n = data.count
        while n >= 8 {
            let hi = c ^ UInt32(bigEndian: p.loadUnaligned(as: UInt32.self))
            let lo = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            c = t[7 * 256 + Int(hi >> 24)] ^ t[6 * 256 + Int((hi >> 16) & 0xff)]
                ^ t[5 * 256 + Int((hi >> 8) & 0xff)] ^ t[4 * 256 + Int(hi & 0xff)]
                ^ t[3 * 256 + Int(lo >> 24)] ^ t[2 * 256 + Int((lo >> 16) & 0xff)]
                ^ t[1 * 256 + Int((lo >> 8) & 0xff)] ^ t[Int(lo & 0xff)]
            p += 8; n -= 8
        }
        while n > 0 {
            c = (c << 8) ^ t[Int(((c >> 24) ^ UInt32(p.load(as: UInt8.self))) & 0xff)]
            p += 1; n -= 1
        }
        return c
    }
}

public enum CRC {
    @usableFromInline static let crc64Tables = ReflectedTables(poly: 0x95AC_9329_AC4B_C9B5)
    @usableFromInline static let crc32cTables = ReflectedTables(poly: 0x82F6_3B78)
    @usableFromInline static let crc16Tables = ReflectedTables(poly: 0xA001)
    @usableFromInline static let crc32Tables = ForwardTables32(poly: 0x04C1_1DB7)
    /// CRC-7 (x^7 + x^3 + 1), MSB-first, kept in the top 7 bits of a byte (crc << 1): table k
    /// holds the register after byte i and k zero bytes, so 8 bytes take 8 lookups at once.
    @usableFromInline nonisolated(unsafe) static let crc7Tables: UnsafeMutablePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 8 * 256)
        for i in 0..<256 {
            var c = UInt8(i)
            for _ in 0..<8 { c = c & 0x80 != 0 ? (c << 1) ^ (0x09 << 1) : c << 1 }
            t[i] = c
        }
        for k in 1..<8 { for i in 0..<256 { t[k * 256 + i] = t[Int(t[(k - 1) * 256 + i])] } }
        return t
    }()
    /// Whether crc32c uses the CPU's instruction.
    public static let crc32cHardware = cchecksums_crc32c_hw_available() != 0

    /// fio's crc64: the reflected ECMA-182 ("Jones") polynomial, register starting at 0.
    public static func crc64(_ d: UnsafeRawBufferPointer) -> UInt64 { crc64Tables.update(0, d) }

    /// fio's crc32c: Castagnoli, register starting at ~0 and returned without the final inversion.
    public static func crc32c(_ d: UnsafeRawBufferPointer) -> UInt32 {
        if crc32cHardware { return cchecksums_crc32c_hw(~0, d.baseAddress, d.count) }
        return crc32cSoftware(d)
    }
    public static func crc32cSoftware(_ d: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(truncatingIfNeeded: crc32cTables.update(0xFFFF_FFFF, d))
    }

    /// fio's crc32: POSIX cksum's polynomial MSB-first from 0, without the length cksum appends.
    public static func crc32(_ d: UnsafeRawBufferPointer) -> UInt32 { crc32Tables.update(0, d) }

    /// fio's crc16: the reflected 0x8005 polynomial from 0 (CRC-16/ARC).
    public static func crc16(_ d: UnsafeRawBufferPointer) -> UInt16 { UInt16(truncatingIfNeeded: crc16Tables.update(0, d)) }

    /// fio's crc7 (the MMC/SD polynomial), a 7-bit value from 0.
    public static func crc7(_ d: UnsafeRawBufferPointer) -> UInt8 {
        let t = crc7Tables
        var c: UInt8 = 0
        guard var p = d.baseAddress else { return 0 }
        var n = d.count
        while n >= 8 {
            let w = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
            c = t[7 * 256 + Int(UInt8(truncatingIfNeeded: w) ^ c)] ^ t[6 * 256 + Int((w >> 8) & 0xff)]
                ^ t[5 * 256 + Int((w >> 16) & 0xff)] ^ t[4 * 256 + Int((w >> 24) & 0xff)]
                ^ t[3 * 256 + Int((w >> 32) & 0xff)] ^ t[2 * 256 + Int((w >> 40) & 0xff)]
                ^ t[1 * 256 + Int((w >> 48) & 0xff)] ^ t[Int(w >> 56)]
            p += 8; n -= 8
        }
        while n > 0 { c = t[Int(c ^ p.load(as: UInt8.self))]; p += 1; n -= 1 }
        return c >> 1
    }
}
