// What the loop writes down besides statistics: latency/bw/iops log entries, the issued-I/O
// log (write_iolog), and errors with their messages.

import CSwio
#if canImport(Glibc)
import Glibc
#endif

extension IOLoop {
    @usableFromInline mutating func logIssue(_ u: UnsafeMutablePointer<IOUnit>, at t: UInt64) {
        issuedLog.append(IssuedIO(u, at: t))
        if issuedLog.count >= 4096, let sink = issuedLogSink { sink(&issuedLog) }
    }

    /// Logs one completion and checks the latency limits: false when one ends the job.
    @usableFromInline mutating func logIO(_ u: UnsafeMutablePointer<IOUnit>, d: Int, t: UInt64, clat: UInt64, lat: UInt64) -> Bool {
        var goesOn = true
        if let lt = latencyTarget, d < 2 { goesOn = steerDepth(lt, lat: lat, t: t) }
        if case let most = d == 0 ? maxLatencyNs.0 : d == 1 ? maxLatencyNs.1 : maxLatencyNs.2, most > 0, lat > most {
            exceededMaxLatency(u, d: d, lat: lat, most: most)
            goesOn = false
        }
        if !priorityValues.isEmpty { recordPriority(u.pointee.priority, d: d, priorityUsesLat ? lat : clat) }
        let ms = (t - recordStartNs) / 1_000_000
        let bs = UInt32(u.pointee.length)
        if histLog != nil { histLog!.record(clat, d: d, ms: ms, bs: bs) }
        guard logLat || logBwPerIO else { return goesOn }
        let prio = u.pointee.priority
        if logLat {
            latLogs[1].append(LogEntry(timeMs: ms, value: clat, ddir: UInt8(d), bs: bs, offset: u.pointee.offset, prio: prio))
            latLogs[2].append(LogEntry(timeMs: ms, value: lat, ddir: UInt8(d), bs: bs, offset: u.pointee.offset, prio: prio))
        }
        if logBwPerIO {
            // Per-I/O bandwidth (KiB/s over this I/O's latency) and an IOPS entry of 1, as fio
            // writes them when log_avg_msec is 0; averaging happens when the log is written.
            let kibps = lat > 0 ? UInt64(u.pointee.length) * 1_000_000_000 / 1024 / lat : 0
            bwLog.append(LogEntry(timeMs: ms, value: kibps, ddir: UInt8(d), bs: bs, offset: u.pointee.offset, prio: prio))
            iopsLog.append(LogEntry(timeMs: ms, value: 1, ddir: UInt8(d), bs: bs, offset: u.pointee.offset, prio: prio))
            // fio 3.33, write_bw_log on a 4 MiB write: bw_samples=1024, bw_mean = the log's mean.
            if bwSamplePerIO { stats[d].bwSamples.add(Double(kibps)) }
            if iopsSamplePerIO { stats[d].iopsSamples.add(1) }
        }
        return goesOn
    }

    /// One I/O's latency under its priority's (fio's clat_prio); a priority not foreseen gets
    /// its own entry.
    @usableFromInline mutating func recordPriority(_ prio: UInt16, d: Int, _ v: UInt64) {
        let s = stats + d
        let i = s.pointee.prios.firstIndex { $0.prio == prio } ?? {
            s.pointee.prios.append(PriorityLatency(prio: prio))
            return s.pointee.prios.count - 1
        }()
        s.pointee.prios[i].stat.add(v)
        _ = s.pointee.prios[i].hist.record(v)
    }

    /// A failed engine call (submit, getevents): its errno, EIO when it has none, and its text.
    @usableFromInline mutating func recordEngineError(_ error: Error) {
        recordError(-Int((error as? EngineError)?.errno ?? EIO), nil, message: "\(error)")
    }

    /// The log clock's time (ms) at the start of recording, from its reading now.
    @usableFromInline @inline(never) mutating func readLogEpoch() {
        var ts = timespec()
        guard let clock = logEpochClock, clock_gettime(clockid_t(clock), &ts) == 0 else { return }
        logEpochMs = (UInt64(max(0, ts.tv_sec)) * 1000 + UInt64(max(0, ts.tv_nsec)) / 1_000_000) &+ (recordStartNs - startNs) / 1_000_000
    }

    /// max_latency: the I/O is the job's ETIMEDOUT (fio's lat_fatal), which ends the job even
    /// under continue_on_error (fio 3.33 stops there too).
    @usableFromInline mutating func exceededMaxLatency(_ u: UnsafeMutablePointer<IOUnit>, d: Int, lat: UInt64, most: UInt64) {
        recordError(-Int(ETIMEDOUT), u, message: "max_latency: a \(["read", "write", "trim"][d]) of \(u.pointee.length) bytes at offset \(u.pointee.offset) took \(lat) ns, over the \(most) ns allowed (fio: \"max latency exceeded\")")
    }

    /// latency_target: the search's verdict after each completion; false when it ends the job
    /// in failure (the target missed at depth 1).
    @usableFromInline mutating func steerDepth(_ lt: LatencyTarget, lat: UInt64, t: UInt64) -> Bool {
        if lt.windowStart == 0 { lt.start(t, ios: completedBlocks) }
        switch lt.observe(lat, at: t, ios: completedBlocks) {
        case .keepGoing: break
        case .restartStatistics:
            // One more window at the depth found; only it is reported (fio's reset_all_stats()).
            for d in 0..<3 { stats[d] = freshStats(d) }
            recordStartNs = t
        case .done:
            stopRequested = true
            budgetDone = true
        case .missedAtDepthOne:
            recordError(-Int(ETIMEDOUT), nil, message: "latency_target: \(lat / 1000) us at queue depth 1, over the \(lt.targetNs / 1000) us target (fio: \"max latency exceeded\")")
            issueDepth = lt.depth
            return false
        }
        issueDepth = lt.depth
        return true
    }

    @usableFromInline mutating func recordError(_ r: Int, _ u: UnsafeMutablePointer<IOUnit>?, message: String? = nil) {
        errors += 1
        guard firstError == 0 else { return }
        firstError = Int32(-r)
        if let message { firstErrorMessage = message; return }
        guard let u else { firstErrorMessage = Syscall.errorString(Int32(-r)); return }
        let what = ["read", "write", "trim", "fsync", "fdatasync"][Int(u.pointee.kind.rawValue)]
        var msg = "\(what) of \(u.pointee.length) bytes at offset \(u.pointee.offset) failed: "
        msg += r == -Int(EIO) && u.pointee.result == 0 ? "unexpected end of file" : Syscall.errorString(Int32(-r))
        if r == -Int(EINVAL) {
            msg += " (with direct=1, offsets, sizes and buffers must be aligned to the device's logical block size)"
        } else if r == -Int(EOPNOTSUPP) {
            msg += " (the target does not support this; hipri/IOPOLL needs a block device with poll queues, trim needs discard support)"
        }
        firstErrorMessage = msg
    }
}
