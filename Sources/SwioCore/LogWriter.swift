#if canImport(Glibc)
import Glibc
#endif

/// write_bw_log / write_lat_log / write_iops_log in fio's format: "msec, value, ddir, bs, prio".
public enum LogWriter {
    /// Writes the logs one job asked for.
    public static func write(_ job: JobExecution) throws {
        do {
            let c = job.config
            let n = c.definition.jobNumber + 1
            let avg = c.logAvgMs
            if let p = c.latLog {
                for (i, kind) in ["slat", "clat", "lat"].enumerated() {
                    try writeLog("\(p)_\(kind).\(n).log", job.stats.latLogs[i], averageMs: avg, rate: false)
                }
            }
            if let p = c.bwLog { try writeLog("\(p)_bw.\(n).log", job.stats.bwLog, averageMs: avg, rate: true) }
            if let p = c.iopsLog { try writeLog("\(p)_iops.\(n).log", job.stats.iopsLog, averageMs: avg, rate: true) }
        }
    }

    /// With log_avg_msec, entries are averaged per window and direction (latencies) or summed
    /// into a per-second rate (bw, iops), as fio does.
    static func writeLog(_ path: String, _ entries: [LogEntry], averageMs: UInt64, rate: Bool) throws {
        guard let f = fopen(path, "w") else { throw EngineError(errno: errno, "cannot write log \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(f) }
        if averageMs == 0 {
            for e in entries { fputs("\(e.timeMs), \(e.value), \(e.ddir), \(e.bs), 0\n", f) }
            return
        }
        var window: UInt64 = 0
        var sums: [(UInt64, UInt64)] = [(0, 0), (0, 0), (0, 0)]   // (sum, count) per ddir
        var bsz: [UInt32] = [0, 0, 0]
        func flush(_ w: UInt64) {
            for d in 0..<3 where sums[d].1 > 0 {
                let v: UInt64
                if rate {
                    // bw: KiB moved in the window per second; iops: I/Os per second.
                    v = path.contains("_iops.")
                        ? sums[d].1 * 1000 / averageMs
                        : UInt64(bsz[d]) * sums[d].1 * 1000 / averageMs / 1024
                } else { v = sums[d].0 / sums[d].1 }
                fputs("\((w + 1) * averageMs), \(v), \(d), \(bsz[d]), 0\n", f)
                sums[d] = (0, 0)
            }
        }
        for e in entries {
            let w = e.timeMs / averageMs
            if w != window { flush(window); window = w }
            sums[Int(e.ddir)].0 += e.value
            sums[Int(e.ddir)].1 += 1
            bsz[Int(e.ddir)] = e.bs
        }
        flush(window)
    }
}
