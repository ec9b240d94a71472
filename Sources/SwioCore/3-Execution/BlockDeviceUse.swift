// Whether a block device holds something a write would destroy: a mounted filesystem (on the
// device, on one of its partitions, or on the disk the partition belongs to), active swap, or
// any other exclusive claim (LVM, md, a mount in another namespace).
// fio refuses writes to a mounted device unless allow_mounted_write=1; swio does the same.

#if canImport(Glibc)
import Glibc
#endif
import Synchronization

enum BlockDeviceUse {
    static let probeLock = Mutex<Void>(())

    /// What uses the block device at `path` ("mounted on /", "active swap"), or nil.
    static func user(of path: String) -> String? {
        guard let target = sysfsPath(of: path) else { return nil }
        let mountinfo = (try? readWholeFile("/proc/self/mountinfo")) ?? ""
        for line in mountinfo.split(separator: "\n") {
            // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPEROPTIONS"
            let f = line.split(separator: " ")
            guard f.count > 4 else { continue }
            var candidates = [sysfsPath(majorMinor: String(f[2]))]
            // Filesystems such as btrfs report an anonymous MAJ:MIN; their SOURCE names the device.
            if let dash = f.firstIndex(of: "-"), dash + 2 < f.count, f[dash + 2].hasPrefix("/") {
                candidates.append(sysfsPath(of: unescape(f[dash + 2])))
            }
            if candidates.contains(where: { $0.map { overlaps($0, target) } ?? false }) {
                return "mounted on \(unescape(f[4]))"
            }
        }
        let swaps = (try? readWholeFile("/proc/swaps")) ?? ""
        for line in swaps.split(separator: "\n").dropFirst() {
            guard let name = line.split(separator: " ").first, let s = sysfsPath(of: unescape(name)) else { continue }
            if overlaps(s, target) { return "an active swap device" }
        }
        // What the lists above cannot see (a mount in another namespace, LVM/device-mapper, md
        // or bcache on it or on a partition of it) claims the device exclusively: the kernel
        // then refuses an O_EXCL open with EBUSY.
        // One probe at a time: numjobs writers of one device would otherwise see each other's.
        let busy = probeLock.withLock { _ -> Bool in
            let fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC)
            if fd >= 0 { close(fd); return false }
            return errno == EBUSY
        }
        guard busy else { return nil }
        let holders = entries(of: target + "/holders")
        return "in use by the kernel" + (holders.isEmpty ? " (claimed exclusively: a mount, a volume manager or RAID)" : " (held by \(holders.joined(separator: ", ")))")
    }

    /// The names in a directory, without . and ..; empty if it cannot be read.
    static func entries(of dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted()
    }

    /// One sysfs device directory is the other, or holds it (a disk and its partition).
    static func overlaps(_ a: String, _ b: String) -> Bool {
        a == b || a.hasPrefix(b + "/") || b.hasPrefix(a + "/")
    }

    /// /sys/devices/... for the block device node at `path`, or nil if it is not one.
    static func sysfsPath(of path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFBLK else { return nil }
        return sysfsPath(majorMinor: DiskUtil.majorMinor(st.st_rdev))
    }

    static func sysfsPath(majorMinor: String) -> String? {
        guard let p = realpath("/sys/dev/block/\(majorMinor)", nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// mountinfo and /proc/swaps write a space, tab, newline or backslash in a path as \ooo.
    static func unescape(_ s: Substring) -> String {
        guard s.contains("\\") else { return String(s) }
        var bytes: [UInt8] = []
        var u = Array(s.utf8)[...]
        while let c = u.popFirst() {
            if c == UInt8(ascii: "\\"), u.count >= 3, let v = UInt8(String(decoding: u.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(v); u = u.dropFirst(3)
            } else { bytes.append(c) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
