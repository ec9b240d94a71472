// Runs one job on a concrete engine type: setup, the I/O loop specialised for that type, and
// teardown. An engine's descriptor calls it (run: { JobDriver.run(MyEngine.self, $0) }), so
// the loop is specialised in the engine's own module and no call goes through `any IOEngine`.

public enum JobDriver {
    @inlinable
    public static func run<E: IOEngine>(_: E.Type, _ job: JobExecution) {
        // Runs after the engine's cleanup below, which may still hold the buffers registered.
        defer { job.releaseBuffers() }
        do {
            try job.takeIDs()
            try job.prepareFiles()
            if job.config.createOnly {   // the files are laid out: that was all (unlink=1 still applies)
                job.closeFiles { _ in 0 }
                return
            }
            try job.applyMemoryPolicy()
            try job.allocateBuffers()
            try job.pinMemory()
            var engine = try E(job: job.config, units: job.units, count: job.depth)
            defer { engine.cleanup() }
            do {
                // fio runs it once the files are set up, before the engine opens them.
                try job.runPrerun()
                try job.openFiles { path, flags, mode in try engine.openFile(path: path, flags: flags, mode: mode) }
                try engine.filesOpened(job.fds)
                if job.config.verify?.only == true && job.writes {
                    // verify_only: the offsets the job would write, recorded without any I/O.
                    var dry = try job.makeLoop()
                    job.verifier?.dryRun = true
                    var noIO = DryRunEngine()
                    _ = dry.run(&noIO)
                    job.verifier?.dryRun = false
                    job.discardLoop(&dry)
                }
                var loop = try job.makeLoop()
                job.settleBeforeFirstIO()
                job.beginTiming()
                var end = job.config.verify?.only == true && job.writes ? .done : loop.run(&engine)
                job.saveVerifyState()
                if end == .done && job.verifiesAfterWriting {
                    if job.settleWritesForVerify(&loop) {
                        job.beforeVerifyPhase?(job)
                        end = loop.verifyPhase(&engine)
                    } else {
                        end = .failed
                    }
                }
                job.finish(&loop, end: end, engineStats: engine.extraStats())
            } catch {
                job.recordSetupError(error)
            }
            job.closeFiles { engine.closeFile(fd: $0) }
            if !job.setupFailed { job.runPostrun() }
        } catch {
            job.recordSetupError(error)
        }
    }
}

/// verify_only's stand-in for the engine: every I/O completes at once, moving nothing.
public struct DryRunEngine: IOEngine {
    public init() {}
    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {}
    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        u.pointee.result = u.pointee.length
        return .completed
    }
    public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { fatalError("the dry run completes in queue()") }
}
