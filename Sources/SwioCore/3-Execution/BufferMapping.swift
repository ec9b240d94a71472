// The I/O buffers' memory and how it is released. Plain private memory is mapped by
// allocateBuffers() (aligned for huge pages); the other mem= types are made here: shared
// anonymous memory, huge pages, a named file's pages (mmap:FILE, mmapshared:FILE,
// mmaphuge:FILE) and SysV shared memory segments, as fio's memory.c makes them. A file that
// was there before is neither resized nor removed.

import CSwio
#if canImport(Glibc)
import Glibc
#endif

struct BufferMapping {
    let base: UnsafeMutableRawPointer
    let length: Int
    let kind: BufferMemory
    let fd: Int32
    /// The mapped file, when swio created it (and so removes it).
    let createdFile: String?

    /// At least `bytes` of `kind` memory, rounded to `hugePage` for huge pages; throws what
    /// failed.
    static func make(_ kind: BufferMemory, bytes: Int, hugePage: Int) throws -> BufferMapping {
        func rounded(_ n: Int, _ to: Int) -> Int { (n + to - 1) / to * to }
        func failure(_ what: String, _ e: Int32) -> EngineError {
            let hint = kind.usesHugePages && (e == ENOMEM || e == EINVAL) ? " (are huge pages reserved? see /proc/sys/vm/nr_hugepages)" : ""
            return EngineError(errno: e, "mem=\(name(kind)): \(what) failed: \(Syscall.errorString(e))\(hint)")
        }
        switch kind {
        case .privateMap(let file), .sharedMap(let file), .hugeMap(let file):
            let huge: Bool, shared: Bool
            switch kind { case .hugeMap: huge = true; shared = true case .sharedMap: huge = false; shared = true default: huge = false; shared = false }
            let n = rounded(bytes, huge ? hugePage : 4096)
            var fd: Int32 = -1
            var created: String? = nil
            if let file {
                let existed = access(file, F_OK) == 0
                fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw failure("open of \(file)", errno) }
                var st = stat()
                if existed {
                    guard fstat(fd, &st) == 0, Int(st.st_size) >= n else {
                        close(fd)
                        throw EngineError(errno: EINVAL, "mem=\(name(kind)): \(file) is smaller than the \(n) bytes of buffers, and swio does not resize a file that was there")
                    }
                } else {
                    created = file
                    guard ftruncate(fd, off_t(n)) == 0 else { let e = errno; close(fd); unlink(file); throw failure("sizing \(file) to \(n) bytes", e) }
                }
            }
            var flags = shared ? MAP_SHARED : MAP_PRIVATE
            if file == nil { flags |= MAP_ANONYMOUS | (huge ? 0x40000 /* MAP_HUGETLB */ : 0) }
            guard let p = mmap(nil, n, PROT_READ | PROT_WRITE, flags, fd, 0), p != MAP_FAILED else {
                let e = errno
                if fd >= 0 { close(fd) }
                if let created { unlink(created) }
                throw failure("mmap of \(n) bytes", e)
            }
            return BufferMapping(base: p, length: n, kind: kind, fd: fd, createdFile: created)
        case .sysvShared(let huge):
            let n = huge ? rounded(bytes, hugePage) : rounded(bytes, 4096)
            let id = shmget(IPC_PRIVATE, n, IPC_CREAT | 0o600 | (huge ? 0o4000 /* SHM_HUGETLB */ : 0))
            guard id >= 0 else { throw failure("shmget of \(n) bytes", errno) }
            let p = shmat(id, nil, 0)
            // Removed now: the segment lives until it is detached, even if swio dies first.
            let attachError = errno
            shmctl(id, IPC_RMID, nil)
            guard let p, p != UnsafeMutableRawPointer(bitPattern: -1) else { throw failure("shmat", attachError) }
            return BufferMapping(base: p, length: n, kind: kind, fd: -1, createdFile: nil)
        }
    }

    func release() {
        if case .sysvShared = kind { shmdt(base); return }
        munmap(base, length)
        if fd >= 0 { close(fd) }
        if let createdFile { unlink(createdFile) }
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
