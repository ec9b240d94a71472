// Runs one job on a concrete engine type: setup, the I/O loop specialised for that type, and
// teardown. An engine's descriptor calls it (run: { JobDriver.run(MyEngine.self, $0) }), so
// the loop is specialised in the engine's own module and no call goes through `any IOEngine`.

public enum JobDriver {
    @inlinable
    public static func run<E: IOEngine>(_: E.Type, _ job: JobExecution) {
        // Runs after the engine's cleanup below, which may still hold the buffers registered.
        defer { job.releaseBuffers() }
        do {
            try job.prepareFiles()
            if job.config.createOnly {   // the files are laid out: that was all (unlink=1 still applies)
                job.closeFiles { _ in 0 }
                return
            }
            try job.allocateBuffers()
            var engine = try E(job: job.config, units: job.units, count: job.depth)
            defer { engine.cleanup() }
            do {
                try job.openFiles { path, flags, mode in try engine.openFile(path: path, flags: flags, mode: mode) }
                try engine.filesOpened(job.fds)
                var loop = try job.makeLoop()
                job.settleBeforeFirstIO()
                job.beginTiming()
                let end = loop.run(&engine)
                job.finish(&loop, end: end, engineStats: engine.extraStats())
            } catch {
                job.recordSetupError(error)
            }
            job.closeFiles { engine.closeFile(fd: $0) }
        } catch {
            job.recordSetupError(error)
        }
    }
}
