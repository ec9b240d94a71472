// One report for all ranks, in fio's client/server layout (what `fio --client` writes): every
// rank's jobs in "client_stats" with their hostname, then "All clients", whose latency
// percentiles come from the ranks' merged histogram buckets (json+ bins), not from averaging
// percentiles. Under "swio": how far apart the ranks started and ended.

import SwioCore
import CSwio

/// What one rank sent: its place, its clock and its report (json+).
public struct RankReport: Sendable {
    public var rank: Int
    public var hostname: String
    public var startMs: UInt64
    public var endMs: UInt64
    public var report: JSON?
    /// Why there is no report (a rank that never answered, or sent something unreadable).
    public var problem: String?
    /// Microseconds this rank waited at group-start barriers.
    public var barrierUs: UInt64 = 0
    public init(rank: Int, hostname: String, startMs: UInt64, endMs: UInt64, report: JSON?, problem: String? = nil, barrierUs: UInt64 = 0) {
        self.rank = rank; self.hostname = hostname; self.startMs = startMs; self.endMs = endMs; self.report = report
        self.problem = problem; self.barrierUs = barrierUs
    }
}

public enum ClusterReport {
    /// The merged report; `plus` keeps the bins (json+).
    /// The merge times itself (swio.mpi.merge_us): the jobs' and "All clients"' entries.
    public static func merge(_ ranks: [RankReport], implementation: String, plus: Bool, gatherUs: UInt64 = 0) -> JSON {
        let t0 = cswio_now_ns()
        let present = ranks.filter { $0.report != nil }
        let head = present.first?.report
        var top: [(String, JSON)] = []
        for key in ["fio version", "timestamp", "timestamp_ms", "time", "global options"] {
            if let v = head?[key] { top.append((key, v)) }
        }
        var clientStats: [JSON] = []
        var allJobs: [[(String, JSON)]] = []
        for r in present {
            for job in r.report?["jobs"]?.arrayValues ?? [] {
                guard var kv = job.objectPairs else { continue }
                allJobs.append(kv)
                if !plus { kv = strippingBins(kv) }
                kv.append(("hostname", .string(r.hostname)))
                // fio's server port; here the rank, which tells apart ranks on one host.
                kv.append(("port", .int(Int64(r.rank))))
                clientStats.append(.object(kv))
            }
        }
        if let all = allClients(allJobs, plus: plus) { clientStats.append(.object(all)) }
        top.append(("client_stats", .array(clientStats)))
        if let d = head?["disk_util"] { top.append(("disk_util", d)) }
        let starts = present.map(\.startMs), ends = present.map(\.endMs)
        var mpi: [(String, JSON)] = [
            ("implementation", .string(implementation)), ("ranks", .int(Int64(ranks.count))),
            ("start_skew_ms", .uint((starts.max() ?? 0) - (starts.min() ?? 0))),
            ("end_skew_ms", .uint((ends.max() ?? 0) - (ends.min() ?? 0))),
            ("gather_us", .uint(gatherUs)), ("merge_us", .uint((cswio_now_ns() - t0) / 1000)),
        ]
        mpi.append(("hosts", .array(ranks.map { r in
            var kv: [(String, JSON)] = [("rank", .int(Int64(r.rank))), ("hostname", .string(r.hostname)),
                                        ("start_ms", .uint(r.startMs)), ("end_ms", .uint(r.endMs)), ("barrier_us", .uint(r.barrierUs))]
            if let p = r.problem { kv.append(("error", .string(p))) }
            return .object(kv)
        })))
        let missing = ranks.filter { $0.report == nil }.map(\.rank)
        if !missing.isEmpty { mpi.append(("missing_ranks", .array(missing.map { .int(Int64($0)) }))) }
        top.append(("swio", .object([("mpi", .object(mpi))])))
        return .object(top)
    }

    static func strippingBins(_ kv: [(String, JSON)]) -> [(String, JSON)] {
        kv.map { k, v in
            guard ["read", "write", "trim", "mixed", "sync"].contains(k), let d = v.objectPairs else { return (k, v) }
            return (k, .object(d.map { lk, lv in
                guard lk.hasSuffix("_ns"), let l = lv.objectPairs else { return (lk, lv) }
                return (lk, .object(l.filter { $0.0 != "bins" }))
            }))
        }
    }

    /// fio's "All clients": every job of every rank as one.
    static func allClients(_ jobs: [[(String, JSON)]], plus: Bool) -> [(String, JSON)]? {
        guard let first = jobs.first else { return nil }
        let objs = jobs.map { JSON.object($0) }
        func nums(_ k: String) -> [Double] { objs.compactMap { $0[k]?.number } }
        var out: [(String, JSON)] = []
        for (k, v) in first {
            switch k {
            case "jobname": out.append((k, .string("All clients")))
            case "groupid": out.append((k, .int(0)))
            case "error": out.append((k, .int(Int64(nums(k).first { $0 != 0 } ?? 0))))
            case "job options", "swio", "steadystate", "desc": continue
            case "read", "write", "trim", "mixed":
                out.append((k, mergeDirection(objs.compactMap { $0[k] }, plus: plus)))
            case "sync":
                let parts = objs.compactMap { $0[k] }
                out.append((k, .object([("total_ios", .uint(UInt64(parts.compactMap { $0["total_ios"]?.number }.reduce(0, +)))),
                                        ("lat_ns", mergeLatency(parts.compactMap { $0["lat_ns"] }, plus: plus))])))
            case "elapsed", "job_runtime", "eta": out.append((k, .uint(UInt64(nums(k).max() ?? 0))))
            case "ctx", "majf", "minf", "total_err": out.append((k, .int(Int64(nums(k).reduce(0, +)))))
            case "usr_cpu", "sys_cpu": out.append((k, .double(nums(k).reduce(0, +) / Double(max(1, nums(k).count)))))
            default:
                // Percentage maps (latency_*, iodepth_*): weighted by each job's I/Os.
                if let kv = v.objectPairs, kv.allSatisfy({ $0.1.number != nil }) {
                    let weights = objs.map { o in ["read", "write", "trim"].compactMap { o[$0]?["total_ios"]?.number }.reduce(0, +) }
                    let total = max(1, weights.reduce(0, +))
                    out.append((k, .object(kv.map { key, _ in
                        (key, .double(zip(objs, weights).reduce(0.0) { $0 + ($1.0[k]?[key]?.number ?? 0) * $1.1 } / total))
                    })))
                } else {
                    out.append((k, v))
                }
            }
        }
        return out
    }

    static func mergeDirection(_ parts: [JSON], plus: Bool) -> JSON {
        guard let template = parts.first?.objectPairs else { return .object([]) }
        func sum(_ k: String) -> Double { parts.compactMap { $0[k]?.number }.reduce(0, +) }
        func maxOf(_ k: String) -> Double { parts.compactMap { $0[k]?.number }.max() ?? 0 }
        let bytes = sum("io_bytes"), ios = sum("total_ios"), runtime = maxOf("runtime")
        // Over the longest runtime, as fio's group numbers: the ranks ran side by side.
        let bw = runtime > 0 ? bytes * 1000 / runtime : 0
        var out: [(String, JSON)] = []
        for (k, v) in template {
            switch k {
            case "io_bytes", "total_ios", "short_ios", "drop_ios", "bw_samples", "iops_samples":
                out.append((k, .uint(UInt64(sum(k)))))
            case "io_kbytes": out.append((k, .uint(UInt64(bytes) / 1024)))
            case "bw_bytes": out.append((k, .uint(UInt64(bw))))
            case "bw": out.append((k, .uint(UInt64(bw) / 1024)))
            case "iops": out.append((k, .double(runtime > 0 ? ios * 1000 / runtime : 0)))
            case "runtime": out.append((k, .uint(UInt64(runtime))))
            case "slat_ns", "clat_ns", "lat_ns": out.append((k, mergeLatency(parts.compactMap { $0[k] }, plus: plus)))
            // Rates of ranks running side by side add up.
            case "bw_min", "bw_max", "iops_min", "iops_max": out.append((k, .uint(UInt64(sum(k)))))
            case "bw_mean", "iops_mean", "bw_dev", "iops_stddev": out.append((k, .double(sum(k))))
            case "bw_agg": out.append((k, .double(100)))
            case "prios": out.append((k, mergePriorities(parts.compactMap { $0[k]?.arrayValues }, plus: plus)))
            default: out.append((k, v))
            }
        }
        return .object(out)
    }

    /// cmdprio's per-priority latencies: each priority's entries of every rank merged, in the
    /// order the priorities first appear.
    static func mergePriorities(_ lists: [[JSON]], plus: Bool) -> JSON {
        var order: [String] = []
        var byKey: [String: [JSON]] = [:]
        for entry in lists.joined() {
            let key = "\(entry["prioclass"]?.number ?? 0)/\(entry["prio"]?.number ?? 0)"
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append(entry)
        }
        return .array(order.map { key in
            let entries = byKey[key]!
            let pairs = entries[0].objectPairs ?? []
            return .object(pairs.map { k, v in
                k == "clat_ns" || k == "lat_ns" ? (k, mergeLatency(entries.compactMap { $0[k] }, plus: plus)) : (k, v)
            })
        })
    }

    /// min, max, N-weighted mean, pooled standard deviation, and percentiles from the merged bins.
    static func mergeLatency(_ parts: [JSON], plus: Bool) -> JSON {
        let used = parts.filter { ($0["N"]?.number ?? 0) > 0 }
        guard let template = (used.first ?? parts.first)?.objectPairs else { return .object([]) }
        let n = used.compactMap { $0["N"]?.number }.reduce(0, +)
        let mean = n > 0 ? used.reduce(0.0) { $0 + ($1["mean"]?.number ?? 0) * ($1["N"]?.number ?? 0) } / n : 0
        let second = used.reduce(0.0) { acc, p in
            let s = p["stddev"]?.number ?? 0, m = p["mean"]?.number ?? 0, c = p["N"]?.number ?? 0
            return acc + c * (s * s + m * m)
        }
        let variance = n > 0 ? max(0, second / n - mean * mean) : 0
        let lo = used.compactMap { $0["min"]?.number }.min() ?? 0, hi = used.compactMap { $0["max"]?.number }.max() ?? 0
        // The bins of every part, summed per bucket value.
        var bins: [UInt64: UInt64] = [:]
        let haveBins = !used.isEmpty && used.allSatisfy { $0["bins"] != nil }
        if haveBins {
            for p in used { for (k, v) in p["bins"]?.objectPairs ?? [] { if let key = UInt64(k), let c = v.number { bins[key, default: 0] += UInt64(c) } } }
        }
        let sorted = bins.sorted { $0.key < $1.key }
        let total = sorted.reduce(0) { $0 + $1.value }
        func percentile(_ p: Double) -> UInt64 {
            if p == 0 { return UInt64(lo) }
            if p >= 100 { return UInt64(hi) }
            // As swio's own reports take it: the bucket where the count reaches ceil(p% of N).
            let countAt = max(1, UInt64((p.nextDown * Double(total) / 100).rounded(.up)))
            var acc: UInt64 = 0
            for (v, c) in sorted { acc += c; if acc >= countAt { return min(max(v, UInt64(lo)), UInt64(hi)) } }
            return 0
        }
        var out: [(String, JSON)] = []
        for (k, v) in template {
            switch k {
            case "min": out.append((k, .uint(UInt64(lo))))
            case "max": out.append((k, .uint(UInt64(hi))))
            case "mean": out.append((k, .double(mean)))
            case "stddev": out.append((k, .double(variance.squareRoot())))
            case "N": out.append((k, .uint(UInt64(n))))
            case "percentile":
                guard haveBins, let keys = v.objectPairs else { continue }
                out.append((k, .object(keys.map { key, _ in (key, .uint(percentile(Double(key) ?? 0))) })))
            case "bins":
                if plus && haveBins { out.append((k, .object(sorted.map { (String($0.key), .uint($0.value)) }))) }
            default: out.append((k, v))
            }
        }
        return .object(out)
    }
}
