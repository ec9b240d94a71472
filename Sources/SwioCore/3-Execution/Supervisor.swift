// The thread that started the jobs watches them: progress (the ETA line), status requests
// (SIGUSR1), and bounds on how long a job may overrun or take to stop.

import CSwio
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The calling thread's side of a run: it waits for jobs by polling every 10 ms, as fio's main
/// loop does, calls back about once a second (the ETA line) and for each status request, and
/// bounds every wait: a job still running a minute past its runtime is asked to stop, and one
/// that has not stopped 10 s after it was asked is abandoned (reported with ETIMEDOUT).
/// It polls rather than blocking in pthread_join because a thread of the process that wakes at
/// that rate makes depth-1 O_DIRECT I/O on the other threads faster (docs/performance.md).
final class Supervisor: @unchecked Sendable {
    let jobs: [JobExecution]
    let onProgress: (@Sendable ([JobExecution]) -> Void)?
    let onStatus: (@Sendable ([JobOutcome]) -> Void)?
    static let pollNs = 10_000_000
    static let pollsPerProgress = 100
    /// How long a job may take to stop once asked before it is given up.
    static let stopGraceNs: UInt64 = 10_000_000_000
    /// How far past its runtime (and ramp) a job may run before it is asked to stop.
    static let overrunNs: UInt64 = 60_000_000_000
    /// How long a status report waits for running jobs to publish their statistics.
    static let snapshotWaitNs: UInt64 = 1_000_000_000
    private var statusSeen: Int32
    /// When each job was first seen asked to stop (index into `jobs`).
    private var stopSeenNs: [Int: UInt64] = [:]
    private(set) var abandoned: Set<Int> = []

    init(jobs: [JobExecution], onProgress: (@Sendable ([JobExecution]) -> Void)?, onStatus: (@Sendable ([JobOutcome]) -> Void)?) {
        self.jobs = jobs
        self.onProgress = onProgress
        self.onStatus = onStatus
        statusSeen = cswio_status_requests()
    }

    /// Returns once every job in `waited` has finished or been abandoned, drawing progress and
    /// answering status requests on the way.
    func wait(for waited: ArraySlice<JobExecution>) {
        var polls = 0
        while true {
            let pending = waited.indices.filter { !waited[$0].finished && !abandoned.contains($0) }
            if pending.isEmpty { return }
            var ts = timespec(tv_sec: 0, tv_nsec: Supervisor.pollNs)
            nanosleep(&ts, nil)
            polls += 1
            if let cb = onProgress, polls % Supervisor.pollsPerProgress == 0 { cb(jobs) }
            let n = cswio_status_requests()
            if n != statusSeen, let cb = onStatus {
                statusSeen = n
                cb(statusOutcomes())
            }
            bound(pending)
        }
    }

    /// Asks overrunning jobs to stop, and gives up those that have not stopped in time.
    private func bound(_ pending: [Int]) {
        let now = cswio_now_ns()
        for i in pending {
            let job = jobs[i]
            let c = job.config
            if c.runtimeUs > 0, job.startedNs > 0,
               now > job.startedNs &+ (c.runtimeUs &+ c.rampUs) &* 1000 &+ Supervisor.overrunNs {
                job.requestStop()
            }
            guard job.shouldStop else { continue }
            let since = stopSeenNs[i] ?? now
            stopSeenNs[i] = since
            if now - since > Supervisor.stopGraceNs { abandoned.insert(i) }
        }
    }

    /// Every job as it stands: finished ones as they ended, running ones as they publish when
    /// asked (waiting at most snapshotWaitNs; a job blocked in a sleep or a system call keeps
    /// what it published before), the rest with nothing done yet.
    func statusOutcomes() -> [JobOutcome] {
        let running = jobs.indices.filter { jobs[$0].startedNs > 0 && !jobs[$0].finished }
        for i in running { jobs[i].requestSnapshot() }
        let deadline = cswio_now_ns() + Supervisor.snapshotWaitNs
        while cswio_now_ns() < deadline && running.contains(where: { cswio_job_snapshot_wanted(jobs[$0].stopFlag) != 0 && !jobs[$0].finished }) {
            var ts = timespec(tv_sec: 0, tv_nsec: Supervisor.pollNs)
            nanosleep(&ts, nil)
        }
        return jobs.map { j in
            if j.finished { return j.outcome }
            var o = JobOutcome(config: j.config, stats: JobStats(), end: .done)
            if let s = j.published.withLock({ $0 }) { o.stats = s }
            return o
        }
    }

    /// Sleeps one poll interval at a time until every job in `waited` has finished, or `job`
    /// (the one waiting) is asked to stop.
    static func sleep(until waited: some Collection<JobExecution>, unlessStopped job: JobExecution) {
        while !job.shouldStop && waited.contains(where: { !$0.finished }) {
            var ts = timespec(tv_sec: 0, tv_nsec: pollNs)
            nanosleep(&ts, nil)
        }
    }
}
