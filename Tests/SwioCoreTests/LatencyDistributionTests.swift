import Testing
@testable import SwioCore

/// A finished job keeps its histograms as LatencyDistribution (the non-empty buckets only);
/// the report must read the same percentiles and bins from it as from the HDR histogram.
@Suite struct LatencyDistributionTests {
    static let percentiles = [0, 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100]

    func histogram(seed: UInt64, count: Int, zeros: Bool = false) -> LatencyHistogram {
        var h = makeLatencyHistogram()
        var rng = RandomGenerator(seed: seed)
        for i in 0..<count {
            // Latencies from tens of ns to seconds, log-spread, with repeats and outliers.
            let magnitude = 4 + rng.below(27)
            var v = (UInt64(1) << magnitude) + rng.below(UInt64(1) << magnitude)
            if zeros && i % 97 == 0 { v = 0 }
            _ = h.record(v)
        }
        return h
    }

    func expectSame(_ h: LatencyHistogram, _ d: LatencyDistribution) {
        #expect(d.totalCount == h.totalCount)
        #expect(d.min == h.min && d.maxRecorded == h.maxRecorded)
        for p in Self.percentiles { #expect(d.valueAtPercentile(p) == h.valueAtPercentile(p), "p\(p)") }
        let bins = h.recordedValues().map { LatencyDistribution.Bucket(value: $0.value, count: UInt64($0.count)) }
        #expect(d.recordedValues() == bins)
    }

    @Test(arguments: [1, 2, 10, 1000, 50_000])
    func percentilesAndBinsAreTheHistograms(count: Int) {
        for seed: UInt64 in 1...5 {
            let h = histogram(seed: seed, count: count, zeros: seed == 3)
            expectSame(h, LatencyDistribution(h))
        }
    }

    @Test func anEmptyOneReadsAsAnEmptyHistogram() {
        let h = makeLatencyHistogram()
        let d = LatencyDistribution(h)
        #expect(d.totalCount == 0 && d.recordedValues().isEmpty && d.valueAtPercentile(50) == 0 && d.min == 0)
    }

    /// group_reporting merges jobs: merging distributions equals merging the histograms.
    @Test func mergingEqualsMergingTheHistograms() {
        for seed: UInt64 in 1...6 {
            let a = histogram(seed: seed, count: 3000), b = histogram(seed: seed + 100, count: Int(seed) * 700, zeros: seed % 2 == 0)
            var h = a
            h.add(b)
            var d = LatencyDistribution(a)
            d.add(LatencyDistribution(b))
            expectSame(h, d)
            var fromEmpty = LatencyDistribution()
            fromEmpty.add(LatencyDistribution(a))
            expectSame(a, fromEmpty)
        }
    }

    /// The point of it: latencies gather around a few values (a device's service time, with a
    /// tail), so the non-empty buckets take a few KiB where the histogram's array takes 100+.
    @Test func itIsSmall() {
        var h = makeLatencyHistogram()
        var rng = RandomGenerator(seed: 9)
        for i in 0..<100_000 {
            // About 80 us, spread by a few us, and one in a thousand near 2-10 ms.
            let v = i % 1000 == 0 ? 2_000_000 + rng.below(8_000_000) : 78_000 + rng.below(4_000)
            _ = h.record(v)
        }
        let d = LatencyDistribution(h)
        #expect(d.estimatedFootprintInBytes * 4 < h.estimatedFootprintInBytes, "\(d.estimatedFootprintInBytes) against \(h.estimatedFootprintInBytes)")
    }
}
