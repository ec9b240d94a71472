// Offset, size and direction generation for one job: what fio's get_io_u()/get_next_offset()
// do. Everything here is a trivial struct or raw memory, so the I/O loop stays free of ARC.

/// xoshiro256** seeded through splitmix64: fast, and the same seed gives the same sequence
/// (randrepeat/randseed).
public struct RandomGenerator: Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64
    public init(seed: UInt64) {
        var x = seed
        func split(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = split(&x); s1 = split(&x); s2 = split(&x); s3 = split(&x)
    }
    @inlinable public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }
    /// Uniform in 0..<n (Lemire's multiply-shift; the tiny bias is irrelevant here).
    @inlinable public mutating func below(_ n: UInt64) -> UInt64 {
        n == 0 ? 0 : next().multipliedFullWidth(by: n).high
    }
    /// Uniform in [0, 1).
    @inlinable public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

/// One file's I/O region and its per-direction positions.
public struct FileRegion {
    public var fd: Int32
    public var start: UInt64
    public var length: UInt64
    /// Next sequential offset per direction, relative to start.
    public var position: (UInt64, UInt64, UInt64) = (0, 0, 0)
    /// rw_sequencer=identical: the last random offset per direction, relative to start.
    @usableFromInline var repeatStarts: (UInt64, UInt64, UInt64) = (0, 0, 0)
    @inlinable func repeatStart(_ d: Int) -> UInt64 { d == 0 ? repeatStarts.0 : d == 1 ? repeatStarts.1 : repeatStarts.2 }
    @inlinable mutating func setRepeatStart(_ d: Int, _ v: UInt64) {
        switch d { case 0: repeatStarts.0 = v case 1: repeatStarts.1 = v default: repeatStarts.2 = v }
    }
    /// Random map: one bit per `mapGranule` bytes (nil with norandommap).
    public var map: UnsafeMutablePointer<UInt64>?
    public var mapWords: Int = 0
    public var mapBlocks: UInt64 = 0
    public var mapUsed: UInt64 = 0
    public var mapGranule: UInt64 = 1
    /// Done for this pass (fio's "file done"): skipped until every file of the job is.
    public var passDone = false
    /// rw=read:N: the last I/O ended at the file's end, so the next one ends the pass (fio
    /// wraps a skip past the file's end inside the pass, but not a position already there).
    public var endedAtEnd = false
    /// The file's size (fio's real_file_size), which decides where a sequential skip wraps;
    /// the region's end where nothing larger is known.
    public var fileSize: UInt64
    public init(fd: Int32, start: UInt64, length: UInt64, fileSize: UInt64? = nil) {
        self.fd = fd; self.start = start; self.length = length; self.fileSize = fileSize ?? start + length
    }

    /// Every block free again, for a new pass.
    @inlinable mutating func clearMap() {
        guard let map else { return }
        map.update(repeating: 0, count: mapWords)
        mapUsed = 0
    }
}

public struct Workload {
    public var files: UnsafeMutablePointer<FileRegion>
    public var fileCount: Int
    @usableFromInline var nextFile = 0
    /// file_service_type other than plain round robin (picked out of line), the file in
    /// service, the I/Os it still gets, and the generator of random picks (apart from the
    /// offsets', so the offsets do not change with the service).
    @usableFromInline let pickedFiles: Bool
    @usableFromInline var filePicker: FilePicker
    public var rng: RandomGenerator
    @usableFromInline let mode: RWMode
    @usableFromInline let random: Bool
    @usableFromInline let readPercent: UInt64
    @usableFromInline let bs: (UInt64, UInt64, UInt64)
    @usableFromInline let align: (UInt64, UInt64, UInt64)
    @usableFromInline let ranges: [SizeRange]?
    /// bssplit per direction as cumulative (threshold in 1/10000, size).
    @usableFromInline let splits: [[(UInt64, UInt64)]]?
    @usableFromInline let distribution: RandomDistribution
    @usableFromInline let uniform: Bool
    /// Random: I/Os per new random offset (rw=randread:N). Sequential: bytes skipped after each I/O.
    @usableFromInline let sequencer: UInt64
    @usableFromInline var sequencerLeft: UInt64 = 0
    /// rw_sequencer=identical: the I/Os of a run repeat the file's last random offset in
    /// their direction (fio's f->last_start[ddir]).
    @usableFromInline let sequencerRepeats: Bool
    /// rw=read:N: added after each sequential I/O; negative reads backwards (read:-8k).
    @usableFromInline let seqSkip: Int64
    /// percentage_random below 100 in some direction; then each new offset is random with
    /// that direction's chance, else it follows the last one.
    @usableFromInline let partlyRandom: Bool
    @usableFromInline let randomPercent: (UInt64, UInt64, UInt64)
    /// trimwrite: the write that follows a trim goes to the same place.
    @usableFromInline var pendingTrimWrite: (Int32, UInt64, Int, Int)? = nil
    @usableFromInline var zipf: ZipfSampler?
    /// With tracksPasses, set when a fill had to start the region over (a sequential position
    /// past the end, or a full random map): fio's "file done", which ends a pass of a job that
    /// is not time_based.
    public var passEnded = false
    /// Set for the verify phase and a replay: I/Os come from this list.
    @usableFromInline var script: IOScript? = nil
    @usableFromInline var scriptIndex = 0
    public var tracksPasses = false
    /// Set by a fill whose file had to start over, for fill() to settle (regionDone()).
    @usableFromInline var wrapped = false
    @usableFromInline var filesDone = 0

    public init(job: JobConfig, files: UnsafeMutablePointer<FileRegion>, fileCount: Int, seed: UInt64) {
        self.files = files
        self.fileCount = fileCount
        rng = RandomGenerator(seed: seed)
        pickedFiles = fileCount > 1 && (job.fileService != .roundRobin || job.fileServiceSwitch > 1)
        filePicker = FilePicker(job.fileService, switchAfter: job.fileServiceSwitch, fileCount: fileCount, seed: seed ^ 0x9E37_79B9_7F4A_7C15)
        mode = job.rw
        random = job.rw.isRandom
        readPercent = UInt64(job.rwmixread)
        bs = (job.bs[0], job.bs[1], job.bs[2])
        align = (job.blockalign[0], job.blockalign[1], job.blockalign[2])
        ranges = job.bsrange
        if let s = job.bssplit {
            splits = s.map { split in
                var acc = 0.0
                return split.entries.map { e in acc += e.percent; return (UInt64((acc * 100).rounded()), e.size) }
            }
        } else { splits = nil }
        distribution = job.distribution
        uniform = job.distribution == .uniform
        randomPercent = (job.percentageRandom[0], job.percentageRandom[1], job.percentageRandom[2])
        partlyRandom = job.rw.isRandom && job.percentageRandom.contains { $0 < 100 }
        sequencerRepeats = job.rw.isRandom && job.sequencer > 1 && job.sequencerRepeats
        let rwRaw = (job.definition["rw"] ?? "").split(separator: ":")
        if job.rw.isRandom {
            sequencer = UInt64(job.sequencer)
            seqSkip = 0
        } else {
            sequencer = 1
            if rwRaw.count > 1 {
                let n = String(rwRaw[1]), back = n.hasPrefix("-")
                let b = Int64(clamping: (try? Values.bytes(back ? String(n.dropFirst()) : n, kbBase: job.kbBase)) ?? 0)
                seqSkip = back ? -b : b
            } else { seqSkip = 0 }
        }
        // fio's get_next_seq_offset() rewinds a backwards job whose region starts past 0 to the
        // region's length, taken as a file position (not start + length), before its first I/O.
        if seqSkip < 0 {
            for i in 0..<fileCount where files[i].start > 0 {
                let len = files[i].length
                let first: UInt64
                if len < files[i].start { first = UInt64(max(0, Int64(clamping: len) &+ seqSkip)) }
                else if len == files[i].start { first = 0 }
                else { first = skipped(len - files[i].start, regionLen: len) }
                files[i].position = (first, first, first)
            }
        }
        if case .zipf(let theta) = job.distribution {
            let maxBlocks = (0..<fileCount).map { files[$0].length / max(1, job.blockalign[0]) }.max() ?? 1
            zipf = ZipfSampler(n: max(1, maxBlocks), theta: theta)
        }
    }

    @inlinable func blockSize(_ d: Int) -> UInt64 {
        switch d { case 0: return bs.0 case 1: return bs.1 default: return bs.2 }
    }
    @inlinable func alignment(_ d: Int) -> UInt64 {
        switch d { case 0: return align.0 case 1: return align.1 default: return align.2 }
    }

    /// Picks the direction of the next I/O.
    @inlinable mutating func nextDirection() -> IOKind {
        switch mode {
        case .read, .randread: return .read
        case .write, .randwrite: return .write
        case .trim, .randtrim: return .trim
        case .rw, .randrw: return rng.below(100) < readPercent ? .read : .write
        case .trimwrite, .randtrimwrite: return pendingTrimWrite == nil ? .trim : .write
        }
    }

    @inlinable mutating func nextLength(_ d: Int) -> UInt64 {
        if let splits {
            let r = rng.below(10000)
            for (threshold, size) in splits[d] where r < threshold { return size }
            return splits[d].last!.1
        }
        if let ranges {
            // fio's get_next_buflen(): min + U[0, max), rounded down to a multiple of min and
            // capped at max (so max comes up more often than the sizes between; bsrange=4k-64k
            // averages 35.5k, 118 writes for 4 MiB in fio 3.33).
            let r = ranges[d]
            var len = r.low + rng.below(r.high)
            if r.low.nonzeroBitCount == 1 { len &= ~(r.low - 1) } else { len -= len % r.low }
            return Swift.min(Swift.max(len, r.low), r.high)
        }
        return blockSize(d)
    }

    /// Fills in kind, fd, offset and length of the next I/O.
    @inlinable @inline(__always) public mutating func next(_ u: UnsafeMutablePointer<IOUnit>) {
        fill(u, kind: nextDirection())
    }

    /// The next I/O of a script (the verify phase's reads, a replayed log).
    @usableFromInline @inline(never) mutating func nextScripted(_ u: UnsafeMutablePointer<IOUnit>) {
        let e = script.unsafelyUnwrapped.entries[scriptIndex]
        u.pointee.kind = e.kind
        u.pointee.fileIndex = e.fileIndex
        u.pointee.fd = files[Int(e.fileIndex)].fd
        u.pointee.offset = e.offset
        u.pointee.length = e.length
        u.pointee.tag = scriptIndex
        scriptIndex += 1
    }

    /// Fills in the next I/O of direction `kind` (from nextDirection(), or a rate's choice).
    @inlinable @inline(__always) mutating func fill(_ u: UnsafeMutablePointer<IOUnit>, kind: IOKind) {
        if let p = pendingTrimWrite, kind == .write {
            u.pointee.kind = .write; u.pointee.fd = p.0; u.pointee.offset = p.1; u.pointee.length = p.2
            u.pointee.fileIndex = Int32(p.3)
            pendingTrimWrite = nil
            return
        }
        let d = Int(kind.rawValue)
        var fi = nextFile
        if fileCount > 1 {
            if pickedFiles { fi = pickFile() } else {
                while files[fi].passDone { fi = fi + 1 == fileCount ? 0 : fi + 1 }
                nextFile = fi + 1 == fileCount ? 0 : fi + 1
            }
        }
        let f = files + fi
        var len = nextLength(d)
        let regionLen = f.pointee.length
        if len > regionLen { len = regionLen }
        var rel: UInt64
        if random && sequencerLeft == 0 && (!partlyRandom || takesRandomOffset(d)) {
            rel = randomOffset(f, d: d, len: &len)
            sequencerLeft = sequencer - 1
            setPosition(f, d, rel + len)
            if sequencerRepeats { f.pointee.setRepeatStart(d, rel) }
        } else if sequencerRepeats && sequencerLeft > 0 {
            sequencerLeft -= 1
            rel = f.pointee.repeatStart(d)
            if rel >= regionLen { rel = 0 }
            len = Swift.min(len, regionLen - rel)
        } else {
            // (percentage_random can land here with no sequencer run left)
            if sequencerLeft > 0 { sequencerLeft -= 1 }
            rel = position(f, d)
            if rel + len > regionLen {
                // fio's get_next_buflen(): mixed sizes are drawn again until one fits what is
                // left of the region, so a pass moves exactly its size; only when even the
                // smallest does not fit does the pass end.
                if (splits != nil || ranges != nil) && rel < regionLen && regionLen - rel >= blockSize(d) {
                    len = length(d, fitting: regionLen - rel)
                } else {
                    // The region is done (fio's "file done"): for a sequential job, unless a
                    // skip (rw=read:256k) carried the position past the end of the file (not
                    // just of a smaller region), where fio's get_next_seq_offset() starts over
                    // inside the pass; not for a random job's sequential run (randread:N),
                    // whose next offset fio draws at random instead.
                    let endsPass = !random && (seqSkip == 0 || f.pointee.endedAtEnd || (seqSkip > 0 && rel < f.pointee.fileSize))
                    // A skip past the file's end wraps to file_offset taken as a position
                    // inside the region (offset=1m starts the second lap 1m in, at 2m); the
                    // pass ends if that is past the region. (len fits the region, so the
                    // other cases, lapStart 0, never end it here.)
                    let lapStart = !random && seqSkip > 0 && !endsPass ? f.pointee.start : 0
                    if endsPass || lapStart + len > regionLen { wrapped = tracksPasses; rel = 0 } else { rel = lapStart }
                }
            }
            if seqSkip == 0 {
                setPosition(f, d, rel + len)
            } else {
                f.pointee.endedAtEnd = seqSkip > 0 && f.pointee.start + rel + len >= f.pointee.fileSize
                setPosition(f, d, skipped(rel + len, regionLen: regionLen))
            }
        }
        if wrapped {
            wrapped = false
            if regionDone(fi) { fillAgain(u, kind: kind); return }
        }
        u.pointee.kind = kind
        u.pointee.fd = f.pointee.fd
        u.pointee.fileIndex = Int32(fi)
        u.pointee.offset = f.pointee.start + rel
        u.pointee.length = Int(len)
        if kind == .trim && (mode == .trimwrite || mode == .randtrimwrite) {
            pendingTrimWrite = (f.pointee.fd, u.pointee.offset, Int(len), fi)
        }
    }

    /// fill() once more, kept out of line so that fill() itself is not recursive and inlines.
    @inline(never) @usableFromInline mutating func fillAgain(_ u: UnsafeMutablePointer<IOUnit>, kind: IOKind) {
        fill(u, kind: kind)
    }

    /// File fi got to the end of its region in this pass (fio's "file done"). While other files
    /// are still going it sits out the rest of the pass; when it was the last, every file starts
    /// over, from the first, and passEnded tells the I/O loop that a pass ended. True asks the
    /// caller to fill again (from another file, or the next pass's first); with one file the
    /// fill that wrapped is already the next pass's first I/O.
    @usableFromInline mutating func regionDone(_ fi: Int) -> Bool {
        guard fileCount > 1 else { passEnded = true; return false }
        files[fi].passDone = true
        filesDone += 1
        if filesDone < fileCount { return true }
        for i in 0..<fileCount {
            files[i].passDone = false
            files[i].position = (0, 0, 0)
            files[i].clearMap()
        }
        filesDone = 0
        nextFile = 0
        filePicker.current = -1
        passEnded = true
        return true
    }

    @inlinable mutating func takesRandomOffset(_ d: Int) -> Bool {
        let pct = d == 0 ? randomPercent.0 : d == 1 ? randomPercent.1 : randomPercent.2
        return rng.below(100) < pct
    }

    /// The next sequential position after a skip. Going backwards past the start wraps to the
    /// region's end plus the skip, where fio 3.33 continues (read:-8k, 4k blocks, 32k: 0, 24k,
    /// 20k, ...; read:-12k: 0, 20k, 12k, 4k, 20k, ...).
    @inlinable func skipped(_ next: UInt64, regionLen: UInt64) -> UInt64 {
        let p = Int64(clamping: next).addingReportingOverflow(seqSkip)
        if !p.overflow && p.partialValue >= 0 { return UInt64(p.partialValue) }
        if p.overflow { return regionLen }   // far past the end: wraps to the start
        return UInt64(max(0, Int64(clamping: regionLen) &+ seqSkip))
    }

    @inlinable func position(_ f: UnsafeMutablePointer<FileRegion>, _ d: Int) -> UInt64 {
        switch d { case 0: return f.pointee.position.0 case 1: return f.pointee.position.1 default: return f.pointee.position.2 }
    }
    @inlinable func setPosition(_ f: UnsafeMutablePointer<FileRegion>, _ d: Int, _ v: UInt64) {
        switch d { case 0: f.pointee.position.0 = v case 1: f.pointee.position.1 = v default: f.pointee.position.2 = v }
    }

    /// A random, aligned offset relative to the region start. With the random map, an offset
    /// already used in this pass is replaced by the next free block (fio's axmap_next_free).
    @inlinable mutating func randomOffset(_ f: UnsafeMutablePointer<FileRegion>, d: Int, len: inout UInt64) -> UInt64 {
        let al = max(alignment(d), 1)
        let regionLen = f.pointee.length
        let blocks = regionLen >= len ? (regionLen - len) / al + 1 : 1
        var block: UInt64
        if uniform {
            block = rng.below(blocks)
        } else {
            block = nonUniformBlock(blocks)
        }
        if let map = f.pointee.map, uniform {
            let granule = f.pointee.mapGranule
            var idx = block * al / granule
            if f.pointee.mapUsed >= f.pointee.mapBlocks {
                // Every block done once: start a new pass.
                f.pointee.clearMap()
                wrapped = tracksPasses
            }
            idx = Workload.claimFree(map, words: f.pointee.mapWords, blocks: f.pointee.mapBlocks, from: idx)
            f.pointee.mapUsed += 1
            let span = (len + granule - 1) / granule
            let off = idx * granule
            // As fio's mark_random_map(): where the map's unit is this direction's alignment and
            // smallest size, only the free run from the claimed block is marked and the I/O is
            // shortened to it (and to the region's end), so each block of a pass is done once
            // and the pass moves exactly its size; the shortened I/O stays aligned and at least
            // bs long. Otherwise (ba or bs larger than the unit) the I/O keeps its size and
            // alignment and marks every unit it covers.
            let shortens = al == granule && blockSize(d) == granule
            if span == 1 && shortens && off + len <= regionLen { return off }   // the common case, nothing to mark
            var k = idx + 1
            while k < idx + span && k < f.pointee.mapBlocks {
                let w = Int(k >> 6), bit = UInt64(1) << (k & 63)
                if map[w] & bit == 0 { map[w] |= bit; f.pointee.mapUsed += 1 } else if shortens { break }
                k += 1
            }
            if shortens {
                len = Swift.min(len, (k - idx) * granule, regionLen - off)
                return off
            }
            block = off / al
            if block >= blocks { block = blocks - 1 }
        }
        return block * al
    }

    /// A size for direction d no larger than `room` (at least the smallest size): drawn again
    /// until one fits, as fio's get_next_buflen() does.
    @inlinable mutating func length(_ d: Int, fitting room: UInt64) -> UInt64 {
        for _ in 0..<64 {
            let l = nextLength(d)
            if l <= room { return l }
        }
        return Swift.min(blockSize(d), room)
    }

    @inlinable static func claimFree(_ map: UnsafeMutablePointer<UInt64>, words: Int, blocks: UInt64, from: UInt64) -> UInt64 {
        var idx = from < blocks ? from : 0
        var w = Int(idx >> 6)
        let bit = UInt64(1) << (idx & 63)
        if map[w] & bit == 0 { map[w] |= bit; return idx }
        // Scan forward for a clear bit, wrapping once.
        var mask = ~map[w] & ~((bit << 1) &- 1)
        var scanned = 0
        while scanned <= words {
            if mask != 0 {
                let b = UInt64(mask.trailingZeroBitCount)
                idx = UInt64(w) << 6 | b
                if idx < blocks { map[w] |= UInt64(1) << b; return idx }
            }
            w += 1
            if w >= words { w = 0 }
            mask = ~map[w]
            scanned += 1
        }
        return from % blocks
    }

    @usableFromInline mutating func nonUniformBlock(_ blocks: UInt64) -> UInt64 {
        switch distribution {
        case .uniform: return rng.below(blocks)
        case .zipf:
            let v = zipf!.sample(&rng)
            return Workload.scatter(v) % blocks
        case .pareto(let h):
            return Workload.scatter(Workload.pareto(&rng, h: h, below: blocks)) % blocks
        case .normal(let dev):
            return Workload.normal(&rng, deviation: dev, below: blocks)
        case .zoned(let zones):
            let r = rng.unit() * 100
            var acc = 0.0, regionStart = 0.0
            for (i, z) in zones.enumerated() {
                acc += z.access
                if r < acc || i == zones.count - 1 {
                    let lo = UInt64(regionStart / 100 * Double(blocks))
                    let width = max(1, UInt64(z.region / 100 * Double(blocks)))
                    return min(lo + rng.below(width), blocks - 1)
                }
                regionStart += z.region
            }
            return rng.below(blocks)
        }
    }

    /// fio's pareto_next(): pow(u, log(h)/log(1-h)) of `n` concentrates on small values.
    static func pareto(_ rng: inout RandomGenerator, h: Double, below n: UInt64) -> UInt64 {
        let v = UInt64(pow(rng.unit(), log(h) / log(1 - h)) * Double(n))
        return min(v, n - 1)
    }

    /// Box-Muller around the middle of 0..<n, the deviation dev% of n.
    static func normal(_ rng: inout RandomGenerator, deviation dev: Double, below n: UInt64) -> UInt64 {
        let u1 = max(rng.unit(), 1e-12), u2 = rng.unit()
        let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        let v = Double(n) / 2 + z * Double(n) * dev / 100
        return UInt64(min(max(v, 0), Double(n - 1)))
    }

    /// Spreads popular ranks over the region (fio hashes them the same way).
    @inlinable static func scatter(_ v: UInt64) -> UInt64 {
        var x = v &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 29
        return x
    }
}

import Glibc

/// Zipf sampler by rejection-inversion (Hörmann and Derflinger), O(1) per sample.
public struct ZipfSampler: Sendable {
    let n: Double, s: Double
    let hIntegralX1: Double, hIntegralN: Double, sConst: Double
    public init(n: UInt64, theta: Double) {
        self.n = Double(n); s = theta
        func hi(_ x: Double, _ s: Double) -> Double { ZipfSampler.helper2((1 - s) * log(x)) * log(x) }
        hIntegralX1 = hi(1.5, theta) - 1
        hIntegralN = hi(Double(n) + 0.5, theta)
        sConst = 2 - ZipfSampler.hIntegralInverse(hi(2.5, theta) - exp(-theta * log(2)), theta)
    }
    static func helper1(_ x: Double) -> Double { abs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x)) }
    static func helper2(_ x: Double) -> Double { abs(x) > 1e-8 ? expm1(x) / x : 1 + x * 0.5 * (1 + x * (1.0 / 3) * (1 + 0.25 * x)) }
    static func hIntegralInverse(_ x: Double, _ s: Double) -> Double {
        var t = x * (1 - s)
        if t < -1 { t = -1 }
        return exp(helper1(t) * x)
    }
    func hIntegral(_ x: Double) -> Double { ZipfSampler.helper2((1 - s) * log(x)) * log(x) }
    func h(_ x: Double) -> Double { exp(-s * log(x)) }
    /// Rank in 0..<n (0 most popular). Rejection-inversion accepts almost every draw for sane thetas; the bound keeps a
    /// degenerate one (rounding at extreme thetas) from spinning past runtime and signals.
    public func sample(_ rng: inout RandomGenerator) -> UInt64 {
        var k = 1.0
        for _ in 0..<64 {
            let u = hIntegralN + rng.unit() * (hIntegralX1 - hIntegralN)
            let x = ZipfSampler.hIntegralInverse(u, s)
            k = (x + 0.5).rounded(.down)
            if !(k >= 1) { k = 1 } else if k > n { k = n }
            if k - x <= sConst || u >= hIntegral(k + 0.5) - h(k) { break }
        }
        return UInt64(k) - 1
    }
}
