// What a write buffer holds when the job asks for dedupable or compressible data (fio's
// dedupe_percentage, dedupe_mode, buffer_compress_percentage): each buffer comes from a seed,
// and a duplicate reuses an earlier one's seed, so its bytes are the same; within each
// buffer_compress_chunk the last compress-percent of the bytes are zeros.

public final class BufferContents {
    let dedupePercent: UInt64
    let compressPercent: Int
    let chunk: Int
    var decisions: RandomGenerator
    var seeds: RandomGenerator
    var lastUnique: UInt64? = nil
    /// dedupe_mode=working_set: the seeds duplicates are drawn from (the job's first unique
    /// buffers), and how many of them have been written.
    var workingSet: [UInt64]
    var uniques = 0

    public init?(_ c: JobConfig, blockSize: UInt64, jobBytes: UInt64) {
        guard c.dedupePercent > 0 || c.compressPercent > 0 else { return nil }
        dedupePercent = UInt64(c.dedupePercent)
        compressPercent = c.compressPercent
        chunk = c.compressChunk
        decisions = RandomGenerator(seed: c.seed ^ 0xdede_9e00_0000_0001)
        var s = RandomGenerator(seed: c.seed ^ 0x5eed_5eed_0000_0002)
        var set: [UInt64] = []
        if let pct = c.dedupeWorkingSet {
            let n = Int(max(1, jobBytes * UInt64(pct) / 100 / max(1, blockSize)))
            for _ in 0..<n { set.append(s.next()) }
        }
        seeds = s
        workingSet = set
    }

    @usableFromInline func fill(_ u: UnsafeMutablePointer<IOUnit>) {
        let seed: UInt64
        let duplicate = dedupePercent > 0 && decisions.below(100) < dedupePercent
        if duplicate, !workingSet.isEmpty, uniques > 0 {
            seed = workingSet[Int(decisions.below(UInt64(min(uniques, workingSet.count))))]
        } else if duplicate, workingSet.isEmpty, let last = lastUnique {
            seed = last
        } else if uniques < workingSet.count {
            seed = workingSet[uniques]
            uniques += 1
        } else {
            seed = seeds.next()
            lastUnique = seed
            uniques += 1
        }
        var rng = RandomGenerator(seed: seed)
        let buf = u.pointee.buffer, len = u.pointee.length
        let randomPerChunk = chunk - chunk * compressPercent / 100
        var at = 0
        while at < len {
            let n = min(chunk, len - at)
            let r = min(n, randomPerChunk)
            var i = 0
            while i + 8 <= r { buf.storeBytes(of: rng.next(), toByteOffset: at + i, as: UInt64.self); i += 8 }
            while i < r { buf.storeBytes(of: UInt8(truncatingIfNeeded: rng.next()), toByteOffset: at + i, as: UInt8.self); i += 1 }
            if n > r { (buf + at + r).initializeMemory(as: UInt8.self, repeating: 0, count: n - r) }
            at += n
        }
    }
}
