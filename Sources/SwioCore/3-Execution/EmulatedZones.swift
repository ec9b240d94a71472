// fio's zonemode=zbd on a regular file or a block device that is not zoned: fio emulates zones
// of zonesize there, each with a write pointer, all empty when the job starts. A write goes to
// its zone's write pointer (a full zone is reset first, or with verify skipped: resetting would
// lose what is to be verified); with max_open_zones, writes keep to that many zones at a time;
// zone_reset_threshold/frequency reset zones periodically once enough of them hold data.
// A read stays below its zone's write pointer, or moves to the next zone with data (either
// side for random reads); with no data left anywhere, the job ends (fio's io_u_eof), except
// that a job that also writes writes instead while every zone is empty. A trim resets the
// zones it covers. The zones are the job's own: each job starts with them empty, as each fio
// run does (fio's jobs on one file share them).

#if canImport(Glibc)
import Glibc
#endif

public final class EmulatedZones {
    @usableFromInline struct Zone {
        var start: UInt64
        var wp: UInt64
        var open = false
    }
    let zoneSize: UInt64
    let capacity: UInt64
    /// max_open_zones (per file) and job_max_open_zones (for the job); 0: no limit.
    let maxOpen: Int
    let jobMaxOpen: Int
    let random: Bool
    let verifying: Bool
    /// The job both reads and writes: a read while no zone holds data becomes a write.
    let readsAndWrites: Bool
    /// read_beyond_wp: a read is taken where it is, past the write pointer too (fio's
    /// zbd_adjust_block() accepts it as it is).
    let readBeyondWP: Bool
    /// Per file: bytes below the write pointers.
    var data: [UInt64]
    let minBlock: (read: UInt64, write: UInt64)
    /// Per file: its zones, and the span of them the job's region covers.
    var zones: [[Zone]]
    var span: [Range<Int>]
    var openCount: [Int]
    var jobOpenCount = 0
    /// zone_reset_frequency: past the threshold (per file, bytes with data), a zone is reset
    /// before every `resetEvery`-th write (fio's write_cnt); 0: never.
    let resetEvery: UInt64
    var writesToReset: UInt64
    var threshold: [UInt64]
    var rng: RandomGenerator
    /// fio's nr_zone_resets, for the report's "N zone resets".
    public internal(set) var resets: UInt64 = 0
    /// Bytes a sequential write jumped over (a zone's unwritable end past zonecapacity), which
    /// count toward the job's size as fio's io_skip_bytes do; taken by the loop after adjust().
    var skipped: UInt64 = 0

    init(_ z: JobConfig.ZonedEmulation, job: JobConfig, workload: Workload) {
        zoneSize = z.size
        capacity = z.capacity
        maxOpen = z.maxOpen
        jobMaxOpen = z.jobMaxOpen
        random = job.rw.isRandom
        verifying = job.verify != nil
        readsAndWrites = job.rw.directions.contains(.read) && job.rw.directions.contains(.write)
        readBeyondWP = z.readBeyondWP
        minBlock = (job.blockSizes(0).min, job.blockSizes(1).min)
        rng = RandomGenerator(seed: job.seed ^ 0x2b0_0000_0000_0005)
        resetEvery = z.resetFrequency > 0 ? UInt64(Swift.min(1 / z.resetFrequency, Double(UInt32.max))) : 0
        writesToReset = resetEvery
        threshold = (0..<workload.fileCount).map { UInt64(Double(workload.files[$0].length) * z.resetThreshold) }
        zones = []
        span = []
        data = [UInt64](repeating: 0, count: workload.fileCount)
        openCount = [Int](repeating: 0, count: workload.fileCount)
        for i in 0..<workload.fileCount {
            let f = workload.files[i]
            let n = Int((f.fileSize + zoneSize - 1) / zoneSize)
            zones.append((0..<n).map { Zone(start: UInt64($0) * z.size, wp: UInt64($0) * z.size) })
            span.append(EmulatedZones.wholeZones(f, zoneSize))
        }
    }

    /// The whole zones inside a file's region and the file (fio's zbd_zone_align_file_sizes()).
    static func wholeZones(_ f: FileRegion, _ zoneSize: UInt64) -> Range<Int> {
        let first = Int((f.start + zoneSize - 1) / zoneSize)
        let end = Int(Swift.min(f.start &+ f.length, f.fileSize) / zoneSize)
        return first..<Swift.max(first, end)
    }

    /// What fio refuses before the job starts: a file smaller than a zone, a region without a
    /// whole zone to write in.
    static func check(_ z: JobConfig.ZonedEmulation, job: JobConfig, workload: Workload, paths: [String]) -> String? {
        for i in 0..<workload.fileCount {
            let f = workload.files[i]
            let path = i < paths.count ? paths[i] : "file \(i)"
            if f.fileSize < z.size { return "\(path): file/device size \(f.fileSize) is smaller than zone size \(z.size)" }
            if job.rw.directions.contains(.write) && wholeZones(f, z.size).isEmpty {
                return "\(path): the job's region (offset \(f.start), \(f.length) bytes) holds no whole zone of \(z.size) bytes to write in"
            }
        }
        return nil
    }

    /// A new loop (loops=N): with verify on, the zones start empty again (fio's
    /// zbd_file_reset()), so what the loop writes can be read back. A pass that io_size asks
    /// for finds them full and ends the job, as fio's does.
    func newPass(loop: Bool) {
        guard verifying && loop else { return }
        for f in zones.indices { for z in span[f] { reset(f, z); close(f, z) } }
    }

    /// Moves a filled I/O onto the zones; false when there is nothing it can do (the job ends).
    func adjust(_ u: UnsafeMutablePointer<IOUnit>) -> Bool {
        let f = Int(u.pointee.fileIndex)
        guard !span[f].isEmpty || u.pointee.kind != .write, !zones[f].isEmpty else { return false }
        var z = Swift.min(Int(u.pointee.offset / zoneSize), zones[f].count - 1)
        if u.pointee.kind == .write { z = Swift.min(Swift.max(z, span[f].lowerBound), span[f].upperBound - 1) }
        // fio's zbd_adjust_ddir(): with every zone empty, a read-and-write job writes first.
        if u.pointee.kind == .read && readBeyondWP { return true }
        if u.pointee.kind == .read && readsAndWrites && data[f] == 0 {
            u.pointee.kind = .write
            u.pointee.length = Swift.max(u.pointee.length, Int(minBlock.write))
        }
        switch u.pointee.kind {
        case .write:
            let minBS = minBlock.write
            if !random && capacity < zoneSize && u.pointee.offset >= zones[f][z].start &+ capacity {
                // fio's setup_zbd_zone_mode(): a sequential write at a zone's capacity limit
                // jumps to the zone's end.
                let end = zones[f][z].start &+ zoneSize
                skipped &+= end &- u.pointee.offset
                guard z + 1 < span[f].upperBound else { return false }
                z += 1
                u.pointee.offset = end
            }
            guard UInt64(u.pointee.length) <= zoneSize, let open = openZone(f, z) else { return false }
            z = open
            // Garbage collection: past the threshold, every resetEvery-th write resets its zone.
            var collect = false
            if resetEvery > 0 && data[f] >= threshold[f] {
                writesToReset -= 1
                if writesToReset == 0 { writesToReset = resetEvery; collect = true }
            }
            if collect || zones[f][z].wp &+ minBS > zones[f][z].start &+ capacity {
                if verifying { return false }
                reset(f, z)
            }
            let zone = zones[f][z]
            u.pointee.offset = zone.wp
            let room = (zone.start &+ capacity - zone.wp) / minBS * minBS
            if UInt64(u.pointee.length) > room {
                guard room >= minBS else { return false }
                u.pointee.length = Int(room)
            }
            zones[f][z].wp &+= UInt64(u.pointee.length)
            data[f] &+= UInt64(u.pointee.length)
            if zones[f][z].wp &+ minBS > zones[f][z].start &+ capacity { close(f, z) }
            return true
        case .read:
            let minBS = minBlock.read
            let origin = zones[f][z].start
            var zone = zones[f][z]
            if zone.wp - zone.start < minBS || (!random && u.pointee.offset &+ minBS > zone.wp) {
                guard let other = zoneWithData(f, from: z, minBS) else { return false }
                z = other
                zone = zones[f][z]
                if !random { u.pointee.offset = zone.start }
            }
            let range = zone.wp - zone.start
            if range <= UInt64(u.pointee.length) {
                u.pointee.offset = zone.start
            } else if random {
                u.pointee.offset = zone.start + ((u.pointee.offset - origin) % (range - UInt64(u.pointee.length))) / minBS * minBS
            }
            let fits = Swift.min(UInt64(u.pointee.length), zone.wp - u.pointee.offset) / minBS * minBS
            guard fits > 0 else { return false }
            u.pointee.length = Int(fits)
            return true
        case .trim:
            // A trim is a zone reset of the zones it covers.
            let end = u.pointee.offset &+ UInt64(u.pointee.length)
            while z < zones[f].count && zones[f][z].start < end {
                if zones[f][z].start >= u.pointee.offset && zones[f][z].start &+ zoneSize <= end { reset(f, z) }
                z += 1
            }
            return true
        default:
            return true
        }
    }

    /// The zone a write may go to: its own if it is or can be opened, else one already open.
    func openZone(_ f: Int, _ z: Int) -> Int? {
        let full = zones[f][z].wp &+ minBlock.write > zones[f][z].start &+ capacity
        var z = z
        if verifying && full {
            // A full zone is not reset under verify: the next one with room, if one may open.
            guard let next = nextWritable(f, after: z) else { return nil }
            if zones[f][next].open || canOpen(f) { z = next } else { return pickOpen(f) }
        }
        if (maxOpen == 0 && jobMaxOpen == 0) || zones[f][z].open { return z }
        if canOpen(f) {
            zones[f][z].open = true
            openCount[f] += 1
            jobOpenCount += 1
            return z
        }
        return pickOpen(f)
    }

    func canOpen(_ f: Int) -> Bool {
        (maxOpen == 0 || openCount[f] < maxOpen) && (jobMaxOpen == 0 || jobOpenCount < jobMaxOpen)
    }

    /// One of the file's open zones, at random (counted, not collected: this runs per write).
    func pickOpen(_ f: Int) -> Int? {
        guard openCount[f] > 0 else { return nil }
        var k = Int(rng.below(UInt64(openCount[f])))
        for z in span[f] where zones[f][z].open {
            if k == 0 { return z }
            k -= 1
        }
        return nil
    }

    /// With verify on, a full zone is not reset: the next zone with room takes the write.
    func nextWritable(_ f: Int, after z: Int) -> Int? {
        for i in span[f] where i != z && zones[f][i].wp &+ minBlock.write <= zones[f][i].start &+ capacity { return i }
        return nil
    }

    func close(_ f: Int, _ z: Int) {
        if zones[f][z].open { zones[f][z].open = false; openCount[f] -= 1; jobOpenCount -= 1 }
    }

    func reset(_ f: Int, _ z: Int) {
        guard zones[f][z].wp > zones[f][z].start else { return }
        data[f] &-= zones[f][z].wp - zones[f][z].start
        zones[f][z].wp = zones[f][z].start
        resets &+= 1
    }

    /// fio's zbd_find_zone(): the next zone with data, or for random reads the nearest on
    /// either side, within the job's zones.
    func zoneWithData(_ f: Int, from z: Int, _ minBytes: UInt64) -> Int? {
        var up = z + 1, down = z - 1
        while up < span[f].upperBound || down >= span[f].lowerBound {
            if up < span[f].upperBound {
                if zones[f][up].start &+ minBytes <= zones[f][up].wp { return up }
            } else if !random { break }
            if random && down >= span[f].lowerBound && zones[f][down].start &+ minBytes <= zones[f][down].wp { return down }
            up += 1; down -= 1
        }
        return nil
    }

    /// A block device's zoned model from sysfs ("none", "host-aware", "host-managed"); nil for
    /// what is not a block device.
    static func zonedModel(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFBLK else { return nil }
        let (major, minor) = Syscall.deviceNumbers(st.st_rdev)
        // A partition's queue is its disk's.
        for p in ["/sys/dev/block/\(major):\(minor)/queue/zoned", "/sys/dev/block/\(major):\(minor)/../queue/zoned"] {
            if let text = try? readWholeFile(p) { return String(text.filter { !$0.isWhitespace }) }
        }
        return "none"
    }
}
