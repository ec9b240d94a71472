// What a run says while it runs: fio's ETA line, periodic full reports, aggregate bandwidth
// logs, and the live metrics endpoint.

import ArgumentParser
import SwioCore
import SwioMetrics
import CSwio

struct MonitorOptions: ParsableArguments {
    @Option(help: "Live ETA line on stderr: auto (when stderr is a terminal), always or never.")
    var eta = "auto"

    @Option(name: .customLong("eta-interval"), help: "fio's --eta-interval: redraw the ETA line this often (default 1s, at least 250ms).")
    var etaInterval: String?

    @Option(name: .customLong("eta-newline"), help: "fio's --eta-newline: start a new ETA line this often instead of redrawing it.")
    var etaNewline: String?

    @Option(name: .customLong("status-interval"), help: "fio's --status-interval: write a full report in the chosen format(s) this often while the jobs run (each JSON one a complete document).")
    var statusInterval: String?

    @Flag(name: .customLong("bandwidth-log"), help: "fio's --bandwidth-log: write the run's bandwidth every bwavgtime to agg-read_bw.log, agg-write_bw.log and agg-trim_bw.log.")
    var bandwidthLog = false

    @Option(name: .customLong("metrics-listen"), help: "Serve live OpenMetrics at http://ADDR:PORT/metrics while the jobs run (e.g. 127.0.0.1:9464).")
    var metricsListen: String?

    /// A command-line time (bare numbers are seconds, as fio's).
    private func time(_ option: String, _ raw: String?) throws -> UInt64? {
        guard let raw else { return nil }
        do { return try Values.timeMicros(raw) * 1000 } catch let e as ValueError { throw UserError("--\(option)=\(raw): \(e.message)") }
    }

    /// Whether the ETA line is drawn.
    func showETA() throws -> Bool {
        switch eta {
        case "always": return true
        case "never": return false
        case "auto": return cswio_isatty(2) != 0
        default: throw UserError("--eta=\(eta): expected always, never or auto")
        }
    }

    func timing(_ configs: [JobConfig]) throws -> MonitorTiming {
        var t = MonitorTiming()
        if let ns = try time("eta-interval", etaInterval) {
            guard ns >= 1_000_000 else { throw UserError("--eta-interval=\(etaInterval!): too small (fio's minimum is 1ms; the line is redrawn at most every 250ms)") }
            t.progressIntervalNs = max(ns, 250_000_000)
        }
        if let ns = try time("status-interval", statusInterval) {
            guard ns >= 1_000_000 else { throw UserError("--status-interval=\(statusInterval!): too small (at least 1ms, as fio)") }
            t.statusIntervalNs = ns
        }
        ETALine.newlineEveryNs = try time("eta-newline", etaNewline) ?? 0
        if bandwidthLog { t.bandwidthIntervalNs = (configs.map(\.bwAvgMs).min() ?? 500) * 1_000_000 }
        return t
    }

    func metricsServer() throws -> MetricsServer? {
        guard let metricsListen else { return nil }
        do { return try MetricsServer(listen: metricsListen) } catch let e as MetricsServerError { throw UserError(e.description) }
    }
}
