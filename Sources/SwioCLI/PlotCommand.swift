import ArgumentParser
import Foundation
import SwioCore
import SwioPlot

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw swio's or fio's JSON reports: one self-contained HTML page, or one chart as SVG or PNG.",
        discussion: """
        Per job: bandwidth and IOPS over time, latency percentiles, the latency histogram (json+),
        I/O depth and CPU; with several reports, the same job side by side and its baseline ratios.
        Examples:
          swio plot run.json -o report.html
          swio plot before.json after.json -o compare.html
          swio plot run.json --format svg --chart percentiles -o p.svg
        """)

    @Argument(help: "JSON reports (swio run --output-format=json or json+, or fio's).")
    var reports: [String] = []

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write here instead of stdout.")
    var output: String?

    @Option(help: "html (every chart), svg or png (one chart; png needs headless Chromium).")
    var format = "html"

    @Option(help: "With svg or png: which chart (bandwidth, iops, percentiles, histogram, depth, cpu, jobs-bandwidth, compare-bandwidth, ...); the first one by default.")
    var chart: String?

    @Option(help: "With svg or png: the chart of the job whose section contains this text.")
    var job: String?

    func run() throws {
        runReporting {
            guard !reports.isEmpty else { throw UserError("swio plot: give one or more JSON reports (see swio plot --help)") }
            guard ["html", "svg", "png"].contains(format) else { throw UserError("--format \(format): expected html, svg or png") }
            let destination = try ReportDestination(output)
            let data: [ReportData]
            do { data = try PlotInput.read(reports) } catch let e as PlotInputError { throw UserError(e.description) }
            let plot = PlotReport(data)
            for n in plot.notes { writeStderr("swio plot: note: \(n)") }
            if format == "html" {
                try destination.write(plot.html())
                return 0
            }
            let candidates = plot.charts.filter { c in (chart == nil || c.kind == chart) && (job == nil || c.section.contains(job!)) }
            guard let picked = candidates.first else {
                let kinds = Array(Set(plot.charts.map(\.kind))).sorted().joined(separator: ", ")
                throw UserError("no chart matches\(chart.map { " --chart \($0)" } ?? "")\(job.map { " --job \($0)" } ?? "") (charts drawn: \(kinds.isEmpty ? "none" : kinds))")
            }
            if format == "svg" {
                try destination.write(picked.svg + "\n")
            } else {
                guard let output else { throw UserError("--format png needs -o FILE") }
                try ChromiumScreenshot.png(svg: picked.svg, width: Int(SVGChart.width), height: Int(SVGChart.height), to: output)
            }
            return 0
        }
    }
}

/// A PNG of an SVG, drawn by headless Chromium (the only rasteriser swio relies on).
enum ChromiumScreenshot {
    static func binary() -> String? {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for dir in ["/usr/bin", "/usr/local/bin", "/snap/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }

    static func png(svg: String, width: Int, height: Int, to path: String) throws {
        guard let chromium = binary() else {
            throw UserError("--format png needs headless Chromium (apt-get install chromium); --format svg needs nothing")
        }
        let dir = NSTemporaryDirectory() + "swio-plot-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let page = dir + "/chart.html"
        try ("<!DOCTYPE html><html><body style=\"margin:0\">" + svg + "</body></html>").write(toFile: page, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(dir)/profile",
                       "--window-size=\(width),\(height)", "--screenshot=\(path)", "file://\(page)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0, FileManager.default.fileExists(atPath: path) else {
            throw UserError("--format png: Chromium failed (exit \(p.terminationStatus)) drawing \(path)")
        }
    }
}
