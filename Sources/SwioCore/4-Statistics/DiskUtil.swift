// fio's disk_util: /sys/block/<dev>/stat before and after the run for the devices under the
// job targets (partitions are reported as their parent disk, as fio does).

#if canImport(Glibc)
import Glibc
#endif

public struct DiskUtil: Sendable {
    public var name: String
    public var readIOs: UInt64, writeIOs: UInt64, readMerges: UInt64, writeMerges: UInt64
    public var readTicks: UInt64, writeTicks: UInt64, inQueue: UInt64
    public var util: Double

    struct Snapshot { var fields: [UInt64]; var ns: UInt64 }

    final class Tracker {
        var devices: [(String, Snapshot)] = []
        init(targets: [String], diskless: Bool) {
            guard !diskless else { return }
            var seen = Set<String>()
            for t in targets {
                guard let dev = DiskUtil.device(for: t), !seen.contains(dev), let s = DiskUtil.read(dev) else { continue }
                seen.insert(dev)
                devices.append((dev, s))
            }
        }
        func finish() -> [DiskUtil] {
            devices.compactMap { name, before in
                guard let after = DiskUtil.read(name), after.fields.count >= 11, before.fields.count >= 11 else { return nil }
                let d = zip(after.fields, before.fields).map { $0 &- $1 }
                let spanMs = Double(after.ns - before.ns) / 1e6
                // field 9 (0-based) is io_ticks: ms the device was busy.
                let util = spanMs > 0 ? min(100, Double(d[9]) / spanMs * 100) : 0
                return DiskUtil(name: name, readIOs: d[0], writeIOs: d[4], readMerges: d[1], writeMerges: d[5],
                                readTicks: d[3], writeTicks: d[7], inQueue: d[10], util: util)
            }
        }
    }

    static func read(_ dev: String) -> Snapshot? {
        guard let text = try? readWholeFile("/sys/block/\(dev)/stat") else { return nil }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt64($0) }
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Snapshot(fields: fields, ns: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    /// "MAJ:MIN" of a device number, as /sys/dev/block names it (glibc's major()/minor() are
    /// macros Swift does not import; these are their masks).
    static func majorMinor(_ dev: dev_t) -> String {
        let d = UInt64(dev)
        let major = ((d & 0x0000_0000_000f_ff00) >> 8) | ((d & 0xffff_f000_0000_0000) >> 32)
        let minor = (d & 0x0000_0000_0000_00ff) | ((d & 0x0000_0fff_fff0_0000) >> 12)
        return "\(major):\(minor)"
    }

    /// The /sys/block name of the disk holding `path` (a device node, file or directory).
    static func device(for path: String) -> String? {
        var st = stat()
        var p = path
        if stat(p, &st) != 0 {
            // Not created yet: use its directory.
            p = p.contains("/") ? String(p[..<p.lastIndex(of: "/")!]) : "."
            if p.isEmpty { p = "/" }
            guard stat(p, &st) == 0 else { return nil }
        }
        let dev = (st.st_mode & S_IFMT) == S_IFBLK ? st.st_rdev : st.st_dev
        var buf = [CChar](repeating: 0, count: 4096)
        let link = "/sys/dev/block/\(majorMinor(dev))"
        let n = readlink(link, &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let target = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let comps = target.split(separator: "/").map(String.init)
        guard let last = comps.last else { return nil }
        // A partition's directory holds a "partition" file; report its parent disk.
        if access("\(link)/partition", F_OK) == 0, comps.count >= 2 { return comps[comps.count - 2] }
        return access("/sys/block/\(last)/stat", F_OK) == 0 ? last : nil
    }
}
