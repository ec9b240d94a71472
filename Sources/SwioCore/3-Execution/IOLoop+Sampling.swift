// Timers and statistics over time: ramp_time, bw/iops samples every bwavgtime, rate_min
// checks every rate_cycle, runtime and stop/status requests after every completion.

import CSwio
#if canImport(Glibc)
import Glibc
#endif

extension IOLoop {
    /// Empty statistics for direction `d`, its recorded histograms presized if the job issues it.
    @usableFromInline func freshStats(_ d: Int) -> DirectionStats {
        guard issuesDirection[d] else { return DirectionStats() }
        var s = DirectionStats.presized(clat: recordClat && clatHistogram, lat: recordLat && latHistogram, slat: recordSlat && slatHistogram)
        s.prios = priorityValues.map { PriorityLatency(prio: $0) }
        return s
    }

    /// ramp_time is over: what was measured so far is dropped (fio's reset_all_stats()), the
    /// depth maps and call counts too; the bytes issued still count toward size and io_size,
    /// as fio's io_issue_bytes do (size=256k with a ramp moves 256 KiB in all, not after it).
    @usableFromInline mutating func endRamp(_ t: UInt64) {
        ramping = false
        armTimers(t)
        for d in 0..<3 { stats[d] = freshStats(d) }
        syncIOs = 0; syncLat = LatencyStat(); syncHist = makeLatencyHistogram()
        issuedIOs = 0; issuedPerDir = (0, 0, 0); poissonNextNs = (0, 0, 0); thoughtNs = 0
        depthLevel = DepthCounters(); depthSubmit = DepthCounters(); depthComplete = DepthCounters()
        submitCalls = 0; completeCalls = 0
        if thinkOnIssue { lastThinkBlocks = 0 }
        emulatedZones?.resets = 0   // fio's reset_io_stats() zeroes nr_zone_resets
    }

    @inlinable mutating func armTimers(_ t: UInt64) {
        // Statistics restart here after ramp_time, CPU usage included (fio clear_rusage_stat()).
        if rampNs > 0 { cpuAtRecordStart = CPUUsage.currentThread() }
        recordStartNs = t
        deadlineNs = runtimeNs == .max ? .max : t &+ runtimeNs
        nextBwSampleNs = bwSamplePerIO ? .max : t &+ sampleIntervalNs
        nextIopsSampleNs = iopsSamplePerIO ? .max : t &+ iopsIntervalNs
        lastBwSampleNs = t
        lastIopsSampleNs = t
        // fio's __check_min_rate() allows a 2 s settle period before the first window.
        if minRate.contains(where: { $0 > 0 }) || minIOPS.contains(where: { $0 > 0 }) {
            nextRateCheckNs = t &+ 2_000_000_000
        }
        nextTimerNs = Swift.min(nextBwSampleNs, nextIopsSampleNs, nextRateCheckNs)
    }

    /// Runtime, stop requests and status requests are checked after every completion (one
    /// compare, one load); acting on them is out of line.
    @inlinable mutating func checkTime(_ t: UInt64) -> Bool {
        if t >= deadlineNs || cswio_job_flags(stopFlag) != 0 { handleFlags(t) }
        return true
    }

    @usableFromInline @inline(never) mutating func handleFlags(_ t: UInt64) {
        if t >= deadlineNs || cswio_job_should_stop(stopFlag) != 0 { stopRequested = true }
        if cswio_job_snapshot_wanted(stopFlag) != 0 {
            // Published before the request is cleared: the requester reads once it sees it clear.
            if let sink = snapshotSink { sink(self) }
            cswio_flag_clear(stopFlag, Int32(CSWIO_JOB_SNAPSHOT))
        }
    }

    /// bw and iops samples every bwavgtime/iopsavgtime, per direction (fio add_bw_samples()).
    /// As in fio's __add_samples(), an interval in which a direction moved nothing adds no
    /// sample ("no entries for interval"): a rwmixread=100 job has no write samples, and a
    /// direction the job's rw does not issue has none at all.
    @usableFromInline mutating func sample(_ t: UInt64) {
        if t >= nextBwSampleNs {
            let span = Double(t - lastBwSampleNs) / 1e9
            for d in 0..<3 {
                let delta = stats[d].bytes - stats[d].lastSampleBytes
                guard delta > 0 else { continue }
                stats[d].bwSamples.add(Double(delta) / 1024 / span)
                stats[d].lastSampleBytes = stats[d].bytes
            }
            lastBwSampleNs = t
            nextBwSampleNs = t + sampleIntervalNs
            timeline.record(ms: (t &- recordStartNs) / 1_000_000, bytes: SIMD4(stats[0].bytes, stats[1].bytes, stats[2].bytes, 0),
                            ios: SIMD4(stats[0].ios, stats[1].ios, stats[2].ios, 0))
        }
        if t >= nextIopsSampleNs {
            let span = Double(t - lastIopsSampleNs) / 1e9
            for d in 0..<3 {
                let delta = stats[d].ios - stats[d].lastSampleIOs
                guard delta > 0 else { continue }
                stats[d].iopsSamples.add(Double(delta) / span)
                stats[d].lastSampleIOs = stats[d].ios
            }
            lastIopsSampleNs = t
            nextIopsSampleNs = t + iopsIntervalNs
        }
    }

    /// fio's check_min_rate(): once per rate_cycle, each direction that has moved data must
    /// have done at least rate_min bytes/s (or rate_iops_min IOPS) over the window just ended;
    /// the first window of a direction starts at its first check. A miss stops the job with
    /// EIO, as fio's does ("rate_min=...B/s not met, got ...B/s").
    @usableFromInline mutating func minRateMet(_ t: UInt64) -> Bool {
        nextRateCheckNs = t &+ rateCycleNs
        for d in 0..<3 where stats[d].bytes > 0 {
            let s = stats + d
            guard s.pointee.rateCheckNs > 0 else { s.pointee.startRateWindow(at: t); continue }
            let spentMs = (t - s.pointee.rateCheckNs) / 1_000_000
            guard spentMs >= rateCycleNs / 1_000_000 else { continue }
            var miss: String? = nil
            if minRate[d] > 0 {
                let rate = (s.pointee.bytes - s.pointee.rateCheckBytes) * 1000 / spentMs
                if rate < minRate[d] { miss = "rate_min=\(minRate[d])B/s not met, got \(rate)B/s" }
            } else if minIOPS[d] > 0 {
                let iops = (s.pointee.ios - s.pointee.rateCheckIOs) * 1000 / spentMs
                if iops < minIOPS[d] { miss = "rate_iops_min=\(minIOPS[d]) not met, got \(iops) IOPS" }
            }
            if let miss {
                if firstError == 0 { firstError = EIO; firstErrorMessage = "\(Direction(rawValue: d)!.name): \(miss)" }
                stopRequested = true
                return false
            }
            s.pointee.startRateWindow(at: t)
        }
        return true
    }
}
