import Testing
import Foundation

/// `swio compare` as CI runs it: the binary, its exit codes, its formats, and docs/ci.md's steps.
@Suite(.serialized) struct CompareCLITests {
    static let fixtures = packageRoot + "/Tests/fixtures/compare"

    /// A copy of a fixture report with read/write IOPS and bandwidth scaled, or one job's
    /// error set, or a job removed: a change injected into what the tools really wrote.
    func variant(_ fixture: String, scale: Double = 1, p99: Double = 1, error: Int? = nil, dropLast: Bool = false) throws -> String {
        var text = try String(contentsOfFile: Self.fixtures + "/" + fixture, encoding: .utf8)
        if let i = text.firstIndex(of: "{") { text = String(text[i...]) }
        var j = try jsonObject(text)
        var jobs = j["jobs"] as! [[String: Any]]
        for k in jobs.indices {
            for d in ["read", "write"] {
                guard var dir = jobs[k][d] as? [String: Any] else { continue }
                for key in ["iops", "bw_bytes", "bw"] { if let v = dir[key] as? NSNumber { dir[key] = v.doubleValue * scale } }
                if var clat = dir["clat_ns"] as? [String: Any], var pct = clat["percentile"] as? [String: Any], let v = pct["99.000000"] as? NSNumber {
                    pct["99.000000"] = v.doubleValue * p99
                    clat["percentile"] = pct
                    dir["clat_ns"] = clat
                }
                jobs[k][d] = dir
            }
        }
        if let e = error { jobs[0]["error"] = e }
        if dropLast { jobs.removeLast() }
        j["jobs"] = jobs
        let out = makeTempDir() + "/" + fixture
        try JSONSerialization.data(withJSONObject: j).write(to: URL(fileURLWithPath: out))
        return out
    }

    @Test func exitCodesFollowTheContract() throws {
        let base = Self.fixtures + "/fio-json-1.json"
        func status(_ args: [String]) throws -> Int32 { try runSwio(["compare"] + args).status }
        #expect(try status([base, base]) == 0)
        #expect(try status([base, try variant("fio-json-1.json", scale: 0.9)]) == 2)
        #expect(try status([base, try variant("fio-json-1.json", p99: 1.25)]) == 2)
        #expect(try status([base, try variant("fio-json-1.json", p99: 1.2), "--threshold", "clat.p99=10%"]) == 2)
        #expect(try status([base, try variant("fio-json-1.json", scale: 0.97)]) == 0)
        #expect(try status([base, try variant("fio-json-1.json", scale: 0.97), "--threshold", "iops=2%"]) == 2)
        #expect(try status([base, try variant("fio-json-1.json", error: 5)]) == 3)
        #expect(try status([base, try variant("fio-json-1.json", dropLast: true)]) == 5)
        #expect(try status([base, try variant("fio-json-1.json", scale: 1.3)]) == 0)
        #expect(try status([base, try variant("fio-json-1.json", scale: 1.3), "--fail-on-improvement"]) == 4)
        // Five runs a side from swio run --repeat, against themselves.
        #expect(try status([Self.fixtures + "/swio-base.json", Self.fixtures + "/swio-base.json"]) == 0)
    }

    @Test func badInputIsExitOneWithAReason() throws {
        let base = Self.fixtures + "/fio-json-1.json"
        let dir = makeTempDir()
        let truncated = dir + "/t.json"
        let full = try String(contentsOfFile: base, encoding: .utf8)
        try String(full.prefix(400)).write(toFile: truncated, atomically: true, encoding: .utf8)
        try "iops = 3%\n[randrw]\nread.clat.p98 = 1ms\n".write(toFile: dir + "/th.txt", atomically: true, encoding: .utf8)
        for (args, words) in [([base, truncated], "cut short"), ([base, Self.fixtures + "/fio-text-before.json"], "no job in common"),
                              ([base, base, "--threshold", "iop=3%"], "did you mean 'iops'"),
                              ([base, base, "--thresholds", dir + "/th.txt"], "th.txt:3: unknown metric 'read.clat.p98'"),
                              ([base, dir + "/none.json"], "no such file"), ([base, base, "--format", "xml"], "is not table")] {
            let r = try runSwio(["compare"] + args)
            #expect(r.status == 1 && r.out.isEmpty && r.err.contains(words), "\(args): \(r.err)")
        }
    }

    @Test func everyFormatWrites() throws {
        let base = Self.fixtures + "/fio-json-1.json", slower = try variant("fio-json-1.json", scale: 0.8)
        let table = try runSwio(["compare", base, slower])
        #expect(table.status == 2 && table.out.contains("read.iops") && table.out.contains("regression") && !table.out.contains("\u{1b}["))
        let md = try runSwio(["compare", base, slower, "--format", "markdown"])
        #expect(md.out.hasPrefix("### swio compare: **regression**") && md.out.contains("| job | metric |"))
        let json = try jsonObject(try runSwio(["compare", base, slower, "--format", "json"]).out)
        #expect(json["exit_code"] as? Int == 2)
        let junit = try runSwio(["compare", base, slower, "--format", "junit"]).out
        #expect(junit.hasPrefix("<?xml") && junit.contains("<failure message=\"regression:"))
    }

    /// swio run --repeat N: N complete reports in one output, each tagged, each a sample.
    @Test func runRepeatWritesOneReportPerRepetition() throws {
        let r = try runSwio(["--output-format=json", "--repeat", "3", "--name=n", "--ioengine=null", "--size=4m"])
        #expect(r.status == 0)
        let docs = try r.documents()
        #expect(docs.count == 3)
        #expect(docs.map { $0["swio repetition"] as? Int } == [1, 2, 3])
        #expect(try runSwio(["--repeat", "0", "--name=n", "--ioengine=null", "--size=4m"]).status == 1)
    }

    /// docs/ci.md's steps, as both pipelines run them: the first run becomes the baseline, an
    /// unchanged run passes, a slower one fails with the markdown summary and JUnit written.
    @Test func theCIStepsInTheDocsWork() throws {
        let doc = try String(contentsOfFile: packageRoot + "/docs/ci.md", encoding: .utf8)
        let begin = try #require(doc.range(of: "<!-- ci-steps: begin -->")), end = try #require(doc.range(of: "<!-- ci-steps: end -->"))
        var script = String(doc[begin.upperBound..<end.lowerBound])
        script = script.replacingOccurrences(of: "```sh", with: "").replacingOccurrences(of: "```", with: "")
        let dir = makeTempDir()
        try script.write(toFile: dir + "/ci-steps.sh", atomically: true, encoding: .utf8)
        // Rate-capped jobs: their IOPS are what the cap says, so only a real change moves them.
        func job(_ iops: Int) throws {
            try "[global]\nioengine=null\nsize=1g\ntime_based\nruntime=400ms\n[capped]\nrw=randread\nrate_iops=\(iops)\n"
                .write(toFile: dir + "/job.fio", atomically: true, encoding: .utf8)
        }
        try "bw = 5%\niops = 5%\nmean = off\np50 = off\np99 = off\np99.9 = off\ncpu_per_io = off\n"
            .write(toFile: dir + "/thresholds.txt", atomically: true, encoding: .utf8)
        func run() throws -> (status: Int32, out: String) {
            let env = "SWIO=\(swioBinary) JOBS=\(dir)/job.fio BASELINE=\(dir)/baseline OUT=\(dir)/out THRESHOLDS=\(dir)/thresholds.txt"
            let r = try sh("/bin/bash", ["-c", "\(env) bash \(dir)/ci-steps.sh"])
            return (r.status, r.out)
        }
        try job(2000)
        let first = try run()
        #expect(first.status == 0 && first.out.contains("this run is the baseline"))
        #expect(FileManager.default.fileExists(atPath: dir + "/baseline/baseline.json"))
        let same = try run()
        #expect(same.status == 0, "\(same.out)")
        #expect(same.out.contains("### swio compare: no regression"))
        try job(1000)
        let slower = try run()
        #expect(slower.status == 2, "\(slower.out)")
        #expect(slower.out.contains("**regression**") && slower.out.contains("read.iops"))
        let junit = try String(contentsOfFile: dir + "/out/compare.xml", encoding: .utf8)
        #expect(junit.contains("<failure message=\"regression:"))
    }
}
