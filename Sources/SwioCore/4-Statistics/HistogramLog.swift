// write_hist_log with log_hist_msec: completion latencies in fio's own histogram buckets
// (FIO_IO_U_PLAT_BITS 6, 29 groups of 64, in ns), one line per direction each window:
// "msec, ddir, bs, " and the window's count in every bucket (log_hist_coarseness merges
// 2^N neighbours), which is what fio's fiologparser_hist.py reads.

/// The I/O loop's per-window bucket counts, and the lines made of them.
public struct HistogramLog: Sendable {
    public static let bits = 6
    public static let groups = 29
    public static let buckets = groups << bits

    public struct Line: Sendable {
        public var timeMs: UInt64
        public var ddir: UInt8
        public var bs: UInt32
        public var counts: [UInt64]
    }

    let windowMs: UInt64
    let stride: Int
    /// Counts since each direction's last line, direction-major.
    var counts: [UInt64]
    /// When each direction's window began (ms, 0 before its first completion).
    var windowStart: (UInt64, UInt64, UInt64) = (0, 0, 0)
    public private(set) var lines: [Line] = []

    public init(windowMs: UInt64, coarseness: Int) {
        self.windowMs = windowMs
        stride = 1 << coarseness
        counts = Array(repeating: 0, count: 3 * HistogramLog.buckets)
    }

    /// fio's plat_val_to_idx(): values below 128 ns have a bucket each; above, 64 buckets per
    /// power of two.
    @inlinable public static func bucket(_ ns: UInt64) -> Int {
        let msb = ns == 0 ? 0 : 63 - ns.leadingZeroBitCount
        if msb <= bits { return Int(ns) }
        let errorBits = msb - bits
        let idx = ((errorBits + 1) << bits) + Int((ns >> UInt64(errorBits)) & UInt64((1 << bits) - 1))
        return min(idx, buckets - 1)
    }

    /// One completion of direction d at `ms` into the log's time: counted, and a window that
    /// has run its length becomes a line (stamped with this I/O, as fio does).
    public mutating func record(_ clatNs: UInt64, d: Int, ms: UInt64, bs: UInt32) {
        counts[d * HistogramLog.buckets + HistogramLog.bucket(clatNs)] &+= 1
        var start = d == 0 ? windowStart.0 : d == 1 ? windowStart.1 : windowStart.2
        if start == 0 { start = max(ms, 1) }
        if ms >= start + windowMs {
            let base = d * HistogramLog.buckets
            var merged: [UInt64] = []
            merged.reserveCapacity(HistogramLog.buckets / stride)
            for j in Swift.stride(from: 0, to: HistogramLog.buckets, by: stride) {
                var sum: UInt64 = 0
                for k in j..<(j + stride) { sum &+= counts[base + k]; counts[base + k] = 0 }
                merged.append(sum)
            }
            lines.append(Line(timeMs: ms, ddir: UInt8(d), bs: bs, counts: merged))
            // The next window starts where this one should have ended (fio keeps the drift out).
            start += windowMs
        }
        switch d { case 0: windowStart.0 = start case 1: windowStart.1 = start default: windowStart.2 = start }
    }
}
