import Testing
import Foundation
@testable import SwioCore
import SwioEngines

/// Runs the same small job through swio and Debian's fio 3.33 and compares the JSON shapes.
@Suite(.serialized) struct FioComparisonTests {
    /// Key paths of a JSON value; numbers inside "percentile"/"bins" maps are summarised.
    func keyPaths(_ v: Any, _ prefix: String = "") -> Set<String> {
        var out = Set<String>()
        if let d = v as? [String: Any] {
            for (k, sub) in d {
                // Percentile keys depend on the list; compare their presence, not every key.
                if prefix.hasSuffix("percentile") || prefix.hasSuffix("bins") { out.insert(prefix + "/*"); continue }
                let p = prefix + "/" + k
                out.insert(p)
                out.formUnion(keyPaths(sub, p))
            }
        } else if let a = v as? [Any] {
            for sub in a { out.formUnion(keyPaths(sub, prefix + "[]")) }
        }
        return out
    }

    /// log_avg_msec logs have fio 3.33's shape: the same windows (a rate window the run ended
    /// in is not written; a latency log's last window is stamped with the run's end), block-size
    /// column 0, and the same rates for a rate-limited job.
    @Test(.enabled(if: which("fio") != nil, "needs fio (apt-get install fio)"))
    func averagedLogsMatchFio() throws {
        let fio = try #require(which("fio"))
        let dir = makeTempDir()
        // The data in /dev/shm: on the root filesystem the VM drops the page cache, and a read
        // that goes to the device under a loaded machine put one tool behind its rate (1800
        // IOPS against 2000 in a window) while the other kept up.
        let data = "/dev/shm/swio-avglogs-\(getpid()).dat"
        defer { unlink(data) }
        _ = try sh(fio, ["--name=lay", "--filename=\(data)", "--size=16m", "--rw=write", "--bs=1m"])
        func logs(_ tool: String, _ prefix: String) throws -> [String: [[Int]]] {
            let r = try sh(tool, ["--name=l", "--ioengine=psync", "--rw=randread", "--bs=4k", "--size=16m",
                                  "--filename=\(data)", "--time_based", "--runtime=1200ms", "--rate_iops=2000",
                                  "--log_avg_msec=500", "--write_iops_log=\(dir)/\(prefix)", "--write_bw_log=\(dir)/\(prefix)",
                                  "--write_lat_log=\(dir)/\(prefix)", "--output-format=json"])
            #expect(r.status == 0, "\(tool): \(r.err)")
            var out: [String: [[Int]]] = [:]
            for kind in ["iops", "bw", "clat"] {
                let text = try String(contentsOfFile: "\(dir)/\(prefix)_\(kind).1.log", encoding: .utf8)
                out[kind] = text.split(separator: "\n").map { $0.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces))! } }
            }
            return out
        }
        let f = try logs(fio, "f"), s = try logs(swioBinary, "s")
        for kind in ["iops", "bw", "clat"] {
            let fr = f[kind]!, sr = s[kind]!
            #expect(fr.count == sr.count, "\(kind): fio \(fr) swio \(sr)")
            for (a, b) in zip(fr, sr) {
                #expect(abs(a[0] - b[0]) <= 20, "\(kind) time: fio \(a) swio \(b)")
                #expect(a[2...] == b[2...], "\(kind) ddir/bs/prio: fio \(a) swio \(b)")
                if kind != "clat" { #expect(abs(a[1] - b[1]) * 20 <= a[1], "\(kind) rate: fio \(a) swio \(b)") }
            }
        }
    }

    @Test(.enabled(if: which("fio") != nil, "needs fio (apt-get install fio)"), arguments: ["psync", "null"])
    func jsonKeysMatchFioAtEveryLevel(engine: String) throws {
        let fio = try #require(which("fio"))
        let dir = makeTempDir()
        let job = ["--name=cmp", "--ioengine=\(engine)", "--rw=randrw", "--bs=4k", "--size=4m",
                   "--filename=\(dir)/cmp.dat", "--output-format=json"]
        let f = try sh(fio, job)
        #expect(f.status == 0, "fio failed: \(f.err)")
        let s = try sh(swioBinary, job)
        #expect(s.status == 0, "swio failed: \(s.err)")
        let fj = try jsonObject(f.out), sj = try jsonObject(s.out)
        var fioKeys = keyPaths(fj), swioKeys = keyPaths(sj)
        // swio-only data lives under one extra key per job; disk_util depends on the target.
        swioKeys = swioKeys.filter { !$0.hasPrefix("/jobs[]/swio") && !$0.hasPrefix("/disk_util") }
        fioKeys = fioKeys.filter { !$0.hasPrefix("/disk_util") }
        #expect(fioKeys.subtracting(swioKeys).sorted() == [], "keys fio has and swio lacks")
        #expect(swioKeys.subtracting(fioKeys).sorted() == [], "keys swio has and fio lacks")

        // Units agree and a size-bound job moves exactly size bytes.
        let job0 = (sj["jobs"] as! [[String: Any]])[0]
        let read = job0["read"] as! [String: Any], write = job0["write"] as! [String: Any]
        for d in [read, write] {
            let bwBytes = (d["bw_bytes"] as! NSNumber).uint64Value
            #expect((d["bw"] as! NSNumber).uint64Value == bwBytes / 1024)
            #expect((d["io_kbytes"] as! NSNumber).uint64Value == (d["io_bytes"] as! NSNumber).uint64Value / 1024)
            let clat = d["clat_ns"] as! [String: Any]
            #expect((clat["N"] as! NSNumber).uint64Value == (d["total_ios"] as! NSNumber).uint64Value)
        }
        let total = (read["io_bytes"] as! NSNumber).uint64Value + (write["io_bytes"] as! NSNumber).uint64Value
        #expect(total == 4 << 20)
        let fioRead = ((fj["jobs"] as! [[String: Any]])[0]["read"] as! [String: Any])
        let fioWrite = ((fj["jobs"] as! [[String: Any]])[0]["write"] as! [String: Any])
        #expect((fioRead["io_bytes"] as! NSNumber).uint64Value + (fioWrite["io_bytes"] as! NSNumber).uint64Value == total)
        // Percentile keys are printed the same way ("99.000000").
        let pk = Set(((read["clat_ns"] as! [String: Any])["percentile"] as! [String: Any]).keys)
        let fpk = Set(((fioRead["clat_ns"] as! [String: Any])["percentile"] as! [String: Any]).keys)
        #expect(pk == fpk)
    }

    @Test(.enabled(if: which("fio") != nil, "needs fio (apt-get install fio)"))
    func continueOnErrorAddsFiosErrorKeysInPlace() throws {
        let fio = try #require(which("fio"))
        let args = ["--name=t", "--ioengine=null", "--size=64k", "--continue_on_error=all", "--output-format=json"]
        let f = try sh(fio, args), s = try sh(swioBinary, args)
        // Key order of the job object, as both print it.
        func order(_ text: String) -> [String] {
            let jobStart = text.range(of: "\"jobname\"")!.lowerBound
            return ["\"error\"", "\"latency_ms\"", "\"total_err\"", "\"first_error\"", "\"latency_depth\""].map {
                text.distance(from: jobStart, to: text[jobStart...].range(of: $0)!.lowerBound)
            }.enumerated().sorted { $0.element < $1.element }.map { String($0.offset) }
        }
        #expect(order(s.out) == order(f.out))
        let job = (try jsonObject(s.out)["jobs"] as! [[String: Any]])[0]
        #expect((job["total_err"] as! NSNumber).intValue == 0)
    }

    @Test(.enabled(if: which("fio") != nil, "needs fio (apt-get install fio)"))
    func everyOptionFioListsIsKnown() throws {
        // Each name `fio --cmdhelp=all` prints is in swio's option table (implemented, or
        // reported as not implemented), so no fio job file meets "unknown option".
        let fio = try #require(which("fio"))
        let help = try sh(fio, ["--cmdhelp=all"])
        let names = help.out.split(separator: "\n").compactMap { line -> String? in
            let name = line.split(separator: ":", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces) ?? ""
            return name.isEmpty || name.contains(" ") ? nil : name
        }
        #expect(names.count > 150, "fio --cmdhelp=all printed \(names.count) names")
        let unknown = names.filter { OptionTable.lookup($0) == nil }
        #expect(unknown.isEmpty, "unknown to swio: \(unknown)")
        // Each alias swio knows is one fio resolves to the same option as swio's name for it.
        func fioName(_ n: String) throws -> String? {
            let out = try sh(fio, ["--cmdhelp=\(n)"]).out
            guard out.contains(":"), !out.contains("No such command") else { return nil }
            return out.split(separator: ":", maxSplits: 1).first?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        for spec in OptionTable.all {
            for alias in spec.aliases {
                let a = try fioName(alias), n = try fioName(spec.name)
                #expect(a != nil && a == n, "fio --cmdhelp=\(alias) names \(a ?? "nothing"), --cmdhelp=\(spec.name) \(n ?? "nothing")")
            }
        }
    }

    /// Each option `fio --enghelp=<engine>` lists for libaio, io_uring and pvsync2 (the others
    /// have none) is one swio knows for that engine (implemented, or reported as not implemented), so no fio job file for them
    /// meets "not an option of ioengine=...".
    @Test(.enabled(if: which("fio") != nil, "needs fio (apt-get install fio)"), arguments: ["libaio", "io_uring", "pvsync2"])
    func everyEngineOptionFioListsIsKnown(engine: String) throws {
        let fio = try #require(which("fio"))
        let help = try sh(fio, ["--enghelp=\(engine)"])
        let names = help.out.split(separator: "\n").compactMap { line -> String? in
            let name = line.split(separator: ":", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces) ?? ""
            return name.isEmpty || name.contains(" ") ? nil : name
        }
        #expect(names.count >= 4, "fio --enghelp=\(engine) printed \(names)")
        let ours = try #require(EngineRegistry.descriptor(engine))
        let missing = names.filter { ours.option($0) == nil && OptionTable.lookup($0) == nil }
        #expect(missing.isEmpty, "not options of \(engine) in swio: \(missing)")
    }

    @Test func jsonPlusAddsBins() throws {
        let s = try sh(swioBinary, ["--name=b", "--ioengine=null", "--rw=read", "--size=1m", "--output-format=json+"])
        #expect(s.status == 0)
        let j = try jsonObject(s.out)
        let clat = (((j["jobs"] as! [[String: Any]])[0]["read"] as! [String: Any])["clat_ns"] as! [String: Any])
        let bins = clat["bins"] as! [String: Any]
        let count = bins.values.reduce(UInt64(0)) { $0 + ($1 as! NSNumber).uint64Value }
        #expect(count == 256)
    }
}

@Suite(.serialized) struct CLITests {
    @Test func stdoutCarriesOnlyTheReport() throws {
        // Warnings (undefined ${VAR}) go to stderr; stdout parses as JSON.
        let dir = makeTempDir()
        let job = dir + "/w.fio"
        try "[a]\nioengine=null\nrw=read\nsize=${UNDEFINED_SWIO_VAR}1m\n".write(toFile: job, atomically: true, encoding: .utf8)
        let s = try sh(swioBinary, ["--output-format=json", job])
        #expect(s.status == 0)
        #expect(s.err.contains("UNDEFINED_SWIO_VAR"))
        _ = try jsonObject(s.out)
    }

    /// fio's note about iodepth on a synchronous engine lands on its stdout, before its JSON;
    /// swio gives it and the buffered-libaio warning on stderr, once per job name.
    @Test func engineNotesGoToStderrOncePerJob() throws {
        let dir = makeTempDir()
        let job = dir + "/n.fio"
        try "[global]\nfilename=\(dir)/f.dat\nsize=64k\n[deep-psync]\nioengine=psync\niodepth=8\nnumjobs=2\n[shallow]\nioengine=psync\n[buffered-aio]\nioengine=libaio\niodepth=4\n"
            .write(toFile: job, atomically: true, encoding: .utf8)
        let s = try sh(swioBinary, ["--output-format=json", job])
        #expect(s.status == 0)
        _ = try jsonObject(s.out)
        let lines = s.err.split(separator: "\n")
        #expect(lines.filter { $0.contains("capped at 1") } == ["swio: note: job 'deep-psync': iodepth > 1 with a synchronous engine: the queue depth is capped at 1, as in fio"])
        #expect(lines.filter { $0.contains("runs buffered I/O inside its submit call") }.count == 1)
        #expect(lines.contains { $0.hasPrefix("swio: warning: job 'buffered-aio': libaio with direct=0") })
    }

    @Test func badJobFilesExitOneWithLocatedErrors() throws {
        let dir = makeTempDir()
        let job = dir + "/bad.fio"
        try "[a]\nioengine=null\niodepht=4\n".write(toFile: job, atomically: true, encoding: .utf8)
        let s = try sh(swioBinary, ["--output-format=json", job])
        #expect(s.status == 1)
        #expect(s.out.isEmpty)
        #expect(s.err.contains("\(job):3: option 'iodepht': unknown option (did you mean 'iodepth'?)"))
        let t = try sh(swioBinary, ["--name=x", "--bs=4q"])
        #expect(t.status == 1)
        #expect(t.err.contains("<command line>: option 'bs'") && t.err.contains("not a size"))
        let u = try sh(swioBinary, ["/nonexistent/job.fio"])
        #expect(u.status == 1 && u.err.contains("cannot open job file"))
    }

    @Test func failedJobStillWritesValidJSONAndExitsNonZero() throws {
        let s = try sh(swioBinary, ["--output-format=json", "--name=x", "--filename=/dev/null/f", "--size=1m"])
        #expect(s.status == 1)
        let j = try jsonObject(s.out)
        let job0 = (j["jobs"] as! [[String: Any]])[0]
        #expect((job0["error"] as! NSNumber).intValue != 0)
        #expect(s.err.contains("/dev/null/f"))
    }

    @Test func outputFileIsWrittenAndStdoutStaysEmpty() throws {
        let dir = makeTempDir()
        let s = try sh(swioBinary, ["--output-format=json", "--output=\(dir)/r.json", "--name=x", "--ioengine=null", "--size=1m"])
        #expect(s.status == 0)
        #expect(s.out.isEmpty)
        _ = try jsonObject(try String(contentsOfFile: dir + "/r.json", encoding: .utf8))
    }

    @Test func outputFollowsSymlinksAndNeverReplacesSpecialFiles() throws {
        let dir = makeTempDir()
        let args = ["--output-format=json", "--name=x", "--ioengine=null", "--size=1m"]
        // A symlink (here dangling) keeps being a link; its target gets the report.
        #expect(symlink("target.json", dir + "/link.json") == 0)
        #expect(try sh(swioBinary, args + ["--output=\(dir)/link.json"]).status == 0)
        var st = stat()
        #expect(lstat(dir + "/link.json", &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK)
        _ = try jsonObject(try String(contentsOfFile: dir + "/target.json", encoding: .utf8))
        // A FIFO is written in place (as --output=/dev/null must be), not renamed over.
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        let reader = Thread {   // a blocking open, so swio's open for writing finds it
            let fd = open(dir + "/fifo", O_RDONLY)
            var buf = [UInt8](repeating: 0, count: 65536)
            while fd >= 0 && read(fd, &buf, buf.count) > 0 {}
            if fd >= 0 { close(fd) }
        }
        reader.start()
        #expect(try sh(swioBinary, args + ["--output=\(dir)/fifo"]).status == 0)
        #expect(stat(dir + "/fifo", &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
        #expect(access(dir + "/fifo.swio-tmp", F_OK) != 0)
    }

    @Test(.enabled(if: access("/dev/full", W_OK) == 0, "needs /dev/full"))
    func failedReportWriteIsAnError() throws {
        // /dev/full takes the open and fails the write with ENOSPC.
        let s = try sh(swioBinary, ["--output-format=json", "--output=/dev/full", "--name=x", "--ioengine=null", "--size=1m"])
        #expect(s.status != 0)
        #expect(s.err.contains("--output /dev/full") && s.err.contains("No space left"))
        var st = stat()
        #expect(stat("/dev/full", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
    }

    @Test func fioMinimalAndReadonlyFlags() throws {
        let t = try sh(swioBinary, ["--minimal", "--terse-version=3", "--name=x", "--ioengine=null", "--size=1m"])
        #expect(t.status == 0 && t.out.hasPrefix("3;swio-") && t.out.split(separator: ";").count > 120)
        #expect(try sh(swioBinary, ["--terse-version=4", "--name=x", "--ioengine=null", "--size=1m"]).status == 1)
        // A job that never started has no block in the text report (as fio), only its stderr line.
        let failed = try sh(swioBinary, ["--name=x", "--filename=/dev/null/x", "--size=1m"])
        #expect(failed.status == 1 && !failed.out.contains("(groupid=") && failed.out.contains("Run status group 0"))
        #expect(failed.err.contains("/dev/null/x"))
        let w = try sh(swioBinary, ["--readonly", "--name=x", "--ioengine=null", "--size=1m", "--rw=randwrite"])
        #expect(w.status == 1 && w.err.contains("--readonly") && w.out.isEmpty)
        #expect(try sh(swioBinary, ["--readonly", "--name=x", "--ioengine=null", "--size=1m", "--rw=read", "--output-format=json"]).status == 0)
        // A read job does not lay out (create or extend) its file under --readonly either.
        let dir = makeTempDir()
        try Data(count: 65536).write(to: URL(fileURLWithPath: dir + "/img"))
        let r = try sh(swioBinary, ["--readonly", "--name=x", "--filename=\(dir)/img", "--size=1m", "--rw=read", "--output-format=json"])
        #expect(r.status == 1 && r.err.contains("--readonly: refusing to extend"))
        var st = stat()
        #expect(stat(dir + "/img", &st) == 0 && st.st_size == 65536)
        // As fio 3.33, the job reads the file as it is, up to its end (psync: EIO there), and a
        // missing file is ENOENT and stays missing.
        let read = try #require((try jsonObject(r.out)["jobs"] as? [[String: Any]])?.first)
        #expect(read["error"] as? Int == Int(EIO) && (read["read"] as? [String: Any])?["io_bytes"] as? Int == 65536)
        let m = try sh(swioBinary, ["--readonly", "--name=x", "--filename=\(dir)/none", "--size=1m", "--rw=read", "--output-format=json"])
        let missing = try #require((try jsonObject(m.out)["jobs"] as? [[String: Any]])?.first)
        #expect(m.status == 1 && missing["error"] as? Int == Int(ENOENT))
        #expect(stat(dir + "/none", &st) != 0)
    }

    /// fio's --section=NAME (repeatable) runs only those job sections of the job files, with
    /// their [global] options; --parse-only checks the jobs and runs nothing (fio 3.33: both
    /// exit 0; a bad value exits 1).
    @Test func sectionAndParseOnly() throws {
        let dir = makeTempDir()
        let job = dir + "/s.fio"
        try "[global]\nioengine=null\nsize=1m\n[a]\nrw=read\n[b]\nrw=write\nbs=8k\n[c]\nrw=read\n".write(toFile: job, atomically: true, encoding: .utf8)
        let s = try sh(swioBinary, ["--section=b", "--section=c", job, "--output-format=json"])
        #expect(s.status == 0)
        let jobs = try jsonObject(s.out)["jobs"] as! [[String: Any]]
        #expect(jobs.map { $0["jobname"] as! String } == ["b", "c"])
        #expect((jobs[0]["write"] as! [String: Any])["io_bytes"] as? Int == 1 << 20)
        let missing = try sh(swioBinary, ["--section=bb", job])
        #expect(missing.status == 1 && missing.out.isEmpty && missing.err.contains("no job section [bb]") && missing.err.contains("did you mean 'b'"))
        let parsed = try sh(swioBinary, ["--parse-only", job])
        #expect(parsed.status == 0 && parsed.out.isEmpty)
        let bad = try sh(swioBinary, ["--parse-only", "--name=x", "--bs=4q"])
        #expect(bad.status == 1 && bad.err.contains("'4q' is not a size"))
    }

    /// fio's --showcmd prints the global options, then each section's own after its --name
    /// (fio 3.33: "fio --ioengine=null --size=1m --group_reporting --name=a --rw=read --bs=4k
    /// --name=b --rw=write --bs=8k"); --warnings-fatal makes a job-file warning an error.
    @Test func showcmdAndWarningsFatal() throws {
        let dir = makeTempDir()
        let job = dir + "/g.fio"
        try "[global]\nioengine=null\nsize=1m\ngroup_reporting\n[a]\nrw=read\nbs=4k\n[b]\nrw=write\nbs=8k\nnumjobs=2\n".write(toFile: job, atomically: true, encoding: .utf8)
        let s = try sh(swioBinary, ["--showcmd", job])
        #expect(s.status == 0)
        #expect(s.out == "swio --ioengine=null --size=1m --group_reporting --name=a --rw=read --bs=4k --name=b --rw=write --bs=8k --numjobs=2\n")
        // A [global] after a job goes with the later jobs only, as the file applies it.
        let late = dir + "/late.fio"
        try "[a]\nioengine=null\nrw=read\n[global]\nbs=8k\n[b]\nioengine=null\nrw=write\n".write(toFile: late, atomically: true, encoding: .utf8)
        #expect(try sh(swioBinary, ["--showcmd", late]).out == "swio --name=a --ioengine=null --rw=read --name=b --bs=8k --ioengine=null --rw=write\n")
        let warned = dir + "/w.fio"
        try "[w]\nioengine=null\nsize=1m\nfilename=${SWIO_TEST_UNSET_VARIABLE}x\n".write(toFile: warned, atomically: true, encoding: .utf8)
        #expect(try sh(swioBinary, ["--parse-only", warned]).status == 0)
        let fatal = try sh(swioBinary, ["--warnings-fatal", "--parse-only", warned])
        #expect(fatal.status == 1 && fatal.err.contains("SWIO_TEST_UNSET_VARIABLE") && fatal.err.contains("--warnings-fatal"))
    }

    @Test func parseCommandShowsValuesAndSources() throws {
        let dir = makeTempDir()
        let job = dir + "/p.fio"
        try "[global]\nbs=8k\n[a]\nrw=randread\nnumjobs=2\n".write(toFile: job, atomically: true, encoding: .utf8)
        let s = try sh(swioBinary, ["parse", job, "--format", "json"])
        #expect(s.status == 0)
        let j = try jsonObject(s.out)
        let jobs = j["jobs"] as! [[String: Any]]
        #expect(jobs.count == 2)
        let bs = (jobs[1]["options"] as! [String: Any])["bs"] as! [String: Any]
        #expect(bs["value"] as? String == "8k")
        #expect(bs["source"] as? String == "\(job):2")
        let text = try sh(swioBinary, ["parse", job])
        #expect(text.out.contains("rw") && text.out.contains("\(job):4"))
    }

    @Test func enginesCommandListsEnginesAndOptions() throws {
        let s = try sh(swioBinary, ["engines", "--format", "json"])
        #expect(s.status == 0)
        let engines = (try jsonObject(s.out)["engines"] as! [[String: Any]])
        let names = engines.map { $0["name"] as! String }
        #expect(names.contains("psync") && names.contains("null") && names.contains("pvsync2"))
        let pv2 = engines.first { $0["name"] as? String == "pvsync2" }!
        let pv2Options = pv2["options"] as! [[String: Any]]
        #expect(pv2Options.contains { $0["name"] as? String == "hipri" && $0["implemented"] as? Bool == true })
        // Options swio knows but does not implement say so, in JSON and in the text listing.
        #expect(pv2Options.contains { $0["name"] as? String == "hipri_percentage" && $0["implemented"] as? Bool == false })
        let text = try sh(swioBinary, ["engines"]).out
        #expect(text.contains("--hipri_percentage=100: Percentage of hipri I/Os that get RWF_HIPRI (swio takes only 100 yet)"))
        #expect(text.contains("--cmdprio_bssplit: Priority shares per block size"))
        #expect(text.contains("--hipri: Polled I/O (RWF_HIPRI)\n") && text.contains("--hipri: Polled I/O (IORING_SETUP_IOPOLL)\n"))
    }

    @Test func defaultSubcommandIsRun() throws {
        let a = try sh(swioBinary, ["run", "--name=x", "--ioengine=null", "--size=64k", "--output-format=terse"])
        let b = try sh(swioBinary, ["--name=x", "--ioengine=null", "--size=64k", "--output-format=terse"])
        #expect(a.status == 0 && b.status == 0)
        #expect(a.out.hasPrefix("3;swio-") && b.out.hasPrefix("3;swio-"))
    }
}

@Suite(.serialized) struct TerseTests {
    @Test(.enabled(if: which("fio") != nil, "needs fio (apt-get install fio)"))
    func terseHasFiosFieldCount() throws {
        let fio = try #require(which("fio"))
        // A diskless job (no disk_util fields): fio 3.33 prints 121 fields for terse v3.
        let args = ["--name=t", "--ioengine=null", "--rw=randrw", "--size=1m", "--output-format=terse"]
        let f = try sh(fio, args), s = try sh(swioBinary, args)
        let ff = f.out.trimmingCharacters(in: .newlines).split(separator: ";", omittingEmptySubsequences: false)
        let sf = s.out.trimmingCharacters(in: .newlines).split(separator: ";", omittingEmptySubsequences: false)
        #expect(sf.count == ff.count)
        // Same fields in the same places: percentile labels and the read/write KiB totals.
        #expect(sf[17] == ff[17] && sf[58] == ff[58])
        #expect(Int(sf[5])! + Int(sf[46])! == 1024)
        #expect(Int(ff[5])! + Int(ff[46])! == 1024)
    }
}

@Suite(.serialized) struct InterruptTests {
    /// Each stop signal ends the run with a complete report and the shell's status for it,
    /// 128 + the signal (SIGQUIT too: no crash backtrace, no exit 0).
    @Test(arguments: [SIGINT, SIGTERM, SIGQUIT, SIGHUP])
    func interruptedRunStillWritesACompleteReport(signal: Int32) throws {
        let dir = makeTempDir()
        #expect(FileManager.default.createFile(atPath: dir + "/out", contents: nil))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: swioBinary)
        p.arguments = ["--output-format=json", "--name=a", "--ioengine=null", "--size=1g", "--time_based", "--runtime=60",
                       "--name=b", "--ioengine=null", "--size=1g", "--time_based", "--runtime=60", "--stonewall"]
        p.standardOutput = FileHandle(forWritingAtPath: dir + "/out")
        #expect(FileManager.default.createFile(atPath: dir + "/err", contents: nil))
        p.standardError = FileHandle(forWritingAtPath: dir + "/err")
        try p.run()
        usleep(700_000)
        kill(p.processIdentifier, signal)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 128 + signal)
        let err = try String(contentsOfFile: dir + "/err", encoding: .utf8)
        #expect(err.contains("the report covers what ran") && !err.contains("crashed"))
        let j = try jsonObject(try String(contentsOfFile: dir + "/out", encoding: .utf8))
        let jobs = j["jobs"] as! [[String: Any]]
        // Both jobs are in the report; the first ran and stopped early, the second never started.
        #expect(jobs.count == 2)
        let runtime = (jobs[0]["job_runtime"] as! NSNumber).intValue
        #expect(runtime > 0 && runtime < 10_000)
        #expect(((jobs[0]["read"] as! [String: Any])["io_bytes"] as! NSNumber).uint64Value > 0)
    }
}
