// A job's I/O buffers: one aligned mapping (2 MiB pages for large sets) holding iodepth
// buffers, filled as the job asks (buffer_pattern, zero_buffers or random), freed when the
// job ends.

import CSwio
#if canImport(Glibc)
import Glibc
#endif

extension JobExecution {
    /// Frees the I/O buffers once the engine is done with them: a finished job keeps only its
    /// statistics, so hundreds of stonewalled jobs do not hold hundreds of buffer sets.
    public func releaseBuffers() {
        if let pinnedMemory { munmap(pinnedMemory, Int(config.lockMemory)) }
        pinnedMemory = nil
        bufferMapping?.release()
        bufferMapping = nil
    }

    /// The logical block size of the disk under `path` (a device, or the file's filesystem's
    /// disk), from sysfs; 0 where there is none (tmpfs, say).
    static func logicalBlockSize(_ path: String) -> Int {
        guard !path.isEmpty, let dev = DiskUtil.device(for: path),
              let text = try? readWholeFile("/sys/block/\(dev)/queue/logical_block_size") else { return 0 }
        return Int(text.trimmed) ?? 0
    }

    /// lockmem: maps that much memory and pins it (mlock) until the job's buffers are released,
    /// leaving the rest of the machine that much less (fio's fio_pin_memory()).
    public func pinMemory() throws {
        let n = Int(config.lockMemory)
        guard n > 0, pinnedMemory == nil else { return }
        guard let p = mmap(nil, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else {
            throw fail("lockmem", "cannot map \(n) bytes to pin: \(Syscall.errorString(errno))", errno: errno)
        }
        guard mlock(p, n) == 0 else {
            let e = errno
            munmap(p, n)
            throw fail("lockmem", "mlock of \(n) bytes failed: \(Syscall.errorString(e))" + (e == ENOMEM || e == EPERM ? " (see ulimit -l)" : ""), errno: e)
        }
        pinnedMemory = p
    }

    /// Allocates the I/O buffers and units; engines may register them, so this comes first.
    public func allocateBuffers() throws {
        guard bufferMapping == nil else { return }
        let bs = Int(config.maxBlockSize)
        // Page-aligned, or the device's logical block size where that is larger (O_DIRECT
        // needs buffers aligned to it).
        let align = max(4096, config.direct ? files.map { JobExecution.logicalBlockSize($0.path) }.max() ?? 0 : 0)
        let memAlign = Int(config.memAlign)
        let stride = (bs + align - 1) / align * align
        // Anonymous memory on 2 MiB boundaries with MADV_HUGEPAGE: O_DIRECT requests then land in
        // physically contiguous pages, so a 128 KiB read is one segment for the device instead of
        // 32, which lets the disk serve large sequential reads faster (docs/performance.md).
        // Small buffer sets (up to 64 KiB) gain nothing from it and stay on plain pages.
        let mem: UnsafeMutableRawPointer
        if config.memory == .standard {
            let huge = max(align, stride * depth > 64 << 10 ? 2 << 20 : 4096)
            let bytes = (stride * depth + memAlign + huge - 1) / huge * huge
            guard let raw = mmap(nil, bytes + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED else {
                throw fail("bs", "cannot allocate \(bytes) bytes of I/O buffers: \(Syscall.errorString(errno))")
            }
            let base = UnsafeMutableRawPointer(bitPattern: (UInt(bitPattern: raw) + UInt(huge - 1)) & ~UInt(huge - 1))!
            if huge > 4096 { _ = madvise(base, bytes, 14 /* MADV_HUGEPAGE */) }
            mem = base + memAlign
            bufferMapping = BufferMapping(base: raw, length: bytes + huge, kind: .standard, fd: -1, createdFile: nil)
        } else {
            // mem=: page-aligned (or huge-page-aligned) as mapped; align beyond a page is
            // taken from the mapping's slack.
            let slack = align > 4096 ? align : 0
            let m: BufferMapping
            do { m = try BufferMapping.make(config.memory, bytes: stride * depth + memAlign + slack, hugePage: Int(config.hugePageSize)) } catch let e as EngineError {
                throw fail("mem", e.message, errno: e.errno)
            }
            bufferMapping = m
            let base = UnsafeMutableRawPointer(bitPattern: (UInt(bitPattern: m.base) + UInt(align - 1)) & ~UInt(align - 1))!
            mem = base + memAlign
        }
        fillBuffers(mem, count: stride * depth)
        for i in 0..<depth {
            (units + i).initialize(to: IOUnit(buffer: mem + i * stride))
            units[i].index = Int32(i)
            units[i].priority = config.ioprioValue
        }
    }

    func fillBuffers(_ mem: UnsafeMutableRawPointer, count: Int) {
        // A pattern wins over zero_buffers, as in fio (both set: the file holds the pattern).
        if let p = config.bufferPattern {
            let bytes = mem.bindMemory(to: UInt8.self, capacity: count)
            for i in 0..<count { bytes[i] = p[i % p.count] }
            return
        }
        if config.zeroBuffers { mem.initializeMemory(as: UInt8.self, repeating: 0, count: count); return }
        var rng = RandomGenerator(seed: config.randseed ^ 0x5bd1e995)
        let words = mem.bindMemory(to: UInt64.self, capacity: count / 8)
        for i in 0..<(count / 8) { words[i] = rng.next() }
    }
}
