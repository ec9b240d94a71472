// fio's --crctest[=LIST]: the throughput of each verify checksum over the same buffer, in
// fio's order and format, so the two can be compared line by line (bench/crctest.sh).

import SwioChecksums
import SwioCore
import CSwio

enum CRCTest {
    /// fio's table order; fio's murmur3, jhash and fnv are no verify types and swio lacks them.
    static let order: [VerifyChecksum] = [.md5, .crc64, .crc32, .crc32c, .crc16, .crc7, .sha1, .sha256, .sha512, .xxhash,
                                          .sha3_224, .sha3_256, .sha3_384, .sha3_512]

    /// nil: every checksum. Returns the exit status.
    static func run(_ list: String?) -> Int32 {
        var chosen = order
        if let list, !list.isEmpty {
            if list == "list" || list == "help" {
                for c in order { writeStdout(c.rawValue + "\n") }
                return 0
            }
            let names = Set(list.split(separator: ",").map(String.init))
            chosen = order.filter { names.contains($0.rawValue) }
            guard !chosen.isEmpty else {
                writeStderr("swio: --crctest: unknown checksum '\(list)'. Available: \(order.map(\.rawValue).joined(separator: ", "))")
                return 1
            }
        }
        // 128 KiB of pseudo-random bytes, hashed 2048 times (256 MiB), as fio does.
        let size = 128 * 1024, rounds = 2048
        let buf = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { buf.deallocate() }
        var rng = RandomGenerator(seed: 0x1234_5678)
        for i in 0..<(size / 8) { buf.storeBytes(of: rng.next(), toByteOffset: 8 * i, as: UInt64.self) }
        let out = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 16)
        defer { out.deallocate() }
        let data = UnsafeRawBufferPointer(start: buf, count: size)
        for c in chosen {
            c.compute(data, into: out)   // warm-up
            let start = cswio_now_ns()
            for _ in 0..<rounds { c.compute(data, into: out) }
            let us = Double(cswio_now_ns() - start) / 1000
            let name = c.rawValue + ":"
            let pad = c.rawValue.count < 7 ? "\t\t" : "\t"
            if us <= 0 { writeStdout("\(name)inf MiB/sec\n"); continue }
            let mibps = Double(size * rounds) / us / 1.048576
            writeStdout(name + pad + formatted(mibps) + " MiB/sec\n")
        }
        return 0
    }

    /// %8.2f
    static func formatted(_ v: Double) -> String {
        let cents = Int((v * 100).rounded())
        let s = "\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100)"
        return String(repeating: " ", count: max(0, 8 - s.count)) + s
    }
}
