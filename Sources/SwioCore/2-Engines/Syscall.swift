// The one place the runner's and the sync engines' syscalls are called: EINTR is handled
// here, errors come back as errno values or EngineError.

import CSwio
#if canImport(Glibc)
import Glibc
#endif

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

    /// fcntl(F_SET_RW_HINT): the expected lifetime of what is written to fd's inode (one of
    /// RWH_WRITE_LIFE_*; Linux 4.13). 0 or -errno. (glibc defines F_SET_RW_HINT only under
    /// _GNU_SOURCE: F_LINUX_SPECIFIC_BASE + 12.)
    public static func setWriteHint(fd: Int32, _ hint: UInt64) -> Int32 {
        var h = hint
        return fcntl(fd, 1024 + 12, &h) == 0 ? 0 : -errno
    }

    /// A device number's major and minor (glibc's dev_t: major in bits 8-19 and 32-43, minor
    /// in bits 0-7 and 20-31; its major()/minor() are macros Swift cannot call).
    public static func deviceNumbers(_ rdev: dev_t) -> (major: UInt32, minor: UInt32) {
        let r = UInt64(rdev)
        return (UInt32(truncatingIfNeeded: (r >> 8) & 0xfff | (r >> 32) & ~0xfff),
                UInt32(truncatingIfNeeded: r & 0xff | (r >> 12) & ~0xff))
    }
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
