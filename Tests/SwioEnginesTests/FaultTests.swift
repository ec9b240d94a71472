import Testing
import Foundation
import CSwio

/// Faults a storage engineer meets, injected for real: a device that fails its write-back
/// (EIO), a full filesystem (ENOSPC), a file truncated or removed mid-run, a FIFO whose reader
/// goes away, signals at random moments, a report that cannot be written. Each time the error
/// is reported with its errno, every report is valid JSON, and nothing else is lost.

/// Whether tests may mount a scratch tmpfs (root, and a kernel that lets us).
let tmpfsMountable: Bool = {
    guard getuid() == 0, which("mount") != nil else { return false }
    guard let t = SmallTmpfs(sizeMB: 1) else { return false }
    _ = t
    return true
}()

/// A tmpfs of a few MiB of its own, so a test can fill it.
final class SmallTmpfs {
    let path: String
    init?(sizeMB: Int) {
        path = makeTempDir()
        guard let r = try? sh(which("mount")!, ["-t", "tmpfs", "-o", "size=\(sizeMB)m", "tmpfs", path]), r.status == 0 else {
            rmdir(path)
            return nil
        }
    }
    deinit {
        _ = try? sh(which("umount")!, ["-l", path])
        rmdir(path)
    }
}

/// A block device whose write-back fails with EIO: a loop device over a sparse 64 MiB image on
/// an 8 MiB tmpfs. Writes land in the page cache; syncing them past 8 MiB fails.
final class FailingDevice {
    let tmpfs: SmallTmpfs
    let path: String
    init?() {
        guard let t = SmallTmpfs(sizeMB: 8) else { return nil }
        tmpfs = t
        let image = t.path + "/img"
        guard FileManager.default.createFile(atPath: image, contents: nil), truncate(image, 64 << 20) == 0,
              let r = try? sh(which("losetup")!, ["-f", "--show", image]), r.status == 0 else { return nil }
        path = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    deinit { _ = try? sh(which("losetup")!, ["-d", path]) }
}

@Suite(.serialized) struct FaultTests {
    static let engines = ["psync", "libaio"] + (ioUringAvailable ? ["io_uring"] : [])

    /// A sync at the end that fails with EIO is the job's error and the run's exit status, on
    /// every engine (swio had dropped it: error 0, exit 0). fio 3.33: error 5, exit 1.
    @Test(.enabled(if: tmpfsMountable && loopDevicesUsable, "needs root, tmpfs mounts and loop devices"),
          arguments: engines, ["end_fsync", "fsync_on_close"])
    func aFailedFinalSyncIsTheJobsError(engine: String, option: String) throws {
        let dev = try #require(FailingDevice())
        let r = try runSwio(["--output-format=json", "--name=w", "--ioengine=\(engine)", "--rw=write", "--bs=64k",
                             "--size=32m", "--filename=\(dev.path)", "--\(option)=1"])
        #expect(r.status == 1)
        let job = try r.job()
        #expect(job["error"] as? Int == Int(EIO))
        #expect(r.err.contains("\(option): fsync of \(dev.path) failed: Input/output error"))
    }

    /// A read job's layout on a full filesystem: ENOSPC, not a file of holes read as data.
    @Test(.enabled(if: tmpfsMountable, "needs root and tmpfs mounts"))
    func layingOutOnAFullFilesystemIsTheJobsError() throws {
        let fs = try #require(SmallTmpfs(sizeMB: 4))
        let r = try runSwio(["--output-format=json", "--name=r", "--rw=read", "--size=16m", "--filename=\(fs.path)/f"])
        #expect(r.status == 1)
        #expect(try r.job()["error"] as? Int == Int(ENOSPC))
        #expect(r.err.contains("No space left on device"))
    }

    /// Writes that run out of space: ENOSPC, whether preallocation or the write finds it.
    @Test(.enabled(if: tmpfsMountable, "needs root and tmpfs mounts"), arguments: ["none", "native", "keep"])
    func writingOnAFullFilesystemReportsENOSPC(fallocate: String) throws {
        let fs = try #require(SmallTmpfs(sizeMB: 4))
        let r = try runSwio(["--output-format=json", "--name=w", "--rw=write", "--size=16m", "--fallocate=\(fallocate)",
                             "--filename=\(fs.path)/f"])
        #expect(r.status == 1)
        #expect(try r.job()["error"] as? Int == Int(ENOSPC))
    }

    /// A latency log that cannot be written is lost data: the job's error (it had been a
    /// warning that left exit 0).
    @Test(.enabled(if: tmpfsMountable, "needs root and tmpfs mounts"))
    func aLogThatCannotBeWrittenIsTheJobsError() throws {
        let fs = try #require(SmallTmpfs(sizeMB: 1))
        // Fill the filesystem first.
        _ = try sh("/bin/sh", ["-c", "cat /dev/zero > \(fs.path)/filler 2>/dev/null; true"])
        let r = try runSwio(["--output-format=json", "--name=l", "--ioengine=null", "--size=64m", "--rw=randread",
                             "--write_lat_log=\(fs.path)/lat"])
        #expect(r.status == 1)
        #expect(try r.job()["error"] as? Int == Int(ENOSPC))
        #expect(r.err.contains("cannot write log \(fs.path)/lat_clat.1.log"))
    }

    /// A file truncated under a reading job: its reads come back empty, which is EIO, as fio's
    /// "full resid"; one removed keeps being read through its open descriptor, without error.
    @Test func aFileTruncatedMidRunIsAnErrorAndOneRemovedIsNot() throws {
        let dir = makeTempDir()
        let truncated = try runSwio(["--output-format=json", "--name=t", "--rw=read", "--size=8m", "--filename=\(dir)/t",
                                     "--time_based", "--runtime=3"]) { _ in
            for _ in 0..<100 where fileSize(dir + "/t") != 8 << 20 { usleep(20_000) }
            usleep(300_000)
            truncate(dir + "/t", 0)
        }
        #expect(truncated.status == 1)
        #expect(try truncated.job()["error"] as? Int == Int(EIO))
        let removed = try runSwio(["--output-format=json", "--name=u", "--rw=randread", "--size=8m", "--filename=\(dir)/u",
                                   "--time_based", "--runtime=1"]) { _ in
            for _ in 0..<100 where fileSize(dir + "/u") != 8 << 20 { usleep(20_000) }
            usleep(300_000)
            unlink(dir + "/u")
        }
        #expect(removed.status == 0)
        let job = try removed.job()
        #expect(job["error"] as? Int == 0)
        #expect(((job["read"] as? [String: Any])?["io_bytes"] as? Int ?? 0) > 8 << 20)
    }

    /// A FIFO whose reader goes away: the writer gets EPIPE (not a silent death by SIGPIPE, and
    /// not a write blocked forever because swio had opened the FIFO as its own reader).
    @Test(.timeLimit(.minutes(1)))
    func aFIFOWhoseReaderGoesAwayIsEPIPE() throws {
        let dir = makeTempDir()
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/sh")
        reader.arguments = ["-c", "head -c 100000 \(fifo) > /dev/null"]
        try reader.run()
        let r = try runSwio(["--output-format=json", "--name=f", "--ioengine=sync", "--rw=write", "--bs=4k", "--size=64m",
                             "--filename=\(fifo)"])
        reader.waitUntilExit()
        #expect(r.status == 1)
        let job = try r.job()
        #expect(job["error"] as? Int == Int(EPIPE))
        #expect(((job["write"] as? [String: Any])?["io_bytes"] as? Int ?? 0) >= 100_000)
        #expect(r.err.contains("Broken pipe"))
    }

    /// Signals at random moments, from before the jobs start to after they end: the run ends
    /// as the signal asks (128 + the signal, or 0 after a status request), every document on
    /// stdout is a complete report, no crash backtrace. A signal that lands before swio has
    /// set up its handlers (the first milliseconds of the process) kills it by default, with
    /// nothing written: never half a report.
    @Test(.timeLimit(.minutes(3)))
    func signalsAtRandomMomentsNeverLeaveAPartialReport() throws {
        let dir = makeTempDir()
        let signals = [SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20 {
            let sig = signals[round % signals.count]
            let delayUs = UInt32.random(in: 0..<1_400_000, using: &generator)
            let r = try runSwio(["--output-format=json", "--name=w", "--rw=randwrite", "--bs=4k", "--size=16m",
                                 "--filename=\(dir)/w\(round)", "--time_based", "--runtime=500ms",
                                 "--name=n", "--ioengine=null", "--size=1g", "--time_based", "--runtime=500ms", "--stonewall"]) { pid in
                usleep(delayUs)
                kill(pid, sig)
            }
            #expect(!r.err.contains("crashed") && !r.err.contains("Fatal error"), "round \(round): \(r.err)")
            if r.reason == .uncaughtSignal {
                #expect(r.status == sig && r.out.isEmpty, "round \(round), signal \(sig) after \(delayUs) us")
                continue
            }
            let docs = try r.documents()
            #expect(!docs.isEmpty, "round \(round)")
            #expect(docs.allSatisfy { ($0["jobs"] as? [Any])?.count == 2 }, "round \(round)")
            if sig == SIGUSR1 {
                #expect(r.status == 0, "round \(round)")
            } else {
                // The signal may come after the jobs ended and the report was written.
                #expect(r.status == 128 + sig || r.status == 0, "round \(round): status \(r.status)")
            }
        }
    }

    /// SIGUSR1 prints the whole report as it stands, as fio does, and the run goes on.
    @Test func aStatusRequestPrintsTheReportSoFarAndTheRunGoesOn() throws {
        // The job starts about half a second in (a debug build's start, the worker, the settle
        // wait): the first request comes well after.
        let r = try runSwio(["--output-format=json", "--name=n", "--ioengine=null", "--size=1g", "--time_based", "--runtime=3"]) { pid in
            usleep(1_300_000)
            kill(pid, SIGUSR1)
            usleep(600_000)
            kill(pid, SIGUSR1)
        }
        #expect(r.status == 0)
        let docs = try r.documents()
        #expect(docs.count == 3)
        let ios = docs.compactMap { (($0["jobs"] as? [[String: Any]])?.first?["read"] as? [String: Any])?["total_ios"] as? Int }
        #expect(ios.count == 3 && ios[0] > 0 && ios[0] < ios[1] && ios[1] < ios[2])
        let runtimes = docs.compactMap { ($0["jobs"] as? [[String: Any]])?.first?["job_runtime"] as? Int }
        #expect(runtimes.count == 3 && runtimes[2] >= 2900)
    }

    /// A job blocked in a system call (opening a FIFO nobody writes) cannot stop when asked: it
    /// is given up 10 s later and reported with ETIMEDOUT, instead of the run hanging.
    @Test(.timeLimit(.minutes(1)))
    func aJobThatCannotStopIsGivenUpInBoundedTime() throws {
        let dir = makeTempDir()
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let started = Date()
        let r = try runSwio(["--output-format=json", "--name=blocked", "--ioengine=sync", "--rw=read", "--size=1m",
                             "--filename=\(fifo)"]) { pid in
            usleep(500_000)
            kill(pid, SIGTERM)
        }
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(r.status == 128 + SIGTERM)
        #expect(try r.job()["error"] as? Int == Int(ETIMEDOUT))
        #expect(r.err.contains("did not stop within 10 s"))
    }

    /// Laying out a large file stops when asked (44 of 64 layout writes had gone on after a
    /// SIGINT): the file stays short of its size, and the report says the job stopped.
    @Test(.timeLimit(.minutes(1)))
    func layingOutStopsWhenAsked() throws {
        let path = "/dev/shm/swio-layout-\(getpid())"
        defer { unlink(path) }
        let r = try runSwio(["--output-format=json", "--name=big", "--rw=read", "--size=4g", "--filename=\(path)"]) { pid in
            for _ in 0..<200 where (fileSize(path) ?? 0) < 64 << 20 { usleep(5_000) }
            kill(pid, SIGINT)
        }
        #expect(r.status == 128 + SIGINT)
        #expect(try r.job()["error"] as? Int == 0)
        #expect((fileSize(path) ?? 0) < 4 << 30)
    }
}

@Suite(.serialized) struct ReportSafetyTests {
    /// A report that cannot reach stdout is an error (exit 1, message on stderr), not exit 0.
    @Test(.enabled(if: access("/dev/full", W_OK) == 0, "needs /dev/full"))
    func aReportLostOnStdoutIsAnError() throws {
        let r = try runSwio(["--output-format=json", "--name=x", "--ioengine=null", "--size=1m"], stdoutPath: "/dev/full")
        #expect(r.status == 1)
        #expect(r.err.contains("cannot write the report to stdout: No space left on device"))
    }

    /// --output is checked before any I/O: a write job's file is never created when the
    /// report could not be written afterwards, and the message has the errno's words.
    @Test(arguments: [("/nonexistent-dir/r.json", "No such file or directory"), ("/tmp", "Is a directory"),
                      ("/proc/swio-report.json", "in /proc or /sys"), ("/proc/sys/vm/drop_caches", "in /proc or /sys")])
    func anOutputThatCannotBeWrittenFailsBeforeAnyIO(output: String, message: String) throws {
        let dir = makeTempDir()
        let r = try runSwio(["--output-format=json", "--output=\(output)", "--name=w", "--rw=write", "--size=1m",
                             "--filename=\(dir)/data"])
        #expect(r.status == 1)
        #expect(r.err.contains("--output \(output)") && r.err.contains(message))
        #expect(fileSize(dir + "/data") == nil)
    }

    @Test(.enabled(if: loopDevicesUsable, "needs root and losetup"))
    func anOutputOnABlockDeviceIsRefusedBeforeAnyIO() throws {
        let loop = try #require(LoopDevice(sizeMB: 8))
        let dir = makeTempDir()
        let r = try runSwio(["--output=\(loop.path)", "--name=w", "--rw=write", "--size=1m", "--filename=\(dir)/data"])
        #expect(r.status == 1 && r.err.contains("is a block device"))
        #expect(fileSize(dir + "/data") == nil)
    }

    /// The temporary file beside --output is created exclusively under a unique name: a
    /// symlink planted at the old fixed name (FILE.swio-tmp) is not followed, and its target is
    /// untouched. The replaced report keeps the old file's mode and owner.
    @Test func thePlantedSymlinkIsNotFollowedAndModeAndOwnerStay() throws {
        let dir = makeTempDir()
        let victim = dir + "/victim"
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        #expect(symlink(victim, dir + "/r.json.swio-tmp") == 0)
        try "old report\n".write(toFile: dir + "/r.json", atomically: false, encoding: .utf8)
        #expect(chmod(dir + "/r.json", 0o640) == 0)
        if getuid() == 0 { #expect(chown(dir + "/r.json", 65534, 65534) == 0) }
        let r = try runSwio(["--output-format=json", "--output=\(dir)/r.json", "--name=x", "--ioengine=null", "--size=1m"])
        #expect(r.status == 0)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try jsonObject(String(contentsOfFile: dir + "/r.json", encoding: .utf8))["jobs"] != nil)
        var st = stat()
        #expect(stat(dir + "/r.json", &st) == 0 && st.st_mode & 0o7777 == 0o640)
        if getuid() == 0 { #expect(st.st_uid == 65534 && st.st_gid == 65534) }
        // No temporary file is left behind.
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".swio-") && $0 != "r.json.swio-tmp" }
        #expect(left.isEmpty)
    }

    /// Hard links: the report replaces the name given; another link keeps the old report.
    @Test func aHardLinkedReportKeepsTheOldContentUnderTheOtherName() throws {
        let dir = makeTempDir()
        try "old\n".write(toFile: dir + "/a.json", atomically: false, encoding: .utf8)
        #expect(link(dir + "/a.json", dir + "/b.json") == 0)
        let r = try runSwio(["--output-format=json", "--output=\(dir)/a.json", "--name=x", "--ioengine=null", "--size=1m"])
        #expect(r.status == 0)
        #expect(try String(contentsOfFile: dir + "/b.json", encoding: .utf8) == "old\n")
        #expect(try jsonObject(String(contentsOfFile: dir + "/a.json", encoding: .utf8))["jobs"] != nil)
    }

    /// Job files that define no job are an error, as in fio ("No job(s) defined").
    @Test func jobFilesWithoutJobsAreAnError() throws {
        let dir = makeTempDir()
        try "".write(toFile: dir + "/empty.fio", atomically: false, encoding: .utf8)
        try "[global]\nsize=1m\n".write(toFile: dir + "/global.fio", atomically: false, encoding: .utf8)
        try "[a]\ninclude \(dir)\n".write(toFile: dir + "/incdir.fio", atomically: false, encoding: .utf8)
        for (file, words) in [("empty.fio", "no jobs defined"), ("global.fio", "no jobs defined"), ("", "Is a directory"),
                              ("incdir.fio", "Is a directory")] {
            let r = try runSwio(["--output-format=json", dir + "/" + file])
            #expect(r.status == 1 && r.out.isEmpty && r.err.contains(words), "\(file): \(r.err)")
        }
    }
}
