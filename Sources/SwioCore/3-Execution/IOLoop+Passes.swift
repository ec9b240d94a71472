// What to issue next, and when the job has done enough: passes over the region, loops,
// number_ios, io_size, and the fsync/fdatasync every N writes.

import CSwio
#if canImport(Glibc)
import Glibc
#endif

extension IOLoop {
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
        if issuesOutOfLine {
            // A strided zone past the file's end ends the job, as fio's failed offset does.
            guard fillOutOfLine(u) else { budgetDone = true; return false }
        } else { workload.next(u) }
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

    /// The next I/O of a paced job (rate, thinktime), of the verify phase or its backlog, or of
    /// a zoned job; false when there is none (a strided zone past the file's end, or no zone
    /// to read or write).
    @usableFromInline @inline(never) mutating func fillOutOfLine(_ u: UnsafeMutablePointer<IOUnit>) -> Bool {
        if verifyPhase { workload.nextScripted(u); return true }
        if replaying { nextReplayed(u); return true }
        if flowTurn != nil { flowTurn!.take(stopFlag: stopFlag, deadlineNs: runEndNs) }
        if let z = zones {
            z.enterZone(&workload)
            fillNext(u)
            return z.account(u, workload)
        }
        if let z = emulatedZones {
            // The verifier's backlog reads and trims go where their blocks are.
            guard fillNext(u) else { return true }
            if zoneAdjust(z, u) { return true }
            // fio's io_u_eof ends the pass: another starts where fio's keep_running() would
            // start one, if this pass did any I/O; otherwise the job is done.
            let loop = passIndex < loopsWanted
            let another = ramping || budgetBytes == .max || loop || (ioSizeGiven && issuedBytes < ioLimit)
            guard issuedBytes > passStartBytes, another else { return false }
            passIndex &+= 1
            passStartBytes = issuedBytes
            for i in 0..<workload.fileCount {
                workload.files[i].position = (0, 0, 0)
                workload.files[i].clearMap()
            }
            // This is the pass change; the workload's own end of pass (if it wrapped too) is not another.
            workload.passEnded = false
            z.newPass(loop: loop)
            guard fillNext(u) else { return true }
            return zoneAdjust(z, u)
        }
        fillNext(u)
        return true
    }

    /// zonemode=zbd's adjustment of a filled I/O; a sequential job's position follows the
    /// I/O where it landed (fio's last_pos), so the next one continues from there.
    @usableFromInline mutating func zoneAdjust(_ z: EmulatedZones, _ u: UnsafeMutablePointer<IOUnit>) -> Bool {
        guard z.adjust(u) else { return false }
        if z.skipped > 0 { issuedBytes &+= z.skipped; z.skipped = 0 }
        if !z.random, let d = u.pointee.kind.direction?.rawValue {
            let f = workload.files + Int(u.pointee.fileIndex)
            let end = u.pointee.offset &+ UInt64(u.pointee.length)
            if end >= f.pointee.start { workload.setPosition(f, d, end - f.pointee.start) }
        }
        return true
    }

    /// Fills the next I/O: the verifier's backlog read or trim when one is due (false), or the
    /// job's own next I/O (true).
    @discardableResult @usableFromInline mutating func fillNext(_ u: UnsafeMutablePointer<IOUnit>) -> Bool {
        if verifyBacklog, let b = verifier?.nextTrim() {
            u.pointee.kind = .trim
            u.pointee.fileIndex = b.fileIndex
            u.pointee.fd = workload.files[Int(b.fileIndex)].fd
            u.pointee.offset = b.offset
            u.pointee.length = b.length
            u.pointee.tag = 0
            return false
        }
        if verifyBacklog {
            if let b = verifier?.nextBacklogBlock(for: u.pointee.index) {
                u.pointee.kind = .read
                u.pointee.fileIndex = b.fileIndex
                u.pointee.fd = workload.files[Int(b.fileIndex)].fd
                u.pointee.offset = b.offset
                u.pointee.length = b.length
                u.pointee.tag = IOLoop.backlogTag
                return false
            }
            u.pointee.tag = 0
        }
        if !paced { workload.next(u); return true }
        if rateSwitches { workload.fill(u, kind: rateDirection(workload.nextDirection())) } else { workload.next(u) }
        dueNs = rateDue(u.pointee.kind)
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
            // A verified write is refilled with its headers (attach() turns refill on, as fio does).
            if refill { if verifyWrites { fillVerifiedWrite(u) } else if let c = contents { c.fill(u) } else { refillBuffer(u) } }
            else if scramble { scrambleBuffer(u) }
            if fsyncEvery > 0 || fdatasyncEvery > 0 {
                writesSinceSync &+= 1
                syncFile = Int(u.pointee.fileIndex)
                if fsyncEvery > 0 && writesSinceSync % fsyncEvery == 0 { pendingSync = .fsync }
                else if fdatasyncEvery > 0 && writesSinceSync % fdatasyncEvery == 0 { pendingSync = .fdatasync }
            }
        default: issuedPerDir.2 &+= len
        }
    }
}
