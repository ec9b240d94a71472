// What the pictures are drawn from: swio's or fio's JSON reports, read into plain values.

import Foundation
import SwioCompare

public struct PlotInputError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}

/// One direction of one job.
public struct DirectionData: Sendable {
    public var name: String
    public var bwBytes: Double
    public var iops: Double
    public var ios: Double
    /// fio's clat_ns percentiles (or lat_ns's when clat has none), (percent, ns) ascending.
    public var percentiles: [(Double, Double)]
    /// json+'s clat_ns bins: (ns, count) ascending; empty without json+.
    public var bins: [(Double, Double)]
}

/// A job's rate over time: (seconds since it began, value per second) per direction.
public struct TimeSeries: Sendable {
    public var bandwidth: [String: [(Double, Double)]] = [:]
    public var iops: [String: [(Double, Double)]] = [:]
    public var source: String
}

public struct JobData: Sendable {
    public var name: String
    public var group: Int
    public var engine: String
    public var directions: [DirectionData]
    public var runtimeMs: Double
    public var usrCPU: Double
    public var sysCPU: Double
    /// fio's iodepth_level: ("1", %), ..., (">=64", %).
    public var depth: [(String, Double)]
    /// fio's latency_ns/us/ms buckets: ("2us", %), ... in order.
    public var latencyBuckets: [(String, Double)]
    public var timeline: TimeSeries?
    public var baselineFraction: Double?
    public var error: Int
    public var key: String { "\(name) (group \(group))" }
}

public struct ReportData: Sendable {
    /// The file (and repetition) it came from.
    public var source: String
    public var tool: String
    public var jobs: [JobData]
}

public enum PlotInput {
    static let directionNames = ["read", "write", "trim"]

    /// Every report in the files: each --repeat repetition, or the final report of a file (its
    /// status reports, if any, become the jobs' time series when the report has none).
    public static func read(_ paths: [String]) throws -> [ReportData] {
        var out: [ReportData] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PlotInputError("\(path): cannot read it (\(String(cString: strerror(errno))))")
            }
            out += try reports(in: String(decoding: data, as: UTF8.self), source: path)
        }
        return out
    }

    /// The reports in one file's text.
    public static func reports(in text: String, source: String) throws -> [ReportData] {
        let docs: [[String: Any]]
        do { docs = try ReportReader.documents(in: text, file: source) } catch let e as CompareInputError {
            throw PlotInputError(e.description)
        }
        let repeated = docs.filter { $0["swio repetition"] != nil }
        if repeated.count > 1 {
            return try repeated.enumerated().map { i, d in try report(d, source: "\(source) #\(i + 1)", statusReports: []) }
        }
        return [try report(docs.last!, source: source, statusReports: Array(docs.dropLast()))]
    }

    /// A report's number, kept finite and within ±1e18 (a hand-edited or damaged report must
    /// not make an axis infinite).
    static func number(_ v: Any?) -> Double {
        guard let d = ReportReader.number(v), d.isFinite else { return 0 }
        return min(max(d, -1e18), 1e18)
    }

    static func report(_ d: [String: Any], source: String, statusReports: [[String: Any]]) throws -> ReportData {
        guard let rawJobs = (d["jobs"] ?? d["client_stats"]) as? [[String: Any]] else {
            throw PlotInputError("\(source): \"jobs\" is not a list of jobs")
        }
        var jobs: [JobData] = []
        for (i, j) in rawJobs.enumerated() {
            guard let name = j["jobname"] as? String else { throw PlotInputError("\(source): job \(i + 1) has no jobname") }
            var job = JobData(name: name, group: Int(number(j["groupid"])), engine: engine(j), directions: [],
                              runtimeMs: number(j["job_runtime"]), usrCPU: number(j["usr_cpu"]), sysCPU: number(j["sys_cpu"]),
                              depth: buckets(j["iodepth_level"], unit: ""), latencyBuckets: [], timeline: nil,
                              baselineFraction: nil, error: Int(number(j["error"])))
            for unit in ["ns", "us", "ms"] { job.latencyBuckets += buckets(j["latency_\(unit)"], unit: unit) }
            for name in directionNames {
                guard let dir = j[name] as? [String: Any], number(dir["total_ios"]) > 0 || number(dir["io_bytes"]) > 0 else { continue }
                var pct = latency(dir["clat_ns"])
                if pct.percentiles.isEmpty { pct = latency(dir["lat_ns"]) }
                job.directions.append(DirectionData(name: name, bwBytes: number(dir["bw_bytes"]), iops: number(dir["iops"]),
                                                    ios: number(dir["total_ios"]), percentiles: pct.percentiles, bins: pct.bins))
            }
            let swio = j["swio"] as? [String: Any]
            if let b = swio?["baseline"] as? [String: Any] { job.baselineFraction = ReportReader.number(b["fraction"]) }
            job.timeline = timeline(swio?["timeline"] as? [String: Any], job: j, source: source)
                ?? statusTimeline(statusReports, jobIndex: i, name: name, final: j, source: source)
            jobs.append(job)
        }
        return ReportData(source: source, tool: (d["fio version"] as? String) ?? "unknown", jobs: jobs)
    }

    static func engine(_ j: [String: Any]) -> String {
        if let e = (j["swio"] as? [String: Any])?["ioengine"] as? String { return e }
        return ((j["job options"] as? [String: Any])?["ioengine"] as? String) ?? ""
    }

    /// A {"key": percent} map in the order fio writes it ("2", "4", ... ">=64").
    static func buckets(_ v: Any?, unit: String) -> [(String, Double)] {
        guard let m = v as? [String: Any] else { return [] }
        func order(_ k: String) -> Double { Double(k.filter { $0.isNumber || $0 == "." }) ?? .infinity }
        return m.keys.sorted { order($0) < order($1) }.map { k in
            (unit.isEmpty ? k : (k.hasPrefix(">=") ? ">=" + k.dropFirst(2) + unit : k + unit), number(m[k]))
        }
    }

    static func latency(_ v: Any?) -> (percentiles: [(Double, Double)], bins: [(Double, Double)]) {
        guard let l = v as? [String: Any] else { return ([], []) }
        let p = (l["percentile"] as? [String: Any])?.compactMap { k, v in Double(k).map { ($0, number(v)) } }.sorted { $0.0 < $1.0 } ?? []
        let b = (l["bins"] as? [String: Any])?.compactMap { k, v in Double(k).map { ($0, number(v)) } }.sorted { $0.0 < $1.0 } ?? []
        return (p, b)
    }

    /// swio's timeline: cumulative counters at each sample, turned into rates per interval.
    static func timeline(_ t: [String: Any]?, job: [String: Any], source: String) -> TimeSeries? {
        guard let t, let ms = (t["ms"] as? [Any])?.map({ number($0) }), !ms.isEmpty else { return nil }
        var series = TimeSeries(source: "swio's samples every \(Int(ms.first!)) ms")
        // The job's totals at its end close the last interval.
        let endMs = number(job["job_runtime"])
        for name in directionNames {
            guard var bytes = (t["\(name)_bytes"] as? [Any])?.map({ number($0) }),
                  var ios = (t["\(name)_ios"] as? [Any])?.map({ number($0) }), bytes.count == ms.count, ios.count == ms.count else { continue }
            var times = ms
            let dir = job[name] as? [String: Any]
            if endMs > ms.last! + 1, let total = dir?["io_bytes"], let n = dir?["total_ios"] {
                times.append(endMs); bytes.append(number(total)); ios.append(number(n))
            }
            series.bandwidth[name] = rates(times, bytes)
            series.iops[name] = rates(times, ios)
        }
        return series.bandwidth.isEmpty ? nil : series
    }

    /// From status reports (--status-interval, swio's or fio's): each one's cumulative bytes
    /// and I/Os at its job_runtime, then the final report's.
    static func statusTimeline(_ docs: [[String: Any]], jobIndex: Int, name: String, final: [String: Any], source: String) -> TimeSeries? {
        var rows: [[String: Any]] = []
        for d in docs {
            guard let jobs = (d["jobs"] ?? d["client_stats"]) as? [[String: Any]], jobIndex < jobs.count,
                  jobs[jobIndex]["jobname"] as? String == name else { continue }
            rows.append(jobs[jobIndex])
        }
        guard !rows.isEmpty else { return nil }
        rows.append(final)
        let ms = rows.map { number($0["job_runtime"]) }
        var series = TimeSeries(source: "\(rows.count - 1) status reports")
        for name in directionNames {
            let bytes = rows.map { number(($0[name] as? [String: Any])?["io_bytes"]) }
            let ios = rows.map { number(($0[name] as? [String: Any])?["total_ios"]) }
            guard bytes.last! > 0 else { continue }
            series.bandwidth[name] = rates(ms, bytes)
            series.iops[name] = rates(ms, ios)
        }
        return series.bandwidth.isEmpty ? nil : series
    }

    /// Per-second rates between consecutive cumulative points (from 0 at 0 ms), stamped at each
    /// interval's end; intervals that do not move forward in time are skipped.
    static func rates(_ ms: [Double], _ totals: [Double]) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        var lastMs = 0.0, lastTotal = 0.0
        for (t, v) in zip(ms, totals) where t > lastMs {
            out.append((t / 1000, max(0, v - lastTotal) * 1000 / (t - lastMs)))
            lastMs = t
            lastTotal = v
        }
        return out
    }
}
