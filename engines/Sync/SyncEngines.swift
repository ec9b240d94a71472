// The synchronous engines: each queue() performs the I/O and returns .completed.
//   sync    read(2)/write(2) after lseek(2)      (fio engines/sync.c "sync")
//   psync   pread(2)/pwrite(2)                   (fio's default engine)
//   vsync   readv(2)/writev(2) after lseek(2)
//   pvsync  preadv(2)/pwritev(2)
//   pvsync2 preadv2(2)/pwritev2(2) with RWF_HIPRI (hipri) and RWF_NOWAIT (nowait)

import SwioCore
import CSwio
#if canImport(Glibc)
import Glibc
#endif

public struct SyncEngine: IOEngine {
    public static let info = EngineInfo(name: "sync", flags: [.sync], summary: "read/write after lseek")
    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {}
    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        if let r = SyncOps.nonDataIO(u) { u.pointee.result = r; return .completed }
        let fd = u.pointee.fd
        // A stream (a FIFO) cannot seek, and need not: it is read and written in order.
        if lseek(fd, off_t(u.pointee.offset), SEEK_SET) < 0 && errno != ESPIPE { u.pointee.result = -Int(errno); return .completed }
        let buf = u.pointee.buffer, len = u.pointee.length
        u.pointee.result = u.pointee.kind == .read
            ? Syscall.retry { read(fd, buf, len) }
            : Syscall.retry { write(fd, buf, len) }
        return .completed
    }
    public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { fatalError("sync engine has no events") }
}

public struct PSyncEngine: IOEngine {
    public static let info = EngineInfo(name: "psync", flags: [.sync], summary: "pread/pwrite (fio's default engine)")
    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {}
    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        let fd = u.pointee.fd, buf = u.pointee.buffer, len = u.pointee.length, off = off_t(u.pointee.offset)
        switch u.pointee.kind {
        case .read: u.pointee.result = Syscall.retry { pread(fd, buf, len, off) }
        case .write: u.pointee.result = Syscall.retry { pwrite(fd, buf, len, off) }
        default: u.pointee.result = SyncOps.nonDataIO(u) ?? -Int(EINVAL)
        }
        return .completed
    }
    public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { fatalError("psync engine has no events") }
}

public struct VSyncEngine: IOEngine {
    public static let info = EngineInfo(name: "vsync", flags: [.sync], summary: "readv/writev after lseek")
    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {}
    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        if let r = SyncOps.nonDataIO(u) { u.pointee.result = r; return .completed }
        let fd = u.pointee.fd
        // A stream (a FIFO) cannot seek, and need not: it is read and written in order.
        if lseek(fd, off_t(u.pointee.offset), SEEK_SET) < 0 && errno != ESPIPE { u.pointee.result = -Int(errno); return .completed }
        var iov = iovec(iov_base: u.pointee.buffer, iov_len: u.pointee.length)
        let isRead = u.pointee.kind == .read
        u.pointee.result = Syscall.retry { isRead ? readv(fd, &iov, 1) : writev(fd, &iov, 1) }
        return .completed
    }
    public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { fatalError("vsync engine has no events") }
}

public struct PVSyncEngine: IOEngine {
    public static let info = EngineInfo(name: "pvsync", flags: [.sync], summary: "preadv/pwritev")
    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {}
    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        if let r = SyncOps.nonDataIO(u) { u.pointee.result = r; return .completed }
        let fd = u.pointee.fd, off = off_t(u.pointee.offset)
        var iov = iovec(iov_base: u.pointee.buffer, iov_len: u.pointee.length)
        let isRead = u.pointee.kind == .read
        u.pointee.result = Syscall.retry { isRead ? preadv(fd, &iov, 1, off) : pwritev(fd, &iov, 1, off) }
        return .completed
    }
    public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { fatalError("pvsync engine has no events") }
}

public struct PVSync2Engine: IOEngine {
    public static let info = EngineInfo(name: "pvsync2", flags: [.sync], summary: "preadv2/pwritev2 with hipri (RWF_HIPRI) and nowait (RWF_NOWAIT)")
    @usableFromInline let rwFlags: Int32
    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        var f: Int32 = 0
        if job.definition.flag("hipri") { f |= cswio_RWF_HIPRI }
        if job.definition.flag("nowait") { f |= cswio_RWF_NOWAIT }
        rwFlags = f
    }
    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        if let r = SyncOps.nonDataIO(u) { u.pointee.result = r; return .completed }
        let fd = u.pointee.fd, off = off_t(u.pointee.offset), flags = rwFlags
        var iov = iovec(iov_base: u.pointee.buffer, iov_len: u.pointee.length)
        let isRead = u.pointee.kind == .read
        u.pointee.result = Syscall.retry { isRead ? cswio_preadv2(fd, &iov, 1, off, flags) : cswio_pwritev2(fd, &iov, 1, off, flags) }
        return .completed
    }
    public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { fatalError("pvsync2 engine has no events") }
}
