// read_iolog: fio's text I/O logs, version 2 ("file action [offset length]") and version 3
// (the same after a timestamp in microseconds, what write_iolog writes), replayed in order with
// their delays (replay_time_scale, replay_no_stall), offsets scaled and aligned (replay_scale,
// replay_align), and every file redirected to one (replay_redirect). A blktrace binary trace
// is read by BlktraceReplay.swift.

#if canImport(Glibc)
import Glibc
#endif

/// One I/O of a replayed log.
public struct ScriptedIO: Sendable, Equatable {
    public var fileIndex: Int32
    public var kind: IOKind
    public var offset: UInt64
    public var length: Int
    /// How long after the previous entry this one is due (0: at once).
    public var delayNs: UInt64
    /// A v2 "wait" before it: due this long after the job started (fio 3.33's reading of it).
    public var waitSinceStartNs: UInt64? = nil
}

public struct IologReplay: Sendable {
    public var files: [String]
    public var entries: [ScriptedIO]
    /// A blktrace's queue depth, the job's iodepth unless it sets one.
    public var probedDepth: Int? = nil
    /// --merge-blktrace-only: the run stops after the jobs are read, so traces' devices are not
    /// looked up (set once by the command line before any job is read).
    public nonisolated(unsafe) static var mergeOnly = false
    public var totalBytes: UInt64 { entries.reduce(0) { $0 &+ UInt64($1.length) } }
    public var largestBlock: UInt64 { UInt64(entries.map(\.length).max() ?? 0) }
    /// What the entries do: read, write or both (fio sets rw from them).
    public var mode: RWMode {
        let r = entries.contains { $0.kind == .read }, w = entries.contains { $0.kind == .write }
        return r && w ? .rw : w ? .write : entries.contains { $0.kind == .trim } && !r ? .trim : .read
    }

    /// Reads the log of a job's clone (read_iolog=a:b gives clone N the Nth, as fio).
    static func load(_ d: JobDefinition, option: (String) -> SourceLocation) throws -> IologReplay? {
        guard let spec = d["read_iolog"] else { return nil }
        func fail(_ n: String, _ m: String, errno e: Int32 = 0) -> JobFileError { JobFileError(option(n), option: n, m, errno: e) }
        let paths = JobConfig.splitPaths(spec)
        guard !paths.isEmpty else { throw fail("read_iolog", "no log named") }
        var path = paths[d.cloneIndex % paths.count]
        if let merged = d["merge_blktrace_file"] {
            // The logs are traces to merge into one, which is then replayed (fio's merge phase).
            func list(_ name: String, _ def: Double) throws -> [Double] {
                guard let v = d[name], !v.isEmpty else { return [Double](repeating: def, count: paths.count) }
                let l = try v.split(separator: ":").map { w -> Double in
                    guard let x = Double(w), x.isFinite, x >= 1, x <= 1_000_000 else { throw fail(name, "'\(w)' is not a number from 1 to 1000000") }
                    return x
                }
                guard l.count == paths.count else { throw fail(name, "\(l.count) values for \(paths.count) traces in read_iolog") }
                return l
            }
            let scalars = try list("merge_blktrace_scalars", 100).map { UInt64($0) }
            let iterations = try list("merge_blktrace_iters", 1).map { Int($0) }
            let traces = try paths.map { p -> (bytes: [UInt8], name: String) in
                do { return (try readWholeFileBytes(p, maxBytes: .max), p) } catch {
                    throw fail("read_iolog", "cannot read \(p): \((error as? ValueError)?.message ?? "\(error)")")
                }
            }
            let bytes: [UInt8]
            do { bytes = try Blktrace.merge(traces, scalars: scalars, iterations: iterations) } catch let e as ValueError { throw fail("read_iolog", e.message) }
            guard let f = fopen(merged, "w") else { throw fail("merge_blktrace_file", "cannot write \(merged): \(String(cString: strerror(errno)))", errno: errno) }
            let wrote = fwrite(bytes, 1, bytes.count, f) == bytes.count
            guard fclose(f) == 0 && wrote else { throw fail("merge_blktrace_file", "cannot write \(merged): \(String(cString: strerror(errno)))", errno: errno) }
            path = merged
        }
        func int(_ n: String, _ def: Int) throws -> Int {
            guard let v = d[n] else { return def }
            guard let i = Int(v), i >= 1 else { throw fail(n, "'\(v)' is not a positive whole number") }
            return i
        }
        let timeScale = try int("replay_time_scale", 100)
        let scale = UInt64(try int("replay_scale", 1))
        let align = UInt64(try int("replay_align", 1))
        guard align & (align - 1) == 0 else { throw fail("replay_align", "replay_align=\(align) is not a power of 2") }
        let noStall = d["replay_no_stall"].map { $0 == "1" || $0.lowercased() == "true" } ?? false
        let redirect = d["replay_redirect"]
        let raw: [UInt8]
        do { raw = try readWholeFileBytes(path, maxBytes: .max) } catch {
            throw fail("read_iolog", "cannot read \(path): \((error as? ValueError)?.message ?? "\(error)")")
        }
        if let swap = Blktrace.byteOrder(raw) {
            // fio 3.33 honours replay_skip for blktrace replay only.
            var skip: UInt32 = 0
            for w in (d["replay_skip"] ?? "").split(separator: ",") where !w.isEmpty {
                guard let bit = ["read": 0, "write": 1, "trim": 2, "sync": 3][w.lowercased()] else {
                    throw fail("replay_skip", "'\(w)' is not read, write, trim or sync")
                }
                skip |= 1 << UInt32(bit)
            }
            let o = Blktrace.Options(timeScale: UInt64(timeScale), noStall: noStall, scale: scale, align: align, redirect: redirect, skip: skip)
            do {
                return try Blktrace.parse(raw, swap: swap, o, path: path) { major, minor in
                    // --merge-blktrace-only does no I/O: the traced device need not be here.
                    if IologReplay.mergeOnly { return "/dev/block/\(major):\(minor)" }
                    guard let node = Blktrace.deviceNode(major: major, minor: minor) else {
                        throw ValueError("\(path): the trace's device \(major):\(minor) is not in /dev (give the file to replay on with replay_redirect=)")
                    }
                    return node
                }
            } catch let e as ValueError { throw fail("read_iolog", e.message) }
        }
        let text = String(decoding: raw, as: UTF8.self)
        if !raw.prefix(4096).allSatisfy({ $0 < 0x80 && $0 != 0 }) {
            throw fail("read_iolog", "\(path) is neither a text iolog nor a blktrace trace")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first else { throw fail("read_iolog", "\(path) is empty") }
        let version: Int
        if header.hasPrefix("fio version 2 iolog") { version = 2 }
        else if header.hasPrefix("fio version 3 iolog") { version = 3 }
        else { throw fail("read_iolog", "\(path): the first line is not \"fio version 2 iolog\" or \"fio version 3 iolog\" (fio: iolog version 1 is no longer supported)") }
        lines.removeFirst()
        var files: [String] = [], entries: [ScriptedIO] = []
        var prevTs: UInt64 = 0, pendingDelay: UInt64 = 0
        var pendingWait: UInt64? = nil
        for (n, line) in lines.enumerated() {
            let lineNo = n + 2
            var f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            var delay: UInt64 = 0
            if version == 3 {
                guard let ts = f.first.flatMap({ UInt64($0) }) else { throw fail("read_iolog", "\(path):\(lineNo): no timestamp: \(line)") }
                f.removeFirst()
                if prevTs > 0 && ts > prevTs && !noStall { delay = (ts - prevTs) * 1000 * 100 / UInt64(timeScale) }
                prevTs = ts
            }
            guard f.count == 2 || f.count == 4 else { throw fail("read_iolog", "\(path):\(lineNo): expected 'file action' or 'file action offset length': \(line)") }
            let name = redirect ?? f[0]
            var fi = files.firstIndex(of: name)
            if f.count == 2 {
                switch f[1] {
                case "add": if fi == nil { files.append(name) }
                case "open", "close": break
                default: throw fail("read_iolog", "\(path):\(lineNo): '\(f[1])' is not add, open or close")
                }
                pendingDelay &+= delay
                continue
            }
            guard let off = UInt64(f[2]), let len = Int(f[3]), len >= 0 else { throw fail("read_iolog", "\(path):\(lineNo): bad offset or length: \(line)") }
            if fi == nil { files.append(name); fi = files.count - 1 }
            let kind: IOKind
            switch f[1] {
            case "read": kind = .read
            case "write": kind = .write
            case "trim": kind = .trim
            case "sync": kind = .fsync
            case "datasync": kind = .fdatasync
            case "wait":
                // fio 3.33 waits until OFFSET milliseconds after it started (v3 logs may not wait).
                if version == 2 && !noStall { pendingWait = off * 1_000_000 }
                continue
            default: throw fail("read_iolog", "\(path):\(lineNo): '\(f[1])' is not read, write, trim, sync, datasync or wait")
            }
            var o = off / scale
            o -= o % align
            entries.append(ScriptedIO(fileIndex: Int32(fi!), kind: kind, offset: o, length: kind.direction == nil ? 0 : len,
                                      delayNs: pendingDelay &+ delay, waitSinceStartNs: pendingWait))
            pendingDelay = 0
            pendingWait = nil
        }
        guard !entries.isEmpty else { throw fail("read_iolog", "\(path) has no I/O to replay") }
        return IologReplay(files: files, entries: entries)
    }
}
