import Testing
import Foundation
import SwioPlot

/// `swio plot` looked at as a person would: the page rendered by headless Chromium, each chart
/// drawn to a PNG and checked for what is on it; plus its input errors and its escaping.
@Suite(.serialized) struct PlotTests {
    static let chromium = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap { which($0) }.first
    static let pngStats = packageRoot + "/Tests/tools/png_stats.py"

    /// One real run, json+ so the histogram has its bins: a psync job and a null one.
    static let report: String = {
        let dir = makeTempDir()
        let path = dir + "/run.json"
        _ = try? runSwio(["--output-format=json+", "--output=\(path)",
                          "--name=disk", "--ioengine=psync", "--rw=randrw", "--size=16m", "--filename=\(dir)/f",
                          "--time_based", "--runtime=2",
                          "--name=nothing", "--ioengine=null", "--size=1g", "--time_based", "--runtime=2"])
        return path
    }()

    func plot(_ args: [String]) throws -> (status: Int32, out: String, err: String) { try sh(swioBinary, ["plot"] + args) }

    static let jobKinds = ["bandwidth", "iops", "percentiles", "histogram", "depth", "cpu"]

    func kinds(_ html: String) -> [String] {
        html.components(separatedBy: "data-chart=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    @Test func thePageHoldsEveryChartOfEachJobAndNothingExternal() throws {
        let out = makeTempDir() + "/report.html"
        let r = try plot([Self.report, "-o", out])
        #expect(r.status == 0, "\(r.err)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        let drawn = kinds(html)
        #expect(drawn.filter { $0 == "bandwidth" }.count == 2 && drawn.filter { $0 == "percentiles" }.count == 2, "\(drawn)")
        #expect(Set(drawn).isSuperset(of: Self.jobKinds + ["jobs-bandwidth", "jobs-iops"]), "\(drawn)")
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("http://") || html.components(separatedBy: "http://").dropFirst().allSatisfy { $0.hasPrefix("www.w3.org/2000/svg") })
        #expect(html.contains("Content-Security-Policy"))
    }

    /// Chromium's own reading of the page: every chart is an SVG with its title and both axis
    /// labels, and the screenshot is not blank.
    @Test(.enabled(if: chromium != nil, "headless Chromium (Debian's chromium package) is not installed"))
    func chromiumRendersEveryChartWithItsAxes() throws {
        let dir = makeTempDir()
        let page = dir + "/report.html"
        #expect(try plot([Self.report, "-o", page]).status == 0)
        let dom = try sh(Self.chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir)/p", "--dump-dom", "file://\(page)"])
        let svgs = dom.out.components(separatedBy: "<svg").dropFirst()
        let expected = kinds(try String(contentsOfFile: page, encoding: .utf8)).count
        #expect(svgs.count == expected && expected >= 14, "\(svgs.count) of \(expected)")
        for svg in svgs {
            #expect(svg.components(separatedBy: "class=\"axis-label\"").count == 3, "an SVG without both axis labels")
            #expect(svg.contains("class=\"chart-title\""))
        }
        let shot = dir + "/page.png"
        _ = try sh(Self.chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(dir)/p",
                                    "--window-size=1400,900", "--screenshot=\(shot)", "file://\(page)"])
        let stats = try pngStats(shot)
        #expect((stats["width"] as? Int) == 1400)
        #expect(ink(stats) > 0.02 && colours(stats) > 3, "\(stats)")
    }

    func pngStats(_ path: String) throws -> [String: Any] {
        let r = try sh("/usr/bin/env", ["python3", Self.pngStats, path])
        #expect(r.status == 0, "\(r.err)")
        return try jsonObject(r.out)
    }
    func ink(_ s: [String: Any]) -> Double { ((s["all"] as? [String: Any])?["ink"] as? Double) ?? 0 }
    func colours(_ s: [String: Any]) -> Int { ((s["all"] as? [String: Any])?["colours"] as? Int) ?? 0 }

    /// Each chart alone, as PNG (--format png): data drawn in colour, not only an empty frame.
    @Test(.enabled(if: chromium != nil, "headless Chromium (Debian's chromium package) is not installed"),
          arguments: jobKinds)
    func noChartIsBlank(kind: String) throws {
        let png = makeTempDir() + "/\(kind).png"
        let r = try plot([Self.report, "--format", "png", "--chart", kind, "--job", "disk", "-o", png])
        #expect(r.status == 0, "\(r.err)")
        let stats = try pngStats(png)
        #expect((stats["width"] as? Int) == 640 && (stats["height"] as? Int) == 320)
        #expect(ink(stats) > 0.01, "\(kind): \(stats)")
        #expect(colours(stats) >= 1, "\(kind): no data drawn: \(stats)")
    }

    @Test func oneChartAsSVG() throws {
        let r = try plot([Self.report, "--format", "svg", "--chart", "percentiles"])
        #expect(r.status == 0)
        #expect(r.out.hasPrefix("<svg") && r.out.contains("data-chart=\"percentiles\"") && r.out.contains("<polyline"))
        let none = try plot([Self.report, "--format", "svg", "--chart", "pie"])
        #expect(none.status == 1 && none.err.contains("no chart matches --chart pie"), "\(none.err)")
    }

    /// Several reports: the same job side by side, and baseline ratios when the reports have them.
    @Test func severalReportsAreComparedJobByJob() throws {
        let dir = makeTempDir()
        let other = dir + "/other.json"
        try Data(count: 16 << 20).write(to: URL(fileURLWithPath: dir + "/f"))
        let baseline = try baselineFile(dir)
        _ = try runSwio(["--output-format=json", "--output=\(other)", "--baseline=\(baseline)",
                         "--name=disk", "--ioengine=psync", "--rw=randrw", "--size=16m", "--filename=\(dir)/f"])
        let r = try plot([Self.report, other])
        #expect(r.status == 0, "\(r.err)")
        let drawn = kinds(r.out)
        for k in ["compare-bandwidth", "compare-iops", "compare-percentiles", "baseline"] { #expect(drawn.contains(k), "\(k): \(drawn)") }
        #expect(r.out.contains("Comparison: disk (group 0)"))
    }

    /// A saved disk baseline for the test file, so --baseline needs no device.
    func baselineFile(_ dir: String) throws -> String {
        let path = dir + "/baseline.json"
        let r = try runSwio(["baseline", "-t", "--output-format=json", "--output=\(path)", dir + "/f"])
        try #require(r.status == 0, "\(r.err)")
        return path
    }

    /// fio's JSON, without samples: what can be drawn is, and what cannot is said.
    @Test func fioJSONWithoutSamplesDrawsWhatItCan() throws {
        let r = try plot([packageRoot + "/Tests/fixtures/compare/fio-json-1.json"])
        #expect(r.status == 0, "\(r.err)")
        let drawn = kinds(r.out)
        #expect(drawn.contains("percentiles") && drawn.contains("histogram") && drawn.contains("depth"), "\(drawn)")
        #expect(!drawn.contains("bandwidth"))
        #expect(r.err.contains("no bandwidth or IOPS over time"), "\(r.err)")
        #expect(r.out.contains("Not drawn, or drawn from less"))
    }

    /// A job named like markup is text on the page, never markup.
    @Test func jobNamesAreEscaped() throws {
        let dir = makeTempDir()
        let report = dir + "/evil.json"
        let job = dir + "/evil.fio"
        try "[<script>alert(1)</script>]\nioengine=null\nsize=1m\n".write(toFile: job, atomically: true, encoding: .utf8)
        let run = try runSwio(["--output-format=json", "--output=\(report)", job])
        try #require(run.status == 0, "\(run.err)")
        let r = try plot([report])
        #expect(r.status == 0)
        #expect(!r.out.lowercased().contains("<script"))
        #expect(r.out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test(arguments: [
        ([], "give one or more JSON reports"),
        (["/nonexistent/r.json"], "/nonexistent/r.json: cannot read it"),
        (["--format", "gif", "x.json"], "--format gif"),
    ])
    func badInputIsAClearError(args: [String], message: String) throws {
        let r = try plot(args)
        #expect(r.status == 1)
        #expect(r.err.contains(message), "\(r.err)")
        #expect(r.out.isEmpty)
    }

    @Test func aFileWithoutAReportIsAClearError() throws {
        let path = makeTempDir() + "/notes.txt"
        try "no JSON here\n".write(toFile: path, atomically: true, encoding: .utf8)
        let r = try plot([path])
        #expect(r.status == 1 && r.err.contains("no swio or fio JSON report in it"), "\(r.err)")
    }

    /// fio's own tools/fio_jsonplus_clat2csv reads swio's json+: its last row per job counts
    /// every read I/O of the report.
    @Test(.enabled(if: which("fio_jsonplus_clat2csv") != nil, "fio_jsonplus_clat2csv (Debian's fio package) is not installed"))
    func fiosJsonplusConverterReadsSwiosJsonPlus() throws {
        let dir = makeTempDir()
        let r = try sh(which("fio_jsonplus_clat2csv")!, [Self.report, dir + "/out.csv"], cwd: dir)
        #expect(r.status == 0, "\(r.err)")
        let report = try jsonObject(String(contentsOfFile: Self.report, encoding: .utf8))
        let jobs = try #require(report["jobs"] as? [[String: Any]])
        for (i, job) in jobs.enumerated() {
            let csv = try String(contentsOfFile: "\(dir)/out_job\(i).csv", encoding: .utf8)
            let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
            let header = rows[0]
            let column = try #require(header.firstIndex(of: "read_clat_ns_cumulative"))
            let cumulative = rows.dropFirst().compactMap { Int($0[column]) }.max()
            #expect(cumulative == (job["read"] as? [String: Any])?["total_ios"] as? Int, "job \(i)")
        }
    }

    @Test func percentileTicksAndUnitsReadAsPeopleWriteThem() {
        #expect(Units.duration(250) == "250ns" && Units.duration(1500) == "1.5us" && Units.duration(2e6) == "2ms")
        #expect(Units.short(1500) == "1.5k" && Units.short(0.25) == "0.25")
        #expect(Units.percentile(99.9) == "99.9" && Units.percentile(0) == "0")
        #expect(SVGChart.escape("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
    }
}
