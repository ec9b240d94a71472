// The I/O loop: fill the queue, commit, reap, account. It is generic over the engine and
// @inlinable, so SwioEngines specialises it once per engine and every engine call is direct.
// Nothing here allocates or retains per I/O: units, the free stack and the pending list are
// raw memory allocated once per job.

import CSwio
import Histogram
#if canImport(Glibc)
import Glibc
#endif

/// How a run ended.
public enum LoopEnd: Sendable { case done, stopped, failed }

public struct IOLoop {
    public var units: UnsafeMutablePointer<IOUnit>
    public let depth: Int
    @usableFromInline var freeStack: UnsafeMutablePointer<Int32>
    @usableFromInline var freeCount: Int
    @usableFromInline var pending: UnsafeMutablePointer<UnsafeMutablePointer<IOUnit>>
    @usableFromInline var pendingCount = 0
    public var workload: Workload
    public var stats: UnsafeMutablePointer<DirectionStats>
    public var syncLat = LatencyStat()
    /// fsync/fdatasync latencies, for the sync percentiles fio reports beside them.
    public var syncHist = makeLatencyHistogram()
    public var syncIOs: UInt64 = 0
    public var depthLevel = DepthCounters()
    public var depthSubmit = DepthCounters()
    public var depthComplete = DepthCounters()
    public var submitCalls: UInt64 = 0
    public var completeCalls: UInt64 = 0

    // Limits
    @usableFromInline var budgetBytes: UInt64
    @usableFromInline var budgetIOs: UInt64
    /// loops=N: the bytes of one loop, and where the current one ends. fio runs each loop as
    /// its own pass and reaps everything in flight at its end, so the queue empties and fills
    /// again at each boundary (its io_depths show the ramp once per loop).
    @usableFromInline var loopBytes: UInt64
    @usableFromInline var loopEndBytes: UInt64
    /// number_ios with loops: fio counts it per loop (number_ios=100 loops=2 makes 200 I/Os);
    /// the next loop goes on from where the last one stopped (fio 3.33: reads at 0, 4k, 8k,
    /// then 12k, 16k, 20k for number_ios=3 loops=2).
    @usableFromInline var loopIOs: UInt64
    @usableFromInline var loopEndIOs: UInt64
    /// A job that is not time_based and goes through its region in order (sequential, or random
    /// with the random map) runs in passes that end where the region would start over (fio's
    /// "file done" ends its do_io()). loops=N makes N passes, and more follow while the bytes
    /// moved are below io_size: size=1m io_size=3m loops=2 moves 3 MiB, io_size=1536k loops=2
    /// 2 MiB, as fio 3.33 does.
    @usableFromInline let fileDonePasses: Bool
    @usableFromInline let loopsWanted: UInt64
    @usableFromInline let ioLimit: UInt64
    /// fio's keep_running() adds passes after the loops only for an io_size; without one, a
    /// job whose files are done is done (rw=read:8k ending at the file's end: 22 of 64 blocks).
    @usableFromInline let ioSizeGiven: Bool
    @usableFromInline let maxBlockSize: UInt64
    @usableFromInline var passIndex: UInt64 = 1
    @usableFromInline var passStartBytes: UInt64 = 0
    /// The first I/O of the next pass, filled when the last one ended; issued once the queue
    /// has drained.
    @usableFromInline var carried: UnsafeMutablePointer<IOUnit>? = nil
    @usableFromInline var carriedStarts = false
    @usableFromInline var carriedLoopEnd: UInt64 = 0
    @usableFromInline var carriedTrimWrite: (Int32, UInt64, Int, Int)? = nil
    @usableFromInline let runtimeNs: UInt64
    @usableFromInline let rampNs: UInt64
    @usableFromInline let asyncEngine: Bool
    /// A connection's engine: a read of 0 bytes is the end of the stream (the job ends, done).
    @usableFromInline let streamEnds: Bool
    @usableFromInline let marksInPlaceTrims: Bool
    @usableFromInline let batchSubmit: Int
    @usableFromInline let batchCompleteMin: Int
    @usableFromInline let batchCompleteMax: Int
    /// iodepth_low: after the queue fills, reap until at most this many are in flight.
    @usableFromInline let lowWater: Int
    @usableFromInline let pollAfterQueue: Bool
    /// iodepth_batch_complete_min=0: completions are polled for, never waited on.
    @usableFromInline let pollReap: Bool
    @usableFromInline let recordLat: Bool
    @usableFromInline let recordClat: Bool
    @usableFromInline let recordSlat: Bool
    /// The directions the job issues: their histograms start presized (freshStats).
    @usableFromInline let issuesDirection: [Bool]
    @usableFromInline let latHistogram: Bool
    @usableFromInline let slatHistogram: Bool
    @usableFromInline let clatHistogram: Bool
    @usableFromInline let sampleIntervalNs: UInt64
    @usableFromInline let iopsIntervalNs: UInt64
    @usableFromInline let nonFatal: NonFatalErrors
    // Pacing (rarely used, so checked behind one flag)
    @usableFromInline var paced: Bool
    /// Bytes per second per direction, fio's rate_bps: rate=, or else rate_iops times the
    /// direction's smallest block. Each direction keeps its own schedule, as in fio.
    @usableFromInline let rateBytes: (UInt64, UInt64, UInt64)
    /// A read/write mix under a rate: a direction that is ahead of its schedule gives its turn
    /// to the other (fio's rate_ddir()).
    @usableFromInline let rateSwitches: Bool
    /// When the I/O just prepared is due, from the pacing start (0: now).
    @usableFromInline var dueNs: UInt64 = 0
    /// rate_process=poisson: each direction's I/Os are due at exponentially distributed gaps
    /// with the mean of one smallest block at its rate (fio's usec_for_io()); when the next
    /// one of each direction is due, and that mean gap.
    @usableFromInline let poisson: Bool
    @usableFromInline var poissonNextNs: (Double, Double, Double) = (0, 0, 0)
    @usableFromInline let poissonGapNs: (Double, Double, Double)
    @usableFromInline let thinkNs: UInt64
    @usableFromInline let thinkBlocks: UInt64
    @usableFromInline let thinkSpinNs: UInt64
    @usableFromInline let thinkOnIssue: Bool
    /// thinktime_iotime (ns; 0: none), whether thinktime_blocks counts beside it, and when the
    /// last think began (fio's last_thinktime, from the job's start).
    @usableFromInline let thinkIOTimeNs: UInt64
    @usableFromInline let thinkBlocksCount: Bool
    @usableFromInline var lastThinkNs: UInt64 = 0
    /// rate_ignore_thinktime: time spent thinking, which the rate's schedule skips.
    @usableFromInline let rateIgnoresThink: Bool
    @usableFromInline var thoughtNs: UInt64 = 0
    /// Successful read/write/trim completions, ramp included: thinktime_blocks_type=complete
    /// counts these (fio's io_blocks).
    @usableFromInline var completedBlocks: UInt64 = 0
    /// The block count at the last think (fio's last_thinktime_blocks).
    @usableFromInline var lastThinkBlocks: UInt64 = 0
    @usableFromInline let fsyncEvery: UInt64
    @usableFromInline let fdatasyncEvery: UInt64
    @usableFromInline var writesSinceSync: UInt64 = 0
    @usableFromInline var pendingSync: IOKind? = nil
    /// A prepared unit the engine answered busy to; queued again before anything new (fio's
    /// requeue list), so its offset is neither lost nor replaced.
    @usableFromInline var requeued: UnsafeMutablePointer<IOUnit>? = nil
    /// The file of the write that triggered the pending sync. (fio syncs the file whose turn is
    /// next and lets that take the turn, then skips files whose region is done; swio has no
    /// done-file skipping, so it keeps the rotation to writes and every block is written once.)
    @usableFromInline var syncFile = 0
    @usableFromInline var refill: Bool
    @usableFromInline let scramble: Bool
    @usableFromInline let logging: Bool
    /// With cmdprio: the ioprio values the I/Os can go with, whose latencies are kept apart
    /// (lat's under lat_percentiles, else clat's, as fio's clat_prio); empty otherwise.
    @usableFromInline let priorityValues: [UInt16]
    @usableFromInline let priorityUsesLat: Bool
    @usableFromInline let logLat: Bool
    @usableFromInline let logBwPerIO: Bool
    @usableFromInline let trimWrite: Bool
    /// write_bw_log/write_iops_log with log_avg_msec=0: as in fio, each I/O is a bw (or iops)
    /// sample of its own, in the report's statistics too, and the interval sampler is off.
    @usableFromInline let bwSamplePerIO: Bool
    @usableFromInline let iopsSamplePerIO: Bool
    /// write_iolog: every I/O the engine takes, in issue order, handed to the sink in chunks.
    @usableFromInline var logIssued: Bool
    public var issuedLog: [IssuedIO] = []
    public var issuedLogSink: ((inout [IssuedIO]) -> Void)?
    /// Data verification (verify=): writes carry fio's headers, reads are checked.
    public var verifier: Verifier?
    @usableFromInline var verifyWrites = false
    @usableFromInline var verifyReads = false
    /// Reading back what the job wrote: each read's tag is its block in the verifier's script.
    @usableFromInline var verifyPhase = false
    /// How deep the queue is filled: the depth, or latency_target's current one.
    @usableFromInline var issueDepth: Int
    /// latency_target: the depth search.
    public var latencyTarget: LatencyTarget?
    /// log_unix_epoch / log_alternate_epoch: the log clock's reading (ms) when recording
    /// starts, read with the loop's start (fio's set_epoch_time()); 0 otherwise.
    public var logEpochMs: UInt64 = 0
    @usableFromInline let logEpochClock: Int32?
    /// serialize_overlap: before an I/O is issued, what is in flight is reaped if any of it
    /// overlaps (fio waits for one at a time; swio for all, once); how often that happened.
    @usableFromInline let serializeOverlap: Bool
    @usableFromInline var overlapScratch: [Bool]
    public var overlapWaits: UInt64 = 0
    /// max_latency per direction (ns; 0: none).
    @usableFromInline let maxLatencyNs: (UInt64, UInt64, UInt64)
    /// flow=: the job's turn in its flow, taken before each I/O.
    public var flowTurn: FlowTurn?
    /// fill_device: ENOSPC ends the job, without an error.
    @usableFromInline var fillDevice = false
    /// dedupe_percentage / buffer_compress_percentage: how write buffers are refilled.
    public var contents: BufferContents?
    /// read_iolog: I/Os come from the log, at its pace.
    @usableFromInline var replaying = false
    @usableFromInline var replayDueNs: UInt64 = 0
    /// zonemode=strided: where the zones are.
    public var zones: StridedZones?
    /// zonemode=zbd: the zones' write pointers.
    public var emulatedZones: EmulatedZones?
    /// verify_backlog: written blocks are read back while the job writes.
    @usableFromInline var verifyBacklog = false
    /// verifyWrites || verifyReads: one check per completion.
    @usableFromInline var verifying = false
    /// paced || verifyPhase: the next I/O is chosen out of line.
    @usableFromInline var issuesOutOfLine = false
    /// Takes the loop's statistics when a status report asks for them (the job's snapshot flag).
    public var snapshotSink: ((IOLoop) -> Void)?

    // Progress
    public var issuedBytes: UInt64 = 0
    public var issuedIOs: UInt64 = 0
    @usableFromInline var issuedPerDir: (UInt64, UInt64, UInt64) = (0, 0, 0)
    public var inflight = 0
    public var startNs: UInt64 = 0
    public var recordStartNs: UInt64 = 0
    @usableFromInline var ramping: Bool
    @usableFromInline var deadlineNs: UInt64 = .max
    @usableFromInline var nextBwSampleNs: UInt64 = .max
    @usableFromInline var nextIopsSampleNs: UInt64 = .max
    @usableFromInline var lastBwSampleNs: UInt64 = 0
    @usableFromInline var lastIopsSampleNs: UInt64 = 0
    /// rate_min/rate_iops_min (bytes/s and IOPS per direction), checked every rate_cycle.
    @usableFromInline let minRate: [UInt64]
    @usableFromInline let minIOPS: [UInt64]
    @usableFromInline let rateCycleNs: UInt64
    @usableFromInline var nextRateCheckNs: UInt64 = .max
    /// The earliest of the three above, so a completion makes one compare for all of them.
    @usableFromInline var nextTimerNs: UInt64 = .max
    public var endNs: UInt64 = 0
    /// CPU usage when measurement started after ramp_time (nil without a ramp).
    public var cpuAtRecordStart: CPUUsage? = nil
    public var errors: UInt64 = 0
    /// Errors continue_on_error/ignore_error let the job go on past (fio's total_err_count).
    public var continuedErrors: UInt64 = 0
    public var firstContinuedError: Int32 = 0
    public var firstError: Int32 = 0
    public var firstErrorMessage: String? = nil
    @usableFromInline var stopRequested = false
    @usableFromInline var budgetDone = false
    public var latLogs: [[LogEntry]] = [[], [], []]
    /// write_hist_log with log_hist_msec: the buckets and the lines made so far.
    public var histLog: HistogramLog?
    public var bwLog: [LogEntry] = []
    public var iopsLog: [LogEntry] = []
    /// Progress at each bandwidth sample, for plots.
    public var timeline = Timeline()
    /// Shared progress for the ETA line: bytes then I/Os done per direction (approximate reads).
    public var progress: UnsafeMutablePointer<UInt64>?
    /// The job's own stop flag (exitall), polled together with the run's (signals).
    @usableFromInline let stopFlag: UnsafeMutablePointer<Int32>

    public init(job: JobConfig, engineFlags: EngineFlags, units: UnsafeMutablePointer<IOUnit>, depth: Int,
                workload: Workload, budgetBytes: UInt64, stopFlag: UnsafeMutablePointer<Int32>) {
        self.stopFlag = stopFlag
        self.units = units
        self.depth = depth
        freeStack = .allocate(capacity: depth)
        for i in 0..<depth { freeStack[i] = Int32(depth - 1 - i) }
        freeCount = depth
        issueDepth = depth
        pending = .allocate(capacity: depth)
        self.workload = workload
        stats = .allocate(capacity: 3)
        stats.initialize(repeating: DirectionStats(), count: 3)
        let timeBased = job.timeBased && job.runtimeUs > 0
        self.budgetBytes = timeBased ? .max : budgetBytes
        let loops = UInt64(max(1, job.loops))
        fileDonePasses = !timeBased && (!job.rw.isRandom || (!job.norandommap && job.distribution == .uniform))
        self.workload.tracksPasses = fileDonePasses
        loopsWanted = loops
        ioLimit = budgetBytes / loops
        ioSizeGiven = job.ioSize != nil
        maxBlockSize = job.maxBlockSize
        loopBytes = timeBased || loops == 1 || fileDonePasses ? self.budgetBytes : budgetBytes / loops
        loopEndBytes = loopBytes
        loopIOs = job.numberIOs > 0 && loops > 1 && !timeBased ? job.numberIOs : .max
        loopEndIOs = loopIOs
        budgetIOs = job.numberIOs > 0 ? (loopIOs == .max ? job.numberIOs : job.numberIOs &* loops) : .max
        runtimeNs = job.runtimeUs > 0 ? job.runtimeUs * 1000 : .max
        rampNs = job.rampUs * 1000
        ramping = job.rampUs > 0
        asyncEngine = !engineFlags.contains(.sync)
        streamEnds = engineFlags.contains(.network)
        marksInPlaceTrims = engineFlags.contains(.marksInPlaceTrims)
        batchSubmit = max(1, min(job.batchSubmit, depth))
        // fio's wait_for_completions() asks for at least one event even when
        // iodepth_batch_complete_min is 0: it only reaps when the queue is full.
        batchCompleteMin = max(1, job.batchCompleteMin)
        // fio's default: no more than the min per call (one at a time unless the job says
        // otherwise). kevent harvests its ready queue in batches of its own kevent_min/max.
        let maxGiven = job.batchCompleteMax > 0 ? job.batchCompleteMax : engineFlags.contains(.batchedCompletions) ? depth : 0
        batchCompleteMax = max(batchCompleteMin, min(maxGiven, depth))
        lowWater = max(0, min(job.iodepthLow, depth))
        pollAfterQueue = job.batchCompleteMin == 0 && job.batchCompleteMax == 0
        pollReap = job.batchCompleteMin == 0 && !engineFlags.contains(.sync)
        recordLat = !job.disableLat
        recordClat = !job.disableClat
        recordSlat = !job.disableSlat && asyncEngine
        latHistogram = job.latPercentiles
        slatHistogram = job.slatPercentiles && asyncEngine
        // Always kept when clat is measured: the latency_* buckets come from it too.
        clatHistogram = !job.disableClat
        issuesDirection = (0..<3).map { d in job.rw.directions.contains { $0.rawValue == d } }
        sampleIntervalNs = job.bwAvgMs * 1_000_000
        iopsIntervalNs = job.iopsAvgMs * 1_000_000
        minRate = job.rateMin
        minIOPS = job.rateIOPSMin
        rateCycleNs = UInt64(max(1, job.rateCycleMs)) * 1_000_000
        nonFatal = job.nonFatal
        let bps = (0..<3).map { job.rate[$0] > 0 ? job.rate[$0] : job.rateIOPS[$0] &* job.bs[$0] }
        rateBytes = (bps[0], bps[1], bps[2])
        rateSwitches = (job.rw == .rw || job.rw == .randrw) && (0 < job.rwmixread && job.rwmixread < 100) && (bps[0] > 0 || bps[1] > 0)
        poisson = job.ratePoisson
        let gap = (0..<3).map { bps[$0] > 0 ? Double(job.bs[$0]) * 1e9 / Double(bps[$0]) : 0 }
        poissonGapNs = (gap[0], gap[1], gap[2])
        thinkNs = job.thinktimeUs * 1000
        thinkBlocks = UInt64(max(1, job.thinktimeBlocks))
        thinkSpinNs = min(job.thinktimeSpinUs, job.thinktimeUs) * 1000
        thinkOnIssue = job.thinkOnIssue
        thinkIOTimeNs = job.thinktimeIOTimeUs * 1000
        // fio: with thinktime_iotime and no thinktime_blocks given, the blocks' default of 1
        // does not count.
        thinkBlocksCount = job.thinktimeIOTimeUs == 0 || job.thinktimeBlocksGiven
        rateIgnoresThink = job.rateIgnoresThinktime
        // serialize_overlap's wait is taken where pacing waits, before the I/O is issued.
        serializeOverlap = job.serializeOverlap
        overlapScratch = serializeOverlap ? Array(repeating: false, count: depth) : []
        paced = bps.contains { $0 > 0 } || job.thinktimeUs > 0 || serializeOverlap
        issuesOutOfLine = paced
        fsyncEvery = UInt64(job.fsyncEvery)
        fdatasyncEvery = UInt64(job.fdatasyncEvery)
        refill = job.refillBuffers
        // fio scrambles writes by default, but not zero_buffers or a buffer_pattern (fio 3.33
        // writes those unchanged) unless scramble_buffers is spelled out.
        scramble = job.scrambleBuffers && !job.refillBuffers && (job.scrambleBuffersGiven || (!job.zeroBuffers && job.bufferPattern == nil))
        logLat = job.latLog != nil
        logBwPerIO = (job.bwLog != nil || job.iopsLog != nil)
        trimWrite = job.rw == .trimwrite || job.rw == .randtrimwrite
        bwSamplePerIO = job.bwLog != nil && job.logAvgMs == 0
        iopsSamplePerIO = job.iopsLog != nil && job.logAvgMs == 0
        priorityValues = ((try? CommandPriority.make(job)) ?? nil)?.values ?? []
        priorityUsesLat = job.latPercentiles
        // fio checks it with the total latency, so not when disable_lat leaves that out.
        maxLatencyNs = job.disableLat ? (0, 0, 0) : (job.maxLatencyNs[0], job.maxLatencyNs[1], job.maxLatencyNs[2])
        logEpochClock = job.logEpochClock
        if job.histLog != nil && job.histLogMs > 0 { histLog = HistogramLog(windowMs: job.histLogMs, coarseness: job.histLogCoarseness) }
        logging = histLog != nil || logLat || logBwPerIO || job.latencyTarget != nil || !priorityValues.isEmpty || maxLatencyNs != (0, 0, 0)
        if let lt = job.latencyTarget {
            latencyTarget = LatencyTarget(targetNs: lt.targetNs, windowNs: lt.windowNs, percentile: lt.percentile, keepRunning: lt.keepRunning, maxDepth: depth)
            issueDepth = 1
        }
        logIssued = job.writeIolog != nil
        for d in 0..<3 { stats[d] = freshStats(d) }
    }

    public mutating func deallocate() {
        freeStack.deallocate()
        pending.deallocate()
        stats.deinitialize(count: 3)
        stats.deallocate()
    }

    @inlinable public var now: UInt64 { cswio_now_ns() }

    /// Runs the job to the end (size, number_ios, runtime, error or stop request).
    @inlinable public mutating func run<E: IOEngine>(_ engine: inout E) -> LoopEnd {
        startNs = now
        recordStartNs = ramping ? startNs + rampNs : startNs
        if logEpochClock != nil { readLogEpoch() }
        if ramping { nextTimerNs = recordStartNs } else { armTimers(startNs) }
        return issueUntilDone(&engine)
    }

    /// The loop itself: from the current limits and workload until they are met, the job
    /// stops or fails (run(), and the verify phase after it).
    @inlinable mutating func issueUntilDone<E: IOEngine>(_ engine: inout E) -> LoopEnd {
        var end = LoopEnd.done
        outer: while true {
            if cswio_job_should_stop(stopFlag) != 0 { stopRequested = true }
            // Fill the queue.
            fill: while !stopRequested && inflight + pendingCount < issueDepth && (requeued != nil || (moreToIssue && (issuedBytes < loopEndBytes && issuedIOs < loopEndIOs || trimWritePending))) {
                let u: UnsafeMutablePointer<IOUnit>
                var fresh = true
                if let r = requeued {
                    u = r
                    requeued = nil
                    // The first I/O of a new pass is paced as any other; a busy retry is not.
                    fresh = carriedStarts
                    carriedStarts = false
                } else {
                    u = units + Int(freeStack[freeCount - 1])
                    freeCount -= 1
                    if !prepare(u) {
                        // The pass ended: the unit waits in `carried` for the next one, or
                        // there is none and the job is done.
                        if carried == nil { freeCount += 1 }
                        break
                    }
                }
                if paced && fresh && u.pointee.kind.direction != nil {
                    let r = pace(u, &engine)
                    // Stopped while waiting (exitall, a signal, runtime), or an error while
                    // reaping before the wait: the I/O is not issued.
                    if r != .reaped || cswio_job_should_stop(stopFlag) != 0 || now >= runEndNs {
                        freeCount += 1
                        freeStack[freeCount - 1] = u.pointee.index
                        stopRequested = true
                        if r != .reaped { end = .failed }
                        if r == .engineFailed { break outer }
                        break
                    }
                }
                let idx = Int(u.pointee.index)
                let t = now
                u.pointee.startNs = t
                // A queued I/O's depth is marked when it is committed, a busy answer's never.
                let level = inflight + pendingCount + 1
                switch engine.queue(u) {
                case .completed:
                    depthLevel.markLevel(level)
                    if logIssued { logIssue(u, at: t) }
                    let done = now
                    u.pointee.issueNs = t
                    // fio marks submit/complete batches in an engine's commit and getevents when
                    // it has them: an fsync that libaio runs in place, or a null I/O at depth 1,
                    // is in neither distribution (fio 3.33: null iodepth_submit all 0%). Its
                    // libaio and io_uring mark a trim they run in place, though.
                    if !asyncEngine || (marksInPlaceTrims && u.pointee.kind == .trim) {
                        submitCalls &+= 1
                        depthSubmit.markBatch(1)
                        completeCalls &+= 1
                        depthComplete.markBatch(1)
                    }
                    freeCount += 1
                    freeStack[freeCount - 1] = Int32(idx)
                    if !complete(u, at: done) {
                        // Stop, but let what is queued be submitted and reaped below.
                        end = .failed
                        stopRequested = true
                        break fill
                    }
                case .queued:
                    if logIssued { logIssue(u, at: t) }
                    pending[pendingCount] = u
                    pendingCount += 1
                    if pendingCount >= batchSubmit {
                        if !commit(&engine) { end = .failed; stopRequested = true; break fill }
                    }
                    // fio's io_in_polling(): with iodepth_batch_complete_min and _max both 0 it
                    // waits for a completion after every queued I/O, not only on a full queue.
                    if pollAfterQueue { break fill }
                case .busy:
                    // The engine needs what is queued submitted and reaped first (no room, or an
                    // fsync that must follow the writes in flight): keep the unit, commit and
                    // reap below, then queue it again.
                    if pendingCount == 0 && inflight == 0 {
                        recordError(-Int(EAGAIN), u, message: "the engine reported busy with nothing in flight")
                        freeCount += 1
                        freeStack[freeCount - 1] = Int32(idx)
                        end = .failed
                        stopRequested = true
                    } else {
                        requeued = u
                    }
                    break fill
                }
            }
            if pendingCount > 0, !commit(&engine) { end = .failed; stopRequested = true }
            if inflight == 0 {
                if stopRequested || !moreToIssue { break }
                if let c = carried {
                    // The last pass has drained: the next one starts with the I/O that ended it.
                    carried = nil
                    loopEndBytes = carriedLoopEnd
                    workload.pendingTrimWrite = carriedTrimWrite
                    carriedTrimWrite = nil
                    account(c)
                    if logIssued { issuedLog.append(IssuedIO(passStartAt: now)) }
                    requeued = c
                    carriedStarts = true
                    continue
                }
                if issuedBytes >= loopEndBytes {   // the next loop
                    loopEndBytes = IOLoop.sum(loopEndBytes, loopBytes)
                    if loopIOs != .max { loopEndIOs = issuedIOs &+ loopIOs }
                } else if issuedIOs >= loopEndIOs {   // number_ios ended this loop early
                    loopEndBytes = IOLoop.sum(issuedBytes, loopBytes)
                    loopEndIOs = issuedIOs &+ loopIOs
                }
                continue
            }
            // Reap: at least batch_complete_min (or all when draining), at most batch_complete_max.
            // fio drains to iodepth_low only when its free list is empty (queue_full()); a busy
            // answer reaps once. Neither, nor polling: nothing more is being issued (size,
            // runtime, a stop), and fio ends a job by reaping everything in flight in one call
            // (io_u_queued_complete(cur_depth)).
            let full = freeCount == 0
            let draining = !full && requeued == nil && !pollAfterQueue
            repeat {
                let minEvents = draining ? inflight : min(batchCompleteMin, inflight)
                let maxEvents = draining ? inflight : min(batchCompleteMax, inflight)
                let r = reap(&engine, min: minEvents, max: maxEvents)
                if r == .engineFailed { end = .failed; break outer }
                if r == .ioFailed { end = .failed; stopRequested = true; break }
            } while full && inflight > lowWater
        }
        // Drain what is still in flight (after an engine error), counting it, so no buffer is
        // freed under the kernel and no completed I/O goes unreported.
        var drainFailures = 0
        while inflight > 0 && drainFailures < 3 {
            let n: Int
            do { n = try engine.getEvents(min: 1, max: inflight) } catch { drainFailures += 1; continue }
            // An engine that hands back nothing when asked for one would keep this spinning.
            if n == 0 { drainFailures += 1; continue }
            _ = completeEvents(&engine, n)
        }
        endNs = now
        // A job that ended inside its ramp_time reports all it did, over its whole run, as fio.
        if ramping { recordStartNs = startNs }
        if end == .done && stopRequested && cswio_job_should_stop(stopFlag) != 0 { end = .stopped }
        return end
    }

    @usableFromInline enum ReapResult { case reaped, ioFailed, engineFailed }

    /// One getEvents call: accounts its completions and frees their units. `.ioFailed` when an
    /// I/O failed in a way that ends the job; `.engineFailed` when the call itself failed.
    @inlinable @inline(__always)
    mutating func reap<E: IOEngine>(_ engine: inout E, min: Int, max: Int) -> ReapResult {
        if pollReap { return pollingReap(&engine, min: min, max: max) }
        let n: Int
        do { n = try engine.getEvents(min: min, max: max) } catch {
            recordEngineError(error)
            return .engineFailed
        }
        guard n > 0 else { return .reaped }
        completeCalls &+= 1
        depthComplete.markBatch(n)
        return completeEvents(&engine, n)
    }

    /// iodepth_batch_complete_min=0 polls: the engine is asked for whatever is done, again and
    /// again, until `min` have come (fio's getevents with actual_min 0), and that is one batch.
    @inlinable @inline(never) mutating func pollingReap<E: IOEngine>(_ engine: inout E, min: Int, max: Int) -> ReapResult {
        var total = 0
        var failed = false
        repeat {
            let n: Int
            do { n = try engine.getEvents(min: 0, max: max - total) } catch {
                if total > 0 { break }
                recordEngineError(error)
                return .engineFailed
            }
            if n > 0 && completeEvents(&engine, n) != .reaped { failed = true }
            total += n
        } while total < min
        guard total > 0 else { return .reaped }
        completeCalls &+= 1
        depthComplete.markBatch(total)
        return failed ? .ioFailed : .reaped
    }

    /// Accounts the n events the engine's last getEvents handed out.
    @inlinable @inline(__always) mutating func completeEvents<E: IOEngine>(_ engine: inout E, _ n: Int) -> ReapResult {
        let t = now
        inflight -= n
        var failed = false
        for i in 0..<n {
            let u = engine.event(i)
            if !complete(u, at: t) { failed = true }
            freeCount += 1
            freeStack[freeCount - 1] = u.pointee.index
        }
        return failed ? .ioFailed : .reaped
    }

    /// Where the run ends, ramp_time included (.max without a runtime).
    @inlinable var runEndNs: UInt64 {
        ramping ? (runtimeNs == .max ? .max : recordStartNs &+ runtimeNs) : deadlineNs
    }

    /// A thinktime or rate wait, never past the end of the run (fio's rate_ddir() and
    /// handle_thinktime() cap theirs at the runtime left). An exitall or a signal ends it within
    /// one step (fio's usec_sleep() checks td->terminate between pieces too).
    @usableFromInline func sleep(until due: UInt64) {
        let end = Swift.min(due, runEndNs)
        if end > now { sleepUntil(end, stopFlag: stopFlag) }
    }

    /// Submits everything queued. As fio's libaio/io_uring engines do, the issue time is taken
    /// when the submit call returns: slat covers prep + submit, clat only the wait.
    @inlinable mutating func commit<E: IOEngine>(_ engine: inout E) -> Bool {
        var n = pendingCount
        pendingCount = 0
        submitCalls &+= 1
        depthSubmit.markBatch(n)
        // fio's td_io_commit(): the whole batch at the depth it brings the queue to.
        depthLevel.markLevel(inflight + n, count: UInt64(n))
        var ok = true
        do { _ = try engine.commit() } catch {
            // Only what the kernel accepted is in flight; the rest goes back to the free stack.
            let accepted = (error as? EngineError)?.accepted ?? 0
            recordEngineError(error)
            for i in accepted..<n {
                freeCount += 1
                freeStack[freeCount - 1] = pending[i].pointee.index
            }
            n = accepted
            ok = false
        }
        inflight += n
        let t = now
        for i in 0..<n {
            let u = pending[i]
            u.pointee.issueNs = t
            if recordSlat, let d = u.pointee.kind.direction {
                let s = t &- u.pointee.startNs
                stats[d.rawValue].slat.add(s)
                if slatHistogram { _ = stats[d.rawValue].slatHist.record(s) }
                if logLat && !ramping { latLogs[0].append(LogEntry(timeMs: (t - recordStartNs) / 1_000_000, value: s, ddir: u.pointee.kind.rawValue, bs: UInt32(u.pointee.length), offset: u.pointee.offset, prio: u.pointee.priority)) }
            }
        }
        return ok
    }

    /// Accounts one completion. Returns false when the job must stop on an error.
    @inlinable @inline(__always) mutating func complete(_ u: UnsafeMutablePointer<IOUnit>, at t: UInt64) -> Bool {
        let r = verifying ? verifyCompletion(u) : u.pointee.result
        let kind = u.pointee.kind
        // A read at or past the end of the file returns 0. fio fails it with EIO ("full
        // resid") when a synchronous engine returns it, but counts it as an I/O that moved
        // nothing when it comes back from an async engine's getevents.
        if r < 0 || (r == 0 && u.pointee.length > 0 && !asyncEngine) {
            if r == 0 && streamEnds && kind == .read {
                // The peer closed the stream: nothing more will come, and that is not an error.
                stopRequested = true
                budgetDone = true
                return true
            }
            if fillDevice && r == -Int(ENOSPC) {
                // fill_device: the device is full, which is what the job wanted.
                stopRequested = true
                budgetDone = true
                return true
            }
            let err = r < 0 ? r : -Int(EIO)
            recordError(err, u, message: err == -Int(EILSEQ) ? verifier?.firstFailure : nil)
            // fio counts a failed I/O in total_ios (not in bytes, iops or latencies), after ramp_time.
            if let d = kind.direction { stats[d.rawValue].failedIOs += 1 }
            // With continue_on_error the deadline still applies, or a job whose I/Os all fail
            // would never reach its runtime.
            guard nonFatal.survives(kind, errno: Int32(-err)) else { return false }
            // fio's total_err and first_error count only the errors a job went on past.
            continuedErrors &+= 1
            if firstContinuedError == 0 { firstContinuedError = Int32(-err) }
            return checkTime(t)
        }
        guard let dir = kind.direction else {
            syncIOs &+= 1
            syncLat.add(t &- u.pointee.startNs)
            _ = syncHist.record(t &- u.pointee.startNs)
            return checkTime(t)
        }
        completedBlocks &+= 1
        let d = dir.rawValue
        let s = stats + d
        s.pointee.bytes &+= UInt64(r)
        s.pointee.ios &+= 1
        if r < u.pointee.length && r > 0 { s.pointee.shortIOs &+= 1 }
        let clat = t &- u.pointee.issueNs
        let lat = t &- u.pointee.startNs
        if recordClat {
            s.pointee.clat.add(clat)
            if clatHistogram { _ = s.pointee.clatHist.record(clat) }
        }
        if recordLat {
            s.pointee.lat.add(lat)
            if latHistogram { _ = s.pointee.latHist.record(lat) }
        }
        if logging && !ramping && !logIO(u, d: d, t: t, clat: clat, lat: lat) { return false }
        if let p = progress { p[d] &+= UInt64(r); p[3 + d] &+= 1 }
        if t >= nextTimerNs {
            // During ramp_time the timer is its end; the I/O that sees it is dropped with the
            // rest of the ramp, as in fio (size=256k at 400 IOPS after a 100 ms ramp: 23 of 64).
            if ramping { endRamp(t) } else {
                sample(t)
                if t >= nextRateCheckNs && !minRateMet(t) { return false }
            }
            nextTimerNs = Swift.min(nextBwSampleNs, nextIopsSampleNs, nextRateCheckNs)
        }
        return checkTime(t)
    }

}

/// One I/O for write_iolog: when the engine took it (monotonic ns), on which file, what.
public struct IssuedIO: Sendable {
    public var ns: UInt64
    public var fileIndex: Int32
    public var kind: IOKind
    public var offset: UInt64
    public var length: Int
    @inlinable init(_ u: UnsafeMutablePointer<IOUnit>, at ns: UInt64) {
        self.ns = ns
        fileIndex = u.pointee.fileIndex
        kind = u.pointee.kind
        offset = u.pointee.offset
        length = u.pointee.length
    }
    /// A new pass: fio closes the job's files at the end of each and opens them again.
    @usableFromInline init(passStartAt ns: UInt64) {
        self.ns = ns
        fileIndex = IssuedIO.passStart
        kind = .read
        offset = 0
        length = 0
    }
    public static let passStart: Int32 = -1
}
