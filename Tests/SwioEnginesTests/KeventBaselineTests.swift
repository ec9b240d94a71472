import Testing
import Foundation
@testable import SwioCore
import SwioEngines

@Suite(.serialized) struct KeventEngineTests {
    static let backends = AsyncEngineTests.engines

    @Test(arguments: backends)
    func readsFortyKiBDirectBlocksThroughTheReadyQueue(backend: String) throws {
        let f = "/var/tmp/swio-kevent-\(backend).dat"
        defer { unlink(f) }
        let (result, report) = try runJobs("""
        [lay]
        filename=\(f)
        rw=write
        bs=1m
        size=4000k
        [k]
        stonewall
        ioengine=kevent
        kevent_backend=\(backend)
        filename=\(f)
        rw=read
        size=4000k
        iodepth=8
        kevent_min=4
        """)
        #expect(result.jobs.allSatisfy { $0.stats.firstError == 0 }, "\(result.jobs.map { $0.stats.firstErrorMessage ?? "" })")
        let k = report.entries[1]
        // bs defaults to 40 KiB for this engine: 4000 KiB is exactly 100 reads.
        #expect(k.config.bs == [40960, 40960, 40960])
        #expect(k.stats.dirs[0].bytes == 4000 * 1024)
        #expect(k.stats.dirs[0].ios == 100)
        // Completions came through the ready queue in batches: more than one event per harvest.
        let eng = Dictionary(uniqueKeysWithValues: k.stats.engineStats.map { ($0.0, $0.1) })
        #expect(eng["backend"] == .string(backend))
        guard case .double(let perHarvest)? = eng["events_per_harvest"], case .uint(let events)? = eng["events"] else {
            Issue.record("no ready-queue stats: \(k.stats.engineStats.map(\.0))"); return
        }
        #expect(events == 100)
        #expect(perHarvest > 1, "events per harvest \(perHarvest)")
    }

    @Test func directIOIsForced() throws {
        // A 1000-byte block cannot be read with O_DIRECT: proof that kevent opened it that way,
        // although the job did not ask for direct=1.
        let f = "/var/tmp/swio-kevent-unaligned.dat"
        defer { unlink(f) }
        let (result, _) = try runJobs("[k]\nioengine=kevent\nfilename=\(f)\nrw=read\nbs=1000\nsize=64000\n")
        #expect(result.jobs[0].stats.firstError == EINVAL)
    }

    @Test func writesAndRandomReadsWork() throws {
        let f = "/var/tmp/swio-kevent-rw.dat"
        defer { unlink(f) }
        let (result, report) = try runJobs("""
        [w]
        ioengine=kevent
        filename=\(f)
        rw=randwrite
        size=2000k
        iodepth=4
        [r]
        stonewall
        ioengine=kevent
        filename=\(f)
        rw=randread
        size=2000k
        iodepth=4
        """)
        #expect(result.jobs.allSatisfy { $0.stats.firstError == 0 })
        #expect(report.entries[0].stats.dirs[1].bytes == 2000 * 1024)
        #expect(report.entries[1].stats.dirs[0].ios == 50)
        // CPU usage is reported per job so the "AIO costs ~0% CPU" claim can be checked.
        #expect(report.entries[1].stats.cpu.userUs >= 0 && report.entries[1].stats.runtimeNs > 0)
    }
}

@Suite(.serialized) struct BaselineTests {
    @Test func baselineOfAFileReadsItSequentially() throws {
        let f = "/var/tmp/swio-baseline.dat"
        defer { unlink(f) }
        #expect(FileManager.default.createFile(atPath: f, contents: Data(repeating: 7, count: 16 << 20)))
        let t = try Baseline.diskReads(f, direct: true, seconds: 3)
        // Stops at the end of the target, like hdparm: 16 MiB in whole 2 MiB chunks.
        #expect(t.bytes == 16 << 20)
        #expect(t.kind == .direct)
        #expect(t.hdparmLine.hasPrefix(" Timing O_DIRECT disk reads:   16 MB in"))
        #expect(t.hdparmLine.hasSuffix(" MB/sec"))
        let c = try Baseline.cachedReads(f, seconds: 0.2)
        #expect(c.bytes > 0 && c.bytes % (2 << 20) == 0)
        #expect(c.hdparmLine.hasPrefix(" Timing cached reads:"))
        // The JSON form round-trips through --baseline FILE.
        let saved = JSON.object([("baselines", .array([t.json, c.json]))]).serialized()
        let parsed = Baseline.parseSaved(saved)
        #expect(parsed.count == 2 && parsed[0].target == f && parsed[0].bytes == t.bytes && parsed[0].kind == .direct)
    }

    /// Runs `hdparm args` and returns its MB/sec figure.
    func hdparmMBps(_ args: [String]) throws -> Double? {
        guard let hdparm = which("hdparm") else { return nil }
        let r = try sh(hdparm, args)
        guard r.status == 0, let eq = r.out.range(of: "= ", options: .backwards) else { return nil }
        return Double(r.out[eq.upperBound...].split(separator: " ").first ?? "")
    }

    /// Seven pairs of runs of swio and hdparm, which goes first alternating so a bias for either
    /// slot cancels; returns swio's and hdparm's MB/s, or nil if hdparm fails.
    func alternatingPairs(swio: () throws -> Double, hdparm: () throws -> Double?) throws -> (ours: [Double], theirs: [Double])? {
        var ours: [Double] = [], theirs: [Double] = []
        for i in 0..<7 {
            if i % 2 == 1 { ours.append(try swio()) }
            guard let h = try hdparm() else { return nil }
            theirs.append(h)
            if i % 2 == 0 { ours.append(try swio()) }
        }
        return (ours, theirs)
    }

    @Test(.enabled(if: loopDevicesUsable, "needs root and losetup"),
          .enabled(if: which("hdparm") != nil, "needs hdparm"),
          .enabled(if: access("/dev/shm", W_OK) == 0, "needs /dev/shm"))
    func agreesWithHdparmOnALoopDevice() throws {
        // Backed by /dev/shm: both tools then measure the same memory-speed device. On the VM's
        // virtio disk the same reads run at one of two speeds depending on how physically
        // contiguous each process's buffer happens to be, which would test luck, not method.
        let loop = try #require(LoopDevice(sizeMB: 2048, directory: "/dev/shm"))
        _ = try sh("/bin/dd", ["if=/dev/zero", "of=\(loop.path)", "bs=4M", "count=512", "oflag=direct", "status=none"])
        // One warm-up each, then seven alternating runs of each tool, compared by each tool's
        // best run: host noise only ever slows a run (one swio run once read 8.8 GB/s against
        // 6.5 for every other run of either tool), reads through the loop device run at one of
        // two speeds depending on where the scheduler puts its kworker, and that drifts while
        // other tests run. A median of pair ratios still swung to 1.12 when the host slowed
        // half-way through; the best runs measure what each tool can reach, as hdparm's own
        // figure is meant to. The bounds are 15%: beside the full suite swio's best once read
        // 4582 MB/s against hdparm's 4126 (1.11), and a wrong method (cached for direct, a
        // smaller block) is off by far more.
        _ = try hdparmMBps(["-t", "--direct", loop.path])
        _ = try Baseline.diskReads(loop.path, direct: true)
        let direct = try alternatingPairs(swio: { try Baseline.diskReads(loop.path, direct: true).mbPerSec },
                                          hdparm: { try hdparmMBps(["-t", "--direct", loop.path]) })
        let (ours, theirs) = try #require(direct, "hdparm -t --direct failed on \(loop.path)")
        let ratio = ours.max()! / theirs.max()!
        print("baseline -t --direct: swio \(ours) MB/s, hdparm \(theirs) MB/s, best-run ratio \(ratio)")
        #expect(ratio > 0.85 && ratio < 1.15, "swio \(ours) vs hdparm \(theirs)")

        let cached = try alternatingPairs(swio: { try Baseline.cachedReads(loop.path).mbPerSec },
                                          hdparm: { try hdparmMBps(["-T", loop.path]) })
        let (oursT, theirsT) = try #require(cached, "hdparm -T failed on \(loop.path)")
        let ratioT = oursT.max()! / theirsT.max()!
        print("baseline -T: swio \(oursT) MB/s, hdparm \(theirsT) MB/s, best-run ratio \(ratioT)")
        #expect(ratioT > 0.85 && ratioT < 1.15, "swio \(oursT) vs hdparm \(theirsT)")
    }

    @Test func runWithSavedBaselineAddsTheRatio() throws {
        let dir = makeTempDir()
        let f = "/var/tmp/swio-ratio.dat"
        defer { unlink(f) }
        #expect(FileManager.default.createFile(atPath: f, contents: Data(repeating: 1, count: 8 << 20)))
        let saved = "{\"baselines\":[{\"target\":\"\(f)\",\"kind\":\"direct\",\"bytes\":8388608,\"seconds\":1.0}]}"
        try saved.write(toFile: dir + "/b.json", atomically: true, encoding: .utf8)
        let r = try sh(swioBinary, ["run", "--baseline", dir + "/b.json", "--output-format=json", "--name=k", "--ioengine=psync",
                                    "--filename=\(f)", "--rw=read", "--bs=1m", "--size=8m", "--direct=1"])
        #expect(r.status == 0, "\(r.err)")
        let job = (try jsonObject(r.out)["jobs"] as! [[String: Any]])[0]
        let base = (job["swio"] as! [String: Any])["baseline"] as! [String: Any]
        #expect((base["bytes_per_sec"] as! NSNumber).doubleValue == 8388608)
        let bw = ((job["read"] as! [String: Any])["bw_bytes"] as! NSNumber).doubleValue
        #expect(abs((base["fraction"] as! NSNumber).doubleValue - bw / 8388608) < 0.01)
        let text = try sh(swioBinary, ["run", "--baseline", dir + "/b.json", "--name=k", "--filename=\(f)", "--rw=read", "--bs=1m", "--size=8m"])
        #expect(text.out.contains("of direct baseline"))
    }
}
