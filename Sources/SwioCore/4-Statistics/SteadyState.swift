// fio's steady-state detection (steadystate=, ss_dur=, ss_ramp=): once a second a job's (or
// group's) IOPS and bandwidth go into a window of ss_dur samples; when the window's maximum
// deviation from its mean, or its least-squares slope, falls under the limit, the job ends.

public struct SteadyStateSettings: Sendable, Equatable {
    public enum Criterion: String, Sendable { case iops, iopsSlope = "iops_slope", bw, bwSlope = "bw_slope" }
    public var criterion: Criterion
    /// IOPS, bytes/s, or a percentage of the window's mean when `percent`.
    public var limit: Double
    public var percent: Bool
    /// Samples in the window (whole seconds).
    public var duration: Int
    public var rampNs: UInt64

    public var isSlope: Bool { criterion == .iopsSlope || criterion == .bwSlope }
    public var usesIOPS: Bool { criterion == .iops || criterion == .iopsSlope }

    /// steadystate=CRIT:LIMIT[%] (fio's default, when only ss_dur is given, is iops_slope:0.01%).
    static func make(_ d: JobDefinition, kbBase: Int, option: (String) -> SourceLocation) throws -> SteadyStateSettings? {
        func fail(_ n: String, _ m: String) -> JobFileError { JobFileError(option(n), option: n, m) }
        let durUs = try d["steadystate_duration"].map { v -> UInt64 in
            do { return try Values.timeMicros(v) } catch { throw fail("steadystate_duration", "\(error)") }
        } ?? 0
        let duration = Int(durUs / 1_000_000)
        guard duration > 0 else {
            if d.has("steadystate") && durUs > 0 { throw fail("steadystate_duration", "ss_dur must be at least 1 s (one sample a second)") }
            return nil
        }
        let rampUs = try d["steadystate_ramp_time"].map { v -> UInt64 in
            do { return try Values.timeMicros(v) } catch { throw fail("steadystate_ramp_time", "\(error)") }
        } ?? 0
        let text = d["steadystate"] ?? "iops_slope:0.01%"
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let c = Criterion(rawValue: parts[0].lowercased()) else {
            throw fail("steadystate", "'\(parts[0])' is not iops, iops_slope, bw or bw_slope")
        }
        guard parts.count == 2, !parts[1].isEmpty else {
            throw fail("steadystate", "a limit must follow the criterion (fio: \"steadystate threshold must be specified in addition to criterion\"), e.g. \(c.rawValue):1%")
        }
        var limitText = parts[1]
        let percent = limitText.hasSuffix("%")
        if percent { limitText.removeLast() }
        let limit: Double
        if percent || c == .iops || c == .iopsSlope {
            guard let v = Double(limitText), v >= 0, v.isFinite else { throw fail("steadystate", "'\(parts[1])' is not a limit") }
            limit = v
        } else {
            do { limit = Double(try Values.bytes(limitText, kbBase: kbBase)) } catch { throw fail("steadystate", "\(error)") }
        }
        return SteadyStateSettings(criterion: c, limit: limit, percent: percent, duration: duration, rampNs: rampUs * 1000)
    }
}

/// What the report says of it: fio's "steadystate" section.
public struct SteadyStateResult: Sendable {
    public var settings: SteadyStateSettings
    public var attained: Bool
    public var criterion: Double
    public var maxDeviation: Double
    public var slope: Double
    /// Oldest first; slots not yet filled are 0, as in fio.
    public var iops: [UInt64]
    public var bw: [UInt64]
    public var iopsMean: UInt64 { iops.isEmpty ? 0 : iops.reduce(0, +) / UInt64(iops.count) }
    public var bwMean: UInt64 { bw.isEmpty ? 0 : bw.reduce(0, +) / UInt64(bw.count) }
}

/// One job's or group's window. Fed once a second by the supervisor.
public final class SteadyStateTracker: @unchecked Sendable {
    let settings: SteadyStateSettings
    var iops: [UInt64]
    var bw: [UInt64]
    var count = 0
    var prevBytes: UInt64 = 0
    var prevIOs: UInt64 = 0
    var prevNs: UInt64
    let startNs: UInt64
    public private(set) var attained = false
    var criterion = 0.0, maxDeviation = 0.0, slope = 0.0

    public init(_ s: SteadyStateSettings, startNs: UInt64) {
        settings = s
        iops = [UInt64](repeating: 0, count: s.duration)
        bw = iops
        prevNs = startNs
        self.startNs = startNs
    }

    /// Adds the rates since the last call (counters are totals); true once attained.
    public func sample(now: UInt64, bytes: UInt64, ios: UInt64) -> Bool {
        guard !attained else { return true }
        let ms = Double(now &- prevNs) / 1e6
        defer { prevNs = now; prevBytes = bytes; prevIOs = ios }
        // fio samples only once ss_ramp plus one second has passed.
        guard ms > 0, now &- startNs >= settings.rampNs + (settings.rampNs > 0 ? 1_000_000_000 : 0) else { return false }
        let slot = count % settings.duration
        iops[slot] = UInt64(1000 * Double(ios &- prevIOs) / ms)
        bw[slot] = UInt64(1000 * Double(bytes &- prevBytes) / ms)
        count += 1
        guard count >= settings.duration else { return false }
        let values = ordered(settings.usesIOPS ? iops : bw).map { Double($0) }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        if settings.isSlope {
            let sx = n * (n - 1) / 2, sx2 = (n - 1) * n * (2 * n - 1) / 6
            let sy = values.reduce(0, +)
            let sxy = values.enumerated().reduce(0.0) { $0 + Double($1.offset) * $1.element }
            slope = (sxy - sx * sy / n) / (sx2 - sx * sx / n)
            criterion = settings.percent ? (mean > 0 ? 100 * slope / mean : .infinity) : slope
        } else {
            maxDeviation = values.map { abs($0 - mean) }.max() ?? 0
            criterion = settings.percent ? (mean > 0 ? 100 * maxDeviation / mean : .infinity) : maxDeviation
        }
        if abs(criterion) < settings.limit { attained = true }
        return attained
    }

    /// The window oldest first.
    func ordered(_ ring: [UInt64]) -> [UInt64] {
        guard count > settings.duration else { return ring }
        let head = count % settings.duration
        return Array(ring[head...] + ring[..<head])
    }

    public var result: SteadyStateResult {
        SteadyStateResult(settings: settings, attained: attained, criterion: criterion, maxDeviation: maxDeviation,
                          slope: slope, iops: ordered(iops), bw: ordered(bw))
    }
}
