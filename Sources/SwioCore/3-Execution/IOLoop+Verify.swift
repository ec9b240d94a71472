// The loop's side of data verification: the verify phase that reads back what the job wrote
// (fio's do_verify()), and the check of each read.

#if canImport(Glibc)
import Glibc
#endif

extension IOLoop {
    /// A read the backlog issued (its unit's tag).
    @usableFromInline static let backlogTag = -2

    /// Writes carry verify headers; reads are checked unless the job also writes, whose reads
    /// are only checked in the verify phase (fio verifies a mixed job's reads from its list only).
    public mutating func attach(_ v: Verifier, checksReads: Bool) {
        verifier = v
        verifyWrites = true
        verifyReads = checksReads
        verifying = true
        refill = true
        if (v.settings.backlog > 0 || (v.settings.trimBacklog > 0 && v.settings.trimPercent > 0)) && v.keepsHistory {
            verifyBacklog = true
            issuesOutOfLine = true
            // fio's do_io(): the write phase may move twice its size, verify reads included.
            budgetBytes = IOLoop.sum(budgetBytes, budgetBytes)
        }
    }

    /// Reads back the verifier's script with the same engine, adding to the job's read
    /// statistics, under the same runtime and stop requests.
    @inlinable public mutating func verifyPhase<E: IOEngine>(_ engine: inout E) -> LoopEnd {
        guard let v = verifier else { return .done }
        let count = v.scriptCount
        guard count > 0 else { return .done }
        workload.script = v.readScript
        workload.scriptIndex = 0
        workload.pendingTrimWrite = nil
        workload.tracksPasses = false
        verifyWrites = false
        verifyReads = true
        verifyPhase = true
        verifyBacklog = false
        verifying = true
        paced = false
        issuesOutOfLine = true
        pendingSync = nil
        budgetBytes = v.scriptBytes
        budgetIOs = UInt64(count)
        loopBytes = budgetBytes
        loopEndBytes = budgetBytes
        loopIOs = .max
        loopEndIOs = .max
        issuedBytes = 0
        issuedIOs = 0
        budgetDone = false
        carried = nil
        if startNs == 0 {   // verify_only: nothing ran before
            startNs = now
            recordStartNs = startNs
            armTimers(startNs)
        }
        return issueUntilDone(&engine)
    }

    /// A write's data, headers and checksums.
    @usableFromInline @inline(never) func fillVerifiedWrite(_ u: UnsafeMutablePointer<IOUnit>) {
        verifier?.fillWrite(u)
    }

    /// A completion while verifying: a write that succeeded goes on the list to read back; a
    /// read is checked. Returns the result, or -EILSEQ for a bad block.
    @usableFromInline @inline(never) mutating func verifyCompletion(_ u: UnsafeMutablePointer<IOUnit>) -> Int {
        let r = u.pointee.result
        guard let v = verifier else { return r }
        switch u.pointee.kind {
        case .write where verifyWrites && r >= 0:
            v.writeCompleted(u)
        case .read where r > 0 && (verifyReads || (verifyBacklog && u.pointee.tag == IOLoop.backlogTag)):
            let expected = verifyPhase ? v.scriptEntry(u.pointee.tag) : verifyBacklog ? v.backlogBlock(of: u.pointee.index) : nil
            v.lastCompletionWasRead = true
            if v.check(u, expected: expected) != 0 { return -Int(EILSEQ) }
            return r
        default: break
        }
        v.lastCompletionWasRead = u.pointee.kind == .read
        return r
    }
}
