// compare's outputs: a table for the terminal (colour only on a TTY), markdown for a CI job
// summary, JSON (the verdict per job and metric), and JUnit XML (a test case per job and
// metric, which Jenkins and GitLab show natively).

import Foundation

extension Comparison {
    static func limitText(_ l: Threshold.Limit, _ metric: String) -> String {
        switch l {
        case .off: return "off"
        case .relative(let p): return String(format: "%g%%", p)
        case .absolute(let a): return Metric.format(a, metric)
        }
    }

    static func changeText(_ r: MetricResult) -> String {
        guard let c = r.change else { return r.newMedian == r.baseMedian ? "0%" : "n/a" }
        return String(format: "%+.1f%%", c * 100)
    }

    /// The p-value or why there is none.
    static func evidence(_ r: MetricResult) -> String {
        if let p = r.pValue { return String(format: "p=%.3f", p) }
        return "n=\(r.base.count)/\(r.new.count)"
    }

    func statusLines() -> [String] {
        var out: [String] = []
        for j in jobs where j.presence == .onlyInBase { out.append("job \(j.key) is in BASE but missing from NEW") }
        for j in jobs where j.presence == .onlyInNew { out.append("job \(j.key) is new in NEW (not in BASE)") }
        for j in jobs where !j.newErrors.isEmpty { out.append("job \(j.key) failed in NEW (error \(j.newErrors.map(String.init).joined(separator: ", ")))") }
        return out
    }

    var summary: String {
        let r = regressions.count, i = improvements.count
        return "\(r) regression\(r == 1 ? "" : "s"), \(i) improvement\(i == 1 ? "" : "s") over \(jobs.filter { $0.presence == .both }.count) job(s); BASE \(baseRuns) run(s) of \(baseTool), NEW \(newRuns) of \(newTool)"
    }

    /// A fixed-width table; with `colour`, regressions red and improvements green.
    public func table(colour: Bool, all: Bool) -> String {
        let header = ["job", "metric", "base", "new", "change", "limit", "test", ""]
        var rows: [[String]] = []
        var marks: [Verdict] = []
        for j in jobs where j.presence == .both {
            for r in j.metrics where all || r.verdict != .unchanged || r.note != nil {
                rows.append([j.key, r.metric, Metric.format(r.baseMedian, r.metric), Metric.format(r.newMedian, r.metric),
                             Self.changeText(r), Self.limitText(r.limit, r.metric), Self.evidence(r),
                             r.verdict == .unchanged ? "~" + (r.note.map { "  " + $0 } ?? "") : r.verdict.rawValue])
                marks.append(r.verdict)
            }
        }
        var widths = header.map(\.count)
        for row in rows { for (i, c) in row.enumerated() where i < 7 { widths[i] = max(widths[i], c.count) } }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, c in i < 7 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0) : c }.joined(separator: "  ")
        }
        var out = line(header) + "\n"
        for (row, v) in zip(rows, marks) {
            var l = line(row)
            if colour && v != .unchanged { l = (v == .regression ? "\u{1b}[31m" : "\u{1b}[32m") + l + "\u{1b}[0m" }
            out += l + "\n"
        }
        if rows.isEmpty { out += "(no metric changed beyond its threshold; --all lists every one)\n" }
        for s in statusLines() { out += "! " + s + "\n" }
        for n in notes { out += "note: " + n + "\n" }
        out += summary + "\n"
        return out
    }

    /// Markdown for a CI summary ($GITHUB_STEP_SUMMARY, a merge-request note).
    public func markdown(all: Bool) -> String {
        let verdict = exitCode == 0 ? "no regression" : exitCode == 2 ? "**regression**" : exitCode == 3 ? "**a job failed**" : exitCode == 5 ? "**a job is missing**" : "**improvement** (baseline to refresh)"
        var out = "### swio compare: \(verdict)\n\n\(summary)\n\n"
        for s in statusLines() { out += "- :warning: \(s)\n" }
        for n in notes { out += "- \(n)\n" }
        if !statusLines().isEmpty || !notes.isEmpty { out += "\n" }
        out += "| job | metric | base | new | change | limit | test | verdict |\n|---|---|---|---|---|---|---|---|\n"
        var any = false
        for j in jobs where j.presence == .both {
            for r in j.metrics where all || r.verdict != .unchanged {
                any = true
                let v = r.verdict == .regression ? "**regression**" : r.verdict == .improvement ? "improvement" : "~"
                out += "| \(Self.escape(j.key)) | \(r.metric) | \(Metric.format(r.baseMedian, r.metric)) | \(Metric.format(r.newMedian, r.metric)) | \(Self.changeText(r)) | \(Self.limitText(r.limit, r.metric)) | \(Self.evidence(r)) | \(v) |\n"
            }
        }
        if !any { out += "| | | | | | | | nothing beyond its threshold |\n" }
        return out
    }

    static func escape(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }

    /// The verdicts as JSON.
    public func json() -> String {
        var jobsOut: [[String: Any]] = []
        for j in jobs {
            let presence: String
            switch j.presence {
            case .both: presence = "both"
            case .onlyInBase: presence = "missing_in_new"
            case .onlyInNew: presence = "new"
            }
            jobsOut.append([
                "job": j.key, "name": j.name, "presence": presence, "new_errors": j.newErrors,
                "metrics": j.metrics.map { r -> [String: Any] in
                    var m: [String: Any] = ["metric": r.metric, "base": r.base, "new": r.new, "base_median": r.baseMedian,
                                            "new_median": r.newMedian, "verdict": r.verdict == .unchanged ? "unchanged" : r.verdict.rawValue,
                                            "threshold": Self.limitText(r.limit, r.metric), "threshold_from": r.limitOrigin]
                    if let c = r.change { m["change"] = c }
                    if let p = r.pValue { m["p_value"] = p }
                    if let n = r.note { m["note"] = n }
                    return m
                },
            ])
        }
        let top: [String: Any] = ["exit_code": exitCode, "base_runs": baseRuns, "new_runs": newRuns, "base_tool": baseTool,
                                  "new_tool": newTool, "regressions": regressions.count, "improvements": improvements.count,
                                  "notes": notes, "jobs": jobsOut]
        let data = (try? JSONSerialization.data(withJSONObject: top, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// JUnit XML: one test case per job and metric; a regression is a failure, a job missing or
    /// failed in NEW an error.
    public func junit() -> String {
        var cases = ""
        var tests = 0, failures = 0, errors = 0
        for j in jobs {
            switch j.presence {
            case .onlyInBase:
                tests += 1; errors += 1
                cases += "    <testcase classname=\"\(Self.xml(j.key))\" name=\"present\"><error message=\"missing from NEW\"/></testcase>\n"
                continue
            case .onlyInNew:
                tests += 1
                cases += "    <testcase classname=\"\(Self.xml(j.key))\" name=\"present\"><skipped message=\"new in NEW, no baseline\"/></testcase>\n"
                continue
            case .both: break
            }
            if !j.newErrors.isEmpty {
                tests += 1; errors += 1
                cases += "    <testcase classname=\"\(Self.xml(j.key))\" name=\"error\"><error message=\"job failed in NEW: error \(j.newErrors.map(String.init).joined(separator: ", "))\"/></testcase>\n"
            }
            for r in j.metrics {
                tests += 1
                let detail = "\(Metric.format(r.baseMedian, r.metric)) -> \(Metric.format(r.newMedian, r.metric)) (\(Self.changeText(r)), limit \(Self.limitText(r.limit, r.metric)), \(Self.evidence(r)))"
                cases += "    <testcase classname=\"\(Self.xml(j.key))\" name=\"\(Self.xml(r.metric))\">"
                if r.verdict == .regression {
                    failures += 1
                    cases += "<failure message=\"regression: \(Self.xml(detail))\"/>"
                } else {
                    cases += "<system-out>\(Self.xml(detail))</system-out>"
                }
                cases += "</testcase>\n"
            }
        }
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="swio compare" tests="\(tests)" failures="\(failures)" errors="\(errors)">
          <testsuite name="swio compare" tests="\(tests)" failures="\(failures)" errors="\(errors)">
        \(cases)  </testsuite>
        </testsuites>

        """
    }

    static func xml(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
