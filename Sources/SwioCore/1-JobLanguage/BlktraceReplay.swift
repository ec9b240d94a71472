// read_iolog of a blktrace binary trace (the kernel's struct blk_io_trace, include/uapi/linux/
// blktrace_api.h: 48 bytes and pdu_len bytes after them, in the tracing machine's byte order).
// As fio replays one: only the queue events become I/Os (reads, writes, discards as trims,
// flushes as syncs), each due its time after the previous one; each traced device is the /dev
// node with its number, or replay_redirect; replay_skip leaves directions out; the queue depth
// seen in the trace is the job's iodepth unless the job sets one. merge_blktrace_file merges
// several traces into one by time first (each scaled by merge_blktrace_scalars and repeated
// merge_blktrace_iters times), as fio's HOWTO describes.

#if canImport(Glibc)
import Glibc
#endif

enum Blktrace {
    static let magic: UInt32 = 0x6561_7400
    static let version: UInt32 = 7
    static let recordSize = 48
    // Categories (action >> 16) and actions (action & 0xffff).
    static let read: UInt32 = 1 << 0, write: UInt32 = 1 << 1, flush: UInt32 = 1 << 2
    static let notify: UInt32 = 1 << 10, discard: UInt32 = 1 << 13
    static let queue: UInt32 = 1, backMerge: UInt32 = 2, frontMerge: UInt32 = 3, complete: UInt32 = 8

    /// Whether the bytes start with a trace record: nil if not, else whether they need swapping.
    static func byteOrder(_ bytes: [UInt8]) -> Bool? {
        guard bytes.count >= recordSize else { return nil }
        let le = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        if le & 0xffff_ff00 == magic { return false }
        if le.byteSwapped & 0xffff_ff00 == magic { return true }
        return nil
    }

    struct Options {
        var timeScale: UInt64 = 100
        var noStall = false
        var scale: UInt64 = 1
        var align: UInt64 = 1
        var redirect: String?
        /// Bit per direction: read 0, write 1, trim 2, sync 3 (replay_skip).
        var skip: UInt32 = 0
    }

    /// One record of a trace: struct blk_io_trace's fields in this machine's order.
    struct Record {
        var magic: UInt32, sequence: UInt32, time: UInt64, sector: UInt64, bytes: UInt32, action: UInt32
        var pid: UInt32, device: UInt32, cpu: UInt32, error: UInt16
        var category: UInt32 { action >> 16 }
        var act: UInt32 { action & 0xffff }

        /// The record little-endian at `time`, without extra data (a merged trace's).
        func encoded(time: UInt64) -> [UInt8] {
            var out: [UInt8] = []
            func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
            put(magic); put(sequence); put(time); put(sector); put(bytes); put(action)
            put(pid); put(device); put(cpu); put(error); put(UInt16(0))
            return out
        }
    }

    /// The trace's records in order, past each one's extra data; a bad magic or a record cut
    /// short is an error (a partial record at the very end is left, as fio leaves it).
    static func records(_ b: [UInt8], swap: Bool, path: String) throws -> [Record] {
        func u32(_ at: Int) -> UInt32 {
            let v = UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
            return swap ? v.byteSwapped : v
        }
        func u64(_ at: Int) -> UInt64 { swap ? UInt64(u32(at)) << 32 | UInt64(u32(at + 4)) : UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
        func u16(_ at: Int) -> UInt16 {
            let v = UInt16(b[at]) | UInt16(b[at + 1]) << 8
            return swap ? v.byteSwapped : v
        }
        var out: [Record] = []
        var at = 0
        while at + recordSize <= b.count {
            let m = u32(at)
            guard m & 0xffff_ff00 == magic else { throw ValueError("\(path): bad magic in blktrace data at byte \(at): \(String(m, radix: 16))") }
            out.append(Record(magic: m, sequence: u32(at + 4), time: u64(at + 8), sector: u64(at + 16), bytes: u32(at + 24), action: u32(at + 28),
                              pid: u32(at + 32), device: u32(at + 36), cpu: u32(at + 40), error: u16(at + 44)))
            let next = at + recordSize + Int(u16(at + 46))
            guard next <= b.count else { throw ValueError("\(path): the trace ends inside a record at byte \(at)") }
            at = next
        }
        return out
    }

    /// The trace's I/Os, files and queue depth; `device` names the file of a device number.
    static func parse(_ b: [UInt8], swap: Bool, _ o: Options, path: String,
                      device: (_ major: UInt32, _ minor: UInt32) throws -> String) throws -> IologReplay {
        var files: [String] = [], fileOfDevice: [UInt32: Int32] = [:]
        var entries: [ScriptedIO] = []
        var lastTime: UInt64 = 0
        var depth = [0, 0, 0], maxDepth = [0, 0, 0], ios = [0, 0, 0, 0]
        for r in try records(b, swap: swap, path: path) {
            guard r.magic & 0xff == version else { throw ValueError("\(path): blktrace version \(r.magic & 0xff), not \(version)") }
            let category = r.category, act = r.act
            if category & notify != 0 { continue }
            // The depth the trace reached: queued minus merged, per direction, until a completion.
            let dir = category & read != 0 ? 0 : category & write != 0 ? 1 : category & discard != 0 ? 2 : -1
            if dir >= 0 {
                switch act {
                case queue: depth[dir] += 1
                case backMerge, frontMerge: depth[dir] -= 1
                case complete: maxDepth[dir] = max(maxDepth[dir], depth[dir]); depth[dir] = 0
                default: break
                }
            }
            guard act == queue else { continue }
            var delay: UInt64 = 0
            // In floating point, as fio's delay_since_ttime(): a hostile gap must not overflow.
            if lastTime > 0 && !o.noStall && r.time >= lastTime { delay = UInt64(min(Double(r.time - lastTime) * 100 / Double(o.timeScale), 1e18)) }
            lastTime = r.time
            // fio keeps the delay in microseconds.
            delay = delay / 1000 * 1000
            let bytes = (UInt64(r.bytes) + o.align - 1) / o.align * o.align
            let kind: IOKind
            if category & discard != 0 { kind = .trim }
            else if category & flush != 0 { kind = .fsync }
            else { kind = category & write != 0 ? .write : .read }
            let k = kind == .fsync ? 3 : kind == .trim ? 2 : kind == .write ? 1 : 0
            guard o.skip & (1 << k) == 0, kind == .fsync || bytes > 0 else { continue }
            let fi: Int32
            if let known = fileOfDevice[r.device] { fi = known } else {
                let name = try o.redirect ?? device(r.device >> 20, r.device & 0xfffff)
                if let i = files.firstIndex(of: name) { fi = Int32(i) } else { files.append(name); fi = Int32(files.count - 1) }
                fileOfDevice[r.device] = fi
            }
            var offset = r.sector &* 512 / o.scale
            offset -= offset % o.align
            ios[k] += 1
            entries.append(ScriptedIO(fileIndex: fi, kind: kind, offset: kind == .fsync ? 0 : offset,
                                      length: kind == .fsync ? 0 : Int(bytes), delayNs: delay))
        }
        guard !entries.isEmpty else { throw ValueError("\(path): found no I/O in the blktrace data") }
        // Stacked devices may never complete in the trace: fio caps the depth at 1024.
        let probed = (0..<3).map { min(1024, maxDepth[$0] == 0 && ios[$0] > 0 ? 1 : maxDepth[$0]) }.max() ?? 1
        return IologReplay(files: files, entries: entries, probedDepth: max(1, probed))
    }

    /// One queue event of a trace being merged, at its scaled time.
    struct MergeEvent { var time: UInt64; var record: Record }

    /// The queue events (reads, writes, discards) of traces merged by time into one trace,
    /// little-endian, without the records' extra data: trace i's times are scaled by
    /// scalars[i] percent, and it is replayed iterations[i] times, each pass after the last.
    static func merge(_ traces: [(bytes: [UInt8], name: String)], scalars: [UInt64], iterations: [Int]) throws -> [UInt8] {
        var streams: [[MergeEvent]] = []
        for (i, t) in traces.enumerated() {
            guard let swap = byteOrder(t.bytes) else { throw ValueError("\(t.name) is not a blktrace trace") }
            let events = try records(t.bytes, swap: swap, path: t.name).filter {
                $0.act == queue && $0.category & notify == 0 && $0.category & (read | write | discard) != 0
            }
            // A pass lasts until the trace's last queue event (fio's bc->length).
            let last = events.last?.time ?? 0
            var all: [MergeEvent] = []
            for pass in 0..<UInt64(iterations[i]) {
                for r in events {
                    let scaled = (Double(r.time) + Double(pass) * Double(last)) * Double(scalars[i]) / 100
                    all.append(MergeEvent(time: UInt64(min(scaled, 1.8e19)), record: r))
                }
            }
            streams.append(all)
        }
        // The earliest event next, the first trace's on a tie (fio's find_earliest_io()).
        var out: [UInt8] = []
        var next = [Int](repeating: 0, count: streams.count)
        while true {
            var pick = -1
            for s in streams.indices where next[s] < streams[s].count {
                if pick < 0 || streams[s][next[s]].time < streams[pick][next[pick]].time { pick = s }
            }
            guard pick >= 0 else { break }
            let e = streams[pick][next[pick]]
            next[pick] += 1
            out += e.record.encoded(time: e.time)
        }
        return out
    }

    /// The block device node under /dev (or a directory in it) with this number.
    static func deviceNode(major: UInt32, minor: UInt32) -> String? {
        func search(_ dir: String, depth: Int) -> String? {
            guard let d = opendir(dir) else { return nil }
            defer { closedir(d) }
            var subdirs: [String] = []
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name == "." || name == ".." { continue }
                let path = dir + "/" + name
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                if st.st_mode & S_IFMT == S_IFBLK && Syscall.deviceNumbers(st.st_rdev) == (major, minor) {
                    return path
                }
                if st.st_mode & S_IFMT == S_IFDIR && depth < 2 { subdirs.append(path) }
            }
            for s in subdirs { if let p = search(s, depth: depth + 1) { return p } }
            return nil
        }
        return search("/dev", depth: 0)
    }
}
