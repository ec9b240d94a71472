import Testing
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import SwioCompare

let fixtures: String = {
    var p = #filePath
    for _ in 0..<3 { p = String(p[..<p.lastIndex(of: "/")!]) }
    return p + "/Tests/fixtures/compare"
}()

@Suite struct MannWhitneyTests {
    /// Two-sided p-values as scipy.stats.mannwhitneyu gives them (exact without ties, the
    /// normal approximation with continuity correction with them).
    @Test(arguments: [
        ([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0.007936507936507936),
        ([1, 2, 3], [4, 5, 6], 0.1),
        ([1.1, 2.3, 3.2, 4.8, 5.5], [2.0, 3.9, 4.1, 6.2, 7.7], 0.42063492063492064),
        ([10, 11, 12, 13, 14, 15, 16], [12.5, 13.5, 17, 18, 19, 20, 21], 0.026223776223776224),
        ([1, 2, 2, 3, 4], [2, 3, 4, 4, 5], 0.16258685072635493),
    ] as [([Double], [Double], Double)])
    func pValuesAreScipys(a: [Double], b: [Double], p: Double) {
        #expect(abs(MannWhitney.pValue(a, b) - p) < 1e-9, "\(MannWhitney.pValue(a, b))")
        #expect(abs(MannWhitney.pValue(b, a) - p) < 1e-9)
    }

    @Test func identicalSamplesAreNotDifferent() {
        #expect(MannWhitney.pValue([5, 5, 5], [5, 5, 5]) == 1)
        #expect(MannWhitney.smallestP(3, 3) == 0.1)
        #expect(MannWhitney.smallestP(5, 5) < 0.01)
    }
}

@Suite struct ThresholdTests {
    @Test func theMostSpecificRuleWins() throws {
        var t = Thresholds(percentiles: [50, 99, 99.9])
        #expect(t.limit(for: "read.iops", job: "a").0 == .relative(5))
        #expect(t.limit(for: "read.clat.p99", job: "a").0 == .relative(20))
        #expect(t.limit(for: "read.clat.p50", job: "a").0 == .relative(10))
        #expect(t.limit(for: "write.clat.p99.9", job: "a").0 == .relative(50))
        try t.add("iops=3%", origin: "cli")
        try t.add("read.clat.p99=2ms", origin: "cli")
        try t.add("a:iops=off", origin: "cli")
        try t.add("bw=50MiB/s", origin: "cli")
        #expect(t.limit(for: "write.iops", job: "b").0 == .relative(3))
        #expect(t.limit(for: "write.iops", job: "a").0 == .off)
        #expect(t.limit(for: "read.clat.p99", job: "b").0 == .absolute(2e6))
        #expect(t.limit(for: "trim.bw", job: "b").0 == .absolute(50 * 1_048_576))
    }

    @Test(arguments: [("iop=3%", "unknown metric 'iop' (did you mean 'iops'?)"), ("iops", "is not SELECTOR=VALUE"),
                      ("clat.p99=2furlongs", "unknown unit 'furlongs'"), ("clat=2ms", "unknown metric"),
                      ("read=5%", "unknown metric"), ("iops=x%", "is not a percentage")])
    func badThresholdsAreErrors(spec: String, words: String) {
        var t = Thresholds(percentiles: [50, 99, 99.9])
        do { try t.add(spec, origin: "--threshold \(spec)"); Issue.record("\(spec) was accepted") } catch let e as ThresholdError {
            #expect(e.description.contains(words), "\(e.description)")
        } catch { Issue.record("\(error)") }
    }

    @Test func aThresholdsFileIsReadWithItsSectionsAndErrorsNameTheLine() throws {
        let dir = NSTemporaryDirectory() + "swio-thresholds-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let good = dir + "/good.txt", bad = dir + "/bad.txt"
        try "# team limits\niops = 3%\n[randrw]   ; this job only\nread.clat.p99 = 2ms\n[*]\nbw = off\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "iops = 3%\n\nread.clat.p98 = 1ms\n".write(toFile: bad, atomically: true, encoding: .utf8)
        var t = Thresholds(percentiles: [50, 99, 99.9])
        try t.load(file: good)
        #expect(t.limit(for: "write.iops", job: "x").0 == .relative(3))
        #expect(t.limit(for: "read.clat.p99", job: "randrw").0 == .absolute(2e6))
        #expect(t.limit(for: "read.clat.p99", job: "other").0 == .relative(20))
        #expect(t.limit(for: "read.bw", job: "x").0 == .off)
        var u = Thresholds(percentiles: [50, 99, 99.9])
        #expect(throws: ThresholdError.self) { try u.load(file: bad) }
        do { try u.load(file: bad) } catch let e as ThresholdError { #expect(e.description.hasPrefix("\(bad):3: unknown metric 'read.clat.p98'")) }
    }
}

@Suite struct ReportReaderTests {
    @Test func readsFiosJsonAndJsonPlus() throws {
        let r = try ReportReader.read([fixtures + "/fio-json-1.json", fixtures + "/fio-jsonplus.json"])
        #expect(r.count == 2 && r.allSatisfy { $0.tool == "fio-3.33" })
        for run in r {
            #expect(run.jobs.map(\.name) == ["randrw", "seqread"])
            let randrw = run.jobs[0]
            #expect((randrw.values["read.iops"] ?? 0) > 0 && (randrw.values["write.bw"] ?? 0) > 0)
            #expect((randrw.values["read.clat.p99"] ?? 0) > 0 && (randrw.values["read.clat.p99.9"] ?? 0) > 0)
            #expect((randrw.values["cpu_per_io"] ?? 0) > 0)
            #expect(run.jobs[1].values["write.iops"] == nil)
        }
    }

    @Test func skipsTextBeforeTheJsonAndReadsClientServerReports() throws {
        let t = try ReportReader.read([fixtures + "/fio-text-before.json"])
        #expect(t.count == 1 && t[0].jobs.map(\.name) == ["note"])
        let c = try ReportReader.read([fixtures + "/fio-client.json"])
        #expect(c.count == 1 && c[0].jobs.map(\.name) == ["cs@127.0.0.1"])
    }

    @Test func eachRepetitionOfSwioRunRepeatIsASample() throws {
        let r = try ReportReader.read([fixtures + "/swio-base.json"])
        #expect(r.count == 5 && r.allSatisfy { $0.tool.hasPrefix("swio") })
        #expect(r.allSatisfy { $0.jobs.map(\.name) == ["randrw", "seqread"] })
    }

    @Test func aDirectoryAndAGlobAreReportsToo() throws {
        #expect(try ReportReader.read([fixtures + "/fio-json-*.json"]).count == 3)
        #expect(try ReportReader.read([fixtures]).count >= 8)
    }

    @Test func badInputIsAnError() throws {
        let dir = NSTemporaryDirectory() + "swio-reader-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let full = try String(contentsOfFile: fixtures + "/fio-json-1.json", encoding: .utf8)
        try String(full.prefix(full.count / 2)).write(toFile: dir + "/truncated.json", atomically: true, encoding: .utf8)
        try "{\"hello\": 1}\n".write(toFile: dir + "/other.json", atomically: true, encoding: .utf8)
        try "not json at all\n".write(toFile: dir + "/text.json", atomically: true, encoding: .utf8)
        for (f, words) in [("truncated.json", "cut short"), ("other.json", "no swio or fio JSON report"), ("text.json", "no swio or fio JSON report"),
                           ("missing.json", "no such file")] {
            do { _ = try ReportReader.read([dir + "/" + f]); Issue.record("\(f) was read") } catch let e as CompareInputError {
                #expect(e.description.contains(words), "\(e.description)")
            }
        }
    }
}

@Suite struct ComparisonTests {
    func options(_ extra: [String] = []) throws -> CompareOptions {
        var t = Thresholds(percentiles: ReportReader.defaultPercentiles)
        for e in extra { try t.add(e, origin: "test") }
        return CompareOptions(thresholds: t)
    }

    /// NEW made from BASE with some metrics scaled: the reports as real tools wrote them, the
    /// change injected.
    func scaled(_ runs: [RunReport], _ metric: String, by factor: Double) -> [RunReport] {
        runs.map { r in
            var r = r
            for i in r.jobs.indices { for (k, v) in r.jobs[i].values where k.hasSuffix(metric) { r.jobs[i].values[k] = v * factor } }
            return r
        }
    }

    @Test func anIdenticalPairIsNoRegression() throws {
        let base = try ReportReader.read([fixtures + "/fio-json-1.json"])
        let c = try Comparison.compare(base: base, new: base, options: options())
        #expect(c.exitCode == 0 && c.regressions.isEmpty && c.improvements.isEmpty)
        let reps = try ReportReader.read([fixtures + "/swio-base.json"])
        #expect(try Comparison.compare(base: reps, new: reps, options: options()).exitCode == 0)
    }

    /// One run a side: the thresholds decide. IOPS 10% lower and p99 25% higher are caught;
    /// 3% is within the 5% threshold; better IOPS is an improvement, failing only when asked.
    @Test func injectedRegressionsAreCaught() throws {
        let base = try ReportReader.read([fixtures + "/fio-json-1.json"])
        let slower = try Comparison.compare(base: base, new: scaled(base, ".iops", by: 0.9), options: options())
        #expect(slower.exitCode == 2)
        #expect(slower.regressions.contains { $0.1.metric == "read.iops" })
        let tail = try Comparison.compare(base: base, new: scaled(base, ".clat.p99", by: 1.25), options: options())
        #expect(tail.exitCode == 2 && tail.regressions.allSatisfy { $0.1.metric.hasSuffix("clat.p99") })
        // The issue's "p99 up 20%" is caught with a 10% threshold, as a team would set one.
        #expect(try Comparison.compare(base: base, new: scaled(base, ".clat.p99", by: 1.2), options: options(["clat.p99=10%"])).exitCode == 2)
        #expect(try Comparison.compare(base: base, new: scaled(base, ".iops", by: 0.97), options: options()).exitCode == 0)
        let faster = try Comparison.compare(base: base, new: scaled(base, ".iops", by: 1.2), options: options())
        #expect(faster.exitCode == 0 && !faster.improvements.isEmpty)
        var o = try options(); o.failOnImprovement = true
        #expect(try Comparison.compare(base: base, new: scaled(base, ".iops", by: 1.2), options: o).exitCode == 4)
        #expect(slower.notes.contains { $0.contains("one run a side") })
    }

    /// Five runs a side: a change beyond every run's spread is significant (p < 0.05) and
    /// caught; the same 10% as above, inside these short runs' spread (up to 25%), is not.
    @Test func withRepetitionsAChangeMustStandOutOfTheNoise() throws {
        let base = try ReportReader.read([fixtures + "/swio-base.json"])
        let halved = try Comparison.compare(base: base, new: scaled(base, ".iops", by: 0.5), options: options())
        #expect(halved.exitCode == 2)
        #expect(halved.regressions.allSatisfy { ($0.1.pValue ?? 1) < 0.05 })
        let tail = try Comparison.compare(base: base, new: scaled(base, ".clat.p99", by: 2), options: options())
        #expect(tail.exitCode == 2)
        let small = try Comparison.compare(base: base, new: scaled(base, ".iops", by: 0.9), options: options())
        #expect(small.regressions.isEmpty)
        #expect(small.jobs.flatMap(\.metrics).contains { $0.metric.hasSuffix("iops") && $0.pValue != nil })
    }

    /// With repetitions, a change within the runs' own spread is not significant even when it
    /// passes the threshold.
    @Test func aChangeWithinTheNoiseIsNotARegression() throws {
        let base = try ReportReader.read([fixtures + "/swio-base.json"])
        // NEW: the same five runs, one of them 30% slower: the median moves little, the test says noise.
        var new = base
        for i in new[0].jobs.indices { for (k, v) in new[0].jobs[i].values where k.hasSuffix(".iops") { new[0].jobs[i].values[k] = v * 0.7 } }
        let c = try Comparison.compare(base: base, new: new, options: options(["iops=0%"]))
        #expect(c.regressions.isEmpty, "\(c.regressions.map { ($0.1.metric, $0.1.pValue ?? -1) })")
    }

    @Test func missingAndFailedJobsHaveTheirExitCodes() throws {
        let base = try ReportReader.read([fixtures + "/fio-json-1.json"])
        var missing = base
        missing[0].jobs.removeLast()
        let m = try Comparison.compare(base: base, new: missing, options: options())
        #expect(m.exitCode == 5 && m.jobs.contains { $0.presence == .onlyInBase && $0.name == "seqread" })
        var failed = base
        failed[0].jobs[0].error = 5
        #expect(try Comparison.compare(base: base, new: failed, options: options()).exitCode == 3)
    }

    @Test func reportsOfDifferentJobFilesOrMixedToolsAreErrors() throws {
        let fio = try ReportReader.read([fixtures + "/fio-json-1.json"])
        let other = try ReportReader.read([fixtures + "/fio-text-before.json"])
        #expect(throws: CompareInputError.self) { try Comparison.compare(base: fio, new: other, options: try options()) }
        let swio = try ReportReader.read([fixtures + "/swio-base.json"])
        #expect(throws: CompareInputError.self) { try Comparison.compare(base: fio + swio, new: swio, options: try options()) }
        // fio against swio is allowed, with a note.
        let across = try Comparison.compare(base: fio, new: swio, options: options())
        #expect(across.notes.contains { $0.contains("fio-3.33") && $0.contains("swio") })
    }

    @Test func outputsAreWellFormed() throws {
        let base = try ReportReader.read([fixtures + "/swio-base.json"])
        let c = try Comparison.compare(base: base, new: scaled(base, ".iops", by: 0.8), options: options())
        let json = try JSONSerialization.jsonObject(with: Data(c.json().utf8)) as? [String: Any]
        #expect(json?["exit_code"] as? Int == 2 && (json?["regressions"] as? Int ?? 0) > 0)
        let md = c.markdown(all: false)
        #expect(md.hasPrefix("### swio compare: **regression**") && md.contains("| randrw (group 0) | read.iops |"))
        let junit = c.junit()
        let parser = XMLParser(data: Data(junit.utf8))
        #expect(parser.parse(), "junit XML does not parse: \(junit.prefix(300))")
        #expect(junit.contains("<failure message=\"regression:"))
        let table = c.table(colour: false, all: false)
        #expect(table.contains("regression") && !table.contains("\u{1b}["))
        #expect(c.table(colour: true, all: false).contains("\u{1b}[31m"))
    }
}
