// fio's cmdprio options (engine options of libaio and io_uring, which set a priority per
// I/O): cmdprio_percentage of the reads or writes, or the shares cmdprio_bssplit gives per
// block size, carry cmdprio_class/cmdprio (real-time 0 by default) as the I/O's ioprio value
// ((class << 13) | level); the rest keep the job's. Each I/O draws from its own stream.

public struct CommandPriority: Sendable {
    /// Per direction (read, write): (percent, ioprio) pairs by block size (0: any size).
    @usableFromInline var rules: [[(size: UInt64, percent: UInt64, prio: UInt16)]]
    @usableFromInline var rng: RandomGenerator
    /// The job's own ioprio value, which the I/Os cmdprio does not pick keep.
    @usableFromInline var fallback: UInt16 = 0

    /// Gives no I/O a priority.
    public static let none = CommandPriority(rules: [[], []], rng: RandomGenerator(seed: 0))

    /// The ioprio values the job's I/Os can have, the job's own first (fio's clat_prio order).
    public var values: [UInt16] {
        var v = [fallback]
        for r in rules.joined() where !v.contains(r.prio) { v.append(r.prio) }
        return v
    }

    /// nil when the job sets neither cmdprio_percentage nor cmdprio_bssplit.
    public static func make(_ job: JobConfig) throws -> CommandPriority? {
        let d = job.definition
        guard d.has("cmdprio_percentage") || d.has("cmdprio_bssplit") else { return nil }
        func perDir(_ name: String, _ def: String) throws -> [String] {
            let parts = Values.perDirectionParts(d[name] ?? def).map { $0 ?? def }
            return [parts.first ?? def, parts.count > 1 ? parts[1] : parts.first ?? def]
        }
        func fail(_ n: String, _ m: String) -> JobFileError { JobFileError(d.setting(n)?.source ?? d.section, option: n, m) }
        let classes = try perDir("cmdprio_class", "1").map { v -> UInt16 in
            guard let c = UInt16(v), (1...3).contains(c) else { throw fail("cmdprio_class", "'\(v)' is not 1 (real-time), 2 (best effort) or 3 (idle)") }
            return c
        }
        let levels = try perDir("cmdprio", "0").map { v -> UInt16 in
            guard let l = UInt16(v), l <= 7 else { throw fail("cmdprio", "'\(v)' is not a level from 0 to 7") }
            return l
        }
        var rules: [[(UInt64, UInt64, UInt16)]] = [[], []]
        if let split = d["cmdprio_bssplit"] {
            let dirs = Values.perDirectionParts(split)
            for dir in 0..<2 {
                guard let text = dir < dirs.count ? (dirs[dir] ?? dirs[0]) : dirs[0] else { continue }
                for entry in text.split(separator: ":") {
                    let f = entry.split(separator: "/").map(String.init)
                    guard f.count == 2 || f.count == 4, let size = try? Values.bytes(f[0], kbBase: job.kbBase), let pct = UInt64(f[1]), pct <= 100 else {
                        throw fail("cmdprio_bssplit", "'\(entry)' is not bs/percent or bs/percent/class/level")
                    }
                    var prio = classes[dir] << 13 | levels[dir]
                    if f.count == 4 {
                        guard let c = UInt16(f[2]), (1...3).contains(c), let l = UInt16(f[3]), l <= 7 else { throw fail("cmdprio_bssplit", "'\(entry)': class 1-3 and level 0-7") }
                        prio = c << 13 | l
                    }
                    rules[dir].append((size, pct, prio))
                }
            }
        } else {
            let pcts = try perDir("cmdprio_percentage", "0").map { v -> UInt64 in
                guard let p = UInt64(v), p <= 100 else { throw fail("cmdprio_percentage", "'\(v)' is not a percentage") }
                return p
            }
            for dir in 0..<2 where pcts[dir] > 0 { rules[dir] = [(0, pcts[dir], classes[dir] << 13 | levels[dir])] }
        }
        guard rules.contains(where: { !$0.isEmpty }) else { return nil }
        return CommandPriority(rules: rules, rng: RandomGenerator(seed: job.seed ^ 0xc3d9_7e10_0000_0003), fallback: job.ioprioValue)
    }

    /// Draws this I/O's priority and records it in the unit; returns it when cmdprio picked
    /// the I/O (the engine then sets it on the request), nil when it keeps the job's.
    @inlinable public mutating func priority(_ u: UnsafeMutablePointer<IOUnit>) -> UInt16? {
        let d = u.pointee.kind == .write ? 1 : 0
        let draw = rng.below(100)
        u.pointee.priority = fallback
        for r in rules[d] where r.size == 0 || r.size == UInt64(u.pointee.length) {
            guard draw < r.percent else { return nil }
            u.pointee.priority = r.prio
            return r.prio
        }
        return nil
    }
}
