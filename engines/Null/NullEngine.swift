// The null engine (fio engines/null.c): no I/O at all, so a run measures only swio's own
// per-I/O cost (offset generation, random map, timestamps, statistics). At iodepth 1 it
// completes in queue(); deeper, commit() turns everything queued into events, and queue()
// answers busy until they are reaped, as fio's does.

import SwioCore

public struct NullEngine: IOEngine {
    public static let descriptor = EngineDescriptor(
        name: "null", summary: "no I/O: measures swio's own per-I/O overhead", flags: [.diskless]) { JobDriver.run(NullEngine.self, $0) }
    @usableFromInline let depth: Int
    @usableFromInline var queued: UnsafeMutablePointer<UnsafeMutablePointer<IOUnit>>
    @usableFromInline var nQueued = 0
    @usableFromInline var ready: UnsafeMutablePointer<UnsafeMutablePointer<IOUnit>>
    @usableFromInline var nReady = 0

    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        depth = job.iodepth
        queued = .allocate(capacity: max(count, 1))
        ready = .allocate(capacity: max(count, 1))
    }
    public mutating func openFile(path: String, flags: Int32, mode: UInt32) throws -> Int32 { -1 }
    public mutating func closeFile(fd: Int32) -> Int32 { 0 }

    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        u.pointee.result = u.pointee.length
        if depth == 1 { return .completed }
        // As fio's null_queue(): busy while committed events wait to be reaped, so the loop
        // reaps before queueing more (fio's null job runs at depth 1 whatever iodepth says).
        if nReady > handedOut { return .busy }
        queued[nQueued] = u
        nQueued += 1
        return .queued
    }
    @inlinable public mutating func commit() throws -> Int {
        dropHandedOut()
        let n = nQueued
        for i in 0..<n { ready[nReady + i] = queued[i] }
        nReady += n
        nQueued = 0
        return n
    }
    @inlinable public mutating func getEvents(min: Int, max: Int) throws -> Int {
        dropHandedOut()
        handedOut = Swift.min(nReady, max)
        return handedOut
    }
    @usableFromInline var handedOut = 0
    /// The caller has read event(0..<handedOut) since the last getEvents: drop those.
    @inlinable mutating func dropHandedOut() {
        guard handedOut > 0 else { return }
        let rest = nReady - handedOut
        if rest > 0 { ready.update(from: ready + handedOut, count: rest) }
        nReady = rest
        handedOut = 0
    }
    @inlinable public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { ready[i] }
    public mutating func cleanup() {
        queued.deallocate()
        ready.deallocate()
    }
}
