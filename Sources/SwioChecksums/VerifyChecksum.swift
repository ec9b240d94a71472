// The checksum of each fio verify type: its number in the on-disk header, the size of the
// field that follows the header, and the bytes fio 3.33 stores there. md5, sha1 and sha3 come
// from swift-crypto; the CRCs, xxhash and fio's own sha256/sha512 values are in this module.

import Crypto

public enum VerifyChecksum: String, CaseIterable, Sendable {
    case md5, crc64, crc32, crc32c
    case crc32cIntel = "crc32c-intel"
    case crc16, crc7, sha256, sha512
    case sha3_224 = "sha3-224", sha3_256 = "sha3-256", sha3_384 = "sha3-384", sha3_512 = "sha3-512"
    case xxhash, sha1

    /// fio's verify_type value (VERIFY_MD5 = 2 ... VERIFY_SHA1 = 16). fio 3.33 writes
    /// crc32c-intel as plain crc32c (5); 6 (VERIFY_CRC32C_INTEL) is read as crc32c too.
    public var typeCode: UInt16 {
        switch self {
        case .md5: 2
        case .crc64: 3
        case .crc32: 4
        case .crc32c, .crc32cIntel: 5
        case .crc16: 7
        case .crc7: 8
        case .sha256: 9
        case .sha512: 10
        case .sha3_224: 11
        case .sha3_256: 12
        case .sha3_384: 13
        case .sha3_512: 14
        case .xxhash: 15
        case .sha1: 16
        }
    }

    public init?(typeCode: UInt16) {
        if typeCode == 6 { self = .crc32c; return }
        guard let c = VerifyChecksum.allCases.first(where: { $0.typeCode == typeCode }) else { return nil }
        self = c
    }

    /// Bytes of the checksum field after the 40-byte header (fio's struct vhdr_*: sha256 and
    /// sha512 reserve twice their digest).
    public var fieldSize: Int {
        switch self {
        case .md5: 16
        case .crc64: 8
        case .crc32, .crc32c, .crc32cIntel, .xxhash: 4
        case .crc16: 2
        case .crc7: 1
        case .sha256: 64
        case .sha512: 128
        case .sha3_224: 28
        case .sha3_256: 32
        case .sha3_384: 48
        case .sha3_512: 64
        case .sha1: 20
        }
    }

    /// The name fio prints in a failure ("crc32c: verify failed ...").
    public var reportName: String {
        switch self {
        case .crc32cIntel: "crc32c"
        default: rawValue
        }
    }

    /// Writes fieldSize bytes, as fio stores them (native byte order for its integer fields).
    public func compute(_ data: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) {
        switch self {
        case .md5: copy(Insecure.MD5.hash(data: data), out)
        case .crc64: out.storeBytes(of: CRC.crc64(data).littleEndian, as: UInt64.self)
        case .crc32: out.storeBytes(of: CRC.crc32(data).littleEndian, as: UInt32.self)
        case .crc32c, .crc32cIntel: out.storeBytes(of: CRC.crc32c(data).littleEndian, as: UInt32.self)
        case .crc16: out.storeBytes(of: CRC.crc16(data).littleEndian, as: UInt16.self)
        case .crc7: out.storeBytes(of: CRC.crc7(data), as: UInt8.self)
        case .xxhash: out.storeBytes(of: XXHash32.hash(data, seed: 1).littleEndian, as: UInt32.self)
        case .sha256: FioDigest.sha256(data, into: out)
        case .sha512: FioDigest.sha512(data, into: out)
        case .sha3_224: FioDigest.sha3(data, rate: 144, length: 28, into: out)
        case .sha3_256: copy(SHA3_256.hash(data: data), out)
        case .sha3_384: copy(SHA3_384.hash(data: data), out)
        case .sha3_512: copy(SHA3_512.hash(data: data), out)
        case .sha1:
            // fio keeps SHA-1's five state words in native order, not the digest's big-endian bytes.
            copy(Insecure.SHA1.hash(data: data), out)
            for i in 0..<5 {
                let w = out.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
                out.storeBytes(of: w.byteSwapped, toByteOffset: 4 * i, as: UInt32.self)
            }
        }
    }

    private func copy<D: Digest>(_ d: D, _ out: UnsafeMutableRawPointer) {
        d.withUnsafeBytes { out.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }
}
