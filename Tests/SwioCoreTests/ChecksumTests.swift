import Testing
@testable import SwioChecksums

/// Check values from the CRC catalogue's definitions, adjusted where fio departs from them
/// (its crc32c and crc32 skip the final inversion), and test vectors of XXH32 and SHA3.
struct ChecksumTests {
    static let check = Array("123456789".utf8)

    func with<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R { bytes.withUnsafeBytes(body) }
    func field(_ c: VerifyChecksum, _ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: c.fieldSize)
        bytes.withUnsafeBytes { d in out.withUnsafeMutableBytes { c.compute(d, into: $0.baseAddress!) } }
        return out
    }
    func hex(_ b: [UInt8]) -> String { b.map { String(format2($0)) }.joined() }
    func format2(_ v: UInt8) -> String { let s = String(v, radix: 16); return s.count == 1 ? "0" + s : s }

    @Test func crcCheckValues() {
        #expect(with(Self.check) { CRC.crc16($0) } == 0xBB3D)          // CRC-16/ARC
        #expect(with(Self.check) { CRC.crc7($0) } == 0x75)             // CRC-7/MMC
        #expect(with(Self.check) { CRC.crc32($0) } == ~UInt32(0x765E_7680))   // CRC-32/POSIX, not inverted
        #expect(with(Self.check) { CRC.crc32cSoftware($0) } == ~UInt32(0xE306_9283))   // CRC-32C, not inverted
        #expect(with(Self.check) { CRC.crc32c($0) } == ~UInt32(0xE306_9283))
        // fio's crc64 table starts 0, 0x7ad870c830358979 (reflected 0x95AC9329AC4BC9B5).
        #expect(CRC.crc64Tables.t[1] == 0x7AD8_70C8_3035_8979)
        #expect(with(Self.check) { CRC.crc64($0) } == 0xE9C6_D914_C4B8_D9CA)   // as fio 3.33 computes it
    }

    @Test func crc32cHardwareAndSoftwareAgree() {
        var rng = SystemRandomNumberGenerator()
        for n in [0, 1, 7, 8, 31, 32, 33, 100, 4096, 4097] {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(with(bytes) { CRC.crc32c($0) } == with(bytes) { CRC.crc32cSoftware($0) })
        }
    }

    @Test func sha256InstructionsAndPortableCodeAgree() {
        var rng = SystemRandomNumberGenerator()
        for n in [0, 55, 56, 64, 100, 4096 - 104, 16384] {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var a = [UInt8](repeating: 0, count: 64), b = a
            bytes.withUnsafeBytes { d in
                a.withUnsafeMutableBytes { FioDigest.sha256(d, into: $0.baseAddress!, hardware: SHA256Block.hardware) }
                b.withUnsafeMutableBytes { FioDigest.sha256(d, into: $0.baseAddress!, hardware: false) }
            }
            #expect(a == b, "\(n) bytes")
        }
    }

    @Test func slicedCRCsMatchBytewise() {
        // The same data through the 8-byte path and one byte at a time.
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var c64: UInt64 = 0, c32: UInt32 = 0
        for b in bytes {
            c64 = CRC.crc64Tables.t[Int((c64 ^ UInt64(b)) & 0xff)] ^ (c64 >> 8)
            c32 = (c32 << 8) ^ CRC.crc32Tables.t[Int(((c32 >> 24) ^ UInt32(b)) & 0xff)]
        }
        #expect(with(bytes) { CRC.crc64($0) } == c64)
        #expect(with(bytes) { CRC.crc32($0) } == c32)
    }

    @Test func xxhash32Vectors() {
        #expect(with([]) { XXHash32.hash($0, seed: 0) } == 0x02CC_5D05)
        #expect(with(Array("abc".utf8)) { XXHash32.hash($0, seed: 0) } == 0x32D1_53FF)
        // Longer than one 16-byte stripe, and a seed.
        let long = Array("Nobody inspects the spammish repetition".utf8)
        #expect(with(long) { XXHash32.hash($0, seed: 0) } == 0xE229_3B2F)
        #expect(with(Self.check) { XXHash32.hash($0, seed: 1) } == 0xF261_918C)   // fio's seed
    }

    @Test func sha3Vectors() {
        #expect(hex(field(.sha3_224, Array("abc".utf8))) == "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf")
        #expect(hex(field(.sha3_224, [])) == "6b4e03423667dbb73b6e15454f0eb1abd4597f9a1b078e3f5b5a6bc7")
        // A message longer than the 144-byte rate.
        let m = [UInt8](repeating: 0xa3, count: 200)
        #expect(hex(field(.sha3_224, m)) == "9376816aba503f72f96ce7eb65ac095deee3be4bf9bbc2a1cb7e11e0")
    }

    @Test func fieldSizesAndCodesAreFios() {
        #expect(VerifyChecksum.md5.typeCode == 2 && VerifyChecksum.sha1.typeCode == 16)
        #expect(VerifyChecksum.allCases.filter { $0 != .crc32cIntel }.allSatisfy { VerifyChecksum(typeCode: $0.typeCode) == $0 })
        #expect(VerifyChecksum.crc32cIntel.typeCode == 5 && VerifyChecksum(typeCode: 6) == .crc32c)
        #expect(VerifyChecksum.sha256.fieldSize == 64 && VerifyChecksum.sha512.fieldSize == 128)
    }
}
