// The charts of one or more reports, and the self-contained HTML page that holds them.

import Foundation

public struct Chart: Sendable {
    /// The section it belongs to (a job, or a comparison).
    public var section: String
    /// What it shows: bandwidth, iops, percentiles, histogram, depth, cpu, jobs-bandwidth,
    /// jobs-iops, compare-bandwidth, compare-iops, compare-percentiles, baseline.
    public var kind: String
    public var svg: String
}

public struct PlotReport: Sendable {
    public var title: String
    public var charts: [Chart] = []
    /// What could not be drawn, and why.
    public var notes: [String] = []

    static let directionColors = ["read": "#1f77b4", "write": "#d62728", "trim": "#2ca02c"]
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    public init(_ reports: [ReportData]) {
        title = reports.count == 1 ? "swio plot: \(reports[0].source)" : "swio plot: \(reports.count) reports"
        let labels = PlotReport.labels(reports)
        for (r, report) in reports.enumerated() {
            if report.jobs.isEmpty { notes.append("\(labels[r]): the report has no jobs") }
            if report.jobs.count > 1 { jobsCharts(report, label: labels[r]) }
            for job in report.jobs { jobCharts(job, section: "\(labels[r]): \(job.key)") }
        }
        if reports.count > 1 { comparisons(reports, labels) }
    }

    /// A short name per report: the file's name, or more of its path where two share it.
    static func labels(_ reports: [ReportData]) -> [String] {
        let short = reports.map { ($0.source as NSString).lastPathComponent }
        return short.map { s in short.filter { $0 == s }.count > 1 ? nil : s }.enumerated().map { i, s in s ?? reports[i].source }
    }

    mutating func add(_ section: String, _ kind: String, _ svg: String?, missing: String) {
        if let svg { charts.append(Chart(section: section, kind: kind, svg: svg)) } else { notes.append("\(section): no \(missing)") }
    }

    /// Bandwidth is drawn in MiB/s (values divided by `mib`), so ticks fall on round numbers.
    static let rateAxis = Axis("bandwidth (MiB/s)")
    static let mib = 1048576.0
    static let iopsAxis = Axis("IOPS")
    static let timeAxis = Axis("time (s)")
    static let latencyAxis = Axis("completion latency", .log, format: { Units.duration($0) })
    static let percentAxis = Axis("% of I/Os", format: { Units.short($0) + "%" })

    mutating func jobCharts(_ job: JobData, section: String) {
        let title = "\(job.name)\(job.engine.isEmpty ? "" : " (\(job.engine))")"
        if let t = job.timeline {
            let bw = t.bandwidth.keys.sorted().map { Series($0, PlotReport.directionColors[$0]!, t.bandwidth[$0]!.map { ($0.0, $0.1 / PlotReport.mib) }) }
            let iops = t.iops.keys.sorted().map { Series($0, PlotReport.directionColors[$0]!, t.iops[$0]!) }
            add(section, "bandwidth", SVGChart.line(kind: "bandwidth", title: "\(title): bandwidth over time", x: PlotReport.timeAxis, y: PlotReport.rateAxis, series: bw, markers: bw.first?.points.count ?? 0 < 3), missing: "bandwidth samples")
            add(section, "iops", SVGChart.line(kind: "iops", title: "\(title): IOPS over time", x: PlotReport.timeAxis, y: PlotReport.iopsAxis, series: iops, markers: iops.first?.points.count ?? 0 < 3), missing: "IOPS samples")
        } else {
            notes.append("\(section): no bandwidth or IOPS over time (the job ran shorter than one bwavgtime, or the report has no samples: swio keeps them in its JSON; fio's JSON has them only with --status-interval)")
        }
        let curves = job.directions.map { d in Series(d.name, PlotReport.directionColors[d.name]!, PlotReport.percentileCurve(d)) }
        add(section, "percentiles", SVGChart.line(kind: "percentiles", title: "\(title): latency percentiles",
                                                  x: Axis("percentile", .nines, format: { Units.percentile($0) }), y: PlotReport.latencyAxis,
                                                  series: curves, markers: curves.allSatisfy { $0.points.count <= 30 }), missing: "latency percentiles")
        histogram(job, section: section, title: title)
        add(section, "depth", SVGChart.bars(kind: "depth", title: "\(title): I/O depth", categories: job.depth.map(\.0),
                                            series: job.depth.isEmpty ? [] : [Series("depth", "#1f77b4", job.depth.enumerated().map { (Double($0.offset), $0.element.1) })],
                                            x: "I/Os in flight", y: PlotReport.percentAxis), missing: "I/O depth distribution")
        add(section, "cpu", SVGChart.bars(kind: "cpu", title: "\(title): CPU", categories: ["user", "system"],
                                          series: [Series("cpu", "#9467bd", [(0, job.usrCPU), (1, job.sysCPU)])],
                                          x: "", y: Axis("% of one CPU", format: { Units.short($0) + "%" })), missing: "CPU figures")
    }

    /// (percentile, ns): from json+ bins when there are, else fio's percentile list.
    static func percentileCurve(_ d: DirectionData) -> [(Double, Double)] {
        let total = d.bins.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return d.percentiles }
        // A point where the curve has moved visibly (in nines or in latency): a few hundred at most.
        var out: [(Double, Double)] = []
        var seen = 0.0
        for (ns, count) in d.bins {
            seen += count
            let p = seen / total * 100
            guard p < 100 else { break }
            if let last = out.last, SVGChart.nines(p) - SVGChart.nines(last.0) < 0.02 && ns < last.1 * 1.05 { continue }
            out.append((p, ns))
        }
        return out.isEmpty ? d.percentiles : out
    }

    mutating func histogram(_ job: JobData, section: String, title: String) {
        if job.directions.contains(where: { !$0.bins.isEmpty }) {
            // json+ bins, gathered into 4 buckets per decade of latency: % of each direction's I/Os.
            var edges: [Double] = []
            for k in 0...44 { edges.append((pow(10, Double(k) / 4) * 100).rounded() / 100) }
            func bucket(_ ns: Double) -> Int { edges.lastIndex { $0 <= ns } ?? 0 }
            let used = job.directions.flatMap(\.bins).map { bucket($0.0) }
            let lo = used.min() ?? 0, hi = used.max() ?? 0
            let series = job.directions.filter { !$0.bins.isEmpty }.map { d -> Series in
                let total = d.bins.reduce(0) { $0 + $1.1 }
                var counts = [Double](repeating: 0, count: hi - lo + 1)
                for (ns, c) in d.bins { counts[bucket(ns) - lo] += c }
                return Series(d.name, PlotReport.directionColors[d.name]!, counts.enumerated().map { (Double($0.offset), $0.element / total * 100) })
            }
            add(section, "histogram", SVGChart.bars(kind: "histogram", title: "\(title): latency histogram (json+)",
                                                    categories: (lo...hi).map { Units.duration(edges[$0]) }, series: series,
                                                    x: "completion latency (bucket start)", y: PlotReport.percentAxis), missing: "latency histogram")
        } else {
            let nonzero = job.latencyBuckets.enumerated().filter { $0.element.1 > 0 }.map(\.offset)
            guard let a = nonzero.first, let b = nonzero.last else { notes.append("\(section): no latency histogram (no I/O latencies)"); return }
            let shown = Array(job.latencyBuckets[a...b])
            add(section, "histogram", SVGChart.bars(kind: "histogram", title: "\(title): latency distribution (fio's buckets)",
                                                    categories: shown.map { "≤" + $0.0 }, series: [Series("latency", "#1f77b4", shown.enumerated().map { (Double($0.offset), $0.element.1) })],
                                                    x: "latency (bucket upper bound)", y: PlotReport.percentAxis), missing: "latency distribution")
            notes.append("\(section): latency histogram from fio's latency buckets (run with --output-format=json+ for the full histogram)")
        }
    }

    /// A report with several jobs (engines side by side, say): their bandwidth and IOPS.
    mutating func jobsCharts(_ report: ReportData, label: String) {
        let section = "\(label): all jobs"
        let names = report.jobs.map { $0.name + ($0.engine.isEmpty ? "" : " (\($0.engine))") }
        for (kind, axis, value) in [("jobs-bandwidth", PlotReport.rateAxis, { (d: DirectionData) in d.bwBytes / PlotReport.mib }), ("jobs-iops", PlotReport.iopsAxis, { (d: DirectionData) in d.iops })] {
            let series = ["read", "write", "trim"].compactMap { dir -> Series? in
                let pts = report.jobs.enumerated().compactMap { i, j in j.directions.first { $0.name == dir }.map { (Double(i), value($0)) } }
                return pts.isEmpty ? nil : Series(dir, PlotReport.directionColors[dir]!, pts)
            }
            add(section, kind, SVGChart.bars(kind: kind, title: "\(label): \(axis.label) per job", categories: names, series: series, x: "job", y: axis), missing: axis.label)
        }
    }

    /// The same job (name and group) across reports: side by side, and as ratios to baselines.
    mutating func comparisons(_ reports: [ReportData], _ labels: [String]) {
        var keys: [String] = []
        for r in reports { for j in r.jobs where !keys.contains(j.key) { keys.append(j.key) } }
        for key in keys {
            let runs = reports.enumerated().compactMap { i, r in r.jobs.first { $0.key == key }.map { (labels[i], $0) } }
            guard runs.count > 1 else { continue }
            let section = "Comparison: \(key)"
            for (kind, axis, value) in [("compare-bandwidth", PlotReport.rateAxis, { (d: DirectionData) in d.bwBytes / PlotReport.mib }), ("compare-iops", PlotReport.iopsAxis, { (d: DirectionData) in d.iops })] {
                let series = ["read", "write", "trim"].compactMap { dir -> Series? in
                    let pts = runs.enumerated().compactMap { i, run in run.1.directions.first { $0.name == dir }.map { (Double(i), value($0)) } }
                    return pts.isEmpty ? nil : Series(dir, PlotReport.directionColors[dir]!, pts)
                }
                add(section, kind, SVGChart.bars(kind: kind, title: "\(key): \(axis.label) per report", categories: runs.map(\.0), series: series, x: "report", y: axis), missing: axis.label)
            }
            let curves = runs.enumerated().flatMap { i, run in
                run.1.directions.map { d in Series("\(run.0) \(d.name)", PlotReport.palette[(i * 3 + (d.name == "read" ? 0 : d.name == "write" ? 1 : 2)) % PlotReport.palette.count], PlotReport.percentileCurve(d)) }
            }
            add(section, "compare-percentiles", SVGChart.line(kind: "compare-percentiles", title: "\(key): latency percentiles per report",
                                                              x: Axis("percentile", .nines, format: { Units.percentile($0) }), y: PlotReport.latencyAxis,
                                                              series: curves, markers: curves.allSatisfy { $0.points.count <= 30 }), missing: "latency percentiles")
            let ratios = runs.enumerated().compactMap { i, run in run.1.baselineFraction.map { (Double(i), $0 * 100) } }
            if !ratios.isEmpty {
                add(section, "baseline", SVGChart.bars(kind: "baseline", title: "\(key): bandwidth as % of the baseline", categories: runs.map(\.0),
                                                       series: [Series("baseline", "#8c564b", ratios)], x: "report", y: Axis("% of baseline", format: { Units.short($0) + "%" })),
                    missing: "baseline ratios")
            }
        }
    }

    /// One HTML file: inline SVG and CSS, no script, and a policy that forbids loading anything.
    public func html() -> String {
        var s = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
        <title>\(SVGChart.escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 24px; color: #222; background: #fafafa; }
        h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; border-bottom: 1px solid #ccc; }
        .charts { display: flex; flex-wrap: wrap; gap: 12px; }
        figure { margin: 0; background: #fff; border: 1px solid #ddd; }
        .notes { color: #555; font-size: 13px; }
        </style></head><body>
        <h1>\(SVGChart.escape(title))</h1>

        """
        var sections: [String] = []
        for c in charts where !sections.contains(c.section) { sections.append(c.section) }
        for section in sections {
            s += "<section><h2>\(SVGChart.escape(section))</h2><div class=\"charts\">\n"
            for c in charts where c.section == section { s += "<figure>\(c.svg)</figure>\n" }
            s += "</div></section>\n"
        }
        if !notes.isEmpty {
            s += "<section class=\"notes\"><h2>Not drawn, or drawn from less</h2><ul>\n"
            for n in notes { s += "<li>\(SVGChart.escape(n))</li>\n" }
            s += "</ul></section>\n"
        }
        return s + "</body></html>\n"
    }
}
