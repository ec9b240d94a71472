// Reads run reports for `swio compare`: swio's and fio 3.x's JSON (json or json+), fio's
// client/server layout ("client_stats"), files with text before the JSON (fio prints some),
// and files holding several reports (swio run --repeat). Each report becomes one Sample per
// job: the numbers compare needs, per direction.

import Foundation

/// What compare knows of one job in one run.
public struct JobSample: Sendable {
    /// The job's name (with the client's host for fio's client/server reports) and group.
    public var name: String
    public var group: Int
    /// Which of several jobs with that name and group (numjobs without group_reporting).
    public var occurrence: Int
    public var error: Int
    /// Metric name ("read.iops", "write.clat.p99", "cpu_per_io") -> value, in base units
    /// (bytes/s, I/O/s, ns).
    public var values: [String: Double]
    public var key: String { "\(name) (group \(group))" + (occurrence > 0 ? " #\(occurrence + 1)" : "") }
}

/// One report: one run of the job files.
public struct RunReport: Sendable {
    public var source: String
    public var tool: String
    public var jobs: [JobSample]
}

public struct CompareInputError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}

public enum ReportReader {
    /// The percentiles compared by default, and their metric names.
    public static let defaultPercentiles: [Double] = [50, 99, 99.9]

    /// Every report in `paths`: files, directories (their *.json files, sorted) and glob
    /// patterns. A file may hold several reports one after another; repetitions of swio run
    /// --repeat are each a sample, otherwise (status reports then the final one) the last counts.
    public static func read(_ paths: [String], percentiles: [Double] = defaultPercentiles) throws -> [RunReport] {
        var files: [String] = []
        for p in paths {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDir) {
                if isDir.boolValue {
                    let names = try FileManager.default.contentsOfDirectory(atPath: p).filter { $0.hasSuffix(".json") }.sorted()
                    if names.isEmpty { throw CompareInputError("\(p): a directory with no .json reports") }
                    files += names.map { p + "/" + $0 }
                } else { files.append(p) }
            } else if p.contains("*") || p.contains("?") || p.contains("[") {
                let matches = glob(p)
                if matches.isEmpty { throw CompareInputError("\(p): no file matches") }
                files += matches
            } else {
                throw CompareInputError("\(p): no such file or directory")
            }
        }
        var out: [RunReport] = []
        for f in files {
            guard let data = FileManager.default.contents(atPath: f) else { throw CompareInputError("\(f): cannot read it") }
            out += try reports(in: String(decoding: data, as: UTF8.self), source: f, percentiles: percentiles)
        }
        return out
    }

    /// The reports in one file's text: each repetition of swio run --repeat, or else the last
    /// report (status reports come before the final one).
    public static func reports(in text: String, source: String, percentiles: [Double] = defaultPercentiles) throws -> [RunReport] {
        let docs = try documents(in: text, file: source)
        let repeated = docs.filter { $0["swio repetition"] != nil }
        let chosen = repeated.isEmpty ? Array(docs.suffix(1)) : repeated
        return try chosen.enumerated().map { i, d in
            try report(d, source: chosen.count > 1 ? "\(source) (repetition \(i + 1))" : source, percentiles: percentiles)
        }
    }

    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    /// The JSON objects in `text`, in order, skipping text between them (fio writes notes to
    /// stdout before its JSON).
    public static func documents(in text: String, file: String) throws -> [[String: Any]] {
        let bytes = Array(text.utf8)
        var docs: [[String: Any]] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "{") else { i += 1; continue }
            // The object's extent: braces outside strings.
            var depth = 0, j = i, inString = false, escaped = false
            while j < bytes.count {
                let c = bytes[j]
                if inString {
                    if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                } else if c == UInt8(ascii: "\"") { inString = true }
                else if c == UInt8(ascii: "{") { depth += 1 }
                else if c == UInt8(ascii: "}") { depth -= 1; if depth == 0 { break } }
                j += 1
            }
            guard depth == 0, j < bytes.count else {
                throw CompareInputError("\(file): a JSON report is cut short (it opens at byte \(i) and never closes)")
            }
            let slice = Data(bytes[i...j])
            if let obj = (try? JSONSerialization.jsonObject(with: slice)) as? [String: Any],
               obj["jobs"] != nil || obj["client_stats"] != nil {
                docs.append(obj)
                i = j + 1
            } else {
                i += 1   // not a report (text in braces, or broken): look further
            }
        }
        if docs.isEmpty { throw CompareInputError("\(file): no swio or fio JSON report in it (run with --output-format=json)") }
        return docs
    }

    public static func number(_ v: Any?) -> Double? {
        if let n = v as? NSNumber { return n.doubleValue }
        if let s = v as? String { return Double(s) }
        return nil
    }

    /// A whole number from JSON, clamped to Int's range (a hostile report's 1e300 or NaN is not
    /// a crash); 0 when there is none.
    static func integer(_ v: Any?) -> Int {
        guard let d = number(v), d.isFinite else { return 0 }
        return Int(min(max(d, -9.2e18), 9.2e18))
    }

    static func report(_ d: [String: Any], source: String, percentiles: [Double]) throws -> RunReport {
        let tool = (d["fio version"] as? String) ?? "unknown"
        let clientMode = d["jobs"] == nil
        guard let rawJobs = (d["jobs"] ?? d["client_stats"]) as? [[String: Any]] else {
            throw CompareInputError("\(source): \"jobs\" is not a list of jobs")
        }
        var seen: [String: Int] = [:]
        var jobs: [JobSample] = []
        for (idx, j) in rawJobs.enumerated() {
            guard var name = j["jobname"] as? String else { throw CompareInputError("\(source): job \(idx + 1) has no jobname") }
            if clientMode, let host = j["hostname"] as? String, name != "All clients" { name += "@" + host }
            let group = integer(j["groupid"])
            let k = "\(name)\u{0}\(group)"
            let occurrence = seen[k, default: 0]
            seen[k] = occurrence + 1
            var values: [String: Double] = [:]
            var totalIOs = 0.0
            for dir in ["read", "write", "trim"] {
                guard let dj = j[dir] as? [String: Any] else { continue }
                let ios = number(dj["total_ios"]) ?? 0
                totalIOs += ios
                guard ios > 0 else { continue }
                values["\(dir).bw"] = number(dj["bw_bytes"]) ?? (number(dj["bw"]) ?? 0) * 1024
                values["\(dir).iops"] = number(dj["iops"]) ?? 0
                for lat in ["clat", "lat"] {
                    guard let l = dj["\(lat)_ns"] as? [String: Any], (number(l["N"]) ?? 0) > 0 else { continue }
                    if let m = number(l["mean"]) { values["\(dir).\(lat).mean"] = m }
                    if let p = l["percentile"] as? [String: Any] {
                        for q in percentiles {
                            let key = String(format: "%.6f", q)
                            if let v = number(p[key]) { values["\(dir).\(lat).\(Metric.percentileName(q))"] = v }
                        }
                    }
                }
            }
            if totalIOs > 0, let usr = number(j["usr_cpu"]), let sys = number(j["sys_cpu"]), let runtime = number(j["job_runtime"]) {
                values["cpu_per_io"] = (usr + sys) / 100 * runtime * 1e6 / totalIOs
            }
            jobs.append(JobSample(name: name, group: group, occurrence: occurrence, error: integer(j["error"]), values: values))
        }
        return RunReport(source: source, tool: tool, jobs: jobs)
    }
}
