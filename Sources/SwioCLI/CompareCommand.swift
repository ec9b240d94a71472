import ArgumentParser
import SwioCore
import SwioCompare
import CSwio
#if canImport(Glibc)
import Glibc
#endif

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs: a noise-aware regression gate on swio's and fio's JSON reports.",
        discussion: """
        BASE and NEW are each a JSON report, several (files, a directory of *.json, a quoted glob),
        or a file written by `swio run --repeat N` (one report per repetition). Reports of fio 3.x
        (json, json+, client/server, with text before the JSON) work too. With 3 or more runs a
        side, a change counts only when it is beyond its threshold and significant (Mann-Whitney
        U, p < --alpha); with fewer, the thresholds alone decide, and the output says so.

        Thresholds: SELECTOR=VALUE, the selector a metric (bw, iops, clat.mean, clat.p99,
        lat.p99.9, cpu_per_io; optionally read./write./trim.) or its job (JOB:metric); the value
        relative (5%), absolute (2ms, 50MiB/s, 1000) or off. Defaults: 5% bw and iops, 10% means,
        p50 and CPU per I/O, 20% p99, 50% beyond p99. A --thresholds FILE holds the same lines, in
        [JOB] sections for one job's.

        Exit status: 0 no regression, 1 bad input, 2 a regression, 3 a job failed in NEW,
        4 improvements (only with --fail-on-improvement), 5 a job of BASE is missing from NEW.

        Examples:
          swio compare base.json new.json
          swio compare baseline/ new/ --format markdown >> "$GITHUB_STEP_SUMMARY"
          swio compare base.json new.json --threshold iops=3% --threshold read.clat.p99=2ms
          swio compare base.json new.json --format junit > compare.xml
        """)

    @Argument(help: "The baseline's report(s).") var base: String
    @Argument(help: "The new report(s).") var new: String
    @Option(name: .customLong("base"), help: "More baseline reports (repeatable).") var moreBase: [String] = []
    @Option(name: .customLong("new"), help: "More new reports (repeatable).") var moreNew: [String] = []
    @Option(name: .customLong("threshold"), help: "SELECTOR=VALUE, e.g. iops=3% or read.clat.p99=2ms (repeatable).") var thresholds: [String] = []
    @Option(name: .customLong("thresholds"), help: "A thresholds file (SELECTOR=VALUE lines, [JOB] sections).") var thresholdsFile: String?
    @Option(help: "Percentiles to compare, ':'-separated.") var percentiles = "50:99:99.9"
    @Option(help: "Significance level for the test of noise.") var alpha = 0.05
    @Option(help: "table, markdown, json or junit.") var format = "table"
    @Flag(help: "List every metric, not only the changed ones.") var all = false
    @Flag(name: .customLong("fail-on-improvement"), help: "Exit 4 when something got better (so the baseline gets refreshed).") var failOnImprovement = false

    func run() throws {
        runReporting {
            guard ["table", "markdown", "json", "junit"].contains(format) else {
                throw UserError("--format: '\(format)' is not table, markdown, json or junit")
            }
            guard alpha > 0 && alpha < 1 else { throw UserError("--alpha: \(alpha) is not between 0 and 1") }
            var ps: [Double] = []
            for p in percentiles.split(separator: ":") {
                guard let v = Double(p), v > 0, v < 100 else { throw UserError("--percentiles: '\(p)' is not a percentile between 0 and 100") }
                ps.append(v)
            }
            var t = Thresholds(percentiles: ps)
            do {
                if let f = thresholdsFile { try t.load(file: f) }
                for spec in thresholds { try t.add(spec, origin: "--threshold \(spec)") }
            } catch let e as ThresholdError { throw UserError(e.description) }
            var options = CompareOptions(thresholds: t)
            options.alpha = alpha
            options.failOnImprovement = failOnImprovement
            let comparison: Comparison
            do {
                let b = try ReportReader.read([base] + moreBase, percentiles: ps)
                let n = try ReportReader.read([new] + moreNew, percentiles: ps)
                comparison = try Comparison.compare(base: b, new: n, options: options)
            } catch let e as CompareInputError { throw UserError(e.description) }
            let text: String
            switch format {
            case "markdown": text = comparison.markdown(all: all)
            case "json": text = comparison.json()
            case "junit": text = comparison.junit()
            default: text = comparison.table(colour: cswio_isatty(1) != 0, all: all)
            }
            try ReportDestination(nil).write(text)
            return comparison.exitCode
        }
    }
}
