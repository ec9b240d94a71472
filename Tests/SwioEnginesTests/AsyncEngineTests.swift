import Testing
import Foundation
@testable import SwioCore
import SwioEngines
import CSwio
import CLiburing

/// True when this kernel lets us create an io_uring (it may be disabled by sysctl or seccomp).
/// Tests that need one say so in their `.enabled(if: ioUringAvailable, ...)` trait.
let ioUringAvailable: Bool = {
    var ring = io_uring()
    let r = cswio_uring_init(&ring, 4, 0, -1, 0)
    if r == 0 { io_uring_queue_exit(&ring); return true }
    return false
}()

/// Whether this machine lets the tests make loop devices (root, losetup, /dev/loop-control):
/// tests that need one are skipped, and reported so, where it does not.
let loopDevicesUsable: Bool = getuid() == 0 && which("losetup") != nil && access("/dev/loop-control", F_OK) == 0

/// A loop device over a scratch image, or nil where loop devices are unavailable. Tests take
/// one with `try #require(LoopDevice())` under the `loopDevicesUsable` trait.
final class LoopDevice {
    let path: String
    let image: String
    init?(sizeMB: Int = 64, directory: String = "/var/tmp") {
        image = "\(directory)/swio-loop-\(getpid())-\(Int.random(in: 0..<1_000_000)).img"
        guard FileManager.default.createFile(atPath: image, contents: nil),
              truncate(image, off_t(sizeMB) << 20) == 0,
              let losetup = which("losetup"),
              let r = try? sh(losetup, ["-f", "--show", "--direct-io=on", image]), r.status == 0 else {
            unlink(image)
            return nil
        }
        path = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    deinit {
        if let losetup = which("losetup") { _ = try? sh(losetup, ["-d", path]) }
        unlink(image)
    }
}

@Suite(.serialized) struct AsyncEngineTests {
    /// Where the kernel has no io_uring its cases are left out, and ioUringCasesAreIncluded is
    /// skipped saying so once, rather than each passing without running.
    static let engines = ["libaio"] + (ioUringAvailable ? ["io_uring"] : [])

    /// Stands for the io_uring cases of every test over `engines` (here and in the other
    /// suites): skipped, with the reason, on a kernel without io_uring, where those cases are
    /// left out.
    @Test(.enabled(if: ioUringAvailable, "io_uring is unavailable on this kernel: the engine-parametrized tests run without their io_uring cases"))
    func ioUringCasesAreIncluded() {
        #expect(Self.engines.contains("io_uring"))
    }

    @Test(arguments: engines, [0, 1])
    func movesTheRequestedBytes(engine: String, direct: Int) throws {
        let dir = "/var/tmp"
        let f = "\(dir)/swio-async-\(engine)-\(direct).dat"
        defer { unlink(f) }
        let (result, report) = try runJobs("""
        [w]
        ioengine=\(engine)
        filename=\(f)
        rw=randwrite
        bs=8k
        size=2m
        iodepth=8
        direct=\(direct)
        [r]
        stonewall
        ioengine=\(engine)
        filename=\(f)
        rw=read
        bs=64k
        size=2m
        iodepth=4
        direct=\(direct)
        """)
        #expect(result.jobs.allSatisfy { $0.stats.firstError == 0 }, "\(result.jobs.map { $0.stats.firstErrorMessage ?? "" })")
        let w = report.entries[0].stats, r = report.entries[1].stats
        #expect(w.dirs[1].bytes == 2 << 20 && w.dirs[1].ios == 256)
        #expect(r.dirs[0].bytes == 2 << 20 && r.dirs[0].ios == 32)
        // Async engines measure slat (prep -> submit) and clat (submit -> completion).
        #expect(w.dirs[1].slat.n == 256 && w.dirs[1].clat.n == 256)
        #expect(w.dirs[1].lat.mean >= w.dirs[1].clat.mean)
        // Submissions and completions were counted into the depth maps.
        #expect(w.depthSubmit.array.reduce(0, +) > 0 && w.depthComplete.array.reduce(0, +) > 0)
    }

    /// The 8-byte pattern the write-then-read tests write, and a check that `bytes` repeat it.
    static let pattern: [UInt8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]
    static func mismatches<C: Collection<UInt8>>(_ bytes: C) -> Int {
        var n = 0
        for (i, b) in bytes.enumerated() where b != pattern[i % 8] { n += 1 }
        return n
    }

    /// Reads `target` back through `engine` (the real job loop): the job moves `size` bytes and
    /// every unit's buffer ends holding a block of the pattern. The read job sets no pattern of
    /// its own, so its buffers hold the pattern only if the reads put it there.
    func readBackThroughEngine(_ engine: String, _ target: String, direct: Int, size: Int) throws {
        let job = try drive(engine == "libaio" ? AnyDrive.libaio : AnyDrive.uring,
                            "[r]\nioengine=\(engine)\nfilename=\(target)\nrw=randread\nbs=4k\nsize=\(size)\niodepth=8\ndirect=\(direct)\n")
        #expect(job.stats.firstError == 0, "\(job.stats.firstErrorMessage ?? "")")
        #expect(job.stats.dirs[0].bytes == UInt64(size))
        for i in 0..<job.depth {
            let got = UnsafeRawBufferPointer(start: job.units[i].buffer, count: 4096)
            #expect(Self.mismatches(got) == 0, "unit \(i) at offset \(job.units[i].offset)")
        }
    }

    /// A write-then-read job, buffered and O_DIRECT: what swio writes is on the file (read with
    /// plain reads) and reads back through the same engine.
    @Test(arguments: engines, [0, 1])
    func writtenDataReadsBackIdentically(engine: String, direct: Int) throws {
        let f = "/var/tmp/swio-pattern-\(engine)-\(direct)-\(getpid()).dat"
        defer { unlink(f) }
        let (result, _) = try runJobs("""
        [w]
        ioengine=\(engine)
        filename=\(f)
        rw=randwrite
        bs=4k
        size=1m
        iodepth=16
        direct=\(direct)
        buffer_pattern=0x0123456789abcdef
        """)
        #expect(result.jobs[0].stats.firstError == 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: f))
        #expect(data.count == 1 << 20)
        #expect(Self.mismatches(data) == 0)
        try readBackThroughEngine(engine, f, direct: direct, size: 1 << 20)
    }

    /// A 4 KiB O_DIRECT random-read job at iodepth 16 on a scratch file, with `options` added.
    func directRandRead(_ engine: String, size: String, _ options: String) throws -> JobStats {
        let f = "/var/tmp/swio-queue-\(engine)-\(getpid()).dat"
        defer { unlink(f) }
        let (result, report) = try runJobs("[r]\nioengine=\(engine)\nfilename=\(f)\ndirect=1\nrw=randread\nbs=4k\nsize=\(size)\niodepth=16\n\(options)\n")
        #expect(result.jobs[0].stats.firstError == 0, "\(result.jobs[0].stats.firstErrorMessage ?? "")")
        return report.entries[0].stats
    }

    /// An fsync that libaio runs in place, and a null I/O at depth 1, are in neither the submit
    /// nor the complete distribution: fio marks those in an engine's commit and getevents (fio
    /// 3.33, libaio 16 writes at iodepth 8 with fsync=4: 10 reaps, 4=90% 8=10%; null: all 0%).
    @Test func syncOpsOfAsyncEnginesAreNotSubmitOrCompleteBatches() throws {
        let s = try directRandRead("libaio", size: "64k", "rw=write\niodepth=8\nfsync=4")
        #expect(s.syncIOs == 3 && s.depthComplete.array.reduce(0, +) == 10, "\(s.depthComplete.array)")
        let (_, null) = try runJobs("[n]\nioengine=null\nrw=read\nbs=4k\nsize=1m\n")
        #expect(null.entries[0].stats.depthSubmit.array.reduce(0, +) == 0 && null.entries[0].stats.depthComplete.array.reduce(0, +) == 0)
    }

    /// A trim that libaio or io_uring runs in place is one submit and one complete batch, as
    /// fio 3.33 marks it (loop device, rw=trim bs=64k size=4m iodepth=4: submit and complete
    /// 4=100% in both engines; swio had left both empty). fio trims only block devices (a file
    /// gives ENOTTY); swio punches holes in a file, which is what this test runs on, and marks
    /// those the same way.
    @Test(arguments: engines)
    func inPlaceTrimsAreSubmitAndCompleteBatches(engine: String) throws {
        let f = "/var/tmp/swio-trim-batches-\(engine)-\(getpid()).dat"
        defer { unlink(f) }
        let (result, report) = try runJobs("[t]\nioengine=\(engine)\nfilename=\(f)\nrw=trim\nbs=64k\nsize=1m\niodepth=4\n")
        #expect(result.jobs[0].stats.firstError == 0, "\(result.jobs[0].stats.firstErrorMessage ?? "")")
        let s = report.entries[0].stats
        #expect(s.dirs[2].ios == 16)
        #expect(s.depthSubmit.array[1] == 16 && s.depthSubmit.array.reduce(0, +) == 16, "\(s.depthSubmit.array)")
        #expect(s.depthComplete.array[1] == 16 && s.depthComplete.array.reduce(0, +) == 16, "\(s.depthComplete.array)")
    }

    /// iodepth_batch_complete_min=0 polls for completions instead of waiting (fio's getevents
    /// with actual_min 0, in a loop until one has come); with userspace_reap the ring is read
    /// each time. Every I/O is reaped and counted, and the reaps take what is there at once.
    @Test(arguments: [("libaio", ""), ("libaio", "userspace_reap=1")] + (ioUringAvailable ? [("io_uring", "")] : []))
    func completeMinZeroPolls(engine: String, extra: String) throws {
        let s = try directRandRead(engine, size: "4m", "iodepth=8\niodepth_batch_complete_min=0\niodepth_batch_complete_max=8\n\(extra)")
        #expect(s.dirs[0].ios == 1024)
        #expect(s.depthComplete.array.reduce(0, +) == s.completeCalls && s.completeCalls > 0 && s.completeCalls <= 1024)
    }

    /// fio's queue control: by default one completion per reap and a refill at once, so the
    /// queue stays at iodepth; with iodepth_low a full queue drains to that mark first. fio 3.33
    /// on this job: iodepth_level 16=99.9% by default; with iodepth_low=4, 4=25.0%, 8=66.6%,
    /// 16=8.3% (refills at depths 5..16), and every reap but the last takes 1-4 events.
    @Test(arguments: engines, [0, 4])
    func queueDrainsToIodepthLowAsFio(engine: String, low: Int) throws {
        let s = try directRandRead(engine, size: "16m", "number_ios=2400\niodepth_low=\(low)")
        let level = s.depthLevel.array.map { Double($0) / Double(s.depthLevel.array.reduce(0, +)) * 100 }
        if low == 0 {
            #expect(level[4] > 99, "\(level)")
        } else {
            #expect(abs(level[2] - 25) < 1 && abs(level[3] - 66.7) < 1 && abs(level[4] - 8.3) < 1, "\(level)")
        }
        // fio's default iodepth_batch_complete_max is the min (1): no more than 4 per reap,
        // but for the end, where fio reaps everything still in flight in one call.
        let complete = s.depthComplete.array
        #expect(complete[1] > 0 && complete.reduce(0, +) - complete[1] <= 1, "\(complete)")
        // One completion per reap: as many reaps as I/Os, but for the last (up to 16 at once).
        #expect(s.completeCalls + 15 >= s.dirs[0].ios && s.dirs[0].ios == 2400, "\(s.completeCalls) reaps for \(s.dirs[0].ios) I/Os")
    }

    /// fio marks a submitted batch at the depth the commit brings the queue to (td_io_commit()),
    /// not each I/O as it is prepared: fio 3.33 with iodepth=16, iodepth_batch_submit=8 and
    /// iodepth_batch_complete_min=4 reports iodepth_level 16=99.8%, where swio had 8=75%.
    @Test(arguments: engines)
    func batchedSubmitsAreMarkedAtTheCommittedDepth(engine: String) throws {
        let s = try directRandRead(engine, size: "8m", "iodepth_batch_submit=8\niodepth_batch_complete_min=4")
        let level = s.depthLevel.array
        #expect(Double(level[4]) / Double(level.reduce(0, +)) > 0.98 && s.depthSubmit.array[1] > 0, "\(level) \(s.depthSubmit.array)")
    }

    /// fio's io_in_polling(): iodepth_batch_complete_min=0 and _max=0 wait for a completion
    /// after every queued I/O, so the queue never builds (fio 3.33: iodepth_level 1=100%).
    @Test(arguments: engines)
    func bothBatchCompleteLimitsZeroReapAfterEveryIO(engine: String) throws {
        let level = try directRandRead(engine, size: "4m", "iodepth_batch_complete_min=0\niodepth_batch_complete_max=0").depthLevel.array
        #expect(level[0] == 1024 && level.reduce(0, +) == 1024, "\(level)")
    }

    /// fio's engines do not drain the queue for an fsync: it goes in (or, on libaio, runs) with
    /// the other writes in flight, so every I/O after the ramp-up, syncs included, is counted
    /// at depth 16. fio 3.33 on this job: "IO depths: 1=0.1%, 2=0.1%, 4=0.2%, 8=0.4%,
    /// 16=105.5%", 127 syncs. The syncs count in the map but not in its total, hence > 100%.
    @Test(arguments: engines)
    func fsyncKeepsTheQueueFullAsFio(engine: String) throws {
        let f = "/var/tmp/swio-fsync-depth-\(engine)-\(getpid()).dat"
        defer { unlink(f) }
        let (result, report) = try runJobs("[w]\nioengine=\(engine)\nfilename=\(f)\ndirect=1\nrw=randwrite\nbs=4k\nsize=8m\niodepth=16\nfsync=16\n")
        #expect(result.jobs[0].stats.firstError == 0, "\(result.jobs[0].stats.firstErrorMessage ?? "")")
        let s = report.entries[0].stats
        #expect(s.dirs[1].ios == 2048 && s.syncIOs == 127)
        #expect(s.depthLevel.array == [1, 2, 4, 8, 2048 - 15 + 127, 0, 0], "\(s.depthLevel.array)")
        #expect(Report.depthLevels(s).map { ($0 * 10).rounded() / 10 } == [0.1, 0.1, 0.2, 0.4, 105.5, 0, 0])
    }

    /// Before a rate wait fio reaps everything in flight (io_u_quiesce), so completions do not
    /// sit unreaped through the sleep, adding it to their clat. fio 3.33, iodepth=16 with
    /// rate_iops=2000: iodepth_level 1=99.2%, clat 48 us; swio kept the queue filling through
    /// its waits (8=86%) and reported a 5.7 ms clat. A job that falls behind its rate issues
    /// without waiting, and so without reaping first, in both tools; the test's rate is low
    /// enough (5 ms a slot) that a loaded machine does not make it fall behind.
    @Test(arguments: engines)
    func rateWaitsReapWhatIsInFlightAsFio(engine: String) throws {
        let s = try directRandRead(engine, size: "4m", "rate_iops=200\nnumber_ios=50")
        let level = s.depthLevel.array
        #expect(s.dirs[0].ios == 50 && level[0] >= 47, "\(level)")
    }

    /// thinktime_blocks counts completed I/Os by default (fio's thinktime_blocks_type=complete)
    /// and each think first reaps everything in flight. fio 3.33 on this job (iodepth=32,
    /// thinktime=100, thinktime_blocks=8, 512 I/Os): IO depths 1=5.3%, 2=5.5%, 4=10.4%,
    /// 8=20.3%, 16=40.6%, 32=18.0%; with thinktime_blocks_type=issue 1=12.5%, 2=25.0%,
    /// 4=50.0%, 8=12.5%. Both are exact counts of the loop's structure, so they must match.
    @Test(arguments: engines, ["complete", "issue"])
    func thinktimeCountsAndQuiescesAsFio(engine: String, type: String) throws {
        let level = try directRandRead(engine, size: "4m", "iodepth=32\nthinktime=100\nthinktime_blocks=8\nthinktime_blocks_type=\(type)\nnumber_ios=512").depthLevel.array
        #expect(level == (type == "complete" ? [27, 28, 53, 104, 208, 92, 0] : [64, 128, 256, 64, 0, 0, 0]), "\(level)")
    }

    /// With loops=N fio runs each loop as a pass of its own and reaps everything in flight at
    /// its end, so the queue ramps up once per loop. fio 3.33, iodepth=8, loops=2, 1024 I/Os a
    /// loop: IO depths 1=0.1%, 2=0.2%, 4=0.4%, 8=99.3%, and two final reaps of 8.
    @Test(arguments: engines)
    func eachLoopDrainsTheQueueAsFio(engine: String) throws {
        let s = try directRandRead(engine, size: "4m", "iodepth=8\nloops=2")
        #expect(s.dirs[0].ios == 2048)
        #expect(s.depthLevel.array == [2, 4, 8, 2048 - 14, 0, 0, 0], "\(s.depthLevel.array)")
        #expect(s.depthComplete.array[2] == 2, "\(s.depthComplete.array)")
    }

    /// fio's null engine answers busy while committed events wait to be reaped, so a null job
    /// runs at depth 1 whatever its iodepth (fio 3.33: iodepth_level 1=100% at iodepth=16).
    @Test func nullEngineReapsBeforeQueueingMoreAsFio() throws {
        let (_, report) = try runJobs("[r]\nioengine=null\nrw=randread\nbs=4k\nsize=4m\niodepth=16\n")
        let s = report.entries[0].stats
        #expect(s.dirs[0].ios == 1024 && s.depthLevel.array[0] == 1024 && s.depthLevel.array.reduce(0, +) == 1024, "\(s.depthLevel.array)")
    }

    @Test(.enabled(if: loopDevicesUsable, "needs root and losetup"), arguments: engines)
    func runsOnALoopDevice(engine: String) throws {
        let loop = try #require(LoopDevice())
        let (result, report) = try runJobs("""
        [w]
        ioengine=\(engine)
        filename=\(loop.path)
        rw=write
        bs=128k
        iodepth=4
        direct=1
        size=16m
        buffer_pattern=0x0123456789abcdef
        [r]
        stonewall
        ioengine=\(engine)
        filename=\(loop.path)
        rw=randread
        bs=4k
        iodepth=16
        direct=1
        """)
        #expect(result.jobs.allSatisfy { $0.stats.firstError == 0 }, "\(result.jobs.map { $0.stats.firstErrorMessage ?? "" })")
        #expect(report.entries[0].stats.dirs[1].bytes == 16 << 20)
        // No size given: the whole 64 MiB device is the region, as fio does for block devices.
        #expect(report.entries[1].stats.dirs[0].bytes == 64 << 20)
        // What the write job put on the device is there, and reads back through the engine.
        let h = try #require(FileHandle(forReadingAtPath: loop.path))
        let written = try #require(try h.read(upToCount: 16 << 20))
        try h.close()
        #expect(written.count == 16 << 20 && Self.mismatches(written) == 0)
        try readBackThroughEngine(engine, loop.path, direct: 1, size: 16 << 20)
    }

    @Test(arguments: engines)
    func unalignedDirectIOGivesAClearError(engine: String) throws {
        let f = "/var/tmp/swio-unaligned-\(engine).dat"
        defer { unlink(f) }
        let (result, _) = try runJobs("[a]\nioengine=\(engine)\nfilename=\(f)\nrw=read\nbs=1000\nsize=64000\ndirect=1\niodepth=4\n")
        #expect(result.jobs[0].stats.firstError == EINVAL)
        #expect(result.jobs[0].stats.firstErrorMessage?.contains("aligned") == true)
    }

    @Test(arguments: engines)
    func unreadableFileGivesAClearError(engine: String) throws {
        // A directory cannot be opened for writing: the job fails naming the file and errno.
        let dir = makeTempDir()
        let (result, _) = try runJobs("[a]\nioengine=\(engine)\nfilename=\(dir)\nrw=write\nsize=64k\n")
        #expect(result.jobs[0].stats.firstError == EISDIR)
        #expect(result.jobs[0].stats.firstErrorMessage?.contains(dir) == true)
    }

    /// A file the job may not open. The tests run as root, so the run drops CAP_DAC_OVERRIDE
    /// (setpriv) and a mode-000 file gives EACCES. As fio 3.33: the job's error is 13 (swio
    /// had reported 22), stdout is still the JSON report, stderr names the file and the cause,
    /// and the run exits 1.
    @Test(.enabled(if: getuid() == 0 && which("setpriv") != nil, "needs root and setpriv"), arguments: engines)
    func fileThatMayNotBeOpenedIsReportedWithItsErrno(engine: String) throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let f = dir + "/no-access.dat"
        #expect(FileManager.default.createFile(atPath: f, contents: Data(count: 65536)) && chmod(f, 0) == 0)
        try "[a]\nioengine=\(engine)\nfilename=\(f)\nrw=read\nbs=4k\nsize=64k\niodepth=4\n".write(toFile: dir + "/job.fio", atomically: true, encoding: .utf8)
        let r = try sh(which("setpriv")!, ["--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", swioBinary, "--output-format=json", dir + "/job.fio"])
        #expect(r.status == 1, "\(r.err)")
        let job = try #require((try jsonObject(r.out)["jobs"] as? [[String: Any]])?.first)
        #expect(job["error"] as? Int == Int(EACCES))
        #expect(r.err.contains(f) && r.err.contains("Permission denied"), "\(r.err)")
    }

    /// The kernel refuses these rings with a bare EINVAL; the error names the setting at fault.
    @Test(.enabled(if: ioUringAvailable, "io_uring is unavailable on this kernel"))
    func ringSetupRefusalsNameTheSetting() throws {
        let f = "/var/tmp/swio-uring-refused-\(getpid()).dat"
        defer { unlink(f) }
        for (opts, cause) in [("iodepth=40000", "iodepth 40000 is above the kernel's 32768"),
                              ("sqthread_poll\nsqthread_poll_cpu=4095", "sqthread_poll_cpu=4095")] {
            let (result, _) = try runJobs("[a]\nioengine=io_uring\nfilename=\(f)\nrw=read\nbs=4k\nsize=64k\n\(opts)\n")
            #expect(result.jobs[0].stats.firstError == EINVAL, "\(opts)")
            #expect(result.jobs[0].stats.firstErrorMessage?.contains(cause) == true, "\(result.jobs[0].stats.firstErrorMessage ?? "")")
        }
    }

    @Test(.enabled(if: ioUringAvailable, "io_uring is unavailable on this kernel"))
    func ioUringOptionsWork() throws {
        let f = "/var/tmp/swio-uring-opts.dat"
        defer { unlink(f) }
        let cases = ["fixedbufs", "registerfiles", "sqthread_poll", "sqthread_poll\nsqthread_poll_cpu=0", "nonvectored=0",
                     "force_async=2", "fixedbufs\nregisterfiles", "hipri", "nowait=1", "hipri\nfsync=4", "registerfiles\nfsync=4"]
        for opts in cases {
            let (result, report) = try runJobs("[a]\nioengine=io_uring\nfilename=\(f)\nrw=randwrite\nbs=4k\nsize=512k\niodepth=8\ndirect=1\n\(opts)\n")
            #expect(result.jobs[0].stats.firstError == 0, "\(opts): \(result.jobs[0].stats.firstErrorMessage ?? "")")
            #expect(report.entries[0].stats.dirs[1].bytes == 512 << 10, "\(opts)")
            if opts.contains("fsync=4") { #expect(report.entries[0].stats.syncIOs == 31, "\(opts)") }
        }
    }

    /// libaio's nowait sets RWF_NOWAIT, as fio's does, each case checked against fio 3.33: a
    /// buffered read of a page that is not cached fails with EAGAIN (0 bytes read), O_DIRECT
    /// reads go through, and tmpfs, which takes no RWF_NOWAIT for AIO, fails the submit.
    @Test func libaioNowaitFailsInsteadOfBlocking() throws {
        let shm = "/dev/shm/swio-nowait-\(getpid()).dat", disk = "/var/tmp/swio-nowait-\(getpid()).dat"
        defer { unlink(shm); unlink(disk) }
        let data = Data(repeating: 0x5a, count: 256 << 10)
        for f in [shm, disk] { #expect(FileManager.default.createFile(atPath: f, contents: data)) }
        let fd = open(disk, O_RDONLY)
        _ = fsync(fd)
        #expect(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0)
        close(fd)
        func run(_ f: String, direct: Int) throws -> (JobStats, UInt64) {
            let (result, report) = try runJobs("[a]\nioengine=libaio\nfilename=\(f)\nrw=read\nbs=4k\nsize=256k\nnowait=1\ndirect=\(direct)\n")
            return (result.jobs[0].stats, report.entries[0].stats.dirs[0].bytes)
        }
        let (uncached, uncachedBytes) = try run(disk, direct: 0)
        #expect(uncached.firstError == EAGAIN && uncachedBytes == 0, "\(uncached.firstErrorMessage ?? "")")
        let (direct, directBytes) = try run(disk, direct: 1)
        #expect(direct.firstError == 0 && directBytes == 256 << 10, "\(direct.firstErrorMessage ?? "")")
        let (tmpfs, _) = try run(shm, direct: 0)
        #expect(tmpfs.firstError == EOPNOTSUPP && tmpfs.firstErrorMessage?.contains("io_submit") == true)
    }

    @Test func libaioUserspaceReapAndBatching() throws {
        let f = "/var/tmp/swio-libaio-opts.dat"
        defer { unlink(f) }
        let (result, report) = try runJobs("""
        [a]
        ioengine=libaio
        filename=\(f)
        rw=randwrite
        bs=4k
        size=1m
        iodepth=16
        iodepth_batch_submit=8
        iodepth_batch_complete_min=4
        direct=1
        userspace_reap
        """)
        #expect(result.jobs[0].stats.firstError == 0)
        let s = report.entries[0].stats
        #expect(s.dirs[1].ios == 256)
        // Batches of 8 land in the "8" submit bucket (5-8).
        #expect(s.depthSubmit.array[2] > 0)
        #expect(s.submitCalls < 256)
    }

    @Test(.enabled(if: ioUringAvailable, "io_uring is unavailable on this kernel"))
    func fsyncGoesThroughTheEngine() throws {
        let f = "/var/tmp/swio-uring-fsync.dat"
        defer { unlink(f) }
        let (_, report) = try runJobs("[a]\nioengine=io_uring\nfilename=\(f)\nrw=write\nbs=4k\nsize=64k\nfsync=4\niodepth=4\n")
        #expect(report.entries[0].stats.syncIOs == 3)
    }
}
