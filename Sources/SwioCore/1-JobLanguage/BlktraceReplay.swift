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

    /// The trace's I/Os, files and queue depth; `device` names the file of a device number.
    static func parse(_ b: [UInt8], swap: Bool, _ o: Options, path: String,
                      device: (_ major: UInt32, _ minor: UInt32) throws -> String) throws -> IologReplay {
        func u32(_ at: Int) -> UInt32 {
            let v = UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
            return swap ? v.byteSwapped : v
        }
        func u64(_ at: Int) -> UInt64 { swap ? UInt64(u32(at)) << 32 | UInt64(u32(at + 4)) : UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
        func u16(_ at: Int) -> UInt16 {
            let v = UInt16(b[at]) | UInt16(b[at + 1]) << 8
            return swap ? v.byteSwapped : v
        }
        var files: [String] = [], fileOfDevice: [UInt32: Int32] = [:]
        var entries: [ScriptedIO] = []
        var lastTime: UInt64 = 0
        var depth = [0, 0, 0], maxDepth = [0, 0, 0], ios = [0, 0, 0, 0]
        var at = 0
        while at + recordSize <= b.count {
            let m = u32(at)
            guard m & 0xffff_ff00 == magic else { throw ValueError("\(path): bad magic in blktrace data at byte \(at): \(String(m, radix: 16))") }
            guard m & 0xff == version else { throw ValueError("\(path): blktrace version \(m & 0xff), not \(version)") }
            let time = u64(at + 8), sector = u64(at + 16)
            var bytes = UInt64(u32(at + 24))
            let action = u32(at + 28), dev = u32(at + 36)
            let next = at + recordSize + Int(u16(at + 46))
            guard next <= b.count else { throw ValueError("\(path): the trace ends inside a record at byte \(at)") }
            at = next
            let category = action >> 16, act = action & 0xffff
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
            if lastTime > 0 && !o.noStall && time >= lastTime { delay = UInt64(min(Double(time - lastTime) * 100 / Double(o.timeScale), 1e18)) }
            lastTime = time
            // fio keeps the delay in microseconds.
            delay = delay / 1000 * 1000
            bytes = (bytes + o.align - 1) / o.align * o.align
            let kind: IOKind
            if category & discard != 0 { kind = .trim }
            else if category & flush != 0 { kind = .fsync }
            else { kind = category & write != 0 ? .write : .read }
            let k = kind == .fsync ? 3 : kind == .trim ? 2 : kind == .write ? 1 : 0
            guard o.skip & (1 << k) == 0, kind == .fsync || bytes > 0 else { continue }
            let fi: Int32
            if let known = fileOfDevice[dev] { fi = known } else {
                let name = try o.redirect ?? device(dev >> 20, dev & 0xfffff)
                if let i = files.firstIndex(of: name) { fi = Int32(i) } else { files.append(name); fi = Int32(files.count - 1) }
                fileOfDevice[dev] = fi
            }
            var offset = sector &* 512 / o.scale
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

    /// One queue event of a trace being merged: its time (scaled) and its 48 bytes.
    struct MergeEvent { var time: UInt64; var record: [UInt8] }

    /// The queue events (reads, writes, discards) of traces merged by time into one trace,
    /// little-endian, without the records' extra data: trace i's times are scaled by
    /// scalars[i] percent, and it is replayed iterations[i] times, each pass after the last.
    static func merge(_ traces: [(bytes: [UInt8], name: String)], scalars: [UInt64], iterations: [Int]) throws -> [UInt8] {
        var streams: [[MergeEvent]] = []
        for (i, t) in traces.enumerated() {
            guard let swap = byteOrder(t.bytes) else { throw ValueError("\(t.name) is not a blktrace trace") }
            var events: [(UInt64, [UInt8])] = []
            var at = 0, last: UInt64 = 0
            while at + recordSize <= t.bytes.count {
                var r = Array(t.bytes[at..<(at + recordSize)])
                if swap {
                    // To this machine's order, field by field (magic, sequence, time, sector, ...).
                    for (off, size) in [(0, 4), (4, 4), (8, 8), (16, 8), (24, 4), (28, 4), (32, 4), (36, 4), (40, 4), (44, 2), (46, 2)] {
                        r[off..<(off + size)].reverse()
                    }
                }
                let time = r.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
                let action = r.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 28, as: UInt32.self)) }
                let pdu = Int(r.withUnsafeBytes { UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: 46, as: UInt16.self)) })
                guard r.withUnsafeBytes({ $0.loadUnaligned(as: UInt32.self) }) & 0xffff_ff00 == magic else {
                    throw ValueError("\(t.name): bad magic in blktrace data at byte \(at)")
                }
                guard at + recordSize + pdu <= t.bytes.count else { throw ValueError("\(t.name): the trace ends inside a record at byte \(at)") }
                at += recordSize + pdu
                let category = action >> 16
                guard action & 0xffff == queue, category & notify == 0, category & (read | write | discard) != 0 else { continue }
                // A pass lasts until the trace's last queue event (fio's bc->length).
                last = time
                r[46] = 0; r[47] = 0
                events.append((time, r))
            }
            var all: [MergeEvent] = []
            for pass in 0..<UInt64(iterations[i]) {
                for (time, r) in events {
                    let scaled = (Double(time) + Double(pass) * Double(last)) * Double(scalars[i]) / 100
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
            var e = streams[pick][next[pick]]
            next[pick] += 1
            withUnsafeBytes(of: e.time.littleEndian) { for (k, b) in $0.enumerated() { e.record[8 + k] = b } }
            out += e.record
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
