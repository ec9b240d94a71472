// Pacing: rate, rate_iops, rate_process=poisson and thinktime decide when the next I/O may
// go; before a wait the loop quiesces, so completions do not wait through the sleep.

import CSwio
#if canImport(Glibc)
import Glibc
#endif

extension IOLoop {
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
        let base = (ramping ? startNs : recordStartNs) &+ thoughtNs
        let elapsed = Double(now > base ? now - base : 0)
        let mine = nextDue(d)
        if mine <= elapsed { return kind }
        let other = nextDue(1 - d)
        return other <= elapsed || other < mine ? (d == 0 ? .write : .read) : kind
    }

    /// Whether a unit not free (in flight, queued, or held back) overlaps u on its file.
    @usableFromInline mutating func overlapsInFlight(_ u: UnsafeMutablePointer<IOUnit>) -> Bool {
        for i in 0..<depth { overlapScratch[i] = false }
        for i in 0..<freeCount { overlapScratch[Int(freeStack[i])] = true }
        let lo = u.pointee.offset, hi = u.pointee.offset &+ UInt64(u.pointee.length)
        for i in 0..<depth where !overlapScratch[i] && i != Int(u.pointee.index) {
            let v = units + i
            guard v.pointee.fd == u.pointee.fd, v.pointee.kind.direction != nil else { continue }
            if v.pointee.offset < hi && lo < v.pointee.offset &+ UInt64(v.pointee.length) { return true }
        }
        return false
    }

    /// fio's handle_thinktime() test: thinktime_iotime of I/O (plus the last think) since the
    /// last think began, or thinktime_blocks more I/Os, whichever counts and comes first.
    @inlinable func thinkDue(_ blocks: UInt64) -> Bool {
        if thinkIOTimeNs > 0 && now &- (lastThinkNs == 0 ? startNs : lastThinkNs) >= thinkIOTimeNs &+ thinkNs { return true }
        return thinkBlocksCount && blocks >= lastThinkBlocks &+ thinkBlocks
    }

    /// rate, rate_iops and thinktime: sleep until this I/O is due, first reaping what is in
    /// flight, as fio does.
    @usableFromInline mutating func pace<E: IOEngine>(_ u: UnsafeMutablePointer<IOUnit>, _ engine: inout E) -> ReapResult {
        if serializeOverlap && inflight + pendingCount > 0 && overlapsInFlight(u) {
            overlapWaits &+= 1
            let r = quiesce(&engine)
            if r != .reaped { return r }
        }
        guard issuedIOs > 0 else { return .reaped }
        // fio's handle_thinktime(): once thinktime_blocks more I/Os have completed (or, with
        // thinktime_blocks_type=issue, been issued) since the last think. fio checks after
        // queueing an I/O, swio before queueing the next one, which is the same point.
        let blocks = thinkOnIssue ? issuedIOs - 1 : completedBlocks
        if thinkNs > 0, thinkDue(blocks) {
            let r = quiesce(&engine)
            if r != .reaped { return r }
            lastThinkBlocks = blocks
            let thinkStart = now
            if thinkIOTimeNs > 0 { lastThinkNs = thinkStart }
            // thinktime_spin: busy (as if working on the data) for that part, asleep for the rest.
            // Neither goes past the runtime (fio caps both at the runtime left; 3.33 did not yet,
            // and ran a thinktime=3s runtime=1 job for 3 s).
            if thinkSpinNs > 0 {
                let end = Swift.min(now &+ thinkSpinNs, runEndNs)
                while now < end && cswio_job_should_stop(stopFlag) == 0 {}
            }
            if thinkNs > thinkSpinNs { sleep(until: now &+ (thinkNs - thinkSpinNs)) }
            if rateIgnoresThink { thoughtNs &+= now &- thinkStart }
        }
        // During ramp_time the pace runs from the job start; afterwards from the measured start
        // (and, with rate_ignore_thinktime, the time spent thinking is not owed).
        let elapsedStart = (ramping ? startNs : recordStartNs) &+ thoughtNs
        if dueNs > 0, elapsedStart + dueNs > now {
            let r = quiesce(&engine)
            if r != .reaped { return r }
            sleep(until: elapsedStart + dueNs)
        }
        return .reaped
    }
}
