import Testing
import Foundation
import SwioCore

/// fio options that job files and scripts rely on, each as fio 3.33 writes or reads it.
struct FioCompletenessTests {
    @Test func unifiedReportingMixesTheDirections() throws {
        let mixed = try runSwio(["--name=u", "--ioengine=null", "--rw=randrw", "--size=8m", "--unified_rw_reporting=mixed", "--output-format=json"]).job()
        #expect(mixed["read"] == nil && mixed["write"] == nil && mixed["sync"] == nil)
        #expect((mixed["mixed"] as? [String: Any])?["total_ios"] as? Int == 2048)
        let both = try runSwio(["--name=u", "--ioengine=null", "--rw=randrw", "--size=8m", "--unified_rw_reporting=both", "--output-format=json"]).job()
        let r = try #require(both["read"] as? [String: Any]), w = try #require(both["write"] as? [String: Any])
        #expect((r["total_ios"] as? Int ?? 0) + (w["total_ios"] as? Int ?? 0) == 2048)
        #expect((both["mixed"] as? [String: Any])?["io_bytes"] as? Int == 8 << 20)
    }

    @Test func logOffsetAndLogPrioColumnsAsFio() throws {
        let dir = makeTempDir()
        let r = try runSwio(["--name=u", "--ioengine=null", "--rw=randread", "--size=64k", "--write_lat_log=\(dir)/l",
                             "--log_offset=1", "--log_prio=1", "--prioclass=2", "--prio=5"])
        #expect(r.status == 0, "\(r.err)")
        let lines = try String(contentsOfFile: "\(dir)/l_clat.1.log", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 16)
        // time, value, ddir, bs, offset, prio: fio 3.33 writes "0, 201, 0, 4096, 8192, 0x4005".
        let offsets = Set(lines.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.map { f -> String in
            #expect(f.count == 6 && f[3] == "4096" && f[5] == "0x4005", "\(f)")
            return f.count > 4 ? f[4] : ""
        })
        #expect(offsets == Set((0..<16).map { String($0 * 4096) }))
    }

    @Test func aFilelessJobTakesItsSizeFromFilesize() throws {
        let r = try runSwio(["--name=n", "--ioengine=null", "--filesize=1m", "--output-format=json"])
        #expect(r.status == 0, "\(r.err)")
        #expect((try r.job()["read"] as? [String: Any])?["io_bytes"] as? Int == 1 << 20)
    }

    @Test func terseCarriesLatPercentilesWhenAsked() throws {
        let out = try runSwio(["--name=n", "--ioengine=null", "--size=4m", "--lat_percentiles=1", "--clat_percentiles=0", "--output-format=terse"]).out
        let f = out.split(separator: ";")
        // Fields 18-37 are the read percentiles: there, not "0%=0", when only lat's are kept.
        #expect(f.count > 37 && f[17].hasPrefix("1.000000%="), "\(f.prefix(20))")
    }

    @Test func optionsFioAcceptsRun() throws {
        // threads is fio's tiobench profile option, which fio takes in any job.
        let r = try runSwio(["--name=n", "--ioengine=null", "--size=1m", "--threads=1", "--random_generator=lfsr", "--allrandrepeat=1",
                             "--io_submit_mode=offload", "--output-format=json"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("io_submit_mode=offload"))
    }

    @Test func fioCommandLineSwitches() throws {
        let debug = try runSwio(["--debug=parse,io,random", "--name=d", "--ioengine=null", "--rw=randread", "--size=16k", "--output-format=json"])
        #expect(debug.status == 0)
        #expect(try jsonObject(debug.out)["jobs"] != nil, "stdout stays the report")
        #expect(debug.err.contains("parse    ") && debug.err.contains("io       ") && debug.err.contains("off rand"))
        #expect(try runSwio(["--max-jobs=4", "--alloc-size=32768", "--name=m", "--ioengine=null", "--size=16k"]).status == 0)
        for s in ["--trigger-file=/tmp/x", "--inflate-log=x.log.fz", "--idle-prof=system", "--client=host"] {
            let r = try runSwio([s, "--name=m", "--ioengine=null", "--size=16k"])
            #expect(r.status == 1 && r.err.contains(String(s.dropFirst(2).split(separator: "=")[0])) && !r.err.contains("unknown"), "\(s): \(r.err)")
        }
        #expect(try runSwio(["--debug=bogus", "--name=m", "--ioengine=null", "--size=16k"]).status == 1)
    }
}
