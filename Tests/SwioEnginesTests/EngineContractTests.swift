import Testing
import Foundation
@testable import SwioCore
import SwioEngines
@testable import LibaioEngine
@testable import IOUringEngine
import CSwio
import CLiburing

/// An asynchronous engine run from a script, to test how the loop treats `.busy`: it answers
/// busy to every third read/write (no room) and to an fsync while anything is outstanding (a
/// stricter rule than fio's engines, which wait only for the submit), and records the order
/// in which it accepted I/Os.
struct ScriptedBusyEngine: IOEngine {
    static let descriptor = EngineDescriptor(name: "scripted", summary: "test engine", flags: []) { JobDriver.run(ScriptedBusyEngine.self, $0) }
    struct Accepted { var kind: IOKind; var offset: UInt64; var outstandingBefore: Int }
    /// Shared with the test: the engine value lives inside the loop while it runs.
    final class Log: @unchecked Sendable {
        var accepted: [Accepted] = []; var busyAnswers = 0
        /// (min asked of getEvents, I/Os outstanding then)
        var waits: [(min: Int, outstanding: Int)] = []
        func reset() { accepted = []; busyAnswers = 0; waits = [] }
    }
    static let log = Log()

    var calls = 0
    var queued: [UnsafeMutablePointer<IOUnit>] = []
    var inFlight: [UnsafeMutablePointer<IOUnit>] = []
    var ready: [UnsafeMutablePointer<IOUnit>] = []

    init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {}

    var outstanding: Int { queued.count + inFlight.count }

    mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        calls += 1
        let kind = u.pointee.kind
        if kind == .fsync || kind == .fdatasync {
            if outstanding > 0 { Self.log.busyAnswers += 1; return .busy }
            Self.log.accepted.append(Accepted(kind: kind, offset: 0, outstandingBefore: 0))
            u.pointee.result = 0
            return .completed
        }
        if calls % 3 == 0 { Self.log.busyAnswers += 1; return .busy }
        Self.log.accepted.append(Accepted(kind: kind, offset: u.pointee.offset, outstandingBefore: outstanding))
        queued.append(u)
        return .queued
    }

    mutating func commit() throws -> Int {
        let n = queued.count
        inFlight += queued
        queued.removeAll()
        return n
    }

    mutating func getEvents(min: Int, max: Int) throws -> Int {
        Self.log.waits.append((min, outstanding))
        ready = Array(inFlight.prefix(max))
        inFlight.removeFirst(ready.count)
        for u in ready { u.pointee.result = u.pointee.length }
        return ready.count
    }

    mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { ready[i] }
}

/// The real engines a test drives by name.
enum AnyDrive { case libaio, uring }
func drive(_ e: AnyDrive, _ text: String) throws -> JobExecution {
    switch e {
    case .libaio: return try drive(LibaioEngine.self, text, as: LibaioEngine.descriptor)
    case .uring: return try drive(IOUringEngine.self, text, as: IOUringEngine.descriptor)
    }
}

/// Runs one job through the real JobExecution and IOLoop on engine E, described by `d`.
func drive<E: IOEngine>(_: E.Type, _ text: String, as d: EngineDescriptor) throws -> JobExecution {
    var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
    var config = try JobConfig(try p.parse(text: text, file: "test.fio").jobs[0])
    config.engine = d
    let job = JobExecution(config: config)
    try job.prepareFiles()
    try job.allocateBuffers()
    var engine = try E(job: job.config, units: job.units, count: job.depth)
    try job.openFiles { path, flags, mode in try engine.openFile(path: path, flags: flags, mode: mode) }
    try engine.filesOpened(job.fds)
    var loop = try job.makeLoop()
    job.beginTiming()
    let end = loop.run(&engine)
    job.finish(&loop, end: end, engineStats: [])
    job.closeFiles { engine.closeFile(fd: $0) }
    engine.cleanup()
    return job
}

/// Four units over one file, for calling an engine's queue/commit/getEvents by hand.
final class EngineBench {
    let path: String
    private(set) var fd: Int32
    let units: UnsafeMutablePointer<IOUnit>
    let memory: UnsafeMutableRawPointer
    let config: JobConfig

    init(engine: String, extra: String = "") throws {
        path = "/var/tmp/swio-contract-\(engine)-\(getpid()).dat"
        // Moved to a high number: once closed, it is not handed out again (open takes the
        // lowest free number), so a closed-file test cannot hit another test's file.
        let low = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        fd = fcntl(low, F_DUPFD, 4000)
        close(low)
        _ = ftruncate(fd, 1 << 20)
        var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
        config = try JobConfig(try p.parse(text: "[a]\nioengine=\(engine)\nfilename=\(path)\nbs=4k\niodepth=4\n\(extra)\n", file: "t.fio").jobs[0])
        memory = UnsafeMutableRawPointer.allocate(byteCount: 4 * 4096, alignment: 4096)
        memory.initializeMemory(as: UInt8.self, repeating: 0xab, count: 4 * 4096)
        units = .allocate(capacity: 4)
        for i in 0..<4 {
            (units + i).initialize(to: IOUnit(buffer: memory + i * 4096))
            units[i].index = Int32(i)
            units[i].fd = fd
        }
    }

    func set(_ i: Int, _ kind: IOKind, offset: UInt64 = 0, length: Int = 4096) -> UnsafeMutablePointer<IOUnit> {
        units[i].kind = kind
        units[i].offset = offset
        units[i].length = kind == .fsync || kind == .fdatasync ? 0 : length
        return units + i
    }

    /// Closes the file under the engine (the units keep the stale fd).
    func closeFile() { close(fd); fd = -1 }

    deinit {
        if fd >= 0 { close(fd) }
        unlink(path)
        units.deallocate()
        memory.deallocate()
    }
}

@Suite(.serialized) struct EngineContractTests {
    /// A unit the engine answers busy to is queued again as it was: a sequential job still
    /// writes every block once, in order, and each fsync follows exactly its writes.
    @Test func busyUnitsAreRequeuedNotReplaced() throws {
        let f = "/var/tmp/swio-busy-\(getpid()).dat"
        defer { unlink(f) }
        ScriptedBusyEngine.log.reset()
        let job = try drive(ScriptedBusyEngine.self, "[a]\nfilename=\(f)\nrw=write\nbs=4k\nsize=256k\niodepth=4\nfsync=8\n", as: ScriptedBusyEngine.descriptor)
        #expect(job.stats.firstError == 0, "\(job.stats.firstErrorMessage ?? "")")
        let log = ScriptedBusyEngine.log
        #expect(log.busyAnswers > 20)
        let writes = log.accepted.filter { $0.kind == .write }
        #expect(writes.map(\.offset) == (0..<64).map { UInt64($0) * 4096 })
        #expect(job.stats.dirs[1].ios == 64 && job.stats.dirs[1].bytes == 256 << 10)
        // Every fsync comes after a multiple of 8 writes, with nothing outstanding.
        var writesSoFar = 0
        var fsyncs = 0
        for a in log.accepted {
            if a.kind == .write { writesSoFar += 1; continue }
            fsyncs += 1
            #expect(writesSoFar == fsyncs * 8)
        }
        // No sync after the last write, as in fio.
        #expect(fsyncs == 7 && job.stats.syncIOs == 7)
    }

    /// fio 3.33's libaio runs fsync and trim synchronously once nothing waits for io_submit,
    /// with the I/Os already submitted still in flight (its `ld->queued` counts unsubmitted
    /// iocbs; strace shows its fsync(2) with 7 of 8 writes in flight). swio answers the same.
    @Test(arguments: [IOKind.fsync, .trim])
    func libaioSyncOpsWaitOnlyForTheSubmit(kind: IOKind) throws {
        let b = try EngineBench(engine: "libaio")
        var e = try LibaioEngine(job: b.config, units: b.units, count: 4)
        defer { e.cleanup() }
        #expect(e.queue(b.set(0, .write, offset: 0)) == .queued)
        #expect(e.queue(b.set(1, kind, offset: 4096)) == .busy)
        #expect(try e.commit() == 1)
        // The write is in flight (or done but not reaped): the sync runs now all the same.
        #expect(e.queue(b.units + 1) == .completed)
        #expect(b.units[1].result >= 0)
        #expect(try e.getEvents(min: 1, max: 4) == 1)
        #expect(e.event(0) == b.units && b.units[0].result == 4096)
    }

    /// io_uring ring setup starts the ring's io-wq worker (a thread named iou-wrk-<owner's
    /// tid>) with one async NOP, so I/O the kernel punts does not create it mid-run; that NOP's
    /// completion is reaped in setup and never reaches getEvents. The kernel keeps a thread's
    /// io-wq until the thread exits, so this runs on a new thread, which has none yet.
    @Test(.enabled(if: ioUringAvailable, "io_uring is unavailable on this kernel"))
    func ioUringSetupStartsItsWorker() throws {
        let b = try EngineBench(engine: "io_uring")
        nonisolated(unsafe) var workerBefore = true, workerAfter = false, reaped = -1
        nonisolated(unsafe) var setupError: Error?
        let t = JobThread {
            func hasWorker() -> Bool {
                // /proc/thread-self names this thread as "<pid>/task/<tid>".
                guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"),
                      let tid = link.split(separator: "/").last else { return false }
                let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
                return tasks.contains {
                    (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?
                        .trimmingCharacters(in: .whitespacesAndNewlines) == "iou-wrk-\(tid)"
                }
            }
            workerBefore = hasWorker()
            do {
                var e = try IOUringEngine(job: b.config, units: b.units, count: 4)
                defer { e.cleanup() }
                workerAfter = hasWorker()
                guard e.queue(b.set(0, .write, offset: 0)) == .queued, try e.commit() == 1 else { return }
                var got = 0
                while got < 1 { got += try e.getEvents(min: 1, max: 4) }
                reaped = got == 1 && e.event(0) == b.units ? b.units[0].result : -2
            } catch { setupError = error }
        }
        t.start()
        t.join()
        #expect(setupError == nil, "\(String(describing: setupError))")
        #expect(!workerBefore && workerAfter)
        #expect(reaped == 4096)
    }

    /// io_uring, as fio's engine: fsync goes into the ring beside the writes before it
    /// (IORING_OP_FSYNC, no drain), while trim runs synchronously once nothing waits for a
    /// submit.
    @Test(.enabled(if: ioUringAvailable, "io_uring is unavailable on this kernel"))
    func ioUringFsyncGoesBesideWritesAndTrimWaitsForTheSubmit() throws {
        let b = try EngineBench(engine: "io_uring")
        var e = try IOUringEngine(job: b.config, units: b.units, count: 4)
        defer { e.cleanup() }
        #expect(e.queue(b.set(0, .write, offset: 0)) == .queued)
        #expect(e.queue(b.set(1, .fsync)) == .queued)
        #expect(e.queue(b.set(2, .trim, offset: 8192)) == .busy)
        #expect(try e.commit() == 2)
        #expect(e.queue(b.units + 2) == .completed)
        #expect(b.units[2].result == 4096)
        var results: [Int32: Int] = [:]
        while results.count < 2 {
            let n = try e.getEvents(min: 1, max: 4)
            for k in 0..<n { results[e.event(k).pointee.index] = e.event(k).pointee.result }
        }
        #expect(results == [0: 4096, 1: 0])
    }

    /// An SQE the kernel rejects ends that enter early; commit goes on until the ring is empty,
    /// as fio's does, so the I/Os after it are in flight when commit returns and their clat
    /// starts then (they used to wait in the SQ ring for the next enter).
    @Test(.enabled(if: ioUringAvailable, "io_uring is unavailable on this kernel"))
    func ioUringCommitSubmitsPastARejectedSQE() throws {
        let b = try EngineBench(engine: "io_uring")
        var e = try IOUringEngine(job: b.config, units: b.units, count: 4)
        defer { e.cleanup() }
        for i in 0..<3 {
            #expect(e.queue(b.set(i, .write, offset: UInt64(i) * 4096)) == .queued)
            if i == 1 {
                // Bit 7 is no IOSQE_* flag: the kernel fails this SQE with EINVAL and stops.
                let sq = e.ring.pointee.sq
                sq.sqes[Int((sq.sqe_tail &- 1) & sq.ring_mask)].flags |= 0x80
            }
        }
        #expect(try e.commit() == 3)
        #expect(io_uring_sq_ready(e.ring) == 0)
        var results: [Int: Int] = [:]
        while results.count < 3 {
            let n = try e.getEvents(min: 1, max: 4)
            for k in 0..<n { results[Int(e.event(k).pointee.index)] = e.event(k).pointee.result }
        }
        #expect(results == [0: 4096, 1: -Int(EINVAL), 2: 4096])
    }

    /// A submit that fails outright hands its I/Os back (the loop frees their units), so the
    /// SQEs must leave the ring too: no later enter may issue them into reused buffers.
    @Test(.enabled(if: ioUringAvailable, "io_uring is unavailable on this kernel"))
    func ioUringFailedSubmitTakesItsSQEsBack() throws {
        let b = try EngineBench(engine: "io_uring")
        var e = try IOUringEngine(job: b.config, units: b.units, count: 4)
        defer { e.cleanup() }
        #expect(e.queue(b.set(0, .write)) == .queued)
        #expect(e.queue(b.set(1, .write, offset: 4096)) == .queued)
        // The ring's fd now names /dev/null, so io_uring_enter fails (cleanup closes it); the
        // registered copy of the fd, which enter would use instead, goes first.
        #expect(io_uring_unregister_ring_fd(e.ring) == 1)
        let null = open("/dev/null", O_RDONLY)
        #expect(dup2(null, e.ring.pointee.ring_fd) == e.ring.pointee.ring_fd)
        close(null)
        do {
            _ = try e.commit()
            Issue.record("io_uring_enter on /dev/null succeeded")
        } catch let err as EngineError {
            #expect(err.accepted == 0 && err.message.contains("io_uring: submit failed"))
        }
        #expect(io_uring_sq_ready(e.ring) == 0 && e.outstanding == 0)
    }

    /// When the kernel says EAGAIN to a submit, commit moves completions out of the CQ into a
    /// stash and retries. The kernel only does that when it cannot allocate, so this calls the
    /// stash step directly: its completions reach getEvents (no more than max per call) and
    /// the kevent harvest, each once.
    @Test(.enabled(if: ioUringAvailable, "io_uring is unavailable on this kernel"))
    func ioUringStashedCompletionsAreHandedOutOnce() throws {
        let b = try EngineBench(engine: "io_uring")
        var e = try IOUringEngine(job: b.config, units: b.units, count: 4)
        defer { e.cleanup() }
        for i in 0..<3 { #expect(e.queue(b.set(i, .write, offset: UInt64(i) * 4096)) == .queued) }
        #expect(try e.commit() == 3)
        while e.stashed < 3 { try #require(e.stashCompletions() == 0) }
        #expect(io_uring_cq_ready(e.ring) == 0)
        var seen: [Int32] = []
        #expect(try e.getEvents(min: 1, max: 2) == 2)
        seen += [e.event(0).pointee.index, e.event(1).pointee.index]
        #expect(try e.harvest(from: 1, max: 4) == 2)
        seen.append(e.event(1).pointee.index)
        #expect(seen.sorted() == [0, 1, 2] && e.stashed == 0 && e.outstanding == 0)
        #expect((0..<3).allSatisfy { b.units[$0].result == 4096 })
    }

    /// Under DEFER_TASKRUN, a wait for several completions must not hang behind an fsync: with
    /// IOSQE_IO_DRAIN the drained request was only issued by task work that the waiter was
    /// not woken for, and this job hung at its end, waiting for all 7 in flight at once.
    @Test(.enabled(if: ioUringAvailable, "io_uring is unavailable on this kernel"), .timeLimit(.minutes(1)))
    func ioUringFsyncJobEndsWhenReapingAllAtOnce() throws {
        let f = "/var/tmp/swio-uring-fsync-end-\(getpid()).dat"
        defer { unlink(f) }
        let (result, report) = try runJobs("[a]\nioengine=io_uring\nfilename=\(f)\nrw=randwrite\nbs=4k\nsize=512k\niodepth=8\ndirect=1\nfsync=4\n")
        #expect(result.jobs[0].stats.firstError == 0)
        #expect(report.entries[0].stats.dirs[1].bytes == 512 << 10 && report.entries[0].stats.syncIOs == 31)
    }

    /// The read path delivers the right bytes into the right buffer: every 4 KiB block of the
    /// file holds its own number, and after a random read job each unit's buffer holds the
    /// block at that unit's last offset.
    @Test(arguments: AsyncEngineTests.engines, [0, 1])
    func readsLandInTheirOwnBuffers(engine: String, direct: Int) throws {
        let f = "/var/tmp/swio-readback-\(engine)-\(getpid()).dat"
        defer { unlink(f) }
        var data = [UInt8](repeating: 0, count: 1 << 20)
        for block in 0..<256 {
            for i in stride(from: 0, to: 4096, by: 8) {
                withUnsafeBytes(of: UInt64(block) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(i)) { data.replaceSubrange(block * 4096 + i ..< block * 4096 + i + 8, with: $0) }
            }
        }
        #expect(FileManager.default.createFile(atPath: f, contents: Data(data)))
        let job = try drive(engine == "libaio" ? AnyDrive.libaio : AnyDrive.uring,
                            "[a]\nioengine=\(engine)\nfilename=\(f)\nrw=randread\nbs=4k\nsize=1m\niodepth=8\ndirect=\(direct)\n\(engine == "io_uring" ? "fixedbufs\nregisterfiles\n" : "")")
        #expect(job.stats.firstError == 0, "\(job.stats.firstErrorMessage ?? "")")
        #expect(job.stats.dirs[0].bytes == 1 << 20)
        for i in 0..<job.depth {
            let u = job.units[i]
            let got = Array(UnsafeRawBufferPointer(start: u.buffer, count: 4096))
            let off = Int(u.offset)
            #expect(got == Array(data[off ..< off + 4096]), "unit \(i) at offset \(off)")
        }
    }

    /// A file closed under the engine: libaio's submit fails naming the cause, io_uring reports
    /// EBADF in the completion (closedFileGivesEBADFInTheRing); neither claims the I/O was done.
    @Test func closedFileGivesEBADF() throws {
        let a = try EngineBench(engine: "libaio")
        var l = try LibaioEngine(job: a.config, units: a.units, count: 4)
        defer { l.cleanup() }
        a.closeFile()
        #expect(l.queue(a.set(0, .read)) == .queued)
        do {
            _ = try l.commit()
            Issue.record("io_submit on a closed fd succeeded")
        } catch let e as EngineError {
            #expect(e.errno == EBADF && e.accepted == 0)
            #expect(e.message.contains("io_submit") && e.message.contains("Bad file descriptor"))
        }
    }

    /// io_uring's half of closedFileGivesEBADF: EBADF comes in the completion.
    @Test(.enabled(if: ioUringAvailable, "io_uring is unavailable on this kernel"))
    func closedFileGivesEBADFInTheRing() throws {
        let b = try EngineBench(engine: "io_uring")
        var u = try IOUringEngine(job: b.config, units: b.units, count: 4)
        defer { u.cleanup() }
        b.closeFile()
        #expect(u.queue(b.set(0, .read)) == .queued)
        #expect(try u.commit() == 1)
        #expect(try u.getEvents(min: 1, max: 4) == 1)
        #expect(u.event(0).pointee.result == -Int(EBADF))
    }

    /// The job iomemAlignOffsetsTheBuffersAsFio and iomemAlignedDirectReadsRun share.
    static func iomemAlignJob(_ f: String) -> String {
        "[a]\nioengine=libaio\nfilename=\(f)\nrw=read\nbs=4k\nsize=64k\niodepth=4\ndirect=1\niomem_align=512\n"
    }

    /// The logical sector size of /var/tmp's disk (0 where it is on none, as on tmpfs or overlayfs).
    static let varTmpSectorSize = JobExecution.logicalBlockSize("/var/tmp")

    /// iomem_align is fio's offset from a page boundary for the first buffer; the others
    /// follow a block apart. On a 512-byte-sector disk O_DIRECT accepts such buffers
    /// (iomemAlignedDirectReadsRun).
    @Test func iomemAlignOffsetsTheBuffersAsFio() throws {
        let f = "/var/tmp/swio-memalign-\(getpid()).dat"
        defer { unlink(f) }
        let text = Self.iomemAlignJob(f)
        var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
        let job = JobExecution(config: try JobConfig(try p.parse(text: text, file: "t.fio").jobs[0]), )
        try job.prepareFiles()
        try job.allocateBuffers()
        #expect(UInt(bitPattern: job.units[0].buffer) % 4096 == 512)
        #expect(job.units[1].buffer - job.units[0].buffer == 4096)
    }

    /// On a 512-byte-sector disk O_DIRECT accepts buffers iomem_align=512 puts 512 bytes past
    /// a page boundary, and the job reads its whole size.
    @Test(.enabled(if: (1...512).contains(EngineContractTests.varTmpSectorSize), "needs /var/tmp on a disk with 512-byte sectors"))
    func iomemAlignedDirectReadsRun() throws {
        let f = "/var/tmp/swio-memalign-run-\(getpid()).dat"
        defer { unlink(f) }
        let (result, report) = try runJobs(Self.iomemAlignJob(f))
        #expect(result.jobs[0].stats.firstError == 0, "\(result.jobs[0].stats.firstErrorMessage ?? "")")
        #expect(report.entries[0].stats.dirs[0].bytes == 64 << 10)
    }

    /// A job that survives its errors (ignore_error=EINVAL) and whose every I/O fails still
    /// stops at its runtime.
    @Test(.timeLimit(.minutes(1)), arguments: AsyncEngineTests.engines + ["psync"])
    func failingIOStillEndsAtTheRuntime(engine: String) throws {
        let f = "/var/tmp/swio-coe-\(engine).dat"
        defer { unlink(f) }
        let start = Date()
        let (result, report) = try runJobs("[a]\nioengine=\(engine)\nfilename=\(f)\nrw=read\nbs=1000\nsize=64000\ndirect=1\niodepth=4\nignore_error=EINVAL\ntime_based\nruntime=1\n")
        #expect(Date().timeIntervalSince(start) < 20)
        #expect(result.jobs[0].stats.errors > 0)
        #expect(report.entries[0].stats.firstError == EINVAL)
    }
}
