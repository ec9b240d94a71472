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
    let onMetrics: (@Sendable ([JobOutcome]) -> Void)?
    let timing: MonitorTiming
    static let pollNs = 10_000_000
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
    private var nextProgressNs: UInt64
    private var nextStatusNs: UInt64
    private var nextMetricsNs: UInt64
    private var nextBandwidthNs: UInt64
    private var lastBytes: [UInt64] = [0, 0, 0]
    private var lastBandwidthNs: UInt64
    private let startNs: UInt64
    /// steadystate=: one window per job, or per group with group_reporting (keyed by the
    /// job's index, or -1 - groupID), sampled once a second.
    private var steady: [Int: SteadyStateTracker] = [:]
    private var nextSteadyNs: UInt64 = .max
    /// --bandwidth-log: the run's bandwidth per direction, every interval.
    private(set) var bandwidth: [LogEntry] = []

    init(jobs: [JobExecution], onProgress: (@Sendable ([JobExecution]) -> Void)?, onStatus: (@Sendable ([JobOutcome]) -> Void)?,
         onMetrics: (@Sendable ([JobOutcome]) -> Void)? = nil, timing: MonitorTiming = MonitorTiming()) {
        self.jobs = jobs
        self.onProgress = onProgress
        self.onStatus = onStatus
        self.onMetrics = onMetrics
        self.timing = timing
        statusSeen = cswio_status_requests()
        let now = cswio_now_ns()
        startNs = now
        nextProgressNs = now + timing.progressIntervalNs
        nextStatusNs = timing.statusIntervalNs > 0 ? now + timing.statusIntervalNs : .max
        nextMetricsNs = timing.metricsIntervalNs > 0 && onMetrics != nil ? now : .max
        nextBandwidthNs = timing.bandwidthIntervalNs > 0 ? now + timing.bandwidthIntervalNs : .max
        lastBandwidthNs = now
        if jobs.contains(where: { $0.config.steadyState != nil }) { nextSteadyNs = now + 1_000_000_000 }
    }

    func steadyKey(_ i: Int) -> Int { jobs[i].config.groupReporting ? -1 - jobs[i].config.groupID : i }

    /// Feeds each running job's (or group's) window; stops those that have become steady.
    private func sampleSteadyState(_ now: UInt64) {
        var members: [Int: [Int]] = [:]
        for (i, j) in jobs.enumerated() where j.config.steadyState != nil && j.startedNs > 0 { members[steadyKey(i), default: []].append(i) }
        for (key, idx) in members {
            let running = idx.filter { !jobs[$0].finished }
            guard !running.isEmpty, let settings = jobs[idx[0]].config.steadyState else { continue }
            let t = steady[key] ?? SteadyStateTracker(settings, startNs: idx.map { jobs[$0].startedNs }.min() ?? now)
            steady[key] = t
            var bytes: UInt64 = 0, ios: UInt64 = 0
            for i in idx { let p = jobs[i].progress; bytes &+= p[0] &+ p[1] &+ p[2]; ios &+= p[3] &+ p[4] &+ p[5] }
            if !t.attained && t.sample(now: now, bytes: bytes, ios: ios) {
                for i in running { jobs[i].requestStop() }
            }
        }
    }

    /// Each job's steady-state window as the run ended (its group's with group_reporting).
    func steadyStateResults() -> [Int: SteadyStateResult] {
        var r: [Int: SteadyStateResult] = [:]
        for i in jobs.indices { if let t = steady[steadyKey(i)] { r[i] = t.result } }
        return r
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
            let now = cswio_now_ns()
            if now >= nextProgressNs {
                nextProgressNs = now + timing.progressIntervalNs
                onProgress?(jobs)
            }
            if now >= nextSteadyNs {
                nextSteadyNs += 1_000_000_000
                sampleSteadyState(now)
            }
            if now >= nextBandwidthNs {
                nextBandwidthNs += timing.bandwidthIntervalNs
                sampleBandwidth(now)
            }
            // A status request (SIGUSR1), --status-interval's, or the live metrics' (one
            // snapshot serves both).
            var snapshot: [JobOutcome]?
            let n = cswio_status_requests()
            if let cb = onStatus, n != statusSeen || now >= nextStatusNs {
                statusSeen = n
                if now >= nextStatusNs { nextStatusNs = now + timing.statusIntervalNs }
                snapshot = statusOutcomes()
                cb(snapshot!)
            }
            if let cb = onMetrics, now >= nextMetricsNs {
                nextMetricsNs = now + timing.metricsIntervalNs
                cb(snapshot ?? statusOutcomes())
            }
            bound(pending)
        }
    }

    /// The run's bandwidth since the last sample, per direction (KiB/s, as fio's logs).
    private func sampleBandwidth(_ now: UInt64) {
        var bytes: [UInt64] = [0, 0, 0]
        for j in jobs { for d in 0..<3 { bytes[d] &+= j.progress[d] } }
        let span = Double(now - lastBandwidthNs) / 1e9
        for d in 0..<3 {
            bandwidth.append(LogEntry(timeMs: (now - startNs) / 1_000_000, value: UInt64(Double(bytes[d] &- lastBytes[d]) / 1024 / span),
                                      ddir: UInt8(d), bs: 0))
        }
        lastBytes = bytes
        lastBandwidthNs = now
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

/// How often the supervising thread does what it does besides waiting.
public struct MonitorTiming: Sendable {
    /// The ETA line (fio's --eta-interval, 1 s).
    public var progressIntervalNs: UInt64 = 1_000_000_000
    /// A full report (fio's --status-interval); 0: none.
    public var statusIntervalNs: UInt64 = 0
    /// Live metrics' snapshot of every job; 0: none.
    public var metricsIntervalNs: UInt64 = 0
    /// Aggregate bandwidth samples (fio's --bandwidth-log, every 500 ms); 0: none.
    public var bandwidthIntervalNs: UInt64 = 0
    public init() {}
}

