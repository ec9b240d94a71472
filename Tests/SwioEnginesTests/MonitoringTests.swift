import Testing
import Foundation
@testable import SwioCore
@testable import SwioMetrics

/// What a run says while it runs and what monitoring systems read: fio's --status-interval,
/// --eta options, several output formats, --bandwidth-log, OpenMetrics and --metrics-listen.
@Suite(.serialized) struct MonitoringTests {
    static let promtool = which("promtool")

    func ios(_ doc: [String: Any]) -> Int {
        (((doc["jobs"] as? [[String: Any]])?.first?["read"] as? [String: Any])?["total_ios"] as? Int) ?? -1
    }

    /// Each status report is a complete JSON document, read one by one, and they grow; the
    /// final report comes last and covers the whole run.
    @Test func statusIntervalWritesCompleteReportsWhileTheJobRuns() throws {
        let r = try runSwio(["--output-format=json", "--status-interval=500ms", "--name=s", "--ioengine=null", "--size=1g",
                             "--time_based", "--runtime=2"])
        #expect(r.status == 0, "\(r.err)")
        let docs = try r.documents()
        #expect(docs.count >= 4, "\(docs.count) reports")
        let counts = docs.map(ios)
        #expect(counts.allSatisfy { $0 >= 0 } && counts == counts.sorted(), "\(counts)")
        #expect(((docs.last?["jobs"] as? [[String: Any]])?.first?["job_runtime"] as? Int ?? 0) >= 1900)
    }

    /// Across stonewalled groups, and after Ctrl-C: the status reports keep coming and the final
    /// report still does.
    @Test func statusIntervalSpansGroupsAndAnInterruptStillEndsInAReport() throws {
        let r = try runSwio(["--output-format=json", "--status-interval=300ms",
                             "--name=first", "--ioengine=null", "--size=1g", "--time_based", "--runtime=1",
                             "--name=second", "--ioengine=null", "--size=1g", "--time_based", "--runtime=10", "--stonewall"]) { pid in
            usleep(2_500_000)
            kill(pid, SIGINT)
        }
        #expect(r.status == 128 + SIGINT)
        let docs = try r.documents()
        #expect(docs.count >= 5, "\(docs.count) reports")
        let second = docs.compactMap { (($0["jobs"] as? [[String: Any]])?.last?["read"] as? [String: Any])?["total_ios"] as? Int }
        // Status reports from the second group's run, not only the first's.
        #expect(second.filter { $0 > 0 }.count >= 2, "\(second)")
        #expect((second.last ?? 0) > 0)
    }

    @Test func severalFormatsAndAppendTerseAllArrive() throws {
        let r = try runSwio(["--output-format=json,normal", "--append-terse", "--name=m", "--ioengine=null", "--size=4m"])
        #expect(r.status == 0)
        #expect(try r.documents().count == 1)
        #expect(r.out.contains("Run status group 0 (all jobs):"))
        #expect(r.out.split(separator: "\n").contains { $0.hasPrefix("3;swio-") && $0.contains(";m;") })
    }

    @Test func etaOptionsDrawLinesOnStderrOnly() throws {
        let r = try runSwio(["--output-format=json", "--eta=always", "--eta-interval=250ms", "--eta-newline=250ms",
                             "--name=e", "--ioengine=null", "--size=1g", "--time_based", "--runtime=2"])
        #expect(r.status == 0)
        #expect(try r.documents().count == 1)
        let lines = r.err.split(separator: "\n").filter { $0.contains("Jobs: 1 (f=1)") }
        #expect(lines.count >= 3, "\(r.err)")
        #expect(!r.out.contains("Jobs:"))
    }

    @Test(arguments: [
        (["--eta=sometimes"], "--eta=sometimes"),
        (["--eta-interval=0"], "--eta-interval=0"),
        (["--status-interval=soon"], "--status-interval=soon"),
        (["--status-interval=0"], "--status-interval=0"),
        (["--output-format=prometheus"], "'prometheus' is not one of"),
        (["--metrics-listen=nonsense"], "--metrics-listen nonsense"),
        (["--metrics-listen=localhost:9464"], "not a numeric"),
    ])
    func badMonitoringOptionsAreClearErrors(args: [String], message: String) throws {
        let r = try runSwio(args + ["--name=x", "--ioengine=null", "--size=1m"])
        #expect(r.status == 1)
        #expect(r.err.contains(message), "\(r.err)")
        #expect(r.out.isEmpty)
    }

    /// fio's agg-{read,write,trim}_bw.log: "msec, KiB/s, direction, 0, 0" every bwavgtime.
    @Test func bandwidthLogWritesTheAggregateLogs() throws {
        let dir = makeTempDir()
        let r = try sh(swioBinary, ["--output-format=json", "--bandwidth-log", "--name=b", "--ioengine=null", "--rw=randrw",
                                    "--size=1g", "--time_based", "--runtime=2"], cwd: dir)
        #expect(r.status == 0, "\(r.err)")
        for (d, name) in ["read", "write", "trim"].enumerated() {
            let text = try String(contentsOfFile: "\(dir)/agg-\(name)_bw.log", encoding: .utf8)
            let rows = text.split(separator: "\n").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            #expect(rows.count >= 3, "\(name): \(rows.count) rows")
            #expect(rows.allSatisfy { $0.count == 5 && $0[2] == String(d) && $0[3] == "0" && $0[4] == "0" })
            let times = rows.compactMap { Int($0[0]) }
            #expect(times == times.sorted() && times.count == rows.count)
            let rates = rows.compactMap { Int($0[1]) }
            #expect(name == "trim" ? rates.allSatisfy { $0 == 0 } : rates.dropFirst().allSatisfy { $0 > 0 }, "\(name): \(rates)")
        }
    }

    // MARK: OpenMetrics

    func checkWithPromtool(_ text: String) throws -> (status: Int32, out: String) {
        let path = makeTempDir() + "/metrics.prom"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try sh("/bin/sh", ["-c", "\(Self.promtool!) check metrics < \(path) 2>&1"])
        return (r.status, r.out)
    }

    /// The final report as Prometheus text: promtool accepts it (lint included), the histogram
    /// counts every I/O, and numjobs copies are told apart.
    @Test(.enabled(if: promtool != nil, "promtool (Debian's prometheus package) is not installed"))
    func openMetricsOutputPassesPromtoolAndCountsEveryIO() throws {
        let r = try runSwio(["--output-format=openmetrics", "--name=om", "--ioengine=null", "--rw=randrw", "--size=8m", "--numjobs=2"])
        #expect(r.status == 0, "\(r.err)")
        let check = try checkWithPromtool(r.out)
        #expect(check.status == 0 && check.out.isEmpty, "\(check.out)")
        #expect(r.out.hasSuffix("# EOF\n"))
        func value(_ prefix: String) -> Int? {
            r.out.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.split(separator: " ").last!) }
        }
        for clone in ["0", "1"] {
            let labels = "{job=\"om\",group=\"0\",clone=\"\(clone)\",engine=\"null\",direction=\"read\""
            let ios = try #require(value("swio_ios_total" + labels))
            #expect(ios > 0)
            #expect(value("swio_completion_latency_seconds_count" + labels) == ios)
            #expect(value("swio_completion_latency_seconds_bucket" + labels + ",le=\"+Inf\"}") == ios)
        }
    }

    /// Label values are escaped: a job name with a quote, a backslash or markup stays a value.
    @Test(.enabled(if: promtool != nil, "promtool (Debian's prometheus package) is not installed"))
    func openMetricsEscapesJobNames() throws {
        let (_, report) = try runJobs("[a\"b\\c<script>]\nioengine=null\nsize=1m\n")
        let text = OpenMetricsReport.render(report)
        #expect(text.contains("job=\"a\\\"b\\\\c<script>\""))
        let check = try checkWithPromtool(text)
        #expect(check.status == 0, "\(check.out)")
    }

    /// docs/grafana-dashboard.json: valid JSON, each query valid PromQL (promtool parses it as a
    /// recording rule) over metric families a run with a baseline writes.
    @Test(.enabled(if: promtool != nil, "promtool (Debian's prometheus package) is not installed"))
    func theGrafanaDashboardQueriesWhatSwioWrites() throws {
        let text = try String(contentsOfFile: packageRoot + "/docs/grafana-dashboard.json", encoding: .utf8)
        let dashboard = try jsonObject(text)
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let exprs = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(exprs.count >= 8)
        let dir = makeTempDir()
        var rules = "groups:\n  - name: dashboard\n    rules:\n"
        for (i, e) in exprs.enumerated() {
            let promql = e.replacingOccurrences(of: "$__rate_interval", with: "1m").replacingOccurrences(of: "$job", with: ".*")
            rules += "      - record: swio:dashboard_\(i)\n        expr: '\(promql.replacingOccurrences(of: "'", with: "''"))'\n"
        }
        try rules.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        let check = try sh(Self.promtool!, ["check", "rules", dir + "/rules.yml"])
        #expect(check.status == 0, "\(check.out)\(check.err)")
        // The families a run writes, baseline included.
        try Data(count: 8 << 20).write(to: URL(fileURLWithPath: dir + "/f"))
        let base = try runSwio(["baseline", "-t", "--output-format=json", "--output=\(dir)/b.json", dir + "/f"])
        try #require(base.status == 0, "\(base.err)")
        let r = try runSwio(["--output-format=openmetrics", "--baseline=\(dir)/b.json", "--name=g", "--rw=randrw", "--size=8m", "--filename=\(dir)/f"])
        #expect(r.status == 0, "\(r.err)")
        let families = Set(r.out.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
        for e in exprs {
            for name in e.matches(of: /swio_[a-z_]+/).map({ String($0.output) }) {
                let family = name.hasSuffix("_bucket") ? String(name.dropLast(7)) : name
                #expect(families.contains(family), "\(name) in \(e)")
            }
        }
    }

    @Test func latencyBucketBoundsAreExactDecimals() {
        #expect(OpenMetricsReport.seconds(250) == "0.00000025")
        #expect(OpenMetricsReport.seconds(1_000_000) == "0.001")
        #expect(OpenMetricsReport.seconds(2_000_000_000) == "2")
        #expect(OpenMetricsReport.latencyBucketsNs == OpenMetricsReport.latencyBucketsNs.sorted())
    }

    // MARK: --metrics-listen

    /// An HTTP GET on loopback, by hand (a scraper's request); returns the status code and body.
    func get(_ port: Int, _ path: String, host: String = "127.0.0.1") throws -> (status: String, body: String) {
        let v6 = host.contains(":")
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var connected: Int32 = -1
        if v6 {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, host, &a.sin6_addr)
            connected = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = UInt16(port).bigEndian
            inet_pton(AF_INET, host, &a.sin_addr)
            connected = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        try #require(connected == 0, "connect: \(String(cString: strerror(errno)))")
        let request = Array("GET \(path) HTTP/1.1\r\nHost: swio\r\nAccept: text/plain\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buf[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let status = parts[0].split(separator: " ").dropFirst().first.map(String.init) ?? ""
        return (status, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    @Test func theServerAnswersScrapesAndOnlyThem() throws {
        let server = try MetricsServer(listen: "127.0.0.1:0")
        server.start()
        defer { server.stop() }
        server.publish("swio_x 1\n# EOF\n")
        #expect(try get(server.port, "/metrics") == (status: "200", body: "swio_x 1\n# EOF\n"))
        server.publish("swio_x 2\n# EOF\n")
        #expect(try get(server.port, "/metrics").body == "swio_x 2\n# EOF\n")
        #expect(try get(server.port, "/").status == "404")
    }

    @Test func theServerListensOnIPv6Loopback() throws {
        let server = try MetricsServer(listen: "[::1]:0")
        server.start()
        defer { server.stop() }
        #expect(try get(server.port, "/metrics", host: "[::1]").status == "200")
    }

    @Test func aPortInUseIsAClearErrorBeforeAnyJobRuns() throws {
        let server = try MetricsServer(listen: "127.0.0.1:0")
        defer { server.stop() }
        server.start()
        let dir = makeTempDir()
        let r = try runSwio(["--metrics-listen=127.0.0.1:\(server.port)", "--name=x", "--rw=write", "--size=1m", "--filename=\(dir)/f"])
        #expect(r.status == 1)
        #expect(r.err.contains("Address already in use"), "\(r.err)")
        #expect(fileSize(dir + "/f") == nil)
    }

    /// A scrape during the run sees live values that grow, valid for promtool.
    @Test(.timeLimit(.minutes(1)))
    func aRunServesLiveMetrics() throws {
        // The kernel picks a free port; swio says which on stderr.
        let dir = makeTempDir()
        _ = FileManager.default.createFile(atPath: dir + "/err", contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: swioBinary)
        p.arguments = ["--output-format=json", "--output=\(dir)/report.json", "--metrics-listen=127.0.0.1:0",
                       "--name=live", "--ioengine=null", "--size=1g", "--time_based", "--runtime=4"]
        p.standardError = FileHandle(forWritingAtPath: dir + "/err")
        try p.run()
        defer { p.waitUntilExit() }
        var port = 0
        for _ in 0..<100 where port == 0 {
            usleep(50_000)
            let err = (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? ""
            if let r = err.range(of: "127.0.0.1:"), let end = err[r.upperBound...].firstIndex(of: "/") { port = Int(err[r.upperBound..<end]) ?? 0 }
        }
        try #require(port > 0)
        func ios(_ text: String) -> Int {
            text.split(separator: "\n").first { $0.hasPrefix("swio_ios_total{job=\"live\"") }.flatMap { Int($0.split(separator: " ").last!) } ?? 0
        }
        usleep(1_500_000)
        let first = try get(port, "/metrics")
        usleep(1_200_000)
        let second = try get(port, "/metrics")
        #expect(first.status == "200" && second.status == "200")
        #expect(ios(first.body) > 0 && ios(second.body) > ios(first.body), "\(ios(first.body)) then \(ios(second.body))")
        if Self.promtool != nil {
            let check = try checkWithPromtool(second.body)
            #expect(check.status == 0, "\(check.out)")
        }
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }
}
