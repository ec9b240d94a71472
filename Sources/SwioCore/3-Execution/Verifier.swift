// Data verification with fio's on-disk format: each write carries, every verify_interval
// bytes, fio's 40-byte header and the checksum of the rest of the piece; reads check both.
// Blocks written by fio 3.33 verify here and blocks written here verify in fio.

import SwioChecksums
import CSwio
#if canImport(Glibc)
import Glibc
#endif

/// fio's struct verify_header: magic 0xacca, verify_type, len, rand_seed, offset, time_sec,
/// time_nsec, thread, numberio (16 bits), then the crc32c of the 36 bytes before it; native
/// (little-endian) byte order.
public enum VerifyHeader {
    public static let size = 40
    public static let magic: UInt16 = 0xacca
    static let crcOffset = 36
}

/// A write that completed, to be read back and checked (fio's io_piece).
public struct WrittenBlock: Sendable, Equatable {
    public var fileIndex: Int32
    public var offset: UInt64
    public var length: Int
    public var seed: UInt64
    public var numberio: UInt64
    public var sequence: UInt64
    /// Trimmed after it was written (trim_percentage): it reads back as zeros.
    public var trimmed = false
}

public final class Verifier {
    public let settings: VerifySettings
    let thread: UInt16
    let paths: [String]
    let jobName: String
    /// Checks that only hold for blocks this job wrote in this run (fio checks numberio only
    /// for a write job with one block size that is not time_based, and not for verify_only).
    let checksNumberio: Bool
    /// Keeps what completed for the verify phase (do_verify).
    public let keepsHistory: Bool
    var seeds: RandomGenerator
    var writesIssued: UInt64 = 0
    /// Each file's last `depth` completed write offsets, a ring, and its writes (verify_state_save).
    var recentWrites: [UInt64]
    var recentNext: [Int]
    var fileWrites: [UInt64]
    let depth: Int
    /// verify_state_load: the saved state that bounds the verify phase.
    public var loadedState: VerifyState?
    var unitSeed: [UInt64]
    var unitNumberio: [UInt64]
    public internal(set) var history: [WrittenBlock] = []
    /// verify_backlog: history before this index has been read back already.
    var verifiedUpTo = 0
    /// The block each unit is reading back for the backlog, by unit index.
    var backlogBlocks: [WrittenBlock?]
    /// Whether the last completion was a read (fio's last_ddir): a backlog turn starts after a write.
    var lastCompletionWasRead = false
    var backlogBatchLeft = 0
    /// trim_percentage: the history indexes picked for trimming, not yet trimmed.
    var trimCandidates: [Int] = []
    var trimBatchLeft = 0
    var trimDraws: RandomGenerator
    /// The blocks of the verify phase, in the order they are read (the unit's tag indexes it).
    var script: [WrittenBlock] = []
    /// The same as the loop's reads.
    public var readScript: IOScript { IOScript(script.map { ScriptedIO(fileIndex: $0.fileIndex, kind: .read, offset: $0.offset, length: $0.length, delayNs: 0) }, timed: false) }
    public internal(set) var failures: UInt64 = 0
    public internal(set) var firstFailure: String?
    let scratch: UnsafeMutableRawPointer
    static let maxReportedFailures = 20
    /// --aux-path: where verify_dump writes (beside the target without it).
    public nonisolated(unsafe) static var auxPath: String?

    /// false for an engine that moves no data (null): reads pass, as fio's FIO_FAKEIO engines do.
    let checks: Bool
    /// verify_only's dry run: blocks are recorded, their buffers left alone.
    public var dryRun = false

    init(settings: VerifySettings, job: JobConfig, thread: Int, paths: [String], depth: Int, checks: Bool) {
        self.settings = settings
        self.checks = checks
        self.thread = UInt16(truncatingIfNeeded: thread)
        self.paths = paths
        jobName = job.name
        let fixedBlocks = job.blockSizes(1).min == job.blockSizes(1).max
        checksNumberio = fixedBlocks && !job.timeBased && !settings.only
        keepsHistory = settings.readBack && settings.mode != .null
        seeds = RandomGenerator(seed: job.seed ^ 0x5eed_0f_7e1f_1e5)
        unitSeed = [UInt64](repeating: 0, count: depth)
        unitNumberio = [UInt64](repeating: 0, count: depth)
        backlogBlocks = [WrittenBlock?](repeating: nil, count: depth)
        trimDraws = RandomGenerator(seed: job.seed ^ 0x7e1_3000_0000_0004)
        self.depth = max(1, depth)
        let saves = settings.stateSave && !settings.only
        recentWrites = [UInt64](repeating: 0, count: saves ? self.depth * max(1, paths.count) : 0)
        recentNext = [Int](repeating: 0, count: max(1, paths.count))
        fileWrites = [UInt64](repeating: 0, count: max(1, paths.count))
        scratch = .allocate(byteCount: 256, alignment: 16)
    }

    deinit { scratch.deallocate() }

    /// Bytes per header in a block of `length` (fio's get_hdr_inc()).
    @inline(__always) func pieceSize(_ length: Int) -> Int {
        settings.interval > 0 && settings.interval <= length ? settings.interval : length
    }

    // MARK: - Writing

    /// Fills a write's buffer: data (the pattern, or bytes from a fresh seed), then each
    /// piece's header and checksum (fio's populate_verify_io_u()).
    public func fillWrite(_ u: UnsafeMutablePointer<IOUnit>) {
        var seed = seeds.next()
        if seed == 0 { seed = 1 }
        let numberio = writesIssued
        writesIssued &+= 1
        unitSeed[Int(u.pointee.index)] = seed
        unitNumberio[Int(u.pointee.index)] = numberio
        guard settings.mode != .null && !dryRun else { return }
        let buf = u.pointee.buffer, len = u.pointee.length
        fillData(buf, len, offset: u.pointee.offset, seed: seed)
        guard settings.mode.hasHeader else { return }
        let inc = pieceSize(len)
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var n = 0
        while n * inc < len {
            let p = buf + n * inc
            if settings.mode.hasHeader {
                writeHeader(p, inc: inc, offset: u.pointee.offset &+ UInt64(n * settings.interval), seed: seed,
                            numberio: numberio, time: ts)
                if case .checksum(let c) = settings.mode {
                    let h = settings.mode.headerSize
                    c.compute(UnsafeRawBufferPointer(start: p + h, count: inc - h), into: p + VerifyHeader.size)
                }
                if settings.headerOffset > 0 { swap(p, p + settings.headerOffset, settings.mode.headerSize) }
            }
            n += 1
        }
    }

    /// The bytes a write carries before its headers go in.
    func fillData(_ buf: UnsafeMutableRawPointer, _ len: Int, offset: UInt64, seed: UInt64) {
        if let pat = settings.pattern {
            let bytes = pat.instantiated(offset: offset)
            bytes.withUnsafeBytes { src in
                var at = 0
                while at < len {
                    let n = Swift.min(src.count, len - at)
                    (buf + at).copyMemory(from: src.baseAddress!, byteCount: n)
                    at += n
                }
            }
        } else {
            var rng = RandomGenerator(seed: seed)
            let words = len / 8
            for i in 0..<words { buf.storeBytes(of: rng.next(), toByteOffset: 8 * i, as: UInt64.self) }
            for i in (words * 8)..<len { buf.storeBytes(of: UInt8(truncatingIfNeeded: rng.next()), toByteOffset: i, as: UInt8.self) }
        }
    }

    func writeHeader(_ p: UnsafeMutableRawPointer, inc: Int, offset: UInt64, seed: UInt64, numberio: UInt64, time: timespec) {
        p.storeBytes(of: VerifyHeader.magic.littleEndian, toByteOffset: 0, as: UInt16.self)
        p.storeBytes(of: settings.mode.typeCode.littleEndian, toByteOffset: 2, as: UInt16.self)
        p.storeBytes(of: UInt32(inc).littleEndian, toByteOffset: 4, as: UInt32.self)
        p.storeBytes(of: seed.littleEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: offset.littleEndian, toByteOffset: 16, as: UInt64.self)
        p.storeBytes(of: UInt32(truncatingIfNeeded: time.tv_sec).littleEndian, toByteOffset: 24, as: UInt32.self)
        p.storeBytes(of: UInt32(truncatingIfNeeded: time.tv_nsec).littleEndian, toByteOffset: 28, as: UInt32.self)
        p.storeBytes(of: thread.littleEndian, toByteOffset: 32, as: UInt16.self)
        p.storeBytes(of: UInt16(truncatingIfNeeded: numberio).littleEndian, toByteOffset: 34, as: UInt16.self)
        let crc = CRC.crc32c(UnsafeRawBufferPointer(start: p, count: VerifyHeader.crcOffset))
        p.storeBytes(of: crc.littleEndian, toByteOffset: VerifyHeader.crcOffset, as: UInt32.self)
    }

    func swap(_ a: UnsafeMutableRawPointer, _ b: UnsafeMutableRawPointer, _ n: Int) {
        scratch.copyMemory(from: a, byteCount: n)
        a.copyMemory(from: b, byteCount: n)
        b.copyMemory(from: scratch, byteCount: n)
    }

    /// A write completed: it is read back in the verify phase (a failed one is not, as in fio).
    public func writeCompleted(_ u: UnsafeMutablePointer<IOUnit>) {
        if !recentWrites.isEmpty {
            let f = Int(u.pointee.fileIndex) % recentNext.count
            recentWrites[f * depth + recentNext[f]] = u.pointee.offset
            recentNext[f] = (recentNext[f] + 1) % depth
            fileWrites[f] &+= 1
        }
        guard keepsHistory else { return }
        let i = Int(u.pointee.index)
        history.append(WrittenBlock(fileIndex: u.pointee.fileIndex, offset: u.pointee.offset, length: u.pointee.length,
                                    seed: unitSeed[i], numberio: unitNumberio[i], sequence: UInt64(history.count)))
        // fio's io_u_should_trim(): each written block is picked with trim_percentage's chance.
        if settings.trimPercent > 0 && trimDraws.below(100) < UInt64(settings.trimPercent) { trimCandidates.append(history.count - 1) }
    }

    // MARK: - Reading back

    /// The verify phase's reads (fio's io_hist list or tree): an older block is dropped wherever
    /// a later write overlaps it; the rest in write order (a random job with its random map,
    /// experimental_verify), or by file and offset.
    public func prepareScript(writeOrder: Bool) {
        if verifiedUpTo > 0 { history.removeFirst(verifiedUpTo); verifiedUpTo = 0 }
        defer { history = [] }
        var sorted = history.sorted { ($0.fileIndex, $0.offset, $0.sequence) < ($1.fileIndex, $1.offset, $1.sequence) }
        // Any overlap at all? (The usual case, a sequential pass, has none.)
        var overlaps = false
        for i in 1..<Swift.max(1, sorted.count) where sorted[i].fileIndex == sorted[i - 1].fileIndex
            && sorted[i - 1].offset &+ UInt64(sorted[i - 1].length) > sorted[i].offset { overlaps = true; break }
        if overlaps {
            // Newest first: a block is kept when no later write touched any of its bytes.
            let byAge = sorted.sorted { $0.sequence > $1.sequence }
            var covered: [Int32: [(UInt64, UInt64)]] = [:]   // per file, disjoint sorted ranges
            var kept: [WrittenBlock] = []
            for b in byAge {
                let lo = b.offset, hi = b.offset &+ UInt64(b.length)
                var ranges = covered[b.fileIndex] ?? []
                // First range ending after lo.
                var l = 0, h = ranges.count
                while l < h { let m = (l + h) / 2; if ranges[m].1 <= lo { l = m + 1 } else { h = m } }
                if !(l < ranges.count && ranges[l].0 < hi) { kept.append(b) }
                // Merge [lo, hi) in.
                var start = lo, end = hi, j = l
                while j < ranges.count && ranges[j].0 <= end { start = Swift.min(start, ranges[j].0); end = Swift.max(end, ranges[j].1); j += 1 }
                if l > 0 && ranges[l - 1].1 == start { start = ranges[l - 1].0; ranges.replaceSubrange((l - 1)..<j, with: [(start, end)]) }
                else { ranges.replaceSubrange(l..<j, with: [(start, end)]) }
                covered[b.fileIndex] = ranges
            }
            sorted = kept.sorted { ($0.fileIndex, $0.offset) < ($1.fileIndex, $1.offset) }
        }
        // Blocks no later write touched, in the order written or by file and offset.
        script = writeOrder ? sorted.sorted { $0.sequence < $1.sequence } : sorted
    }

    /// verify_backlog (fio's check_get_verify()): the next written block to read back now, if a
    /// turn is due (the blocks waiting reach a multiple of the backlog after a write completed)
    /// or under way. It is the unit's until its read completes.
    func nextBacklogBlock(for unit: Int32) -> WrittenBlock? {
        let waiting = history.count - verifiedUpTo
        guard settings.backlog > 0, waiting > 0 else { return nil }
        if backlogBatchLeft == 0 {
            guard waiting % settings.backlog == 0 && !lastCompletionWasRead else { return nil }
            backlogBatchLeft = settings.backlogBatch
        }
        backlogBatchLeft -= 1
        let b = history[verifiedUpTo]
        verifiedUpTo += 1
        backlogBlocks[Int(unit)] = b
        return b
    }

    func backlogBlock(of unit: Int32) -> WrittenBlock? { backlogBlocks[Int(unit)] }

    /// trim_backlog (fio's check_get_trim()): the next picked block to trim now, if a turn is
    /// due (the blocks written reach a multiple of the backlog after a write) or under way.
    func nextTrim() -> WrittenBlock? {
        guard settings.trimBacklog > 0, !trimCandidates.isEmpty else { return nil }
        if trimBatchLeft == 0 {
            guard history.count % settings.trimBacklog == 0 && !lastCompletionWasRead else { return nil }
            trimBatchLeft = settings.trimBatch
        }
        trimBatchLeft -= 1
        let i = trimCandidates.removeFirst()
        history[i].trimmed = true
        return history[i]
    }

    /// What verify_state_save records: the writes issued and each file's last completions.
    func savedState() -> VerifyState {
        var comps: [(file: UInt64, offset: UInt64)] = []
        for f in 0..<recentNext.count {
            var j = recentNext[f]
            for _ in 0..<Int(Swift.min(fileWrites[f], UInt64(depth))) {
                j = (j + depth - 1) % depth
                comps.append((UInt64(f), recentWrites[f * depth + j]))
            }
        }
        return VerifyState(numberio: writesIssued, depth: UInt32(depth), files: UInt32(recentNext.count), completions: comps)
    }

    /// verify_state_load: the verify phase's reads, cut where the state says writing stopped.
    func limitScript(_ state: VerifyState) {
        script.removeLast(script.count - state.readsToDo(script))
    }

    public var scriptCount: Int { script.count }
    public var scriptBytes: UInt64 { script.reduce(0) { $0 &+ UInt64($1.length) } }
    public func scriptEntry(_ i: Int) -> WrittenBlock { script[i] }

    /// Checks a completed read. Returns 0, or EILSEQ when a piece is bad (its story on stderr,
    /// the first one kept for the report). `expected` is the block's write when this job wrote it.
    public func check(_ u: UnsafeMutablePointer<IOUnit>, expected: WrittenBlock?) -> Int32 {
        guard settings.mode != .null && checks else { return 0 }
        let buf = u.pointee.buffer, len = Swift.min(u.pointee.length, Swift.max(0, u.pointee.result))
        guard len > 0 else { return 0 }
        let path = Int(u.pointee.fileIndex) < paths.count ? paths[Int(u.pointee.fileIndex)] : "?"
        if let e = expected, e.trimmed {
            // A trimmed block holds zeros, not its data (fio's verify_trimmed_io_u()).
            guard settings.trimVerifyZero else { return 0 }
            let bytes = UnsafeRawBufferPointer(start: buf, count: len)
            guard let at = bytes.firstIndex(where: { $0 != 0 }) else { return 0 }
            fail("trim: verify failed at file \(path) offset \(u.pointee.offset), length \(u.pointee.length), block offset \(at)", u)
            return EILSEQ
        }
        let inc = pieceSize(len)
        let blockOffset = u.pointee.offset
        let where0 = "(requested block: offset=\(blockOffset), length=\(u.pointee.length))"
        var n = 0
        var bad = false
        while n * inc < len {
            let p = buf + n * inc
            let pieceOffset = blockOffset &+ UInt64(n * inc)
            let at = "at file \(path) offset \(pieceOffset), length \(inc) \(where0)"
            let hsize = settings.mode.headerSize
            if settings.headerOffset > 0 && hsize > 0 { swap(p, p + settings.headerOffset, hsize) }
            if settings.mode.hasHeader, let problem = headerProblem(p, inc: inc, piece: n, blockOffset: blockOffset, expected: expected) {
                fail("verify: \(problem) \(at)", u)
                return EILSEQ
            }
            if let problem = dataProblem(p, inc: inc, piece: n, blockOffset: blockOffset) {
                fail("\(problem.name): verify failed \(at)" + problem.detail, u)
                bad = true
                if settings.fatal { break }
            }
            n += 1
        }
        return bad ? EILSEQ : 0
    }

    func headerProblem(_ p: UnsafeMutableRawPointer, inc: Int, piece: Int, blockOffset: UInt64, expected: WrittenBlock?) -> String? {
        let magic = UInt16(littleEndian: p.loadUnaligned(as: UInt16.self))
        if magic != VerifyHeader.magic { return "bad magic header \(hex(UInt64(magic))), wanted \(hex(UInt64(VerifyHeader.magic)))" }
        let len = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        if len != UInt32(inc) { return "bad header length \(len), wanted \(inc)" }
        let seed = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        if let e = expected, !settings.only, seed != e.seed { return "bad header rand_seed \(seed), wanted \(e.seed)" }
        let off = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        let wanted = blockOffset &+ UInt64(piece * settings.interval)
        if off != wanted { return "bad header offset \(off), wanted \(wanted)" }
        if let e = expected, checksNumberio {
            let nio = UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 34, as: UInt16.self))
            if nio != UInt16(truncatingIfNeeded: e.numberio) { return "bad header numberio \(nio), wanted \(UInt16(truncatingIfNeeded: e.numberio))" }
        }
        let crc = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: VerifyHeader.crcOffset, as: UInt32.self))
        let calc = CRC.crc32c(UnsafeRawBufferPointer(start: p, count: VerifyHeader.crcOffset))
        if crc != calc { return "bad header crc \(hex(UInt64(crc))), calculated \(hex(UInt64(calc)))" }
        return nil
    }

    func dataProblem(_ p: UnsafeMutableRawPointer, inc: Int, piece: Int, blockOffset: UInt64) -> (name: String, detail: String)? {
        let hsize = settings.mode.headerSize
        switch settings.mode {
        case .checksum(let c):
            let stored = UnsafeRawBufferPointer(start: p + VerifyHeader.size, count: c.fieldSize)
            c.compute(UnsafeRawBufferPointer(start: p + hsize, count: inc - hsize), into: scratch)
            let got = UnsafeRawBufferPointer(start: scratch, count: c.fieldSize)
            if memcmp(stored.baseAddress!, got.baseAddress!, c.fieldSize) == 0 { return nil }
            let media = UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
            var detail = "\n       Expected CRC: \(hexBytes(stored))\n       Received CRC: \(hexBytes(got))"
            if media != c.typeCode && !(media == 6 && c.typeCode == 5) {
                detail += "\nfio: verify type mismatch (\(media) media, \(c.typeCode) given)"
            }
            return (c.reportName, detail)
        case .meta, .patternAfterHeader, .pattern:
            guard let pat = settings.pattern else { return nil }
            let bytes = pat.instantiated(offset: blockOffset)
            var mod = (inc * piece + hsize) % bytes.count
            for i in 0..<(inc - hsize) {
                let b = p.load(fromByteOffset: hsize + i, as: UInt8.self)
                if b != bytes[mod] {
                    let bits = (b ^ bytes[mod]).nonzeroBitCount
                    return ("pattern", "\nfio: got pattern '\(hex2(b))', wanted '\(hex2(bytes[mod]))'. Bad bits \(bits)\nfio: bad pattern block offset \(i)")
                }
                mod += 1
                if mod == bytes.count { mod = 0 }
            }
            return nil
        case .null: return nil
        }
    }

    func fail(_ text: String, _ u: UnsafeMutablePointer<IOUnit>) {
        failures += 1
        if firstFailure == nil { firstFailure = text.split(separator: "\n").first.map(String.init) ?? text }
        if failures <= Verifier.maxReportedFailures {
            Console.writeLine("swio: job '\(jobName)': \(text)", fd: 2)
        } else if failures == Verifier.maxReportedFailures + 1 {
            Console.writeLine("swio: job '\(jobName)': more verify failures; the report counts them", fd: 2)
        }
        if settings.dump { dump(u) }
    }

    /// verify_dump: the block as read, beside the target (fio's "<file>.<offset>.received"; fio
    /// also writes the ".expected" block it can regenerate from its own random generator).
    func dump(_ u: UnsafeMutablePointer<IOUnit>) {
        let i = Int(u.pointee.fileIndex)
        guard i < paths.count else { return }
        let target = Verifier.auxPath.map { "\($0)/\(paths[i].split(separator: "/").last.map(String.init) ?? paths[i])" } ?? paths[i]
        let base = "\(target).\(u.pointee.offset)"
        writeFile(base + ".received", u.pointee.buffer, u.pointee.length)
    }

    func writeFile(_ path: String, _ p: UnsafeRawPointer, _ n: Int) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            Console.writeLine("swio: job '\(jobName)': verify_dump: cannot create \(path): \(Syscall.errorString(errno))", fd: 2)
            return
        }
        var done = 0
        while done < n {
            let w = Glibc.write(fd, p + done, n - done)
            if w < 0 && errno == EINTR { continue }
            if w <= 0 { break }
            done += w
        }
        close(fd)
        Console.writeLine("swio: job '\(jobName)': verify_dump: wrote \(path)", fd: 2)
    }

    func hex(_ v: UInt64) -> String { String(v, radix: 16) }
    func hex2(_ b: UInt8) -> String { b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16) }
    func hexBytes(_ b: UnsafeRawBufferPointer) -> String { b.map { hex2($0) }.joined() }
}
