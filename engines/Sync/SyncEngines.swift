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
    @usableFromInline let rwFlags: Int32
    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        var f: Int32 = 0
        if Self.hipri.value(in: job) { f |= cswio_RWF_HIPRI }
        if Self.nowait.value(in: job) { f |= cswio_RWF_NOWAIT }
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

// MARK: - Descriptors

extension SyncEngine {
    public static let descriptor = EngineDescriptor(
        name: "sync", summary: "read/write after lseek", flags: [.sync]) { JobDriver.run(SyncEngine.self, $0) }
}

extension PSyncEngine {
    public static let descriptor = EngineDescriptor(
        name: "psync", summary: "pread/pwrite (fio's default engine)", flags: [.sync]) { JobDriver.run(PSyncEngine.self, $0) }
}

extension VSyncEngine {
    public static let descriptor = EngineDescriptor(
        name: "vsync", summary: "readv/writev after lseek", flags: [.sync]) { JobDriver.run(VSyncEngine.self, $0) }
}

extension PVSyncEngine {
    public static let descriptor = EngineDescriptor(
        name: "pvsync", summary: "preadv/pwritev", flags: [.sync]) { JobDriver.run(PVSyncEngine.self, $0) }
}

extension PVSync2Engine {
    public static let hipri = EngineOption.flag("hipri", "Polled I/O (RWF_HIPRI)")
    public static let nowait = EngineOption.bool("nowait", "RWF_NOWAIT: fail with EAGAIN instead of blocking")
    public static let descriptor = EngineDescriptor(
        name: "pvsync2", summary: "preadv2/pwritev2 with hipri (RWF_HIPRI) and nowait (RWF_NOWAIT)", flags: [.sync],
        options: [hipri.spec, nowait.spec,
                  .unimplemented("hipri_percentage", .int(min: 0, max: 100), default: "100", inert: ["100"], "Percentage of hipri I/Os that get RWF_HIPRI"),
                  .unimplemented("uncached", .int(min: 0, max: 1), inert: ["0"], "RWF_UNCACHED")]
    ) { JobDriver.run(PVSync2Engine.self, $0) }
}
