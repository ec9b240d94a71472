// fio's zonemode=strided: the job does zonesize bytes inside a zone zonerange wide, then the
// zone moves on by zonerange + zoneskip, back to the job's offset past the file's end. The
// workload's regions are narrowed to the zone, so its sequential and random (map) offsets
// stay inside; size and io_size still say how much is done.

public final class StridedZones {
    let size: UInt64
    let range: UInt64
    let skip: UInt64
    /// Bytes done in the current zone.
    var bytes: UInt64 = 0
    /// Each file's first zone (the job's offset there).
    let origin: [UInt64]

    init(size: UInt64, range: UInt64, skip: UInt64, workload: inout Workload) {
        self.size = size; self.range = range; self.skip = skip
        origin = (0..<workload.fileCount).map { workload.files[$0].start }
        workload.tracksPasses = false
        for i in 0..<workload.fileCount { narrow(workload.files + i) }
    }

    func narrow(_ f: UnsafeMutablePointer<FileRegion>) {
        f.pointee.length = range
        f.pointee.position = (0, 0, 0)
        if f.pointee.map != nil { f.pointee.mapBlocks = max(1, range / f.pointee.mapGranule) }
    }

    /// Before an I/O: a zone that has had its bytes moves on (fio's get_next_offset zone step);
    /// the random map starts over at each zonerange's worth.
    func enterZone(_ w: inout Workload) {
        if bytes >= size {
            bytes = 0
            for i in 0..<w.fileCount {
                let f = w.files + i
                var start = f.pointee.start &+ range &+ skip
                if start >= f.pointee.fileSize { start = origin[i] }
                f.pointee.start = start
                narrow(f)
            }
        }
        if bytes % range == 0 { for i in 0..<w.fileCount { w.files[i].clearMap() } }
    }

    /// After an I/O is filled: counts it; false when it lies past the file's end.
    func account(_ u: UnsafeMutablePointer<IOUnit>, _ w: Workload) -> Bool {
        bytes &+= UInt64(u.pointee.length)
        let f = w.files[Int(u.pointee.fileIndex)]
        return u.pointee.offset &+ UInt64(u.pointee.length) <= f.fileSize
    }
}
