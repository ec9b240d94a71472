// What a block device holds that a write would destroy even when nothing uses it now: a
// filesystem, a partition table, an LVM physical volume, a RAID member, swap. fio writes over
// them; swio refuses unless the job says allow_overwrite=1 (or --allow-overwrite).

import CBlkid

enum BlockDeviceSignature {
    /// "an ext4 filesystem labelled 'data'", "a gpt partition table", ..., or nil when the
    /// device carries no signature libblkid knows.
    static func probe(_ path: String) throws -> String? {
        var type = [CChar](repeating: 0, count: 64)
        var usage = [CChar](repeating: 0, count: 64)
        var label = [CChar](repeating: 0, count: 256)
        let r = cswio_blkid_probe(path, &type, type.count, &usage, usage.count, &label, label.count)
        if r < 0 {
            throw EngineError(errno: -r, "cannot check \(path) for a filesystem or partition table: \(Syscall.errorString(-r))")
        }
        guard r == 1 else { return nil }
        let t = String(cString: type), u = String(cString: usage), l = String(cString: label)
        let what: String
        switch (t, u) {
        case ("ambiguous", _): what = "several filesystem or volume signatures"
        case (_, "partition table"): what = "a \(t) partition table"
        case ("swap", _): what = "a swap signature"
        case ("LVM2_member", _): what = "an LVM physical volume"
        case (_, "raid"): what = "a RAID member signature (\(t))"
        case (_, "crypto"): what = "an encrypted volume (\(t))"
        default: what = "\(t.first.map { "aeiou".contains($0) } == true ? "an" : "a") \(t) \(u.isEmpty ? "signature" : u)"
        }
        return l.isEmpty ? what : "\(what) labelled '\(l)'"
    }
}
