// Write buffers between I/Os: refill_buffers (new random contents each write) and fio's default
// scramble (a few bytes changed, so dedupe and compression see distinct blocks).

import CSwio
#if canImport(Glibc)
import Glibc
#endif

extension IOLoop {
    @usableFromInline mutating func refillBuffer(_ u: UnsafeMutablePointer<IOUnit>) {
        let words = u.pointee.length / 8
        let p = u.pointee.buffer.bindMemory(to: UInt64.self, capacity: words)
        for i in 0..<words { p[i] = workload.rng.next() }
    }

    /// scramble_buffers (on by default, as in fio): stamps every 512-byte block of a write with
    /// its file offset and the write's sequence number, in a cache line picked per write, so a
    /// deduplicating target cannot fold blocks the job wrote from the same buffer.
    @usableFromInline mutating func scrambleBuffer(_ u: UnsafeMutablePointer<IOUnit>) {
        let blocks = u.pointee.length >> 9
        guard blocks > 0 else { return }
        var offset = u.pointee.offset
        let line = Int((offset ^ issuedIOs) & 7) << 6
        var p = u.pointee.buffer
        for _ in 0..<blocks {
            p.storeBytes(of: offset, toByteOffset: line, as: UInt64.self)
            p.storeBytes(of: issuedIOs, toByteOffset: line + 8, as: UInt64.self)
            p += 512
            offset &+= 512
        }
    }
}
