// Latency histograms: the I/O loop records into HDR histograms; a finished job keeps them as
// LatencyDistribution, only their non-empty buckets, with the same percentiles and bins.

import Histogram

/// What a histogram of latencies offers a report: the direction counters hold a live one
/// (LatencyHistogram, recorded into per I/O) or a finished, compact one (LatencyDistribution).
public protocol LatencyBuckets: Sendable {
    init()
    mutating func add(_ other: Self)
}

extension LatencyHistogram: LatencyBuckets {
    public init() { self = makeLatencyHistogram() }
}

/// A finished latency histogram, kept compactly: the non-empty buckets of the HDR histogram it
/// came from (each as its highest equivalent value, with its count) and the min and max it
/// recorded. Percentiles and json+ bins are exactly the HDR histogram's; a job keeps a few
/// hundred buckets for the report instead of the whole counts array.
public struct LatencyDistribution: LatencyBuckets, Equatable {
    public struct Bucket: Sendable, Equatable {
        public var value: UInt64
        public var count: UInt64
    }
    public private(set) var buckets: [Bucket] = []
    public private(set) var totalCount: UInt64 = 0
    /// The HDR histogram's min (exact, or 0 when a value of 0 was recorded) and max.
    public private(set) var min: UInt64 = 0
    public private(set) var maxRecorded: UInt64 = 0
    public init() {}

    public init(_ h: LatencyHistogram) {
        totalCount = h.totalCount
        guard totalCount > 0 else { return }
        var n = 0
        for _ in h.recordedValues() { n += 1 }
        buckets.reserveCapacity(n)
        for v in h.recordedValues() { buckets.append(Bucket(value: v.value, count: UInt64(v.count))) }
        min = h.min
        maxRecorded = h.maxRecorded
    }

    /// As HDR's valueAtPercentile: the top of the bucket the percentile falls in, within the
    /// recorded min and max.
    public func valueAtPercentile(_ percentile: Double) -> UInt64 {
        guard percentile != 0 else { return min }
        guard percentile < 100 else { return maxRecorded }
        let requested = Swift.min(Swift.max(percentile.nextDown, 0), 100)
        let countAt = Swift.max(1, UInt64((requested * Double(totalCount) / 100).rounded(.up)))
        var total: UInt64 = 0
        for b in buckets {
            total += b.count
            if total >= countAt { return Swift.max(Swift.min(b.value, maxRecorded), min) }
        }
        return 0
    }

    /// The non-empty buckets, lowest first.
    public func recordedValues() -> [Bucket] { buckets }

    /// Merges another distribution's buckets (both come from histograms of one layout, so a
    /// bucket's value names it).
    public mutating func add(_ other: LatencyDistribution) {
        guard other.totalCount > 0 else { return }
        guard totalCount > 0 else { self = other; return }
        var merged: [Bucket] = []
        merged.reserveCapacity(buckets.count + other.buckets.count)
        var i = 0, j = 0
        while i < buckets.count || j < other.buckets.count {
            if j == other.buckets.count || i < buckets.count && buckets[i].value < other.buckets[j].value {
                merged.append(buckets[i]); i += 1
            } else if i == buckets.count || other.buckets[j].value < buckets[i].value {
                merged.append(other.buckets[j]); j += 1
            } else {
                merged.append(Bucket(value: buckets[i].value, count: buckets[i].count + other.buckets[j].count)); i += 1; j += 1
            }
        }
        buckets = merged
        totalCount += other.totalCount
        min = Swift.min(min, other.min)
        maxRecorded = Swift.max(maxRecorded, other.maxRecorded)
    }

    public var estimatedFootprintInBytes: Int { MemoryLayout<Self>.size + buckets.capacity * MemoryLayout<Bucket>.stride }
}
