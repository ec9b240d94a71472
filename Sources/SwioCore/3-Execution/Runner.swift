// Schedules jobs: one OS thread per job (blocking syscalls never run on Swift concurrency's
// cooperative pool), groups in order, stonewall / wait_for / startdelay, exitall and Ctrl-C.

import CSwio
import Synchronization
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
    /// --bandwidth-log's samples of the whole run.
    public var bandwidth: [LogEntry] = []
}

public struct Runner {
    /// Runs one prepared job: its engine's run, unless a test wraps it.
    public typealias Executor = @Sendable (JobExecution) -> Void
    public let executor: Executor
    public var onProgress: (@Sendable ([JobExecution]) -> Void)?
    /// Called on the supervising thread for each status request (SIGUSR1), with every job as
    /// it stands.
    public var onStatus: (@Sendable ([JobOutcome]) -> Void)?
    /// Called on the supervising thread every timing.metricsIntervalNs, with every job as it stands.
    public var onMetrics: (@Sendable ([JobOutcome]) -> Void)?
    /// Called as each stonewalled group is about to start, with its group number (MPI: the
    /// ranks meet there); a message stops the run there, failing the jobs not started.
    public var beforeGroup: (@Sendable (Int) -> String?)?
    public var timing = MonitorTiming()

    public init(executor: @escaping Executor = { job in job.config.engine.run(job) }) {
        self.executor = executor
    }

    public func run(_ configs: [JobConfig]) -> RunResult {
        cswio_install_signal_handlers()
        let start = epochMs()
        var execs: [JobExecution] = []
        let logs = LogWriter.RunLogs()
        for c in configs {
            let job = JobExecution(config: c)
            job.runLogs = logs
            execs.append(job)
        }
        let disks = DiskUtil.Tracker(targets: configs.filter { $0.diskUtil && $0.engine.flags.isDisjoint(with: [.diskless, .network]) }.flatMap { c -> [String] in
            c.filenamesGiven ? c.filenames : [c.definition["directory"].map { JobConfig.splitPaths($0).first ?? "." } ?? "."]
        }, diskless: configs.allSatisfy { !$0.engine.flags.isDisjoint(with: [.diskless, .network]) })
        let stops = RunStops(jobs: execs)
        var threads: [JobThread?] = Array(repeating: nil, count: execs.count)
        let exec = executor
        let supervisor = Supervisor(jobs: execs, onProgress: onProgress, onStatus: onStatus, onMetrics: onMetrics, timing: timing)
        for (i, job) in execs.enumerated() {
            // A stonewall holds back this job and every later one until all earlier jobs are
            // done; wait_for holds back only this job, until the named one is done (fio's
            // run_threads() skips such a job and starts the next).
            if job.config.stonewall { supervisor.wait(for: execs[..<i]) }
            // A signal or exit_what=all keeps later jobs from starting; exitall of the job's
            // own group (it may start late: wait_for, startdelay) does too.
            if job.shouldStop { job.end = .stopped; job.finished = true; continue }
            // A group starts: the other hosts' too (MPI), and percentage offsets of its clones'
            // shared files go by their sizes now.
            if i == 0 || job.config.stonewall, let hook = beforeGroup, let problem = hook(job.config.groupID) {
                for j in execs[i...] {
                    j.recordSetupError(EngineError(errno: ETIMEDOUT, problem))
                    j.finished = true
                }
                break
            }
            if i == 0 || job.config.stonewall {
                for j in i..<execs.count {
                    if j > i && execs[j].config.stonewall { break }
                    execs[j].snapshotSharedFileSizes()
                }
            }
            let waitees = job.config.waitFor.map { w in execs[..<i].filter { $0.config.name == w } } ?? []
            let t = JobThread {
                job.threadStartNs = cswio_now_ns()
                // A private fd table keeps the kernel's fd lookups on this thread free of the
                // refcount atomics that a shared table needs, as in fio's forked job.
                _ = cswio_unshare_files()
                Supervisor.sleep(until: waitees, unlessStopped: job)
                Runner.runJob(job, number: i, stops: stops, exec)
            }
            threads[i] = t
            t.start()
        }
        supervisor.wait(for: execs[...])
        for (i, t) in threads.enumerated() where !supervisor.abandoned.contains(i) { t?.join() }
        // A job that would not stop is reported as such; its thread is left to the process's exit.
        for i in supervisor.abandoned { execs[i] = JobExecution.abandoned(execs[i], graceNs: Supervisor.stopGraceNs) }
        for (i, r) in supervisor.steadyStateResults() { execs[i].stats.steadyState = r }
        return RunResult(jobs: execs, startEpochMs: start, disks: disks.finish(), bandwidth: supervisor.bandwidth)
    }

    /// Runs `job`, the run's job `number` (from 0, as fio's thread_number - 1) on this thread.
    static func runJob(_ job: JobExecution, number: Int, stops: RunStops, _ exec: Executor) {
        defer {
            stops.jobEnded(job)
            job.finished = true
        }
        var allowed = job.config.cpusAllowed
        if let nodes = job.config.numaNodes {
            do {
                let cpus = try JobConfig.cpusOfNodes(nodes)
                allowed = allowed.map { c in c.filter { cpus.contains($0) } } ?? cpus
            } catch {
                job.recordSetupError(EngineError(errno: EINVAL, "numa_cpu_nodes=\(job.config.definition["numa_cpu_nodes"] ?? ""): \((error as? ValueError)?.message ?? "\(error)")"))
                return
            }
        }
        if var cpus = allowed, !cpus.isEmpty {
            if job.config.cpusSplit { cpus = [cpus[number % cpus.count]] }
            if cswio_set_affinity(cpus.map { Int32($0) }, Int32(cpus.count)) != 0 {
                job.warnings.append("job '\(job.config.name)': cpus_allowed=\(job.config.definition["cpus_allowed"] ?? ""): \(Syscall.errorString(errno))")
            }
        }
        // nice and I/O priority are the job thread's own; fio fails the job when they cannot be set.
        if let n = job.config.nice, cswio_set_thread_nice(n) != 0 {
            let e = errno
            job.recordSetupError(EngineError(errno: e, "nice=\(n): cannot change the job thread's nice value: \(Syscall.errorString(e))"))
            return
        }
        if let p = job.config.ioPriority, cswio_ioprio_set(p.ioclass, p.level) != 0 {
            let e = errno
            job.recordSetupError(EngineError(errno: e, "prioclass=\(p.ioclass) prio=\(p.level): cannot set the job thread's I/O priority: \(Syscall.errorString(e))"))
            return
        }
        if job.config.startDelayUs > 0 { sleepUntil(cswio_now_ns() &+ job.config.startDelayUs * 1000, stopFlag: job.stopFlag) }
        job.stats.startEpochMs = epochMs()
        let t0 = cswio_now_ns()
        if !job.shouldStop {
            job.running = true
            exec(job)
        } else { job.end = .stopped }
        job.stats.elapsedNs = cswio_now_ns() - t0
        job.compactHistograms()
        // A log the job could not write is lost data: the job's error, as a failed sync is.
        for e in LogWriter.write(job) { job.recordError(errno: e.errno == 0 ? EIO : e.errno, e.message) }
        // Written: the report needs none of the entries, and a long run holds many.
        job.stats.latLogs = [[], [], []]; job.stats.bwLog = []; job.stats.iopsLog = []; job.stats.histLog = []
    }
}

/// Whom an exitall stop reaches, as fio_terminate_threads(): the finishing job's group, every
/// job running now (exit_what=stonewall: not one still in startdelay or wait_for, which fio has
/// not started), or the whole run, later groups included (all).
final class RunStops: @unchecked Sendable {
    let jobs: [JobExecution]
    /// fio's exitall is global: once any job sets it, every job that ends stops the others.
    let exitall: Bool
    init(jobs: [JobExecution]) {
        self.jobs = jobs
        exitall = jobs.contains { $0.config.exitall }
    }

    /// Before `finished` is set: exitall, or exitall_on_error after a failed I/O (not a failed
    /// setup), stops the jobs exit_what names.
    func jobEnded(_ job: JobExecution) {
        guard exitall || (job.config.exitallOnError && job.end == .failed && !job.setupFailed) else { return }
        switch job.config.exitWhat {
        case .all: cswio_request_stop()
        case .stonewall: for j in jobs where j.running && !j.finished { j.requestStop() }
        case .group: for j in jobs where j.config.groupID == job.config.groupID { j.requestStop() }
        }
    }
}

/// How late nanosleep wakes (timer slack and more): the longest of ten 1 us sleeps, taken once,
/// as fio's fio_time_init() measures its ns_granularity (docs/performance.md).
let nanosleepOvershootNs: UInt64 = {
    var worst: UInt64 = 0
    for _ in 0..<10 {
        let t0 = cswio_now_ns()
        var ts = timespec(tv_sec: 0, tv_nsec: 1000)
        nanosleep(&ts, nil)
        worst = max(worst, cswio_now_ns() &- t0)
    }
    return worst
}()

/// Sleeps until the monotonic time `dueNs`, at most 50 ms at a time, so that a stop request
/// (Ctrl-C, or exitall through the job's `stopFlag`) ends the wait within one step. As fio's
/// usec_sleep(), it sleeps until the overshoot's worth before the due time and spins the rest,
/// so a thinktime or rate wait ends when it is due, not an overshoot later (docs/performance.md).
func sleepUntil(_ dueNs: UInt64, stopFlag: UnsafeMutablePointer<Int32>) {
    let overshoot = nanosleepOvershootNs
    while cswio_job_should_stop(stopFlag) == 0 {
        let now = cswio_now_ns()
        guard now < dueNs else { return }
        let left = dueNs - now
        if left <= overshoot { continue }   // spin the last stretch
        var ts = timespec(tv_sec: 0, tv_nsec: Int(min(left - overshoot, 50_000_000)))
        nanosleep(&ts, nil)
    }
}

public func epochMs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
}
