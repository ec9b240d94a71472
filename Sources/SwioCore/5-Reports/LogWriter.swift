#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// write_bw_log / write_lat_log / write_iops_log in fio's format: "msec, value, ddir, bs, prio"
/// ("msec, value, ddir, bs, offset, prio" with log_offset).
public enum LogWriter {
    /// Writes the logs one job asked for, and closes its iolog; returns what failed (each log
    /// is tried, so one full disk does not cost the others).
    public static func write(_ job: JobExecution) -> [EngineError] {
        let c = job.config
        // per_job_logs=0: jobs share one file per log name, as in fio.
        let n = c.perJobLogs ? ".\(c.definition.jobNumber + 1)" : ""
        let avg = c.logAvgMs
        let endMs = job.stats.runtimeNs / 1_000_000
        var logs: [(path: String, entries: [LogEntry], rate: Rate?)] = []
        if let p = c.latLog {
            for (i, kind) in ["slat", "clat", "lat"].enumerated() { logs.append(("\(p)_\(kind)\(n).log", job.stats.latLogs[i], nil)) }
        }
        if let p = c.bwLog { logs.append(("\(p)_bw\(n).log", job.stats.bwLog, .bandwidth)) }
        if let p = c.iopsLog { logs.append(("\(p)_iops\(n).log", job.stats.iopsLog, .iops)) }
        let columns = Columns(offset: c.logOffset, prioValue: c.logPrio, compressed: c.logStoreCompressed,
                              timeBase: job.stats.logEpochMs, largest: c.logMaxValue)
        if c.logStoreCompressed { logs = logs.map { ($0.path + ".fz", $0.entries, $0.rate) } }
        var failures: [EngineError] = []
        for log in logs {
            do { try writeLog(log.path, log.entries, averageMs: avg, rate: log.rate, endMs: endMs, run: job.runLogs, columns: columns) } catch let e as EngineError {
                failures.append(e)
            } catch { failures.append(EngineError(errno: EIO, "\(error)")) }
        }
        if let p = c.histLog {
            do { try writeHistogramLog("\(p)_clat_hist\(n).log", job.stats.histLog, timeBase: job.stats.logEpochMs, run: job.runLogs) } catch let e as EngineError {
                failures.append(e)
            } catch { failures.append(EngineError(errno: EIO, "\(error)")) }
        }
        do { try job.closeIolog() } catch let e as EngineError { failures.append(e) } catch {}
        return failures
    }

    /// fio's --bandwidth-log: the whole run's bandwidth (KiB/s) in agg-{read,write,trim}_bw.log
    /// in the current directory.
    public static func writeAggregateBandwidth(_ samples: [LogEntry]) -> [EngineError] {
        var failures: [EngineError] = []
        let run = RunLogs()
        for (d, name) in ["read", "write", "trim"].enumerated() {
            do { try writeLog("agg-\(name)_bw.log", samples.filter { $0.ddir == d }, averageMs: 0, rate: nil, endMs: 0, run: run) } catch let e as EngineError {
                failures.append(e)
            } catch { failures.append(EngineError(errno: EIO, "\(error)")) }
        }
        return failures
    }

    public enum Rate: Sendable { case bandwidth, iops }

    /// write_hist_log: "msec, ddir, bs, " and the window's bucket counts, a line each.
    static func writeHistogramLog(_ path: String, _ lines: [HistogramLog.Line], timeBase: UInt64, run: RunLogs) throws {
        try withLogFile(path, run: run) { f in
            for l in lines {
                fputs("\(l.timeMs &+ timeBase), \(l.ddir), \(l.bs), " + l.counts.map(String.init).joined(separator: ", ") + "\n", f)
            }
        }
    }

    /// Opens `path` (appending when this run already wrote it: jobs sharing a log name),
    /// writes, and closes it; a write the stream or the close reports failed throws.
    static func withLogFile(_ path: String, run: RunLogs, _ write: (UnsafeMutablePointer<FILE>) -> Void) throws {
        try run.written.withLock { seen in
            guard let f = fopen(path, seen.contains(path) ? "a" : "w") else {
                let e = errno
                throw EngineError(errno: e, "cannot write log \(path): \(Syscall.errorString(e))")
            }
            seen.insert(path)
            write(f)
            // fputs fails quietly (ENOSPC, EIO); the stream's error flag and fclose say so.
            let failed = ferror(f) != 0 || fflush(f) != 0
            let e = errno
            if fclose(f) != 0 || failed {
                let err = failed ? e : errno
                throw EngineError(errno: err, "cannot write log \(path): \(Syscall.errorString(err))")
            }
        }
    }

    /// The per-I/O columns after bs: the offset (log_offset) and the priority: 1 for a
    /// real-time I/O, or with log_prio fio's ioprio value in hex. Averaged lines carry 0, as
    /// fio's do.
    struct Columns {
        var offset = false
        var prioValue = false
        /// log_store_compressed: fio's zlib-compressed binary samples (CompressedLog).
        var compressed = false
        /// Added to every line's time (log_unix_epoch: the Unix time the job's recording began).
        var timeBase: UInt64 = 0
        /// log_max_value: an averaged latency line is its window's largest value.
        var largest = false
        func tail(_ offset: UInt64, _ prio: UInt16) -> String {
            let p = Columns.prioText(prio, value: prioValue)
            return self.offset ? "\(offset), \(p)" : p
        }
        static func prioText(_ prio: UInt16, value: Bool) -> String {
            guard value else { return prio >> 13 == 1 ? "1" : "0" }
            let hex = String(prio, radix: 16)
            return "0x" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
    }

    /// With log_avg_msec, entries are averaged per window and direction (latencies) or turned
    /// into a per-second rate (bw in KiB/s, iops), as fio 3.33 writes them: the block-size column
    /// is 0, a rate window that the run ended inside is dropped (fio only writes a window when
    /// a later sample closes it), and a latency log's last window is stamped with the run's end.
    /// The logs one run has written: a second job writing the same name (per_job_logs=0)
    /// appends, as fio's jobs share such a log, instead of replacing the first job's lines.
    public final class RunLogs: Sendable {
        let written = Mutex<Set<String>>([])
        public init() {}
    }

    static func writeLog(_ path: String, _ entries: [LogEntry], averageMs: UInt64, rate: Rate?, endMs: UInt64, run: RunLogs,
                         columns: Columns = Columns()) throws {
        // A compressed log is compressed before the file is touched.
        let packed = columns.compressed ? try CompressedLog.compress(lines(entries, averageMs: averageMs, rate: rate, endMs: endMs, columns: columns),
                                                                     offset: columns.offset, prio: columns.prioValue) : nil
        try withLogFile(path, run: run) { f in
            if let packed { _ = fwrite(packed, 1, packed.count, f) } else {
                writeEntries(f, entries, averageMs: averageMs, rate: rate, endMs: endMs, columns: columns)
            }
        }
    }

    static func writeEntries(_ f: UnsafeMutablePointer<FILE>, _ entries: [LogEntry], averageMs: UInt64, rate: Rate?, endMs: UInt64,
                             columns: Columns = Columns()) {
        for e in lines(entries, averageMs: averageMs, rate: rate, endMs: endMs, columns: columns) {
            fputs("\(e.timeMs), \(e.value), \(e.ddir), \(e.bs), \(columns.tail(e.offset, e.prio))\n", f)
        }
    }

    /// The log's lines: the entries themselves, or their averages per window (log_avg_msec),
    /// their times moved by the columns' time base.
    static func lines(_ entries: [LogEntry], averageMs: UInt64, rate: Rate?, endMs: UInt64, columns: Columns = Columns()) -> [LogEntry] {
        var out = windows(entries, averageMs: averageMs, rate: rate, endMs: endMs, largest: columns.largest)
        if columns.timeBase != 0 { for i in out.indices { out[i].timeMs &+= columns.timeBase } }
        return out
    }

    /// Entries averaged per log_avg_msec window (or, `largest`, each window's largest value).
    public static func windows(_ entries: [LogEntry], averageMs: UInt64, rate: Rate?, endMs: UInt64, largest: Bool) -> [LogEntry] {
        if averageMs == 0 { return entries }
        var out: [LogEntry] = []
        var window: UInt64 = 0
        // Per ddir: sum of values, sum of bytes, count, largest value.
        var sums: [(value: UInt64, bytes: UInt64, count: UInt64, max: UInt64)] = Array(repeating: (0, 0, 0, 0), count: 3)
        func flush(_ w: UInt64, at stamp: UInt64) {
            for d in 0..<3 where sums[d].count > 0 {
                let v: UInt64
                switch rate {
                case .iops: v = sums[d].count * 1000 / averageMs
                case .bandwidth: v = sums[d].bytes * 1000 / averageMs / 1024
                case nil: v = largest ? sums[d].max : sums[d].value / sums[d].count
                }
                out.append(LogEntry(timeMs: stamp, value: v, ddir: UInt8(d), bs: 0))
                sums[d] = (0, 0, 0, 0)
            }
        }
        for e in entries {
            let w = e.timeMs / averageMs
            if w != window { flush(window, at: (window + 1) * averageMs); window = w }
            let d = Int(e.ddir)
            sums[d].value &+= e.value
            sums[d].bytes &+= UInt64(e.bs)
            sums[d].count += 1
            sums[d].max = Swift.max(sums[d].max, e.value)
        }
        // The window the run ended in.
        if rate == nil { flush(window, at: min((window + 1) * averageMs, max(endMs, window * averageMs))) }
        return out
    }
}
