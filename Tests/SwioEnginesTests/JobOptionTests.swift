import Testing
import Foundation
import Synchronization
@testable import SwioCore
import SwioEngines
import CSwio
import CLiburing

/// fio job options whose effect shows outside swio: in the kernel's device counters, in the
/// file, in the job thread's CPU mask, in the report.
@Suite(.serialized) struct JobOptionTests {
    /// Reads and writes completed on a block device so far (/sys/block/NAME/stat fields 1 and 5).
    func deviceIOs(_ dev: String) throws -> (reads: UInt64, writes: UInt64) {
        let stat = "/sys/block/\((dev as NSString).lastPathComponent)/stat"
        let f = try String(contentsOfFile: stat, encoding: .utf8).split(separator: " ").map { UInt64($0) }
        return (try #require(f[0]), try #require(f[4]))
    }

    /// Runs `job` and returns the reads and writes it caused on block device `dev`, after
    /// checking that it ran without an error and moved `bytes` in direction `dir`.
    func deviceIOs(during job: String, on dev: String, moving bytes: UInt64, dir: Int) throws -> (reads: UInt64, writes: UInt64) {
        let before = try deviceIOs(dev)
        let (result, report) = try runJobs(job)
        #expect(result.jobs[0].stats.firstError == 0 && report.entries[0].stats.dirs[dir].bytes == bytes)
        let after = try deviceIOs(dev)
        return (after.reads - before.reads, after.writes - before.writes)
    }

    @Test(.enabled(if: loopDevicesUsable, "needs root and losetup")) func fadviseHintReachesTheKernel() throws {
        // FADV_RANDOM turns readahead off: 16 MiB of buffered sequential 4 KiB reads on a loop
        // device then take 4096 device reads, where readahead without a hint needs a few dozen.
        let loop = try #require(LoopDevice())
        func reads(hint: String) throws -> UInt64 {
            try deviceIOs(during: "[a]\nfilename=\(loop.path)\nrw=read\nbs=4k\nsize=16m\nfadvise_hint=\(hint)\n",
                          on: loop.path, moving: 16 << 20, dir: 0).reads
        }
        let random = try reads(hint: "random"), none = try reads(hint: "0")
        #expect(random >= 4096, "fadvise_hint=random: \(random) device reads")
        #expect(none < 1024, "fadvise_hint=0: \(none) device reads")
    }

    @Test(.enabled(if: loopDevicesUsable, "needs root and losetup")) func preReadServesTheJobFromThePageCache() throws {
        // A fresh loop device has nothing cached. With pre_read the 16 MiB region is read
        // once in 1 MiB requests (a few dozen device reads) and the 4096 random 4 KiB reads
        // hit the cache; without it (invalidate=1) each of them goes to the device.
        let loop = try #require(LoopDevice())
        func reads(_ option: String) throws -> UInt64 {
            try deviceIOs(during: "[r]\nfilename=\(loop.path)\nrw=randread\nbs=4k\nsize=16m\n\(option)\n",
                          on: loop.path, moving: 16 << 20, dir: 0).reads
        }
        let pre = try reads("pre_read=1"), plain = try reads("pre_read=0")
        // Loose on purpose: this VM may drop a few cached pages while other tests stream.
        #expect(pre > 0 && pre < plain / 4, "pre_read=1: \(pre) device reads, pre_read=0: \(plain)")
        #expect(plain >= 4096, "pre_read=0: \(plain) device reads")
    }

    @Test func createOnlyLaysOutTheFileAndRunsNoIO() throws {
        // fio 3.33 with create_only=1: the file is laid out to its size, and no I/O is counted.
        let f = "/var/tmp/swio-create-only-\(getpid()).dat"
        defer { unlink(f) }
        let (result, report) = try runJobs("[c]\nfilename=\(f)\nrw=randread\nsize=1m\ncreate_only=1\n")
        #expect(result.jobs[0].stats.firstError == 0 && result.jobs[0].end == .done)
        #expect(report.entries[0].stats.dirs.allSatisfy { $0.ios == 0 })
        var st = stat()
        #expect(stat(f, &st) == 0 && st.st_size == 1 << 20)
    }

    /// Whether this kernel's loop devices offer both the mq-deadline and none schedulers
    /// (mq-deadline may be left out of the kernel), found once on a loop device of its own.
    static let loopSchedulersSwitchable: Bool = {
        guard loopDevicesUsable, let loop = LoopDevice(sizeMB: 1) else { return false }
        return withExtendedLifetime(loop) { () -> Bool in
            let sched = "/sys/block/\((loop.path as NSString).lastPathComponent)/queue/scheduler"
            guard let offered = try? String(contentsOfFile: sched, encoding: .utf8) else { return false }
            return offered.contains("mq-deadline") && offered.contains("none")
        }
    }()

    @Test(.enabled(if: loopDevicesUsable, "needs root and losetup"),
          .enabled(if: JobOptionTests.loopSchedulersSwitchable, "needs loop devices that offer the mq-deadline and none schedulers"))
    func ioschedulerSwitchesTheDisk() throws {
        let loop = try #require(LoopDevice())
        let sched = "/sys/block/\((loop.path as NSString).lastPathComponent)/queue/scheduler"
        let offered = try String(contentsOfFile: sched, encoding: .utf8)
        try #require(offered.contains("mq-deadline") && offered.contains("none"), "\(sched) offers \(offered)")
        for s in ["mq-deadline", "none"] {
            let (result, _) = try runJobs("[r]\nfilename=\(loop.path)\nrw=read\nsize=1m\nioscheduler=\(s)\n")
            #expect(result.jobs[0].stats.firstError == 0)
            #expect(try String(contentsOfFile: sched, encoding: .utf8).contains("[\(s)]"))
        }
        let (bad, _) = try runJobs("[r]\nfilename=\(loop.path)\nrw=read\nsize=1m\nioscheduler=nosuch\n")
        let message = bad.jobs[0].stats.firstErrorMessage ?? ""
        #expect(bad.jobs[0].stats.firstError != 0 && message.contains("ioscheduler") && message.contains("mq-deadline"), "\(message)")
    }

    @Test(.enabled(if: loopDevicesUsable, "needs root and losetup"), arguments: ["1", "dsync"])
    func syncWritesEachBlockThrough(sync: String) throws {
        // O_SYNC/O_DSYNC: each 4 KiB buffered write reaches the device before it returns, so
        // 1 MiB takes at least 256 device writes. Without it the page cache gathers them and
        // the device sees a few large writes when the job closes the device.
        let loop = try #require(LoopDevice())
        func writes(_ option: String) throws -> UInt64 {
            try deviceIOs(during: "[w]\nfilename=\(loop.path)\nrw=write\nbs=4k\nsize=1m\n\(option)\n",
                          on: loop.path, moving: 1 << 20, dir: 1).writes
        }
        let synced = try writes("sync=\(sync)"), buffered = try writes("sync=none")
        #expect(synced >= 256, "sync=\(sync): \(synced) device writes")
        #expect(buffered < 64, "sync=none: \(buffered) device writes")
    }

    @Test func offsetIncrementGivesEachCloneItsOwnRegion() throws {
        let f = "/var/tmp/swio-offset-increment-\(getpid()).dat"
        defer { unlink(f) }
        let (result, report) = try runJobs("""
        [w]
        filename=\(f)
        rw=write
        bs=64k
        size=1m
        offset=512k
        offset_increment=1m
        numjobs=3
        """)
        #expect(result.jobs.map { $0.files[0].regionStart } == [512 << 10, 1536 << 10, 2560 << 10])
        #expect(report.entries.allSatisfy { $0.stats.dirs[1].bytes == 1 << 20 })
        // The last clone wrote up to 512k + 2m + 1m.
        var st = stat()
        #expect(stat(f, &st) == 0 && st.st_size == 3584 << 10)
    }

    @Test func percentageOffsetsAreAlignedAsFioAlignsThem() throws {
        // An 8 MiB file; the expected offsets are where fio 3.33 put each clone's first pwrite
        // (seen with strace): percentages of the file size are added, then rounded up to the
        // block size (10% = 838860.8 -> 851968 = 13 x 64k; 20% -> 1703936, not 2 x 851968).
        let f = "/var/tmp/swio-offset-percent-\(getpid()).dat"
        defer { unlink(f) }
        #expect(FileManager.default.createFile(atPath: f, contents: nil) && truncate(f, 8 << 20) == 0)
        func starts(_ options: String) throws -> [UInt64] {
            let (result, _) = try runJobs("[w]\nfilename=\(f)\nrw=write\nbs=64k\nsize=1m\n\(options)\n")
            #expect(result.jobs.allSatisfy { $0.stats.firstError == 0 })
            return result.jobs.map { $0.files[0].regionStart }
        }
        #expect(try starts("offset=10%\noffset_increment=10%\nnumjobs=3") == [851968, 1703936, 2555904])
        #expect(try starts("offset=1m\noffset_increment=5%\nnumjobs=2") == [1048576, 1507328])
        #expect(try starts("bs=4k\noffset_increment=30%\noffset_align=64k\nnumjobs=3") == [0, 2555904, 5046272])
    }

    @Test func percentagesOfFilesNotThereYetAsFio() throws {
        // File sizes fio 3.33 leaves behind, run side by side: a percentage of a file that
        // does not exist is of 0, except for clones that share it with the clone laying it out.
        let f = "/var/tmp/swio-pct-new-\(getpid()).dat"
        defer { unlink(f) }
        func sizeAfter(_ options: String, existing: Int? = nil) throws -> Int {
            unlink(f)
            if let existing { #expect(FileManager.default.createFile(atPath: f, contents: Data(count: existing))) }
            let (result, _) = try runJobs("[w]\nfilename=\(f)\nrw=write\nbs=64k\n\(options)\n")
            #expect(result.jobs.allSatisfy { $0.stats.firstError == 0 })
            var st = stat()
            return stat(f, &st) == 0 ? Int(st.st_size) : -1
        }
        #expect(try sizeAfter("offset=50%\nsize=1m") == 1048576)
        let two = try sizeAfter("offset=50%\nsize=1m\nnumjobs=2")
        #expect(two == 1572864, "\(two)")
        #expect(try sizeAfter("offset_increment=10%\nsize=4m\nio_size=256k\nnumjobs=3") == 5046272)
        // A percentage size ends at the file's end instead of growing it.
        #expect(try sizeAfter("size=25%\noffset_increment=25%\nnumjobs=4", existing: 1_000_000) == 1_000_000)
    }

    @Test func writesAreScrambledAsFiosAre() throws {
        // fio 3.33, 64 KiB in 4 KiB writes from one buffer: by default all 128 512-byte blocks
        // differ; scramble_buffers=0 leaves the 16 4 KiB chunks identical; zero_buffers and
        // buffer_pattern are written unchanged.
        let f = "/var/tmp/swio-scramble-\(getpid()).dat"
        defer { unlink(f) }
        func blocks(_ option: String) throws -> (unique512: Int, unique4k: Int, nonzero: Int) {
            unlink(f)
            let (result, _) = try runJobs("[w]\nfilename=\(f)\nrw=write\nbs=4k\nsize=64k\n\(option)\n")
            #expect(result.jobs[0].stats.firstError == 0)
            let d = try Data(contentsOf: URL(fileURLWithPath: f))
            #expect(d.count == 64 << 10)
            let b512 = Set(stride(from: 0, to: d.count, by: 512).map { d[$0..<$0 + 512] })
            let b4k = Set(stride(from: 0, to: d.count, by: 4096).map { d[$0..<$0 + 4096] })
            return (b512.count, b4k.count, d.filter { $0 != 0 }.count)
        }
        #expect(try blocks("").unique512 == 128)
        #expect(try blocks("scramble_buffers=0").unique4k == 1)
        #expect(try blocks("zero_buffers=1").nonzero == 0)
        #expect(try blocks("buffer_pattern=0xdeadbeef").unique512 == 1)
        // Spelled out, fio scrambles those too.
        #expect(try blocks("zero_buffers=1\nscramble_buffers=1").unique512 == 128)
    }

    @Test func ratePoissonSpacesIOsAtRandom() throws {
        // 2000 I/Os at rate_iops=1000, counted in 10 ms windows: linear issues ten in each (an
        // index of dispersion, variance over mean, near 0); poisson's counts vary as Poisson(10)
        // does (near 1). Windows, not single milliseconds, so a late wakeup on a busy machine
        // does not make linear look random. (fio 3.33 per millisecond: 0.01 and 0.89.)
        let dir = makeTempDir()
        defer { _ = try? FileManager.default.removeItem(atPath: dir) }
        func dispersion(_ process: String) throws -> Double {
            let (result, _) = try runJobs("[r]\nioengine=null\nsize=1g\nrate_iops=1000\nnumber_ios=2000\nrate_process=\(process)\nwrite_lat_log=\(dir)/\(process)\n")
            #expect(result.jobs[0].stats.firstError == 0)
            let ms = try String(contentsOfFile: "\(dir)/\(process)_clat.1.log", encoding: .utf8)
                .split(separator: "\n").compactMap { Int($0.split(separator: ",")[0]) }
            guard let lo = ms.min(), let hi = ms.max(), hi - lo >= 100 else { return -1 }
            // Whole windows only: the last, partial one is dropped.
            var counts = [Double](repeating: 0, count: (hi - lo) / 10)
            for t in ms where (t - lo) / 10 < counts.count { counts[(t - lo) / 10] += 1 }
            let mean = counts.reduce(0, +) / Double(counts.count)
            return counts.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(counts.count) / mean
        }
        let linear = try dispersion("linear"), poisson = try dispersion("poisson")
        #expect(linear >= 0 && linear < 0.35, "linear: \(linear)")
        #expect(poisson > 0.5 && poisson < 1.8, "poisson: \(poisson)")
    }

    @Test func perJobLogsZeroSharesOneLogName() throws {
        // fio 3.33: NAME_bw.1.log per job by default, NAME_bw.log with per_job_logs=0.
        let dir = makeTempDir()
        defer { _ = try? FileManager.default.removeItem(atPath: dir) }
        _ = try runJobs("[a]\nioengine=null\nsize=1m\nwrite_bw_log=\(dir)/pj\n")
        _ = try runJobs("[a]\nioengine=null\nsize=1m\nwrite_bw_log=\(dir)/shared\nper_job_logs=0\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["pj_bw.1.log", "shared_bw.log"])
        // Jobs sharing a log append to it (fio: both clones' 256 entries in one file).
        _ = try runJobs("[s]\nioengine=null\nsize=1m\nnumjobs=2\nwrite_bw_log=\(dir)/both\nper_job_logs=0\n")
        let lines = try String(contentsOfFile: dir + "/both_bw.log", encoding: .utf8).split(separator: "\n").count
        #expect(lines == 512, "\(lines) lines")
        // Bare, the log is named after the job (fio 3.33: z_bw.1.log).
        var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
        let bare = try JobConfig(p.parse(text: "[z]\nwrite_bw_log\nwrite_lat_log=lat\n", file: "b.fio").jobs[0])
        #expect(bare.bwLog == "z" && bare.latLog == "lat" && bare.iopsLog == nil)
    }

    @Test func diskUtilZeroLeavesTheDisksOut() throws {
        let f = "/var/tmp/swio-disk-util-\(getpid()).dat"
        defer { unlink(f) }
        let (withUtil, _) = try runJobs("[a]\nfilename=\(f)\nsize=1m\n")
        let (without, report) = try runJobs("[a]\nfilename=\(f)\nsize=1m\ndisk_util=0\n")
        #expect(!withUtil.disks.isEmpty)
        #expect(without.disks.isEmpty)
        #expect(try jsonObject(report.json().serialized())["disk_util"] == nil)
    }

    @Test(.enabled(if: loopDevicesUsable, "needs root and losetup"),
          .enabled(if: which("mkfs.ext4") != nil && which("mount") != nil && which("umount") != nil, "needs mkfs.ext4, mount and umount"),
          .enabled(if: tmpfsMountable, "needs root and mounts (tmpfsMountable)"))
    func writesToAMountedDeviceAreRefusedUnlessAllowed() throws {
        let loop = try #require(LoopDevice())
        let mkfs = try #require(which("mkfs.ext4"))
        let mount = try #require(which("mount"))
        let umount = try #require(which("umount"))
        let made = try sh(mkfs, ["-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", loop.path])
        try #require(made.status == 0, "mkfs.ext4 failed on \(loop.path): \(made.err)")
        let dir = makeTempDir()
        // Read-only, so that nothing but the job could change the device while it is compared
        // (a read-write ext4 went on writing after the mount, and the test failed now and then).
        let mounted = try sh(mount, ["-o", "ro", loop.path, dir])
        try #require(mounted.status == 0, "mount -o ro \(loop.path) failed: \(mounted.err)")
        defer { _ = try? sh(umount, [dir]); rmdir(dir) }
        let device = { () throws -> Data in
            let h = try #require(FileHandle(forReadingAtPath: loop.path))
            defer { try? h.close() }
            return try #require(try h.read(upToCount: 64 << 20))
        }
        let before = try device()

        let (refused, _) = try runJobs("[w]\nfilename=\(loop.path)\nrw=write\nbs=4k\nsize=1m\n")
        let message = refused.jobs[0].stats.firstErrorMessage ?? ""
        #expect(refused.jobs[0].stats.firstError != 0 && refused.jobs[0].stats.dirs[1].bytes == 0)
        #expect(message.contains("mounted on \(dir)") && message.contains("allow_mounted_write=1"), "\(message)")
        #expect(try device() == before, "the mounted filesystem's device changed")
        // Reading is harmless and runs; so does a write the user allowed (at the device's end,
        // where this filesystem keeps nothing yet).
        let (read, _) = try runJobs("[r]\nfilename=\(loop.path)\nrw=read\nsize=1m\n")
        #expect(read.jobs[0].stats.firstError == 0)
        let (allowed, _) = try runJobs("[w]\nfilename=\(loop.path)\nrw=write\nbs=4k\noffset=63m\nsize=1m\nallow_mounted_write=1\n")
        #expect(allowed.jobs[0].stats.firstError == 0 && allowed.jobs[0].stats.dirs[1].bytes == 1 << 20)
    }

    @Test(.enabled(if: loopDevicesUsable, "needs root and losetup")) func writesToAnExclusivelyClaimedDeviceAreRefused() throws {
        // What holds a device without a mount or swap entry (LVM, md, another namespace's
        // mount) claims it exclusively; this test's own O_EXCL open stands in for one.
        let loop = try #require(LoopDevice())
        let claim = open(loop.path, O_RDONLY | O_EXCL)
        #expect(claim >= 0)
        defer { close(claim) }
        let (refused, _) = try runJobs("[w]\nfilename=\(loop.path)\nrw=write\nbs=4k\nsize=64k\n")
        let message = refused.jobs[0].stats.firstErrorMessage ?? ""
        #expect(refused.jobs[0].stats.dirs[1].bytes == 0 && message.contains("in use by the kernel"), "\(message)")
        let (read, _) = try runJobs("[r]\nfilename=\(loop.path)\nrw=read\nsize=64k\n")
        #expect(read.jobs[0].stats.firstError == 0)
    }

    @Test func diskAndPartitionOverlap() {
        // Writing a whole disk destroys a filesystem mounted from one of its partitions, and
        // the other way round; sibling partitions and other disks are separate.
        let disk = "/sys/devices/virtual/block/loop0", part = disk + "/loop0p1"
        #expect(BlockDeviceUse.overlaps(disk, part) && BlockDeviceUse.overlaps(part, disk) && BlockDeviceUse.overlaps(disk, disk))
        #expect(!BlockDeviceUse.overlaps(part, disk + "/loop0p2") && !BlockDeviceUse.overlaps(disk, disk + "0"))
        #expect(BlockDeviceUse.unescape("/mnt/a\\040b") == "/mnt/a b")
    }

    /// The CPUs this thread may run on, from the kernel (/proc/thread-self/status).
    static func threadAffinity() -> [Int] {
        guard let status = try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return [] }
        let list = line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
        return (try? JobConfig.parseCPUList(list)) ?? []
    }

    @Test(.enabled(if: Set(JobOptionTests.threadAffinity()).isSuperset(of: [0, 1]), "needs a process that may run on CPUs 0 and 1"),
          arguments: ["split", "shared"])
    func cpusAllowedPolicy(policy: String) throws {
        var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
        let parsed = try p.parse(text: "[a]\nioengine=null\nsize=1m\nnumjobs=4\ncpus_allowed=0-1\ncpus_allowed_policy=\(policy)\n", file: "test.fio")
        let seen = Mutex<[Int: [Int]]>([:])
        let runner = Runner(executor: { job in
            let cpus = JobOptionTests.threadAffinity()
            seen.withLock { $0[job.config.definition.cloneIndex] = cpus }
            job.config.engine.run(job)
        })
        let result = runner.run(try parsed.jobs.map { try JobConfig($0) })
        #expect(result.jobs.allSatisfy { $0.end == .done && $0.warnings.isEmpty })
        let masks = seen.withLock { m in (0..<4).map { m[$0] ?? [] } }
        // split: fio gives job N CPU number N of the set, wrapping round; shared: the whole set.
        #expect(masks == (policy == "split" ? [[0], [1], [0], [1]] : Array(repeating: [0, 1], count: 4)))
    }

    @Test func niceAndIOPriorityApplyToTheJobThread() throws {
        var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
        let parsed = try p.parse(text: """
        [global]
        ioengine=null
        size=64k
        [a]
        nice=5
        prio=6
        [b]
        prioclass=3
        [c]
        [d]
        prioclass=0
        prio=3
        """, file: "test.fio")
        // nice is relative to where the test runs, as fio's nice() is.
        errno = 0
        let base = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        // The kernel's view from inside each job thread: (nice, ioprio_get).
        let seen = Mutex<[String: (Int32, Int32)]>([:])
        let runner = Runner(executor: { job in
            errno = 0
            let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            let prio = cswio_ioprio_get()
            seen.withLock { $0[job.config.name] = (nice, prio) }
            job.config.engine.run(job)
        })
        let result = runner.run(try parsed.jobs.map { try JobConfig($0) })
        #expect(result.jobs.allSatisfy { $0.end == .done && $0.stats.firstError == 0 })
        let s = seen.withLock { $0 }
        #expect(s["a"]?.0 == min(19, base + 5) && s["a"]?.1 == (2 << 13) | 6, "a: \(String(describing: s["a"]))")   // best-effort, level 6
        #expect(s["b"]?.1 == 3 << 13, "b: \(String(describing: s["b"]))")                            // idle
        #expect(s["c"]?.0 == base && s["c"]?.1 != (3 << 13), "c: \(String(describing: s["c"]))")    // untouched
        let d: Int32? = s["d"]?.1
        #expect(d == Int32((2 << 13) | 3), "d: \(String(describing: s["d"]))")                     // class 0 = best-effort, as fio
    }

    @Test func thinktimeSpinBurnsCPUInsteadOfSleeping() throws {
        // 30 pauses of 20 ms: spun, they cost the job thread CPU time; slept, nearly none. The
        // bounds are loose (a sixth of 600 ms) so that a busy machine does not decide them.
        func cpuMs(spin: Int) throws -> Int {
            let (result, _) = try runJobs("[t]\nioengine=null\nsize=1m\nnumber_ios=31\nthinktime=20000\nthinktime_spin=\(spin)\n")
            #expect(result.jobs[0].stats.firstError == 0)
            let c = result.jobs[0].stats.cpu
            return (c.userUs + c.systemUs) / 1000
        }
        // (A sleep spins its last stretch, which grows when a busy machine wakes it late: so the
        // slept job is compared with the spun one, not with a fixed bound.)
        let spun = try cpuMs(spin: 20000), slept = try cpuMs(spin: 0)
        #expect(spun >= 100, "spun: \(spun) ms of CPU")
        #expect(slept * 2 < spun, "slept: \(slept) ms of CPU, spun: \(spun) ms")
    }

    @Test func exitallOnErrorStopsTheOtherJobsOfItsGroup() throws {
        // As fio 3.33 (run side by side): an I/O error (an unaligned O_DIRECT read) in 'bad'
        // stops 'long', which would run for 20 s; 'c', after a stonewall, is another group and
        // runs. A job that fails before its first I/O (cannot open its file) stops nothing.
        let f = "/var/tmp/swio-exitall-\(getpid()).dat"
        defer { unlink(f) }
        let s = try sh(swioBinary, ["--output-format=json", "--exitall_on_error",
                                    "--name=bad", "--filename=\(f)", "--rw=read", "--bs=1000", "--size=64000", "--direct=1",
                                    "--name=long", "--ioengine=null", "--size=1g", "--time_based", "--runtime=20",
                                    "--name=c", "--stonewall", "--ioengine=null", "--size=1m"])
        let jobs = try #require(try jsonObject(s.out)["jobs"] as? [[String: Any]])
        func job(_ name: String) -> [String: Any]? { jobs.first { $0["jobname"] as? String == name } }
        let ms = try #require(job("long")?["job_runtime"] as? Int)
        #expect(ms < 10_000, "the long job ran \(ms) ms")
        #expect(job("bad")?["error"] as? Int == Int(EINVAL))
        #expect((job("c")?["read"] as? [String: Any])?["io_bytes"] as? Int == 1 << 20, "the next group ran")
        // An error exit, as fio's, not an interrupted one.
        #expect(s.status == 1 && !s.err.contains("interrupted"), "exit \(s.status): \(s.err)")

        let setup = try sh(swioBinary, ["--output-format=json", "--exitall_on_error",
                                        "--name=bad", "--filename=/dev/null/x", "--size=1m",
                                        "--name=long", "--ioengine=null", "--size=1g", "--time_based", "--runtime=1"])
        let sj = try #require(try jsonObject(setup.out)["jobs"] as? [[String: Any]])
        #expect(sj.first { $0["jobname"] as? String == "long" }?["job_runtime"] as? Int ?? 0 >= 900)
    }

    @Test(arguments: ["all", "stonewall"])
    func exitWhatDecidesWhetherTheNextGroupRuns(what: String) throws {
        // fio 3.33 (run side by side): A ends at once and stops B; C, after a stonewall, runs
        // with exit_what=stonewall (and group) but not with exit_what=all.
        let s = try sh(swioBinary, ["--output-format=json", "--exitall", "--exit_what=\(what)",
                                    "--name=A", "--ioengine=null", "--size=1m",
                                    "--name=B", "--ioengine=null", "--size=1g", "--time_based", "--runtime=20",
                                    "--name=C", "--stonewall", "--ioengine=null", "--size=1m"])
        let jobs = try #require(try jsonObject(s.out)["jobs"] as? [[String: Any]])
        let c = (jobs.first { $0["jobname"] as? String == "C" }?["read"] as? [String: Any])?["io_bytes"] as? Int
        #expect(c == (what == "all" ? 0 : 1 << 20), "C read \(c.map(String.init) ?? "nothing")")
        #expect(s.status == 0 && !s.err.contains("interrupted"), "exit \(s.status): \(s.err)")
    }

    @Test(arguments: ["group", "stonewall"])
    func exitallReachesOnlyItsGroupWhenGroupsOverlap(what: String) throws {
        // fio 3.33 (run side by side): groups 0 (A) and 1 (B, C) run at once (new_group, no
        // stonewall). B ends at once; with exit_what=group that stops C, and A runs its 3 s;
        // with exit_what=stonewall it stops every running job, A too.
        let s = try sh(swioBinary, ["--output-format=json", "--exit_what=\(what)",
                                    "--name=A", "--ioengine=null", "--size=1g", "--time_based", "--runtime=3",
                                    "--name=B", "--new_group", "--ioengine=null", "--size=1m", "--exitall",
                                    "--name=C", "--ioengine=null", "--size=1g", "--time_based", "--runtime=20"])
        let jobs = try #require(try jsonObject(s.out)["jobs"] as? [[String: Any]])
        func ms(_ name: String) -> Int { jobs.first { $0["jobname"] as? String == name }?["job_runtime"] as? Int ?? -1 }
        #expect(ms("C") >= 0 && ms("C") < 2000, "C ran \(ms("C")) ms")
        if what == "group" { #expect(ms("A") >= 2900, "A ran \(ms("A")) ms") } else { #expect(ms("A") >= 0 && ms("A") < 2000, "A ran \(ms("A")) ms") }
        #expect(s.status == 0, "exit \(s.status): \(s.err)")
    }

    @Test func exitWhatStonewallLeavesJobsThatHaveNotStarted() throws {
        // fio 3.33: exit_what=stonewall reaches running jobs only; B, still in its startdelay
        // when A ends, runs afterwards and reads its 1 MiB.
        let s = try sh(swioBinary, ["--output-format=json", "--exitall", "--exit_what=stonewall",
                                    "--name=A", "--ioengine=null", "--size=1m",
                                    "--name=B", "--ioengine=null", "--size=1m", "--startdelay=2"])
        let jobs = try #require(try jsonObject(s.out)["jobs"] as? [[String: Any]])
        let b = (jobs.first { $0["jobname"] as? String == "B" }?["read"] as? [String: Any])?["io_bytes"] as? Int
        #expect(b == 1 << 20, "B read \(b.map(String.init) ?? "nothing")")
    }

    @Test func exitallEndsAThinktimeWaitAndSkipsItsIO() throws {
        // fio 3.33: B reads one block, then thinks for 20 s; A ends a second in and stops it.
        // B's run ends then (not after 20 s), and the I/O after the wait is not issued.
        let s = try sh(swioBinary, ["--output-format=json", "--exitall",
                                    "--name=A", "--ioengine=null", "--size=1m", "--startdelay=1",
                                    "--name=B", "--ioengine=null", "--size=1m", "--thinktime=20s"])
        let jobs = try #require(try jsonObject(s.out)["jobs"] as? [[String: Any]])
        let b = try #require(jobs.first { $0["jobname"] as? String == "B" })
        #expect((b["read"] as? [String: Any])?["io_bytes"] as? Int == 4096)
        #expect((b["job_runtime"] as? Int ?? 99_999) < 5000, "B ran \(b["job_runtime"] ?? "?") ms")
    }

    @Test func writeIologAsFioWritesIt() throws {
        // fio 3.33's log of the same job (two files, fsync=2): a version 3 header; add and open
        // for each file; the writes alternating il1/il2; a sync in place of the I/O after every
        // 2nd write, none after the last; close. fio syncs the file whose turn is next; swio
        // the file just written (see IOLoop.syncFile). Timestamps are each tool's own.
        let dir = makeTempDir()
        let a = "\(dir)/il1", b = "\(dir)/il2", log = "\(dir)/io.log"
        func body(_ fsync: Int) throws -> [String] {
            unlink(log)
            let (result, _) = try runJobs("[w]\nfilename=\(a):\(b)\nrw=write\nbs=4k\nsize=32k\nfsync=\(fsync)\nwrite_iolog=\(log)\n")
            #expect(result.jobs[0].stats.firstError == 0)
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.first == "fio version 3 iolog")
            // Timestamps (us since setup) never go backwards.
            let times = lines.dropFirst().compactMap { UInt64($0.split(separator: " ")[0]) }
            #expect(times.count == lines.count - 1 && times == times.sorted())
            return lines.dropFirst().map { $0.split(separator: " ").dropFirst().joined(separator: " ") }
        }
        #expect(try body(2) == ["\(a) add", "\(b) add", "\(a) open", "\(b) open",
                                "\(a) write 0 4096", "\(b) write 0 4096", "\(b) sync 0 0",
                                "\(a) write 4096 4096", "\(b) write 4096 4096", "\(b) sync 0 0",
                                "\(a) write 8192 4096", "\(b) write 8192 4096", "\(b) sync 0 0",
                                "\(a) write 12288 4096", "\(b) write 12288 4096",
                                "\(a) close", "\(b) close"])
        // With a sync after every write, each block of each file is still written once.
        let writes = try body(1).filter { $0.contains(" write ") }
        #expect(Set(writes).count == 8 && writes.count == 8, "\(writes)")
        // end_fsync's sync is logged before the close, as fio logs it, and, as in fio, is not
        // counted in the sync statistics.
        unlink(log)
        let (_, endReport) = try runJobs("[w]\nfilename=\(a)\nrw=write\nbs=4k\nsize=8k\nend_fsync=1\nwrite_iolog=\(log)\n")
        #expect(endReport.entries[0].stats.syncIOs == 0 && endReport.entries[0].stats.syncLat.n == 0)
        let ends = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").suffix(2).map { $0.split(separator: " ").dropFirst(2).joined(separator: " ") }
        #expect(ends == ["sync 0 0", "close"], "\(ends)")
        // The log is appended to, as fio opens it: two runs, two headers.
        _ = try runJobs("[w]\nfilename=\(a)\nrw=read\nbs=4k\nsize=8k\nwrite_iolog=\(log)\n")
        let all = try String(contentsOfFile: log, encoding: .utf8)
        #expect(all.components(separatedBy: "fio version 3 iolog").count == 3)
    }

    @Test func exitallOnAnyJobAppliesToEveryJob() throws {
        // fio 3.33: exitall is global; with it set on B only, A ending (at once) stops B.
        let s = try sh(swioBinary, ["--output-format=json", "--name=A", "--ioengine=null", "--size=1m",
                                    "--name=B", "--ioengine=null", "--size=1g", "--time_based", "--runtime=20", "--exitall"])
        let jobs = try #require(try jsonObject(s.out)["jobs"] as? [[String: Any]])
        let ms = try #require(jobs.first { $0["jobname"] as? String == "B" }?["job_runtime"] as? Int)
        #expect(ms < 10_000, "B ran \(ms) ms")
    }

    @Test func percentageOffsetsOfALaterGroupGoByTheFileAsThatGroupFindsIt() throws {
        // fio 3.33 (strace of its pwrites): group 1 writes 128 KiB; in group 2 both clones of
        // offset=50% start at 64 KiB.
        let f = "/var/tmp/swio-group-offset-\(getpid()).dat"
        defer { unlink(f) }
        unlink(f)
        let (result, _) = try runJobs("[w]\nfilename=\(f)\nrw=write\nbs=4k\nsize=128k\n[r]\nstonewall\nfilename=\(f)\nrw=write\nbs=4k\nsize=16k\noffset=50%\nnumjobs=2\n")
        #expect(result.jobs.map { $0.files.first?.regionStart ?? 1 } == [0, 65536, 65536])
    }

    @Test func exitallStopsTheOthersWithoutAnError() throws {
        let s = try sh(swioBinary, ["--output-format=json", "--exitall",
                                    "--name=short", "--ioengine=null", "--size=1m",
                                    "--name=long", "--ioengine=null", "--size=1g", "--time_based", "--runtime=20"])
        let jobs = try #require(try jsonObject(s.out)["jobs"] as? [[String: Any]])
        let ms = try #require(jobs.first { $0["jobname"] as? String == "long" }?["job_runtime"] as? Int)
        #expect(ms < 10_000, "the long job ran \(ms) ms")
        #expect(s.status == 0 && !s.err.contains("interrupted"), "exit \(s.status): \(s.err)")
    }
}
