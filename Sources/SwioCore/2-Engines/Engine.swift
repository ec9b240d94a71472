// The engine boundary, modelled on fio's struct ioengine_ops: open/close a file, queue an I/O
// (completed now / queued / busy), commit queued I/Os, reap completions (min, max) and read
// them back with event(i). An engine is one target under engines/<Name>/ that exports an
// EngineDescriptor (EngineDescriptor.swift) and is chosen once per job: the I/O loop
// (IOLoop.run) is generic and @inlinable, so it is specialised for each engine and no call
// goes through `any IOEngine` per I/O.
//
// The loop's contract with an engine: queue() answers .completed (result set: bytes done, 0
// for a read at the end of a file, or -errno), .queued (it completes through getEvents after
// commit) or .busy (nothing accepted: the loop commits, reaps and queues it again). A short
// result is counted as a short I/O; the buffer of a unit is the engine's until its completion
// is handed back by event(i).

import CSwio
#if canImport(Glibc)
import Glibc
#endif

/// Capability flags, as fio's FIO_* engine flags.
public struct EngineFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// queue() completes I/O synchronously (FIO_SYNCIO).
    public static let sync = EngineFlags(rawValue: 1 << 0)
    /// No files or devices are touched (FIO_DISKLESSIO).
    public static let diskless = EngineFlags(rawValue: 1 << 1)
    /// Buffers must be aligned (FIO_MEMALIGN).
    public static let alignedMemory = EngineFlags(rawValue: 1 << 2)
    /// Talks over a connection (fio's FIO_PIPEIO family): the job's target is not a file to lay
    /// out but an endpoint the engine's openFile opens (filename= is passed to it as is);
    /// offsets mean nothing; a read of 0 bytes is the end of the stream, which ends the job
    /// without an error.
    public static let network = EngineFlags(rawValue: 1 << 3)
    /// Always opens with O_DIRECT.
    public static let directOnly = EngineFlags(rawValue: 1 << 4)
    /// Blocks in submit when the I/O is buffered (libaio with direct=0).
    public static let blocksWhenBuffered = EngineFlags(rawValue: 1 << 5)
    /// fsync/fdatasync are submitted through the engine, not called synchronously.
    public static let asyncSync = EngineFlags(rawValue: 1 << 6)
    /// Sizes its own completion batches (kevent_min/kevent_max), so iodepth_batch_complete_max
    /// defaults to iodepth instead of fio's one-per-call.
    public static let batchedCompletions = EngineFlags(rawValue: 1 << 7)
    /// Runs a trim in place but counts it as one submit and one complete batch, as fio's
    /// libaio and io_uring do (io_u_mark_submit/complete(td, 1) beside do_io_u_trim).
    public static let marksInPlaceTrims = EngineFlags(rawValue: 1 << 8)

    public var names: [String] {
        var n: [String] = []
        if contains(.sync) { n.append("sync") } else { n.append("async") }
        if contains(.diskless) { n.append("diskless") }
        if contains(.alignedMemory) { n.append("aligned-memory") }
        if contains(.network) { n.append("network") }
        if contains(.directOnly) { n.append("direct-only") }
        if contains(.blocksWhenBuffered) { n.append("blocks-when-buffered") }
        if contains(.asyncSync) { n.append("async-fsync") }
        if contains(.batchedCompletions) { n.append("batched-completions") }
        if contains(.marksInPlaceTrims) { n.append("counts-in-place-trims") }
        return n
    }
}

/// What an I/O unit asks for.
public enum IOKind: UInt8, Sendable {
    case read = 0, write = 1, trim = 2, fsync = 3, fdatasync = 4
    @inlinable public var direction: Direction? { rawValue < 3 ? Direction(rawValue: Int(rawValue)) : nil }
}

/// One in-flight I/O. A trivial struct living in a preallocated array: no ARC per I/O.
public struct IOUnit {
    public var index: Int32 = 0
    public var kind: IOKind = .read
    /// The ioprio value ((class << 13) | level) the I/O goes with: the job's prio/prioclass, or
    /// what cmdprio gave it. Per-priority latencies and log_prio read it.
    public var priority: UInt16 = 0
    public var fileIndex: Int32 = 0
    public var fd: Int32 = -1
    public var buffer: UnsafeMutableRawPointer
    public var length: Int = 0
    public var offset: UInt64 = 0
    /// Bytes done, or -errno.
    public var result: Int = 0
    public var startNs: UInt64 = 0
    public var issueNs: UInt64 = 0
    /// Engine-private slot (an iocb or iovec index, for instance).
    public var engineData: UInt64 = 0
    /// The loop's own slot: which verify-phase block a read is (engines leave it alone).
    public var tag: Int = 0
    public init(buffer: UnsafeMutableRawPointer) { self.buffer = buffer }
}

public enum QueueResult: Sendable {
    /// Done now; `result` is set.
    case completed
    /// Accepted; it completes through getEvents after commit.
    case queued
    /// No room: commit and reap, then queue again.
    case busy
}

/// An engine failure with a message for the user.
public struct EngineError: Error, CustomStringConvertible, Sendable {
    public var errno: Int32
    public var message: String
    /// For a failed commit: how many of the queued I/Os the kernel accepted before the error.
    public var accepted: Int
    public init(errno: Int32 = 0, _ message: String, accepted: Int = 0) {
        self.errno = errno; self.message = message; self.accepted = accepted
    }
    public var description: String { message }
}

public protocol IOEngine {
    /// Sets up the engine for a job; `units` is the job's preallocated I/O unit array (iodepth long).
    init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws
    /// Opens one file; the default is open(2). Returns the fd.
    mutating func openFile(path: String, flags: Int32, mode: UInt32) throws -> Int32
    /// Called after all files are open (registering files, for instance).
    mutating func filesOpened(_ fds: [Int32]) throws
    /// Closes one file; returns 0 or the errno of a failed close (EIO from a file the job
    /// wrote is the job's error: the kernel may report a lost write-back only there).
    mutating func closeFile(fd: Int32) -> Int32
    /// Starts one I/O.
    mutating func queue(_ unit: UnsafeMutablePointer<IOUnit>) -> QueueResult
    /// Submits what queue() collected; returns how many the kernel accepted.
    mutating func commit() throws -> Int
    /// Waits for at least `min` and at most `max` completions; returns how many are ready.
    mutating func getEvents(min: Int, max: Int) throws -> Int
    /// The i-th completion of the last getEvents.
    mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit>
    /// Engine statistics for the report's "swio" section (e.g. events per wait).
    func extraStats() -> [(String, JSON)]
    mutating func cleanup()
}

extension IOEngine {
    public mutating func openFile(path: String, flags: Int32, mode: UInt32) throws -> Int32 {
        try Syscall.open(path, flags: flags, mode: mode)
    }
    public mutating func filesOpened(_ fds: [Int32]) throws {}
    public mutating func closeFile(fd: Int32) -> Int32 { Syscall.close(fd) }
    @inlinable public mutating func commit() throws -> Int { 0 }
    @inlinable public mutating func getEvents(min: Int, max: Int) throws -> Int { 0 }
    public func extraStats() -> [(String, JSON)] { [] }
    public mutating func cleanup() {}
}


/// A kernel completion source another engine can drive (the kevent engine's backends): it
/// signals an eventfd as completions arrive and hands them over without blocking. Each
/// backend conforms in its own engine folder; the registry composes them.
public protocol CompletionSource: IOEngine {
    /// The backend's name as the composing engine's option spells it (kevent_backend=libaio).
    static var sourceName: String { get }
    /// Sets up as a source: completions must reach the eventfd as they happen.
    init(sourceFor job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws
    /// Signal `eventFD` on completions from now on.
    mutating func attach(eventFD: Int32) throws
    /// Appends completions ready now to the events from index `from`, up to `max` in all;
    /// returns the new total (event(i) reads them back).
    mutating func harvest(from: Int, max: Int) throws -> Int
}
