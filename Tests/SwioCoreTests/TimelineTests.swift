import Testing
@testable import SwioCore

/// The per-job timeline swio plot draws: bounded, even, and exact between its points.
@Suite struct TimelineTests {
    func record(_ n: Int) -> Timeline {
        var t = Timeline()
        for i in 1...n {
            let v = UInt64(i)
            t.record(ms: v * 500, bytes: SIMD4(v * 4096, v * 8192, 0, 0), ios: SIMD4(v, 2 * v, 0, 0))
        }
        return t
    }

    @Test func aShortRunKeepsEverySample() {
        let t = record(10)
        #expect(t.points.map(\.ms) == (1...10).map { UInt64($0) * 500 })
    }

    /// Past the capacity every other point goes: the spacing doubles, stays even, and the
    /// counters at the points kept are the real ones, so rates between them stay exact.
    @Test(arguments: [Timeline.capacity + 1, 3 * Timeline.capacity, 10 * Timeline.capacity + 7])
    func aLongRunIsThinnedEvenlyInBoundedMemory(samples: Int) {
        let t = record(samples)
        #expect(t.points.count <= Timeline.capacity && t.points.count > Timeline.capacity / 2)
        let gaps = Set(zip(t.points, t.points.dropFirst()).map { $1.ms - $0.ms })
        #expect(gaps.count == 1, "\(gaps)")
        for p in t.points { #expect(p.bytes[0] == p.ms / 500 * 4096 && p.ios[1] == 2 * (p.ms / 500)) }
        // The series still reaches to near the end of the run.
        #expect(t.points.last!.ms + gaps.first! > UInt64(samples) * 500 - gaps.first!)
    }

    @Test func groupReportingAddsClonesPointByPoint() {
        var a = record(4)
        a.add(record(3))
        #expect(a.points.count == 3)
        #expect(a.points[2].bytes[0] == 2 * 3 * 4096 && a.points[2].ios[1] == 2 * 6)
    }
}
