// posixaio (fio engines/posixaio.c): POSIX AIO, which glibc runs on its own helper threads.
// queue() starts each read or write with aio_read/aio_write (and fsync with aio_fsync) at
// once, so there is nothing to commit; getEvents() looks at each I/O in flight with
// aio_error() and waits in aio_suspend() until enough are done. Trims run synchronously once
// nothing else is in flight, as in fio.

import SwioCore
#if canImport(Glibc)
import Glibc
#endif

public struct PosixAIOEngine: IOEngine {
    public static let descriptor = EngineDescriptor(
        name: "posixaio", summary: "POSIX AIO (aio_read/aio_write/aio_fsync, aio_suspend to wait), run by glibc's threads",
        flags: [.alignedMemory],
        notes: ["glibc serves POSIX AIO with helper threads doing pread/pwrite, so its cost per I/O is a thread hand-off"]
    ) { JobDriver.run(PosixAIOEngine.self, $0) }

    /// One control block per unit (by unit index).
    @usableFromInline let cbs: UnsafeMutablePointer<aiocb>
    /// Units in flight, in no order; `flight` of them.
    @usableFromInline let inFlight: UnsafeMutablePointer<UnsafeMutablePointer<IOUnit>>
    @usableFromInline var flight = 0
    /// The completions the last getEvents found.
    @usableFromInline let done: UnsafeMutablePointer<UnsafeMutablePointer<IOUnit>>
    /// aio_suspend's list of control blocks still in progress.
    @usableFromInline let waitList: UnsafeMutablePointer<UnsafePointer<aiocb>?>
    @usableFromInline let depth: Int

    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        depth = count
        cbs = .allocate(capacity: count)
        cbs.initialize(repeating: aiocb(), count: count)
        inFlight = .allocate(capacity: count)
        done = .allocate(capacity: count)
        waitList = .allocate(capacity: count)
    }

    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        let cb = cbs + Int(u.pointee.index)
        cb.pointee = aiocb()
        cb.pointee.aio_fildes = u.pointee.fd
        cb.pointee.aio_buf = UnsafeMutableRawPointer(u.pointee.buffer)
        cb.pointee.aio_nbytes = u.pointee.length
        cb.pointee.aio_offset = off_t(u.pointee.offset)
        cb.pointee.aio_sigevent.sigev_notify = Int32(SIGEV_NONE)
        let r: Int32
        switch u.pointee.kind {
        case .read: r = aio_read(cb)
        case .write: r = aio_write(cb)
        case .fsync: r = aio_fsync(O_SYNC, cb)
        case .fdatasync: r = aio_fsync(O_DSYNC, cb)
        default:
            // A trim waits until nothing is in flight, then runs synchronously (fio's rule).
            if flight > 0 { return .busy }
            u.pointee.result = SyncOps.nonDataIO(u) ?? -Int(EINVAL)
            return .completed
        }
        if r != 0 {
            let e = errno
            // Out of resources: reap some first.
            if e == EAGAIN && flight > 0 { return .busy }
            u.pointee.result = -Int(e)
            return .completed
        }
        inFlight[flight] = u
        flight += 1
        return .queued
    }

    @inlinable public mutating func getEvents(min: Int, max: Int) throws -> Int {
        var got = 0
        while true {
            var waiting = 0
            var i = 0
            while i < flight && got < max {
                let u = inFlight[i]
                let cb = cbs + Int(u.pointee.index)
                let e = aio_error(cb)
                if e == EINPROGRESS {
                    waitList[waiting] = UnsafePointer(cb)
                    waiting += 1
                    i += 1
                    continue
                }
                // aio_error() itself failing (-1) is that errno.
                u.pointee.result = e == 0 ? aio_return(cb) : e < 0 ? -Int(errno) : -Int(e)
                done[got] = u
                got += 1
                // Keep the in-flight list dense: the last one takes this slot (looked at next).
                flight -= 1
                inFlight[i] = inFlight[flight]
            }
            if got >= min || flight == 0 { return got }
            // Wait for one of the rest; a signal or a spurious return just looks again.
            _ = aio_suspend(waitList, Int32(waiting), nil)
        }
    }

    @inlinable public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { done[i] }

    public mutating func cleanup() {
        // Nothing may complete into buffers that are about to be freed.
        for i in 0..<flight {
            let cb = cbs + Int(inFlight[i].pointee.index)
            _ = aio_cancel(cb.pointee.aio_fildes, cb)
            while aio_error(cb) == EINPROGRESS {
                var one: UnsafePointer<aiocb>? = UnsafePointer(cb)
                _ = aio_suspend(&one, 1, nil)
            }
        }
        flight = 0
        cbs.deallocate(); inFlight.deallocate(); done.deallocate(); waitList.deallocate()
    }
}
