#if canImport(Glibc)
import Glibc
#endif

// fio-like human output ("normal") and the terse format (version 3).

extension Report {
    /// fio num2str-style: 3 significant digits with k/M/G (base 1000) or Ki/Mi/Gi (base 1024).
    public static func human(_ v: Double, base: Double, units: [String]) -> String {
        var x = v
        var i = 0
        while x >= base * 0.9995 && i < units.count - 1 && x >= 1000 { x /= base; i += 1 }
        let s = x >= 100 || i == 0 && x == x.rounded() ? Format.fixed(x, 0) : Format.general(x, 3)
        return s + units[i]
    }
    public static func iopsString(_ v: Double) -> String { human(v, base: 1000, units: ["", "k", "M", "G"]) }
    static func bwString(_ bytesPerSec: UInt64) -> String {
        human(Double(bytesPerSec), base: 1024, units: ["B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"]) + " ("
            + human(Double(bytesPerSec), base: 1000, units: ["B/s", "kB/s", "MB/s", "GB/s", "TB/s"]) + ")"
    }
    static func bytesString(_ b: UInt64) -> String { human(Double(b), base: 1024, units: ["B", "KiB", "MiB", "GiB", "TiB"]) }
    static func bytesStringSI(_ b: UInt64) -> String { human(Double(b), base: 1000, units: ["B", "kB", "MB", "GB", "TB"]) }

    /// fio show_lat(): msec when min and stdev are both above 1 ms, usec when above 1 us.
    static func latUnit(_ s: LatencyStat) -> (String, Double) {
        let m = Double(s.n > 0 ? s.min : 0), dev = s.stddev
        if m > 1_000_000 && dev > 1_000_000 { return ("msec", 1e6) }
        if m > 1000 && dev > 1000 { return ("usec", 1e3) }
        return ("nsec", 1)
    }

    /// fio show_clat_percentiles(): the table's unit from the smallest and largest value shown.
    static func percentileUnit(min minv: UInt64, max maxv: UInt64) -> (String, Double) {
        if minv > 2_000_000 && maxv > 99_999_999 { return ("msec", 1e6) }
        if minv > 2000 && maxv > 99_999 { return ("usec", 1e3) }
        return ("nsec", 1)
    }

    public func text() -> String {
        var out = ""
        for e in entries {
            let c = e.config
            let bsDesc = (0..<3).map { d in
                let lo = c.bsrange?[d].low ?? c.bs[d], hi = c.bsrange?[d].high ?? c.bs[d]
                return "(\(["R", "W", "T"][d])) \(lo)B-\(hi)B"
            }.joined(separator: ", ")
            out += "\(e.name): (g=\(e.groupID)): rw=\(c.rw.rawValue), bs=\(bsDesc), ioengine=\(c.engine), iodepth=\(c.iodepth)\n"
        }
        out += "swio-\(swioVersion)\n"
        for e in entries { out += entryText(e) }
        for g in groups { out += groupText(g) }
        if !disks.isEmpty {
            out += "\nDisk stats (read/write):\n"
            for d in disks {
                out += "  \(d.name): ios=\(d.readIOs)/\(d.writeIOs), merge=\(d.readMerges)/\(d.writeMerges), ticks=\(d.readTicks)/\(d.writeTicks), in_queue=\(d.inQueue), util=\(Format.fixed(d.util, 2))%\n"
            }
        }
        return out
    }

    /// fio's show_clat_percentiles(): "<label> percentiles (unit):" and rows of four.
    static func percentileTable(_ label: String, _ hist: LatencyHistogram, _ percentiles: [Double]) -> String {
        let values = percentiles.map { hist.valueAtPercentile($0) }
        let (u, div) = Report.percentileUnit(min: values.min() ?? 0, max: values.max() ?? 0)
        var out = "    \(label) percentiles (\(u)):\n"
        let cells = zip(percentiles, values).map { p, v in
            " \(Format.padLeft(Format.fixed(p, 2), 5))th=[\(Format.padLeft(Format.fixed(Double(v) / div, 0), 5))]"
        }
        for start in stride(from: 0, to: cells.count, by: 4) {
            let row = cells[start..<min(start + 4, cells.count)].joined(separator: ",")
            out += "     |" + row + (start + 4 < cells.count ? ",\n" : "\n")
        }
        return out
    }

    func entryText(_ e: ReportEntry) -> String {
        let s = e.stats
        var out = "\n\(e.name): (groupid=\(e.groupID), jobs=\(e.jobs)): err=\(Format.padLeft(String(e.error), 2)): pid=\(getpid()): \(Report.ctime(s.startEpochMs / 1000))\n"
        if let m = e.errorMessage { out += "  error: \(m)\n" }
        for d in 0..<3 where s.dirs[d].ios > 0 {
            let ds = s.dirs[d]
            let bw = e.bwBytes(d)
            var line = "  \(["read", "write", "trim"][d]): IOPS=\(Report.iopsString(e.iops(d))), BW=\(Report.bwString(bw))(\(Report.bytesString(ds.bytes))/\(e.runtimeMs(d))msec)"
            if let b = e.baseline, d == 0 || b.fraction > 0 {
                line += ", \(Format.fixed(b.fraction * 100, 1))% of \(b.kind) baseline"
            }
            out += line + "\n"
            for (label, st) in [("slat", ds.slat), ("clat", ds.clat), (" lat", ds.lat)] where st.n > 0 {
                let (u, div) = Report.latUnit(st)
                out += "    \(label) (\(u)): min=\(UInt64(Double(st.min) / div)), max=\(UInt64(Double(st.max) / div)), avg=\(Format.fixed(st.mean / div, 2)), stdev=\(Format.fixed(st.stddev / div, 2))\n"
            }
            if e.config.clatPercentiles && ds.clat.n > 0 {
                out += Report.percentileTable("clat", ds.clatHist, e.config.percentiles)
            }
            // As fio's show_ddir_status(): each line only when it has samples (bwavgtime and
            // iopsavgtime are separate intervals), MiB/s once the mean passes kb_base² KiB/s,
            // and the share of the group's aggregate capped at 100%.
            let num = { (v: UInt64) in Format.padLeft(String(v), 5) }
            if ds.bwSamples.n > 0 {
                let agg = groups.first { $0.id == e.groupID }?.aggBw[d] ?? 0
                let per = Report.shareOfAggregate(ds.bwSamples.mean, agg)
                let kb = UInt64(e.config.kbBase), mib = ds.bwSamples.mean > Double(kb * kb)
                let scale = mib ? Double(kb) : 1
                let lo = UInt64(ds.bwSamples.min) / (mib ? kb : 1), hi = UInt64(ds.bwSamples.max) / (mib ? kb : 1)
                out += "   bw (\(mib ? "  MiB" : "  KiB")/s): min=\(num(lo)), max=\(num(hi)), per=\(Format.fixed(per, 2))%, avg=\(Format.padLeft(Format.fixed(ds.bwSamples.mean / scale, 2), 5)), stdev=\(Format.padLeft(Format.fixed(ds.bwSamples.stddev / scale, 2), 5)), samples=\(ds.bwSamples.n)\n"
            }
            if ds.iopsSamples.n > 0 {
                out += "   iops        : min=\(num(UInt64(ds.iopsSamples.min))), max=\(num(UInt64(ds.iopsSamples.max))), avg=\(Format.padLeft(Format.fixed(ds.iopsSamples.mean, 2), 5)), stdev=\(Format.padLeft(Format.fixed(ds.iopsSamples.stddev, 2), 5)), samples=\(ds.iopsSamples.n)\n"
            }
        }
        if s.syncIOs > 0 {
            let (u, div) = Report.latUnit(s.syncLat)
            out += "  fsync/fdatasync/sync_file_range:\n    sync (\(u)): min=\(UInt64(Double(s.syncLat.min) / div)), max=\(UInt64(Double(s.syncLat.max) / div)), avg=\(Format.fixed(s.syncLat.mean / div, 2)), stdev=\(Format.fixed(s.syncLat.stddev / div, 2))\n"
            if e.config.clatPercentiles || e.config.latPercentiles {
                out += Report.percentileTable("sync", s.syncHist, e.config.percentiles)
            }
        }
        let b = latencyBuckets(e)
        for (unit, obj) in [("nsec", b.ns), ("usec", b.us), ("msec", b.ms)] {
            guard case .object(let kv) = obj else { continue }
            let nonzero = kv.compactMap { k, v -> String? in
                if case .double(let p) = v, p >= 0.01 { return "\(k)=\(Format.fixed(p, 2))%" }
                return nil
            }
            if !nonzero.isEmpty { out += "  lat (\(unit))   : \(nonzero.joined(separator: ", "))\n" }
        }
        let cpu = Report.cpuPercent(s)
        out += "  cpu          : usr=\(Format.fixed(cpu.usr, 2))%, sys=\(Format.fixed(cpu.sys, 2))%, ctx=\(s.cpu.voluntaryCtx + s.cpu.involuntaryCtx), majf=\(s.cpu.majorFaults), minf=\(s.cpu.minorFaults)\n"
        func dist(_ keys: [String], _ c: [UInt64]) -> String {
            zip(keys, Report.distribution(c, total: c.reduce(0, +), floor: 0.1)).map { "\($0)=\(Format.fixed($1, 1))%" }.joined(separator: ", ")
        }
        let levels = zip(["1", "2", "4", "8", "16", "32", ">=64"], Report.depthLevels(s)).map { "\($0)=\(Format.fixed($1, 1))%" }
        out += "  IO depths    : \(levels.joined(separator: ", "))\n"
        out += "     submit    : \(dist(["0", "4", "8", "16", "32", "64", ">=64"], s.depthSubmit.array))\n"
        out += "     complete  : \(dist(["0", "4", "8", "16", "32", "64", ">=64"], s.depthComplete.array))\n"
        out += "     issued rwts: total=\(s.dirs[0].totalIOs),\(s.dirs[1].totalIOs),\(s.dirs[2].totalIOs),\(s.syncIOs) short=\(s.dirs[0].shortIOs),\(s.dirs[1].shortIOs),\(s.dirs[2].shortIOs),0 dropped=0,0,0,0\n"
        out += "     latency   : target=0, window=0, percentile=100.00%, depth=\(e.config.iodepth)\n"
        return out
    }

    func groupText(_ g: GroupSummary) -> String {
        var out = "\nRun status group \(g.id) (all jobs):\n"
        for d in 0..<3 where g.runtimeMaxMs[d] > 0 {
            let label = Format.padLeft(["READ", "WRITE", "TRIM"][d], 6)
            out += " \(label): bw=\(Report.bwString(g.aggBw[d]).replacingAll("/s (", with: "/s (")), "
            out += "\(Report.human(Double(g.bwMin[d]), base: 1024, units: ["B/s", "KiB/s", "MiB/s", "GiB/s"]))-\(Report.human(Double(g.bwMax[d]), base: 1024, units: ["B/s", "KiB/s", "MiB/s", "GiB/s"])) "
            out += "(\(Report.human(Double(g.bwMin[d]), base: 1000, units: ["B/s", "kB/s", "MB/s", "GB/s"]))-\(Report.human(Double(g.bwMax[d]), base: 1000, units: ["B/s", "kB/s", "MB/s", "GB/s"]))), "
            out += "io=\(Report.bytesString(g.bytes[d])) (\(Report.bytesStringSI(g.bytes[d]))), run=\(g.runtimeMinMs[d])-\(g.runtimeMaxMs[d])msec\n"
        }
        return out
    }

    /// Terse version 3, field for field as fio 3.33 prints it: read and write blocks (41 fields
    /// each; v3 has no trim block), CPU, IO depths, latency buckets (us, ms), then disk stats.
    public func terse() -> String {
        var lines: [String] = []
        for e in entries {
            var f: [String] = ["3", "swio-\(swioVersion)", e.name, String(e.groupID), String(e.error)]
            for d in 0..<2 {
                let s = e.stats.dirs[d]
                f += [String(s.bytes / 1024), String(e.bwBytes(d) / 1024), String(UInt64(e.iops(d))), String(e.runtimeMs(d))]
                func usecs(_ st: LatencyStat) -> [String] {
                    [String((st.n > 0 ? st.min : 0) / 1000), String(st.max / 1000), Format.fixed(st.mean / 1000, 6), Format.fixed(st.stddev / 1000, 6)]
                }
                f += usecs(s.slat) + usecs(s.clat)
                let ps = Array(e.config.percentiles.prefix(20))
                for i in 0..<20 {
                    if i < ps.count { f.append("\(Format.fixed(ps[i], 6))%=\(s.clat.n > 0 ? s.clatHist.valueAtPercentile(ps[i]) / 1000 : 0)") } else { f.append("0%=0") }
                }
                f += usecs(s.lat)
                let agg = groups.first { $0.id == e.groupID }?.aggBw[d] ?? 0
                f += [String(UInt64(s.bwSamples.n > 0 ? s.bwSamples.min : 0)), String(UInt64(s.bwSamples.max)),
                      Format.fixed(s.bwSamples.n > 0 ? Report.shareOfAggregate(s.bwSamples.mean, agg) : 0, 6) + "%",
                      Format.fixed(s.bwSamples.mean, 6), Format.fixed(s.bwSamples.stddev, 6)]
            }
            let cpu = Report.cpuPercent(e.stats)
            f += [Format.fixed(cpu.usr, 6) + "%", Format.fixed(cpu.sys, 6) + "%",
                  String(e.stats.cpu.voluntaryCtx + e.stats.cpu.involuntaryCtx), String(e.stats.cpu.majorFaults), String(e.stats.cpu.minorFaults)]
            f += Report.depthLevels(e.stats).map { Format.fixed($0, 1) + "%" }
            // fio's stat_calc_lat_nu(): terse has no ns buckets, so their share is added to the
            // first us bucket (a null-engine job is ~100% there, not nowhere).
            let b = latencyBuckets(e)
            var nsShare = 0.0
            if case .object(let kv) = b.ns { for case (_, .double(let p)) in kv { nsShare += p } }
            for (i, obj) in [b.us, b.ms].enumerated() {
                if case .object(let kv) = obj {
                    f += kv.enumerated().map { j, entry in
                        guard case .double(let p) = entry.1 else { return "0.00%" }
                        return Format.fixed(i == 0 && j == 0 ? p + nsShare : p, 2) + "%"
                    }
                }
            }
            for d in disks {
                f += [d.name, String(d.readIOs), String(d.writeIOs), String(d.readMerges), String(d.writeMerges),
                      String(d.readTicks), String(d.writeTicks), String(d.inQueue), Format.fixed(d.util, 2) + "%"]
            }
            if e.config.nonFatal.any { f += [String(e.stats.errors), String(e.error)] }
            lines.append(f.joined(separator: ";"))
        }
        return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }
}
