// The engine boundary, modelled on fio's struct ioengine_ops: open/close a file, queue an I/O
// (completed now / queued / busy), commit queued I/Os, reap completions (min, max) and read
// them back with event(i). An engine is one target under engines/<Name>/ and is chosen once
// per job: the I/O loop (IOLoop.run) is generic and @inlinable, so it is specialised for each
// engine and no call goes through `any IOEngine` per I/O.

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
    /// Talks to sockets (FIO_PIPEIO family).
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

/// Static description of an engine for `swio engines` and option checks.
public struct EngineInfo: Sendable {
    public var name: String
    public var flags: EngineFlags
    public var summary: String
    public var notes: [String]
    public var options: [OptionSpec] { OptionTable.options(forEngine: name) }
    public init(name: String, flags: EngineFlags, summary: String, notes: [String] = []) {
        self.name = name; self.flags = flags; self.summary = summary; self.notes = notes
    }
}

public protocol IOEngine {
    static var info: EngineInfo { get }
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

/// The one place syscalls used by the runner and sync engines are called; EINTR is handled here.
public enum Syscall {
    public static func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32 {
        while true {
            let fd = cswio_open(path, flags, Int32(mode))
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            let e = errno
            var hint = ""
            if e == EINVAL && flags & cswio_O_DIRECT != 0 { hint = " (this filesystem may not support O_DIRECT; tmpfs does not)" }
            throw EngineError(errno: e, "cannot open \(path): \(errorString(e))\(hint)")
        }
    }
    /// 0, or the errno of a failed close. EINTR counts as closed: Linux releases the fd
    /// before it can be interrupted, so a retry could close another thread's new fd.
    @discardableResult
    public static func close(_ fd: Int32) -> Int32 {
        if Glibc.close(fd) == 0 { return 0 }
        let e = errno
        return e == EINTR ? 0 : e
    }

    /// Runs `body` until it does not fail with EINTR; returns the result or -errno.
    @inlinable public static func retry(_ body: () -> Int) -> Int {
        while true {
            let r = body()
            if r >= 0 { return r }
            let e = errno
            if e != EINTR { return -Int(e) }
        }
    }

    public static func errorString(_ e: Int32) -> String { String(cString: strerror(e)) }
}

/// The default completion path for engines whose queue() does the I/O (sync engines).
extension IOUnit {
    @inlinable public mutating func complete(_ r: Int) { result = r }
}

/// Synchronous fallbacks every engine may use: trim (BLKDISCARD on block devices,
/// fallocate(PUNCH_HOLE) on files) and fsync/fdatasync.
public enum SyncOps {
    @inlinable public static func trim(fd: Int32, offset: UInt64, length: Int) -> Int {
        if cswio_is_blockdev(fd) == 1 {
            let r = Syscall.retry { Int(cswio_blk_discard(fd, offset, UInt64(length))) }
            return r < 0 ? r : length
        }
        let r = Syscall.retry { Int(cswio_fallocate(fd, cswio_FALLOC_FL_PUNCH_HOLE | cswio_FALLOC_FL_KEEP_SIZE, off_t(offset), off_t(length))) }
        return r < 0 ? r : length
    }
    @inlinable public static func sync(fd: Int32, dataOnly: Bool) -> Int {
        Syscall.retry { Int(dataOnly ? fdatasync(fd) : fsync(fd)) }
    }
    /// The queue() answer of an engine that runs trim or fsync synchronously: busy while I/Os
    /// it has queued still wait for their submit (`unsubmitted`), otherwise done now, beside
    /// whatever is in flight. That is fio's rule (its libaio and io_uring engines test
    /// `ld->queued`, which counts I/Os not yet submitted): strace of fio 3.33 at iodepth=8
    /// shows its fsync(2) with 7 writes in flight, so such a sync need not cover them.
    @inlinable public static func queueWhenSubmitted(_ u: UnsafeMutablePointer<IOUnit>, unsubmitted: Int) -> QueueResult {
        if unsubmitted > 0 { return .busy }
        u.pointee.result = nonDataIO(u) ?? -Int(EINVAL)
        return .completed
    }
    /// Trim and sync kinds, done synchronously; nil for read/write.
    @inlinable public static func nonDataIO(_ u: UnsafeMutablePointer<IOUnit>) -> Int? {
        switch u.pointee.kind {
        case .trim: return trim(fd: u.pointee.fd, offset: u.pointee.offset, length: u.pointee.length)
        case .fsync: return sync(fd: u.pointee.fd, dataOnly: false)
        case .fdatasync: return sync(fd: u.pointee.fd, dataOnly: true)
        default: return nil
        }
    }
}
