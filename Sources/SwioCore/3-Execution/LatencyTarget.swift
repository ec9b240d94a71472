// fio's latency_target: the job starts at depth 1 and, every latency_window, doubles the
// depth (or bisects toward the last depth that failed) while latency_percentile of the I/Os
// completed within latency_target, and halves toward the last good depth when they did not.
// Once the depth stops moving, the statistics start over and one more window runs at it
// (latency_run keeps searching instead). Missing the target at depth 1 ends the job (ETIMEDOUT).

public final class LatencyTarget {
    let targetNs: UInt64
    let windowNs: UInt64
    let percentile: Double
    let keepRunning: Bool
    let maxDepth: Int
    public private(set) var depth = 1
    var high: Int
    var low = 1
    var stable = 0
    var windowStart: UInt64 = 0
    var windowIOs: UInt64 = 0
    var failed: UInt64 = 0
    /// The final window at the depth found; its statistics are the report's.
    var finalRun = false

    public enum Verdict { case keepGoing, restartStatistics, done, missedAtDepthOne }

    init(targetNs: UInt64, windowNs: UInt64, percentile: Double, keepRunning: Bool, maxDepth: Int) {
        self.targetNs = targetNs; self.windowNs = windowNs; self.percentile = percentile
        self.keepRunning = keepRunning; self.maxDepth = maxDepth
        high = maxDepth
    }

    func start(_ t: UInt64, ios: UInt64) { windowStart = t; windowIOs = ios; failed = 0 }

    /// One completed read or write, `lat` after it was issued; `ios` completed so far.
    func observe(_ lat: UInt64, at t: UInt64, ios: UInt64) -> Verdict {
        if lat > targetNs {
            if percentile >= 100 {
                if depth == 1 { return .missedAtDepthOne }
                rampDown(t, ios: ios)
                return .keepGoing
            }
            failed += 1
        }
        guard t &- windowStart >= windowNs else { return .keepGoing }
        let n = ios &- windowIOs
        let success = n > 0 ? Double(n - min(n, failed)) * 100 / Double(n) : 100
        if success >= percentile { return rampUp(t, ios: ios) }
        rampDown(t, ios: ios)
        return .keepGoing
    }

    func rampDown(_ t: UInt64, ios: UInt64) {
        if depth > 1 {
            high = depth
            if depth == low { low -= 1 }
            depth = max(1, (depth + low) / 2)
            stable = 0
        }
        start(t, ios: ios)
    }

    func rampUp(_ t: UInt64, ios: UInt64) -> Verdict {
        let before = depth
        low = depth
        if depth + 1 == high {
            stable += 1
            if stable >= 3 { high += 1; stable = 0 }
        }
        depth = high != maxDepth ? (depth + high) / 2 : depth * 2
        depth = min(depth, maxDepth)
        start(t, ios: ios)
        guard !keepRunning && depth == before else { return .keepGoing }
        if finalRun { return .done }
        finalRun = true
        return .restartStatistics
    }
}
