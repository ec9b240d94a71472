// Everything about one job's run that is not the hot loop: files, buffers, units, timing,
// CPU accounting and the final statistics. SwioEngines drives it with a concrete engine type.

import CSwio
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Setup ended early because the job was asked to stop (Ctrl-C, SIGTERM, exitall): the job
/// ends stopped, without an error.
public struct JobStopped: Error { public init() {} }

/// A target file as the job will use it.
public struct PreparedFile: Sendable {
    public var path: String
    public var isBlockDevice: Bool
    public var regionStart: UInt64
    public var regionLength: UInt64
    public var fd: Int32 = -1
    public var created: Bool = false
    /// A character device (/dev/null, /dev/zero) or a FIFO: a stream, used as it is, never
    /// laid out, sized or unlinked.
    public var isCharDevice: Bool = false
}

public final class JobExecution: @unchecked Sendable {
    public let config: JobConfig
    /// The job's engine (config.engine).
    public var engineInfo: EngineDescriptor { config.engine }
    public var files: [PreparedFile] = []
    public var stats = JobStats()
    public var end: LoopEnd = .done
    public private(set) var units: UnsafeMutablePointer<IOUnit>
    public let depth: Int
    /// The I/O buffers' memory, whatever mem= it is.
    var bufferMapping: BufferMapping?
    /// lockmem: the pinned memory, while the job runs.
    var pinnedMemory: UnsafeMutableRawPointer?
    var regions: UnsafeMutablePointer<FileRegion>
    var budgetBytes: UInt64 = 0
    var cpuStart = CPUUsage()
    var wallStartNs: UInt64 = 0
    /// Bytes done per direction, then I/Os per direction, for the ETA line (read without
    /// locks: approximate is fine).
    public let progress: UnsafeMutablePointer<UInt64>
    /// Monotonic start of the job's I/O, 0 until it starts.
    public var startedNs: UInt64 = 0
    /// Monotonic time the job's thread began, for settleBeforeFirstIO().
    public var threadStartNs: UInt64 = 0
    /// How long settleBeforeFirstIO() waited.
    public private(set) var settleWaitNs: UInt64 = 0
    public var warnings: [String] = []
    /// The job failed before its first I/O (open, layout, engine setup): fio's exitall_on_error
    /// does not act on that.
    public var setupFailed = false
    /// Shared by the run's jobs, so jobs that share a log name append to it.
    public var runLogs = LogWriter.RunLogs()
    /// write_iolog (fio iolog version 3): "<us since setup> <file> <action> [<offset> <length>]",
    /// streamed as the job goes and appended to, as fio opens it.
    var iolog: UnsafeMutablePointer<FILE>?
    var iologStartNs: UInt64 = 0
    /// The errno of the first iolog write that failed (fputs says no more than that it did).
    var iologErrno: Int32 = 0
    /// The flow this job joined (flow=), left when its loop finishes.
    var joinedFlow: FlowState?
    /// verify=: the job's headers and written blocks, shared by its loops (verify_only's dry run).
    public var verifier: Verifier?
    /// Runs between the writes and the verify phase, once they are on the device (a caller that
    /// drives a job itself can damage blocks there, as a faulty device would).
    public var beforeVerifyPhase: ((JobExecution) -> Void)?
    /// Sizes of a clone's shared files when its group started (percentage offsets go by them).
    var sizesAtGroupStart: [String: UInt64] = [:]
    /// Set by the job's thread as its last step and polled by the supervising thread, which
    /// then reads the job's results: the release/acquire pair makes those results visible.
    public var finished: Bool {
        get { finishedFlag.load(ordering: .acquiring) }
        set { finishedFlag.store(newValue, ordering: .releasing) }
    }
    private let finishedFlag = Atomic<Bool>(false)
    /// Past startdelay and wait_for, doing its setup and I/O (fio's runstate >= TD_RUNNING).
    public var running: Bool {
        get { runningFlag.load(ordering: .acquiring) }
        set { runningFlag.store(newValue, ordering: .releasing) }
    }
    private let runningFlag = Atomic<Bool>(false)
    /// Set when an exitall stops this job (the run-wide flag is for signals and exit_what=all);
    /// the I/O loop polls both in one check.
    public let stopFlag: UnsafeMutablePointer<Int32>
    public func requestStop() { cswio_set_flag(stopFlag) }
    public var shouldStop: Bool { cswio_job_should_stop(stopFlag) != 0 }

    public init(config: JobConfig) {
        self.config = config
        depth = config.engine.flags.contains(.sync) ? 1 : max(1, config.iodepth)
        units = .allocate(capacity: depth)
        regions = .allocate(capacity: 1)
        progress = .allocate(capacity: 6)
        progress.initialize(repeating: 0, count: 6)
        stopFlag = .allocate(capacity: 1)
        stopFlag.initialize(to: 0)
    }

    /// Records the sizes of the job's named files. The runner calls it as the job's group
    /// starts, before any job of the group lays files out, so a sibling that happens to lay a
    /// shared file out first does not move this job's percentage offsets.
    func snapshotSharedFileSizes() {
        guard config.filenamesGiven else { return }
        for p in JobExecution.filePaths(config) {
            var st = stat()
            sizesAtGroupStart[p] = stat(p, &st) == 0 ? UInt64(st.st_size) : 0
        }
    }

    deinit {
        units.deallocate()
        regions.deallocate()
        progress.deallocate()
        stopFlag.deallocate()
        releaseBuffers()
    }

    var isDiskless: Bool { engineInfo.flags.contains(.diskless) }
    /// The target is an endpoint the engine connects to or listens on, not a file.
    var isNetwork: Bool { engineInfo.flags.contains(.network) }
    public var writes: Bool { config.rw.directions.contains(.write) || config.rw.directions.contains(.trim) }
    var reads: Bool { config.rw.directions.contains(.read) }

    func fail(_ option: String?, _ msg: String, errno: Int32 = 0) -> JobFileError {
        let loc = option.flatMap { config.definition.setting($0)?.source } ?? config.definition.section
        // No job name here: the stderr line already starts with it, and the report's error is
        // the job's own.
        return JobFileError(loc, option: option, msg, errno: errno)
    }

    // MARK: - Loop

    /// Builds the loop for the opened files.
    public func makeLoop() throws -> IOLoop {
        try allocateBuffers()
        regions.deallocate()
        regions = .allocate(capacity: files.count)
        let useMap = config.rw.isRandom && !config.norandommap && config.distribution == .uniform
        for (i, f) in files.enumerated() {
            var r = FileRegion(fd: f.fd, start: f.regionStart, length: f.regionLength, fileSize: fileSize(f))
            if useMap {
                let granule = max(1, config.blockalign.min() ?? 4096)
                let blocks = max(1, f.regionLength / granule)
                let words = Int((blocks + 63) / 64)
                let map = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
                map.initialize(repeating: 0, count: words)
                r.map = map; r.mapWords = words; r.mapBlocks = blocks; r.mapGranule = granule
            }
            (regions + i).initialize(to: r)
        }
        let w = Workload(job: config, files: regions, fileCount: files.count, seed: config.seed)
        var loop = IOLoop(job: config, engineFlags: engineInfo.flags, units: units, depth: depth, workload: w,
                          budgetBytes: budgetBytes, stopFlag: stopFlag)
        loop.progress = progress
        if let f = config.flow {
            let flow = FlowState.named(f.id)
            flow.join(f.weight)
            joinedFlow = flow
            loop.flowTurn = FlowTurn(flow, weight: f.weight, sleepUs: f.sleepUs)
            loop.issuesOutOfLine = true
        }
        loop.fillDevice = config.fillDevice
        loop.contents = BufferContents(config, blockSize: config.bs[1], jobBytes: budgetBytes)
        if let r = config.replay {
            // A log naming more files than the job has (filename= given) goes to the job's.
            let n = Int32(max(1, files.count))
            loop.attachReplay(IOScript(r.entries.map { var e = $0; e.fileIndex %= n; return e }, timed: true))
        }
        if let z = config.strided, !isDiskless && !isNetwork {
            loop.zones = StridedZones(size: z.size, range: z.range, skip: z.skip, workload: &loop.workload)
            loop.issuesOutOfLine = true
        }
        if let z = config.zbd, !isDiskless && !isNetwork {
            for f in files {
                if let model = EmulatedZones.zonedModel(f.path), model != "none" {
                    throw fail("zonemode", "\(f.path) is a \(model) zoned device: swio emulates zones on files and devices that are not zoned, and does not yet report or reset a real device's zones")
                }
            }
            if let why = EmulatedZones.check(z, job: config, workload: loop.workload, paths: files.map(\.path)) { throw fail("zonesize", why, errno: EINVAL) }
            loop.emulatedZones = EmulatedZones(z, job: config, workload: loop.workload)
            loop.issuesOutOfLine = true
        }
        if let vs = config.verify, !isNetwork {
            let v = verifier ?? Verifier(settings: vs, job: config, thread: config.definition.jobNumber + 1,
                                         paths: files.map(\.path), depth: depth, checks: !isDiskless)
            if vs.stateLoad && verifier == nil {
                // Before any I/O: a state that cannot be read stops the job, as in fio.
                let path = VerifyState.path(jobName: config.name, index: config.definition.jobNumber, auxPath: Verifier.auxPath)
                do { v.loadedState = try VerifyState.load(path) } catch {
                    throw fail("verify_state_load", (error as? ValueError)?.message ?? "\(error)", errno: ENOENT)
                }
            }
            verifier = v
            loop.attach(v, checksReads: !writes)
        }
        if iolog != nil || DebugLog.on([.io, .random]) {
            loop.logIssued = true
            loop.issuedLogSink = { [unowned self] in self.writeIssuedLog(&$0) }
        }
        DebugLog.line(.random, "job '\(config.name)': seed \(config.seed), random_distribution \(config.definition["random_distribution"] ?? "random")")
        if let v = config.verify { DebugLog.line(.verify, "job '\(config.name)': verify type \(v.mode.typeCode), interval \(v.interval), header \(v.mode.headerSize) bytes") }
        loop.snapshotSink = { [unowned self] loop in
            let s = self.statistics(of: loop, endNs: cswio_now_ns())
            self.published.withLock { $0 = s }
        }
        return loop
    }

    /// How long after its thread starts a job waits before its first I/O.
    public static let settleNs: UInt64 = 100_000_000

    /// Waits until the job's thread is settleNs old. Linux starts a new thread's load average
    /// at full weight and decays it with a 32 ms half-life, so a job that began I/O at once
    /// would be placed as a heavy task, apart from the kworker serving it (docs/performance.md).
    /// fio's jobs wait too: its main loop checks every 100 ms that started jobs have
    /// initialised before it lets them run. Setup (files, buffers, engine) counts toward it.
    public func settleBeforeFirstIO() {
        guard threadStartNs > 0 else { return }
        let begin = cswio_now_ns()
        sleepUntil(threadStartNs &+ JobExecution.settleNs, stopFlag: stopFlag)
        settleWaitNs = cswio_now_ns() - begin
    }

    public func beginTiming() {
        cpuStart = CPUUsage.currentThread()
        startedNs = cswio_now_ns()
    }

    /// How far the job is (0...1) and the seconds it still needs, for the ETA line.
    public func progressEstimate(now: UInt64) -> (fraction: Double, remainingSec: Double)? {
        if finished { return (1, 0) }
        guard startedNs > 0 else { return nil }
        // The caller read `now` first; a job that started since then has not run yet.
        let elapsed = Double(now &- min(now, startedNs)) / 1e9
        let total = Double(config.runtimeUs + config.rampUs) / 1e6
        var f = 0.0
        if config.timeBased && config.runtimeUs > 0 { f = elapsed / total }
        else {
            let done = Double(progress[0] + progress[1] + progress[2])
            if budgetBytes > 0 { f = done / Double(budgetBytes) }
            if config.runtimeUs > 0 { f = max(f, elapsed / total) }
        }
        f = min(max(f, 0), 1)
        let remaining = f > 0 ? elapsed * (1 - f) / f : .infinity
        return (f, remaining)
    }

    /// The loop's statistics as they stand at `endNs`, without its logs: the final ones, or a
    /// status report's while the job runs (then called on the job's thread, from the loop).
    func statistics(of loop: IOLoop, endNs: UInt64, histograms: Bool = true) -> JobStats {
        var s = stats
        for d in 0..<3 { s.dirs[d] = histograms ? loop.stats[d].result : loop.stats[d].counters }
        if histograms { s.syncHist = LatencyDistribution(loop.syncHist) }
        s.syncLat = loop.syncLat; s.syncIOs = loop.syncIOs
        s.depthLevel = loop.depthLevel
        s.depthSubmit = loop.depthSubmit
        s.depthComplete = loop.depthComplete
        s.submitCalls = loop.submitCalls
        s.completeCalls = loop.completeCalls
        s.errors = loop.errors
        s.continuedErrors = loop.continuedErrors
        s.ranIOLoop = true
        s.firstContinuedError = loop.firstContinuedError
        if s.firstError == 0 { s.firstError = loop.firstError; s.firstErrorMessage = loop.firstErrorMessage }
        s.runtimeNs = endNs > loop.recordStartNs ? endNs - loop.recordStartNs : 0
        s.logEpochMs = loop.logEpochMs
        if config.serializeOverlap { s.overlapWaits = loop.overlapWaits }
        s.cpu = CPUUsage.currentThread() - (loop.cpuAtRecordStart ?? cpuStart)
        s.totalRunNs = s.runtimeNs
        s.timeline = loop.timeline
        s.latencyDepth = loop.latencyTarget?.depth
        s.zoneResets = loop.emulatedZones?.resets ?? 0
        return s
    }

    /// The finished loop's live histograms, until compactHistograms() turns them into the
    /// report's compact ones: after the job, so that work is not part of its I/O phase.
    var loopHistograms: (dirs: [DirectionStats], sync: LatencyHistogram)?

    /// Keeps the finished loop's histograms as their non-empty buckets, and frees the rest.
    public func compactHistograms() {
        guard let h = loopHistograms else { return }
        loopHistograms = nil
        for d in 0..<3 {
            stats.dirs[d].clatHist = LatencyDistribution(h.dirs[d].clatHist)
            stats.dirs[d].latHist = LatencyDistribution(h.dirs[d].latHist)
            stats.dirs[d].slatHist = LatencyDistribution(h.dirs[d].slatHist)
        }
        stats.syncHist = LatencyDistribution(h.sync)
    }

    /// The statistics a running job last published (status reports), nil before the first.
    public let published = Mutex<JobStats?>(nil)

    /// Asks the running loop to publish its statistics at its next completion.
    public func requestSnapshot() { cswio_flag_or(stopFlag, Int32(CSWIO_JOB_SNAPSHOT)) }

    /// Collects the loop's statistics after the run.
    public func finish(_ loop: inout IOLoop, end: LoopEnd, engineStats: [(String, JSON)]) {
        self.end = end
        stats = statistics(of: loop, endNs: loop.endNs, histograms: false)
        loopHistograms = ((0..<3).map { loop.stats[$0] }, loop.syncHist)
        stats.latLogs = loop.latLogs
        stats.histLog = loop.histLog?.lines ?? []
        stats.bwLog = loop.bwLog
        stats.iopsLog = loop.iopsLog
        stats.engineStats = engineStats
        writeIssuedLog(&loop.issuedLog)
        if let f = joinedFlow, let w = config.flow?.weight { f.leave(w); joinedFlow = nil }
        for i in 0..<files.count { regions[i].map?.deallocate() }
        loop.deallocate()
    }

    /// Whether the job reads back what it wrote after the loop (do_verify with verify=).
    public var verifiesAfterWriting: Bool {
        guard let v = config.verify, let verifier else { return false }
        return v.readBack && v.mode != .null && writes && verifier.keepsHistory
    }

    /// Before the verify phase: what was written reaches the device and leaves the page cache,
    /// so the reads see the device (fio's do_verify() syncs and invalidates each file first).
    /// false when a sync failed (the job's error).
    public func settleWritesForVerify(_ loop: inout IOLoop) -> Bool {
        for f in files where f.fd >= 0 && !f.isCharDevice {
            let r = SyncOps.sync(fd: f.fd, dataOnly: false)
            if r < 0 {
                loop.recordError(r, nil, message: "fsync of \(f.path) before the verify phase failed: \(Syscall.errorString(Int32(-r)))")
                return false
            }
            invalidate(f)
        }
        let randomMap = config.rw.isRandom && !config.norandommap && config.distribution == .uniform
        verifier?.prepareScript(writeOrder: randomMap || config.verify?.writeOrder == true)
        if let v = verifier, let state = v.loadedState {
            let all = v.scriptCount
            v.limitScript(state)
            Console.writeLine("swio: job '\(config.name)': verify state: \(state.numberio) writes were issued; verifying \(v.scriptCount) of \(all) blocks", fd: 2)
        }
        return true
    }

    /// verify_state_save: how far a writing verify job got, in fio's state file (a failure to
    /// write it is a warning: the job's own I/O is done).
    public func saveVerifyState() {
        guard let v = verifier, v.settings.stateSave, !v.settings.only, v.writesIssued > 0 else { return }
        let path = VerifyState.path(jobName: config.name, index: config.definition.jobNumber, auxPath: Verifier.auxPath)
        do { try v.savedState().save(to: path, jobName: config.name, index: config.definition.jobNumber, seed: config.seed) } catch {
            Console.writeLine("swio: warning: job '\(config.name)': \(error)", fd: 2)
        }
    }

    /// numa_mem_policy, for the job's thread, before its buffers are allocated.
    /// uid=/gid=: the job's thread takes them (the group first, while it still may), as fio's
    /// job process does before it sets up its files.
    public func takeIDs() throws {
        if let g = config.gid, case let r = cswio_thread_set_gid(g), r < 0 { throw fail("gid", "cannot run as group \(g): \(Syscall.errorString(-r))", errno: -r) }
        if let u = config.uid, case let r = cswio_thread_set_uid(u), r < 0 { throw fail("uid", "cannot run as user \(u): \(Syscall.errorString(-r))", errno: -r) }
    }

    public func applyMemoryPolicy() throws {
        guard let p = config.memPolicy else { return }
        var mask = [UInt](repeating: 0, count: 16)
        for n in p.nodes where n < 1024 { mask[n / 64] |= 1 << UInt(n % 64) }
        let r = cswio_set_mempolicy(p.mode, mask, p.nodes.isEmpty ? 0 : 1025)
        if r < 0 { throw fail("numa_mem_policy", "set_mempolicy failed: \(Syscall.errorString(-r))", errno: -r) }
    }

    /// Frees a loop that only recorded what the job would write (verify_only).
    public func discardLoop(_ loop: inout IOLoop) {
        for i in 0..<files.count { regions[i].map?.deallocate(); regions[i].map = nil }
        loop.deallocate()
    }

    /// An error after the I/O loop (a failed end_fsync, close or log write): the job ends
    /// failed, and it is the job's error unless an earlier one is.
    public func recordError(errno e: Int32, _ message: String) {
        end = .failed
        stats.errors += 1
        if stats.firstError == 0 { stats.firstError = e; stats.firstErrorMessage = message }
    }

    /// What the report says of a job that did not stop in time (blocked in a system call):
    /// a stand-in with its last published statistics and ETIMEDOUT, as its own may still change.
    static func abandoned(_ job: JobExecution, graceNs: UInt64) -> JobExecution {
        let j = JobExecution(config: job.config)
        if let s = job.published.withLock({ $0 }) { j.stats = s }
        j.recordError(errno: ETIMEDOUT, "the job did not stop within \(graceNs / 1_000_000_000) s of being asked to (blocked in a system call?); its results are incomplete")
        j.finished = true
        return j
    }

    public func recordSetupError(_ e: Error) {
        if e is JobStopped { end = .stopped; return }
        end = .failed
        setupFailed = true
        stats.errors += 1
        if let j = e as? JobFileError { stats.firstErrorMessage = j.description; stats.firstError = j.errno == 0 ? EINVAL : j.errno }
        else if let en = e as? EngineError { stats.firstErrorMessage = en.message; stats.firstError = en.errno == 0 ? EINVAL : en.errno }
        else { stats.firstErrorMessage = "\(e)"; stats.firstError = EINVAL }
    }
}
