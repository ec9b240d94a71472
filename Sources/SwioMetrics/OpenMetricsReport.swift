// A report as Prometheus text exposition (what `promtool check metrics`, node_exporter's textfile
// collector and a Prometheus scrape read). Counters and gauges go through swift-prometheus; the
// latency histograms are written here, because its Histogram records one observation at a time
// and a job's HDR histogram holds counts (millions of I/Os per bucket).

import Prometheus
import SwioCore

public enum OpenMetricsReport {
    /// Upper bounds (ns) of the latency histograms' buckets: fio's latency buckets from 250 ns
    /// to 2 s, the same for every job, so series add up across jobs and runs.
    public static let latencyBucketsNs: [UInt64] = {
        var b: [UInt64] = [250, 500, 750]
        for scale: UInt64 in [1_000, 1_000_000] { b += [1, 2, 4, 10, 20, 50, 100, 250, 500, 750].map { $0 * scale } }
        return b + [1_000_000_000, 2_000_000_000]
    }()

    static let directionNames = ["read", "write", "trim"]

    /// The whole report: one series per job (and direction), labelled job, group, clone (which of
    /// a job's numjobs copies) and engine, plus direction where it applies.
    public static func render(_ report: Report) -> String {
        var x = Exposition()
        x.gauge(Family.info, [("version", swioVersion)], 1)
        var histograms = ""
        var clones: [String: Int] = [:]
        for e in report.entries {
            let clone = clones[e.name, default: 0]
            clones[e.name] = clone + 1
            let job: [(String, String)] = [("job", e.name), ("group", String(e.groupID)), ("clone", String(clone)), ("engine", e.engine.name)]
            jobMetrics(&x, e, job)
            for d in directions(e) {
                let labels = job + [("direction", directionNames[d])]
                directionMetrics(&x, e, d, labels)
                histograms += latencyHistogram(e.stats.dirs[d], labels)
            }
        }
        var text = x.text()
        if !histograms.isEmpty {
            text += "# HELP swio_completion_latency_seconds Completion latency (fio's clat) of each I/O.\n"
            text += "# TYPE swio_completion_latency_seconds histogram\n" + histograms
        }
        return text + "# EOF\n"
    }

    /// The directions a job's rw= covers, plus any it did I/O in (a verify read).
    static func directions(_ e: ReportEntry) -> [Int] {
        (0..<3).filter { d in e.config.rw.directions.contains { $0.rawValue == d } || e.stats.dirs[d].ios > 0 }
    }

    static func jobMetrics(_ x: inout Exposition, _ e: ReportEntry, _ labels: [(String, String)]) {
        let s = e.stats
        x.gauge(Family.runtime, labels, Double(s.runtimeNs) / 1e9)
        let cpu = Report.cpuPercent(s)
        x.counter(Family.cpu, labels + [("mode", "user")], Double(s.cpu.userUs) / 1e6)
        x.counter(Family.cpu, labels + [("mode", "system")], Double(s.cpu.systemUs) / 1e6)
        x.gauge(Family.cpuUtilization, labels + [("mode", "user")], cpu.usr / 100)
        x.gauge(Family.cpuUtilization, labels + [("mode", "system")], cpu.sys / 100)
        x.counter(Family.contextSwitches, labels, UInt64(s.cpu.voluntaryCtx + s.cpu.involuntaryCtx))
        x.counter(Family.continuedErrors, labels, s.continuedErrors)
        x.gauge(Family.jobError, labels, Double(e.error))
        if let b = e.baseline { x.gauge(Family.baseline, labels + [("baseline", b.kind)], b.fraction) }
    }

    static func directionMetrics(_ x: inout Exposition, _ e: ReportEntry, _ d: Int, _ labels: [(String, String)]) {
        let s = e.stats.dirs[d]
        x.counter(Family.io, labels, s.bytes)
        x.counter(Family.ios, labels, s.ios)
        x.counter(Family.failedIos, labels, s.failedIOs)
        x.gauge(Family.bandwidth, labels, Double(e.bwBytes(d)))
        x.gauge(Family.iops, labels, e.iops(d))
        guard s.clat.n > 0, e.config.clatPercentiles else { return }
        for p in e.config.percentiles {
            x.gauge(Family.completionLatencyPercentile, labels + [("percentile", Format.fixed(p, 6))],
                    Double(s.clatHist.valueAtPercentile(p)) / 1e9)
        }
    }

    /// One histogram series: cumulative counts at each bound, from the job's HDR buckets.
    static func latencyHistogram(_ s: DirectionResult, _ labels: [(String, String)]) -> String {
        guard s.clat.n > 0 else { return "" }
        let values = s.clatHist.recordedValues()
        var out = ""
        var i = 0
        var cumulative: UInt64 = 0
        for limitNs in latencyBucketsNs {
            while i < values.count && values[i].value <= limitNs { cumulative += values[i].count; i += 1 }
            out += "swio_completion_latency_seconds_bucket\(labelText(labels + [("le", seconds(limitNs))])) \(cumulative)\n"
        }
        // The HDR histogram and the running count can differ by the I/Os still in flight at a
        // snapshot; +Inf and _count are the histogram's own total, so the series is consistent.
        let total = values.reduce(UInt64(0)) { $0 + $1.count }
        out += "swio_completion_latency_seconds_bucket\(labelText(labels + [("le", "+Inf")])) \(total)\n"
        out += "swio_completion_latency_seconds_sum\(labelText(labels)) \(s.clat.mean * Double(s.clat.n) / 1e9)\n"
        out += "swio_completion_latency_seconds_count\(labelText(labels)) \(total)\n"
        return out
    }

    /// {a="x",b="y"}, escaping backslash, double quote and line feed as the format requires.
    static func labelText(_ labels: [(String, String)]) -> String {
        let body = labels.map { k, v in
            var escaped = ""
            for ch in v {
                switch ch {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n": escaped += "\\n"
                default: escaped.append(ch)
                }
            }
            return "\(k)=\"\(escaped)\""
        }
        return "{" + body.joined(separator: ",") + "}"
    }

    /// Nanoseconds as exact decimal seconds ("0.00025"), for bucket bounds.
    static func seconds(_ ns: UInt64) -> String {
        var fraction = String(ns % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(ns / 1_000_000_000)" + (fraction.isEmpty ? "" : "." + fraction)
    }
}

/// A registry that remembers the order series were made in: swift-prometheus emits families and
/// series in hash order, and a file (a textfile collector's, a diff of two runs) reads better,
/// and compares, in a fixed one.
struct Exposition {
    let registry = PrometheusCollectorRegistry()
    private var order: [String: Int] = [:]

    mutating func gauge(_ f: MetricNameDescriptor, _ labels: [(String, String)], _ value: Double) {
        remember(labels)
        registry.makeGauge(descriptor: f, labels: labels).set(to: value)
    }
    mutating func counter(_ f: MetricNameDescriptor, _ labels: [(String, String)], _ value: UInt64) {
        remember(labels)
        registry.makeCounter(descriptor: f, labels: labels).increment(by: Int64(clamping: value))
    }
    mutating func counter(_ f: MetricNameDescriptor, _ labels: [(String, String)], _ value: Double) {
        remember(labels)
        registry.makeCounter(descriptor: f, labels: labels).increment(by: value)
    }
    private mutating func remember(_ labels: [(String, String)]) {
        let key = OpenMetricsReport.labelText(labels)
        if order[key] == nil { order[key] = order.count }
    }

    /// Families by name, each one's series in the order they were made.
    func text() -> String {
        var families: [(name: String, head: [Substring], samples: [Substring])] = []
        for line in registry.emitToString().split(separator: "\n") {
            if line.hasPrefix("# HELP ") || (line.hasPrefix("# TYPE ") && families.last?.samples.isEmpty == false) || families.isEmpty {
                let name = line.split(separator: " ").dropFirst(2).first.map(String.init) ?? ""
                families.append((name, [], []))
            }
            if line.hasPrefix("#") { families[families.count - 1].head.append(line) } else { families[families.count - 1].samples.append(line) }
        }
        func rank(_ sample: Substring) -> Int {
            guard let open = sample.firstIndex(of: "{"), let close = sample.lastIndex(of: "}") else { return -1 }
            return order[String(sample[open...close])] ?? Int.max
        }
        var out = ""
        for f in families.sorted(by: { $0.name < $1.name }) {
            for h in f.head { out += h + "\n" }
            for s in f.samples.sorted(by: { rank($0) < rank($1) }) { out += s + "\n" }
        }
        return out
    }
}

/// The metric families, named as Prometheus' conventions ask (base units, _total on counters).
enum Family {
    static var info: MetricNameDescriptor { swio("info", "", "The swio that wrote these metrics (always 1).") }
    static var runtime: MetricNameDescriptor { swio("runtime", "seconds", "How long the job has run.") }
    static var cpu: MetricNameDescriptor { swio("cpu", "seconds_total", "CPU time the job used.") }
    static var cpuUtilization: MetricNameDescriptor { swio("cpu_utilization", "ratio", "CPU time over the job's run time (fio's usr_cpu and sys_cpu, as a fraction).") }
    static var contextSwitches: MetricNameDescriptor { swio("context_switches", "total", "Voluntary and involuntary context switches.") }
    static var continuedErrors: MetricNameDescriptor { swio("continued_errors", "total", "Errors the job went on past (continue_on_error; fio's total_err).") }
    static var jobError: MetricNameDescriptor { swio("job_error", "", "The errno that stopped the job (fio's error), 0 if none.") }
    static var baseline: MetricNameDescriptor { swio("baseline", "ratio", "The job's bandwidth as a fraction of its target's baseline.") }
    static var io: MetricNameDescriptor { swio("io", "bytes_total", "Bytes transferred.") }
    static var ios: MetricNameDescriptor { swio("ios", "total", "I/Os completed.") }
    static var failedIos: MetricNameDescriptor { swio("failed_ios", "total", "I/Os that failed.") }
    static var bandwidth: MetricNameDescriptor { swio("bandwidth", "bytes_per_second", "Bytes per second over the job's run time (fio's bw_bytes).") }
    static var iops: MetricNameDescriptor { swio("iops", "", "I/Os per second over the job's run time (fio's iops).") }
    static var completionLatencyPercentile: MetricNameDescriptor { swio("completion_latency_percentile", "seconds", "Completion latency percentiles, as fio's clat_ns percentile.") }

    private static func swio(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "swio", metricName: name, unitName: unit, helpText: help)
    }
}
