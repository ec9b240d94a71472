// The loop's side of read_iolog: the log's I/Os in order, each after its delay from the one
// before (fio's iolog_delay(): due times add up, so sleeping late does not drift).

extension IOLoop {
    /// Issues `script` instead of generated I/Os; the job ends when it runs out.
    public mutating func attachReplay(_ script: IOScript) {
        replaying = true
        issuesOutOfLine = true
        workload.script = script
        workload.scriptIndex = 0
        workload.tracksPasses = false
        budgetBytes = .max
        budgetIOs = UInt64(script.entries.count)
        loopBytes = .max
        loopEndBytes = .max
        loopIOs = .max
        loopEndIOs = .max
    }

    @usableFromInline mutating func nextReplayed(_ u: UnsafeMutablePointer<IOUnit>) {
        guard let s = workload.script else { return }
        let e = s.entries[workload.scriptIndex]
        workload.nextScripted(u)
        guard s.timed else { return }
        if replayDueNs == 0 { replayDueNs = startNs }
        replayDueNs &+= e.delayNs
        if let w = e.waitSinceStartNs { replayDueNs = Swift.max(replayDueNs, startNs &+ w) }
        if replayDueNs > now { sleep(until: replayDueNs) }
    }
}
