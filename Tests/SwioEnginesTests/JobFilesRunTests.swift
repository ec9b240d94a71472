import Testing
import Foundation
@testable import SwioCore

/// Every example job in jobs/ runs end to end through the real binary (capped at 1 s per job
/// with a command-line runtime, which overrides job files as in fio).
@Suite(.serialized) struct JobFilesRunTests {
    static let files: [String] = {
        (try? FileManager.default.contentsOfDirectory(atPath: packageRoot + "/jobs"))?
            .filter { $0.hasSuffix(".fio") }.sorted() ?? []
    }()

    @Test(arguments: files)
    func exampleJobRuns(file: String) throws {
        let scratch = "/var/tmp/swio-jobs-target.dat"
        setenv("SWIO_TARGET", scratch, 1)
        defer { unsetenv("SWIO_TARGET") }
        let r = try sh(swioBinary, ["--runtime=1", "--output-format=json", packageRoot + "/jobs/" + file], cwd: "/tmp")
        #expect(r.status == 0, "\(file): \(r.err)")
        let jobs = try jsonObject(r.out)["jobs"] as! [[String: Any]]
        #expect(!jobs.isEmpty)
        for j in jobs {
            #expect((j["error"] as! NSNumber).intValue == 0, "\(file): \(j["jobname"]!)")
            let moved = ["read", "write", "trim"].reduce(UInt64(0)) { $0 + ((j[$1] as! [String: Any])["io_bytes"] as! NSNumber).uint64Value }
            #expect(moved > 0, "\(file): \(j["jobname"]!) moved nothing")
        }
    }
}
