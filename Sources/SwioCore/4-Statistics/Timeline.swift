/// A job's progress over time, for pictures: its cumulative bytes and I/Os per direction at
/// each bandwidth sample (bwavgtime). At most `capacity` points: when full, every other point
/// goes and the spacing doubles, so a soak test keeps an even, coarser series in bounded
/// memory, and the differences between points stay exact.
public struct Timeline: Sendable {
    public struct Point: Sendable, Equatable {
        /// Since the job's measurement began (after ramp_time).
        public var ms: UInt64
        /// Per direction (read, write, trim; the fourth lane is unused): inline, no allocation.
        public var bytes: SIMD4<UInt64>
        public var ios: SIMD4<UInt64>
        public init(ms: UInt64, bytes: SIMD4<UInt64>, ios: SIMD4<UInt64>) { self.ms = ms; self.bytes = bytes; self.ios = ios }
    }
    public static let capacity = 1024
    public private(set) var points: [Point] = []
    /// Samples seen, and how many of them make one point.
    private var ticks: UInt64 = 0
    private var stride: UInt64 = 1

    public init() {}

    public mutating func record(ms: UInt64, bytes: SIMD4<UInt64>, ios: SIMD4<UInt64>) {
        defer { ticks += 1 }
        guard ticks % stride == 0 else { return }
        if points.count == Timeline.capacity {
            points = points.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            stride *= 2
            guard ticks % stride == 0 else { return }
        }
        points.append(Point(ms: ms, bytes: bytes, ios: ios))
    }

    /// Adds another job's progress point by point (group_reporting's clones start together
    /// and sample at the same interval); the shorter series bounds the sum.
    public mutating func add(_ other: Timeline) {
        if points.isEmpty { self = other; return }
        let n = min(points.count, other.points.count)
        points = (0..<n).map { i in
            Point(ms: points[i].ms, bytes: points[i].bytes &+ other.points[i].bytes, ios: points[i].ios &+ other.points[i].ios)
        }
    }
}
