import Foundation
import Testing
@testable import SwioCore
import SwioChecksums

/// blktrace traces written here from the kernel's struct blk_io_trace (the machine's kernel
/// forbids tracing, so none is captured): what becomes an I/O, in which order, after which delay.
struct BlktraceReplayTests {
    /// One record: category letters (R read, W write, F flush, S sync, Q queue, C complete,
    /// N notify, D discard) and the action (1 queue, 2 back merge, 8 complete).
    static func record(_ time: UInt64, sector: UInt64, bytes: UInt32, _ cats: String, action: UInt32, pdu: [UInt8] = [],
                       bigEndian: Bool = false) -> [UInt8] {
        let bits: [Character: UInt32] = ["R": 1, "W": 2, "F": 4, "S": 8, "Q": 16, "C": 128, "N": 1 << 10, "D": 1 << 13]
        let act = action | cats.reduce(0) { $0 | bits[$1]! } << 16
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: bigEndian ? v.bigEndian : v.littleEndian) { out += $0 } }
        put(UInt32(0x6561_7407)); put(UInt32(1)); put(time); put(sector); put(bytes); put(act)
        put(UInt32(100)); put(UInt32(7 << 20 | 3)); put(UInt32(0)); put(UInt16(0)); put(UInt16(pdu.count))
        return out + pdu
    }

    static func trace(bigEndian: Bool = false) -> [UInt8] {
        let ms: UInt64 = 1_000_000
        let r = { (t: UInt64, s: UInt64, b: UInt32, c: String, a: UInt32) in record(t, sector: s, bytes: b, c, action: a, bigEndian: bigEndian) }
        return record(ms, sector: 0, bytes: 0, "N", action: 0, pdu: Array("process\0".utf8), bigEndian: bigEndian)
            + r(ms, 0, 4096, "RQ", 1) + r(ms + 10, 8, 4096, "RQ", 1)
            + r(2 * ms, 16, 8192, "WSQ", 1) + r(2 * ms + 10, 32, 4096, "WQ", 2)   // a merge: no I/O
            + r(3 * ms, 0, 4096, "RC", 8)
            + r(4 * ms, 64, 8192, "DQ", 1) + r(5 * ms, 0, 0, "FQ", 1)
            + r(6 * ms, 40, 0, "WQ", 1)                                          // no bytes: no I/O
            + r(306 * ms, 24, 4096, "WQ", 1)
    }

    func replay(_ bytes: [UInt8], _ o: Blktrace.Options = .init(redirect: "/f")) throws -> IologReplay {
        let swap = try #require(Blktrace.byteOrder(bytes))
        return try Blktrace.parse(bytes, swap: swap, o, path: "t") { _, _ in "/dev/unused" }
    }

    @Test func queueEventsBecomeTheIOsInOrder() throws {
        let r = try replay(Self.trace())
        #expect(r.files == ["/f"])
        #expect(r.entries.map { "\($0.kind) \($0.offset) \($0.length)" } ==
                ["read 0 4096", "read 4096 4096", "write 8192 8192", "trim 32768 8192", "fsync 0 0", "write 12288 4096"])
        // Delays from the previous queue event, in whole microseconds (fio's).
        #expect(r.entries.map(\.delayNs) == [0, 0, 999_000, 2_000_000, 1_000_000, 300_000_000])
        #expect(r.probedDepth == 2)
        #expect(r.mode == .rw)
        // The other byte order reads the same.
        #expect(try replay(Self.trace(bigEndian: true)).entries == r.entries)
    }

    @Test func replayOptionsApply() throws {
        let o = Blktrace.Options(timeScale: 200, noStall: false, scale: 2, align: 8192, redirect: "/g", skip: 1 << 2 | 1 << 3)
        let r = try replay(Self.trace(), o)
        #expect(r.entries.map { "\($0.kind) \($0.offset) \($0.length)" } == ["read 0 8192", "read 0 8192", "write 0 8192", "write 0 8192"])
        #expect(r.entries.last?.delayNs == 150_000_000)
        let still = try replay(Self.trace(), .init(noStall: true, redirect: "/f"))
        #expect(still.entries.allSatisfy { $0.delayNs == 0 })
    }

    @Test func badTracesAreErrors() throws {
        var t = Self.trace()
        t[56 + 3] = 0x99   // the second record's magic (after the first's 8-byte pdu)
        #expect(throws: ValueError.self) { try replay(t) }
        #expect(Blktrace.byteOrder(Array("fio version 3 iolog\n".utf8) + [UInt8](repeating: 0, count: 40)) == nil)
        let onlyNotify = Self.record(1, sector: 0, bytes: 0, "N", action: 0)
        #expect(throws: ValueError.self) { try replay(onlyNotify) }
        // A device that is not in /dev, without replay_redirect: its number in the message.
        #expect(Blktrace.deviceNode(major: 4095, minor: 12345) == nil)
    }

    /// merge_blktrace_file: queue events of several traces by time, each scaled and repeated.
    @Test func tracesMergeByTime() throws {
        let ms: UInt64 = 1_000_000
        let b = [1, 2, 3].map { Self.record(UInt64($0) * 3 * ms, sector: 1000 + UInt64($0), bytes: 4096, "WQ", action: 1, bigEndian: true) }.joined()
        let merged = try Blktrace.merge([(Self.trace(), "a"), (Array(b), "b")], scalars: [100, 50], iterations: [1, 2])
        let r = try replay(merged, .init(noStall: true, redirect: "/f"))
        // a's reads, writes and discard, its zero-byte write (kept by the merge, dropped by the
        // replay) but not its flush (fio merges reads, writes and discards only); b's three twice
        // at half time: 1.5, 3, 4.5 ms, then 6, 7.5, 9 ms (b's length, 9 ms, later, halved).
        #expect(merged.count == 48 * 12)
        let order = r.entries.map { $0.offset >= 512_000 ? "b\($0.offset / 512 - 1000)" : "\($0.kind)" }
        #expect(order == ["read", "read", "b1", "write", "b2", "trim", "b3", "b1", "b2", "b3", "write"], "\(order)")
        #expect(!r.entries.contains { $0.kind == .fsync })
        #expect(throws: ValueError.self) { try Blktrace.merge([(Array("text".utf8) + [UInt8](repeating: 0, count: 60), "t")], scalars: [100], iterations: [1]) }
    }

    /// Hostile input is an error or a clamped value, never a crash.
    @Test func hostileTracesAndStatesAreErrors() throws {
        // A gap of most of UInt64's range between two queue events.
        let t = Self.record(1, sector: 0, bytes: 4096, "RQ", action: 1) + Self.record(.max - 1, sector: 8, bytes: 4096, "RQ", action: 1)
        #expect(try replay(t).entries.count == 2)
        // A record's extra data running past the end of the file.
        let cut = Array((t + Self.record(5, sector: 0, bytes: 0, "N", action: 0, pdu: [1, 2, 3, 4])).dropLast(2))
        #expect(throws: ValueError.self) { try Blktrace.merge([(cut, "cut")], scalars: [100], iterations: [1]) }
        #expect(throws: ValueError.self) { try replay(cut) }
        // A verify state whose completion count is absurd, with a correct crc32c.
        let state = VerifyState(numberio: 4, depth: 1, files: 1, completions: [(0, 4096)])
        var bytes = state.encoded(jobName: "j", index: 0, seed: 1)
        for (i, b) in withUnsafeBytes(of: UInt64(1 << 62).littleEndian, Array.init).enumerated() { bytes[24 + i] = b }
        let crc = bytes.withUnsafeBytes { CRC.crc32c(UnsafeRawBufferPointer(rebasing: $0[24...])) }
        for (i, b) in withUnsafeBytes(of: UInt64(crc).littleEndian, Array.init).enumerated() { bytes[16 + i] = b }
        let path = NSTemporaryDirectory() + "swio-state-\(getpid())"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ValueError.self) { try VerifyState.load(path) }
        // The file as written loads back.
        #expect(FileManager.default.createFile(atPath: path, contents: Data(state.encoded(jobName: "j", index: 0, seed: 1))))
        #expect(try VerifyState.load(path) == state)
    }
}
