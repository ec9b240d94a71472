// The metrics compare looks at, which way is better for each, and how they print.

import Foundation

public enum Metric {
    public enum Kind: Sendable { case throughput, iops, latency, cpu }

    /// "p99.9" for 99.9.
    public static func percentileName(_ q: Double) -> String {
        var s = String(format: "%.4f", q)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return "p" + s
    }

    /// The metric names a job can have, for checking thresholds ("read.clat.p99").
    public static func names(percentiles: [Double]) -> [String] {
        var out: [String] = ["cpu_per_io"]
        for d in ["read", "write", "trim"] {
            out += ["\(d).bw", "\(d).iops"]
            for l in ["clat", "lat"] {
                out.append("\(d).\(l).mean")
                out += percentiles.map { "\(d).\(l).\(percentileName($0))" }
            }
        }
        return out
    }

    public static func kind(_ name: String) -> Kind {
        if name.hasSuffix(".bw") { return .throughput }
        if name.hasSuffix(".iops") { return .iops }
        if name == "cpu_per_io" { return .cpu }
        return .latency
    }

    /// Higher is better for throughput; lower for latency and CPU.
    public static func higherIsBetter(_ name: String) -> Bool {
        switch kind(name) {
        case .throughput, .iops: return true
        case .latency, .cpu: return false
        }
    }

    /// A value in the metric's unit, readable.
    public static func format(_ v: Double, _ name: String) -> String {
        switch kind(name) {
        case .throughput:
            let units = ["B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"]
            var x = v, i = 0
            while abs(x) >= 1024 && i < units.count - 1 { x /= 1024; i += 1 }
            return String(format: x >= 100 ? "%.0f %@" : "%.1f %@", x, units[i])
        case .iops:
            return abs(v) >= 10_000 ? String(format: "%.1fk", v / 1000) : String(format: "%.0f", v)
        case .latency, .cpu:
            let (d, u): (Double, String) = abs(v) >= 1e9 ? (1e9, "s") : abs(v) >= 1e6 ? (1e6, "ms") : abs(v) >= 1e3 ? (1e3, "us") : (1, "ns")
            let x = v / d
            return String(format: x >= 100 ? "%.0f %@" : "%.2f %@", x, u)
        }
    }
}
