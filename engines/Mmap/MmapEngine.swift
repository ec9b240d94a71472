// The mmap engine (fio engines/mmap.c): each file is mapped whole, shared, when it is opened;
// a read copies from the mapping into the I/O buffer, a write copies into the mapping, and
// fsync/fdatasync are msync(MS_SYNC) of it. The page cache is the device here, so page faults
// and write-back are what the job measures. Synchronous: every I/O completes in queue().
// This folder is also the worked example of engines/README.md.

import SwioCore
#if canImport(Glibc)
import Glibc
#endif

public struct MmapEngine: IOEngine {
    /// Its own option: how the kernel is told to expect access (fio's mmap engine follows
    /// fadvise_hint the same way).
    public static let advice = EngineOption.choice("mmap_advice", ["normal", "sequential", "random", "willneed"], default: "normal",
                                                   "madvise() hint for each mapping")
    public static let descriptor = EngineDescriptor(
        name: "mmap", summary: "copies to and from a shared mapping of each file (memcpy; msync for fsync)",
        flags: [.sync], options: [advice.spec],
        notes: ["direct=1 is refused: a mapping always goes through the page cache"]
    ) { JobDriver.run(MmapEngine.self, $0) }

    /// One mapping per open file, by fd.
    @usableFromInline var maps: [Mapping] = []
    @usableFromInline struct Mapping {
        @usableFromInline var fd: Int32
        @usableFromInline var base: UnsafeMutableRawPointer
        @usableFromInline var length: Int
    }
    let madvice: Int32
    let writable: Bool

    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        if job.direct { throw EngineError(errno: EINVAL, "ioengine=mmap: direct=1 is not possible (a mapping always goes through the page cache)") }
        switch Self.advice.value(in: job) {
        case "sequential": madvice = MADV_SEQUENTIAL
        case "random": madvice = MADV_RANDOM
        case "willneed": madvice = MADV_WILLNEED
        default: madvice = MADV_NORMAL
        }
        writable = job.rw.directions.contains(.write) || job.rw.directions.contains(.trim)
    }

    public mutating func openFile(path: String, flags: Int32, mode: UInt32) throws -> Int32 {
        let fd = try Syscall.open(path, flags: flags, mode: mode)
        // lseek finds the end of a file and of a block device alike.
        let length = lseek(fd, 0, SEEK_END)
        guard length > 0 else {
            Syscall.close(fd)
            throw EngineError(errno: EINVAL, "ioengine=mmap: \(path) is empty; there is nothing to map")
        }
        let prot = PROT_READ | (writable ? PROT_WRITE : 0)
        guard let base = mmap(nil, Int(length), prot, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            let e = errno
            Syscall.close(fd)
            throw EngineError(errno: e, "ioengine=mmap: cannot map \(path): \(Syscall.errorString(e))")
        }
        _ = madvise(base, Int(length), madvice)   // a hint; the copies work without it
        maps.append(Mapping(fd: fd, base: base, length: Int(length)))
        return fd
    }

    public mutating func closeFile(fd: Int32) -> Int32 {
        guard let i = maps.firstIndex(where: { $0.fd == fd }) else { return Syscall.close(fd) }
        let m = maps.remove(at: i)
        munmap(m.base, m.length)
        return Syscall.close(fd)
    }

    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        let fd = u.pointee.fd
        guard let m = maps.first(where: { $0.fd == fd }) else { u.pointee.result = -Int(EBADF); return .completed }
        let off = Int(u.pointee.offset), len = u.pointee.length
        switch u.pointee.kind {
        case .read, .write:
            // Past the mapping is past the file: a read there reads nothing, as read(2) would;
            // a write there cannot extend a mapping (fio: FIO_NOEXTEND).
            guard off < m.length else { u.pointee.result = u.pointee.kind == .read ? 0 : -Int(EINVAL); return .completed }
            let n = Swift.min(len, m.length - off)
            if u.pointee.kind == .read { u.pointee.buffer.copyMemory(from: m.base + off, byteCount: n) }
            else { (m.base + off).copyMemory(from: u.pointee.buffer, byteCount: n) }
            u.pointee.result = n
        case .fsync, .fdatasync:
            u.pointee.result = msync(m.base, m.length, MS_SYNC) == 0 ? 0 : -Int(errno)
        case .trim:
            u.pointee.result = SyncOps.trim(fd: fd, offset: u.pointee.offset, length: len)
        }
        return .completed
    }

    public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { fatalError("mmap engine has no events") }

    public mutating func cleanup() {
        for m in maps { munmap(m.base, m.length) }
        maps = []
    }
}
