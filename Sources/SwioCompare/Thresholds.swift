// How much worse a metric may get before compare calls it a regression: defaults, the command
// line's --threshold, and a thresholds file kept in the user's repository.
//
// A threshold is SELECTOR=VALUE. The selector is a metric name or its end ("iops" means
// read.iops, write.iops and trim.iops; "clat.p99" every direction's), optionally led by a job
// name and a colon ("randread:read.clat.p99"). The value is relative ("5%") or absolute in the
// metric's unit ("2ms", "50MiB/s", "1000" I/Os per second), or "off". The most specific
// threshold wins: a job's over every job's, a longer selector over a shorter one.

import Foundation
import SwioCore

public struct Threshold: Sendable, Equatable {
    public enum Limit: Sendable, Equatable { case relative(Double), absolute(Double), off }
    public var job: String?
    public var selector: String
    public var limit: Limit
    /// Where it was given, for messages.
    public var origin: String
}

public struct ThresholdError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

public struct Thresholds: Sendable {
    public private(set) var rules: [Threshold]
    public let percentiles: [Double]

    /// 5% for bandwidth and IOPS, 10% for mean latency, p50 and CPU per I/O, 20% for p99 and
    /// 50% beyond it: tails move with a single preemption, and tighter defaults raised false
    /// alarms on unchanged runs (bench/compare-noise.sh, docs/performance.md).
    public static func defaults(percentiles: [Double]) -> [Threshold] {
        var out = [
            Threshold(selector: "bw", limit: .relative(5), origin: "default"),
            Threshold(selector: "iops", limit: .relative(5), origin: "default"),
            Threshold(selector: "mean", limit: .relative(10), origin: "default"),
            Threshold(selector: "cpu_per_io", limit: .relative(10), origin: "default"),
        ]
        for q in percentiles {
            out.append(Threshold(selector: Metric.percentileName(q), limit: .relative(q > 99 ? 50 : q >= 99 ? 20 : 10), origin: "default"))
        }
        return out
    }

    public init(percentiles: [Double]) {
        self.percentiles = percentiles
        rules = Thresholds.defaults(percentiles: percentiles)
    }

    /// The threshold for `metric` of `job`: the most specific rule that matches.
    public func limit(for metric: String, job: String) -> (Threshold.Limit, String) {
        var best: (score: Int, rule: Threshold)?
        for r in rules where (r.job == nil || r.job == job) && Self.matches(r.selector, metric) {
            let score = (r.job != nil ? 1000 : 0) + r.selector.count
            if best == nil || score >= best!.score { best = (score, r) }
        }
        guard let b = best else { return (.off, "none") }
        return (b.rule.limit, b.rule.origin)
    }

    /// "clat.p99" matches "read.clat.p99": the selector is the name or a dot-bounded end of it.
    static func matches(_ selector: String, _ metric: String) -> Bool {
        metric == selector || metric.hasSuffix("." + selector)
    }

    /// Adds `--threshold SPEC` (or a file's line); `origin` says where it came from.
    public mutating func add(_ spec: String, origin: String, job sectionJob: String? = nil) throws {
        guard let eq = spec.firstIndex(of: "=") else {
            throw ThresholdError(description: "\(origin): '\(spec)' is not SELECTOR=VALUE (e.g. iops=3% or read.clat.p99=2ms)")
        }
        var selector = spec[..<eq].trimmingCharacters(in: .whitespaces)
        let value = spec[spec.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        var job = sectionJob
        if let colon = selector.lastIndex(of: ":") {
            job = String(selector[..<colon])
            selector = String(selector[selector.index(after: colon)...])
        }
        let known = Metric.names(percentiles: percentiles)
        guard known.contains(where: { Self.matches(selector, $0) }) else {
            let pieces = Set(known.flatMap { name -> [String] in
                let parts = name.split(separator: ".").map(String.init)
                return (0..<parts.count).map { parts[$0...].joined(separator: ".") }
            })
            let near = pieces.min { editDistance($0, selector) < editDistance($1, selector) }
            throw ThresholdError(description: "\(origin): unknown metric '\(selector)'" + (near.map { " (did you mean '\($0)'?)" } ?? "")
                + "; metrics are bw, iops, clat.mean, clat.pNN, lat.mean, lat.pNN (optionally read./write./trim.) and cpu_per_io")
        }
        let limit = try Self.parseLimit(value, selector: selector, known: known, origin: origin)
        rules.append(Threshold(job: job, selector: selector, limit: limit, origin: origin))
    }

    static func parseLimit(_ value: String, selector: String, known: [String], origin: String) throws -> Threshold.Limit {
        let v = value.lowercased()
        if v == "off" || v == "none" { return .off }
        if v.hasSuffix("%") {
            guard let p = Double(v.dropLast()), p >= 0, p.isFinite else { throw ThresholdError(description: "\(origin): '\(value)' is not a percentage") }
            return .relative(p)
        }
        // An absolute value's unit follows the metric's kind.
        let kinds = Set(known.filter { matches(selector, $0) }.map { Metric.kind($0) })
        guard kinds.count == 1, let kind = kinds.first else {
            throw ThresholdError(description: "\(origin): '\(selector)' covers metrics of different units; give a percentage or a narrower metric")
        }
        let digits = v.prefix { $0.isNumber || $0 == "." }
        guard let n = Double(digits), n.isFinite else { throw ThresholdError(description: "\(origin): '\(value)' is not a number with a unit") }
        let unit = v.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let scale: Double?
        switch kind {
        case .latency, .cpu:
            scale = ["ns": 1, "": 1, "us": 1e3, "usec": 1e3, "ms": 1e6, "msec": 1e6, "s": 1e9][unit]
        case .throughput:
            scale = (["b/s": 1, "": 1, "kib/s": 1024, "kb/s": 1000, "mib/s": 1_048_576, "mb/s": 1e6, "gib/s": 1_073_741_824, "gb/s": 1e9] as [String: Double])[unit]
        case .iops:
            scale = ["": 1, "k": 1000, "iops": 1, "kiops": 1000][unit]
        }
        guard let s = scale else {
            let expected: String
            switch kind {
            case .latency, .cpu: expected = "ns, us, ms or s"
            case .throughput: expected = "B/s, KiB/s, MiB/s, GiB/s, kB/s, MB/s or GB/s"
            case .iops: expected = "a number, or k for thousands"
            }
            throw ThresholdError(description: "\(origin): '\(value)': unknown unit '\(unit)' for \(selector) (expected \(expected), or a percentage)")
        }
        return .absolute(n * s)
    }

    /// Reads a thresholds file: SELECTOR=VALUE lines, `[JOB]` sections for one job's (`[*]`
    /// for every job's), `#` and `;` comments. Errors name the file and line.
    public mutating func load(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ThresholdError(description: "\(path): cannot read the thresholds file")
        }
        var job: String? = nil
        for (i, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if let c = line.firstIndex(where: { $0 == "#" || $0 == ";" }) { line = String(line[..<c]) }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let origin = "\(path):\(i + 1)"
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else { throw ThresholdError(description: "\(origin): '\(line)' is not a [job] section") }
                let name = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                job = name == "*" ? nil : name
                continue
            }
            try add(line, origin: origin, job: job)
        }
    }
}
