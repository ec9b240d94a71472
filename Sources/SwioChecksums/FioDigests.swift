// The digests fio 3.33 stores for verify=sha256, sha512 and sha3-224, which no library
// computes: its sha256 pads with a little-endian bit count and keeps the final block with the
// low byte of each state word over its first 8 bytes; its sha512 never finalises and keeps
// the context's input buffer. Data written by fio only verifies against the same values, so
// swio computes them too. SHA-256's compression function and Keccak-f[1600] follow FIPS 180-4
// and FIPS 202; where the CPU has the SHA extensions, the C shim runs the compression.

import CChecksums

public enum SHA256Block {
    /// Whether the CPU's SHA instructions do the compression.
    public static let hardware = cchecksums_sha256_hw_available() != 0
    /// The round constants, from the C shim (its SHA-instruction path uses them too).
    static var k: UnsafePointer<UInt32> { cchecksums_sha256_constants() }
    static let initial: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]

    @inline(__always) static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }

    /// One 64-byte block into the state.
    @inline(__always)
    static func compress(_ h: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
                         _ block: UnsafeRawPointer, _ w: UnsafeMutablePointer<UInt32>, _ k: UnsafePointer<UInt32>) {
        for i in 0..<16 { w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
        for i in 16..<64 {
            let w15 = w[i - 15], w2 = w[i - 2]
            w[i] = w[i - 16] &+ (rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 &>> 3)) &+ w[i - 7] &+ (rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 &>> 10))
        }
        var a = h.0, b = h.1, c = h.2, d = h.3, e = h.4, f = h.5, g = h.6, hh = h.7
        // Eight rounds per step with the roles of the variables rotated, instead of moving them.
        @inline(__always) func round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                                     _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ i: Int) {
            let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ (g ^ (e & (f ^ g))) &+ k[i] &+ w[i]
            let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) | (c & (a | b)))
            d = d &+ t1
            h = t1 &+ t2
        }
        var i = 0
        while i < 64 {
            round(a, b, c, &d, e, f, g, &hh, i)
            round(hh, a, b, &c, d, e, f, &g, i + 1)
            round(g, hh, a, &b, c, d, e, &f, i + 2)
            round(f, g, hh, &a, b, c, d, &e, i + 3)
            round(e, f, g, &hh, a, b, c, &d, i + 4)
            round(d, e, f, &g, hh, a, b, &c, i + 5)
            round(c, d, e, &f, g, hh, a, &b, i + 6)
            round(b, c, d, &e, f, g, hh, &a, i + 7)
            i += 8
        }
        h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
    }
}

public enum FioDigest {
    /// fio's verify=sha256 value (64 bytes) of the data, into `out`.
    public static func sha256(_ data: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer,
                              hardware: Bool = SHA256Block.hardware) {
        let w = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
        defer { w.deallocate() }
        let last = UnsafeMutableRawPointer.allocate(byteCount: 128, alignment: 8)
        defer { last.deallocate() }
        do {
            let k = SHA256Block.k
            let i = SHA256Block.initial
            var h = (i[0], i[1], i[2], i[3], i[4], i[5], i[6], i[7])
            let n = data.count
            let whole = n / 64 * 64
            if let base = data.baseAddress, whole > 0 {
                if hardware {
                    var st = [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7]
                    cchecksums_sha256_hw(&st, base, whole / 64)
                    h = (st[0], st[1], st[2], st[3], st[4], st[5], st[6], st[7])
                } else {
                    var off = 0
                    while off < whole { SHA256Block.compress(&h, base + off, w, k); off += 64 }
                }
            }
            // The tail, 0x80, zeros to 56 mod 64, then the bit count little-endian (fio's quirk).
            let tail = n - whole
            last.initializeMemory(as: UInt8.self, repeating: 0, count: 128)
            if tail > 0 { last.copyMemory(from: data.baseAddress! + whole, byteCount: tail) }
            last.storeBytes(of: 0x80, toByteOffset: tail, as: UInt8.self)
            let blocks = tail < 56 ? 1 : 2
            last.storeBytes(of: (UInt64(n) << 3).littleEndian, toByteOffset: blocks * 64 - 8, as: UInt64.self)
            for b in 0..<blocks { SHA256Block.compress(&h, last + 64 * b, w, k) }
            // What fio leaves in its 64-byte field: the final block, its first 8 bytes replaced
            // by the low byte of each state word.
            out.copyMemory(from: last + 64 * (blocks - 1), byteCount: 64)
            let words = [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7]
            for j in 0..<8 { out.storeBytes(of: UInt8(truncatingIfNeeded: words[j]), toByteOffset: j, as: UInt8.self) }
        }
    }

    /// fio's verify=sha512 value (128 bytes): the context's 128-byte input buffer after one
    /// update with the data (fio never finalises it), that is the last partial block of the data
    /// over the first block's bytes. Data shorter than a block leaves fio's buffer partly
    /// uninitialised; swio zero-fills the rest.
    public static func sha512(_ data: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) {
        out.initializeMemory(as: UInt8.self, repeating: 0, count: 128)
        let n = data.count
        guard let base = data.baseAddress, n > 0 else { return }
        if n < 128 { out.copyMemory(from: base, byteCount: n); return }
        out.copyMemory(from: base, byteCount: 128)
        var i = 128
        while i + 127 < n { i += 128 }
        if n > i { out.copyMemory(from: base + i, byteCount: n - i) }
    }

    /// SHA3 with a rate of `rate` bytes and `length` bytes of output (sha3-224: 144 and 28).
    public static func sha3(_ data: UnsafeRawBufferPointer, rate: Int, length: Int, into out: UnsafeMutableRawPointer) {
        var st = [UInt64](repeating: 0, count: 55)
        st.withUnsafeMutableBufferPointer { s in
            let scratch = s.baseAddress! + 25
            let lanes = rate / 8
            var off = 0
            let n = data.count
            if let base = data.baseAddress {
                while n - off >= rate {
                    for j in 0..<lanes { s[j] ^= UInt64(littleEndian: base.loadUnaligned(fromByteOffset: off + 8 * j, as: UInt64.self)) }
                    Keccak.permute(s.baseAddress!, scratch: scratch)
                    off += rate
                }
            }
            var block = [UInt8](repeating: 0, count: rate)
            for j in 0..<(n - off) { block[j] = data[off + j] }
            block[n - off] ^= 0x06
            block[rate - 1] ^= 0x80
            block.withUnsafeBytes { b in
                for j in 0..<lanes { s[j] ^= UInt64(littleEndian: b.loadUnaligned(fromByteOffset: 8 * j, as: UInt64.self)) }
            }
            Keccak.permute(s.baseAddress!, scratch: scratch)
            for j in 0..<length { out.storeBytes(of: UInt8(truncatingIfNeeded: s[j / 8] >> (8 * UInt64(j % 8))), toByteOffset: j, as: UInt8.self) }
        }
    }
}

enum Keccak {
    static let roundConstants: [UInt64] = [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ]
    /// Rotation offsets r[x + 5y] (FIPS 202, 3.2.2).
    static let rotation: [UInt64] = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14]

    /// Keccak-f[1600] on lanes a[x + 5y].
    static func permute(_ a: UnsafeMutablePointer<UInt64>, scratch: UnsafeMutablePointer<UInt64>) {
        let c = scratch, b = scratch + 5
        @inline(__always) func rotl(_ v: UInt64, _ n: UInt64) -> UInt64 { (v &<< n) | (v &>> (64 &- n)) }
        for round in 0..<24 {
            for x in 0..<5 { c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] }   // theta
            for x in 0..<5 {
                let d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1)
                for y in 0..<5 { a[x + 5 * y] ^= d }
            }
            for x in 0..<5 {   // rho and pi: B[y, 2x + 3y] = rot(A[x, y])
                for y in 0..<5 { b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], rotation[x + 5 * y]) }
            }
            for y in 0..<5 {   // chi
                for x in 0..<5 { a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]) }
            }
            a[0] ^= roundConstants[round]   // iota
        }
    }
}
