// The I/O buffers' memory for mem= types other than private memory: shared anonymous memory,
// huge pages (anonymous, or a file on hugetlbfs) and SysV shared memory segments, each made
// and released the way fio's memory.c does.

import CSwio
#if canImport(Glibc)
import Glibc
#endif

struct BufferMapping {
    let base: UnsafeMutableRawPointer
    let length: Int
    let kind: BufferMemory
    let fd: Int32

    /// At least `bytes` of `kind` memory, rounded to `hugePage` for huge pages; throws a
    /// message saying what failed.
    static func make(_ kind: BufferMemory, bytes: Int, hugePage: Int) throws -> BufferMapping {
        func rounded(_ n: Int, _ to: Int) -> Int { (n + to - 1) / to * to }
        func failure(_ what: String, _ e: Int32) -> EngineError {
            let hint = e == ENOMEM || e == EINVAL ? " (are huge pages reserved? see /proc/sys/vm/nr_hugepages)" : ""
            return EngineError(errno: e, "mem=\(name(kind)): \(what) failed: \(Syscall.errorString(e))\(kind.usesHugePages ? hint : "")")
        }
        switch kind {
        case .privateMap, .sharedMap:
            let n = rounded(bytes, 4096)
            let flags = (kind == .sharedMap ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS
            guard let p = mmap(nil, n, PROT_READ | PROT_WRITE, flags, -1, 0), p != MAP_FAILED else { throw failure("mmap of \(n) bytes", errno) }
            return BufferMapping(base: p, length: n, kind: kind, fd: -1)
        case .hugeMap(let file):
            let n = rounded(bytes, hugePage)
            var fd: Int32 = -1
            if let file {
                fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw failure("open of \(file)", errno) }
                guard ftruncate(fd, off_t(n)) == 0 else { let e = errno; close(fd); unlink(file); throw failure("sizing \(file) to \(n) bytes", e) }
            }
            let flags = file != nil ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS | 0x40000 /* MAP_HUGETLB */
            guard let p = mmap(nil, n, PROT_READ | PROT_WRITE, flags, fd, 0), p != MAP_FAILED else {
                let e = errno
                if let file { close(fd); unlink(file) }
                throw failure("mmap of \(n) bytes", e)
            }
            return BufferMapping(base: p, length: n, kind: kind, fd: fd)
        case .sysvShared(let huge):
            let n = huge ? rounded(bytes, hugePage) : rounded(bytes, 4096)
            let id = shmget(IPC_PRIVATE, n, IPC_CREAT | 0o600 | (huge ? 0o4000 /* SHM_HUGETLB */ : 0))
            guard id >= 0 else { throw failure("shmget of \(n) bytes", errno) }
            let p = shmat(id, nil, 0)
            // Removed now: the segment lives until it is detached, even if swio dies first.
            let attachError = errno
            shmctl(id, IPC_RMID, nil)
            guard let p, p != UnsafeMutableRawPointer(bitPattern: -1) else { throw failure("shmat", attachError) }
            return BufferMapping(base: p, length: n, kind: kind, fd: -1)
        }
    }

    func release() {
        switch kind {
        case .sysvShared: shmdt(base)
        case .hugeMap(let file):
            munmap(base, length)
            if let file { close(fd); unlink(file) }
        default: munmap(base, length)
        }
    }

    static func name(_ kind: BufferMemory) -> String {
        switch kind {
        case .privateMap: return "mmap"
        case .sharedMap: return "mmapshared"
        case .hugeMap: return "mmaphuge"
        case .sysvShared(let huge): return huge ? "shmhuge" : "shm"
        }
    }
}

extension BufferMemory {
    var usesHugePages: Bool {
        switch self {
        case .hugeMap, .sysvShared(huge: true): return true
        default: return false
        }
    }
}
