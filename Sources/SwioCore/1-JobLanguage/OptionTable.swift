// The typed option table of the generic job options: the single source of truth for parsing,
// `swio parse` and the JSON report's "job options". Names and aliases as fio spells them.
// An engine's own options are in its EngineDescriptor.

public enum OptionKind: Sendable, Equatable {
    /// Free text.
    case string
    /// One of a fixed set of words (case-insensitive).
    case choice([String])
    /// Integer with optional bounds.
    case int(min: Int64?, max: Int64?)
    /// Non-negative integers per direction, "r,w,t" (rate_iops).
    case intPerDirection
    /// Size in bytes with suffixes; `perDirection` allows "r,w,t"; `percentOK` allows "50%".
    case size(perDirection: Bool, percentOK: Bool)
    /// Per-direction size ranges "4k-16k,8k-32k".
    case sizeRange
    /// bssplit "4k/10:64k/50,..."
    case bssplit
    /// Time; bare numbers are in the given unit (microseconds per unit).
    case time(defaultUnitMicros: UInt64)
    /// Times per direction, "r,w,t"; bare numbers in the given unit.
    case timePerDirection(defaultUnitMicros: UInt64)
    /// A time or a range of times, LOW-HIGH (startdelay=10ms-50ms: a random delay in it).
    case timeRange(defaultUnitMicros: UInt64)
    /// fio FIO_OPT_BOOL: needs an explicit value (bare `direct` is an error in fio 3.33).
    case bool
    /// fio FIO_OPT_STR_SET: a bare key means 1 (`time_based`, `stonewall`, ...).
    case flag
    /// ':'-separated floats (percentile_list).
    case floatList
    /// ':'-separated names with '\:' escapes (filename, directory).
    case pathList
}

public struct OptionSpec: Sendable {
    public var name: String
    public var aliases: [String]
    public var kind: OptionKind
    public var defaultValue: String?
    public var help: String
    /// false: fio knows it and swio parses it, but the runner does not implement it yet.
    public var supported: Bool
    /// Values of an unsupported option that ask for nothing swio does not do (verify=0, say):
    /// a job file may spell out such a value and still run.
    public var inertValues: [String]
    /// A value option that may also stand bare (write_bw_log: then the log is named after the job).
    public var bareOK: Bool

    public init(_ name: String, _ kind: OptionKind, default def: String? = nil, aliases: [String] = [],
                supported: Bool = true, inert: [String] = [], bare: Bool = false, _ help: String) {
        self.name = name; self.kind = kind; self.defaultValue = def; self.aliases = aliases
        self.supported = supported; self.inertValues = inert; self.bareOK = bare; self.help = help
    }

    /// Whether `value` asks for something swio does not implement.
    public func isUnsupported(_ value: String?) -> Bool {
        !supported && !inertValues.contains((value ?? "").lowercased())
    }

    public var allowsBare: Bool { kind == .flag || bareOK }
}

public enum OptionTable {
    static let secs: UInt64 = 1_000_000
    static let dirs = ["read", "write", "trim"]
    static let rwModes = ["read", "write", "trim", "randread", "randwrite", "randtrim", "rw", "readwrite",
                          "randrw", "trimwrite", "randtrimwrite"]

    public static let all: [OptionSpec] = [
        // Job description
        OptionSpec("name", .string, "Job name; a new --name on the command line starts a new job"),
        OptionSpec("description", .string, "Free-text description of the job"),
        OptionSpec("wait_for", .string, "Start only after the named job has finished"),
        OptionSpec("stonewall", .flag, aliases: ["wait_for_previous"], "Wait for all earlier jobs to finish; starts a new reporting group"),
        OptionSpec("new_group", .flag, "Start a new reporting group"),
        OptionSpec("group_reporting", .flag, "Report a group's jobs and clones as one"),
        OptionSpec("numjobs", .int(min: 1, max: 4096), default: "1", "Number of clones of this job"),
        OptionSpec("thread", .flag, "Run jobs as threads of the main process, not in a worker process with its own session"),
        OptionSpec("exitall", .flag, "When one job finishes, stop all others"),
        OptionSpec("exitall_on_error", .flag, "When one job fails, stop all others"),
        OptionSpec("exit_what", .choice(["group", "stonewall", "all"]), default: "group", "What exitall stops: the group, everything running (then the next stonewall runs), or all"),
        OptionSpec("disk_util", .bool, default: "1", "Report utilisation of the disks under the job's files"),
        OptionSpec("kb_base", .choice(["1024", "1000"]), default: "1024", "Base of k/m/g: 1024 (KiB is then 1000, fio's compatibility quirk) or 1000"),
        OptionSpec("unit_base", .choice(["0", "1", "8"]), default: "0", "The text report's rates in bits (1) or bytes (8; 0 = bytes)"),
        OptionSpec("significant_figures", .int(min: 1, max: 10), default: "4", "Digits of the text report's IOPS, bandwidth and amounts"),
        // Files
        OptionSpec("filename", .pathList, "Target file(s) or device(s); ':' separates several, '\\:' escapes"),
        OptionSpec("directory", .pathList, "Directory for generated file names"),
        OptionSpec("filename_format", .string, default: "$jobname.$jobnum.$filenum", "Generated file-name pattern"),
        OptionSpec("nrfiles", .int(min: 1, max: 1 << 20), default: "1", aliases: ["nr_files"], "Number of files per job"),
        OptionSpec("filesize", .sizeRange, "Size of each file (default size/nrfiles)"),
        OptionSpec("size", .size(perDirection: false, percentOK: true), "Total bytes of I/O for this job, or a percentage of the file/device"),
        OptionSpec("io_size", .size(perDirection: false, percentOK: true), aliases: ["io_limit"], "Bytes of I/O to issue (default: size)"),
        OptionSpec("offset", .size(perDirection: false, percentOK: true), default: "0", aliases: ["fileoffset"], "Start of the I/O region in each file"),
        OptionSpec("offset_increment", .size(perDirection: false, percentOK: true), "Added to offset once per clone number (numjobs), for disjoint regions"),
        OptionSpec("offset_align", .size(perDirection: false, percentOK: false), default: "0", "Alignment of an offset given as a percentage (0 = the smallest block size)"),
        OptionSpec("create_on_open", .bool, default: "0", "Create files when they are opened for I/O"),
        OptionSpec("unlink", .bool, default: "0", "Remove the files when the job is done"),
        OptionSpec("create_fsync", .bool, default: "1", "fsync a file after laying it out"),
        OptionSpec("file_append", .bool, default: "0", "Start each regular file's I/O at its end (offset = its size)"),
        OptionSpec("opendir", .string, "Every regular file below this directory (recursively) is one of the job's files"),
        OptionSpec("write_hint", .choice(["none", "short", "medium", "long", "extreme"]), "The written data's expected lifetime, set on each file with fcntl(F_SET_RW_HINT)"),
        OptionSpec("atomic", .bool, default: "0", "Direct I/O (Linux has no O_ATOMIC; fio 3.33's flag for it is one the kernel ignores)"),
        OptionSpec("fallocate", .choice(["none", "native", "posix", "keep", "truncate", "0", "1"]), default: "native", "How to preallocate files"),
        OptionSpec("invalidate", .bool, default: "1", "Drop the page cache of the files before the job"),
        OptionSpec("pre_read", .bool, default: "0", "Read the files into the page cache before the job starts (turns invalidate off)"),
        OptionSpec("create_only", .bool, default: "0", "Only lay out the files; run no I/O"),
        OptionSpec("ioscheduler", .string, "Switch the disk under the files to this I/O scheduler first"),
        OptionSpec("fadvise_hint", .choice(["0", "1", "sequential", "random", "noreuse"]), default: "1", "posix_fadvise advice for the files: 1 = from rw (RANDOM or SEQUENTIAL), 0 = none"),
        OptionSpec("allow_mounted_write", .bool, default: "0", "Allow writes and trims on a block device that is mounted or active swap"),
        OptionSpec("allow_overwrite", .bool, default: "0", "swio: allow writes and trims on a block device that holds a filesystem, partition table, LVM, RAID or swap signature (also --allow-overwrite)"),
        OptionSpec("allow_file_create", .bool, default: "1", "Create files that do not exist (0: a missing file is an error)"),
        OptionSpec("direct", .bool, default: "0", "Use O_DIRECT (non-buffered) I/O"),
        OptionSpec("sync", .choice(["none", "0", "sync", "1", "dsync"]), default: "none", "Open the files O_SYNC (sync, 1) or O_DSYNC (dsync)"),
        OptionSpec("buffered", .bool, default: "1", "Use buffered I/O (the opposite of direct)"),
        OptionSpec("overwrite", .bool, default: "0", "Lay out files before writing to them"),
        OptionSpec("file_service_type", .string, default: "roundrobin", "How to pick the next file: roundrobin, sequential, random (each :N for N I/Os per pick), zipf, pareto, normal/gauss (:parameter)"),
        // Workload
        OptionSpec("rw", .choice(rwModes), default: "read", aliases: ["readwrite"], "I/O pattern, with an optional ':N' sequencer"),
        OptionSpec("rwmixread", .int(min: 0, max: 100), default: "50", "Percentage of reads in mixed workloads"),
        OptionSpec("rwmixwrite", .int(min: 0, max: 100), default: "50", "Percentage of writes in mixed workloads"),
        OptionSpec("bs", .size(perDirection: true, percentOK: false), default: "4k", aliases: ["blocksize"], "Block size, per direction r,w,t"),
        OptionSpec("bsrange", .sizeRange, aliases: ["blocksize_range"], "Block-size range low-high, per direction"),
        OptionSpec("bssplit", .bssplit, "Weighted block sizes, e.g. 4k/10:64k/90, per direction"),
        OptionSpec("ba", .size(perDirection: true, percentOK: false), aliases: ["blockalign"], "Alignment of random offsets (default: bs); fio's name, blockalign its alias"),
        OptionSpec("bs_unaligned", .flag, aliases: ["blocksize_unaligned"], supported: false, "Allow block sizes that are not sector multiples"),
        OptionSpec("percentage_random", .string, default: "100", "Percent of a random job's I/Os at random offsets, the rest sequential; per direction r,w,t"),
        OptionSpec("norandommap", .flag, "Pick random offsets without tracking which blocks were done"),
        OptionSpec("random_distribution", .string, default: "random", "random, zipf:T, pareto:H, normal:S, zoned:..."),
        OptionSpec("rw_sequencer", .choice(["sequential", "identical"]), default: "sequential", "With rw=randread:N, the I/Os between random offsets: sequential, or the same offset again"),
        OptionSpec("bs_is_seq_rand", .bool, default: "0", "bs gives sequential,random block sizes instead of read,write"),
        OptionSpec("serialize_overlap", .bool, default: "0", "An I/O waits until no I/O in flight on its file overlaps it"),
        OptionSpec("randrepeat", .bool, default: "1", "Seed the generators the same way each run"),
        OptionSpec("randseed", .int(min: 0, max: nil), "Seed for the random generators"),
        OptionSpec("random_generator", .choice(["tausworthe", "lfsr", "tausworthe64"]), default: "tausworthe", "fio's generator choice; swio uses its own (xoshiro256**) for all three, and its random map, as lfsr, visits every block once"),
        OptionSpec("zero_buffers", .flag, "Fill I/O buffers with zeroes"),
        OptionSpec("refill_buffers", .flag, "Refill write buffers before every write"),
        OptionSpec("scramble_buffers", .bool, default: "1", "Stamp each 512-byte block of a write with its offset, so deduplication cannot fold them"),
        OptionSpec("buffer_pattern", .string, "Fill buffers with this pattern (0xhex, \"string\" or integer)"),
        OptionSpec("buffer_compress_percentage", .int(min: 0, max: 100), default: "0", "Make write buffers compress to about this percent: each buffer_compress_chunk is that share zeros"),
        OptionSpec("buffer_compress_chunk", .size(perDirection: false, percentOK: false), default: "512", "The piece of a buffer buffer_compress_percentage applies to"),
        OptionSpec("dedupe_percentage", .int(min: 0, max: 100), default: "0", "This percent of writes repeat an earlier buffer's contents"),
        OptionSpec("dedupe_mode", .choice(["repeat", "working_set"]), default: "repeat", "repeat: the last unique buffer; working_set: one of the first dedupe_working_set_percentage of the job's blocks"),
        OptionSpec("dedupe_working_set_percentage", .int(min: 0, max: 100), default: "5", "dedupe_mode=working_set: the share of the job's size its duplicates come from"),
        OptionSpec("dedupe_global", .bool, default: "0", "Share the working set between the jobs that set it"),
        OptionSpec("verify", .choice(["0", "none", "md5", "crc32c", "crc32c-intel", "crc32", "crc16", "crc7", "crc64", "sha1", "sha256", "sha512", "sha3-224", "sha3-256", "sha3-384", "sha3-512", "xxhash", "meta", "pattern", "null"]), default: "0", "Write a header and checksum into each block, and check them when reading"),
        OptionSpec("do_verify", .bool, default: "1", "Read written blocks back and check them after the writes"),
        OptionSpec("verify_pattern", .string, "Fill blocks with this pattern (\"text\", 0xHEX, numbers, %o for the offset) and check it"),
        OptionSpec("verify_interval", .size(perDirection: false, percentOK: false), "Bytes per verify header (default: the smallest write size)"),
        OptionSpec("verify_offset", .size(perDirection: false, percentOK: false), default: "0", "Swap the verify header to this offset in each block"),
        OptionSpec("verify_fatal", .bool, default: "0", "Stop checking a block at its first bad piece"),
        OptionSpec("verify_dump", .bool, default: "0", "Write a block that fails verification (and what was expected) to files"),
        OptionSpec("verify_only", .bool, default: "0", "Write nothing: read back and check what the job would have written"),
        OptionSpec("verify_async", .int(min: 0, max: nil), default: "0", "Verify threads (swio checks inline on the job's thread)"),
        OptionSpec("verify_async_cpus", .string, "CPUs of the verify threads (swio: inline, so unused)"),
        OptionSpec("verify_backlog", .int(min: 0, max: nil), default: "0", "While writing, read back and check written blocks whenever this many wait"),
        OptionSpec("verify_backlog_batch", .int(min: 0, max: nil), "Blocks verified per backlog turn"),
        OptionSpec("trim_percentage", .int(min: 0, max: 100), default: "0", "With verify: this percent of the written blocks are trimmed (in trim_backlog turns) and must then read back as zeros"),
        OptionSpec("trim_backlog", .int(min: 0, max: nil), default: "0", "Trim written blocks whenever this many wait"),
        OptionSpec("trim_backlog_batch", .int(min: 0, max: nil), "Blocks trimmed per turn (default trim_backlog)"),
        OptionSpec("trim_verify_zero", .bool, default: "1", "A trimmed block must read back as zeros (0: it is not checked)"),
        OptionSpec("verify_state_save", .bool, default: "1", "A writing verify job saves how far it got (local-<job>-<n>-verify.state, as fio)"),
        OptionSpec("verify_state_load", .bool, default: "0", "The verify phase reads back only what the saved state says was written"),
        OptionSpec("experimental_verify", .bool, default: "0", "Read back in the order written (fio replays its offset generator for that; swio reads its record of the writes in that order)"),
        OptionSpec("continue_on_error", .choice(["none", "read", "write", "io", "verify", "all", "0", "1"]), default: "none", "Keep going after these errors, counting them"),
        OptionSpec("ignore_error", .string, "Errors that do not end the job: READ,WRITE,VERIFY lists of errno names or numbers joined by ':' (EIO:ENOSPC)"),
        // Time and amount
        OptionSpec("runtime", .time(defaultUnitMicros: secs), aliases: ["timeout"], "Stop after this time"),
        OptionSpec("time_based", .flag, "Keep running until runtime even when size is done"),
        OptionSpec("ramp_time", .time(defaultUnitMicros: secs), "Run this long before statistics start"),
        OptionSpec("startdelay", .timeRange(defaultUnitMicros: secs), "Wait this long before starting the job (or LOW-HIGH: a random time in that range)"),
        OptionSpec("number_ios", .int(min: 0, max: nil), "Stop after this many I/Os"),
        OptionSpec("loops", .int(min: 1, max: nil), default: "1", "Repeat the job this many times"),
        OptionSpec("rate", .size(perDirection: true, percentOK: false), "Cap bandwidth (bytes/s), per direction"),
        OptionSpec("rate_iops", .intPerDirection, "Cap IOPS, per direction (as a byte rate of the direction's smallest block, as fio)"),
        OptionSpec("rate_process", .choice(["linear", "poisson"]), default: "linear", "How rated I/O is spaced: evenly, or at exponential gaps with the same mean"),
        OptionSpec("rate_min", .size(perDirection: true, percentOK: false), aliases: ["ratemin"], "Fail (EIO) if bandwidth over a rate_cycle drops below this, per direction"),
        OptionSpec("rate_iops_min", .intPerDirection, "Fail if IOPS drop below this, per direction"),
        OptionSpec("rate_cycle", .int(min: 1, max: 86_400_000), default: "1000", aliases: ["ratecycle"], "Window (ms) over which rate_min and rate_iops_min are averaged, after a 2 s settle period"),
        OptionSpec("thinktime", .time(defaultUnitMicros: 1), "Pause this long between I/Os (bare = microseconds)"),
        OptionSpec("thinktime_blocks", .int(min: 1, max: nil), default: "1", "I/Os between thinktime pauses"),
        OptionSpec("thinktime_blocks_type", .choice(["complete", "issue"]), default: "complete", "What thinktime_blocks counts: completed I/Os (fio's default) or issued ones"),
        OptionSpec("thinktime_spin", .time(defaultUnitMicros: 1), "Spin this long of each thinktime pause, sleeping the rest (bare = microseconds)"),
        OptionSpec("thinktime_iotime", .time(defaultUnitMicros: 1_000_000), default: "0", "Think after this much I/O time (bare = seconds); with thinktime_blocks, whichever comes first"),
        OptionSpec("rate_ignore_thinktime", .bool, default: "0", "The rate does not catch up on the time spent in thinktime"),
        OptionSpec("fsync", .int(min: 0, max: nil), default: "0", "fsync after this many writes"),
        OptionSpec("fdatasync", .int(min: 0, max: nil), default: "0", "fdatasync after this many writes"),
        OptionSpec("end_fsync", .bool, default: "0", "fsync when the job ends"),
        OptionSpec("fsync_on_close", .bool, default: "0", "fsync when closing files"),
        // Engine and queue
        OptionSpec("ioengine", .string, "I/O engine (see `swio engines`; the default is fio's)"),
        OptionSpec("iodepth", .int(min: 1, max: 65536), default: "1", "I/Os in flight for async engines"),
        OptionSpec("iodepth_batch", .int(min: 0, max: 65536), default: "1", aliases: ["iodepth_batch_submit"], "Submit this many I/Os at once (fio's name; iodepth_batch_submit is its alias)"),
        OptionSpec("iodepth_batch_complete_min", .int(min: 0, max: 65536), default: "1", aliases: ["iodepth_batch_complete"], "Reap at least this many completions per wait"),
        OptionSpec("iodepth_batch_complete_max", .int(min: 0, max: 65536), "Reap at most this many completions per call (default: iodepth_batch_complete_min)"),
        OptionSpec("write_iolog", .string, "Write each I/O (time in us, file, action, offset, length) to this file, as fio's iolog version 3"),
        OptionSpec("iodepth_low", .int(min: 0, max: 65536), "Once the queue is full, let it drain to this depth before refilling (default: iodepth)"),
        OptionSpec("cpus_allowed", .string, "CPUs the job may run on, e.g. 0-1,3"),
        OptionSpec("cpus_allowed_policy", .choice(["shared", "split"]), default: "shared", "split: each job gets one CPU of cpus_allowed, by job number"),
        OptionSpec("cpumask", .int(min: 0, max: nil), "The CPUs the job runs on as a bit mask (bit N = CPU N, CPUs 0-31; cpus_allowed takes precedence)"),
        OptionSpec("uid", .string, "Run the job (its thread) as this user id"),
        OptionSpec("gid", .string, "Run the job (its thread) as this group id"),
        OptionSpec("lockmem", .size(perDirection: false, percentOK: false), default: "0", "Pin this much memory with mlock(2) while the job runs"),
        OptionSpec("nice", .int(min: -20, max: 19), "The job thread's nice value"),
        OptionSpec("prio", .int(min: 0, max: 7), "I/O priority level within prioclass (0 highest; class best-effort unless prioclass says)"),
        OptionSpec("prioclass", .int(min: 0, max: 3), "I/O priority class: 1 realtime, 2 best-effort, 3 idle"),
        OptionSpec("mem", .string, default: "malloc", aliases: ["iomem"], "Where the I/O buffers live: malloc or mmap (private memory, transparent huge pages for large sets), mmapshared, mmaphuge[:FILE] (huge pages, or a file on hugetlbfs), shm, shmhuge (SysV shared memory)"),
        OptionSpec("hugepage-size", .size(perDirection: false, percentOK: false), default: "2m", "The huge page size that mem=mmaphuge and shmhuge buffers are rounded to"),
        OptionSpec("iomem_align", .size(perDirection: false, percentOK: false), aliases: ["mem_align"], "Offset of the first I/O buffer from a page boundary (as fio)"),
        // Statistics and reporting
        OptionSpec("percentile_list", .floatList, "Percentiles to report, ':'-separated"),
        OptionSpec("clat_percentiles", .bool, default: "1", "Report clat percentiles"),
        OptionSpec("lat_percentiles", .bool, default: "0", "Report total-latency percentiles"),
        OptionSpec("slat_percentiles", .bool, default: "0", "Report submission-latency percentiles"),
        OptionSpec("bwavgtime", .time(defaultUnitMicros: 1000), default: "500", "Bandwidth sampling interval (bare = ms)"),
        OptionSpec("iopsavgtime", .time(defaultUnitMicros: 1000), default: "500", "IOPS sampling interval (bare = ms)"),
        OptionSpec("write_bw_log", .string, bare: true, "Write a bandwidth log with this prefix (bare: the job name)"),
        OptionSpec("write_lat_log", .string, bare: true, "Write slat/clat/lat logs with this prefix (bare: the job name)"),
        OptionSpec("write_iops_log", .string, bare: true, "Write an IOPS log with this prefix (bare: the job name)"),
        OptionSpec("write_hist_log", .string, bare: true, "Write a completion latency histogram log with this prefix (bare: the job name); needs log_hist_msec"),
        OptionSpec("log_hist_msec", .int(min: 0, max: nil), default: "0", "The histogram log's window (ms); 0 leaves the log empty"),
        OptionSpec("log_hist_coarseness", .int(min: 0, max: 6), default: "0", "Merge 2^N neighbouring buckets in each histogram log line"),
        OptionSpec("log_avg_msec", .int(min: 0, max: nil), default: "0", "Average log entries over this many ms (0 = one per I/O)"),
        OptionSpec("per_job_logs", .bool, default: "1", "Name logs per job (NAME_bw.N.log); 0: jobs share NAME_bw.log"),
        OptionSpec("log_max_value", .bool, default: "0", "With log_avg_msec: a latency log's line is the window's largest value, not its mean"),
        OptionSpec("log_unix_epoch", .bool, default: "0", "Log times in milliseconds since the Unix epoch, not since the job's start"),
        OptionSpec("log_alternate_epoch", .bool, default: "0", "Log times in milliseconds since the epoch of log_alternate_epoch_clock_id"),
        OptionSpec("log_alternate_epoch_clock_id", .int(min: 0, max: 11), default: "0", "The clock (clockid_t) for log_alternate_epoch; 0 is CLOCK_REALTIME"),
        OptionSpec("disable_lat", .bool, default: "0", "Do not measure total latency"),
        OptionSpec("disable_clat", .bool, default: "0", "Do not measure completion latency"),
        OptionSpec("disable_slat", .bool, default: "0", "Do not measure submission latency"),
        OptionSpec("gtod_reduce", .bool, default: "0", "Take fewer timestamps (disables latency statistics)"),
        OptionSpec("unified_rw_reporting", .choice(["none", "mixed", "both", "0", "1", "2"]), default: "none", "Report reads, writes and trims apart (none), as one \"mixed\" direction, or both"),
        OptionSpec("log_offset", .bool, default: "0", "Per-I/O logs carry each I/O's offset (a column before the priority)"),
        OptionSpec("log_prio", .bool, default: "0", "Per-I/O logs give each I/O's priority value (hex) instead of 1 for real-time"),
        OptionSpec("log_store_compressed", .bool, default: "0", "Write the logs as fio's compressed .fz files (swio --inflate-log, or fio's, reads them)"),
        OptionSpec("log_compression", .size(perDirection: false, percentOK: false), "fio compresses logs in memory in chunks of this size; swio keeps them whole (accepted)"),
        OptionSpec("log_compression_cpus", .string, "CPUs for fio's background log compression (accepted; swio compresses when it writes the log)"),
        OptionSpec("read_iolog", .string, "Replay this fio iolog (version 2 or 3; FILE:FILE2 gives clone N the Nth)"),
        OptionSpec("merge_blktrace_file", .string, "Merge the blktraces read_iolog lists into this file by time, then replay it"),
        OptionSpec("merge_blktrace_scalars", .string, "Per trace (colon-separated): its times as a percentage when merged"),
        OptionSpec("merge_blktrace_iters", .string, "Per trace (colon-separated): how many times it is replayed in the merge"),
        OptionSpec("read_iolog_chunked", .bool, default: "0", "Read the iolog a piece at a time (accepted: swio reads it whole before the job starts)"),
        OptionSpec("replay_no_stall", .bool, default: "0", "Replay without the log's delays, in its order"),
        OptionSpec("replay_time_scale", .int(min: 1, max: nil), default: "100", "Replay delays at this percent of speed (200: twice as fast)"),
        OptionSpec("replay_redirect", .string, "Replay every file of the log on this one"),
        OptionSpec("replay_scale", .int(min: 1, max: nil), default: "1", "Divide the log's offsets by this"),
        OptionSpec("replay_align", .int(min: 1, max: nil), default: "1", "Round the log's offsets down to this (a power of 2)"),
        OptionSpec("replay_skip", .string, "Directions to leave out of a blktrace replay (fio 3.33: ignored for text logs, as here)"),
        OptionSpec("io_submit_mode", .choice(["inline", "offload"]), default: "inline", "Who submits I/O: the job's thread (inline), or with offload fio's worker threads (swio: always the job's thread, with a note)"),
        OptionSpec("threads", .int(min: 0, max: nil), "fio's tiobench profile option, which fio accepts in any job and which changes nothing there; nor here"),
        OptionSpec("allrandrepeat", .bool, default: "0", "Every random sequence repeatable (swio's are all derived from randseed/randrepeat)"),
        OptionSpec("stats", .bool, default: "1", "Collect statistics"),
        OptionSpec("steadystate", .string, default: "iops_slope:0.01%", aliases: ["ss"], "End the job once IOPS or bandwidth is steady: iops, iops_slope, bw or bw_slope, ':' and a limit (% of the mean, or a rate)"),
        OptionSpec("steadystate_duration", .time(defaultUnitMicros: 1_000_000), default: "0", aliases: ["ss_dur"], "Steady-state window, in one-second samples (0: off)"),
        OptionSpec("steadystate_ramp_time", .time(defaultUnitMicros: 1_000_000), default: "0", aliases: ["ss_ramp"], "Time before steady-state sampling starts"),
        OptionSpec("disable_bw_measurement", .bool, default: "0", aliases: ["disable_bw"], "Accepted: fio 3.33 reports the same bandwidth and its samples with it, and so does swio"),
        OptionSpec("log_entries", .int(min: 1, max: nil), default: "1024", "Accepted: the size of fio's first log buffer (swio's logs grow as they need)"),
        OptionSpec("unique_filename", .bool, default: "1", "Accepted: fio's client/server file naming (swio runs many hosts with MPI)"),
        OptionSpec("ignore_zone_limits", .bool, default: "0", "Accepted: zonemode=zbd's zones here are emulated, with no device limit to ignore"),
        OptionSpec("softrandommap", .bool, default: "0", "Accepted: fio's fallback when the random map cannot be allocated (swio's always is)"),
        OptionSpec("error_dump", .bool, default: "0", "Accepted: fio 3.33 prints a job's first I/O error with it or without, as swio does"),
        OptionSpec("profile", .string, "On the command line, --profile=tiobench runs fio's tiobench profile (its size, block, numruns, dir and threads options with it); not an option of a job file"),
        OptionSpec("write_barrier", .int(min: 0, max: nil), default: "0", "Accepted: fio 3.33 marks every Nth write as a barrier, which none of its engines acts on"),
        OptionSpec("max_latency", .timePerDirection(defaultUnitMicros: 1), default: "0", "End the job (ETIMEDOUT) at the first I/O slower than this, per direction r,w,t (bare = microseconds)"),
        OptionSpec("exec_prerun", .string, "Run this shell command before the job's I/O (output in JOBNAME.prerun.txt); a failure stops the job"),
        OptionSpec("exec_postrun", .string, "Run this shell command after the job (output in JOBNAME.postrun.txt)"),
        OptionSpec("latency_target", .time(defaultUnitMicros: 1), default: "0", "Find the deepest queue at which latency_percentile of the I/Os complete within this"),
        OptionSpec("latency_window", .time(defaultUnitMicros: 1), default: "0", "How long each queue depth is tried for latency_target"),
        OptionSpec("latency_percentile", .string, default: "100", "The share of I/Os that must meet latency_target (percent)"),
        OptionSpec("latency_run", .bool, default: "0", "Keep adjusting the depth for the whole run instead of stopping at the one found"),
        OptionSpec("clocksource", .choice(["gettimeofday", "clock_gettime", "cpu"]), default: "clock_gettime", "Clock (swio always uses CLOCK_MONOTONIC)"),
        // Zones
        OptionSpec("zonemode", .choice(["none", "strided", "zbd"]), default: "none", "Zoned I/O: strided (zonesize bytes in each zonerange, then skip zoneskip); zbd (zones with write pointers, emulated on files and devices that are not zoned)"),
        OptionSpec("zonesize", .size(perDirection: false, percentOK: false), default: "0", "zonemode=strided: bytes done in a zone before the next; zonemode=zbd: the size of a zone"),
        OptionSpec("zonecapacity", .size(perDirection: false, percentOK: false), default: "0", "zonemode=zbd: the writable bytes of each zone (default zonesize)"),
        OptionSpec("max_open_zones", .int(min: 0, max: nil), default: "0", "zonemode=zbd: writes keep to this many zones at a time (0: no limit)"),
        OptionSpec("zone_reset_threshold", .string, default: "0", "zonemode=zbd: the share (0-1) of the job's bytes holding data above which zones are reset periodically"),
        OptionSpec("zone_reset_frequency", .string, default: "0", "zonemode=zbd: past the threshold, a zone is reset before every 1/frequency writes (garbage collection)"),
        OptionSpec("job_max_open_zones", .int(min: 0, max: nil), default: "0", "zonemode=zbd: the same limit for this job (swio's zones are the job's own)"),
        OptionSpec("zonerange", .size(perDirection: false, percentOK: false), default: "0", "zonemode=strided: the width of a zone (default zonesize)"),
        OptionSpec("zoneskip", .size(perDirection: false, percentOK: false), default: "0", "zonemode=strided: bytes skipped between zones"),
        OptionSpec("read_beyond_wp", .bool, default: "0", "zonemode=zbd: reads go where the job sends them, past the write pointers too"),
        OptionSpec("flow", .int(min: nil, max: 1000), default: "0", "This job's weight among the jobs of its flow_id: they issue I/O in proportion to their weights"),
        OptionSpec("flow_id", .int(min: 0, max: nil), default: "0", "The flow this job's weight counts in"),
        OptionSpec("flow_sleep", .int(min: 0, max: nil), default: "0", "Microseconds a job ahead of its flow share sleeps"),
        OptionSpec("flow_watermark", .int(min: 0, max: nil), "Deprecated in fio (it does nothing), as here"),
        OptionSpec("fill_device", .bool, default: "0", aliases: ["fill_fs"], "Write until the device or filesystem is full; ENOSPC then ends the job without an error"),
        OptionSpec("numa_cpu_nodes", .string, "Run the job on the CPUs of these NUMA nodes (0-1,3 or all)"),
        OptionSpec("numa_mem_policy", .string, "The job's memory policy: default, local, prefer:N, bind:LIST, interleave[:LIST]"),
        OptionSpec("create_serialize", .bool, default: "1", "fio lays out its jobs' files one job at a time; swio's jobs lay theirs out side by side either way"),
        OptionSpec("inplace", .int(min: 0, max: 1), supported: false, inert: ["0"], "e4defrag in-place"),
    ] + fioOnly.map { name, inert in
        OptionSpec(name, .string, aliases: fioOnlyAliases[name] ?? [], supported: false, inert: inert,
                   "A fio 3.33 option swio does not implement yet")
    }

    /// Why an option swio knows is still an error, where there is more to say than "not yet".
    static let unsupportedWhy: [String: String] = [:]

    /// fio's other spellings of some of those (`fio --cmdhelp=ss_dur` answers steadystate_duration).
    static let fioOnlyAliases: [String: [String]] = [:]

    /// The rest of fio 3.33's options (`fio --cmdhelp=all`): known, so a job file that uses one
    /// gets "not implemented" (or, with --ignore-unsupported, a warning) instead of "unknown",
    /// and runs when the value given is one that leaves the feature off.
    static let fioOnly: [(String, [String])] = [
        ("block_error_percentiles", ["0"]),
        ("cgroup", []), ("cgroup_nodelete", ["0"]), ("cgroup_weight", []),
        ("gtod_cpu", []),
        ("lockfile", ["none"]),
        ("openfiles", []),
        ("sync_file_range", []),
        ("unlink_each_loop", ["0"]),
    ]

    static let byName: [String: Int] = {
        var m: [String: Int] = [:]
        for (i, o) in all.enumerated() {
            m[o.name] = i
            for a in o.aliases { m[a] = i }
        }
        return m
    }()

    /// Looks up an option by name or alias (case-insensitive, as fio).
    public static func lookup(_ name: String) -> OptionSpec? {
        byName[name.lowercased()].map { all[$0] }
    }

    /// The closest option names, for "did you mean".
    public static func suggestion(for name: String) -> String? {
        var best: (String, Int)?
        for key in byName.keys {
            let d = editDistance(name, key)
            if d < (best?.1 ?? Int.max) || (d == best?.1 && key < best!.0) { best = (key, d) }
        }
        guard let (key, d) = best, d <= Swift.max(2, name.count / 3) else { return nil }
        return key
    }

    /// Validates `value` for `spec`, returning a normalised error message on failure.
    public static func validate(_ spec: OptionSpec, _ value: String?, kbBase: Int = 1024) throws {
        guard let value else {
            if spec.allowsBare { return }
            throw ValueError("option \(spec.name) requires an argument")
        }
        switch spec.kind {
        case .string, .pathList: return
        case .flag:
            _ = try Values.flag(value)
        case .bool:
            _ = try Values.bool(value)
        case .choice(let options):
            var v = value.lowercased()
            if spec.name == "rw", let colon = v.firstIndex(of: ":") {
                let n = v[v.index(after: colon)...]
                // randread:8 = a new random offset every 8 I/Os; write:4k = skip 4k after each I/O;
                // read:-8k = go back 8k after each I/O (fio reads backwards that way).
                let magnitude = n.hasPrefix("-") ? n.dropFirst() : n[...]
                guard n.isEmpty || (try? Values.bytes(String(magnitude))) != nil else {
                    throw ValueError("'\(value)': the ':N' suffix needs a number or a size")
                }
                v = String(v[..<colon])
            }
            guard options.contains(v) else {
                let near = options.min { editDistance($0, v) < editDistance($1, v) }
                throw ValueError("'\(value)' is not one of \(options.joined(separator: ", "))" + (near.map { " (did you mean '\($0)'?)" } ?? ""))
            }
        case .int(let lo, let hi):
            if let lo, lo >= 0, let big = try? Values.unsignedInteger(value), big > UInt64(Int64.max) {
                // Unsigned options may use the full 64 bits (randseed=0xffffffffffffffff).
                if let hi { throw ValueError("\(value) is above the maximum \(hi)") }
                break
            }
            let n = try Values.integer(value)
            if let lo, n < lo { throw ValueError("\(value) is below the minimum \(lo)") }
            if let hi, n > hi { throw ValueError("\(value) is above the maximum \(hi)") }
        case .intPerDirection:
            for case let p? in Values.perDirectionParts(value) {
                guard try Values.integer(p) >= 0 else { throw ValueError("\(p) is below the minimum 0") }
            }
        case .size(let perDir, let pct):
            let parts = perDir ? Values.perDirectionParts(value).compactMap { $0 } : [value]
            for p in parts {
                let v = try Values.size(p, kbBase: kbBase)
                if case .percent = v, !pct { throw ValueError("'\(p)': a percentage is not allowed for \(spec.name)") }
            }
        case .sizeRange:
            _ = try SizeRange.parsePerDirection(value, kbBase: kbBase)
        case .bssplit:
            _ = try BlockSplit.parsePerDirection(value, kbBase: kbBase)
        case .time(let unit):
            _ = try Values.timeMicros(value, defaultUnitMicros: unit)
        case .timePerDirection(let unit):
            for case let p? in Values.perDirectionParts(value) { _ = try Values.timeMicros(p, defaultUnitMicros: unit) }
        case .timeRange(let unit):
            _ = try Values.timeRangeMicros(value, defaultUnitMicros: unit)
        case .floatList:
            for p in value.split(separator: ":") {
                guard let d = Double(p.trimmed), d >= 0, d <= 100 else { throw ValueError("'\(p)' is not a percentile between 0 and 100") }
            }
            if value.split(separator: ":").count > 20 { throw ValueError("at most 20 percentiles (fio's limit)") }
        }
    }
}

/// A block-size range "low-high" (fio swaps the ends if low > high).
public struct SizeRange: Equatable, Sendable {
    public var low: UInt64
    public var high: UInt64
    public static func parse(_ s: String, kbBase: Int) throws -> SizeRange {
        let sep = s.firstIndex(of: "-") ?? s.firstIndex(of: ":")
        guard let sep else {
            let v = try Values.bytes(s, kbBase: kbBase)
            return SizeRange(low: v, high: v)
        }
        let a = try Values.bytes(String(s[..<sep]), kbBase: kbBase)
        let b = try Values.bytes(String(s[s.index(after: sep)...]), kbBase: kbBase)
        return SizeRange(low: Swift.min(a, b), high: Swift.max(a, b))
    }
    /// An empty part is the default block size, fixed (fio: bsrange=,4k-16k).
    public static func parsePerDirection(_ s: String, kbBase: Int, defaultSize: UInt64 = 4096) throws -> [SizeRange] {
        try Values.perDirectionParts(s).map { try $0.map { try parse($0, kbBase: kbBase) } ?? SizeRange(low: defaultSize, high: defaultSize) }
    }
}

/// bssplit: weighted block sizes. Entries without a weight share what is left of 100%.
public struct BlockSplit: Equatable, Sendable {
    public var entries: [(size: UInt64, percent: Double)]
    public static func == (a: BlockSplit, b: BlockSplit) -> Bool {
        a.entries.map(\.size) == b.entries.map(\.size) && a.entries.map(\.percent) == b.entries.map(\.percent)
    }
    public static func parse(_ s: String, kbBase: Int) throws -> BlockSplit {
        var entries: [(UInt64, Double?)] = []
        for item in s.split(separator: ":") {
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw ValueError("'\(item)' is not size/percent") }
            let size = try Values.bytes(String(parts[0]), kbBase: kbBase)
            var pct: Double?
            if parts.count == 2, !parts[1].isEmpty {
                guard let p = Double(parts[1].trimmed), p >= 0, p <= 100 else { throw ValueError("'\(parts[1])' is not a percentage") }
                pct = p
            }
            entries.append((size, pct))
        }
        guard !entries.isEmpty else { throw ValueError("empty bssplit") }
        let given = entries.compactMap(\.1).reduce(0, +)
        guard given <= 100.0001 else { throw ValueError("bssplit percentages add up to \(given), more than 100") }
        let unset = entries.filter { $0.1 == nil }.count
        let share = unset > 0 ? (100 - given) / Double(unset) : 0
        var out = entries.map { (size: $0.0, percent: $0.1 ?? share) }
        // fio 3.33 accepts a split under 100% (bssplit=4k/10:8k/20 parses); the remainder
        // falls to the last entry, as fio's get_next_buflen() loop does.
        let total = out.map(\.percent).reduce(0, +)
        if total < 100 { out[out.count - 1].percent += 100 - total }
        return BlockSplit(entries: out)
    }
    /// An empty part is the default block size alone (fio: bssplit=,4k/50:8k/50).
    public static func parsePerDirection(_ s: String, kbBase: Int, defaultSize: UInt64 = 4096) throws -> [BlockSplit] {
        try Values.perDirectionParts(s).map { try $0.map { try parse($0, kbBase: kbBase) } ?? BlockSplit(entries: [(defaultSize, 100)]) }
    }
}
