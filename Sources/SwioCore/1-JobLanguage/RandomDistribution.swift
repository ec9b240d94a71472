// random_distribution=: fio's random, zipf:theta, pareto:h, normal:dev and zoned:access/region
// lists, checked when parsed (a parameter that is not a finite number is refused).

public enum RandomDistribution: Sendable, Equatable {
    case uniform
    case zipf(Double)
    case pareto(Double)
    case normal(Double)
    /// (percent of accesses, percent of the region) pairs, in order.
    case zoned([(access: Double, region: Double)])
    public static func == (a: Self, b: Self) -> Bool { "\(a)" == "\(b)" }

    public static func parse(_ s: String) throws -> RandomDistribution {
        let lower = s.lowercased()
        let parts = lower.split(separator: ":", maxSplits: 1).map(String.init)
        let kind = parts[0]
        let arg = parts.count > 1 ? parts[1] : nil
        func num(_ d: Double) throws -> Double {
            guard let a = arg else { return d }
            guard let v = Double(a.split(separator: ",").first.map(String.init) ?? a), v.isFinite else { throw ValueError("'\(a)' is not a finite number in random_distribution=\(s)") }
            return v
        }
        switch kind {
        case "random": return .uniform
        case "zipf":
            let t = try num(1.2)
            guard t > 0, t != 1 else { throw ValueError("zipf theta must be > 0 and not 1") }
            return .zipf(t)
        case "pareto":
            let h = try num(0.2)
            guard h > 0, h < 1 else { throw ValueError("pareto h must be between 0 and 1") }
            return .pareto(h)
        case "normal":
            let dev = try num(20)
            guard dev > 0, dev <= 100 else { throw ValueError("normal deviation must be in (0, 100]") }
            return .normal(dev)
        case "zoned":
            guard let a = arg else { throw ValueError("zoned needs access/region pairs, e.g. zoned:60/10:30/20:10/70") }
            var zones: [(Double, Double?)] = []
            for z in a.split(separator: ":") {
                let p = z.split(separator: "/", omittingEmptySubsequences: false)
                // A blank region ("20/", "20/0" or just "20") shares what the others leave, in
                // whole percents, as in fio.
                guard p.count <= 2, let acc = Double(p[0]), acc.isFinite, acc >= 0,
                      p.count == 1 || p[1].isEmpty || Double(p[1]).map({ $0.isFinite && $0 >= 0 }) == true else {
                    throw ValueError("'\(z)' is not access%/region%")
                }
                let region = p.count == 2 ? Double(p[1]) : nil
                zones.append((acc, region == 0 ? nil : region))
            }
            let blanks = zones.filter { $0.1 == nil }.count
            let share = blanks > 0 ? ((100 - zones.compactMap(\.1).reduce(0, +)) / Double(blanks)).rounded(.down) : 0
            let filled = zones.map { ($0.0, $0.1 ?? share) }
            // fio: accesses add up to 100; regions to at most 100 (the rest of the file is not used).
            guard abs(filled.map(\.0).reduce(0, +) - 100) < 0.01, filled.map(\.1).reduce(0, +) <= 100.01, share >= 0 else {
                throw ValueError("zoned access percentages must add up to 100 and region percentages to at most 100")
            }
            return .zoned(filled.map { (access: $0.0, region: $0.1) })
        default:
            throw ValueError("unknown random_distribution '\(kind)' (expected random, zipf, pareto, normal or zoned)")
        }
    }
}
