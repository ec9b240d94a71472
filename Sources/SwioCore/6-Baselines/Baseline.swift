// hdparm-style baselines: `-t` (sequential 2 MiB reads from the start of the target for about
// 3 seconds after flushing its cache, buffered or O_DIRECT) and `-T` (repeated reads of a
// cached 2 MiB region: page-cache/memory speed). Figures use hdparm's MB = 2^20 bytes.

import CSwio
#if canImport(Glibc)
import Glibc
#endif

public struct BaselineResult: Sendable, Equatable {
    public enum Kind: String, Sendable { case cached, buffered, direct, network }
    public var target: String
    public var kind: Kind
    public var bytes: UInt64
    public var seconds: Double
    /// Why the figure may be off (the cache could not be dropped first), for stderr.
    public var warning: String? = nil
    public var bytesPerSec: Double { seconds > 0 ? Double(bytes) / seconds : 0 }
    public var mbPerSec: Double { bytesPerSec / 1_048_576 }

    /// hdparm's own line, e.g. " Timing buffered disk reads: 1024 MB in  3.01 seconds = 340.20 MB/sec".
    public var hdparmLine: String {
        let label: String
        switch kind {
        case .cached: label = "Timing cached reads:  "
        case .buffered: label = "Timing buffered disk reads:"
        case .direct: label = "Timing O_DIRECT disk reads:"
        case .network: label = "Timing one TCP stream:    "
        }
        let mb = Format.padLeft(String(bytes / 1_048_576), 4)
        return " \(label) \(mb) MB in \(Format.padLeft(Format.fixed(seconds, 2), 5)) seconds = \(Format.fixed(mbPerSec, 2)) MB/sec"
    }

    public var json: JSON {
        .object([("target", .string(target)), ("kind", .string(kind.rawValue)), ("bytes", .uint(bytes)),
                 ("seconds", .double(seconds)), ("bytes_per_sec", .double(bytesPerSec)), ("mb_per_sec", .double(mbPerSec))])
    }

    public init(target: String, kind: Kind, bytes: UInt64, seconds: Double) {
        self.target = target; self.kind = kind; self.bytes = bytes; self.seconds = seconds
    }
}

public enum Baseline {
    public static let chunk = 2 << 20

    /// hdparm -t / -t --direct: sequential 2 MiB reads from offset 0 for `seconds`, after
    /// flushing the target's cache (BLKFLSBUF on block devices, fadvise DONTNEED on files).
    /// Like hdparm, it stops at the end of the target rather than wrapping.
    public static func diskReads(_ path: String, direct: Bool, seconds: Double = 3) throws -> BaselineResult {
        let fd = try Syscall.open(path, flags: O_RDONLY | (direct ? cswio_O_DIRECT : 0), mode: 0)
        defer { Syscall.close(fd) }
        let size = try targetSize(fd, path)
        guard size >= UInt64(chunk) else { throw EngineError(errno: EINVAL, "baseline: \(path) is smaller than 2 MiB") }
        let flushError = flushCache(fd)
        guard let buf = cswio_aligned_alloc(4096, chunk) else { throw EngineError(errno: ENOMEM, "baseline: out of memory") }
        defer { free(buf) }
        let start = cswio_now_ns()
        let limit = UInt64(seconds * 1e9)
        var off: UInt64 = 0
        while off + UInt64(chunk) <= size {
            let n = Syscall.retry { pread(fd, buf, chunk, off_t(off)) }
            if n < 0 { throw EngineError(errno: Int32(-n), "baseline: read of \(path) at \(off) failed: \(Syscall.errorString(Int32(-n)))") }
            if n == 0 { break }
            // As hdparm's read_big_block(): touch every sector so the read is known complete.
            cswio_touch_sectors(buf.assumingMemoryBound(to: UInt8.self), n)
            off += UInt64(n)
            if cswio_now_ns() - start >= limit || cswio_should_stop() != 0 { break }
        }
        let secs = Double(cswio_now_ns() - start) / 1e9
        var r = BaselineResult(target: path, kind: direct ? .direct : .buffered, bytes: off, seconds: secs)
        if flushError != 0 && !direct {
            r.warning = "baseline: cannot drop \(path)'s cached pages first: \(Syscall.errorString(flushError)); the buffered figure may include cached reads"
        }
        return r
    }

    /// hdparm -T: reads of the same cached 2 MiB region for about `seconds`, into a locked,
    /// pre-faulted anonymous buffer (as hdparm's prepare_timing_buf), lseek + read each time,
    /// with the lseek and clock overhead measured and taken out as hdparm does. The result is
    /// what hdparm -T prints for the same target.
    public static func cachedReads(_ path: String, seconds: Double = 2) throws -> BaselineResult {
        let fd = try Syscall.open(path, flags: O_RDONLY, mode: 0)
        defer { Syscall.close(fd) }
        guard try targetSize(fd, path) >= UInt64(chunk) else { throw EngineError(errno: EINVAL, "baseline: \(path) is smaller than 2 MiB") }
        guard let buf = mmap(nil, chunk, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0), buf != MAP_FAILED else {
            throw EngineError(errno: errno, "baseline: cannot map a 2 MiB buffer")
        }
        defer { munmap(buf, chunk) }
        let bytes = buf.bindMemory(to: UInt8.self, capacity: chunk)
        for i in stride(from: 0, to: chunk, by: 4096) { bytes[i] = 0 }
        _ = mlock(buf, chunk)   // best effort, as hdparm
        func readChunk() throws {
            var got = 0
            _ = lseek(fd, 0, SEEK_SET)
            while got < chunk {
                let n = Syscall.retry { read(fd, buf + got, chunk - got) }
                if n <= 0 { throw EngineError(errno: n < 0 ? Int32(-n) : EIO, "baseline: cached read of \(path) failed") }
                got += n
            }
            // hdparm's read_big_block() then touches every sector of the buffer to be sure the
            // read fully completed; that is part of what its figure measures.
            cswio_touch_sectors(bytes, chunk)
        }
        try readChunk()   // prime the cache
        let start = cswio_now_ns()
        let limit = UInt64(seconds * 1e9)
        var iterations: UInt64 = 0
        var end = start
        repeat {
            try readChunk()
            iterations += 1
            end = cswio_now_ns()
        } while end - start < limit && cswio_should_stop() == 0
        // Overhead of the lseek and the clock read, per iteration.
        let o0 = cswio_now_ns()
        for _ in 0..<iterations { _ = lseek(fd, 0, SEEK_SET); _ = cswio_now_ns() }
        let overhead = cswio_now_ns() - o0
        let elapsed = Double(end - start - min(overhead, (end - start) / 2)) / 1e9
        return BaselineResult(target: path, kind: .cached, bytes: iterations * UInt64(chunk), seconds: elapsed)
    }

    static func targetSize(_ fd: Int32, _ path: String) throws -> UInt64 {
        if cswio_is_blockdev(fd) == 1 {
            var size: UInt64 = 0
            guard cswio_blk_size64(fd, &size) == 0 else { throw EngineError(errno: errno, "baseline: cannot size \(path)") }
            return size
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw EngineError(errno: errno, "baseline: cannot stat \(path)") }
        return UInt64(st.st_size)
    }

    /// 0, or the errno of the step that failed (BLKFLSBUF needs CAP_SYS_ADMIN).
    static func flushCache(_ fd: Int32) -> Int32 {
        if cswio_is_blockdev(fd) == 1 {
            if fsync(fd) != 0 || cswio_blk_flsbuf(fd) != 0 { return errno }
            return 0
        }
        return posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
    }

    /// Reads a saved `swio baseline --output-format=json` report: target -> results.
    public static func parseSaved(_ text: String) -> [BaselineResult] {
        // A tiny reader for our own format: {"baselines":[{"target":..,"kind":..,"bytes":..,"seconds":..},..]}
        var out: [BaselineResult] = []
        for obj in text.split(separator: "{").dropFirst() {
            func field(_ k: String) -> String? {
                guard let r = obj.firstRange(of: "\"\(k)\"") else { return nil }
                var rest = obj[r.upperBound...].drop { $0 == " " || $0 == ":" }
                if rest.first == "\"" {
                    rest = rest.dropFirst()
                    return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
                }
                let numberChars: Set<Character> = [".", "e", "E", "-", "+"]
                return String(rest.prefix { (c: Character) -> Bool in c.isNumber || numberChars.contains(c) })
            }
            guard let t = field("target"), let k = field("kind").flatMap(BaselineResult.Kind.init(rawValue:)),
                  let b = field("bytes").flatMap(UInt64.init), let s = field("seconds").flatMap(Double.init),
                  s.isFinite, s >= 0 else { continue }
            out.append(BaselineResult(target: t, kind: k, bytes: b, seconds: s))
        }
        return out
    }
}
