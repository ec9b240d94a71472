import Testing
@testable import SwioCore

/// Job ordering as fio schedules it: jobs start together unless stonewall or wait_for holds them
/// back until the jobs they wait for have finished.
@Suite struct RunnerTests {
    /// Start and end of each job, in epoch milliseconds.
    func spans(_ text: String) throws -> [String: (start: UInt64, end: UInt64)] {
        let (result, _) = try runJobs(text)
        var out: [String: (start: UInt64, end: UInt64)] = [:]
        for j in result.jobs {
            #expect(j.end == .done, "job \(j.config.name) ended \(j.end)")
            out[j.config.name] = (j.stats.startEpochMs, j.stats.startEpochMs + j.stats.elapsedNs / 1_000_000)
        }
        return out
    }

    @Test func jobsWithoutStonewallRunAtTheSameTime() throws {
        let s = try spans("""
        [global]
        ioengine=null
        size=1g
        time_based
        runtime=300ms
        [a]
        [b]
        """)
        let a = try #require(s["a"]), b = try #require(s["b"])
        #expect(b.start < a.end && a.start < b.end, "a \(a), b \(b)")
    }

    @Test func stonewallStartsAfterEveryEarlierJobFinished() throws {
        let s = try spans("""
        [global]
        ioengine=null
        size=1g
        time_based
        [a]
        runtime=300ms
        [b]
        runtime=100ms
        [c]
        stonewall
        runtime=50ms
        """)
        let a = try #require(s["a"]), b = try #require(s["b"]), c = try #require(s["c"])
        // Job end is start + elapsed truncated to whole milliseconds, so allow one of slack.
        #expect(c.start + 1 >= a.end && c.start + 1 >= b.end, "a \(a), b \(b), c \(c)")
    }

    @Test func waitForWaitsOnlyForTheNamedJob() throws {
        let s = try spans("""
        [global]
        ioengine=null
        size=1g
        time_based
        [slow]
        runtime=300ms
        [fast]
        runtime=50ms
        [after-slow]
        wait_for=slow
        runtime=50ms
        [free]
        runtime=50ms
        """)
        let slow = try #require(s["slow"]), after = try #require(s["after-slow"]), free = try #require(s["free"])
        #expect(after.start + 1 >= slow.end, "slow \(slow), after-slow \(after)")
        #expect(free.start < slow.end, "a job without wait_for does not wait: slow \(slow), free \(free)")
    }

    /// A job's first I/O waits until its thread is JobExecution.settleNs old (see
    /// settleBeforeFirstIO); a startdelay at least that long already covers it.
    @Test func firstIOWaitsForTheJobThreadToSettle() throws {
        let (result, _) = try runJobs("""
        [global]
        ioengine=null
        size=64k
        [plain]
        [delayed]
        startdelay=300ms
        """)
        let plain = try #require(result.jobs.first { $0.config.name == "plain" })
        let delayed = try #require(result.jobs.first { $0.config.name == "delayed" })
        try #require(plain.end == .done && delayed.end == .done)
        let plainWait = plain.startedNs - plain.threadStartNs
        #expect(plainWait >= JobExecution.settleNs, "first I/O \(plainWait) ns after the thread started")
        #expect(plain.settleWaitNs > 0)
        // Not added on top of the start delay: the settle wait found nothing left to wait for.
        #expect(delayed.startedNs - delayed.threadStartNs >= 300_000_000)
        #expect(delayed.settleWaitNs < 1_000_000, "waited \(delayed.settleWaitNs) ns after a 300 ms startdelay")
    }

    /// What a finished job keeps for its report is compact: histograms only as large as the
    /// latencies recorded, none of the 2^42 ns range up front, and no I/O buffers. Each job had
    /// held about 2.7 MB for the whole run (500 stonewalled jobs: 1.39 GB).
    @Test func aFinishedJobKeepsItsStatisticsCompact() throws {
        var text = "[global]\nioengine=null\nsize=1m\nbs=64k\niodepth=8\n"
        for i in 0..<8 { text += "[j\(i)]\nstonewall\n" }
        let (result, _) = try runJobs(text)
        for job in result.jobs {
            let s = job.stats
            var bytes = s.syncHist.estimatedFootprintInBytes
            for d in s.dirs { bytes += d.clatHist.estimatedFootprintInBytes + d.latHist.estimatedFootprintInBytes + d.slatHist.estimatedFootprintInBytes }
            #expect(bytes < 64 << 10, "job \(job.config.name) keeps \(bytes) bytes of histograms")
            #expect(job.bufferMapping == nil, "job \(job.config.name) still holds its I/O buffers")
        }
    }
}
