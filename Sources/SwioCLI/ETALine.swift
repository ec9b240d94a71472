// fio's live ETA line on stderr.

import SwioCore
import CSwio

/// The live status line, fio's "Jobs: N (f=F): [R(1)][50.0%][r=..,w=..][r=..,w=.. IOPS][eta 00m:01s]", on stderr.
enum ETALine {
    nonisolated(unsafe) static var last: [UInt64] = [0, 0, 0, 0, 0, 0]
    nonisolated(unsafe) static var lastNs: UInt64 = 0
    /// --eta-newline: end the line (rather than redraw it) this often; 0: never.
    nonisolated(unsafe) static var newlineEveryNs: UInt64 = 0
    nonisolated(unsafe) static var lastNewlineNs: UInt64 = 0

    static func draw(_ jobs: [JobExecution]) {
        let running = jobs.filter { !$0.finished }
        var counters: [UInt64] = [0, 0, 0, 0, 0, 0]
        for j in jobs { for i in 0..<6 { counters[i] += j.progress[i] } }
        let now = cswio_now_ns()
        let span = max(lastNs > 0 ? Double(now - lastNs) / 1e9 : 1, 0.001)
        let rate = (0..<6).map { Double(counters[$0] &- last[$0]) / span }
        last = counters; lastNs = now
        let line = "Jobs: \(running.count) (f=\(running.count)): [\(runString(jobs))][\(percent(jobs, now))]"
            + "[r=\(Report.num2str(UInt64(max(0, rate[0])), pow2: true, unit: "B/s")),w=\(Report.num2str(UInt64(max(0, rate[1])), pow2: true, unit: "B/s"))]"
            + "[r=\(Report.iopsString(rate[3])),w=\(Report.iopsString(rate[4])) IOPS][eta \(eta(jobs, now))]"
        if newlineEveryNs > 0 && now &- lastNewlineNs >= newlineEveryNs {
            lastNewlineNs = now
            Console.write("\r" + line + "\n", fd: 2)
        } else {
            Console.write("\r" + line + "   ", fd: 2)
        }
    }

    /// fio's run-state letters, condensed: "R(1),W(2)"; "_" for done, "P" not yet started.
    static func runString(_ jobs: [JobExecution]) -> String {
        let states = jobs.map { j -> Character in
            if j.finished { return "_" }
            if j.startedNs == 0 { return "P" }
            let r = j.config.rw
            let letters: (Character, Character)
            switch r.directions.first ?? .read {
            case _ where r.isMixed: letters = ("M", "m")
            case .read: letters = ("R", "r")
            case .write: letters = ("W", "w")
            case .trim: letters = ("D", "d")
            }
            return r.isRandom ? letters.1 : letters.0
        }
        var out = ""
        var i = 0
        while i < states.count {
            var n = 1
            while i + n < states.count && states[i + n] == states[i] { n += 1 }
            out += (out.isEmpty ? "" : ",") + "\(states[i])(\(n))"
            i += n
        }
        return out
    }

    static func percent(_ jobs: [JobExecution], _ now: UInt64) -> String {
        let est = jobs.compactMap { $0.progressEstimate(now: now) }
        guard est.count == jobs.count, !jobs.isEmpty else { return "-.-%" }
        return Format.fixed(est.map(\.fraction).reduce(0, +) / Double(jobs.count) * 100, 1) + "%"
    }

    static func eta(_ jobs: [JobExecution], _ now: UInt64) -> String {
        let remaining = jobs.compactMap { $0.progressEstimate(now: now)?.remainingSec }.max() ?? 0
        guard remaining.isFinite, remaining < 1e9 else { return "--m:--s" }
        let s = Int(remaining.rounded(.up))
        return "\(Format.padLeft(String(s / 60), 2).replacingAll(" ", with: "0"))m:\(Format.padLeft(String(s % 60), 2).replacingAll(" ", with: "0"))s"
    }
    static func clear() { Console.write("\r\u{1b}[K", fd: 2) }
}

