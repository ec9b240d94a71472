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
    @usableFromInline let budgetBytes: UInt64
    @usableFromInline let budgetIOs: UInt64
    /// loops=N: the bytes of one loop, and where the current one ends. fio runs each loop as
    /// its own pass and reaps everything in flight at its end, so the queue empties and fills
    /// again at each boundary (its io_depths show the ramp once per loop).
    @usableFromInline let loopBytes: UInt64
    @usableFromInline var loopEndBytes: UInt64
    /// number_ios with loops: fio counts it per loop (number_ios=100 loops=2 makes 200 I/Os);
    /// the next loop goes on from where the last one stopped (fio 3.33: reads at 0, 4k, 8k,
    /// then 12k, 16k, 20k for number_ios=3 loops=2).
    @usableFromInline let loopIOs: UInt64
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
    @usableFromInline let paced: Bool
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
    @usableFromInline let refill: Bool
    @usableFromInline let scramble: Bool
    @usableFromInline let logging: Bool
    @usableFromInline let logLat: Bool
    @usableFromInline let logBwPerIO: Bool
    @usableFromInline let trimWrite: Bool
    /// write_bw_log/write_iops_log with log_avg_msec=0: as in fio, each I/O is a bw (or iops)
    /// sample of its own, in the report's statistics too, and the interval sampler is off.
    @usableFromInline let bwSamplePerIO: Bool
    @usableFromInline let iopsSamplePerIO: Bool
    /// write_iolog: every I/O the engine takes, in issue order, handed to the sink in chunks.
    @usableFromInline let logIssued: Bool
    public var issuedLog: [IssuedIO] = []
    public var issuedLogSink: ((inout [IssuedIO]) -> Void)?
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
    public var bwLog: [LogEntry] = []
    public var iopsLog: [LogEntry] = []
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
        paced = bps.contains { $0 > 0 } || job.thinktimeUs > 0
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
        logging = logLat || logBwPerIO
        logIssued = job.writeIolog != nil
        for d in 0..<3 { stats[d] = freshStats(d) }
    }

    /// Empty statistics for direction `d`, its recorded histograms presized if the job issues it.
    @usableFromInline func freshStats(_ d: Int) -> DirectionStats {
        guard issuesDirection[d] else { return DirectionStats() }
        return .presized(clat: recordClat && clatHistogram, lat: recordLat && latHistogram, slat: recordSlat && slatHistogram)
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
        if ramping { nextTimerNs = recordStartNs } else { armTimers(startNs) }
        var end = LoopEnd.done
        outer: while true {
            if cswio_job_should_stop(stopFlag) != 0 { stopRequested = true }
            // Fill the queue.
            fill: while !stopRequested && inflight + pendingCount < depth && (requeued != nil || (moreToIssue && (issuedBytes < loopEndBytes && issuedIOs < loopEndIOs || trimWritePending))) {
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

    /// fio's io_u_quiesce(), run before a rate or thinktime sleep: submits what is queued and
    /// reaps everything in flight, so completions are not left waiting through the sleep (their
    /// clat would grow by it). Each reap takes at least one, at most batch_complete_max.
    @usableFromInline mutating func quiesce<E: IOEngine>(_ engine: inout E) -> ReapResult {
        if pendingCount > 0, !commit(&engine) { return .ioFailed }
        while inflight > 0 {
            let r = reap(&engine, min: 1, max: Swift.min(batchCompleteMax, inflight))
            if r != .reaped { return r }
        }
        return .reaped
    }

    /// A pending fsync does not count: it replaces the next I/O, so after the last write there
    /// is none (fio 3.33: 8 writes with fsync=2 make 3 syncs; end_fsync is for the last).
    @inlinable var moreToIssue: Bool {
        return (issuedBytes < budgetBytes && issuedIOs < budgetIOs || trimWritePending) && !stopRequested && !budgetDone
    }

    /// trimwrite: the write that goes with the last trim is still to come.
    @inlinable var trimWritePending: Bool { trimWrite && workload.pendingTrimWrite != nil }

    @inlinable static func sum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (v, over) = a.addingReportingOverflow(b)
        return over ? .max : v
    }

    /// Fills in the next I/O and counts it; false when a pass ends before it (the unit is then
    /// in `carried` for the next pass, or there is no next pass and the job is done).
    @inlinable mutating func prepare(_ u: UnsafeMutablePointer<IOUnit>) -> Bool {
        if let s = pendingSync {
            // An fsync/fdatasync after every N writes (fio fsync=/fdatasync=).
            pendingSync = nil
            u.pointee.kind = s
            u.pointee.fd = workload.files[syncFile].fd
            u.pointee.fileIndex = Int32(syncFile)
            u.pointee.length = 0
            u.pointee.offset = 0
            return true
        }
        if paced {
            if rateSwitches { workload.fill(u, kind: rateDirection(workload.nextDirection())) } else { workload.next(u) }
            dueNs = rateDue(u.pointee.kind)
        } else {
            workload.next(u)
        }
        if workload.passEnded {
            workload.passEnded = false
            if issuedBytes > passStartBytes {
                // fio's keep_running(): loops first, then more passes while io_size is not
                // reached by at least the largest block.
                if issuedBytes < budgetBytes && issuedIOs < budgetIOs,
                   passIndex < loopsWanted || (ioSizeGiven && issuedBytes < ioLimit && ioLimit - issuedBytes >= maxBlockSize) {
                    passIndex &+= 1
                    passStartBytes = issuedBytes
                    carried = u
                    // Nothing more is filled until the pass has drained: not even the write of
                    // a carried trim (trimwrite), which follows that trim in the next pass.
                    carriedLoopEnd = loopEndBytes
                    loopEndBytes = issuedBytes
                    carriedTrimWrite = workload.pendingTrimWrite
                    workload.pendingTrimWrite = nil
                } else {
                    budgetDone = true
                    workload.pendingTrimWrite = nil
                }
                return false
            }
        }
        account(u)
        return true
    }

    /// Counts a filled I/O against the limits (as fio, the last one may go past size or
    /// io_size: it stops issuing once they are reached) and prepares a write's buffer.
    @inlinable mutating func account(_ u: UnsafeMutablePointer<IOUnit>) {
        let len = UInt64(u.pointee.length)
        // trimwrite: the write after each trim goes to the same block and does not count
        // against size or number_ios (fio 3.33, 1 MiB: 256 trims and 256 writes).
        if !(trimWrite && u.pointee.kind == .write) {
            issuedBytes &+= len
            issuedIOs &+= 1
        }
        switch u.pointee.kind {
        case .read: issuedPerDir.0 &+= len
        case .write:
            issuedPerDir.1 &+= len
            if refill { refillBuffer(u) } else if scramble { scrambleBuffer(u) }
            if fsyncEvery > 0 || fdatasyncEvery > 0 {
                writesSinceSync &+= 1
                syncFile = Int(u.pointee.fileIndex)
                if fsyncEvery > 0 && writesSinceSync % fsyncEvery == 0 { pendingSync = .fsync }
                else if fdatasyncEvery > 0 && writesSinceSync % fdatasyncEvery == 0 { pendingSync = .fdatasync }
            }
        default: issuedPerDir.2 &+= len
        }
    }

    @usableFromInline mutating func logIssue(_ u: UnsafeMutablePointer<IOUnit>, at t: UInt64) {
        issuedLog.append(IssuedIO(u, at: t))
        if issuedLog.count >= 4096, let sink = issuedLogSink { sink(&issuedLog) }
    }

    @usableFromInline mutating func refillBuffer(_ u: UnsafeMutablePointer<IOUnit>) {
        let words = u.pointee.length / 8
        let p = u.pointee.buffer.bindMemory(to: UInt64.self, capacity: words)
        for i in 0..<words { p[i] = workload.rng.next() }
    }

    /// scramble_buffers (on by default, as in fio): stamps every 512-byte block of a write with
    /// its file offset and the write's sequence number, in a cache line picked per write, so a
    /// deduplicating target cannot fold blocks the job wrote from the same buffer.
    @usableFromInline mutating func scrambleBuffer(_ u: UnsafeMutablePointer<IOUnit>) {
        let blocks = u.pointee.length >> 9
        guard blocks > 0 else { return }
        var offset = u.pointee.offset
        let line = Int((offset ^ issuedIOs) & 7) << 6
        var p = u.pointee.buffer
        for _ in 0..<blocks {
            p.storeBytes(of: offset, toByteOffset: line, as: UInt64.self)
            p.storeBytes(of: issuedIOs, toByteOffset: line + 8, as: UInt64.self)
            p += 512
            offset &+= 512
        }
    }

    /// When the next I/O of direction `d` is due under its rate, from the pacing start; 0 for
    /// none. Linear: once the bytes issued before it would have moved at the rate.
    @inlinable func nextDue(_ d: Int) -> Double {
        let (rate, issued, next) = d == 0 ? (rateBytes.0, issuedPerDir.0, poissonNextNs.0)
            : d == 1 ? (rateBytes.1, issuedPerDir.1, poissonNextNs.1) : (rateBytes.2, issuedPerDir.2, poissonNextNs.2)
        guard rate > 0 else { return 0 }
        return poisson ? next : Double(issued) * 1e9 / Double(rate)
    }

    /// The due time of an I/O of `kind` about to be counted as issued; moves a poisson
    /// schedule on by one exponential gap.
    @usableFromInline mutating func rateDue(_ kind: IOKind) -> UInt64 {
        guard let d = kind.direction?.rawValue else { return 0 }
        let due = nextDue(d)
        if poisson {
            let uniform = (Double(workload.rng.next() >> 11) + 1) / 9007199254740993.0   // (0, 1]
            let gap = -log(uniform) * (d == 0 ? poissonGapNs.0 : d == 1 ? poissonGapNs.1 : poissonGapNs.2)
            switch d {
            case 0: poissonNextNs.0 += gap
            case 1: poissonNextNs.1 += gap
            default: poissonNextNs.2 += gap
            }
        }
        return UInt64(due)
    }

    /// fio's rate_ddir(): the mix picked `kind`; if that direction is ahead of its schedule and
    /// the other is not, the other goes instead; if both are ahead, the one due first.
    @usableFromInline mutating func rateDirection(_ kind: IOKind) -> IOKind {
        guard let d = kind.direction?.rawValue, d < 2 else { return kind }
        let elapsed = Double(now &- (ramping ? startNs : recordStartNs))
        let mine = nextDue(d)
        if mine <= elapsed { return kind }
        let other = nextDue(1 - d)
        return other <= elapsed || other < mine ? (d == 0 ? .write : .read) : kind
    }

    /// rate, rate_iops and thinktime: sleep until this I/O is due, first reaping what is in
    /// flight, as fio does.
    @usableFromInline mutating func pace<E: IOEngine>(_ u: UnsafeMutablePointer<IOUnit>, _ engine: inout E) -> ReapResult {
        guard issuedIOs > 0 else { return .reaped }
        // fio's handle_thinktime(): once thinktime_blocks more I/Os have completed (or, with
        // thinktime_blocks_type=issue, been issued) since the last think. fio checks after
        // queueing an I/O, swio before queueing the next one, which is the same point.
        let blocks = thinkOnIssue ? issuedIOs - 1 : completedBlocks
        if thinkNs > 0, blocks >= lastThinkBlocks &+ thinkBlocks {
            let r = quiesce(&engine)
            if r != .reaped { return r }
            lastThinkBlocks = blocks
            // thinktime_spin: busy (as if working on the data) for that part, asleep for the rest.
            // Neither goes past the runtime (fio caps both at the runtime left; 3.33 did not yet,
            // and ran a thinktime=3s runtime=1 job for 3 s).
            if thinkSpinNs > 0 {
                let end = Swift.min(now &+ thinkSpinNs, runEndNs)
                while now < end && cswio_job_should_stop(stopFlag) == 0 {}
            }
            if thinkNs > thinkSpinNs { sleep(until: now &+ (thinkNs - thinkSpinNs)) }
        }
        // During ramp_time the pace runs from the job start; afterwards from the measured start.
        let elapsedStart = ramping ? startNs : recordStartNs
        if dueNs > 0, elapsedStart + dueNs > now {
            let r = quiesce(&engine)
            if r != .reaped { return r }
            sleep(until: elapsedStart + dueNs)
        }
        return .reaped
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
                if logLat && !ramping { latLogs[0].append(LogEntry(timeMs: (t - recordStartNs) / 1_000_000, value: s, ddir: u.pointee.kind.rawValue, bs: UInt32(u.pointee.length))) }
            }
        }
        return ok
    }

    /// ramp_time is over: what was measured so far is dropped (fio's reset_all_stats()), the
    /// depth maps and call counts too; the bytes issued still count toward size and io_size,
    /// as fio's io_issue_bytes do (size=256k with a ramp moves 256 KiB in all, not after it).
    @usableFromInline mutating func endRamp(_ t: UInt64) {
        ramping = false
        armTimers(t)
        for d in 0..<3 { stats[d] = freshStats(d) }
        syncIOs = 0; syncLat = LatencyStat(); syncHist = makeLatencyHistogram()
        issuedIOs = 0; issuedPerDir = (0, 0, 0); poissonNextNs = (0, 0, 0)
        depthLevel = DepthCounters(); depthSubmit = DepthCounters(); depthComplete = DepthCounters()
        submitCalls = 0; completeCalls = 0
        if thinkOnIssue { lastThinkBlocks = 0 }
    }

    @inlinable mutating func armTimers(_ t: UInt64) {
        // Statistics restart here after ramp_time, CPU usage included (fio clear_rusage_stat()).
        if rampNs > 0 { cpuAtRecordStart = CPUUsage.currentThread() }
        recordStartNs = t
        deadlineNs = runtimeNs == .max ? .max : t &+ runtimeNs
        nextBwSampleNs = bwSamplePerIO ? .max : t &+ sampleIntervalNs
        nextIopsSampleNs = iopsSamplePerIO ? .max : t &+ iopsIntervalNs
        lastBwSampleNs = t
        lastIopsSampleNs = t
        // fio's __check_min_rate() allows a 2 s settle period before the first window.
        if minRate.contains(where: { $0 > 0 }) || minIOPS.contains(where: { $0 > 0 }) {
            nextRateCheckNs = t &+ 2_000_000_000
        }
        nextTimerNs = Swift.min(nextBwSampleNs, nextIopsSampleNs, nextRateCheckNs)
    }

    /// Accounts one completion. Returns false when the job must stop on an error.
    @inlinable @inline(__always) mutating func complete(_ u: UnsafeMutablePointer<IOUnit>, at t: UInt64) -> Bool {
        let r = u.pointee.result
        let kind = u.pointee.kind
        // A read at or past the end of the file returns 0. fio fails it with EIO ("full
        // resid") when a synchronous engine returns it, but counts it as an I/O that moved
        // nothing when it comes back from an async engine's getevents.
        if r < 0 || (r == 0 && u.pointee.length > 0 && !asyncEngine) {
            let err = r < 0 ? r : -Int(EIO)
            recordError(err, u)
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
        if logging && !ramping { logIO(u, d: d, t: t, clat: clat, lat: lat) }
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

    /// Runtime, stop requests and status requests are checked after every completion (one
    /// compare, one load); acting on them is out of line.
    @inlinable mutating func checkTime(_ t: UInt64) -> Bool {
        if t >= deadlineNs || cswio_job_flags(stopFlag) != 0 { handleFlags(t) }
        return true
    }

    @usableFromInline @inline(never) mutating func handleFlags(_ t: UInt64) {
        if t >= deadlineNs || cswio_job_should_stop(stopFlag) != 0 { stopRequested = true }
        if cswio_job_snapshot_wanted(stopFlag) != 0 {
            // Published before the request is cleared: the requester reads once it sees it clear.
            if let sink = snapshotSink { sink(self) }
            cswio_flag_clear(stopFlag, Int32(CSWIO_JOB_SNAPSHOT))
        }
    }

    @usableFromInline mutating func logIO(_ u: UnsafeMutablePointer<IOUnit>, d: Int, t: UInt64, clat: UInt64, lat: UInt64) {
        let ms = (t - recordStartNs) / 1_000_000
        let bs = UInt32(u.pointee.length)
        if logLat {
            latLogs[1].append(LogEntry(timeMs: ms, value: clat, ddir: UInt8(d), bs: bs))
            latLogs[2].append(LogEntry(timeMs: ms, value: lat, ddir: UInt8(d), bs: bs))
        }
        if logBwPerIO {
            // Per-I/O bandwidth (KiB/s over this I/O's latency) and an IOPS entry of 1, as fio
            // writes them when log_avg_msec is 0; averaging happens when the log is written.
            let kibps = lat > 0 ? UInt64(u.pointee.length) * 1_000_000_000 / 1024 / lat : 0
            bwLog.append(LogEntry(timeMs: ms, value: kibps, ddir: UInt8(d), bs: bs))
            iopsLog.append(LogEntry(timeMs: ms, value: 1, ddir: UInt8(d), bs: bs))
            // fio 3.33, write_bw_log on a 4 MiB write: bw_samples=1024, bw_mean = the log's mean.
            if bwSamplePerIO { stats[d].bwSamples.add(Double(kibps)) }
            if iopsSamplePerIO { stats[d].iopsSamples.add(1) }
        }
    }

    /// bw and iops samples every bwavgtime/iopsavgtime, per direction (fio add_bw_samples()).
    /// As in fio's __add_samples(), an interval in which a direction moved nothing adds no
    /// sample ("no entries for interval"): a rwmixread=100 job has no write samples, and a
    /// direction the job's rw does not issue has none at all.
    @usableFromInline mutating func sample(_ t: UInt64) {
        if t >= nextBwSampleNs {
            let span = Double(t - lastBwSampleNs) / 1e9
            for d in 0..<3 {
                let delta = stats[d].bytes - stats[d].lastSampleBytes
                guard delta > 0 else { continue }
                stats[d].bwSamples.add(Double(delta) / 1024 / span)
                stats[d].lastSampleBytes = stats[d].bytes
            }
            lastBwSampleNs = t
            nextBwSampleNs = t + sampleIntervalNs
        }
        if t >= nextIopsSampleNs {
            let span = Double(t - lastIopsSampleNs) / 1e9
            for d in 0..<3 {
                let delta = stats[d].ios - stats[d].lastSampleIOs
                guard delta > 0 else { continue }
                stats[d].iopsSamples.add(Double(delta) / span)
                stats[d].lastSampleIOs = stats[d].ios
            }
            lastIopsSampleNs = t
            nextIopsSampleNs = t + iopsIntervalNs
        }
    }

    /// fio's check_min_rate(): once per rate_cycle, each direction that has moved data must
    /// have done at least rate_min bytes/s (or rate_iops_min IOPS) over the window just ended;
    /// the first window of a direction starts at its first check. A miss stops the job with
    /// EIO, as fio's does ("rate_min=...B/s not met, got ...B/s").
    @usableFromInline mutating func minRateMet(_ t: UInt64) -> Bool {
        nextRateCheckNs = t &+ rateCycleNs
        for d in 0..<3 where stats[d].bytes > 0 {
            let s = stats + d
            guard s.pointee.rateCheckNs > 0 else { s.pointee.startRateWindow(at: t); continue }
            let spentMs = (t - s.pointee.rateCheckNs) / 1_000_000
            guard spentMs >= rateCycleNs / 1_000_000 else { continue }
            var miss: String? = nil
            if minRate[d] > 0 {
                let rate = (s.pointee.bytes - s.pointee.rateCheckBytes) * 1000 / spentMs
                if rate < minRate[d] { miss = "rate_min=\(minRate[d])B/s not met, got \(rate)B/s" }
            } else if minIOPS[d] > 0 {
                let iops = (s.pointee.ios - s.pointee.rateCheckIOs) * 1000 / spentMs
                if iops < minIOPS[d] { miss = "rate_iops_min=\(minIOPS[d]) not met, got \(iops) IOPS" }
            }
            if let miss {
                if firstError == 0 { firstError = EIO; firstErrorMessage = "\(Direction(rawValue: d)!.name): \(miss)" }
                stopRequested = true
                return false
            }
            s.pointee.startRateWindow(at: t)
        }
        return true
    }

    /// A failed engine call (submit, getevents): its errno, EIO when it has none, and its text.
    @usableFromInline mutating func recordEngineError(_ error: Error) {
        recordError(-Int((error as? EngineError)?.errno ?? EIO), nil, message: "\(error)")
    }

    @usableFromInline mutating func recordError(_ r: Int, _ u: UnsafeMutablePointer<IOUnit>?, message: String? = nil) {
        errors += 1
        guard firstError == 0 else { return }
        firstError = Int32(-r)
        if let message { firstErrorMessage = message; return }
        guard let u else { firstErrorMessage = Syscall.errorString(Int32(-r)); return }
        let what = ["read", "write", "trim", "fsync", "fdatasync"][Int(u.pointee.kind.rawValue)]
        var msg = "\(what) of \(u.pointee.length) bytes at offset \(u.pointee.offset) failed: "
        msg += r == -Int(EIO) && u.pointee.result == 0 ? "unexpected end of file" : Syscall.errorString(Int32(-r))
        if r == -Int(EINVAL) {
            msg += " (with direct=1, offsets, sizes and buffers must be aligned to the device's logical block size)"
        } else if r == -Int(EOPNOTSUPP) {
            msg += " (the target does not support this; hipri/IOPOLL needs a block device with poll queues, trim needs discard support)"
        }
        firstErrorMessage = msg
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
