// Per-job statistics, recorded in the I/O loop without allocation or ARC traffic.

import Histogram
#if canImport(Glibc)
import Glibc
#endif

/// min/max/mean/stddev over integer samples (Welford's method, as fio).
public struct LatencyStat: Sendable {
    public var min: UInt64 = .max
    public var max: UInt64 = 0
    public var n: UInt64 = 0
    public var mean: Double = 0
    public var m2: Double = 0
    public init() {}

    @inlinable @inline(__always) public mutating func add(_ v: UInt64) {
        n &+= 1
        if v < min { min = v }
        if v > max { max = v }
        let x = Double(v)
        let d = x - mean
        mean += d / Double(n)
        m2 += d * (x - mean)
    }
    public var stddev: Double { n > 1 ? (m2 / Double(n - 1)).squareRoot() : 0 }
    /// Chan et al.'s parallel merge: exact mean and variance of the union.
    public mutating func merge(_ o: LatencyStat) {
        guard o.n > 0 else { return }
        guard n > 0 else { self = o; return }
        let total = Double(n + o.n)
        let delta = o.mean - mean
        m2 += o.m2 + delta * delta * Double(n) * Double(o.n) / total
        mean += delta * Double(o.n) / total
        n += o.n
        min = Swift.min(min, o.min)
        max = Swift.max(max, o.max)
    }
}

/// Samples of bandwidth or IOPS (floating point), kept as fio's io_stat: Welford mean and S.
public struct SampleStat: Sendable {
    public var min: Double = .infinity
    public var max: Double = 0
    public var n: UInt64 = 0
    public var mean: Double = 0
    public var m2: Double = 0
    public init() {}
    public mutating func add(_ v: Double) {
        n += 1
        let d = v - mean
        mean += d / Double(n)
        m2 += d * (v - mean)
        if v < min { min = v }
        if v > max { max = v }
    }
    public var stddev: Double { n > 1 && m2 > 0 ? (m2 / Double(n - 1)).squareRoot() : 0 }
    /// group_reporting adds bandwidth and IOPS up across jobs rather than pooling the samples,
    /// as fio's sum_stat(pure_sum): min, max, mean, S and the sample count are each summed,
    /// so the group's mean is about its aggregate (fio 3.33, numjobs=4: bw_mean 5.40M KiB/s
    /// beside bw 5.40M, bw_min the sum of the four minimums).
    public mutating func mergeSum(_ o: SampleStat) {
        guard o.n > 0 else { return }
        guard n > 0 else { self = o; return }
        min += o.min; max += o.max; mean += o.mean; m2 += o.m2
        n += o.n
    }
}

/// Latency histogram: HDR with 3 significant digits (0.1%), with no ceiling (fio's stops at
/// 17 seconds).
public typealias LatencyHistogram = Histogram<UInt64>

/// A histogram holds counts up to `upTo` ns and grows (autoResize) to the largest value
/// recorded: one that is never recorded into keeps 16 KiB, not the 270 KiB that tracking
/// 2^42 ns takes from the start. Bucket boundaries do not depend on the size, so the
/// percentiles are the same.
public func makeLatencyHistogram(upTo highest: UInt64 = 2) -> LatencyHistogram {
    var h = LatencyHistogram(lowestDiscernibleValue: 1, highestTrackableValue: highest, numberOfSignificantValueDigits: .three)
    h.autoResize = true
    return h
}

/// One direction's counters: `Buckets` is the I/O loop's live histogram (DirectionStats) or a
/// finished job's compact one (DirectionResult).
public struct DirectionCounters<Buckets: LatencyBuckets>: Sendable {
    public var bytes: UInt64 = 0
    public var ios: UInt64 = 0
    /// I/Os that completed with an error; fio's total_ios counts them beside `ios`.
    public var failedIOs: UInt64 = 0
    /// fio's total_ios: every completed I/O, failed ones included.
    public var totalIOs: UInt64 { ios + failedIOs }
    public var shortIOs: UInt64 = 0
    public var dropIOs: UInt64 = 0
    public var slat = LatencyStat()
    public var clat = LatencyStat()
    public var lat = LatencyStat()
    public var clatHist = Buckets()
    public var latHist = Buckets()
    public var slatHist = Buckets()
    public var bwSamples = SampleStat()
    public var iopsSamples = SampleStat()
    /// With cmdprio: the completion latencies (total latencies under lat_percentiles) of each
    /// priority the job's I/Os went with, as fio's clat_prio.
    public var prios: [PriorityLatency<Buckets>] = []
    /// Bytes/IOs at the previous sample.
    public var lastSampleBytes: UInt64 = 0
    public var lastSampleIOs: UInt64 = 0
    /// Where the current rate_min window started: time (0 before the first check), bytes, I/Os.
    public var rateCheckNs: UInt64 = 0
    public var rateCheckBytes: UInt64 = 0
    public var rateCheckIOs: UInt64 = 0
    public init() {}

    public mutating func merge(_ o: Self) {
        bytes += o.bytes; ios += o.ios; failedIOs += o.failedIOs; shortIOs += o.shortIOs; dropIOs += o.dropIOs
        slat.merge(o.slat); clat.merge(o.clat); lat.merge(o.lat)
        clatHist.add(o.clatHist); latHist.add(o.latHist); slatHist.add(o.slatHist)
        bwSamples.mergeSum(o.bwSamples); iopsSamples.mergeSum(o.iopsSamples)
        for p in o.prios {
            if let i = prios.firstIndex(where: { $0.prio == p.prio }) {
                prios[i].stat.merge(p.stat); prios[i].hist.add(p.hist)
            } else { prios.append(p) }
        }
    }
}

extension DirectionCounters {
    /// The priorities the reports list apart: those with samples, when there are two or more
    /// (fio's get_nr_prios_with_samples() >= 2); none otherwise.
    public var reportedPriorities: [PriorityLatency<Buckets>] {
        let sampled = prios.filter { $0.stat.n > 0 }
        return sampled.count >= 2 ? sampled : []
    }
}

/// One priority's latencies (fio's clat_prio_stat).
public struct PriorityLatency<Buckets: LatencyBuckets>: Sendable {
    /// The ioprio value: (class << 13) | level.
    public var prio: UInt16
    public var stat = LatencyStat()
    public var hist = Buckets()
    public init(prio: UInt16) { self.prio = prio }
    public var ioclass: UInt16 { prio >> 13 }
    public var level: UInt16 { prio & 7 }
}

/// The I/O loop's counters, with histograms it records into.
public typealias DirectionStats = DirectionCounters<LatencyHistogram>
/// A finished (or published) job's counters, with compact histograms.
public typealias DirectionResult = DirectionCounters<LatencyDistribution>

extension DirectionCounters where Buckets == LatencyHistogram {
    /// Stats whose histograms for the recorded latencies already span 16.7 ms: the I/O loop
    /// does not then grow them (allocate and copy) while it runs, except past that.
    public static func presized(clat: Bool, lat: Bool, slat: Bool) -> DirectionStats {
        var s = DirectionStats()
        let span: UInt64 = 1 << 24
        if clat { s.clatHist = makeLatencyHistogram(upTo: span) }
        if lat { s.latHist = makeLatencyHistogram(upTo: span) }
        if slat { s.slatHist = makeLatencyHistogram(upTo: span) }
        return s
    }

    public mutating func startRateWindow(at t: UInt64) {
        rateCheckNs = t; rateCheckBytes = bytes; rateCheckIOs = ios
    }

    /// The same counters with compact histograms, for a job's report.
    public var result: DirectionResult {
        var r = counters
        r.clatHist = LatencyDistribution(clatHist); r.latHist = LatencyDistribution(latHist); r.slatHist = LatencyDistribution(slatHist)
        return r
    }

    /// The counters alone, the histograms left empty (JobExecution compacts them later).
    public var counters: DirectionResult {
        var r = DirectionResult()
        r.bytes = bytes; r.ios = ios; r.failedIOs = failedIOs; r.shortIOs = shortIOs; r.dropIOs = dropIOs
        r.slat = slat; r.clat = clat; r.lat = lat
        r.bwSamples = bwSamples; r.iopsSamples = iopsSamples
        r.lastSampleBytes = lastSampleBytes; r.lastSampleIOs = lastSampleIOs
        r.rateCheckNs = rateCheckNs; r.rateCheckBytes = rateCheckBytes; r.rateCheckIOs = rateCheckIOs
        // Few and only with cmdprio: compacted here, histograms or not.
        r.prios = prios.map { p in
            var q = PriorityLatency<LatencyDistribution>(prio: p.prio)
            q.stat = p.stat; q.hist = LatencyDistribution(p.hist)
            return q
        }
        return r
    }
}

/// Bucketed counters for fio's iodepth_level/submit/complete maps.
public struct DepthCounters: Sendable {
    public var counts: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0)
    public init() {}
    /// fio io_u_mark_depth(): each entry covers depths up to the next one (HOWTO: "16= covers
    /// depths from 16 to 31"): 1, 2-3, 4-7, 8-15, 16-31, 32-63, >=64.
    @inlinable public mutating func markLevel(_ depth: Int, count: UInt64 = 1) {
        switch depth {
        case ...1: counts.0 &+= count
        case 2...3: counts.1 &+= count
        case 4...7: counts.2 &+= count
        case 8...15: counts.3 &+= count
        case 16...31: counts.4 &+= count
        case 32...63: counts.5 &+= count
        default: counts.6 &+= count
        }
    }
    /// fio io_u_mark_submit()/complete(): 0, 1-4, 5-8, 9-16, 17-32, 33-64, >64.
    @inlinable public mutating func markBatch(_ n: Int) {
        switch n {
        case ...0: counts.0 &+= 1
        case 1...4: counts.1 &+= 1
        case 5...8: counts.2 &+= 1
        case 9...16: counts.3 &+= 1
        case 17...32: counts.4 &+= 1
        case 33...64: counts.5 &+= 1
        default: counts.6 &+= 1
        }
    }
    public var array: [UInt64] { [counts.0, counts.1, counts.2, counts.3, counts.4, counts.5, counts.6] }
    public mutating func merge(_ o: DepthCounters) {
        counts.0 += o.counts.0; counts.1 += o.counts.1; counts.2 += o.counts.2; counts.3 += o.counts.3
        counts.4 += o.counts.4; counts.5 += o.counts.5; counts.6 += o.counts.6
    }
}

/// CPU usage of one thread (getrusage(RUSAGE_THREAD)).
public struct CPUUsage: Sendable {
    public var userUs: Int = 0
    public var systemUs: Int = 0
    public var voluntaryCtx: Int = 0
    public var involuntaryCtx: Int = 0
    public var majorFaults: Int = 0
    public var minorFaults: Int = 0
    public init() {}
    public static func currentThread() -> CPUUsage {
        var u = CPUUsage()
        var ut = 0, st = 0, v = 0, iv = 0, maj = 0, min = 0
        if cswio_thread_rusage_wrapper(&ut, &st, &v, &iv, &maj, &min) == 0 {
            u.userUs = ut; u.systemUs = st; u.voluntaryCtx = v; u.involuntaryCtx = iv; u.majorFaults = maj; u.minorFaults = min
        }
        return u
    }
    public static func - (a: CPUUsage, b: CPUUsage) -> CPUUsage {
        var u = CPUUsage()
        u.userUs = a.userUs - b.userUs; u.systemUs = a.systemUs - b.systemUs
        u.voluntaryCtx = a.voluntaryCtx - b.voluntaryCtx; u.involuntaryCtx = a.involuntaryCtx - b.involuntaryCtx
        u.majorFaults = a.majorFaults - b.majorFaults; u.minorFaults = a.minorFaults - b.minorFaults
        return u
    }
    public mutating func merge(_ o: CPUUsage) {
        userUs += o.userUs; systemUs += o.systemUs; voluntaryCtx += o.voluntaryCtx
        involuntaryCtx += o.involuntaryCtx; majorFaults += o.majorFaults; minorFaults += o.minorFaults
    }
}

import CSwio
@usableFromInline func cswio_thread_rusage_wrapper(_ ut: inout Int, _ st: inout Int, _ v: inout Int, _ iv: inout Int, _ maj: inout Int, _ min: inout Int) -> Int32 {
    cswio_thread_rusage(&ut, &st, &v, &iv, &maj, &min)
}

/// One log entry, in fio's log format: "msec, value, ddir, bs, prio".
public struct LogEntry: Sendable {
    public var timeMs: UInt64
    public var value: UInt64
    public var ddir: UInt8
    public var bs: UInt32
    /// The I/O's offset (log_offset).
    public var offset: UInt64
    /// The I/O's ioprio value (log_prio).
    public var prio: UInt16
    @inlinable public init(timeMs: UInt64, value: UInt64, ddir: UInt8, bs: UInt32, offset: UInt64 = 0, prio: UInt16 = 0) {
        self.timeMs = timeMs; self.value = value; self.ddir = ddir; self.bs = bs; self.offset = offset; self.prio = prio
    }
}

/// Everything one job measured.
public struct JobStats: Sendable {
    public var dirs: [DirectionResult] = [DirectionResult(), DirectionResult(), DirectionResult()]
    public var syncLat = LatencyStat()
    public var syncHist = LatencyDistribution()
    public var syncIOs: UInt64 = 0
    public var depthLevel = DepthCounters()
    public var depthSubmit = DepthCounters()
    public var depthComplete = DepthCounters()
    public var submitCalls: UInt64 = 0
    public var completeCalls: UInt64 = 0
    public var errors: UInt64 = 0
    public var firstError: Int32 = 0
    public var firstErrorMessage: String?
    /// The job got to its I/O loop (fio sets latency_qd there; the report's latency_* keys).
    public var ranIOLoop = false
    /// fio's total_err and first_error: errors the job went on past (continue_on_error).
    public var continuedErrors: UInt64 = 0
    public var firstContinuedError: Int32 = 0
    public var cpu = CPUUsage()
    /// Time spent doing I/O, after ramp (ns).
    public var runtimeNs: UInt64 = 0
    /// Measured run time summed over merged jobs: fio's total_run_time, the base of CPU % and
    /// job_runtime under group_reporting.
    public var totalRunNs: UInt64 = 0
    /// Wall time from job start to end, including ramp and startdelay (ns).
    public var elapsedNs: UInt64 = 0
    public var startEpochMs: UInt64 = 0
    /// log_unix_epoch / log_alternate_epoch: the log clock's time (ms) when recording began,
    /// added to every log line's time; 0 otherwise.
    public var logEpochMs: UInt64 = 0
    public var latLogs: [[LogEntry]] = [[], [], []]   // slat, clat, lat
    public var histLog: [HistogramLog.Line] = []
    /// serialize_overlap: how often an I/O waited for an overlapping one (nil: option off).
    public var overlapWaits: UInt64?
    public var bwLog: [LogEntry] = []
    public var iopsLog: [LogEntry] = []
    /// Progress over time.
    public var timeline = Timeline()
    /// latency_target: the queue depth the search ended at.
    public var latencyDepth: Int?
    /// zonemode=zbd: zones reset (fio's nr_zone_resets).
    public var zoneResets: UInt64 = 0
    /// steadystate=: the job's (or its group's) window at the end.
    public var steadyState: SteadyStateResult?
    public var engineStats: [(String, JSON)] = []
    public init() {}

    /// The run time in whole milliseconds, as fio reports it and divides by (at least 1).
    public var runtimeMs: UInt64 { max(1, (runtimeNs + 500_000) / 1_000_000) }

    public mutating func merge(_ o: JobStats) {
        for i in 0..<3 { dirs[i].merge(o.dirs[i]) }
        syncLat.merge(o.syncLat); syncHist.add(o.syncHist); syncIOs += o.syncIOs
        depthLevel.merge(o.depthLevel); depthSubmit.merge(o.depthSubmit); depthComplete.merge(o.depthComplete)
        submitCalls += o.submitCalls; completeCalls += o.completeCalls
        timeline.add(o.timeline)
        if steadyState == nil { steadyState = o.steadyState }
        errors += o.errors
        continuedErrors += o.continuedErrors
        zoneResets += o.zoneResets
        ranIOLoop = ranIOLoop || o.ranIOLoop
        if firstContinuedError == 0 { firstContinuedError = o.firstContinuedError }
        if firstError == 0 { firstError = o.firstError; firstErrorMessage = o.firstErrorMessage }
        cpu.merge(o.cpu)
        runtimeNs = max(runtimeNs, o.runtimeNs)
        totalRunNs += o.totalRunNs
        elapsedNs = max(elapsedNs, o.elapsedNs)
    }
}
