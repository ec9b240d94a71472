// XXH32 as its specification defines it (github.com/Cyan4973/xxHash, doc/xxhash_spec.md);
// fio's verify=xxhash uses it with seed 1.

public enum XXHash32 {
    @usableFromInline static let p1: UInt32 = 0x9E37_79B1
    @usableFromInline static let p2: UInt32 = 0x85EB_CA77
    @usableFromInline static let p3: UInt32 = 0xC2B2_AE3D
    @usableFromInline static let p4: UInt32 = 0x27D4_EB2F
    @usableFromInline static let p5: UInt32 = 0x1656_67B1

    @inlinable static func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { (x &<< r) | (x &>> (32 &- r)) }
    @inlinable static func round(_ acc: UInt32, _ lane: UInt32) -> UInt32 {
        rotl(acc &+ lane &* p2, 13) &* p1
    }

    public static func hash(_ data: UnsafeRawBufferPointer, seed: UInt32) -> UInt32 {
        let n = data.count
        guard var p = data.baseAddress else { return finish(seed &+ p5, nil, 0) }
        var acc: UInt32
        var left = n
        if n >= 16 {
            var a1 = seed &+ p1 &+ p2, a2 = seed &+ p2, a3 = seed, a4 = seed &- p1
            while left >= 16 {
                a1 = round(a1, UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
                a2 = round(a2, UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
                a3 = round(a3, UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
                a4 = round(a4, UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
                p += 16; left -= 16
            }
            acc = rotl(a1, 1) &+ rotl(a2, 7) &+ rotl(a3, 12) &+ rotl(a4, 18)
        } else {
            acc = seed &+ p5
        }
        acc = acc &+ UInt32(truncatingIfNeeded: n)
        return finish(acc, p, left)
    }

    @usableFromInline static func finish(_ a: UInt32, _ tail: UnsafeRawPointer?, _ count: Int) -> UInt32 {
        var acc = a
        if var p = tail {
            var left = count
            while left >= 4 {
                acc = rotl(acc &+ UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)) &* p3, 17) &* p4
                p += 4; left -= 4
            }
            while left > 0 {
                acc = rotl(acc &+ UInt32(p.load(as: UInt8.self)) &* p5, 11) &* p1
                p += 1; left -= 1
            }
        }
        acc ^= acc >> 15
        acc = acc &* p2
        acc ^= acc >> 13
        acc = acc &* p3
        acc ^= acc >> 16
        return acc
    }
}
