// The kevent engine: a kevent-style asynchronous direct-I/O reader (the 2006 experiment that
// started swio). Requests go to the block layer through kernel AIO (libaio, or io_uring with
// kevent_backend=io_uring); every completion is signalled through an eventfd into an epoll
// ready-queue; the job harvests ready events in batches of kevent_min..kevent_max per wait,
// like kevent_get_events(). O_DIRECT is forced, buffers are page-aligned and bs defaults to
// 40 KiB. See README.md in this folder for how this maps to the 2006 design.

import SwioCore
import CKevent
#if canImport(Glibc)
import Glibc
#endif

/// The kevent engine's description and options. Its completion sources (libaio, io_uring) are
/// other engines; the registry composes them (KeventEngine.source(_:)), so this folder depends
/// on Core alone.
public enum Kevent {
    public static let keventMin = EngineOption.int("kevent_min", default: 1, min: 1, max: 65536, "Minimum events harvested per wait")
    public static let keventMax = EngineOption<Int64?>.int("kevent_max", min: 1, max: 65536, "Maximum events harvested per wait (default iodepth)")

    /// One completion source the engine can run over, and how to run a job with it.
    public typealias Source = (name: String, run: @Sendable (JobExecution) -> Void)

    /// Jobs over completion source `S`, the loop specialised where this is called (the registry).
    @inlinable public static func source<S: CompletionSource>(_: S.Type) -> Source {
        (S.sourceName, { JobDriver.run(KeventEngine<S>.self, $0) })
    }

    /// The kevent engine over `sources` (the first is the default of kevent_backend).
    public static func descriptor(sources: [Source]) -> EngineDescriptor {
        let names = sources.map(\.name)
        let backend = EngineOption.choice("kevent_backend", names, default: names.first ?? "", "Kernel AIO backend that feeds the kevent ready-queue")
        return EngineDescriptor(
            name: "kevent", summary: "kevent-style direct-I/O reader: kernel AIO completions -> eventfd/epoll ready-queue -> batched harvest",
            flags: [.directOnly, .alignedMemory, .batchedCompletions],
            options: [backend.spec, keventMin.spec, keventMax.spec],
            // 40 KiB reads, as the 2006 experiment did.
            jobDefaults: ["bs": "40k"],
            notes: ["O_DIRECT is always used; bs defaults to 40k (40960 bytes)",
                    "kevent_backend=\(names.joined(separator: "|")) picks the kernel AIO path; kevent_min/kevent_max bound events per wait"]
        ) { job in
            let chosen = backend.value(in: job.config)
            (sources.first { $0.name == chosen } ?? sources[0]).run(job)
        }
    }
}

public struct KeventEngine<Backend: CompletionSource>: IOEngine {
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
        keventMin = Int(Kevent.keventMin.value(in: job))
        keventMax = Int(Kevent.keventMax.value(in: job) ?? Int64(count))
        var b = try Backend(sourceFor: job, units: units, count: count)
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
        [("backend", .string(Backend.sourceName)),
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
