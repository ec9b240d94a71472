import Testing
import Foundation
import SwioCore
import SwioEngines

/// The posixaio engine (engines/PosixAIO): POSIX AIO keeps the queue full, moves the data it
/// says, and its data verifies.
@Suite(.serialized) struct PosixAIOEngineTests {
    @Test func keepsTheQueueFullAndItsDataVerifies() throws {
        let f = makeTempDir() + "/p.dat"
        let (w, report) = try runJobs("[w]\nioengine=posixaio\nfilename=\(f)\nrw=randwrite\nbs=4k\nsize=4m\niodepth=8\nverify=crc32c\nfsync=16\n")
        let s = w.jobs[0].stats
        #expect(s.firstError == 0 && s.dirs[1].ios == 1024 && s.dirs[0].ios == 1024, "\(String(describing: s.firstErrorMessage))")
        // One fsync per 16 writes, as fio's synchronous-fsync engines count them.
        #expect(s.syncIOs == 63)
        // Depth 8 for nearly every I/O.
        let levels = Report.depthLevels(s)
        #expect(levels[3] > 99, "\(levels)")
        _ = report
        // A trim waits for the queue to drain, then punches the hole.
        let (t, _) = try runJobs("[t]\nioengine=posixaio\nfilename=\(f)\nrw=randtrim\nbs=64k\nsize=1m\niodepth=4\n")
        #expect(t.jobs[0].stats.firstError == 0 && t.jobs[0].stats.dirs[2].ios == 16)
        let data = try Data(contentsOf: URL(fileURLWithPath: f))
        #expect(data.prefix(1 << 20).allSatisfy { $0 == 0 } && data.count == 4 << 20)
    }

    @Test(.enabled(if: which("fio") != nil, "needs fio"))
    func movesWhatFiosPosixaioMoves() throws {
        let f = makeTempDir() + "/p.dat"
        let args = ["--name=p", "--ioengine=posixaio", "--filename=\(f)", "--rw=randrw", "--bs=4k", "--size=2m", "--iodepth=4", "--output-format=json"]
        let fio = try jsonObject(try sh(which("fio")!, args).out)
        let swio = try jsonObject(try sh(swioBinary, args).out)
        func job(_ j: [String: Any]) -> [String: Any] { (j["jobs"] as! [[String: Any]])[0] }
        func total(_ j: [String: Any]) -> Int { ["read", "write"].map { ((job(j)[$0] as! [String: Any])["io_bytes"] as! NSNumber).intValue }.reduce(0, +) }
        #expect(total(swio) == total(fio) && total(swio) == 2 << 20)
        #expect((job(swio)["iodepth_level"] as? [String: Any])?["4"] as? Double ?? 0 > 99)
    }
}
