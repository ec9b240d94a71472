// file_service_type=: how a job with several files picks the next one (fio's roundrobin,
// sequential, random, and the zipf/pareto/normal distributions over the files), with fio's
// ":N" postfix for how many I/Os go to a file before the next pick (a float for the
// distributions: theta, h or the deviation).

public enum FileService: Sendable, Equatable {
    case roundRobin, sequential, random
    case zipf(Double), pareto(Double), normal(Double)

    /// The service and how many I/Os a picked file gets (1 unless ":N" says).
    public static func parse(_ s: String) throws -> (FileService, switchAfter: Int) {
        let parts = s.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        let arg = parts.count > 1 ? parts[1] : nil
        func count() throws -> Int {
            guard let arg else { return 1 }
            guard let n = Int(arg), n > 0 else { throw ValueError("'\(arg)' in file_service_type=\(s) is not a number of I/Os (1 or more)") }
            return n
        }
        func param(_ d: Double) throws -> Double {
            guard let arg else { return d }
            guard let v = Double(arg), v.isFinite else { throw ValueError("'\(arg)' in file_service_type=\(s) is not a number") }
            return v
        }
        switch parts.first ?? "" {
        case "roundrobin": return (.roundRobin, try count())
        case "sequential": return (.sequential, try count())
        case "random": return (.random, try count())
        case "zipf":
            let t = try param(1.1)
            guard t > 0, t != 1 else { throw ValueError("file_service_type=\(s): zipf theta must be above 0 and not 1") }
            return (.zipf(t), 1)
        case "pareto":
            let h = try param(0.2)
            guard h > 0, h < 1 else { throw ValueError("file_service_type=\(s): pareto h must be between 0 and 1") }
            return (.pareto(h), 1)
        case "normal", "gauss":
            let dev = try param(0)
            guard dev >= 0, dev < 100 else { throw ValueError("file_service_type=\(s): the deviation must be at least 0 and below 100") }
            // fio's default deviation, 0, draws the files uniformly.
            return (dev == 0 ? .random : .normal(dev), 1)
        default:
            throw ValueError("'\(s)' is not one of roundrobin, sequential, random, zipf, pareto, normal, gauss (each may take a :N)")
        }
    }
}
