#if canImport(Glibc)
import Glibc
#endif

// fio-like human output ("normal") and the terse format (version 3).

extension Report {
    /// fio's num2str(): divides by 1000 or 1024 until the integer part fits in `maxlen`
    /// digits, then fills what room is left with decimals, trailing zeroes kept ("16.0MiB",
    /// "1024KiB", "18.0k", "1426.4k").
    public static func num2str(_ value: UInt64, maxlen: Int = 4, pow2: Bool, unit: String) -> String {
        let thousand: UInt64 = pow2 ? 1024 : 1000
        let prefixes = pow2 ? ["", "Ki", "Mi", "Gi", "Ti", "Pi"] : ["", "k", "M", "G", "T", "P"]
        var num = value, post = 0
        var modulo: UInt64? = nil, carry = false
        while post < prefixes.count && String(num).count > maxlen {
            modulo = num % thousand
            num /= thousand
            carry = modulo! >= thousand / 2
            post += 1
        }
        if post >= prefixes.count { post = 0 }
        guard let m = modulo else { return "\(num)\(prefixes[post])\(unit)" }
        let room = maxlen - String(num).count
        if room <= 1 { return "\(carry ? num + 1 : num)\(prefixes[post])\(unit)" }
        let frac = Format.fixed(Double(m) / Double(thousand), room - 1)   // "0.xx" (or "1.00")
        // A fraction that rounds up to 1 carries into the whole part, as fio's does.
        return "\(frac.hasPrefix("1") ? num + 1 : num).\(frac.dropFirst(2))\(prefixes[post])\(unit)"
    }
    public static func iopsString(_ v: Double) -> String { num2str(UInt64(max(0, v)), pow2: false, unit: "") }
    /// "BW=" as fio prints it: the kb_base's units first, the other in parentheses.
    static func bwString(_ bytesPerSec: UInt64, kbBase: Int = 1024) -> String {
        bwString(bytesPerSec, NumberStyle(kbBase: kbBase))
    }
    static func bwString(_ bytesPerSec: UInt64, _ n: NumberStyle) -> String {
        rate(bytesPerSec, n, pow2: n.pow2) + " (" + rate(bytesPerSec, n, pow2: !n.pow2) + ")"
    }
    /// A rate in the style's unit (bit/s multiplies by 8, as fio's N2S_BITPERSEC).
    static func rate(_ bytesPerSec: UInt64, _ n: NumberStyle, pow2: Bool) -> String {
        n.bits ? num2str(bytesPerSec &* 8, maxlen: n.figures, pow2: pow2, unit: "bit/s") : num2str(bytesPerSec, maxlen: n.figures, pow2: pow2, unit: "B/s")
    }
    /// An amount of bytes in the style's figures.
    static func amount(_ bytes: UInt64, _ n: NumberStyle, pow2: Bool) -> String { num2str(bytes, maxlen: n.figures, pow2: pow2, unit: "B") }

    /// fio's display_lat(): msec when min > 2 ms, max > 100 ms and stdev > 1 ms; usec when
    /// min > 2 us, max > 100 us and stdev > 1 us; min and max through num2str(6 digits).
    static func latLine(_ label: String, _ s: LatencyStat) -> String {
        var mn = s.n > 0 ? s.min : 0, mx = s.max
        var mean = s.mean, dev = s.stddev
        var unit = "nsec"
        if mn > 2_000_000 && mx > 99_999_999 && dev > 1_000_000 {
            unit = "msec"; mn /= 1_000_000; mx /= 1_000_000; mean /= 1e6; dev /= 1e6
        } else if mn > 2000 && mx > 99_999 && dev > 1000 {
            unit = "usec"; mn /= 1000; mx /= 1000; mean /= 1e3; dev /= 1e3
        }
        return "    \(label) (\(unit)): min=\(num2str(mn, maxlen: 6, pow2: false, unit: "")), max=\(num2str(mx, maxlen: 6, pow2: false, unit: "")), avg=\(Format.padLeft(Format.fixed(mean, 2), 5)), stdev=\(Format.padLeft(Format.fixed(dev, 2), 5))\n"
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
            // fio's header: one line for a job, "..." once for its numjobs clones.
            let clone = c.definition.cloneIndex
            if clone > 1 { continue }
            if clone == 1 { out += "...\n"; continue }
            let bsDesc = (0..<3).map { d in
                let split = c.bssplit?[d].entries.map(\.size)
                let lo = split?.min() ?? c.bsrange?[d].low ?? c.bs[d], hi = split?.max() ?? c.bsrange?[d].high ?? c.bs[d]
                return "(\(["R", "W", "T"][d])) \(Report.num2str(lo, maxlen: 4, pow2: true, unit: "B"))-\(Report.num2str(hi, maxlen: 4, pow2: true, unit: "B"))"
            }.joined(separator: ", ")
            out += "\(e.name): (g=\(e.groupID)): rw=\(c.rw.rawValue), bs=\(bsDesc), ioengine=\(c.engineName), iodepth=\(c.iodepth)\n"
            if e.jobs > 1 { out += "...\n" }   // clones merged by group_reporting
        }
        out += "swio-\(swioVersion)\n\n"
        // fio prints no block for a job that failed before its first I/O (its error is on
        // stderr, and in the JSON report).
        for e in entries where !(e.error != 0 && e.stats.dirs.allSatisfy({ $0.ios == 0 && $0.failedIOs == 0 }) && e.stats.syncIOs == 0) {
            out += entryText(e)
        }
        for g in groups { out += groupText(g) }
        if !disks.isEmpty {
            out += "\nDisk stats (read/write):\n"
            for d in disks {
                out += "  \(d.name): ios=\(d.readIOs)/\(d.writeIOs), merge=\(d.readMerges)/\(d.writeMerges), ticks=\(d.readTicks)/\(d.writeTicks), in_queue=\(d.inQueue), util=\(Format.fixed(d.util, 2))%\n"
            }
        }
        return out
    }

    /// fio's show_clat_percentiles(): "<label> percentiles (unit):", values rounded up to the
    /// unit, every cell as wide as the largest value (at least 5), as many cells a line as fit
    /// in 73 columns, labels with the list's own decimals.
    static func percentileTable(_ label: String, _ hist: LatencyDistribution, _ percentiles: [Double], precision: Int = 2) -> String {
        var values = percentiles.map { hist.valueAtPercentile($0) }
        let (u, div) = Report.percentileUnit(min: values.min() ?? 0, max: values.max() ?? 0)
        let d = UInt64(div)
        if d > 1 { values = values.map { ($0 + d - 1) / d } }
        let width = max(5, String(values.max() ?? 0).count)
        let perLine = max(1, 73 / (precision + 10 + width))
        var out = "    \(label) percentiles (\(u)):\n     |"
        for (j, (p, v)) in zip(percentiles, values).enumerated() {
            if j != 0 && j % perLine == 0 { out += "     |" }
            let last = j == values.count - 1
            out += " \(Format.padLeft(Format.fixed(p, precision), precision + 3))th=[\(Format.padLeft(String(v), width))]\(last ? "\n" : ",")"
            if last { break }
            if j % perLine == perLine - 1 { out += "\n" }
        }
        return out
    }

    /// fio's show_lat(): the latency buckets of one unit that are above 0, five to a line.
    static func bucketLines(_ unit: String, _ obj: JSON) -> String {
        guard case .object(let kv) = obj else { return "" }
        let cells = kv.compactMap { k, v -> String? in
            if case .double(let p) = v, p > 0 { return "\(k)=\(Format.fixed(p, 2))%" }
            return nil
        }
        return stride(from: 0, to: cells.count, by: 5).map { i in
            "  lat (\(unit))   : " + cells[i..<min(i + 5, cells.count)].joined(separator: ", ") + "\n"
        }.joined()
    }

    func entryText(_ e: ReportEntry) -> String {
        let s = e.stats
        var out = "\(e.name): (groupid=\(e.groupID), jobs=\(e.jobs)): err=\(Format.padLeft(String(e.error), 2)): pid=\(getpid()): \(Report.ctime(s.startEpochMs / 1000))\n"
        if let m = e.errorMessage { out += "  error: \(m)\n" }
        for d in 0..<3 where s.dirs[d].ios > 0 {
            let ds = s.dirs[d]
            let bw = e.bwBytes(d)
            let n = e.config.numbers
            let iops = Report.num2str(UInt64(max(0, e.iops(d))), maxlen: n.figures, pow2: false, unit: "")
            var line = "  \(["read", "write", "trim"][d]): IOPS=\(iops), BW=\(Report.bwString(bw, n))(\(Report.amount(ds.bytes, n, pow2: n.pow2))/\(e.runtimeMs(d))msec)"
            if d == 1 { line += "; \(s.zoneResets) zone resets" }   // fio's zbd_write_status(), on every write line
            if let b = e.baseline, d == 0 || b.fraction > 0 {
                line += ", \(Format.fixed(b.fraction * 100, 1))% of \(b.kind) baseline"
            }
            out += line + "\n"
            for (label, st) in [("slat", ds.slat), ("clat", ds.clat), (" lat", ds.lat)] where st.n > 0 {
                out += Report.latLine(label, st)
            }
            // fio's per-priority lines, when two or more priorities have samples.
            let prios = ds.reportedPriorities
            let prioType = e.config.latPercentiles ? "lat" : "clat"
            for p in prios { out += Report.latLine("\(prioType) prio \(p.ioclass)/\(p.level)", p.stat) }
            if e.config.clatPercentiles && ds.clat.n > 0 {
                out += Report.percentileTable("clat", ds.clatHist, e.config.percentiles, precision: e.config.percentilePrecision)
            }
            if e.config.latPercentiles && ds.lat.n > 0 {
                out += Report.percentileTable("lat", ds.latHist, e.config.percentiles, precision: e.config.percentilePrecision)
            }
            if e.config.clatPercentiles || e.config.latPercentiles {
                let samples = e.config.latPercentiles ? ds.lat.n : ds.clat.n
                for p in prios {
                    let share = Format.fixed(100 * Double(p.stat.n) / Double(max(1, samples)), 2)
                    out += Report.percentileTable("\(prioType) prio \(p.ioclass)/\(p.level) (\(share)% of IOs)", p.hist, e.config.percentiles,
                                                  precision: e.config.percentilePrecision)
                }
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
        // As fio's show_thread_status_normal(): the latency buckets, then the sync section.
        let b = latencyBuckets(e)
        out += Report.bucketLines("nsec", b.ns) + Report.bucketLines("usec", b.us) + Report.bucketLines("msec", b.ms)
        if s.syncIOs > 0 {
            out += "  fsync/fdatasync/sync_file_range:\n" + Report.latLine("sync", s.syncLat)
            if e.config.clatPercentiles || e.config.latPercentiles {
                out += Report.percentileTable("sync", s.syncHist, e.config.percentiles, precision: e.config.percentilePrecision)
            }
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
        if e.config.nonFatal.any {
            // fio with continue_on_error: the count of errors and the first one.
            let first = s.firstContinuedError
            out += "     errors    : total=\(s.continuedErrors), first_error=\(first)/<\(first == 0 ? "Success" : Syscall.errorString(first))>\n"
        }
        let lt = e.config.latencyTarget
        out += "     latency   : target=\(lt?.targetNs ?? 0), window=\((lt?.windowNs ?? 0) / 1000), percentile=\(Format.fixed(lt?.percentile ?? 100, 2))%, depth=\(s.latencyDepth ?? e.config.iodepth)\n"
        if let ss = s.steadyState {
            // fio: "attained=yes, bw=..., iops=..., iops mean dev=8.497%"
            let what = ss.settings.usesIOPS ? "iops" : "bw"
            let how = ss.settings.isSlope ? "slope" : "mean dev"
            out += "  steadystate  : attained=\(ss.attained ? "yes" : "no"), bw=\(Report.bwString(ss.bwMean, kbBase: e.config.kbBase)), iops=\(Report.iopsString(Double(ss.iopsMean))), \(what) \(how)=\(Format.fixed(ss.criterion, 3))\(ss.settings.percent ? "%" : "")\n"
        }
        return out
    }

    func groupText(_ g: GroupSummary) -> String {
        var out = "\nRun status group \(g.id) (all jobs):\n"
        // fio's run status line: the group's first job's kb_base, unit_base and figures.
        let n = g.numbers
        for d in 0..<3 where g.runtimeMaxMs[d] > 0 {
            let label = Format.padLeft(["READ", "WRITE", "TRIM"][d], 6)
            let (lo, hi) = (g.bwMin[d], g.bwMax[d])
            out += " \(label): bw=\(Report.bwString(g.aggBw[d], n)), "
            out += "\(Report.rate(lo, n, pow2: n.pow2))-\(Report.rate(hi, n, pow2: n.pow2)) "
            out += "(\(Report.rate(lo, n, pow2: !n.pow2))-\(Report.rate(hi, n, pow2: !n.pow2))), "
            out += "io=\(Report.amount(g.bytes[d], n, pow2: n.pow2)) (\(Report.amount(g.bytes[d], n, pow2: !n.pow2))), run=\(g.runtimeMinMs[d])-\(g.runtimeMaxMs[d])msec\n"
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
                // clat_percentiles=0: fio leaves all 20 as "0%=0"; lat_percentiles=1 puts lat's
                // percentiles in the same fields (fio's terse takes FIO_LAT first).
                let useLat = e.config.latPercentiles
                let ps = e.config.clatPercentiles || useLat ? Array(e.config.percentiles.prefix(20)) : []
                let (hist, n) = useLat ? (s.latHist, s.lat.n) : (s.clatHist, s.clat.n)
                for i in 0..<20 {
                    if i < ps.count { f.append("\(Format.fixed(ps[i], 6))%=\(n > 0 ? hist.valueAtPercentile(ps[i]) / 1000 : 0)") } else { f.append("0%=0") }
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
            if e.config.nonFatal.any { f += [String(e.stats.continuedErrors), String(e.stats.firstContinuedError)] }
            lines.append(f.joined(separator: ";"))
        }
        return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }
}
