import Testing
import Foundation
@testable import SwioCore
import SwioEngines

/// The mmap engine (engines/Mmap, the worked example of engines/README.md) moves the data it
/// says, as fio's mmap engine does.
@Suite(.serialized) struct MmapEngineTests {
    @Test func writesLandInTheFileAndReadsReadThem() throws {
        let f = makeTempDir() + "/m.dat"
        let (w, _) = try runJobs("[w]\nioengine=mmap\nfilename=\(f)\nrw=write\nbs=64k\nsize=4m\nbuffer_pattern=0xdeadbeef\nend_fsync=1\n")
        #expect(w.jobs[0].stats.firstError == 0 && w.jobs[0].stats.dirs[1].bytes == 4 << 20)
        let data = try Data(contentsOf: URL(fileURLWithPath: f))
        #expect(data.count == 4 << 20)
        #expect(data.prefix(8) == Data([0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef]))
        #expect(data.suffix(4) == Data([0xde, 0xad, 0xbe, 0xef]))
        let (r, _) = try runJobs("[r]\nioengine=mmap\nfilename=\(f)\nrw=randread\nbs=4k\nsize=4m\nmmap_advice=random\n")
        #expect(r.jobs[0].stats.firstError == 0 && r.jobs[0].stats.dirs[0].bytes == 4 << 20 && r.jobs[0].stats.dirs[0].ios == 1024)
    }

    @Test(.enabled(if: which("fio") != nil, "needs fio"))
    func movesWhatFiosMmapEngineMoves() throws {
        let f = makeTempDir() + "/m.dat"
        let args = ["--name=m", "--ioengine=mmap", "--filename=\(f)", "--rw=randrw", "--bs=4k", "--size=2m", "--output-format=json"]
        let fio = try jsonObject(try sh(which("fio")!, args).out)
        let swio = try jsonObject(try sh(swioBinary, args).out)
        func total(_ j: [String: Any]) -> Int {
            let job = (j["jobs"] as! [[String: Any]])[0]
            return ["read", "write"].map { ((job[$0] as! [String: Any])["io_bytes"] as! NSNumber).intValue }.reduce(0, +)
        }
        #expect(total(swio) == total(fio) && total(swio) == 2 << 20)
    }

    @Test func directIOIsRefusedWithAReason() throws {
        let f = makeTempDir() + "/m.dat"
        let (r, _) = try runJobs("[d]\nioengine=mmap\nfilename=\(f)\nrw=read\nsize=1m\ndirect=1\n")
        #expect(r.jobs[0].stats.firstError == EINVAL)
        #expect(r.jobs[0].stats.firstErrorMessage?.contains("a mapping always goes through the page cache") == true)
    }
}
