import Testing
import Foundation
@testable import SwioCore

/// fio's steady-state detection: the window's maths, the job ending early, and its report.
struct SteadyStateTests {
    func settings(_ c: SteadyStateSettings.Criterion, _ limit: Double, percent: Bool, dur: Int) -> SteadyStateSettings {
        SteadyStateSettings(criterion: c, limit: limit, percent: percent, duration: dur, rampNs: 0)
    }

    @Test func deviationAndSlopeAsFioComputesThem() {
        // IOPS of 100, 110, 90: mean 100, largest deviation 10 (10%); attained under 11%, not 9%.
        for (limit, attained) in [(11.0, true), (9.0, false)] {
            let t = SteadyStateTracker(settings(.iops, limit, percent: true, dur: 3), startNs: 0)
            var ios: UInt64 = 0
            var got = false
            for (i, rate) in [100, 110, 90].enumerated() {
                ios += UInt64(rate)
                got = t.sample(now: UInt64(i + 1) * 1_000_000_000, bytes: ios * 4096, ios: ios)
            }
            #expect(got == attained)
            #expect(abs(t.result.maxDeviation - 10) < 1e-9 && abs(t.result.criterion - 10) < 1e-9)
            #expect(t.result.iops == [100, 110, 90] && t.result.iopsMean == 100)
        }
        // A rising line 100, 120, 140, 160: slope 20 IOPS/s, 100 * 20 / 130 % of the mean.
        let s = SteadyStateTracker(settings(.iopsSlope, 1, percent: true, dur: 4), startNs: 0)
        var ios: UInt64 = 0
        for (i, rate) in [100, 120, 140, 160].enumerated() {
            ios += UInt64(rate)
            _ = s.sample(now: UInt64(i + 1) * 1_000_000_000, bytes: ios, ios: ios)
        }
        #expect(abs(s.result.slope - 20) < 1e-9 && abs(s.result.criterion - 2000.0 / 130) < 1e-9 && !s.result.attained)
    }

    @Test func aSteadyJobEndsEarlyWithTheReportSection() throws {
        let r = try runSwio(["--name=ss", "--ioengine=null", "--size=1g", "--time_based", "--runtime=30",
                             "--ss=iops:60%", "--ss_dur=2", "--output-format=json"])
        #expect(r.status == 0, "\(r.err)")
        let job = try r.job()
        #expect(job["error"] as? Int == 0)
        #expect((job["job_runtime"] as? Int ?? 0) < 20_000, "ran \(job["job_runtime"] ?? "-") ms")
        let ss = try #require(job["steadystate"] as? [String: Any])
        #expect(ss["ss"] as? String == "iops:60.000000%" && ss["duration"] as? Int == 2 && ss["attained"] as? Int == 1)
        #expect((ss["criterion"] as? String)?.hasSuffix("%") == true)
        let data = try #require(ss["data"] as? [String: Any])
        #expect((data["iops"] as? [Any])?.count == 2 && (data["bw"] as? [Any])?.count == 2)
    }

    @Test func badSettingsAreLocatedErrors() throws {
        for (args, text) in [(["--ss=iops", "--ss_dur=3"], "limit"), (["--ss=speed:1%", "--ss_dur=3"], "iops_slope")] {
            let r = try runSwio(["--name=x", "--ioengine=null", "--size=1m"] + args)
            #expect(r.status == 1 && r.err.contains(text), "\(args): \(r.err)")
        }
    }
}
