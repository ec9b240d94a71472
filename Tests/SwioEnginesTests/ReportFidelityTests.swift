import Testing
import Foundation
@testable import SwioCore
import SwioEngines

/// Report and runner details checked against fio 3.33 side by side (values in the comments).
@Suite struct ReportFidelityTests {
    func scratchFile(_ size: Int = 1 << 20) throws -> String {
        let f = makeTempDir() + "/f"
        try Data(count: size).write(to: URL(fileURLWithPath: f))
        return f
    }

    /// A bw sample interval that ends within the run and an iops one that does not: fio prints
    /// the bw line alone (swio used to trap converting the empty iops minimum, +infinity).
    @Test func textReportPrintsOnlyTheSampleLinesThatHaveSamples() throws {
        let f = try scratchFile()
        let (_, report) = try runJobs("[t]\nfilename=\(f)\nrw=read\nbs=4k\ntime_based\nruntime=300ms\nbwavgtime=100\niopsavgtime=5000\n")
        let s = report.entries[0].stats.dirs[0]
        #expect(s.bwSamples.n > 0 && s.iopsSamples.n == 0)
        let text = report.text()
        #expect(text.contains("   bw (") && !text.contains("   iops        :"))
    }

    /// fio's reset_io_stats() clears the depth maps when ramp_time ends, so iodepth_level is
    /// of the measured I/Os only (fio 3.33, psync fsync=8 after a ramp: 1=112.5%).
    @Test func rampTimeResetsTheDepthMaps() throws {
        let f = try scratchFile(4 << 20)
        let (_, report) = try runJobs("[t]\nfilename=\(f)\nrw=write\nbs=4k\nfsync=8\ntime_based\nramp_time=200ms\nruntime=300ms\n")
        let s = report.entries[0].stats
        let level1 = Report.depthLevels(s)[0]
        #expect(abs(level1 - 112.5) < 0.5, "\(level1)")
        // The I/O whose completion ends the ramp was submitted before the reset.
        let submits = s.depthSubmit.array.reduce(0, +), issued = s.dirs[1].totalIOs + s.syncIOs
        #expect(submits <= issued && submits + 1 >= issued, "\(submits) \(issued)")
    }

    /// A think longer than the runtime left ends with the run (fio's handle_thinktime() caps
    /// it; a thinktime=3s runtime=1 job took 3 s in 3.33, 1 s after that fix).
    @Test func thinktimeStopsAtTheRuntime() throws {
        let f = try scratchFile()
        let start = Date()
        let (_, report) = try runJobs("[t]\nfilename=\(f)\nrw=read\nbs=4k\nthinktime=3s\nthinktime_blocks=10\ntime_based\nruntime=300ms\n")
        #expect(Date().timeIntervalSince(start) < 2)
        #expect(report.entries[0].stats.dirs[0].ios == 10)
        #expect(report.entries[0].runtimeMs(0) < 1000)
    }

    /// A direction that moved nothing in an interval adds no sample (fio's __add_samples()):
    /// rw=randrw with rwmixread=100 has no write samples in fio 3.33.
    @Test func idleDirectionsAddNoBandwidthSamples() throws {
        let f = try scratchFile()
        let (_, report) = try runJobs("[t]\nfilename=\(f)\nrw=randrw\nrwmixread=100\nbs=4k\ntime_based\nruntime=300ms\nbwavgtime=100\niopsavgtime=100\n")
        let s = report.entries[0].stats
        #expect(s.dirs[0].bwSamples.n > 0)
        #expect(s.dirs[1].bwSamples.n == 0 && s.dirs[1].iopsSamples.n == 0)
    }

    /// group_reporting adds samples up as fio's sum_stat(pure_sum) does: the group's mean is
    /// the sum of the jobs' means, and min/max are summed too.
    @Test func groupReportingSumsBandwidthSamples() {
        var a = SampleStat(), b = SampleStat()
        for v in [100.0, 200, 300] { a.add(v) }
        for v in [10.0, 30] { b.add(v) }
        var g = a
        g.mergeSum(b)
        #expect(g.mean == 220 && g.min == 110 && g.max == 330 && g.n == 5)
        #expect(abs(g.stddev - (a.m2 + b.m2).squareRoot() / 2) < 1e-9)
        #expect(Report.shareOfAggregate(200, 100 * 1024) == 100)   // capped as fio's p_of_agg
        #expect(Report.shareOfAggregate(50, 200 * 1024) == 25)
    }

    /// With filesize= the files have that size and size= only limits the I/O (fio 3.33:
    /// filesize=64m size=8m read 8 MiB; filesize=16m size=64m read 16 MiB).
    @Test func sizeLimitsTheIOWhenFilesizeIsGiven() throws {
        let dir = makeTempDir()
        let (_, small) = try runJobs("[t]\nfilename=\(dir)/a\nrw=read\nbs=64k\nfilesize=1m\nsize=256k\n")
        #expect(small.entries[0].stats.dirs[0].bytes == 256 << 10)
        let (_, large) = try runJobs("[t]\nfilename=\(dir)/b\nrw=read\nbs=64k\nfilesize=256k\nsize=1m\n")
        #expect(large.entries[0].stats.dirs[0].bytes == 256 << 10)
    }

    /// fio 3.33 makes the missing directories of a filename= (mode 0700) and runs.
    @Test func missingParentDirectoriesOfAFileAreCreated() throws {
        let dir = makeTempDir()
        let (_, report) = try runJobs("[t]\nfilename=\(dir)/a/b/f\nrw=write\nbs=4k\nsize=64k\n")
        #expect(report.entries[0].error == 0)
        var st = stat()
        #expect(stat(dir + "/a/b", &st) == 0 && st.st_mode & 0o777 == 0o700)
        #expect(stat(dir + "/a/b/f", &st) == 0 && st.st_size == 64 << 10)
        // Under directory=, what the filename adds is made; a missing directory= is an error.
        let (_, sub) = try runJobs("[t]\ndirectory=\(dir)\nfilename=c/f\nrw=write\nbs=4k\nsize=64k\n")
        #expect(sub.entries[0].error == 0 && stat(dir + "/c/f", &st) == 0)
        let (_, missing) = try runJobs("[t]\ndirectory=\(dir)/none\nfilename=c/f\nrw=write\nbs=4k\nsize=64k\n")
        #expect(missing.entries[0].error != 0 && stat(dir + "/none", &st) != 0)
    }

    /// The random map shortens an I/O to its free blocks only where the map's unit is the
    /// direction's own alignment and size: with ba=512 (which turns the map off) or a larger
    /// write size, every I/O keeps its bs (a 512-byte write would fail on a 4Kn disk with direct=1).
    @Test(arguments: [("bs=4k\nba=512\nrw=randwrite", 4096), ("bs=4k,64k\nrw=randrw", 65536)])
    func randomMapKeepsEachDirectionsBlockSize(options: String, writeSize: Int) throws {
        let dir = makeTempDir()
        _ = try runJobs("[t]\nfilename=\(dir)/f\nsize=2m\n\(options)\nwrite_iolog=\(dir)/il\n")
        let lines = try String(contentsOfFile: dir + "/il", encoding: .utf8).split(separator: "\n")
        var sizes: [Int] = []
        for line in lines {
            let f = line.split(separator: " ")
            if f.count == 5 && f[2] == "write", let n = Int(f[4]) { sizes.append(n) }
        }
        #expect(!sizes.isEmpty && sizes.allSatisfy { $0 == writeSize })
    }

    /// As fio 3.33: a random job aligned other than to its block size runs without the random
    /// map ("Any use of blockalign= turns off randommap"): randread bs=4k ba=16k over 4 MiB is
    /// 1024 I/Os, each 16k-aligned (swio had mapped 16k units and stopped after 256). A
    /// sequential job's blockalign changes nothing.
    @Test func blockalignTurnsTheRandomMapOff() throws {
        let dir = makeTempDir()
        let (r, report) = try runJobs("[t]\nfilename=\(dir)/f\nsize=4m\nbs=4k\nba=16k\nrw=randread\nwrite_iolog=\(dir)/il\n")
        #expect(r.jobs[0].config.norandommap && r.jobs[0].config.blockalignTurnsOffMap)
        #expect(report.entries[0].stats.dirs[0].ios == 1024 && report.entries[0].stats.dirs[0].bytes == 4 << 20)
        let offsets = try String(contentsOfFile: dir + "/il", encoding: .utf8).split(separator: "\n").compactMap { line -> UInt64? in
            let f = line.split(separator: " ")
            return f.count == 5 && f[2] == "read" ? UInt64(f[3]) : nil
        }
        #expect(offsets.count == 1024 && offsets.allSatisfy { $0 % 16384 == 0 })
        let (seq, _) = try runJobs("[t]\nfilename=\(dir)/f\nsize=4m\nbs=4k\nba=16k\nrw=read\n")
        #expect(!seq.jobs[0].config.norandommap && seq.jobs[0].stats.dirs[0].ios == 1024)
    }

    /// Mixed block sizes move exactly size, as in fio 3.33 (bsrange=4k-64k write of 4 MiB:
    /// 4194304 bytes): a sequential pass draws sizes again until one fits what is left, and a
    /// random one shortens an I/O to the free blocks of its random map (mark_random_map()).
    @Test(arguments: ["rw=write\nbsrange=4k-64k", "rw=randwrite\nbssplit=4k/50:64k/50", "rw=write\nbssplit=4k/50:12k/50", "rw=randread\nbsrange=4k-64k"])
    func mixedBlockSizesMoveExactlyTheSize(options: String) throws {
        let f = try scratchFile(2 << 20)
        let (_, report) = try runJobs("[t]\nfilename=\(f)\nioengine=psync\nsize=2m\n\(options)\n")
        let s = report.entries[0].stats
        #expect(s.dirs[0].bytes + s.dirs[1].bytes == 2 << 20)
        #expect(s.dirs[0].ios + s.dirs[1].ios > 2 << 20 / (64 << 10))
    }

    /// A character device is used as it is, as fio 3.33 does: writes to a null device and
    /// reads of a zero device run; it is never laid out, truncated or unlinked (unlink=1).
    /// Private device nodes (root), so a regression cannot take the system's /dev/null.
    @Test(.enabled(if: getuid() == 0, "needs root for mknod"))
    func characterDevicesAreUsedAsTheyAre() throws {
        let dir = makeTempDir()
        // glibc makedev(1, 3): major << 8 | minor for small numbers.
        #expect(mknod(dir + "/null", S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0)
        #expect(mknod(dir + "/zero", S_IFCHR | 0o666, dev_t(1 << 8 | 5)) == 0)
        let (_, w) = try runJobs("[w]\nfilename=\(dir)/null\nrw=randwrite\nbs=4k\nsize=64k\nunlink=1\n")
        #expect(w.entries[0].error == 0 && w.entries[0].stats.dirs[1].bytes == 64 << 10)
        let (_, r) = try runJobs("[r]\nfilename=\(dir)/zero\nrw=read\nbs=4k\nsize=64k\n")
        #expect(r.entries[0].error == 0 && r.entries[0].stats.dirs[0].bytes == 64 << 10)
        var st = stat()
        #expect(stat(dir + "/null", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
    }

    /// With a bw/iops log and log_avg_msec=0, fio 3.33 makes every I/O a sample of the report's
    /// bw and iops statistics too (write_bw_log, 4 MiB of 4k writes: bw_samples=1024, iops
    /// samples of 1).
    @Test func perIOLogsMakeEveryIOASample() throws {
        let dir = makeTempDir()
        let (_, report) = try runJobs("[t]\nfilename=\(dir)/f\nrw=write\nbs=4k\nsize=256k\nwrite_bw_log=\(dir)/bw\nwrite_iops_log=\(dir)/io\n")
        let s = report.entries[0].stats.dirs[1]
        #expect(s.bwSamples.n == 64 && s.iopsSamples.n == 64)
        #expect(s.iopsSamples.mean == 1 && s.bwSamples.min > 0)
    }

    /// The null engine has no file, but fio 3.33 logs its I/O under the default file name.
    @Test func nullEngineWritesAnIolog() throws {
        let dir = makeTempDir()
        _ = try runJobs("[t]\nioengine=null\nrw=read\nbs=4k\nsize=16k\nwrite_iolog=\(dir)/il\n")
        let lines = try String(contentsOfFile: dir + "/il", encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").dropFirst().joined(separator: " ") }
        #expect(Array(lines.dropFirst()) == ["t.0.0 add", "t.0.0 open", "t.0.0 read 0 4096", "t.0.0 read 4096 4096",
                                             "t.0.0 read 8192 4096", "t.0.0 read 12288 4096", "t.0.0 close"])
    }

    /// trimwrite trims and then writes every block of size (fio 3.33, 1 MiB of 4k: 256 trims
    /// and 256 writes; number_ios=100: 100 of each).
    @Test(arguments: [("size=1m", 256), ("size=1m\nnumber_ios=100", 100), ("size=512k\nloops=2", 256)])
    func trimwriteDoesEachBlockBothWays(options: String, each: UInt64) throws {
        let (_, report) = try runJobs("[t]\nioengine=null\nrw=trimwrite\nbs=4k\n\(options)\n")
        let s = report.entries[0].stats
        #expect(s.dirs[2].ios == each && s.dirs[1].ios == each && s.dirs[1].bytes == s.dirs[2].bytes)
    }

    /// With loops, number_ios counts per loop (fio 3.33, 1 MiB of 4k: number_ios=100 loops=2
    /// makes 200 I/Os, number_ios=300 loops=2 makes 512, each loop capped by the size).
    @Test(arguments: [("number_ios=100\nloops=2", 200), ("number_ios=300\nloops=2", 512), ("number_ios=100", 100), ("loops=2", 512)])
    func numberIOsCountsPerLoop(options: String, ios: UInt64) throws {
        let (_, report) = try runJobs("[t]\nioengine=null\nrw=read\nbs=4k\nsize=1m\n\(options)\n")
        #expect(report.entries[0].stats.dirs[0].ios == ios)
    }

    /// A pass of a job that goes through its region in order (sequential, or random with the
    /// random map) ends where the region would start over; loops=N makes N passes, more follow
    /// while io_size is not reached by a whole block, and the last I/O may go past size or
    /// io_size. fio 3.33, null engine, 128k blocks: KiB moved.
    @Test(arguments: [("size=1m\nrw=read\nio_size=3m\nloops=2", 3072), ("size=1m\nrw=read\nio_size=1536k\nloops=2", 2048),
                      ("size=1m\nrw=randread\nio_size=2560k\nloops=2", 3072), ("size=1m\nrw=read\nio_size=1200k", 1280),
                      ("size=1m\nrw=read\nio_size=1100k", 1024), ("size=1m\nrw=randread\nnorandommap\nio_size=600k", 640),
                      ("size=1100k\nrw=read\nloops=2", 2048), ("size=1100k\nrw=randread\nnorandommap", 1152),
                      ("size=1m\nrw=read:256k\nloops=2", 2048), ("size=1m\nrw=randread\nnorandommap\nio_size=1536k\nloops=2", 3072),
                      ("size=1m\nrw=read\nio_size=512k\nloops=2", 1024), ("size=1m\nrw=read\nio_size=1536k\nloops=2\niodepth=4", 2048)])
    func passesEndWhereTheRegionStartsOver(options: String, kib: UInt64) throws {
        let (_, report) = try runJobs("[t]\nioengine=null\nbs=128k\n\(options)\n")
        #expect(report.entries[0].stats.dirs[0].bytes == kib << 10)
    }

    /// With several files a pass ends when every file has reached its end, and the next one
    /// starts them all over, from the first (fio 3.33, psync, filename=a:b size=32k loops=2:
    /// 16 writes; loops=3: 24; randread nrfiles=3 size=48k io_size=100k loops=2: 36).
    @Test(arguments: [("rw=write\nfilename=a:b\nsize=32k\nloops=2", 16), ("rw=write\nfilename=a:b\nsize=32k\nloops=3", 24),
                      ("rw=randread\nnrfiles=3\nsize=48k\nio_size=100k\nloops=2", 36), ("rw=read\nnrfiles=3\nsize=48k\nio_size=100k", 25)])
    func passesOverSeveralFiles(options: String, ios: UInt64) throws {
        let dir = makeTempDir()
        let (_, report) = try runJobs("[j]\ndirectory=\(dir)\nioengine=psync\nbs=4k\n\(options)\n")
        let s = report.entries[0].stats
        #expect(s.dirs[0].ios + s.dirs[1].ios == ios)
    }

    /// rw=read:8k wraps a skip that goes past the end inside the pass, but an I/O that ended
    /// right at the end ends the pass; without io_size no further pass follows (fio 3.33,
    /// null engine, 4k blocks: size=256k 22 I/Os, loops=2 44, size=260k 65, write:4k 64).
    /// A block that would run past the end ends the pass too (read:64k over 256k of 128k
    /// blocks: 1 I/O). A random job's :N is a count of I/Os per random offset, read as fio's
    /// atoi() reads it, and its sequential runs never end a pass (randread:2 over 64k: 16;
    /// randread:8k over 1100k of 128k: 9).
    @Test(arguments: [("read:8k\nsize=256k", 22), ("read:8k\nsize=256k\nloops=2", 44), ("read:8k\nsize=260k", 65), ("write:4k\nsize=256k", 64),
                      ("read:64k\nsize=256k\nbs=128k", 1), ("write:16k\nsize=1100k\nbs=128k", 7), ("randread:2\nsize=64k", 16),
                      ("randwrite:4\nsize=64k", 16), ("randread:8k\nsize=1100k\nbs=128k", 9)])
    func aSkipEndsThePassOnlyAtTheEnd(options: String, ios: UInt64) throws {
        let (_, report) = try runJobs("[t]\nioengine=null\nbs=4k\nrw=\(options)\n")
        let s = report.entries[0].stats
        #expect(s.dirs[0].ios + s.dirs[1].ios == ios)
    }

    /// A skip wraps inside the pass only past the end of the file, not of a smaller region
    /// (fio 3.33's get_next_seq_offset() compares with real_file_size). On a 4 MiB file with
    /// 4k blocks, as fio: read:4k size=1m is 128 I/Os and read:12k 64 (swio had wrapped at the
    /// region's end and read it twice: 256); without size 1024; read:8k size=4088k 341. With an
    /// offset, fio wraps to the offset taken as a position inside the region, and ends the pass
    /// when that is past it: read:4m offset=3m size=1m 1 I/O (swio had gone on from the region's
    /// start: 256), read:2m offset=1m 3, read:3m offset=512k 3, read:1m offset=1m size=2m 2.
    @Test(arguments: [("read:4k\nsize=1m", 128), ("read:12k\nsize=1m", 64), ("read:4k", 1024), ("read:8k\nsize=4088k", 341),
                      ("read:4k\noffset=1m\nsize=1m", 128), ("read:4m\noffset=3m\nsize=1m", 1), ("read:2m\noffset=1m", 3),
                      ("read:3m\noffset=512k", 3), ("read:1m\noffset=1m\nsize=2m", 2), ("read:8k\noffset=2m", 171)])
    func aSkipWrapsOnlyPastTheEndOfTheFile(options: String, ios: UInt64) throws {
        let f = try scratchFile(4 << 20)
        let (_, report) = try runJobs("[t]\nfilename=\(f)\nbs=4k\nrw=\(options)\n")
        #expect(report.entries[0].stats.dirs[0].ios == ios)
    }

    /// trimwrite across passes: each block is trimmed and then written, the pass's first block
    /// too, at any depth (the write of the trim that starts a pass had gone out before the
    /// pass ended).
    @Test(arguments: [1, 4])
    func trimwriteKeepsItsOrderAcrossPasses(depth: Int) throws {
        let dir = makeTempDir()
        _ = try runJobs("[t]\nioengine=null\niodepth=\(depth)\nrw=trimwrite\nbs=4k\nsize=32k\nloops=2\nwrite_iolog=\(dir)/log\n")
        let ops = try String(contentsOfFile: "\(dir)/log", encoding: .utf8).split(separator: "\n").dropFirst().compactMap { line -> String? in
            let w = line.split(separator: " ")
            return w[2] == "trim" || w[2] == "write" ? "\(w[2].first!)\(Int(w[3])! / 4096)" : (w[2] == "close" ? "|" : nil)
        }
        let pass = (0..<8).flatMap { ["t\($0)", "w\($0)"] }
        #expect(ops == pass + ["|"] + pass + ["|"], "\(ops)")
    }

    /// Each pass starts the region over, with the files closed and opened again (fio 3.33
    /// write_iolog, size=1m io_size=768k loops=2: blocks 0-7, close, open, then 0-3).
    @Test func aPassThatEndsMidLoopStartsTheRegionOver() throws {
        let dir = makeTempDir()
        let (_, report) = try runJobs("[t]\nioengine=null\nrw=read\nbs=128k\nsize=1m\nio_size=768k\nloops=2\nwrite_iolog=\(dir)/log\n")
        #expect(report.entries[0].stats.dirs[0].ios == 12)
        // "read N" for each block, and the files closed and opened again between passes.
        let events = try String(contentsOfFile: "\(dir)/log", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { line -> String in
                let w = line.split(separator: " ")
                return w[2] == "read" ? "\(Int(w[3])! / 131072)" : String(w[2])
            }
        #expect(events == ["add", "open", "0", "1", "2", "3", "4", "5", "6", "7", "close", "open", "0", "1", "2", "3", "close"])
    }

    /// "job options" are what the job's own section set: an option a [global] gave it is not
    /// listed even when a later [global] changes it, and one the section repeats is (fio 3.33:
    /// a {rw: read} although it ran with bs=4k and the final global bs is 8k; c {bs: 8k}).
    @Test func jobOptionsAreTheSectionsOwn() throws {
        let (_, report) = try runJobs("[global]\nioengine=null\nsize=1m\nbs=4k\n[a]\nrw=read\n[global]\nbs=8k\n[b]\nrw=write\n[c]\nbs=8k\n")
        guard case .array(let jobs)? = report.json()["jobs"] else { Issue.record("no jobs"); return }
        #expect(jobs[0]["job options"] == .object([("rw", .string("read"))]))
        #expect(jobs[1]["job options"] == .object([("rw", .string("write"))]))
        #expect(jobs[2]["job options"] == .object([("bs", .string("8k"))]))
        #expect(report.entries[0].stats.dirs[0].ios == 256)
    }

    /// A group_reporting group keeps its first job's name and lists its last job's options,
    /// from a job file and from the command line alike (fio 3.33: jobname a, rw=write bs=8k).
    @Test func groupListsItsLastJobsOptions() throws {
        let (_, report) = try runJobs("[global]\nioengine=null\nsize=1m\ngroup_reporting\n[a]\nrw=read\nbs=4k\n[b]\nrw=write\nbs=8k\n")
        let job = report.json()["jobs"].flatMap { if case .array(let a) = $0 { return a.first } else { return nil } }
        #expect(job?["jobname"] == .string("a"))
        #expect(job?["job options"] == .object([("rw", .string("write")), ("bs", .string("8k"))]))
    }

    /// ramp_time on a job with a size: the ramp's I/O counts toward size but not in the report,
    /// and a job that ends inside its ramp reports everything (fio 3.33, null engine, 4k
    /// writes at 400 IOPS after a 100 ms ramp: size=256k issues 64 and reports 23 (the 41st,
    /// which sees the ramp end, is dropped with it); size=64k reports all 16).
    @Test func rampTimeCountsTowardSizeAndAShortJobReportsAll() throws {
        let dir = makeTempDir()
        let (_, r) = try runJobs("[j]\nioengine=null\nrw=write\nbs=4k\nsize=256k\nramp_time=100ms\nrate_iops=400\nwrite_iolog=\(dir)/log\n")
        let issued = try String(contentsOfFile: "\(dir)/log", encoding: .utf8).split(separator: "\n").filter { $0.contains(" write ") }.count
        let w = r.entries[0].stats.dirs[1]
        #expect(issued == 64)
        #expect(w.ios >= 20 && w.ios <= 26 && w.bytes == w.ios * 4096, "\(w.ios)")
        #expect(r.entries[0].stats.depthLevel.array[0] == w.ios)
        let (_, short) = try runJobs("[j]\nioengine=null\nrw=write\nbs=4k\nsize=64k\nramp_time=100ms\n")
        #expect(short.entries[0].stats.dirs[1].ios == 16 && short.entries[0].stats.dirs[1].bytes == 64 << 10)
        #expect(short.entries[0].stats.depthLevel.array[0] == 16)
    }

    /// fio leaves "job options" out of a job that has none of its own, and the latency_*
    /// target keys out of a job that never reached its I/O loop (create_only=1, a failed open).
    @Test func jsonLeavesOutEmptyJobOptionsAndLatencyKeysOfJobsWithoutIO() throws {
        let dir = makeTempDir()
        let (_, report) = try runJobs("[global]\nioengine=null\nsize=1m\n[a]\n[c]\nioengine=psync\nfilename=\(dir)/c\nrw=write\ncreate_only=1\n")
        guard case .array(let jobs)? = report.json()["jobs"] else { Issue.record("no jobs"); return }
        #expect(jobs[0]["job options"] == nil && jobs[0]["latency_depth"] == .int(1))
        #expect(jobs[1]["job options"] != nil && jobs[1]["latency_depth"] == nil && jobs[1]["latency_window"] == nil)
    }

    /// create_on_open=1 lays nothing out: an existing file keeps its data. A read past its end
    /// returns 0 bytes, which an async engine's completion counts as an I/O that moved nothing
    /// and a sync engine fails with EIO (fio 3.33, 1 MiB file: io_uring iodepth=4 offset=2m
    /// size=1m, 256 I/Os of 0 bytes; offset=512k, 256 I/Os and 512 KiB; psync offset=512k,
    /// 128 reads, then EIO "full resid"). swio had laid the file out at open from offset 0,
    /// over the data already there.
    @Test(arguments: (ioUringAvailable ? [("io_uring", "2m", 0, 0), ("io_uring", "512k", 512 << 10, 0)] : []) + [("psync", "512k", 512 << 10, EIO)])
    func createOnOpenKeepsTheDataAndReadsPastTheEndReadNothing(engine: String, offset: String, bytes: UInt64, error: Int32) throws {
        let f = makeTempDir() + "/f"
        let data = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        try data.write(to: URL(fileURLWithPath: f))
        let (result, _) = try runJobs("[j]\nioengine=\(engine)\niodepth=4\nfilename=\(f)\nrw=read\nbs=4k\noffset=\(offset)\nsize=1m\ncreate_on_open=1\n")
        let r = result.jobs[0].stats.dirs[0]
        #expect(result.jobs[0].stats.firstError == error && r.bytes == bytes && r.shortIOs == 0, "\(r.totalIOs) \(r.bytes) \(r.shortIOs)")
        if error == 0 { #expect(r.totalIOs == 256) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: f)) == data)
    }

    /// filesize= is the file's size: the region runs from offset= to its end, and an offset at
    /// or past the end is an error (fio 3.33: filesize=2m offset=1m reads 1 MiB of a 2 MiB
    /// file; filesize=1m offset=2m: "you need to specify valid offset="). swio had grown the
    /// file to offset + filesize.
    @Test func filesizeIsTheFilesSizeWithAnOffset() throws {
        let dir = makeTempDir()
        let (ok, _) = try runJobs("[j]\nfilename=\(dir)/a\nrw=read\nbs=4k\nfilesize=2m\noffset=1m\n")
        #expect(ok.jobs[0].stats.dirs[0].bytes == 1 << 20)
        var st = stat()
        #expect(stat("\(dir)/a", &st) == 0 && st.st_size == 2 << 20)
        let (bad, _) = try runJobs("[j]\nfilename=\(dir)/b\nrw=read\nbs=4k\nfilesize=1m\noffset=2m\n")
        #expect(bad.jobs[0].stats.firstError != 0 && bad.jobs[0].stats.firstErrorMessage?.contains("offset") == true)
        #expect(stat("\(dir)/b", &st) != 0)
        // Without a size, an offset past an existing file's end says so (it had said "is empty").
        let (past, _) = try runJobs("[j]\nfilename=\(dir)/a\nrw=read\nbs=4k\noffset=3m\n")
        #expect(past.jobs[0].stats.firstErrorMessage?.contains("past the end of \(dir)/a (2097152 bytes)") == true, "\(past.jobs[0].stats.firstErrorMessage ?? "")")
    }

    /// total_err and first_error count only the errors the job went on past: continue_on_error
    /// goes on past EIO and EILSEQ unless ignore_error lists more, so an unaligned O_DIRECT read
    /// still stops the job and counts nothing (fio 3.33: error 22, total_err 0, first_error 0;
    /// with ignore_error=EINVAL, 100 reads of 1000 bytes: total_err 100, first_error 22).
    @Test(arguments: [("", 0, 0), ("ignore_error=EINVAL", 100, 22)])
    func totalErrCountsTheErrorsTheJobWentOnPast(extra: String, total: UInt64, first: Int64) throws {
        let f = "/var/tmp/swio-totalerr-\(getpid()).dat"
        defer { unlink(f) }
        try Data(count: 1 << 20).write(to: URL(fileURLWithPath: f))
        let (_, report) = try runJobs("[j]\nfilename=\(f)\nrw=read\nbs=1000\nsize=100000\ndirect=1\ncontinue_on_error=all\n\(extra)\n")
        guard case .array(let jobs)? = report.json()["jobs"] else { Issue.record("no jobs"); return }
        #expect(jobs[0]["error"] == .int(22))
        #expect(jobs[0]["total_err"] == .uint(total) && jobs[0]["first_error"] == .int(first), "\(String(describing: jobs[0]["total_err"])) \(String(describing: jobs[0]["first_error"]))")
    }

    /// allow_file_create=0: a missing file is an error and is not created; an existing one runs.
    @Test func allowFileCreateZeroNeverCreatesAFile() throws {
        let f = makeTempDir() + "/f"
        let (refused, _) = try runJobs("[j]\nfilename=\(f)\nrw=write\nbs=4k\nsize=64k\nallow_file_create=0\n")
        #expect(refused.jobs[0].stats.firstError != 0 && !FileManager.default.fileExists(atPath: f))
        #expect(refused.jobs[0].stats.firstErrorMessage?.contains("allow_file_create=0") == true)
        try Data(count: 65536).write(to: URL(fileURLWithPath: f))
        let (ran, _) = try runJobs("[j]\nfilename=\(f)\nrw=write\nbs=4k\nsize=64k\nallow_file_create=0\n")
        #expect(ran.jobs[0].stats.firstError == 0 && ran.jobs[0].stats.dirs[1].bytes == 65536)
    }

    /// A diskless job smaller than its block size is refused, as fio refuses it ("size too
    /// small, must not be less than minimum block size: 4096 < 8192"); swio had run one 4k write.
    @Test func nullJobSmallerThanItsBlockSizeIsRefused() throws {
        let (result, _) = try runJobs("[j]\nioengine=null\nrw=write\nsize=4k\nbs=8k\n")
        #expect(result.jobs[0].stats.firstError == EINVAL && result.jobs[0].stats.dirs[1].ios == 0)
        #expect(result.jobs[0].stats.firstErrorMessage?.contains("4096 < 8192") == true)
    }

    /// directory=d1:d2 hands the directories to numjobs clones in turn when the names are
    /// generated, and a job that names its files uses the first (fio 3.33: d1/b.0.0, d2/b.1.0,
    /// d1/b.2.0; nrfiles=2 puts both in d1; filename=x in d1).
    @Test func severalDirectoriesGoToClonesInTurn() throws {
        let dir = makeTempDir()
        for d in ["d1", "d2"] { mkdir("\(dir)/\(d)", 0o755) }
        _ = try runJobs("[global]\ndirectory=\(dir)/d1:\(dir)/d2\nrw=write\nbs=4k\nsize=16k\n[b]\nnumjobs=3\n[n]\nnrfiles=2\n[x]\nfilename=x\n")
        let found = try ["d1", "d2"].flatMap { d in try FileManager.default.contentsOfDirectory(atPath: "\(dir)/\(d)").map { "\(d)/\($0)" } }.sorted()
        #expect(found == ["d1/b.0.0", "d1/b.2.0", "d1/n.0.0", "d1/n.0.1", "d1/x", "d2/b.1.0"], "\(found)")
    }

    /// filesize=LOW-HIGH draws each file's size from the job's seed (the same again with
    /// randrepeat, as fio), rounded down to the block size, and the job writes each file once.
    @Test func rangedFileSizesAreRepeatableWholeBlocks() throws {
        var sizes: [[Int]] = []
        for _ in 0..<2 {
            let dir = makeTempDir()
            let (_, report) = try runJobs("[j]\ndirectory=\(dir)\nrw=write\nbs=4k\nnrfiles=3\nfilesize=16k-64k\n")
            let s = try (0..<3).map { i in (try FileManager.default.attributesOfItem(atPath: "\(dir)/j.0.\(i)")[.size] as! NSNumber).intValue }
            #expect(s.allSatisfy { $0 % 4096 == 0 && $0 >= 16384 && $0 < 65536 }, "\(s)")
            #expect(report.entries[0].stats.dirs[1].bytes == UInt64(s.reduce(0, +)))
            sizes.append(s)
        }
        #expect(sizes[0] == sizes[1])
    }

    /// Every directory= listed must exist, even one this job's files do not go to (fio: "d2 is
    /// not a directory").
    @Test func everyListedDirectoryMustExist() throws {
        let dir = makeTempDir()
        mkdir("\(dir)/d1", 0o755)
        let (result, _) = try runJobs("[j]\ndirectory=\(dir)/d1:\(dir)/d2\nrw=write\nbs=4k\nsize=16k\n")
        #expect(result.jobs[0].stats.firstErrorMessage?.contains("\(dir)/d2 is not a directory") == true)
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/d1/j.0.0"))
    }

    /// A file that is only written is preallocated as fallocate= says, with no data written
    /// (fio 3.33, 1 MiB, one 4k write: size and 512-byte blocks afterwards).
    @Test(arguments: [("none", 4096, 8), ("keep", 4096, 2048), ("truncate", 1 << 20, 8), ("posix", 1 << 20, 2048), ("native", 1 << 20, 2048)])
    func fallocateModesSizeTheFileAsFio(mode: String, size: Int, blocks: Int) throws {
        let f = makeTempDir() + "/f"
        _ = try runJobs("[j]\nfilename=\(f)\nrw=write\nbs=4k\nsize=1m\nnumber_ios=1\nfallocate=\(mode)\n")
        var st = stat()
        #expect(stat(f, &st) == 0)
        #expect(Int(st.st_size) == size && Int(st.st_blocks) == blocks, "\(st.st_size) \(st.st_blocks)")
    }

    /// buffer_pattern wins over zero_buffers, in what is written and in a read job's layout.
    @Test func bufferPatternWinsOverZeroBuffers() throws {
        let dir = makeTempDir()
        for rw in ["write", "read"] {
            let f = "\(dir)/\(rw)"
            _ = try runJobs("[j]\nfilename=\(f)\nrw=\(rw)\nbs=4k\nsize=64k\nzero_buffers=1\nbuffer_pattern=0xdeadbeef\n")
            let data = try Data(contentsOf: URL(fileURLWithPath: f))
            #expect(data.count == 64 << 10 && data.prefix(8) == Data([0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef]), "\(rw)")
            #expect(data.suffix(4) == Data([0xde, 0xad, 0xbe, 0xef]), "\(rw)")
        }
    }

    /// fio 3.33's sync block has percentiles, in JSON and in the text report.
    @Test func syncLatencyHasPercentiles() throws {
        let f = try scratchFile()
        let (_, report) = try runJobs("[t]\nfilename=\(f)\nrw=write\nbs=4k\nsize=256k\nfsync=4\n")
        let sync = report.json()["jobs"].flatMap { if case .array(let a) = $0 { return a.first } else { return nil } }?["sync"]
        // 64 writes, a sync after every 4th but the last (fio 3.33: 1024 writes make 255).
        #expect(sync?["total_ios"] == .uint(15))
        guard case .object(let pct)? = sync?["lat_ns"]?["percentile"] else { Issue.record("no sync percentiles"); return }
        #expect(pct.count == report.entries[0].config.percentiles.count)
        #expect(report.text().contains("    sync percentiles (") && report.text().contains("|  1.00th=["))
    }

    /// Terse v3 has no ns buckets: fio adds their share to the first us bucket, so a null
    /// job (all I/Os under 1 us) shows ~100% there rather than nothing anywhere.
    @Test func terseCountsSubMicrosecondLatenciesInTheFirstBucket() throws {
        let (_, report) = try runJobs("[t]\nioengine=null\nrw=read\nbs=4k\nsize=4m\n")
        let fields = report.terse().split(separator: ";", omittingEmptySubsequences: false)
        // 5 header fields, 41 per read and write block, 5 CPU, 7 depth levels: field 100
        // (1-based) is lat_2us.
        #expect(fields.count > 110)
        let us2 = fields[99]
        #expect(us2.hasSuffix("%") && Double(us2.dropLast()) ?? 0 > 90, "\(us2)")
    }

    /// fio 3.33's "job options": bare flags are left out, and a job file's section header is
    /// not listed as name (a name= option is); "global options" likewise.
    @Test func jobOptionsListOnlyOptionsWithValues() throws {
        let (_, report) = try runJobs("[global]\ntime_based\nruntime=100ms\n[t]\nioengine=null\nsize=1m\ngroup_reporting\n[u]\nioengine=null\nsize=1m\nname=v\n")
        var jobs: [JSON] = []
        if case .array(let a)? = report.json()["jobs"] { jobs = a }
        func keys(_ j: JSON?) -> [String] { if case .object(let kv)? = j { return kv.map(\.0) } else { return [] } }
        #expect(keys(jobs.first?["job options"]) == ["ioengine", "size"])
        #expect(keys(jobs.last?["job options"]) == ["ioengine", "size", "name"])
        #expect(keys(report.json()["global options"]) == ["runtime"])
    }

    /// fio 3.33: eta is INT_MAX for a finished job, a description gives a "desc" key, and
    /// percentile_list is sorted.
    @Test func etaDescriptionAndSortedPercentiles() throws {
        let (_, report) = try runJobs("[t]\nioengine=null\nsize=1m\ndescription=my job\npercentile_list=99:50:1\n")
        guard case .array(let jobs)? = report.json()["jobs"], let job = jobs.first else { Issue.record("no jobs"); return }
        #expect(job["eta"] == .int(2_147_483_647))
        #expect(job["desc"] == .string("my job"))
        guard case .object(let pct)? = job["read"]?["clat_ns"]?["percentile"] else { Issue.record("no percentiles"); return }
        #expect(pct.map(\.0) == ["1.000000", "50.000000", "99.000000"])
    }

    /// fio 3.33's num2str(): 4 characters, trailing zeroes kept (values from fio's output).
    @Test func numbersAreFormattedAsFiosNum2str() {
        #expect(Report.num2str(1 << 20, pow2: true, unit: "B") == "1024KiB")
        #expect(Report.num2str(16 << 20, pow2: true, unit: "B") == "16.0MiB")
        #expect(Report.num2str(1_048_576, pow2: false, unit: "B") == "1049kB")
        #expect(Report.num2str(18_012, pow2: false, unit: "") == "18.0k")
        #expect(Report.num2str(1_426_400, maxlen: 6, pow2: false, unit: "") == "1426.4k")
        #expect(Report.num2str(4096, pow2: true, unit: "B") == "4096B")
        #expect(Report.num2str(65536, pow2: true, unit: "B") == "64.0KiB")
    }

    /// fio's text layout: latency units by min, max and stdev together; a percentile table
    /// that widens for large values; the lat buckets five to a line; the numjobs header once
    /// with "..."; "; 0 zone resets" on write lines; no blank line between job blocks.
    @Test func textLayoutFollowsFio() throws {
        var small = LatencyStat()
        for v: UInt64 in [3264, 67531, 4000] { small.add(v) }
        #expect(Report.latLine("slat", small).hasPrefix("    slat (nsec): min=3264, max=67531, avg="))
        var big = LatencyStat()
        for v: UInt64 in [390, 1_426_400, 5000] { big.add(v) }
        #expect(Report.latLine("clat", big).contains("max=1426.4k"))
        var h = makeLatencyHistogram()
        for v: UInt64 in [402, 410, 1_215_383] { _ = h.record(v) }
        let table = Report.percentileTable("clat", LatencyDistribution(h), [1, 50, 99.95])
        #expect(table.contains("(nsec)") && table.contains("th=[1215")) // unit stays nsec: min below 2 us
        let f = try scratchFile(4 << 20)
        let (_, report) = try runJobs("[t]\nfilename=\(f)\nrw=randwrite\nbs=4k\nsize=1m\nnumjobs=2\n")
        let text = report.text()
        #expect(text.components(separatedBy: "t: (g=0)").count == 2 && text.contains("\n...\n"))
        #expect(text.contains("msec); 0 zone resets\n"))
        #expect(!text.contains("depth=1\n\nt: (groupid"))
        for line in text.split(separator: "\n") where line.hasPrefix("  lat (") {
            #expect(line.components(separatedBy: "%").count - 1 <= 5, "\(line)")
        }
    }

    /// A job whose measured run is empty (ramp_time longer than it) or under a millisecond
    /// shows 0% CPU, as fio (which counts whole milliseconds; a 1 MiB null job: 0%).
    @Test func cpuIsZeroWhenNothingWasMeasured() {
        var s = JobStats()
        s.cpu.userUs = 5000
        #expect(Report.cpuPercent(s).usr == 0)
        s.totalRunNs = 21_000
        #expect(Report.cpuPercent(s).usr == 0)
        s.totalRunNs = 10_000_000
        #expect(Report.cpuPercent(s).usr == 50)
    }

    /// Values a Double or Int64 cannot hold are parsed exactly or rejected with a message,
    /// never a trap.
    @Test func hugeValuesParseOrFailCleanly() throws {
        func config(_ line: String) throws -> JobConfig {
            var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
            return try JobConfig(try p.parse(text: "[t]\nioengine=null\nsize=1m\n\(line)\n", file: "t.fio").jobs[0])
        }
        #expect(try config("randseed=0xffffffffffffffff").randseed == .max)
        #expect(try config("randseed=18446744073709551615").randseed == .max)
        #expect(throws: JobFileError.self) { try config("runtime=20000000000") }
        #expect(throws: JobFileError.self) { try config("iodepth=99999999999999999999") }
    }
}
