// libaio (fio engines/libaio.c): io_setup with the job's iodepth; queue() fills the unit's
// iocb, commit() sends everything in one io_submit (retrying on EAGAIN after reaping),
// getEvents() calls io_getevents or, with userspace_reap, reads the kernel's completion
// ring directly; nowait sets RWF_NOWAIT. Trim and fsync run synchronously, as in fio.

import SwioCore
import CSwio
import CLibaio
#if canImport(Glibc)
import Glibc
#endif

public struct LibaioEngine: IOEngine {
    public static let userspaceReapOption = EngineOption.flag("userspace_reap", "Reap completions from the kernel's AIO ring without a syscall")
    public static let nowaitOption = EngineOption.bool("nowait", "RWF_NOWAIT: fail with EAGAIN instead of blocking")
    public static let descriptor = EngineDescriptor(
        name: "libaio", summary: "Linux native AIO (io_submit/io_getevents)",
        flags: [.blocksWhenBuffered, .alignedMemory, .marksInPlaceTrims],
        options: [userspaceReapOption.spec, nowaitOption.spec,
                  .accepted("libaio_sync_trim", .flag, "Issue trims synchronously (swio always does: Linux AIO has no trim; as fio, it waits only until nothing is left to submit)"),
                  .accepted("cmdprio_percentage", .string, "Percentage of reads[,writes] that get cmdprio_class/cmdprio as their priority"),
                  .accepted("cmdprio_bssplit", .string, "Priority shares per block size: bs/percent[/class/level]:..."),
                  .accepted("cmdprio_class", .string, "Priority class (1 RT, 2 BE, 3 idle) of the I/Os cmdprio_percentage/cmdprio_bssplit pick (default 1)"),
                  .accepted("cmdprio", .string, "Priority level (0-7) of the I/Os cmdprio_percentage/cmdprio_bssplit pick (default 0)")],
        notes: ["with direct=0 the kernel runs buffered I/O inside io_submit, so it is synchronous; use direct=1"]
    ) { JobDriver.run(LibaioEngine.self, $0) }

    @usableFromInline var ctx: io_context_t? = nil
    @usableFromInline let iocbs: UnsafeMutablePointer<iocb>
    @usableFromInline let submitList: UnsafeMutablePointer<UnsafeMutablePointer<iocb>?>
    @usableFromInline var nSubmit = 0
    @usableFromInline let events: UnsafeMutablePointer<io_event>
    /// Completions reaped while retrying a submit, handed out by the next getEvents.
    @usableFromInline var stashed = 0
    /// I/Os queued or in flight and not yet handed out by getEvents/harvest.
    @usableFromInline var outstanding = 0
    @usableFromInline let depth: Int
    @usableFromInline let userspaceReap: Bool
    /// RWF_* flags for every read and write (nowait: RWF_NOWAIT, as fio's libaio sets).
    @usableFromInline let rwFlags: Int32
    /// cmdprio_percentage / cmdprio_bssplit: a priority for some of the I/Os.
    @usableFromInline var cmdprio: CommandPriority
    @usableFromInline let usesCmdprio: Bool
    /// When set, each iocb signals this eventfd on completion (used by the kevent engine).
    public var eventFD: Int32 = -1

    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        depth = count
        userspaceReap = Self.userspaceReapOption.value(in: job)
        rwFlags = Self.nowaitOption.value(in: job) ? cswio_RWF_NOWAIT : 0
        let prio = try CommandPriority.make(job)
        usesCmdprio = prio != nil
        cmdprio = prio ?? CommandPriority.none
        iocbs = .allocate(capacity: count)
        iocbs.initialize(repeating: iocb(), count: count)
        submitList = .allocate(capacity: count)
        events = .allocate(capacity: count)
        var c: io_context_t? = nil
        let r = io_queue_init(Int32(count), &c)
        if r < 0 {
            iocbs.deallocate(); submitList.deallocate(); events.deallocate()
            let hint = -r == EAGAIN ? " (the system-wide AIO limit /proc/sys/fs/aio-max-nr is exhausted; raise it or lower iodepth)" : ""
            throw EngineError(errno: -r, "libaio: io_setup(\(count)) failed: \(Syscall.errorString(-r))\(hint)")
        }
        ctx = c
    }

    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        // fsync and trim run synchronously, as fio 3.33's libaio runs them, once nothing waits
        // for io_submit (I/Os in flight go on).
        if u.pointee.kind != .read && u.pointee.kind != .write { return SyncOps.queueWhenSubmitted(u, unsubmitted: nSubmit) }
        let cb = iocbs + Int(u.pointee.index)
        cswio_aio_prep(cb, u.pointee.kind == .write ? 1 : 0, u.pointee.fd, u.pointee.buffer, u.pointee.length,
                       Int64(u.pointee.offset), eventFD, rwFlags)
        if usesCmdprio { prioritise(cb, u) }
        cb.pointee.data = UnsafeMutableRawPointer(u)
        submitList[nSubmit] = cb
        nSubmit += 1
        outstanding += 1
        return .queued
    }

    /// cmdprio: this I/O's priority, if the draw gives it one.
    @usableFromInline @inline(never) mutating func prioritise(_ cb: UnsafeMutablePointer<iocb>, _ u: UnsafeMutablePointer<IOUnit>) {
        if let p = cmdprio.priority(u) { cswio_aio_set_prio(cb, p) }
    }

    @inlinable public mutating func commit() throws -> Int {
        var done = 0
        while done < nSubmit {
            var r = io_submit(ctx, nSubmit - done, submitList + done)
            if r > 0 { done += Int(r); continue }
            if r == -EINTR { continue }
            var call = "io_submit"
            if r == -EAGAIN || r == -ENOMEM {
                // Kernel is out of room: reap at least one completion, keep it for getEvents.
                r = io_getevents(ctx, 1, depth - stashed, events + stashed, nil)
                if r > 0 { stashed += Int(r); continue }
                if r == -EINTR { continue }
                call = "io_getevents"
            }
            // Only what the kernel accepted is in flight; the loop takes the rest back.
            outstanding -= nSubmit - done
            nSubmit = 0
            throw EngineError(errno: -r, "libaio: \(call) failed: \(Syscall.errorString(-r))", accepted: done)
        }
        nSubmit = 0
        return done
    }

    @inlinable public mutating func getEvents(min: Int, max: Int) throws -> Int {
        let n = try reap(min: min, max: max)
        outstanding -= n
        return n
    }

    @inlinable mutating func reap(min: Int, max: Int) throws -> Int {
        var got = stashed
        stashed = 0
        if got >= min && got > 0 { return got }
        if userspaceReap {
            // At least one look at the ring, also when polling (min 0).
            repeat {
                let n = Int(cswio_aio_user_reap(ctx, events + got, Int32(max - got)))
                if n < 0 { break }
                got += n
                if got < min && n == 0 {
                    // Nothing in the ring yet: block in the kernel for the rest.
                    let k = io_getevents(ctx, min - got, max - got, events + got, nil)
                    if k > 0 { got += Int(k) } else if k != -EINTR {
                        // Hand over what was already taken; a lasting error shows on the next call.
                        if got > 0 { return got }
                        throw EngineError(errno: -k, "libaio: io_getevents: \(Syscall.errorString(-k))")
                    }
                }
            } while got < min
            if got >= min { return got }
        }
        while true {
            let n = io_getevents(ctx, min - got, max - got, events + got, nil)
            if n >= 0 { return got + Int(n) }
            // fio retries: io_getevents may return -EINTR spuriously.
            if n == -EINTR { continue }
            if got > 0 { return got }
            throw EngineError(errno: -n, "libaio: io_getevents failed: \(Syscall.errorString(-n))")
        }
    }

    /// Non-blocking harvest for the kevent ready-queue: appends what has completed (and what a
    /// submit retry reaped) to events[from...], up to max in all; returns the new total.
    @inlinable public mutating func harvest(from: Int, max: Int) throws -> Int {
        let total = try harvestAppend(from: from, max: max)
        outstanding -= total - from
        return total
    }

    @inlinable mutating func harvestAppend(from: Int, max: Int) throws -> Int {
        var got = from
        // Events reaped by a submit retry sit at events[0..<stashed]; commit only runs before the
        // first harvest of a wait, so they are always picked up with from == 0.
        if stashed > 0 && from == 0 {
            got = stashed
            stashed = 0
        }
        var ts = timespec(tv_sec: 0, tv_nsec: 0)
        while got < max {
            let n = io_getevents(ctx, 0, max - got, events + got, &ts)
            if n >= 0 { return got + Int(n) }
            if n == -EINTR { continue }
            // Hand over what this call took (stashed events); the caller's own are its own.
            if got > from { return got }
            throw EngineError(errno: -n, "libaio: io_getevents failed: \(Syscall.errorString(-n))")
        }
        return got
    }

    @inlinable public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> {
        let e = events[i]
        let u = e.data!.assumingMemoryBound(to: IOUnit.self)
        // res is the byte count or a negative errno, in an unsigned long.
        u.pointee.result = Int(bitPattern: UInt(e.res))
        return u
    }

    public mutating func cleanup() {
        if let c = ctx { io_queue_release(c) }
        ctx = nil
        iocbs.deallocate()
        submitList.deallocate()
        events.deallocate()
    }
}

/// libaio as a kernel completion source (the kevent engine's default backend): each iocb
/// signals the eventfd, and harvest() reaps without blocking.
extension LibaioEngine: CompletionSource {
    public static var sourceName: String { "libaio" }
    public init(sourceFor job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        try self.init(job: job, units: units, count: count)
    }
    public mutating func attach(eventFD: Int32) throws { self.eventFD = eventFD }
}
