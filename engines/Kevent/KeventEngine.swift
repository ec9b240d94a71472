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
    mutating func harvest(max: Int) throws -> Int
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
        name: "kevent", flags: [.directOnly, .alignedMemory],
        summary: "kevent-style direct-I/O reader: kernel AIO completions -> eventfd/epoll ready-queue -> batched harvest",
        notes: ["O_DIRECT is always used; bs defaults to 40k (40960 bytes)",
                "kevent_backend=libaio|io_uring picks the kernel AIO path; kevent_min/kevent_max bound events per wait"])
}

public struct KeventEngine<Backend: KeventBackend>: IOEngine {
    public static var info: EngineInfo { KeventInfo.info }

    @usableFromInline var backend: Backend
    @usableFromInline let eventFD: Int32
    @usableFromInline let epollFD: Int32
    /// Completions signalled through the eventfd and not yet harvested.
    @usableFromInline var ready: UInt64 = 0
    @usableFromInline let keventMin: Int
    @usableFromInline let keventMax: Int
    // Ready-queue statistics for the report.
    @usableFromInline var waits: UInt64 = 0
    @usableFromInline var harvests: UInt64 = 0
    @usableFromInline var harvested: UInt64 = 0
    @usableFromInline var maxPerHarvest = 0

    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        keventMin = job.definition["kevent_min"].flatMap { Int($0) } ?? 1
        keventMax = job.definition["kevent_max"].flatMap { Int($0) } ?? count
        backend = try Backend(keventJob: job, units: units, count: count)
        eventFD = cswio_eventfd(0)
        guard eventFD >= 0 else { throw EngineError(errno: errno, "kevent: eventfd failed: \(Syscall.errorString(errno))") }
        epollFD = cswio_epoll_create()
        guard epollFD >= 0 else { throw EngineError(errno: errno, "kevent: epoll_create1 failed: \(Syscall.errorString(errno))") }
        guard cswio_epoll_add_readable(epollFD, eventFD) == 0 else {
            throw EngineError(errno: errno, "kevent: epoll_ctl failed: \(Syscall.errorString(errno))")
        }
        try backend.attach(eventFD: eventFD)
    }

    public mutating func filesOpened(_ fds: [Int32]) throws { try backend.filesOpened(fds) }

    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult { backend.queue(u) }
    @inlinable public mutating func commit() throws -> Int { try backend.commit() }

    /// Waits on the ready-queue until enough completions are signalled, then harvests a batch.
    @inlinable public mutating func getEvents(min: Int, max: Int) throws -> Int {
        let limit = Swift.min(max, keventMax)
        let target = Swift.min(Swift.max(min, keventMin), limit)
        while true {
            if ready < UInt64(target) {
                waits &+= 1
                // A bounded wait: if a signal was lost, the harvest below still makes progress.
                let n = cswio_epoll_wait_one(epollFD, 100)
                if n < 0 && n != -EINTR { throw EngineError(errno: -n, "kevent: epoll_wait failed: \(Syscall.errorString(-n))") }
                var v: UInt64 = 0
                if read(eventFD, &v, 8) == 8 { ready &+= v }
                if ready < UInt64(target) && n > 0 { continue }
            }
            let got = try backend.harvest(max: limit)
            ready = ready > UInt64(got) ? ready - UInt64(got) : 0
            if got >= min && got > 0 {
                harvests &+= 1
                harvested &+= UInt64(got)
                if got > maxPerHarvest { maxPerHarvest = got }
                return got
            }
            if got > 0 {
                // Fewer than asked for: keep them, they are handed out with the next ones.
                harvests &+= 1
                harvested &+= UInt64(got)
                return got
            }
        }
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
