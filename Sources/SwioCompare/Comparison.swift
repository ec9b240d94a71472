// Compares two sets of runs (BASE and NEW, each one report or several repetitions), job by
// job and metric by metric: a change is a regression (or an improvement) only when it is
// beyond the metric's threshold and, with three or more runs a side, statistically
// significant (Mann-Whitney U, p < alpha). With fewer runs only the threshold decides, and the
// result says so.

import Foundation

public struct CompareOptions: Sendable {
    public var alpha = 0.05
    public var percentiles = ReportReader.defaultPercentiles
    public var thresholds: Thresholds
    public var failOnImprovement = false
    public init(thresholds: Thresholds) { self.thresholds = thresholds; percentiles = thresholds.percentiles }
}

public enum Verdict: String, Sendable {
    case regression, improvement, unchanged = "~"
}

public struct MetricResult: Sendable {
    public var metric: String
    public var base: [Double]
    public var new: [Double]
    public var baseMedian: Double
    public var newMedian: Double
    /// (new - base) / base; nil when base is 0.
    public var change: Double?
    public var pValue: Double?
    public var limit: Threshold.Limit
    public var limitOrigin: String
    public var verdict: Verdict
    /// Why the verdict is what it is, when that is not obvious ("1 run a side: threshold only").
    public var note: String?
}

public struct JobResult: Sendable {
    public enum Presence: Sendable { case both, onlyInBase, onlyInNew }
    public var key: String
    public var name: String
    public var presence: Presence
    /// The errors NEW's runs of the job reported (non-zero ones).
    public var newErrors: [Int]
    public var metrics: [MetricResult]
}

public struct Comparison: Sendable {
    public var jobs: [JobResult]
    public var baseRuns: Int
    public var newRuns: Int
    public var baseTool: String
    public var newTool: String
    public var notes: [String]
    public var failOnImprovement: Bool

    public var regressions: [(JobResult, MetricResult)] { pairs(.regression) }
    public var improvements: [(JobResult, MetricResult)] { pairs(.improvement) }
    func pairs(_ v: Verdict) -> [(JobResult, MetricResult)] {
        jobs.flatMap { j in j.metrics.filter { $0.verdict == v }.map { (j, $0) } }
    }

    /// The documented exit status: 3 a job failed in NEW, 5 a BASE job is missing from NEW,
    /// 2 a regression, 4 improvements with --fail-on-improvement, else 0 (1 is for bad input,
    /// before any comparison).
    public var exitCode: Int32 {
        if jobs.contains(where: { !$0.newErrors.isEmpty }) { return 3 }
        if jobs.contains(where: { $0.presence == .onlyInBase }) { return 5 }
        if !regressions.isEmpty { return 2 }
        if failOnImprovement && !improvements.isEmpty { return 4 }
        return 0
    }

    public static func compare(base: [RunReport], new: [RunReport], options: CompareOptions) throws -> Comparison {
        guard !base.isEmpty, !new.isEmpty else { throw CompareInputError("nothing to compare: a side has no report") }
        for (side, runs) in [("BASE", base), ("NEW", new)] {
            let tools = Set(runs.map { toolFamily($0.tool) })
            if tools.count > 1 {
                throw CompareInputError("\(side) mixes reports of \(tools.sorted().joined(separator: " and ")); compare runs of one tool")
            }
        }
        var notes: [String] = []
        let baseJobs = samplesByJob(base), newJobs = samplesByJob(new)
        let keys = orderedKeys(base) + orderedKeys(new).filter { baseJobs[$0] == nil }
        if Set(baseJobs.keys).isDisjoint(with: Set(newJobs.keys)) {
            throw CompareInputError("BASE and NEW have no job in common (BASE: \(orderedKeys(base).prefix(5).joined(separator: ", ")); NEW: \(orderedKeys(new).prefix(5).joined(separator: ", "))): they are reports of different job files")
        }
        let bTool = base[0].tool, nTool = new[0].tool
        if toolFamily(bTool) != toolFamily(nTool) {
            notes.append("BASE is \(bTool), NEW is \(nTool): the tools measure the same things in slightly different ways")
        }
        if base.count < 3 || new.count < 3 {
            notes.append(base.count == 1 && new.count == 1
                ? "one run a side: changes are judged by the thresholds alone, without a test of noise (run with --repeat 5 for one)"
                : "fewer than 3 runs a side: changes are judged by the thresholds alone (run with --repeat 5 for a test of noise)")
        } else if MannWhitney.smallestP(base.count, new.count) >= options.alpha {
            notes.append("with \(base.count) and \(new.count) runs no change can reach p < \(options.alpha); use 5 or more a side")
        }
        var results: [JobResult] = []
        for k in keys {
            let b = baseJobs[k] ?? [], n = newJobs[k] ?? []
            let name = (b.first ?? n.first)!.name
            let presence: JobResult.Presence = b.isEmpty ? .onlyInNew : n.isEmpty ? .onlyInBase : .both
            var metrics: [MetricResult] = []
            if presence == .both {
                let names = Metric.names(percentiles: options.percentiles)
                for m in names {
                    let bv = b.compactMap { $0.values[m] }, nv = n.compactMap { $0.values[m] }
                    guard !bv.isEmpty, !nv.isEmpty else { continue }
                    metrics.append(judge(m, job: name, base: bv, new: nv, options: options))
                }
            }
            results.append(JobResult(key: k, name: name, presence: presence, newErrors: n.map(\.error).filter { $0 != 0 }, metrics: metrics))
        }
        return Comparison(jobs: results, baseRuns: base.count, newRuns: new.count, baseTool: bTool, newTool: nTool,
                          notes: notes, failOnImprovement: options.failOnImprovement)
    }

    static func toolFamily(_ tool: String) -> String {
        tool.hasPrefix("fio") ? "fio" : tool.hasPrefix("swio") ? "swio" : tool
    }

    static func samplesByJob(_ runs: [RunReport]) -> [String: [JobSample]] {
        var out: [String: [JobSample]] = [:]
        for r in runs { for j in r.jobs { out[j.key, default: []].append(j) } }
        return out
    }

    static func orderedKeys(_ runs: [RunReport]) -> [String] {
        var seen: Set<String> = [], out: [String] = []
        for r in runs { for j in r.jobs where seen.insert(j.key).inserted { out.append(j.key) } }
        return out
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func judge(_ m: String, job: String, base: [Double], new: [Double], options: CompareOptions) -> MetricResult {
        let bm = median(base), nm = median(new)
        let change: Double? = bm != 0 ? (nm - bm) / bm : nil
        let (limit, origin) = options.thresholds.limit(for: m, job: job)
        let better = Metric.higherIsBetter(m) ? nm > bm : nm < bm
        let worse = Metric.higherIsBetter(m) ? nm < bm : nm > bm
        var beyond: Bool
        switch limit {
        case .off: beyond = false
        case .relative(let pct): beyond = change.map { abs($0) * 100 > pct } ?? (nm != bm)
        case .absolute(let a): beyond = abs(nm - bm) > a
        }
        var p: Double? = nil
        var note: String? = nil
        var significant = true
        if base.count >= 3 && new.count >= 3 {
            let pv = MannWhitney.pValue(base, new)
            p = pv
            significant = pv < options.alpha
            if beyond && !significant { note = "beyond the threshold, but within the noise (p=\(String(format: "%.3f", pv)))" }
        }
        if case .off = limit { note = "threshold off" }
        let verdict: Verdict = beyond && significant ? (worse ? .regression : better ? .improvement : .unchanged) : .unchanged
        return MetricResult(metric: m, base: base, new: new, baseMedian: bm, newMedian: nm, change: change, pValue: p,
                            limit: limit, limitOrigin: origin, verdict: verdict, note: note)
    }
}
