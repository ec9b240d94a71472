// The kevent engine: a kevent-style asynchronous direct-I/O reader (the 2006 experiment that
// started swio). Requests go to the block layer through kernel AIO (libaio, or io_uring with
// kevent_backend=io_uring); every completion is signalled through an eventfd into an epoll
// ready-queue; the job harvests ready events in batches of kevent_min..kevent_max per wait,
// like kevent_get_events(). O_DIRECT is forced, buffers are page-aligned and bs defaults to
// 40 KiB. See README.md in this folder for how this maps to the 2006 design.

import SwioCore
import CSwio
import LibaioEngine
import IOUringEngine
#if canImport(Glibc)
import Glibc
#endif

/// A kernel AIO backend that can signal an eventfd and be harvested without blocking.
public protocol KeventBackend: IOEngine {
    init(keventJob: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws
    mutating func attach(eventFD: Int32) throws
    /// Appends completions that are ready now to events[from...], up to `max` in all; returns the new total.
    mutating func harvest(from: Int, max: Int) throws -> Int
    static var backendName: String { get }
}

extension LibaioEngine: KeventBackend {
    public init(keventJob: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        try self.init(job: keventJob, units: units, count: count)
    }
    public mutating func attach(eventFD: Int32) throws { self.eventFD = eventFD }
    public static var backendName: String { "libaio" }
}

extension IOUringEngine: KeventBackend {
    public init(keventJob: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        // DEFER_TASKRUN would hold completions back until we enter the kernel, so the eventfd
        // would never fire: the ready-queue needs them posted as they happen.
        try self.init(job: keventJob, units: units, count: count, allowDefer: false)
    }
    public mutating func attach(eventFD: Int32) throws { try attachEventFD(eventFD) }
    public static var backendName: String { "io_uring" }
}

public enum KeventInfo {
    public static let info = EngineInfo(
        name: "kevent", flags: [.directOnly, .alignedMemory, .batchedCompletions],
        summary: "kevent-style direct-I/O reader: kernel AIO completions -> eventfd/epoll ready-queue -> batched harvest",
        notes: ["O_DIRECT is always used; bs defaults to 40k (40960 bytes)",
                "kevent_backend=libaio|io_uring picks the kernel AIO path; kevent_min/kevent_max bound events per wait"])
}

public struct KeventEngine<Backend: KeventBackend>: IOEngine {
    public static var info: EngineInfo { KeventInfo.info }

    @usableFromInline var backend: Backend
    @usableFromInline let eventFD: Int32
    @usableFromInline let epollFD: Int32
    @usableFromInline let keventMin: Int
    @usableFromInline let keventMax: Int
    // Ready-queue statistics for the report.
    @usableFromInline var waits: UInt64 = 0
    @usableFromInline var harvests: UInt64 = 0
    @usableFromInline var harvested: UInt64 = 0
    @usableFromInline var maxPerHarvest = 0

    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        keventMin = Int(job.definition.integer("kevent_min", default: 1))
        keventMax = Int(job.definition.integer("kevent_max", default: Int64(count)))
        var b = try Backend(keventJob: job, units: units, count: count)
        let efd = cswio_eventfd(0)
        let epfd = efd >= 0 ? cswio_epoll_create() : -1
        let e = errno
        if efd < 0 || epfd < 0 || cswio_epoll_add_readable(epfd, efd) != 0 {
            let err = efd < 0 || epfd < 0 ? e : errno
            b.cleanup()
            if efd >= 0 { close(efd) }
            if epfd >= 0 { close(epfd) }
            throw EngineError(errno: err, "kevent: setting up the eventfd/epoll ready-queue failed: \(Syscall.errorString(err))")
        }
        do { try b.attach(eventFD: efd) } catch {
            b.cleanup(); close(efd); close(epfd)
            throw error
        }
        backend = b
        eventFD = efd
        epollFD = epfd
    }

    public mutating func filesOpened(_ fds: [Int32]) throws { try backend.filesOpened(fds) }

    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult { backend.queue(u) }
    @inlinable public mutating func commit() throws -> Int { try backend.commit() }

    /// Harvests ready completions; while fewer than kevent_min (or `min`) are in hand, sleeps on
    /// the ready-queue. The eventfd is only a wake-up: its count is drained, never trusted, since
    /// backends signal it per completion (libaio) or per batch (io_uring).
    @inlinable public mutating func getEvents(min: Int, max: Int) throws -> Int {
        let limit = Swift.min(max, keventMax)
        let target = Swift.max(1, Swift.min(Swift.max(min, keventMin), limit))
        var got = try backend.harvest(from: 0, max: limit)
        while got < target {
            waits &+= 1
            // Bounded, so a missed wake-up costs at most 100 ms, never a hang.
            let n = cswio_epoll_wait_one(epollFD, 100)
            if n < 0 && n != -EINTR { throw EngineError(errno: -n, "kevent: epoll_wait failed: \(Syscall.errorString(-n))") }
            var counter: UInt64 = 0
            _ = read(eventFD, &counter, 8)
            got = try backend.harvest(from: got, max: limit)
        }
        harvests &+= 1
        harvested &+= UInt64(got)
        if got > maxPerHarvest { maxPerHarvest = got }
        return got
    }

    @inlinable public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { backend.event(i) }

    public func extraStats() -> [(String, JSON)] {
        [("backend", .string(Backend.backendName)),
         ("ready_queue_waits", .uint(waits)),
         ("harvests", .uint(harvests)),
         ("events", .uint(harvested)),
         ("events_per_harvest", .double(harvests > 0 ? Double(harvested) / Double(harvests) : 0)),
         ("max_events_per_harvest", .int(Int64(maxPerHarvest))),
         ("kevent_min", .int(Int64(keventMin))), ("kevent_max", .int(Int64(keventMax)))]
    }

    public mutating func cleanup() {
        backend.cleanup()
        close(epollFD)
        close(eventFD)
    }
}
