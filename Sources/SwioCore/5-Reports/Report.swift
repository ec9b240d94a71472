// Reports in fio 3.33's shapes: JSON (same keys, nesting and units), json+ (adds "bins"),
// normal text and terse. swio-only data goes under one extra per-job key, "swio".

import CSwio
#if canImport(Glibc)
import Glibc
#endif

public let swioVersion = "0.1.0"

/// One reported entry: a job, or a group merged by group_reporting.
public struct ReportEntry: Sendable {
    public var name: String
    public var groupID: Int
    public var jobs: Int
    public var config: JobConfig
    public var stats: JobStats
    public var error: Int32
    public var errorMessage: String?
    /// The job (or a job of the group) stopped on an error. An entry whose errors were all
    /// ones continue_on_error went on past still reports the first as its error, but, as in
    /// fio, does not make the run exit non-zero.
    public var stoppedOnError: Bool
    public var engine: EngineDescriptor
    public var baseline: BaselineRatio?
    /// Whose options "job options" lists: the job's, or for a group_reporting group its last
    /// job's, as fio 3.33 does (while the group keeps its first job's name).
    public var optionsConfig: JobConfig

    public func runtimeMs(_ d: Int) -> UInt64 { stats.dirs[d].ios > 0 ? stats.runtimeMs : 0 }
    /// As fio computes them: over the runtime in whole milliseconds (so a job's line and its
    /// group's agree; fio: bw = 1000 * io_bytes / runt, iops = 1000.0 * total_io_u / runt).
    public func bwBytes(_ d: Int) -> UInt64 {
        let ms = runtimeMs(d)
        return ms > 0 ? stats.dirs[d].bytes &* 1000 / ms : 0
    }
    public func iops(_ d: Int) -> Double {
        let ms = runtimeMs(d)
        return ms > 0 ? 1000 * Double(stats.dirs[d].ios) / Double(ms) : 0
    }
}

/// A job's bandwidth as a fraction of its target's baseline (swio run --baseline).
public struct BaselineRatio: Sendable {
    public var baselineBytesPerSec: Double
    public var kind: String
    public var fraction: Double
    public init(baselineBytesPerSec: Double, kind: String, fraction: Double) {
        self.baselineBytesPerSec = baselineBytesPerSec; self.kind = kind; self.fraction = fraction
    }
}

public struct GroupSummary: Sendable {
    public var id: Int
    public var bytes: [UInt64] = [0, 0, 0]
    public var runtimeMinMs: [UInt64] = [.max, .max, .max]
    public var runtimeMaxMs: [UInt64] = [0, 0, 0]
    public var bwMin: [UInt64] = [.max, .max, .max]
    public var bwMax: [UInt64] = [0, 0, 0]
    /// The number style of the group's first job (fio's rs->kb_base, unit_base, sig_figs).
    public var numbers = NumberStyle()
    public var aggBw: [UInt64] { (0..<3).map { runtimeMaxMs[$0] > 0 ? bytes[$0] * 1000 / runtimeMaxMs[$0] : 0 } }
}

/// What a report needs of one job: its settings and engine, its statistics, how it ended.
public struct JobOutcome: Sendable {
    public var config: JobConfig
    public var stats: JobStats
    public var end: LoopEnd
    public init(config: JobConfig, stats: JobStats, end: LoopEnd) {
        self.config = config; self.stats = stats; self.end = end
    }
}

extension JobExecution {
    /// The finished job's outcome (its statistics are final once `finished` is set).
    public var outcome: JobOutcome { JobOutcome(config: config, stats: stats, end: end) }
}

public struct Report: Sendable {
    public var entries: [ReportEntry]
    public var groups: [GroupSummary]
    public var globalOptions: [(String, String)]
    public var startEpochMs: UInt64
    public var disks: [DiskUtil]

    public init(result: RunResult, globalOptions: [(String, String)], baselines: [String: BaselineRatio] = [:]) {
        self.init(outcomes: result.jobs.map(\.outcome), startEpochMs: result.startEpochMs, disks: result.disks,
                  globalOptions: globalOptions, baselines: baselines)
    }

    public init(outcomes: [JobOutcome], startEpochMs: UInt64, disks: [DiskUtil], globalOptions: [(String, String)],
                baselines: [String: BaselineRatio] = [:]) {
        self.globalOptions = globalOptions
        self.startEpochMs = startEpochMs
        self.disks = disks
        var out: [ReportEntry] = []
        for job in outcomes {
            let c = job.config
            var e = ReportEntry(name: c.name, groupID: c.groupID, jobs: 1, config: c, stats: job.stats,
                                error: job.stats.firstError, errorMessage: job.stats.firstErrorMessage,
                                stoppedOnError: job.end == .failed, engine: c.engine, baseline: baselines[c.name], optionsConfig: c)
            if c.groupReporting, let i = out.lastIndex(where: { $0.groupID == c.groupID && $0.config.groupReporting }) {
                out[i].stats.merge(job.stats)
                out[i].jobs += 1
                out[i].optionsConfig = c
                if out[i].error == 0 { out[i].error = e.error; out[i].errorMessage = e.errorMessage }
                out[i].stoppedOnError = out[i].stoppedOnError || e.stoppedOnError
                continue
            }
            e.stats.startEpochMs = job.stats.startEpochMs
            out.append(e)
        }
        entries = out
        var gs: [Int: GroupSummary] = [:]
        for e in out {
            var g = gs[e.groupID] ?? GroupSummary(id: e.groupID, numbers: e.config.numbers)
            for d in 0..<3 where e.stats.dirs[d].ios > 0 {
                g.bytes[d] += e.stats.dirs[d].bytes
                g.runtimeMinMs[d] = min(g.runtimeMinMs[d], e.runtimeMs(d))
                g.runtimeMaxMs[d] = max(g.runtimeMaxMs[d], e.runtimeMs(d))
                g.bwMin[d] = min(g.bwMin[d], e.bwBytes(d))
                g.bwMax[d] = max(g.bwMax[d], e.bwBytes(d))
            }
            gs[e.groupID] = g
        }
        groups = gs.keys.sorted().map { gs[$0]! }
    }

    /// Whether the run exits non-zero: a job stopped on an error (fio's exit status counts the
    /// jobs that ended with td->error set, which continue_on_error clears).
    public var hasErrors: Bool { entries.contains { $0.stoppedOnError } }

    // MARK: - JSON

    public func json(plus: Bool = false) -> JSON {
        var top: [(String, JSON)] = [
            ("fio version", .string("swio-\(swioVersion)")),
            ("timestamp", .uint(startEpochMs / 1000)),
            ("timestamp_ms", .uint(startEpochMs)),
            ("time", .string(Report.ctime(startEpochMs / 1000))),
        ]
        if !globalOptions.isEmpty {
            top.append(("global options", .object(globalOptions.map { ($0.0, .string($0.1)) })))
        }
        top.append(("jobs", .array(entries.map { jobJSON($0, plus: plus) })))
        if !disks.isEmpty {
            top.append(("disk_util", .array(disks.map { d in
                .object([("name", .string(d.name)), ("read_ios", .uint(d.readIOs)), ("write_ios", .uint(d.writeIOs)),
                         ("read_merges", .uint(d.readMerges)), ("write_merges", .uint(d.writeMerges)),
                         ("read_ticks", .uint(d.readTicks)), ("write_ticks", .uint(d.writeTicks)),
                         ("in_queue", .uint(d.inQueue)), ("util", .double(d.util))])
            })))
        }
        return .object(top)
    }

    func latJSON(_ s: LatencyStat, hist: LatencyDistribution?, percentiles: [Double], plus: Bool) -> JSON {
        var kv: [(String, JSON)] = [
            ("min", .uint(s.n > 0 ? s.min : 0)), ("max", .uint(s.max)), ("mean", .double(s.mean)),
            ("stddev", .double(s.stddev)), ("N", .uint(s.n)),
        ]
        if let h = hist, s.n > 0 {
            kv.append(("percentile", .object(percentiles.map { (Format.fixed($0, 6), .uint(h.valueAtPercentile($0))) })))
            if plus {
                var bins: [(String, JSON)] = []
                for v in h.recordedValues() { bins.append((String(v.value), .uint(v.count))) }
                kv.append(("bins", .object(bins)))
            }
        }
        return .object(kv)
    }

    func dirJSON(_ e: ReportEntry, _ d: Int, groupAgg: UInt64, plus: Bool) -> JSON {
        let s = e.stats.dirs[d]
        let c = e.config
        let bwBytes = e.bwBytes(d)
        let bwMean = s.bwSamples.mean
        var out: [(String, JSON)] = [
            ("io_bytes", .uint(s.bytes)), ("io_kbytes", .uint(s.bytes / 1024)),
            ("bw_bytes", .uint(bwBytes)), ("bw", .uint(bwBytes / 1024)), ("iops", .double(e.iops(d))),
            ("runtime", .uint(e.runtimeMs(d))), ("total_ios", .uint(s.totalIOs)), ("short_ios", .uint(s.shortIOs)),
            ("drop_ios", .uint(s.dropIOs)),
            ("slat_ns", latJSON(s.slat, hist: c.slatPercentiles ? s.slatHist : nil, percentiles: c.percentiles, plus: plus)),
            ("clat_ns", latJSON(s.clat, hist: c.clatPercentiles ? s.clatHist : nil, percentiles: c.percentiles, plus: plus)),
            ("lat_ns", latJSON(s.lat, hist: c.latPercentiles ? s.latHist : nil, percentiles: c.percentiles, plus: plus)),
        ]
        // fio's per-priority latencies, only when two or more priorities have samples.
        let prios = s.reportedPriorities
        if !prios.isEmpty {
            let percentiles = c.clatPercentiles || c.latPercentiles
            out.append(("prios", .array(prios.map { p in
                .object([("prioclass", .uint(UInt64(p.ioclass))), ("prio", .uint(UInt64(p.level))),
                         (c.latPercentiles ? "lat_ns" : "clat_ns", latJSON(p.stat, hist: percentiles ? p.hist : nil, percentiles: c.percentiles, plus: plus))])
            })))
        }
        out += [
            ("bw_min", .uint(s.bwSamples.n > 0 ? UInt64(s.bwSamples.min) : 0)),
            ("bw_max", .uint(UInt64(s.bwSamples.max))),
            ("bw_agg", .double(s.bwSamples.n > 0 ? Report.shareOfAggregate(bwMean, groupAgg) : 0)),
            ("bw_mean", .double(bwMean)), ("bw_dev", .double(s.bwSamples.stddev)), ("bw_samples", .uint(s.bwSamples.n)),
            ("iops_min", .uint(s.iopsSamples.n > 0 ? UInt64(s.iopsSamples.min) : 0)),
            ("iops_max", .uint(UInt64(s.iopsSamples.max))), ("iops_mean", .double(s.iopsSamples.mean)),
            ("iops_stddev", .double(s.iopsSamples.stddev)), ("iops_samples", .uint(s.iopsSamples.n)),
        ]
        return .object(out)
    }

    /// A job's mean bandwidth sample (KiB/s) as a percentage of its group's aggregate (B/s),
    /// as fio computes p_of_agg: 100 when there is no aggregate, and never more than 100.
    static func shareOfAggregate(_ meanKiB: Double, _ aggBytes: UInt64) -> Double {
        aggBytes >= 1024 ? min(100, meanKiB * 100 / Double(aggBytes / 1024)) : 100
    }

    /// usr and sys CPU as percentages of the job's run time; 0 when nothing ran (a ramp_time
    /// longer than the job), as fio's total_run_time check gives.
    public static func cpuPercent(_ s: JobStats) -> (usr: Double, sys: Double) {
        // fio works in whole milliseconds here: a run under 1 ms shows 0%, not the setup's
        // CPU time over a few microseconds (which came out as 368% for a 1 MiB null group).
        guard s.totalRunNs >= 1_000_000 else { return (0, 0) }
        let us = Double(s.totalRunNs) / 1000
        return (Double(s.cpu.userUs) / us * 100, Double(s.cpu.systemUs) / us * 100)
    }

    func pctMap(_ keys: [String], _ counts: [UInt64]) -> JSON {
        .object(zip(keys, Report.distribution(counts, total: counts.reduce(0, +), floor: 0.1)).map { ($0, .double($1)) })
    }

    /// fio's iodepth_level: the depth counts as percentages of the read, write and trim I/Os
    /// issued (stat_calc_dist over ddir_rw_sum(total_io_u)). Syncs are in the counts but not in
    /// that total, so a job with fsync=N sums to more than 100%, as fio's does (fio 3.33, libaio
    /// randwrite iodepth=16 fsync=16: 16=106.2%).
    public static func depthLevels(_ s: JobStats) -> [Double] {
        distribution(s.depthLevel.array, total: s.dirs[0].totalIOs + s.dirs[1].totalIOs + s.dirs[2].totalIOs, floor: 0.1)
    }

    /// Percentages of total, where a nonzero count never shows as less than `floor`: fio's
    /// stat_calc_dist() (0.1 for the iodepth maps) and stat_calc_lat() (0.01 for latency buckets).
    static func distribution(_ counts: [UInt64], total: UInt64, floor: Double) -> [Double] {
        counts.map { c in
            guard total > 0 else { return 0 }
            let p = Double(c) / Double(total) * 100
            return c > 0 && p < floor ? floor : p
        }
    }

    /// fio's latency_ns/us/ms buckets, as percentages of completed I/Os (from the clat histogram).
    func latencyBuckets(_ e: ReportEntry) -> (ns: JSON, us: JSON, ms: JSON) {
        var h = LatencyDistribution()
        var total: UInt64 = 0
        for d in 0..<3 where e.stats.dirs[d].clat.n > 0 { h.add(e.stats.dirs[d].clatHist); total += e.stats.dirs[d].clat.n }
        let edges: [UInt64] = [2, 4, 10, 20, 50, 100, 250, 500, 750, 1000]
        var ns = [UInt64](repeating: 0, count: 10), us = ns, ms = [UInt64](repeating: 0, count: 12)
        // fio io_u_mark_lat_*(): each label is the exclusive upper edge ("250" = 100 <= v < 250)
        // of a floor-divided value in that unit.
        for v in h.recordedValues() {
            let x = v.value
            let put: (inout [UInt64], UInt64) -> Void = { arr, unitValue in
                if let i = edges.firstIndex(where: { unitValue < $0 }) { arr[i] += v.count }
            }
            if x < 1000 { put(&ns, x) }
            else if x < 1_000_000 { put(&us, x / 1000) }
            else {
                let m = x / 1_000_000
                if m < 1000 { put(&ms, m) } else if m < 2000 { ms[10] += v.count } else { ms[11] += v.count }
            }
        }
        func pct(_ keys: [String], _ c: [UInt64]) -> JSON {
            .object(zip(keys, Report.distribution(c, total: total, floor: 0.01)).map { ($0, .double($1)) })
        }
        let keys = edges.map(String.init)
        return (pct(keys, ns), pct(keys, us), pct(keys + ["2000", ">=2000"], ms))
    }

    func jobJSON(_ e: ReportEntry, plus: Bool) -> JSON {
        let g = groups.first { $0.id == e.groupID }
        let runtimeMs = e.stats.totalRunNs / 1_000_000
        let cpu = Report.cpuPercent(e.stats)
        let b = latencyBuckets(e)
        var kv: [(String, JSON)] = [
            ("jobname", .string(e.name)), ("groupid", .int(Int64(e.groupID))), ("error", .int(Int64(e.error))),
            // What fio 3.33 writes for a job that ran to its end (INT_MAX: "no estimate").
            ("eta", .int(2_147_483_647)), ("elapsed", .uint((e.stats.elapsedNs + 999_999_999) / 1_000_000_000)),
        ]
        // fio's "job options" are what the job's own section set, as set there (bare flags
        // left out); inherited ones are under "global options", whatever a later [global]
        // changed them to. A job with none of its own has no "job options".
        let def = e.optionsConfig.definition
        // (An option the command line overrode is left out: the job ran with the global value.)
        let own: [(String, String)] = def.settings.compactMap { o in
            guard let mine = def.ownSettings[o.name], mine.value == o.setting.value else { return nil }
            return mine.value.map { (o.name, $0) }
        }
        if !own.isEmpty { kv.append(("job options", .object(own.map { ($0.0, .string($0.1)) }))) }
        // unified_rw_reporting=mixed: one "mixed" direction instead of read/write/trim/sync;
        // both: those and "mixed" after them.
        let unified = e.config.unifiedReporting
        if unified != .mixed {
            for d in 0..<3 { kv.append((["read", "write", "trim"][d], dirJSON(e, d, groupAgg: g?.aggBw[d] ?? 0, plus: plus))) }
        }
        if unified == .mixed { kv.append(("mixed", mixedJSON(e, plus: plus, groupAgg: g.map { $0.aggBw.reduce(0, +) } ?? 0))) }
        if unified != .mixed { kv.append(("sync", .object([("total_ios", .uint(e.stats.syncIOs)), ("lat_ns", latJSON(e.stats.syncLat, hist: e.config.clatPercentiles || e.config.latPercentiles ? e.stats.syncHist : nil, percentiles: e.config.percentiles, plus: plus))]))) }
        if unified == .both { kv.append(("mixed", mixedJSON(e, plus: plus, groupAgg: g.map { $0.aggBw.reduce(0, +) } ?? 0))) }
        kv += [
            ("job_runtime", .uint(runtimeMs)),
            ("usr_cpu", .double(cpu.usr)), ("sys_cpu", .double(cpu.sys)),
            ("ctx", .int(Int64(e.stats.cpu.voluntaryCtx + e.stats.cpu.involuntaryCtx))),
            ("majf", .int(Int64(e.stats.cpu.majorFaults))), ("minf", .int(Int64(e.stats.cpu.minorFaults))),
            ("iodepth_level", .object(zip(["1", "2", "4", "8", "16", "32", ">=64"], Report.depthLevels(e.stats)).map { ($0, .double($1)) })),
            ("iodepth_submit", pctMap(["0", "4", "8", "16", "32", "64", ">=64"], e.stats.depthSubmit.array)),
            ("iodepth_complete", pctMap(["0", "4", "8", "16", "32", "64", ">=64"], e.stats.depthComplete.array)),
            ("latency_ns", b.ns), ("latency_us", b.us), ("latency_ms", b.ms),
        ]
        // fio adds these two only when continue_on_error is set, right after latency_ms.
        if e.config.nonFatal.any {
            kv += [("total_err", .uint(e.stats.continuedErrors)), ("first_error", .int(Int64(e.stats.firstContinuedError)))]
        }
        // fio writes these once the job has reached its I/O loop (latency_qd is set there), so
        // a job that failed in setup, or made its files only, has none.
        if e.stats.ranIOLoop {
            kv += [
                ("latency_depth", .int(Int64(e.stats.latencyDepth ?? e.config.iodepth))),
                // fio 3.33 gives the target in ns and the window in us.
                ("latency_target", .int(Int64(e.config.latencyTarget?.targetNs ?? 0))),
                ("latency_percentile", .double(e.config.latencyTarget?.percentile ?? 100)),
                ("latency_window", .int(Int64((e.config.latencyTarget?.windowNs ?? 0) / 1000))),
            ]
        }
        if let ss = e.stats.steadyState { kv.append(("steadystate", Report.steadyStateJSON(ss))) }
        // fio adds the job's description last, only when there is one.
        if let desc = e.config.definition["description"], !desc.isEmpty { kv.append(("desc", .string(desc))) }
        kv.append(("swio", swioJSON(e)))
        return .object(kv)
    }

    /// The job's reads, writes and trims as one direction (unified_rw_reporting).
    func mixedJSON(_ e: ReportEntry, plus: Bool, groupAgg: UInt64) -> JSON {
        var m = e
        var all = e.stats.dirs[0]
        all.merge(e.stats.dirs[1])
        all.merge(e.stats.dirs[2])
        m.stats.dirs[0] = all
        return dirJSON(m, 0, groupAgg: groupAgg, plus: plus)
    }

    /// fio's "steadystate" section: the limit and criterion as "%f" strings, the window oldest first.
    static func steadyStateJSON(_ r: SteadyStateResult) -> JSON {
        let pct = r.settings.percent ? "%" : ""
        func f6(_ v: Double) -> String {
            guard v.isFinite else { return v > 0 ? "inf" : "-inf" }
            let scaled = (abs(v) * 1e6).rounded()
            let whole = UInt64(scaled / 1e6), frac = UInt64(scaled.truncatingRemainder(dividingBy: 1e6))
            let f = String(frac)
            return (v < 0 && scaled > 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: 6 - f.count) + f
        }
        return .object([
            ("ss", .string("\(r.settings.criterion.rawValue):\(f6(r.settings.limit))\(pct)")),
            ("duration", .int(Int64(r.settings.duration))),
            ("attained", .int(r.attained ? 1 : 0)),
            ("criterion", .string(f6(r.criterion) + pct)),
            ("max_deviation", .double(r.maxDeviation)),
            ("slope", .double(r.slope)),
            ("data", .object([
                ("bw_mean", .uint(r.bwMean)), ("iops_mean", .uint(r.iopsMean)),
                ("iops", .array(r.iops.map { .uint($0) })), ("bw", .array(r.bw.map { .uint($0) })),
            ])),
        ])
    }

    func swioJSON(_ e: ReportEntry) -> JSON {
        var kv: [(String, JSON)] = [
            ("ioengine", .string(e.config.engineName)), ("jobs", .int(Int64(e.jobs))),
            ("runtime_ns", .uint(e.stats.runtimeNs)),
            ("submit_calls", .uint(e.stats.submitCalls)), ("complete_calls", .uint(e.stats.completeCalls)),
            ("cpu_usec", .object([("user", .int(Int64(e.stats.cpu.userUs))), ("system", .int(Int64(e.stats.cpu.systemUs)))])),
            ("errors", .uint(e.stats.errors)),
        ]
        if let m = e.errorMessage { kv.append(("first_error", .string(m))) }
        if let w = e.stats.overlapWaits { kv.append(("overlap_waits", .uint(w))) }
        if !e.stats.engineStats.isEmpty { kv.append(("engine", .object(e.stats.engineStats))) }
        if !e.stats.timeline.points.isEmpty { kv.append(("timeline", timelineJSON(e.stats.timeline))) }
        if let b = e.baseline {
            kv.append(("baseline", .object([("kind", .string(b.kind)), ("bytes_per_sec", .double(b.baselineBytesPerSec)), ("fraction", .double(b.fraction))])))
        }
        return .object(kv)
    }

    /// Columns: "ms", then cumulative "<dir>_bytes" and "<dir>_ios" for each direction that moved.
    func timelineJSON(_ t: Timeline) -> JSON {
        var kv: [(String, JSON)] = [("ms", .array(t.points.map { .uint($0.ms) }))]
        for (d, name) in ["read", "write", "trim"].enumerated() where t.points.last.map({ $0.ios[d] > 0 }) == true {
            kv.append(("\(name)_bytes", .array(t.points.map { .uint($0.bytes[d]) })))
            kv.append(("\(name)_ios", .array(t.points.map { .uint($0.ios[d]) })))
        }
        return .object(kv)
    }

    static func ctime(_ secs: UInt64) -> String {
        var t = time_t(secs)
        var tmv = tm()
        localtime_r(&t, &tmv)
        var buf = [CChar](repeating: 0, count: 64)
        let n = strftime(&buf, 64, "%a %b %e %H:%M:%S %Y", &tmv)
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
