// Schedules jobs: one OS thread per job (blocking syscalls never run on Swift concurrency's
// cooperative pool), groups in order, stonewall / wait_for / startdelay, exitall and Ctrl-C.

import CSwio
#if canImport(Glibc)
import Glibc
#endif

/// Runs a closure on a new pthread; join() waits for it.
public final class JobThread: @unchecked Sendable {
    var thread = pthread_t()
    let body: () -> Void
    public private(set) var done = false
    public init(_ body: @escaping () -> Void) { self.body = body }

    public func start() {
        let box = Unmanaged.passRetained(self)
        let rc = pthread_create(&thread, nil, { arg in
            let me = Unmanaged<JobThread>.fromOpaque(arg!).takeRetainedValue()
            me.body()
            return nil
        }, box.toOpaque())
        if rc != 0 {
            // No thread: run inline, and make join() a no-op.
            box.release()
            body()
            done = true
        }
    }
    public func join() {
        guard !done else { return }
        pthread_join(thread, nil)
        done = true
    }
}

public struct RunResult: Sendable {
    public var jobs: [JobExecution]
    public var startEpochMs: UInt64
    public var disks: [DiskUtil]
}

public struct Runner {
    /// Runs one prepared job with the right engine (SwioEngines.execute).
    public typealias Executor = @Sendable (JobExecution) -> Void
    public let executor: Executor
    public let engineInfo: @Sendable (String) -> EngineInfo?
    public var onProgress: (@Sendable ([JobExecution]) -> Void)?

    public init(executor: @escaping Executor, engineInfo: @escaping @Sendable (String) -> EngineInfo?) {
        self.executor = executor
        self.engineInfo = engineInfo
    }

    public func run(_ configs: [JobConfig]) -> RunResult {
        cswio_install_signal_handlers()
        let start = epochMs()
        var execs: [JobExecution] = []
        for c in configs {
            let info = engineInfo(c.engine) ?? EngineInfo(name: c.engine, flags: [.sync], summary: "")
            execs.append(JobExecution(config: c, engineInfo: info))
        }
        let disks = DiskUtil.Tracker(targets: configs.flatMap { c -> [String] in
            c.filenamesGiven ? c.filenames : [c.definition["directory"].map { JobConfig.splitPaths($0).first ?? "." } ?? "."]
        }.filter { _ in true }, diskless: configs.allSatisfy { (engineInfo($0.engine)?.flags.contains(.diskless)) ?? false })
        var threads: [JobThread?] = Array(repeating: nil, count: execs.count)
        let exec = executor
        let ticker = onProgress.map { cb in ProgressTicker(execs, cb) }
        ticker?.start()
        for (i, job) in execs.enumerated() {
            if cswio_should_stop() != 0 { job.end = .stopped; job.finished = true; continue }
            // A stonewall waits for every earlier job; wait_for waits for the named one.
            if job.config.stonewall { for t in threads[..<i] { t?.join() } }
            if let w = job.config.waitFor {
                for (j, other) in execs[..<i].enumerated() where other.config.name == w { threads[j]?.join() }
            }
            let body = {
                Runner.runJob(job, exec)
                if job.config.exitall { cswio_request_stop() }
            }
            // A lone job runs on the calling thread: a single-threaded process takes the kernel's
            // light fd lookup (no file refcount atomics per syscall), as a forked fio job does.
            if execs.count == 1 && ticker == nil { body(); continue }
            let t = JobThread(body)
            threads[i] = t
            t.start()
        }
        for t in threads { t?.join() }
        ticker?.stop()
        return RunResult(jobs: execs, startEpochMs: start, disks: disks.finish())
    }

    static func runJob(_ job: JobExecution, _ exec: Executor) {
        if let cpus = job.config.cpusAllowed, !cpus.isEmpty {
            if cswio_set_affinity(cpus.map { Int32($0) }, Int32(cpus.count)) != 0 {
                job.warnings.append("job '\(job.config.name)': cpus_allowed=\(job.config.definition["cpus_allowed"] ?? ""): \(Syscall.errorString(errno))")
            }
        }
        var delay = job.config.startDelayUs * 1000
        while delay > 0 && cswio_should_stop() == 0 {
            let step = min(delay, 50_000_000)
            var ts = timespec(tv_sec: 0, tv_nsec: Int(step))
            nanosleep(&ts, nil)
            delay -= step
        }
        job.stats.startEpochMs = epochMs()
        let t0 = cswio_now_ns()
        if cswio_should_stop() == 0 { exec(job) } else { job.end = .stopped }
        job.stats.elapsedNs = cswio_now_ns() - t0
        do { try LogWriter.write(job) } catch { job.warnings.append("job '\(job.config.name)': \(error)") }
        job.finished = true
    }
}

public func epochMs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
}

/// Calls back about once a second while jobs run (drives the ETA line).
final class ProgressTicker: @unchecked Sendable {
    let jobs: [JobExecution]
    let callback: @Sendable ([JobExecution]) -> Void
    var thread: JobThread?
    var stopFlag = false
    init(_ jobs: [JobExecution], _ cb: @escaping @Sendable ([JobExecution]) -> Void) { self.jobs = jobs; callback = cb }
    func start() {
        let t = JobThread { [self] in
            var ticks = 0
            while !stopFlag {
                var ts = timespec(tv_sec: 0, tv_nsec: 100_000_000)
                nanosleep(&ts, nil)
                ticks += 1
                if ticks % 10 == 0 && !stopFlag { callback(jobs) }
            }
        }
        thread = t
        t.start()
    }
    func stop() { stopFlag = true; thread?.join() }
}
