// io_uring through liburing (fio engines/io_uring.c): one ring per job sized to iodepth,
// SQEs prepared in place by queue(), submitted in one io_uring_enter by commit(), and
// completions reaped from the CQ ring in user space, entering the kernel only to wait.
// Options: fixedbufs, registerfiles, sqthread_poll(_cpu), hipri (IOPOLL), nonvectored,
// force_async, nowait. COOP_TASKRUN, SINGLE_ISSUER and DEFER_TASKRUN are used when the kernel
// accepts them (each dropped on EINVAL).

import SwioCore
import CSwio
import CLiburing
#if canImport(Glibc)
import Glibc
#endif

public struct IOUringEngine: IOEngine {
    public static let fixedbufs = EngineOption.flag("fixedbufs", "Register I/O buffers (READ_FIXED/WRITE_FIXED)")
    public static let registerfiles = EngineOption.flag("registerfiles", "Register files (IOSQE_FIXED_FILE)")
    public static let sqthreadPoll = EngineOption.flag("sqthread_poll", "Kernel submission thread (SQPOLL)")
    public static let sqthreadPollCPU = EngineOption.int("sqthread_poll_cpu", default: -1, min: -1, max: 4096, "CPU for the SQPOLL thread (-1: any)")
    public static let hipri = EngineOption.flag("hipri", "Polled I/O (IORING_SETUP_IOPOLL)")
    public static let nonvectored = EngineOption.int("nonvectored", default: -1, "Use READ/WRITE instead of READV/WRITEV: any value but 0 (fio's default, -1, too)")
    public static let forceAsync = EngineOption.int("force_async", default: 0, "IOSQE_ASYNC on every Nth request (0 or less: none)")
    public static let nowaitOption = EngineOption.bool("nowait", "RWF_NOWAIT: fail with EAGAIN instead of blocking")
    public static let descriptor = EngineDescriptor(
        name: "io_uring", summary: "io_uring via liburing (SQ/CQ rings, registered buffers and files, SQPOLL, IOPOLL)",
        flags: [.alignedMemory, .asyncSync, .marksInPlaceTrims],
        options: [fixedbufs.spec, registerfiles.spec, sqthreadPoll.spec, sqthreadPollCPU.spec, hipri.spec, nonvectored.spec,
                  forceAsync.spec, nowaitOption.spec,
                  .unimplemented("uncached", .int(min: 0, max: 1), inert: ["0"], "RWF_UNCACHED"),
                  .accepted("cmdprio_percentage", .string, "Percentage of reads[,writes] that get cmdprio_class/cmdprio as their priority"),
                  .accepted("cmdprio_bssplit", .string, "Priority shares per block size: bs/percent[/class/level]:..."),
                  .accepted("cmdprio_class", .string, "Priority class (1 RT, 2 BE, 3 idle) of the I/Os cmdprio_percentage/cmdprio_bssplit pick (default 1)"),
                  .accepted("cmdprio", .string, "Priority level (0-7) of the I/Os cmdprio_percentage/cmdprio_bssplit pick (default 0)"),
                  .accepted("cmd_type", .string, "io_uring_cmd type (fio's io_uring accepts and ignores it)")]
    ) { JobDriver.run(IOUringEngine.self, $0) }

    @usableFromInline let ring: UnsafeMutablePointer<io_uring>
    @usableFromInline let cqes: UnsafeMutablePointer<UnsafeMutablePointer<io_uring_cqe>?>
    @usableFromInline let done: UnsafeMutablePointer<UnsafeMutablePointer<IOUnit>>
    /// Completions a commit reaped to make room (submit said EAGAIN), kept for getEvents.
    @usableFromInline let stash: UnsafeMutablePointer<UnsafeMutablePointer<IOUnit>>
    @usableFromInline var stashed = 0
    @usableFromInline let iovecs: UnsafeMutablePointer<iovec>
    @usableFromInline var queuedSinceSubmit = 0
    @usableFromInline let fixedBufs: Bool
    @usableFromInline let vectored: Bool
    @usableFromInline let forceAsync: Int
    @usableFromInline var asyncCounter = 0
    @usableFromInline let nowait: Bool
    /// cmdprio_percentage / cmdprio_bssplit: a priority for some of the I/Os.
    @usableFromInline var cmdprio: CommandPriority
    @usableFromInline let usesCmdprio: Bool
    @usableFromInline let registerFiles: Bool
    /// I/Os queued or in flight and not yet handed out by getEvents/harvest.
    @usableFromInline var outstanding = 0
    /// IOPOLL rings take no IORING_OP_FSYNC, so hipri jobs fsync synchronously.
    @usableFromInline let syncFsync: Bool
    @usableFromInline let units: UnsafeMutablePointer<IOUnit>
    @usableFromInline let count: Int
    @usableFromInline let deferTaskrun: Bool
    @usableFromInline let sqPoll: Bool
    public let setupFlags: UInt32

    /// Tries flag sets from the most to the least capable; returns the one the kernel took.
    static func setupRing(_ ring: UnsafeMutablePointer<io_uring>, entries: UInt32, base: UInt32, sqCPU: Int32,
                          allowDefer: Bool) throws -> UInt32 {
        let coop = UInt32(IORING_SETUP_COOP_TASKRUN)
        let single = UInt32(IORING_SETUP_SINGLE_ISSUER)
        let deferred = UInt32(IORING_SETUP_DEFER_TASKRUN)
        var attempts: [UInt32] = []
        if base & UInt32(IORING_SETUP_SQPOLL) == 0 {
            if allowDefer { attempts.append(base | coop | single | deferred) }
            attempts.append(base | coop | single)
            attempts.append(base | coop)
        }
        attempts.append(base)
        var last: Int32 = 0
        for flags in attempts {
            last = cswio_uring_init(ring, entries, flags, sqCPU, 1000)
            if last == 0 { return flags }
            if last != -EINVAL { break }
        }
        var hint: String
        switch -last {
        case ENOSYS: hint = "the kernel has no io_uring"
        case EPERM where base & UInt32(IORING_SETUP_SQPOLL) != 0:
            hint = "sqthread_poll needs CAP_SYS_ADMIN on kernels before 5.11, or io_uring is disabled (sysctl kernel.io_uring_disabled)"
        case EPERM: hint = "io_uring is disabled (sysctl kernel.io_uring_disabled) or blocked by seccomp"
        case ENOMEM: hint = "not enough locked memory for the rings: raise RLIMIT_MEMLOCK (ulimit -l) or lower iodepth"
        // The two settings a job can get wrong that the kernel refuses with a bare EINVAL.
        case EINVAL where entries > 32768:
            hint = "Invalid argument (iodepth \(entries) is above the kernel's 32768 ring entries)"
        case EINVAL where base & UInt32(IORING_SETUP_SQPOLL) != 0 && sqCPU >= 0:
            hint = "Invalid argument (sqthread_poll_cpu=\(sqCPU): the kernel takes only an online CPU, 0-\(sysconf(Int32(_SC_NPROCESSORS_ONLN)) - 1) here)"
        default: hint = Syscall.errorString(-last)
        }
        throw EngineError(errno: -last, "io_uring: ring setup with \(entries) entries failed: \(hint)")
    }

    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        try self.init(job: job, units: units, count: count, allowDefer: true)
    }

    /// `allowDefer: false` keeps completions flowing to an eventfd without entering the kernel
    /// (DEFER_TASKRUN only posts them on io_uring_enter), as the kevent engine needs.
    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int, allowDefer: Bool) throws {
        self.units = units
        self.count = count
        fixedBufs = Self.fixedbufs.value(in: job)
        // fio: READ/WRITE for any value but 0, its default -1 included.
        vectored = Self.nonvectored.value(in: job) == 0
        forceAsync = Int(Self.forceAsync.value(in: job))
        nowait = Self.nowaitOption.value(in: job)
        let prio = try CommandPriority.make(job)
        usesCmdprio = prio != nil
        cmdprio = prio ?? CommandPriority.none
        registerFiles = Self.registerfiles.value(in: job)
        syncFsync = Self.hipri.value(in: job)
        var base: UInt32 = 0
        if syncFsync { base |= UInt32(IORING_SETUP_IOPOLL) }
        sqPoll = Self.sqthreadPoll.value(in: job)
        if sqPoll { base |= UInt32(IORING_SETUP_SQPOLL) }
        let sqCPU = Int32(clamping: Self.sqthreadPollCPU.value(in: job))
        ring = .allocate(capacity: 1)
        ring.initialize(to: io_uring())
        cqes = .allocate(capacity: count)
        done = .allocate(capacity: count)
        stash = .allocate(capacity: count)
        iovecs = .allocate(capacity: count)
        do {
            setupFlags = try Self.setupRing(ring, entries: UInt32(count), base: base, sqCPU: sqCPU, allowDefer: allowDefer)
        } catch {
            ring.deallocate(); cqes.deallocate(); done.deallocate(); stash.deallocate(); iovecs.deallocate()
            throw error
        }
        deferTaskrun = setupFlags & UInt32(IORING_SETUP_DEFER_TASKRUN) != 0
        do {
            if fixedBufs {
                for i in 0..<count { iovecs[i] = iovec(iov_base: units[i].buffer, iov_len: Int(job.maxBlockSize)) }
                let r = io_uring_register_buffers(ring, iovecs, UInt32(count))
                if r < 0 {
                    let hint = -r == ENOMEM ? " (registered buffers count against RLIMIT_MEMLOCK: raise it with `ulimit -l` or drop fixedbufs)" : ""
                    throw EngineError(errno: -r, "io_uring: registering \(count) buffers failed: \(Syscall.errorString(-r))\(hint)")
                }
            }
            // Start the ring's io-wq worker now, during setup, with one async NOP: I/O the kernel
            // cannot finish inline (buffered tmpfs reads) goes to it, and creating it mid-run would
            // land in that I/O's latency and place the new thread as a heavy task beside a job that
            // has waited out JobExecution.settleNs (docs/performance.md). IOPOLL rings (hipri) are
            // left alone: they reap by polling the device.
            if !syncFsync {
                let r = cswio_uring_nop_async(ring)
                if r < 0 { throw EngineError(errno: -r, "io_uring: the ring did not complete a NOP after setup: \(Syscall.errorString(-r))") }
            }
        } catch {
            io_uring_queue_exit(ring)
            ring.deallocate(); cqes.deallocate(); done.deallocate(); stash.deallocate(); iovecs.deallocate()
            throw error
        }
    }

    public mutating func filesOpened(_ fds: [Int32]) throws {
        guard registerFiles, !fds.isEmpty else { return }
        let r = io_uring_register_files(ring, fds, UInt32(fds.count))
        if r < 0 { throw EngineError(errno: -r, "io_uring: registering files failed: \(Syscall.errorString(-r))") }
        // Slot i holds the job's file i, so an I/O's fileIndex is its fixed-file slot.
    }

    /// Signals `fd` on every completion (io_uring_register_eventfd), for the kevent engine.
    public mutating func attachEventFD(_ fd: Int32) throws {
        let r = io_uring_register_eventfd(ring, fd)
        if r < 0 { throw EngineError(errno: -r, "io_uring: register_eventfd failed: \(Syscall.errorString(-r))") }
    }

    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        let kind = u.pointee.kind
        // Trim (no io_uring op fio uses) and, under IOPOLL, fsync run synchronously once
        // nothing waits for a submit, as fio's engine does.
        if kind == .trim || (syncFsync && (kind == .fsync || kind == .fdatasync)) {
            return SyncOps.queueWhenSubmitted(u, unsubmitted: queuedSinceSubmit)
        }
        // An fsync goes into the ring beside the writes in flight, unordered, as fio sends it
        // (no IOSQE_IO_DRAIN: under DEFER_TASKRUN a wait for several completions could then
        // hang, as the drained request is only issued by task work the waiter is not woken for).
        guard let sqe = io_uring_get_sqe(ring) else { return .busy }
        var fd = u.pointee.fd
        var flags: UInt8 = 0
        if registerFiles { fd = u.pointee.fileIndex; flags |= UInt8(cswio_IOSQE_FIXED_FILE) }
        switch kind {
        case .fsync, .fdatasync:
            cswio_uring_prep_fsync(sqe, fd, kind == .fdatasync ? 1 : 0)
        default:
            let idx = Int(u.pointee.index)
            cswio_uring_prep_rw(sqe, u.pointee.kind == .write ? 1 : 0, fd, u.pointee.buffer, UInt32(u.pointee.length),
                                u.pointee.offset, fixedBufs ? Int32(idx) : -1, vectored ? 1 : 0, iovecs + idx)
            if nowait { sqe.pointee.rw_flags = Int32(cswio_RWF_NOWAIT) }
            if usesCmdprio, let p = cmdprio.priority(u) { sqe.pointee.ioprio = p }
        }
        if forceAsync > 0 {
            asyncCounter += 1
            if asyncCounter % forceAsync == 0 { flags |= UInt8(cswio_IOSQE_ASYNC) }
        }
        sqe.pointee.flags |= flags
        sqe.pointee.user_data = UInt64(UInt(bitPattern: u))
        queuedSinceSubmit += 1
        outstanding += 1
        return .queued
    }

    @inlinable public mutating func commit() throws -> Int {
        var accepted = 0
        // Until the kernel has taken every SQE, as fio's commit loops: an SQE that fails its
        // checks ends that enter early (its error goes to the CQ), and the ones after it are
        // still in the ring.
        while queuedSinceSubmit > 0 {
            // With DEFER_TASKRUN, submit with IORING_ENTER_GETEVENTS as fio does: the same enter
            // posts the completions that are ready, so reaping them needs no second one.
            let r = Int(deferTaskrun ? io_uring_submit_and_get_events(ring) : io_uring_submit(ring))
            if sqPoll && r >= 0 {
                // With SQPOLL the kernel thread takes the SQEs on its own; liburing returns how
                // many the ring still holds for it, not how many this call handed over (more,
                // if an earlier commit's are still there; 0 if the thread was quick). Once the
                // tail is published, everything queued is submitted, as fio's commit counts it.
                accepted += queuedSinceSubmit
                queuedSinceSubmit = 0
                break
            }
            if r > 0 { accepted += r; queuedSinceSubmit -= r; continue }
            if r == 0 || r == -EINTR { continue }
            var failure = (Int32(-r), "submit")
            if r == -EAGAIN || r == -EBUSY {
                // The kernel is out of requests (or, on old kernels, of CQ room): move
                // completions out of the CQ, keeping them for getEvents, and retry.
                let e = stashCompletions()
                if e == 0 { continue }
                failure = (e, "wait")
            }
            // The SQEs not taken go back to the caller, so no later enter may submit them.
            if !sqPoll { cswio_uring_unqueue(ring) }
            outstanding -= queuedSinceSubmit
            queuedSinceSubmit = 0
            throw EngineError(errno: failure.0, "io_uring: \(failure.1) failed: \(Syscall.errorString(failure.0))", accepted: accepted)
        }
        return accepted
    }

    /// Moves ready completions into `stash`, waiting for one if the kernel holds I/Os and none
    /// is ready yet. Returns 0, or the errno of a failed wait.
    @usableFromInline mutating func stashCompletions() -> Int32 {
        let before = stashed
        stashed = collect(into: stash, from: stashed, max: count)
        guard stashed == before else { return 0 }
        if outstanding - queuedSinceSubmit - stashed > 0 {
            var cqe: UnsafeMutablePointer<io_uring_cqe>? = nil
            let r = io_uring_wait_cqe(ring, &cqe)
            if r < 0 && r != -EINTR && r != -ETIME { return -r }
            stashed = collect(into: stash, from: stashed, max: count)
        } else {
            usleep(1)   // nothing in flight to wait for: retry, as fio does
        }
        return 0
    }

    /// Hands out up to max - start stashed completions into done[start...]; returns the new end.
    @usableFromInline mutating func takeStash(at start: Int, max: Int) -> Int {
        let n = Swift.min(stashed, max - start)
        (done + start).update(from: stash, count: n)
        stashed -= n
        if stashed > 0 { stash.update(from: stash + n, count: stashed) }
        return start + n
    }

    @inlinable public mutating func getEvents(min: Int, max: Int) throws -> Int {
        var n = stashed > 0 ? takeStash(at: 0, max: max) : 0
        // Look at the CQ first, as fio does: completions the last submit's enter ran (its task
        // work, with DEFER_TASKRUN) are already there, and need no second enter.
        n = collect(into: done, from: n, max: max)
        if min == 0 && n == 0 {
            // Polling (iodepth_batch_complete_min=0): one enter that does not wait runs the
            // ring's completion work, as fio's io_uring_enter(fd, 0, 0, GETEVENTS) does.
            let r = io_uring_get_events(ring)
            if r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY && r != -ETIME {
                throw EngineError(errno: -r, "io_uring: reaping failed: \(Syscall.errorString(-r))")
            }
            n = collect(into: done, from: n, max: max)
        }
        while n < min {
            // Enter the kernel only to wait (and, with DEFER_TASKRUN, to run completions).
            let r = io_uring_submit_and_wait(ring, UInt32(min - n))
            if r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY && r != -ETIME {
                // Hand over what was already taken from the CQ; a lasting error shows next call.
                if n > 0 { break }
                throw EngineError(errno: -r, "io_uring: wait failed: \(Syscall.errorString(-r))")
            }
            n = collect(into: done, from: n, max: max)
        }
        outstanding -= n
        return n
    }

    /// Copies up to max - start ready completions into list[start...] and advances the CQ.
    @inlinable @inline(__always) mutating func collect(into list: UnsafeMutablePointer<UnsafeMutablePointer<IOUnit>>, from start: Int, max: Int) -> Int {
        let n = Int(cswio_uring_peek_batch(ring, cqes, UInt32(max - start)))
        for i in 0..<n {
            let c = cqes[i]!
            let u = UnsafeMutablePointer<IOUnit>(bitPattern: UInt(c.pointee.user_data))!
            u.pointee.result = Int(c.pointee.res)
            list[start + i] = u
        }
        if n > 0 { io_uring_cq_advance(ring, UInt32(n)) }
        return start + n
    }

    /// Non-blocking harvest for the kevent ready-queue: appends to done[from...].
    @inlinable public mutating func harvest(from: Int, max: Int) throws -> Int {
        var total = stashed > 0 ? takeStash(at: from, max: max) : from
        total = collect(into: done, from: total, max: max)
        outstanding -= total - from
        return total
    }

    @inlinable public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { done[i] }

    public func extraStats() -> [(String, JSON)] {
        [("setup_flags", .uint(UInt64(setupFlags))), ("defer_taskrun", .bool(deferTaskrun)),
         ("fixedbufs", .bool(fixedBufs)), ("registerfiles", .bool(registerFiles))]
    }

    public mutating func cleanup() {
        io_uring_queue_exit(ring)
        ring.deallocate()
        cqes.deallocate()
        done.deallocate()
        stash.deallocate()
        iovecs.deallocate()
    }
}

/// io_uring as a kernel completion source (kevent_backend=io_uring): the ring's registered
/// eventfd fires per batch of completions, and harvest() reaps the CQ without entering.
extension IOUringEngine: CompletionSource {
    public static var sourceName: String { "io_uring" }
    public init(sourceFor job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        // DEFER_TASKRUN would hold completions back until we enter the kernel, so the eventfd
        // would never fire: the ready-queue needs them posted as they happen.
        try self.init(job: job, units: units, count: count, allowDefer: false)
    }
    public mutating func attach(eventFD: Int32) throws { try attachEventFD(eventFD) }
}
