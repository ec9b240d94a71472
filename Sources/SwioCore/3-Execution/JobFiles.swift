// A job's files: names (filename, filename_format, directory), sizes and regions, layout
// (fio's "Laying out IO file"), the safety checks before writing a block device, opening
// through the engine, pre_read/invalidate/fadvise, and syncing and closing at the end.

import CSwio
#if canImport(Glibc)
import Glibc
#endif

extension JobExecution {
    /// The job's file paths: filename=, or filename_format, under directory= if given.
    static func filePaths(_ c: JobConfig) -> [String] {
        var paths: [String]
        let dirs = c.definition["directory"].map(JobConfig.splitPaths) ?? []
        if c.filenamesGiven {
            paths = c.filenames
        } else {
            let fmt = c.definition["filename_format"] ?? "$jobname.$jobnum.$filenum"
            paths = (0..<c.nrfiles).map { i in
                fmt.replacingAll("$jobname", with: c.name)
                   .replacingAll("$jobnum", with: String(c.definition.cloneIndex))
                   .replacingAll("$filenum", with: String(i))
                   .replacingAll("$clientuid", with: "0")
            }
        }
        if !dirs.isEmpty {
            // fio: several directories go to numjobs clones in turn, when the names are
            // generated; a job that names its files uses the first directory for all of them.
            let dir = c.filenamesGiven ? dirs[0] : dirs[c.definition.cloneIndex % dirs.count]
            paths = paths.map { p in p.hasPrefix("/") ? p : dir + "/" + p }
        }
        return paths
    }

    /// Resolves names, sizes and regions, creating and laying out files as fio does.
    public func prepareFiles() throws {
        let c = config
        try openIolog()
        if isDiskless || isNetwork {
            // fio sizes a file-less job by size=, or else by filesize= (its file's size).
            let given: UInt64? = {
                if let size = c.size, case .bytes(let b) = size { return b }
                return c.filesize?.low
            }()
            guard let b = given, b > 0 else {
                throw fail("size", "ioengine=\(c.engineName) needs size= or filesize= (there is no file to take it from)")
            }
            // fio: "size too small, must not be less than minimum block size: 4096 < 8192".
            if b < c.minBlockSize { throw fail("size", "size too small, must not be less than the minimum block size: \(b) < \(c.minBlockSize)") }
            // A connection's engine gets filename= as it is (fio's host,port[/proto] form).
            var f = PreparedFile(path: isNetwork ? (c.filenamesGiven ? c.filenames.joined(separator: ":") : "") : "",
                                 isBlockDevice: false, regionStart: 0, regionLength: b)
            f.isCharDevice = isNetwork
            files = [f]
            logFile(0, "add")
            budgetBytes = (c.ioSize?.resolve(against: b) ?? b) &* UInt64(c.loops)
            return
        }
        // Every directory= listed must be one, as fio checks when it parses ("d2 is not a
        // directory"), even when this job's files all go to another.
        for d in c.definition["directory"].map(JobConfig.splitPaths) ?? [] {
            var st = stat()
            if stat(d, &st) != 0 || (st.st_mode & S_IFMT) != S_IFDIR {
                throw fail("directory", "\(d) is not a directory")
            }
        }
        let paths = JobExecution.filePaths(c)
        let n = UInt64(paths.count)
        var out: [PreparedFile] = []
        var total: UInt64 = 0
        // fio's get_rand_file_size(): low + U[0, high - low), rounded down to the smallest block
        // size, from the job's seeds (the same sizes again with randrepeat, as the offsets).
        var sizeRng = RandomGenerator(seed: c.seed ^ 0x6a09_e667_f3bc_c908)
        for p in paths {
            var st = stat()
            let exists = stat(p, &st) == 0
            if !exists && !c.allowFileCreate {
                throw fail("allow_file_create", "\(p) does not exist, and allow_file_create=0 forbids creating it (fio: \"file creation disallowed\")")
            }
            if !exists { try makeParentDirectories(of: p) }
            let isBlock = exists && (st.st_mode & S_IFMT) == S_IFBLK
            let isChar = exists && ((st.st_mode & S_IFMT) == S_IFCHR || (st.st_mode & S_IFMT) == S_IFIFO)
            var existing: UInt64 = exists ? UInt64(st.st_size) : 0
            if isBlock, writes, !c.allowMountedWrite, let user = BlockDeviceUse.user(of: p) {
                throw fail("filename", "\(p) is \(user): writing to it would destroy what is there (set allow_mounted_write=1 to write anyway)")
            }
            // allow_mounted_write=1 already accepts destroying what is there.
            if isBlock, writes, !c.allowOverwrite && !c.allowMountedWrite && !JobExecution.allowOverwrite, let found = try BlockDeviceSignature.probe(p) {
                throw fail("filename", "\(p) holds \(found): writing to it would destroy it (set allow_overwrite=1 or pass --allow-overwrite to write anyway)", errno: EPERM)
            }
            if isBlock { existing = try blockDeviceSize(p) }
            // fio takes percentages of the file's size, which is 0 for a file that does not
            // exist yet, except for clones after the first that share it: fio has laid it out
            // to the job's size by then. Clones here set up side by side, so they go by the
            // size the file had when their group started, not by what a sibling wrote so far.
            var basis = existing
            if c.filenamesGiven && !isBlock, let atStart = sizesAtGroupStart[p] {
                basis = atStart > 0 || c.definition.cloneIndex == 0 ? atStart
                    : c.size.flatMap { if case .bytes(let b) = $0 { return b / n } else { return nil } } ?? 0
            }
            // filesize= is the file's size: the region runs from offset= to the file's end
            // (fio 3.33: filesize=2m offset=1m reads 1 MiB of a 2 MiB file; an offset at or
            // past the end is an error, "you need to specify valid offset=").
            var fileSize: UInt64? = nil
            if let fs = c.filesize, !isBlock && !isChar {
                var v = fs.low
                if fs.low != fs.high {
                    v = fs.low + sizeRng.below(fs.high - fs.low)
                    v -= v % max(1, c.minBlockSize)
                }
                fileSize = v
            }
            // file_append: a regular file's I/O starts at its end (fio: offset = its size).
            let offset = c.fileAppend && !isBlock && !isChar ? existing : JobExecution.startOffset(c, fileSize: basis)
            var length: UInt64
            if c.fillDevice && !isChar {
                // fill_device: the device's size, or for a file what the filesystem has free
                // besides it; the writes stop at ENOSPC.
                var end = existing
                if !isBlock {
                    var vfs = statvfs()
                    let dir = p.contains("/") ? String(p[..<p.lastIndex(of: "/")!]) : "."
                    guard statvfs(dir.isEmpty ? "/" : dir, &vfs) == 0 else { throw fail("fill_device", "cannot see how much \(dir) has free: \(Syscall.errorString(errno))", errno: errno) }
                    end = existing + UInt64(vfs.f_bavail) * UInt64(vfs.f_frsize)
                }
                guard end > offset else { throw fail("fill_device", "\(p) has no room after offset \(offset)") }
                length = (end - offset) / max(1, c.minBlockSize) * max(1, c.minBlockSize)
            } else if let fs = fileSize {
                guard offset < fs else { throw fail("offset", "offset=\(offset) is at or past the end of \(p) (filesize=\(fs) bytes)") }
                length = fs - offset
            } else if let fs = c.filesize {
                length = fs.low
            } else if let size = c.size {
                switch size {
                case .bytes(let b): length = b / n
                case .percent: length = size.resolve(against: existing) / (c.filenamesGiven ? 1 : n)
                }
            } else if existing > offset {
                length = existing - offset
            } else if existing > 0 {
                // fio: "you need to specify valid offset=".
                throw fail("offset", "offset=\(offset) is at or past the end of \(p) (\(existing) bytes), and no size= says how much to do")
            } else {
                throw fail("size", "no size given and \(p) \(exists ? "is empty" : "does not exist"); set size= or filesize=")
            }
            if isBlock, offset + length > existing {
                if existing <= offset { throw fail("offset", "offset \(offset) is past the end of \(p) (\(existing) bytes)") }
                length = existing - offset
            }
            // A percentage size is of what is there: fio ends such a region at the file's end,
            // in whole blocks, instead of growing the file.
            if case .percent = c.size, c.filesize == nil, !isBlock, exists, offset + length > existing {
                let bs = c.minBlockSize
                length = existing > offset ? (existing - offset) / bs * bs : 0
            }
            guard length > 0 else { throw fail("size", "the I/O region of \(p) is empty") }
            if length < c.maxBlockSize && !isBlock {
                throw fail("size", "size per file (\(length) bytes) is smaller than the block size (\(c.maxBlockSize))")
            }
            total += length
            var f = PreparedFile(path: p, isBlockDevice: isBlock, regionStart: offset, regionLength: length)
            f.isCharDevice = isChar
            if !isBlock && !isChar && !c.createOnOpen { try layOut(&f, existing: exists ? existing : nil) }
            out.append(f)
        }
        files = out
        for i in files.indices { logFile(i, "add") }
        if let s = c.ioscheduler { try setScheduler(s) }
        // With filesize= setting the files' sizes, size= only limits the I/O (fio's
        // setup_files() lowers size to the files' total, never raises it): filesize=64m
        // size=8m reads 8 MiB, filesize=16m size=64m reads 16 MiB.
        var sizeIO = total
        if c.filesize != nil, let s = c.size { sizeIO = min(total, s.resolve(against: total)) }
        let io = c.ioSize?.resolve(against: total) ?? sizeIO
        budgetBytes = io &* UInt64(c.loops)
    }

    func blockDeviceSize(_ p: String) throws -> UInt64 {
        let fd = try Syscall.open(p, flags: O_RDONLY, mode: 0)
        defer { Syscall.close(fd) }
        var size: UInt64 = 0
        guard cswio_blk_size64(fd, &size) == 0 else { throw fail("filename", "cannot read the size of \(p): \(Syscall.errorString(errno))") }
        return size
    }

    /// A filename= in directories that are not there yet gets them, mode 0700, as fio 3.33
    /// makes them; a directory= that does not exist stays an error, as in fio.
    func makeParentDirectories(of path: String) throws {
        // Under a directory= the directory itself must exist; what the filename adds below it
        // is created.
        if JobExecution.readOnly { return }
        var base = ""
        for d in config.definition["directory"].map(JobConfig.splitPaths) ?? [] where !d.isEmpty {
            if path.hasPrefix(d.hasSuffix("/") ? d : d + "/") { base = d; break }
        }
        var st = stat()
        if !base.isEmpty && stat(base, &st) != 0 { return }   // the open fails and says so
        var prefix = !base.isEmpty ? base : path.hasPrefix("/") ? "" : "."
        for part in path.dropFirst(base.count).split(separator: "/").dropLast() {
            prefix += "/" + part
            if stat(prefix, &st) == 0 { continue }
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw fail("filename", "cannot create directory \(prefix) for \(path): \(Syscall.errorString(errno))")
            }
        }
    }

    var openFlags: Int32 {
        var fl: Int32 = writes ? O_RDWR : O_RDONLY
        if config.direct || engineInfo.flags.contains(.directOnly) { fl |= cswio_O_DIRECT }
        switch config.writeSync {
        case .sync: fl |= O_SYNC
        case .dsync: fl |= O_DSYNC
        case nil: break
        }
        if !isBlockTarget { fl |= O_CREAT }
        return fl
    }

    var isBlockTarget: Bool { files.allSatisfy(\.isBlockDevice) && !files.isEmpty }

    /// Opens every file through the engine (so engines may substitute their own open).
    public func openFiles(_ open: (String, Int32, UInt32) throws -> Int32) throws {
        guard !isDiskless else { logFile(0, "open"); return }
        if isNetwork {
            do { files[0].fd = try open(files[0].path, openFlags, 0) } catch let e as EngineError {
                throw fail(config.filenamesGiven ? "filename" : config.definition.has("hostname") ? "hostname" : "port", e.message, errno: e.errno)
            }
            logFile(0, "open")
            return
        }
        for i in files.indices {
            // create_on_open: the open creates a missing file and nothing is laid out or
            // preallocated (fio: "don't pre-create files"); reads past its end read nothing.
            // (swio had laid such files out from offset 0 at open, over data already there.)
            var flags = openFlags
            if files[i].isBlockDevice { flags &= ~O_CREAT }
            // A job that only writes a stream opens it write-only: a FIFO opened read-write
            // would be its own reader, and its writes would block, not fail, once the real
            // reader has gone.
            if files[i].isCharDevice && !reads && !config.rw.directions.contains(.trim) { flags = (flags & ~O_RDWR) | O_WRONLY }
            do { files[i].fd = try open(files[i].path, flags, 0o644) } catch let e as EngineError {
                throw fail("filename", e.message, errno: e.errno)
            }
            logFile(i, "open")
            // A stream (/dev/zero, a FIFO) has no pages to drop, read ahead or advise on.
            if files[i].isCharDevice { continue }
            if let hint = config.writeHint, case let r = Syscall.setWriteHint(fd: files[i].fd, hint), r < 0 {
                throw fail("write_hint", "fcntl(F_SET_RW_HINT) on \(files[i].path) failed: \(Syscall.errorString(-r))", errno: -r)
            }
            // pre_read fills the page cache, so dropping it first is all it leaves (fio too).
            if config.preRead { try preRead(files[i]) } else if config.invalidate { invalidate(files[i]) }
            if let a = config.fadvise { advise(files[i], a) }
        }
    }

    /// fio pre_read: reads the job's region of the file once, buffered, before timing starts, so
    /// that the job's own reads find it in the page cache.
    func preRead(_ f: PreparedFile) throws {
        let fd = try Syscall.open(f.path, flags: O_RDONLY, mode: 0)
        defer { Syscall.close(fd) }
        let chunk = 1 << 20
        guard let buf = cswio_aligned_alloc(4096, chunk) else { throw fail("pre_read", "out of memory") }
        defer { free(buf) }
        var off = f.regionStart
        let end = f.regionStart + f.regionLength
        while off < end {
            if shouldStop { throw JobStopped() }
            let n = Syscall.retry { pread(fd, buf, Int(min(UInt64(chunk), end - off)), off_t(off)) }
            if n < 0 { throw fail("pre_read", "reading \(f.path) at \(off): \(Syscall.errorString(Int32(-n)))") }
            if n == 0 { break }
            off += UInt64(n)
        }
    }

    /// fio ioscheduler: switches each disk under the job's files to `name`, and checks the
    /// kernel took it.
    func setScheduler(_ name: String) throws {
        let disks = Set(files.compactMap { DiskUtil.device(for: $0.path) })
        for disk in disks.sorted() {
            let path = "/sys/block/\(disk)/queue/scheduler"
            let fd = Glibc.open(path, O_WRONLY)
            guard fd >= 0 else { throw fail("ioscheduler", "cannot open \(path): \(Syscall.errorString(errno))") }
            let w = name.withCString { Glibc.write(fd, $0, strlen($0)) }
            let werr = errno
            Syscall.close(fd)
            let now = (try? readWholeFile(path))?.trimmed ?? ""
            // A queue with no scheduler to choose (dm, some virtio) offers just "none": fio warns
            // that it is not tunable and goes on.
            if now == "none" {
                warnings.append("job '\(config.name)': ioscheduler: \(disk)'s scheduler is not tunable (\(now)); left as it is")
                continue
            }
            if w < 0 || !now.contains("[\(name)]") {
                throw fail("ioscheduler", "\(disk) did not switch to '\(name)'" + (w < 0 ? ": \(Syscall.errorString(werr))" : "") + " (it offers: \(now))")
            }
        }
    }

    /// Tells the kernel the job's access pattern (fio fadvise_hint, on by default): RANDOM turns
    /// readahead off for the file, SEQUENTIAL doubles its window, so buffered reads move the
    /// same bytes on the device as under fio.
    func advise(_ f: PreparedFile, _ a: FileAdvice) {
        let advice: Int32
        switch a {
        case .random: advice = POSIX_FADV_RANDOM
        case .sequential: advice = POSIX_FADV_SEQUENTIAL
        case .noreuse: advice = POSIX_FADV_NOREUSE
        }
        let r = posix_fadvise(f.fd, off_t(f.regionStart), off_t(f.regionLength), advice)
        let w = "job '\(config.name)': fadvise_hint: posix_fadvise on \(f.path) failed: \(Syscall.errorString(r)); running without the hint"
        if r != 0 && !warnings.contains(w) { warnings.append(w) }
    }

    /// Where clone N of job `c` starts in a file of `fileSize` bytes (the size it is laid out to,
    /// if it does not exist yet): offset + N * offset_increment. As in fio, percentages are of
    /// that size, and an offset with a percentage in it is rounded up to offset_align (or the
    /// smallest block size), so that O_DIRECT offsets stay aligned.
    static func startOffset(_ c: JobConfig, fileSize: UInt64) -> UInt64 {
        let clone = UInt64(c.definition.cloneIndex)
        let inc = c.offsetIncrement ?? .bytes(0)
        var offset = c.offset.resolve(against: fileSize) &+ clone &* inc.resolve(against: fileSize)
        if case .bytes = c.offset, case .bytes = inc { return offset }
        // fio adds the percentages first and rounds once: clone 2 of offset_increment=10% is
        // at 20% rounded up, not at twice 10% rounded up.
        if case .percent(let p) = c.offset, case .percent(let q) = inc {
            offset = UInt64(Double(fileSize) * (p + Double(clone) * q) / 100)
        }
        let a = c.percentOffsetAlign
        return (offset + a - 1) / a * a
    }

    public var fds: [Int32] { files.map(\.fd) }

    /// Drops cached pages so reads go to the device (fio invalidate=1): BLKFLSBUF on block
    /// devices, posix_fadvise(DONTNEED) on files.
    /// A cache that could not be dropped (BLKFLSBUF needs CAP_SYS_ADMIN) is a warning, as in
    /// fio: the reads may then come from memory.
    func invalidate(_ f: PreparedFile) {
        let e: Int32
        if f.isBlockDevice { e = cswio_blk_flsbuf(f.fd) == 0 ? 0 : errno } else {
            e = posix_fadvise(f.fd, off_t(f.regionStart), off_t(f.regionLength), POSIX_FADV_DONTNEED)
        }
        let w = "job '\(config.name)': invalidate: cannot drop \(f.path)'s cached pages: \(Syscall.errorString(e)); reads may come from the page cache"
        if e != 0 && !warnings.contains(w) { warnings.append(w) }
    }

    /// Syncs (end_fsync, fsync_on_close) and closes the job's files. A sync or close that
    /// fails is the job's error, as in fio ("end_fsync failed for file"): it is where the
    /// kernel reports writes it could not put on the device.
    public func closeFiles(_ close: (Int32) -> Int32) {
        let syncAtEnd = writes && (config.endFsync || config.definition.flag("fsync_on_close"))
        for i in files.indices where files[i].fd >= 0 {
            if syncAtEnd {
                // fio logs its end-of-job sync as an I/O, but runs it in its TD_FSYNCING state,
                // which keeps it out of the sync counts and latencies (fio 3.33: end_fsync=1
                // gives "sync": total_ios 0, N 0), so swio leaves it out too.
                logFile(i, "sync 0 0")
                let r = SyncOps.sync(fd: files[i].fd, dataOnly: false)
                if r < 0 {
                    let option = config.endFsync ? "end_fsync" : "fsync_on_close"
                    recordError(errno: Int32(-r), "\(option): fsync of \(files[i].path) failed: \(Syscall.errorString(Int32(-r)))")
                }
            }
            logFile(i, "close")
            let e = close(files[i].fd)
            if e != 0 { recordError(errno: e, "closing \(files[i].path) failed: \(Syscall.errorString(e))") }
            files[i].fd = -1
        }
        if isDiskless { logFile(0, "close") }
        if config.unlink && !isDiskless && !isNetwork {
            for f in files where !f.isBlockDevice && !f.isCharDevice && Glibc.unlink(f.path) != 0 && errno != ENOENT {
                warnings.append("job '\(config.name)': unlink=1: cannot remove \(f.path): \(Syscall.errorString(errno))")
            }
        }
    }

    /// An opened file's size as fio's real_file_size (a device's size, a file's length), never
    /// less than the region's end (a create_on_open file may still be shorter).
    func fileSize(_ f: PreparedFile) -> UInt64 {
        let end = f.regionStart + f.regionLength
        guard f.fd >= 0, !f.isCharDevice else { return end }
        var size: UInt64 = 0
        if f.isBlockDevice {
            guard cswio_blk_size64(f.fd, &size) == 0 else { return end }
        } else {
            var st = stat()
            guard fstat(f.fd, &st) == 0 else { return end }
            size = UInt64(max(0, st.st_size))
        }
        return max(size, end)
    }


    /// fio's --readonly, set once by the command line before any job starts: no file is
    /// created or extended.
    public nonisolated(unsafe) static var readOnly = false
    /// --allow-overwrite, set once by the command line: every job may write over signatures.
    public nonisolated(unsafe) static var allowOverwrite = false

    /// Creates the file and fills it when a read needs data there (fio "Laying out IO file").
    func layOut(_ f: inout PreparedFile, existing: UInt64?) throws {
        let needed = f.regionStart + f.regionLength
        if let e = existing, e >= needed { return }
        if JobExecution.readOnly {
            // fio's extend_file(): "refusing extend of file due to read-only". A missing file is
            // then ENOENT; a short one is read as it is, up to its end (EIO there for a
            // synchronous engine), as fio 3.33 does.
            guard existing != nil else {
                throw fail("filename", "--readonly: refusing to create \(f.path) (\(needed) bytes)", errno: ENOENT)
            }
            let w = "job '\(config.name)': --readonly: refusing to extend \(f.path) to \(needed) bytes; reading it as it is"
            if !warnings.contains(w) { warnings.append(w) }
            return
        }
        let fd = try Syscall.open(f.path, flags: O_RDWR | O_CREAT, mode: 0o644)
        f.created = existing == nil
        do { try layOut(f, fd: fd, from: existing ?? 0, to: needed) } catch {
            Syscall.close(fd)
            throw error
        }
        let e = Syscall.close(fd)
        if e != 0 { throw fail("filename", "laying out \(f.path): close failed: \(Syscall.errorString(e))", errno: e) }
    }

    /// Fills or preallocates `f` (open as `fd`) from byte `from` up to `needed`.
    private func layOut(_ f: PreparedFile, fd: Int32, from: UInt64, to needed: UInt64) throws {
        // fill_device writes until the filesystem is full: nothing is preallocated.
        if config.fillDevice && !reads { return }
        if reads || config.definition.flag("overwrite") {
            // Write real data so reads return bytes, not holes.
            let chunk = 1 << 20
            let buf = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 4096)
            defer { buf.deallocate() }
            // The job's buffer contents (buffer_pattern, zero_buffers or random), as fio lays out.
            fillBuffers(buf, count: chunk)
            var off = from
            while off < needed {
                if shouldStop { throw JobStopped() }
                let n = Int(min(UInt64(chunk), needed - off))
                let w = Syscall.retry { pwrite(fd, buf, n, off_t(off)) }
                guard w > 0 else { throw fail("filename", "laying out \(f.path) failed at offset \(off): \(Syscall.errorString(Int32(-w)))", errno: Int32(-w)) }
                off += UInt64(w)
            }
            // Written back now, so invalidate=1 can drop the pages and reads reach the device;
            // a write-back the device refused shows here, and the job must not read it as data.
            // create_fsync=0 leaves it to the page cache, as fio does.
            guard config.createFsync else { return }
            let r = SyncOps.sync(fd: fd, dataOnly: false)
            if r < 0 { throw fail("filename", "laying out \(f.path): fsync failed: \(Syscall.errorString(Int32(-r)))", errno: Int32(-r)) }
            return
        }
        // A file only written: fio preallocates it as fallocate= says and writes no data
        // (fio 3.33, 1 MiB, one 4k write: none leaves a 4 KiB file, keep 4 KiB with 1 MiB
        // allocated, truncate a sparse 1 MiB, posix/native an allocated 1 MiB).
        func sizeIt() throws {
            guard ftruncate(fd, off_t(needed)) == 0 else { throw fail("filename", "cannot size \(f.path): \(Syscall.errorString(errno))", errno: errno) }
        }
        switch config.fallocate {
        case "none", "0": break
        case "truncate": try sizeIt()
        case "keep":
            // Preallocation is advice where the filesystem has none (EOPNOTSUPP); no space
            // for it (ENOSPC) is the job's error, as fio's td_verror(td, errno, "fallocate").
            if cswio_fallocate(fd, cswio_FALLOC_FL_KEEP_SIZE, off_t(from), off_t(needed - from)) != 0 {
                let e = errno
                guard e == EOPNOTSUPP else { throw fail("fallocate", "fallocate(keep) of \(f.path) failed: \(Syscall.errorString(e))", errno: e) }
                let w = "job '\(config.name)': fallocate=keep: \(f.path)'s filesystem cannot preallocate; left sparse"
                if !warnings.contains(w) { warnings.append(w) }
            }
        default:
            if cswio_fallocate(fd, 0, off_t(from), off_t(needed - from)) != 0 {
                let e = errno
                guard e == EOPNOTSUPP || e == ENOSYS else { throw fail("fallocate", "fallocate of \(f.path) failed: \(Syscall.errorString(e))", errno: e) }
                try sizeIt()
            }
        }
    }
}
