// The one place that knows every engine. It chooses the engine once per job and runs the
// I/O loop specialised for that engine type (no `any IOEngine` in the hot path).

import SwioCore
import SyncEngines
import NullEngine
import LibaioEngine
import IOUringEngine
import KeventEngine

public enum EngineRegistry {
    public static let all: [EngineInfo] = [
        PSyncEngine.info, SyncEngine.info, VSyncEngine.info, PVSyncEngine.info, PVSync2Engine.info,
        NullEngine.info, LibaioEngine.info, IOUringEngine.info, KeventInfo.info,
    ]

    public static func info(_ name: String) -> EngineInfo? { all.first { $0.name == name } }

    /// Runs one job on its engine.
    @Sendable public static func execute(_ job: JobExecution) {
        switch job.config.engine {
        case "sync": drive(SyncEngine.self, job)
        case "vsync": drive(VSyncEngine.self, job)
        case "pvsync": drive(PVSyncEngine.self, job)
        case "pvsync2": drive(PVSync2Engine.self, job)
        case "null": drive(NullEngine.self, job)
        case "libaio": drive(LibaioEngine.self, job)
        case "io_uring": drive(IOUringEngine.self, job)
        case "kevent":
            if job.config.definition["kevent_backend"] == "io_uring" { drive(KeventEngine<IOUringEngine>.self, job) }
            else { drive(KeventEngine<LibaioEngine>.self, job) }
        case "psync": drive(PSyncEngine.self, job)
        default: job.recordSetupError(EngineError(errno: 22, "ioengine=\(job.config.engine) is not implemented by swio"))
        }
    }

    /// Specialised per engine: setup, the loop, teardown.
    static func drive<E: IOEngine>(_: E.Type, _ job: JobExecution) {
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
