#if canImport(Glibc)
import Glibc
#endif
// The typed view of one job, built from a parsed JobDefinition: what the runner executes.

/// Synchronous writes through the open flags (fio sync=): O_SYNC or O_DSYNC.
public enum WriteSync: Sendable { case sync, dsync }

/// posix_fadvise access-pattern advice (fio fadvise_hint).
public enum FileAdvice: Sendable {
    case random, sequential, noreuse
}

public enum RWMode: String, Sendable {
    case read, write, trim, randread, randwrite, randtrim, rw, randrw, trimwrite, randtrimwrite
    public var isRandom: Bool { rawValue.hasPrefix("rand") }
    public var isMixed: Bool { self == .rw || self == .randrw }
    /// Directions this mode issues.
    public var directions: [Direction] {
        switch self {
        case .read, .randread: return [.read]
        case .write, .randwrite: return [.write]
        case .trim, .randtrim: return [.trim]
        case .rw, .randrw: return [.read, .write]
        case .trimwrite, .randtrimwrite: return [.trim, .write]
        }
    }
}

public struct JobConfig: Sendable {
    public var definition: JobDefinition
    public var name: String { definition.name }
    /// The engine, as the parser's catalog found it (a stand-in that fails the job when it
    /// found none: a fio engine swio lacks, parsed with --ignore-unsupported).
    public var engine: EngineDescriptor
    /// ioengine= as the job gives it ("libaio", "external:/x.so").
    public var engineName: String
    public var rw: RWMode
    /// fio's "rw=randread:8": a new random offset only every N I/Os (sequential in between,
    /// or the same offset again with rw_sequencer=identical).
    public var sequencer: Int
    public var sequencerRepeats: Bool
    public var rwmixread: Int
    public var bs: [UInt64]
    public var bsrange: [SizeRange]?
    public var bssplit: [BlockSplit]?
    public var blockalign: [UInt64]
    public var filenames: [String]
    public var filenamesGiven: Bool
    public var nrfiles: Int
    public var filesize: SizeRange?
    public var size: SizeValue?
    public var ioSize: SizeValue?
    public var offset: SizeValue
    public var createOnOpen: Bool
    public var unlink: Bool
    /// file_service_type: how the next file is picked, and after how many I/Os.
    public var fileService: FileService
    public var fileServiceSwitch: Int
    /// create_fsync: a laid-out file is fsynced before the job's I/O (fio's default).
    public var createFsync: Bool
    /// file_append: each regular file's region starts at its end (offset= its size).
    public var fileAppend: Bool
    /// write_hint: the F_SET_RW_HINT value set on each file (RWH_WRITE_LIFE_*), or nil.
    public var writeHint: UInt64?
    /// serialize_overlap: an I/O waits until no I/O in flight overlaps it.
    public var serializeOverlap: Bool
    /// uid= / gid=: the ids the job's thread takes before it touches its files.
    public var uid: UInt32?
    public var gid: UInt32?
    /// lockmem: bytes the job pins with mlock while it runs (0: none).
    public var lockMemory: UInt64
    public var fallocate: String
    public var invalidate: Bool
    /// The access-pattern advice given for each file after it is opened (fio fadvise_hint), or nil.
    public var fadvise: FileAdvice?
    public var direct: Bool
    /// fio's `thread`: run the job as a thread of swio's own process instead of in the worker
    /// process that starts its own session (RunCommand).
    public var thread: Bool
    /// iomem_align: fio adds it to a page-aligned base, so the first buffer sits this many
    /// bytes past a page boundary (and the others a multiple of the block size after it).
    public var memAlign: UInt64 = 0
    /// mem=: where the I/O buffers live.
    public var memory: BufferMemory = .standard
    /// hugepage-size: the huge page size that huge-page buffers are rounded to.
    public var hugePageSize: UInt64 = 2 << 20
    public var norandommap: Bool
    /// A random job aligned other than to its smallest block size: fio then turns its random
    /// map off, and says so ("Any use of blockalign= turns off randommap").
    public var blockalignTurnsOffMap = false
    /// percentage_random per direction: how many of a random job's I/Os go to random offsets.
    public var percentageRandom: [UInt64]
    public var distribution: RandomDistribution
    public var randrepeat: Bool
    public var randseed: UInt64
    public var zeroBuffers: Bool
    public var refillBuffers: Bool
    public var scrambleBuffers: Bool
    /// scramble_buffers spelled out: fio then scrambles even zero_buffers and buffer_pattern.
    public var scrambleBuffersGiven: Bool
    public var bufferPattern: [UInt8]?
    public var runtimeUs: UInt64
    public var timeBased: Bool
    public var rampUs: UInt64
    public var startDelayUs: UInt64
    public var numberIOs: UInt64
    public var loops: Int
    public var rate: [UInt64]
    /// rate_iops per direction (read, write, trim).
    public var rateIOPS: [UInt64]
    public var ratePoisson: Bool
    public var rateMin: [UInt64]
    public var rateIOPSMin: [UInt64]
    /// rate_cycle: the window (ms) over which rate_min/rate_iops_min are averaged.
    public var rateCycleMs: Int
    /// Decimals of the percentile labels in the text report (2 for fio's default list).
    public var percentilePrecision = 2
    public var thinktimeUs: UInt64
    public var thinktimeSpinUs: UInt64
    /// thinktime_iotime: a think after this much I/O time (0: none), and whether
    /// thinktime_blocks was given too (then whichever comes first).
    public var thinktimeIOTimeUs: UInt64
    public var thinktimeBlocksGiven: Bool
    /// rate_ignore_thinktime: the rate does not catch up on the time spent thinking.
    public var rateIgnoresThinktime: Bool
    /// nice increment for the job thread (relative, as fio's nice()), and its I/O priority
    /// (class, level) when prio or prioclass is set.
    public var nice: Int32?
    public var ioPriority: (ioclass: Int32, level: Int32)?
    /// ioPriority as the kernel's ioprio value, (class << 13) | level; 0 when unset.
    public var ioprioValue: UInt16 { ioPriority.map { UInt16($0.ioclass) << 13 | UInt16($0.level) } ?? 0 }
    public var thinktimeBlocks: Int
    /// thinktime_blocks_type=issue: count issued I/Os toward thinktime_blocks; otherwise (fio's
    /// default, complete) completed ones.
    public var thinkOnIssue: Bool
    public var fsyncEvery: Int
    public var fdatasyncEvery: Int
    public var endFsync: Bool
    public var iodepth: Int
    /// iodepth_low: once the queue is full, reap until no more than this many are in flight.
    public var iodepthLow: Int
    public var batchSubmit: Int
    public var batchCompleteMin: Int
    /// As given (0 if not): IOLoop raises it to the min, or to iodepth for engines that size
    /// their own completion batches (kevent).
    public var batchCompleteMax: Int
    public var percentiles: [Double]
    public var clatPercentiles: Bool
    public var latPercentiles: Bool
    public var slatPercentiles: Bool
    public var bwAvgMs: UInt64
    public var iopsAvgMs: UInt64
    public var bwLog: String?
    public var latLog: String?
    /// write_hist_log's name, its window (log_hist_msec; 0 writes an empty log, as fio) and
    /// log_hist_coarseness.
    public var histLog: String?
    public var histLogMs: UInt64
    public var histLogCoarseness: Int
    public var iopsLog: String?
    public var logAvgMs: UInt64
    /// log_max_value: an averaged latency log line carries the window's largest value.
    public var logMaxValue: Bool
    /// log_unix_epoch / log_alternate_epoch: log times count from this clock's epoch (its
    /// clockid: CLOCK_REALTIME for Unix time), not from the job's start.
    public var logEpochClock: Int32?
    /// per_job_logs=0: jobs share NAME_bw.log instead of NAME_bw.N.log.
    public var perJobLogs: Bool
    public var cpusAllowed: [Int]?
    public var exitall: Bool
    public var exitallOnError: Bool
    /// What this job's exitall stops when it ends (fio exit_what).
    public var exitWhat: ExitWhat
    /// write_iolog: where the job's I/O log (fio iolog version 3) goes.
    public var writeIolog: String?
    /// cpus_allowed_policy=split: the job runs on one CPU of cpusAllowed, picked by its number.
    public var cpusSplit: Bool
    /// Whether the disks under this job's files are tracked for the report's disk_util.
    public var diskUtil: Bool
    public var writeSync: WriteSync?
    public var allowMountedWrite: Bool
    /// Writes may destroy the filesystem, partition table, LVM, RAID or swap signature found on
    /// a block device (swio's own safety; fio writes over them).
    public var allowOverwrite: Bool
    /// allow_file_create=0: a file that does not exist is an error, never created.
    public var allowFileCreate: Bool
    public var preRead: Bool
    public var createOnly: Bool
    public var ioscheduler: String?
    /// offset_increment: each numjobs clone starts this much further than the one before.
    public var offsetIncrement: SizeValue?
    /// What a percentage offset is rounded up to: offset_align, or the smallest block size.
    public var percentOffsetAlign: UInt64
    public var groupReporting: Bool
    /// continue_on_error and ignore_error: which failed I/Os the job survives.
    public var nonFatal: NonFatalErrors
    /// verify= and its options; nil when the job neither writes verifiable blocks nor checks them.
    public var verify: VerifySettings?
    /// unified_rw_reporting: report the directions apart (none), as one (mixed), or both.
    public enum UnifiedReporting: Sendable { case none, mixed, both }
    public var unifiedReporting: UnifiedReporting
    /// log_offset: per-I/O logs carry each I/O's offset; log_prio: its priority value in hex.
    public var logOffset: Bool
    public var logPrio: Bool
    /// log_store_compressed: logs are written as fio's compressed .fz files.
    public var logStoreCompressed: Bool
    /// flow: this job's weight in its flow_id (0: none), and flow_sleep in microseconds.
    public var flow: (weight: Int, id: Int, sleepUs: UInt64)?
    /// fill_device: write until ENOSPC, which then ends the job without an error.
    public var fillDevice: Bool
    /// numa_cpu_nodes: the nodes whose CPUs the job runs on (empty: all).
    public var numaNodes: [Int]?
    /// numa_mem_policy: (mode: 0 default, 1 prefer, 2 bind, 3 interleave, 4 local; nodes).
    public var memPolicy: (mode: Int32, nodes: [Int])?
    /// dedupe_percentage and its mode; buffer_compress_percentage and its chunk.
    public var dedupePercent: Int
    public var dedupeWorkingSet: Int?
    public var compressPercent: Int
    public var compressChunk: Int
    /// latency_target (ns), latency_window (ns), latency_percentile, latency_run.
    public var latencyTarget: (targetNs: UInt64, windowNs: UInt64, percentile: Double, keepRunning: Bool)?
    /// max_latency per direction (ns; 0: none): an I/O slower than this ends the job (ETIMEDOUT).
    public var maxLatencyNs: [UInt64]
    /// exec_prerun / exec_postrun: shell commands run before the job's I/O and after it.
    public var execPrerun: String?
    public var execPostrun: String?
    /// read_iolog: the log to replay instead of generated I/O.
    public var replay: IologReplay?
    /// zonemode=strided: (zonesize, zonerange, zoneskip) in bytes.
    public var strided: (size: UInt64, range: UInt64, skip: UInt64)?
    /// zonemode=zbd: zones emulated on the job's files (fio's model for what is not zoned).
    public struct ZonedEmulation: Sendable {
        public var size: UInt64
        public var capacity: UInt64
        public var maxOpen: Int
        public var jobMaxOpen = 0
        /// zone_reset_threshold and zone_reset_frequency, each from 0 to 1.
        public var resetThreshold = 0.0
        public var resetFrequency = 0.0
        /// read_beyond_wp: reads go where the job sends them, written or not.
        public var readBeyondWP = false
    }
    public var zbd: ZonedEmulation?
    /// steadystate= with ss_dur: end the job once its rate is steady.
    public var steadyState: SteadyStateSettings?
    public var gtodReduce: Bool
    public var disableLat: Bool
    public var disableClat: Bool
    public var disableSlat: Bool
    public var kbBase: Int
    /// How the text report writes numbers: rates in bits (unit_base=1) or bytes, in this many
    /// significant figures (significant_figures).
    public var numbers: NumberStyle

    public static let defaultPercentiles: [Double] = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99]

    public var groupID: Int { definition.groupID }
    public var stonewall: Bool { definition.stonewall }
    public var waitFor: String? { definition["wait_for"] }

    /// Typed view; errors are located at the option's source.
    public init(_ d: JobDefinition) throws {
        definition = d
        kbBase = d["kb_base"] == "1000" ? 1000 : 1024
        numbers = NumberStyle(kbBase: kbBase, bits: d["unit_base"] == "1", figures: Int(d["significant_figures"] ?? "4") ?? 4)
        let kb = kbBase
        func loc(_ n: String) -> SourceLocation { d.setting(n)?.source ?? d.section }
        func wrap<T>(_ n: String, _ f: () throws -> T) throws -> T {
            do { return try f() } catch let e as ValueError { throw JobFileError(loc(n), option: n, e.message) }
        }
        engineName = d.engine?.name ?? (d["ioengine"] ?? "").trimmed.lowercased()
        let eng = d.engine ?? .unavailable(engineName, "ioengine=\(engineName) is not implemented by swio")
        engine = eng
        // The job's value, else its engine's default for it (kevent: bs=40k), else fio's.
        func str(_ n: String) -> String? { d[n] ?? eng.jobDefaults[n] ?? OptionTable.lookup(n)?.defaultValue }
        func int(_ n: String, _ def: Int64 = 0) throws -> Int64 { try wrap(n) { try str(n).map { try Values.integer($0) } ?? def } }
        // Validated by kind when parsed; read here as leniently as the bare-flag kind allows.
        func bool(_ n: String, _ def: Bool = false) throws -> Bool { try wrap(n) { try str(n).map { try Values.flag($0) } ?? def } }
        func time(_ n: String, unit: UInt64 = 1_000_000) throws -> UInt64 { try wrap(n) { try str(n).map { try Values.timeMicros($0, defaultUnitMicros: unit) } ?? 0 } }
        /// A per-direction size; an empty part is that direction's entry in `defaults`.
        func sizes(_ n: String, defaults: [UInt64] = [0, 0, 0]) throws -> [UInt64]? {
            try wrap(n) { try str(n).map { try Values.perDirectionParts($0).enumerated().map { i, p in try p.map { try Values.bytes($0, kbBase: kb) } ?? defaults[i] } } }
        }
        func intsPerDirection(_ n: String) throws -> [UInt64] {
            try wrap(n) { try str(n).map { try Values.perDirection($0, default: "0").map { UInt64(max(0, try Values.integer($0))) } } } ?? [0, 0, 0]
        }
        func sizeValue(_ n: String) throws -> SizeValue? { try wrap(n) { try str(n).map { try Values.size($0, kbBase: kb) } } }

        let rwRaw = (str("rw") ?? "read").lowercased()
        let rwParts = rwRaw.split(separator: ":", maxSplits: 1)
        let rwName = rwParts[0] == "readwrite" ? "rw" : String(rwParts[0])
        guard let mode = RWMode(rawValue: rwName) else { throw JobFileError(loc("rw"), option: "rw", "unknown rw mode '\(rwRaw)'") }
        rw = mode
        // fio reads a random job's :N with atoi(), so randread:8k runs 8 I/Os per offset.
        sequencer = rwParts.count > 1 ? max(1, Int(String(rwParts[1].trimmed.prefix { $0.isASCII && $0.isNumber })) ?? 1) : 1
        sequencerRepeats = str("rw_sequencer")?.lowercased() == "identical"
        // Each sets the other (fio: rwmixread=30 makes rwmixwrite 70), so the one set last wins.
        let readLast = (d.lastSet["rwmixread"] ?? -1) >= (d.lastSet["rwmixwrite"] ?? -1)
        if d.has("rwmixread") && (readLast || !d.has("rwmixwrite")) { rwmixread = Int(try int("rwmixread")) }
        else if d.has("rwmixwrite") { rwmixread = 100 - Int(try int("rwmixwrite")) }
        else { rwmixread = 50 }
        // fio's 4k, or the engine's own default (kevent reads 40 KiB, as in 2006).
        let defaultBS = try wrap("bs") { try Values.bytes(eng.jobDefaults["bs"] ?? "4k", kbBase: kb) }
        let defaultBSs = [defaultBS, defaultBS, defaultBS]
        bs = d.has("bs") ? try sizes("bs", defaults: defaultBSs)! : defaultBSs
        bsrange = try d.has("bsrange") ? wrap("bsrange") { try SizeRange.parsePerDirection(d["bsrange"]!, kbBase: kb, defaultSize: defaultBS) } : nil
        bssplit = try d.has("bssplit") ? wrap("bssplit") { try BlockSplit.parsePerDirection(d["bssplit"]!, kbBase: kb, defaultSize: defaultBS) } : nil
        if let r = bsrange { bs = r.map(\.low) }
        if let s = bssplit { bs = s.map { $0.entries.map(\.size).min() ?? 4096 } }
        if try bool("bs_is_seq_rand") {
            // fio: the read sizes for sequential I/O, the write sizes for random, whatever the
            // direction. A job doing both kinds would need the choice per I/O.
            let mixed = rw.isRandom && (sequencer > 1 || Values.perDirection(str("percentage_random") ?? "100", default: "100").contains { $0 != "100" })
            if mixed { throw JobFileError(loc("bs_is_seq_rand"), option: "bs_is_seq_rand", "bs_is_seq_rand in a job that mixes sequential and random I/O (rw=randread:N, percentage_random) is not implemented") }
            let k = rw.isRandom ? 1 : 0
            bs = [bs[k], bs[k], bs[k]]
            bsrange = bsrange.map { [$0[k], $0[k], $0[k]] }
            bssplit = bssplit.map { [$0[k], $0[k], $0[k]] }
        }
        // After bsrange/bssplit, whose smallest sizes replace bs: a 0 there would make
        // 0-byte I/Os that never finish a size-based job.
        if bs.contains(0) {
            let n = bssplit != nil ? "bssplit" : bsrange != nil ? "bsrange" : "bs"
            throw JobFileError(loc(n), option: n, "block size must be greater than 0")
        }
        blockalign = try sizes("ba", defaults: bs) ?? bs
        // read_iolog: the log says what to do and where (fio sets rw, size and files from it).
        replay = try IologReplay.load(d, option: loc)
        if let r = replay {
            rw = r.mode
            let largest = r.largestBlock
            if largest > 0 { bs = bs.map { max($0, largest) } }
        }
        filenamesGiven = d.has("filename") || replay != nil || d.has("opendir")
        filenames = d["filename"].map(JobConfig.splitPaths) ?? replay?.files ?? []
        if let dir = d["opendir"] {
            let found = try wrap("opendir") { try OpenDir.files(below: dir) }
            guard !found.isEmpty else { throw JobFileError(loc("opendir"), option: "opendir", "opendir=\(dir) holds no regular files") }
            filenames += found
        }
        if filenamesGiven && filenames.isEmpty {
            // fio: "failed parsing filename=" and the job is dropped; swio says why.
            throw JobFileError(loc("filename"), option: "filename", "empty value (an unset ${VAR}?); give a file or device")
        }
        nrfiles = Int(try int("nrfiles", 1))
        filesize = try d.has("filesize") ? wrap("filesize") { try SizeRange.parse(d["filesize"]!, kbBase: kb) } : nil
        size = try sizeValue("size")
        if let r = replay, size == nil {
            // Files laid out (for reads) far enough for every entry.
            size = .bytes(r.entries.map { $0.offset &+ UInt64($0.length) }.max() ?? 0)
        }
        ioSize = try sizeValue("io_size")
        offset = try sizeValue("offset") ?? .bytes(0)
        createOnOpen = try bool("create_on_open")
        unlink = try bool("unlink")
        (fileService, fileServiceSwitch) = try wrap("file_service_type") { try FileService.parse(str("file_service_type") ?? "roundrobin") }
        createFsync = try bool("create_fsync", true)
        fileAppend = try bool("file_append")
        serializeOverlap = try bool("serialize_overlap")
        writeHint = str("write_hint").flatMap { ["none": 1, "short": 2, "medium": 3, "long": 4, "extreme": 5][$0.lowercased()] }
        // (uid_t)-1 would mean "leave it" to the kernel: not an id to run as.
        uid = try d["uid"].map { v in try wrap("uid") { guard let n = UInt32(v.trimmed), n != .max else { throw ValueError("'\(v)' is not a user id (a number below 4294967295)") }; return n } }
        gid = try d["gid"].map { v in try wrap("gid") { guard let n = UInt32(v.trimmed), n != .max else { throw ValueError("'\(v)' is not a group id (a number below 4294967295)") }; return n } }
        lockMemory = try wrap("lockmem") { try str("lockmem").map { try Values.bytes($0, kbBase: kb) } ?? 0 }
        fallocate = str("fallocate") ?? "native"
        invalidate = try bool("invalidate", true)
        switch str("fadvise_hint")?.lowercased() ?? "1" {
        case "0": fadvise = nil
        case "sequential": fadvise = .sequential
        case "random": fadvise = .random
        case "noreuse": fadvise = .noreuse
        default: fadvise = rw.isRandom ? .random : .sequential   // "1": follow the job's rw
        }
        // atomic=1 is O_DIRECT plus an O_ATOMIC Linux never had (fio 3.33 passes a flag bit the
        // kernel ignores), so it is direct I/O.
        direct = try bool("direct") || (d.has("buffered") && !(try bool("buffered", true))) || bool("atomic")
        thread = try bool("thread")
        memAlign = (try sizes("iomem_align"))?.first ?? 0
        memory = try wrap("mem") { try BufferMemory.parse(str("mem") ?? "malloc") }
        // A page size: binary units whatever kb_base says.
        hugePageSize = try wrap("hugepage-size") { try str("hugepage-size").map { try Values.bytes($0, kbBase: 1024) } } ?? 2 << 20
        guard hugePageSize >= 4096, hugePageSize.nonzeroBitCount == 1 else {
            throw JobFileError(loc("hugepage-size"), option: "hugepage-size", "hugepage-size=\(hugePageSize) is not a power of two of at least 4096")
        }
        norandommap = try bool("norandommap")
        if rw.isRandom && !norandommap && blockalign != bs {
            norandommap = true
            blockalignTurnsOffMap = true
        }
        percentageRandom = try wrap("percentage_random") {
            try Values.perDirection(str("percentage_random") ?? "100", default: "100").map { v in
                guard let p = UInt64(v), p <= 100 else { throw ValueError("'\(v)' is not a percentage from 0 to 100") }
                return p
            }
        }
        distribution = try wrap("random_distribution") { try RandomDistribution.parse(str("random_distribution") ?? "random") }
        randrepeat = try bool("randrepeat", true)
        randseed = try wrap("randseed") { try str("randseed").map { try Values.unsignedInteger($0) } } ?? 0x89AB_CDEF
        zeroBuffers = try bool("zero_buffers")
        refillBuffers = try bool("refill_buffers")
        scrambleBuffers = try bool("scramble_buffers", true)
        scrambleBuffersGiven = d.has("scramble_buffers")
        bufferPattern = try d["buffer_pattern"].map { p in try wrap("buffer_pattern") { try JobConfig.parsePattern(p) } }
        runtimeUs = try time("runtime")
        timeBased = try bool("time_based")
        rampUs = try time("ramp_time")
        // startdelay=LOW-HIGH: a delay drawn from the job's seed (fio's delay_state).
        let given: (low: UInt64, high: UInt64)? = try wrap("startdelay") { try str("startdelay").map { try Values.timeRangeMicros($0) } }
        let delay = given ?? (low: 0, high: 0)
        if delay.high > delay.low {
            var rng = RandomGenerator(seed: JobConfig.seed(randrepeat: randrepeat, randseed: randseed, clone: d.cloneIndex) ^ 0xbb67_ae85_84ca_a73b)
            startDelayUs = delay.low + rng.below(delay.high - delay.low + 1)
        } else {
            startDelayUs = delay.low
        }
        numberIOs = UInt64(try int("number_ios"))
        loops = Int(try int("loops", 1))
        rate = try sizes("rate") ?? [0, 0, 0]
        rateIOPS = try intsPerDirection("rate_iops")
        if rate.contains(where: { $0 > 0 }) && rateIOPS.contains(where: { $0 > 0 }) {
            throw JobFileError(loc("rate_iops"), option: "rate_iops", "rate and rate_iops are mutually exclusive (as in fio); set one of them")
        }
        ratePoisson = str("rate_process")?.lowercased() == "poisson"
        rateMin = try sizes("rate_min") ?? [0, 0, 0]
        rateIOPSMin = try intsPerDirection("rate_iops_min")
        rateCycleMs = Int(try int("rate_cycle", 1000))
        thinktimeUs = try time("thinktime", unit: 1)
        thinktimeSpinUs = try time("thinktime_spin", unit: 1)
        thinktimeIOTimeUs = try time("thinktime_iotime")
        thinktimeBlocksGiven = d.has("thinktime_blocks")
        rateIgnoresThinktime = try bool("rate_ignore_thinktime")
        nice = d.has("nice") ? Int32(try int("nice")) : nil
        if d.has("prio") || d.has("prioclass") {
            // fio: a level without a class is best-effort; a class without a level gets level 0.
            // Class 0 (none) with a level is best-effort, as fio's ioprio_value() makes it.
            var ioclass = d.has("prioclass") ? Int32(try int("prioclass")) : 2
            if ioclass == 0 { ioclass = 2 }
            ioPriority = (ioclass, d.has("prio") ? Int32(try int("prio")) : 0)
        } else { ioPriority = nil }
        thinktimeBlocks = Int(try int("thinktime_blocks", 1))
        thinkOnIssue = str("thinktime_blocks_type")?.lowercased() == "issue"
        fsyncEvery = Int(try int("fsync"))
        fdatasyncEvery = Int(try int("fdatasync"))
        endFsync = try bool("end_fsync")
        iodepth = Int(try int("iodepth", 1))
        // A blktrace's own depth, when the job does not set one (as fio).
        if !d.has("iodepth"), let probed = replay?.probedDepth { iodepth = probed }
        // fio's fixup_options(): iodepth_low 0 or above iodepth is iodepth (refill at once);
        // iodepth_batch_submit 0 is iodepth; iodepth_batch_complete_max stays as given (0
        // unless given), and IOLoop raises it to the min: one completion per reap by default.
        let low = Int(try int("iodepth_low"))
        iodepthLow = low == 0 || low > iodepth ? iodepth : low
        let submit = Int(try int("iodepth_batch", 1))
        batchSubmit = submit == 0 || submit > iodepth ? iodepth : submit
        batchCompleteMin = Int(try int("iodepth_batch_complete_min", 1))
        batchCompleteMax = Int(try int("iodepth_batch_complete_max"))
        if let pl = d["percentile_list"] {
            // fio sorts the list (percentile_list=99:50:1 reports 1, 50, 99).
            percentiles = pl.split(separator: ":").compactMap { Double($0.trimmed) }.sorted()
            // ...and prints as many decimals as the longest one has (50:99 -> "50th", 99.5 -> "99.5th").
            percentilePrecision = pl.split(separator: ":").map { p in p.split(separator: ".").dropFirst().first.map { $0.trimmed.count } ?? 0 }.max() ?? 0
        } else { percentiles = JobConfig.defaultPercentiles }
        clatPercentiles = try bool("clat_percentiles", true)
        latPercentiles = try bool("lat_percentiles")
        slatPercentiles = try bool("slat_percentiles")
        bwAvgMs = max(1, try time("bwavgtime", unit: 1000) / 1000)
        iopsAvgMs = max(1, try time("iopsavgtime", unit: 1000) / 1000)
        // Given bare, fio names the log after the job.
        bwLog = d.setting("write_bw_log").map { $0.value ?? d.name }
        latLog = d.setting("write_lat_log").map { $0.value ?? d.name }
        histLog = d.setting("write_hist_log").map { $0.value ?? d.name }
        histLogMs = UInt64(try int("log_hist_msec"))
        histLogCoarseness = Int(try int("log_hist_coarseness"))
        iopsLog = d.setting("write_iops_log").map { $0.value ?? d.name }
        logAvgMs = UInt64(try int("log_avg_msec"))
        logMaxValue = try bool("log_max_value")
        // fio's set_epoch_time(): either option, on log_alternate_epoch_clock_id's clock.
        logEpochClock = try bool("log_unix_epoch") || bool("log_alternate_epoch") ? Int32(try int("log_alternate_epoch_clock_id")) : nil
        perJobLogs = try bool("per_job_logs", true)
        cpusAllowed = try d["cpus_allowed"].map { c in try wrap("cpus_allowed") { try JobConfig.parseCPUList(c) } }
        if cpusAllowed == nil, let mask = d["cpumask"] {
            // fio: a bit mask of the CPUs, bit 0 = CPU 0 (an int: CPUs 0-31).
            let bits = try wrap("cpumask") { try Values.integer(mask) }
            guard bits > 0, bits <= Int64(UInt32.max) else { throw JobFileError(loc("cpumask"), option: "cpumask", "cpumask=\(mask) names no CPU of 0-31 (use cpus_allowed for others)") }
            cpusAllowed = (0..<32).filter { bits & (1 << Int64($0)) != 0 }
            // fio refuses a CPU the machine does not have ("CPU 31 too large (max=7)").
            let cpus = Int(sysconf(Int32(_SC_NPROCESSORS_CONF)))
            if let top = cpusAllowed?.last, cpus > 0, top >= cpus {
                throw JobFileError(loc("cpumask"), option: "cpumask", "cpumask=\(mask) names CPU \(top); this machine has CPUs 0-\(cpus - 1)")
            }
        }
        exitall = try bool("exitall")
        exitallOnError = try bool("exitall_on_error")
        exitWhat = ExitWhat(rawValue: str("exit_what")?.lowercased() ?? "group") ?? .group
        writeIolog = d["write_iolog"]
        cpusSplit = str("cpus_allowed_policy")?.lowercased() == "split"
        diskUtil = try bool("disk_util", true)
        switch str("sync")?.lowercased() ?? "none" {
        case "1", "sync": writeSync = .sync
        case "dsync": writeSync = .dsync
        default: writeSync = nil
        }
        offsetIncrement = try sizeValue("offset_increment")
        allowMountedWrite = try bool("allow_mounted_write")
        allowOverwrite = try bool("allow_overwrite")
        allowFileCreate = try bool("allow_file_create", true)
        preRead = try bool("pre_read")
        createOnly = try bool("create_only")
        ioscheduler = str("ioscheduler")
        let offsetAlign = (try sizes("offset_align"))?.first ?? 0
        percentOffsetAlign = offsetAlign > 0 ? offsetAlign : JobConfig.minBlockSize(bs)
        groupReporting = try bool("group_reporting")
        let coeLast = (d.lastSet["continue_on_error"] ?? -1) > (d.lastSet["ignore_error"] ?? Int.max)
        nonFatal = try wrap("ignore_error") {
            try NonFatalErrors.parse(continueOnError: str("continue_on_error"), ignoreError: str("ignore_error"), continueOnErrorLast: coeLast)
        }
        gtodReduce = try bool("gtod_reduce")
        disableLat = try bool("disable_lat") || gtodReduce
        disableClat = try bool("disable_clat") || gtodReduce
        disableSlat = try bool("disable_slat") || gtodReduce
        steadyState = try SteadyStateSettings.make(d, kbBase: kbBase, option: loc)
        switch (str("unified_rw_reporting") ?? "none").lowercased() {
        case "mixed", "1": unifiedReporting = .mixed
        case "both", "2": unifiedReporting = .both
        default: unifiedReporting = .none
        }
        logOffset = try bool("log_offset")
        logPrio = try bool("log_prio")
        logStoreCompressed = try bool("log_store_compressed")
        let targetUs = try time("latency_target", unit: 1)
        if targetUs > 0 {
            let pctText = (str("latency_percentile") ?? "100").replacingPercent
            guard let pct = Double(pctText), pct > 0, pct <= 100 else { throw JobFileError(loc("latency_percentile"), option: "latency_percentile", "'\(pctText)' is not a percentage") }
            latencyTarget = (targetUs * 1000, try time("latency_window", unit: 1) * 1000, pct, try bool("latency_run"))
        } else { latencyTarget = nil }
        maxLatencyNs = try wrap("max_latency") {
            try Values.perDirection(str("max_latency") ?? "0", default: "0").map { try Values.timeMicros($0, defaultUnitMicros: 1) * 1000 }
        }
        execPrerun = str("exec_prerun").flatMap { $0.isEmpty ? nil : $0 }
        execPostrun = str("exec_postrun").flatMap { $0.isEmpty ? nil : $0 }
        let weight = Int(try int("flow"))
        flow = weight != 0 ? (weight, Int(try int("flow_id")), UInt64(try int("flow_sleep"))) : nil
        fillDevice = try bool("fill_device")
        // Checked as syntax now; the nodes are looked up when the job starts (fio parses a
        // job for nodes this machine lacks, and fails it when it runs).
        numaNodes = try d["numa_cpu_nodes"].map { v in try wrap("numa_cpu_nodes") { v.lowercased() == "all" ? [] : try JobConfig.parseCPUList(v) } }
        memPolicy = try d["numa_mem_policy"].map { v in try wrap("numa_mem_policy") { try JobConfig.parseMemPolicy(v) } }
        dedupePercent = Int(try int("dedupe_percentage"))
        dedupeWorkingSet = (str("dedupe_mode") ?? "repeat").lowercased() == "working_set" ? Int(try int("dedupe_working_set_percentage", 5)) : nil
        compressPercent = Int(try int("buffer_compress_percentage"))
        compressChunk = Int(max(1, try sizes("buffer_compress_chunk")?.first ?? 512))
        if dedupePercent > 0 || compressPercent > 0 { refillBuffers = true }
        let zoneSize = try sizes("zonesize")?.first ?? 0
        let zoneMode = (str("zonemode") ?? "none").lowercased()
        zbd = nil
        if zoneMode == "zbd" {
            // fio: "Specifying the zone size is mandatory for regular file/block device with --zonemode=zbd".
            guard zoneSize >= 512 else { throw JobFileError(loc("zonesize"), option: "zonesize", "zonemode=zbd needs zonesize of at least 512 bytes (fio: the zone size is mandatory for a regular file or block device)") }
            let cap = try sizes("zonecapacity")?.first ?? 0
            guard cap <= zoneSize else { throw JobFileError(loc("zonecapacity"), option: "zonecapacity", "zonecapacity \(cap) is larger than zonesize \(zoneSize)") }
            let maxOpen = Int(try int("max_open_zones")), jobMaxOpen = Int(try int("job_max_open_zones"))
            // fio: job_max_open_zones limits a job within the device's (or max_open_zones') limit.
            if jobMaxOpen > 0 && maxOpen == 0 { throw JobFileError(loc("job_max_open_zones"), option: "job_max_open_zones", "job_max_open_zones needs max_open_zones with emulated zones") }
            if blockSizes(1).max > zoneSize || blockSizes(2).max > zoneSize {
                throw JobFileError(loc("bs"), option: "bs", "a block larger than zonesize \(zoneSize) (fio: I/O buflen exceeds zone size)")
            }
            if cap > 0 && cap < blockSizes(1).min { throw JobFileError(loc("zonecapacity"), option: "zonecapacity", "zonecapacity \(cap) is less than the smallest write block") }
            func share(_ n: String) throws -> Double {
                let v = str(n) ?? "0"
                guard let x = Double(v), x >= 0, x <= 1 else { throw JobFileError(loc(n), option: n, "'\(v)' is not a number from 0 to 1") }
                return x
            }
            zbd = ZonedEmulation(size: zoneSize, capacity: cap > 0 ? cap : zoneSize, maxOpen: maxOpen, jobMaxOpen: jobMaxOpen,
                                 resetThreshold: try share("zone_reset_threshold"), resetFrequency: try share("zone_reset_frequency"),
                                 readBeyondWP: try bool("read_beyond_wp"))
            if zbd!.resetFrequency > 0 && d["verify"].map({ $0 != "none" && $0 != "0" }) == true {
                throw JobFileError(loc("zone_reset_frequency"), option: "zone_reset_frequency", "zone resets would lose data that verify= reads back")
            }
            strided = nil
        } else if zoneMode == "strided" {
            guard zoneSize > 0 else { throw JobFileError(loc("zonemode"), option: "zonemode", "zonemode=strided needs zonesize (fio: \"--zonesize must be specified when using --zonemode=strided\")") }
            let range = try sizes("zonerange")?.first ?? 0
            strided = (zoneSize, range > 0 ? range : zoneSize, try sizes("zoneskip")?.first ?? 0)
        } else {
            if zoneSize > 0 { throw JobFileError(loc("zonesize"), option: "zonesize", "zonesize needs zonemode=strided or zbd (fio: \"--zonemode=none and --zonesize are not compatible\")") }
            strided = nil
        }
        verify = nil
        verify = try VerifySettings.make(d, rw: rw, writeSizes: blockSizes(1), readMin: blockSizes(0).min, option: loc)
    }

    /// The smallest and largest block of direction d (bs, bsrange or bssplit).
    public func blockSizes(_ d: Int) -> (min: UInt64, max: UInt64) {
        if let r = bsrange, d < r.count { return (r[d].low, r[d].high) }
        if let s = bssplit, d < s.count, let lo = s[d].entries.map(\.size).min(), let hi = s[d].entries.map(\.size).max() { return (lo, hi) }
        return (bs[d], bs[d])
    }

    /// Smallest block size a direction is set to: what fio rounds percentage offsets and sizes to.
    public var minBlockSize: UInt64 { JobConfig.minBlockSize(bs) }
    static func minBlockSize(_ bs: [UInt64]) -> UInt64 { max(1, bs.filter { $0 > 0 }.min() ?? 1) }

    /// Largest block size any direction may use (for buffer allocation).
    public var maxBlockSize: UInt64 {
        var m = bs.max() ?? 4096
        if let r = bsrange { m = max(m, r.map(\.high).max() ?? m) }
        if let s = bssplit { m = max(m, s.flatMap { $0.entries.map(\.size) }.max() ?? m) }
        return m
    }

    /// fio get_next_str(): ':' separates names, '\:' is a literal colon.
    public static func splitPaths(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var it = s.makeIterator()
        while let c = it.next() {
            if c == "\\" {
                if let n = it.next() { if n == ":" { cur.append(":") } else { cur.append(c); cur.append(n) } } else { cur.append(c) }
            } else if c == ":" { out.append(cur); cur = "" } else { cur.append(c) }
        }
        out.append(cur)
        return out.filter { !$0.isEmpty }
    }

    /// A job's random seed: with randrepeat, randseed (plus the clone number, so numjobs clones
    /// differ) and the same every run; without, a new one each time.
    public static func seed(randrepeat: Bool, randseed: UInt64, clone: Int) -> UInt64 {
        randrepeat ? randseed &+ UInt64(clone) : UInt64.random(in: 0...UInt64.max)
    }
    public var seed: UInt64 { JobConfig.seed(randrepeat: randrepeat, randseed: randseed, clone: definition.cloneIndex) }

    /// buffer_pattern: 0xHEX, "string" or a decimal integer, or several run together
    /// (fio's parse_and_fill_pattern(): 0x11"ab"0x22 is 11 61 62 22; swio also takes '|'
    /// between parts).
    public static func parsePattern(_ p: String) throws -> [UInt8] {
        var out: [UInt8] = []
        let c = Array(p)
        var i = 0
        while i < c.count {
            let ch = c[i]
            if ch == " " || ch == "\t" || ch == "|" { i += 1; continue }
            if ch == "\"" || ch == "'" {
                guard let close = c[(i + 1)...].firstIndex(of: ch) else { throw ValueError("unterminated string in buffer_pattern '\(p)'") }
                out += Array(String(c[(i + 1)..<close]).utf8)
                i = close + 1
            } else if ch == "0" && i + 1 < c.count && (c[i + 1] == "x" || c[i + 1] == "X") {
                var j = i + 2
                while j < c.count && c[j].isHexDigit { j += 1 }
                var hex = String(c[(i + 2)..<j])
                guard !hex.isEmpty else { throw ValueError("'\(p)' is not a hex pattern (0x needs hex digits)") }
                if hex.count % 2 == 1 { hex = "0" + hex }
                var k = hex.startIndex
                while k < hex.endIndex {
                    let l = hex.index(k, offsetBy: 2)
                    out.append(UInt8(hex[k..<l], radix: 16)!)
                    k = l
                }
                i = j
            } else if ch.isASCII && ch.isNumber {
                var j = i
                while j < c.count && c[j].isASCII && c[j].isNumber { j += 1 }
                guard let n = UInt64(String(c[i..<j])) else { throw ValueError("'\(String(c[i..<j]))' in buffer_pattern is too large") }
                // Little-endian, in as many bytes as the value needs (fio: 1234 is d2 04).
                var v = n
                repeat { out.append(UInt8(v & 0xff)); v >>= 8 } while v > 0
                i = j
            } else {
                throw ValueError("'\(p)' is not a pattern (0xHEX, \"text\" or a number, run together or with '|')")
            }
        }
        guard !out.isEmpty else { throw ValueError("empty buffer_pattern") }
        return out
    }

    /// numa_cpu_nodes: the CPUs of the listed nodes (sysfs), "all" for every node.
    public static func cpusOfNodes(_ list: [Int]) throws -> [Int] {
        let online = readSysfs("/sys/devices/system/node/online")
        guard let online else { throw ValueError("this system shows no NUMA nodes (/sys/devices/system/node)") }
        let nodes = list.isEmpty ? try parseCPUList(online) : list
        var cpus: [Int] = []
        for n in nodes {
            guard let l = readSysfs("/sys/devices/system/node/node\(n)/cpulist") else { throw ValueError("NUMA node \(n) does not exist (online: \(online))") }
            cpus += try parseCPUList(l)
        }
        return cpus
    }

    /// numa_mem_policy=MODE[:NODES] as fio parses it.
    static func parseMemPolicy(_ v: String) throws -> (mode: Int32, nodes: [Int]) {
        let parts = v.split(separator: ":", maxSplits: 1).map(String.init)
        let nodes = try parts.count > 1 ? parseCPUList(parts[1]) : []
        switch parts[0].lowercased() {
        case "default", "local":
            guard nodes.isEmpty else { throw ValueError("numa_mem_policy=\(parts[0]) takes no node list") }
            return (parts[0].lowercased() == "local" ? 4 : 0, [])
        case "prefer":
            guard nodes.count == 1 else { throw ValueError("one node only for 'prefer'") }
            return (1, nodes)
        case "bind":
            guard !nodes.isEmpty else { throw ValueError("a nodelist is needed for 'bind'") }
            return (2, nodes)
        case "interleave":
            return (3, nodes.isEmpty ? (try parseCPUList(readSysfs("/sys/devices/system/node/online") ?? "0")) : nodes)
        default: throw ValueError("memory policy should be: default, prefer, bind, interleave, local")
        }
    }

    static func readSysfs(_ path: String) -> String? { (try? readWholeFile(path))?.trimmed }

    /// "0-1,3" -> [0, 1, 3]
    public static func parseCPUList(_ s: String) throws -> [Int] {
        var cpus: [Int] = []
        for part in s.split(separator: ",") {
            let r = part.split(separator: "-")
            guard let a = Int(r[0].trimmed) else { throw ValueError("'\(part)' is not a CPU number or range") }
            let b = r.count > 1 ? Int(r[1].trimmed) : a
            guard let b, b >= a, b < 4096 else { throw ValueError("'\(part)' is not a CPU range") }
            cpus += Array(a...b)
        }
        // A set, as fio's CPU mask: split then counts CPUs in ascending order.
        return Array(Set(cpus)).sorted()
    }
}

/// fio's exit_what: the jobs an exitall stop reaches (fio_terminate_threads()).
public enum ExitWhat: String, Sendable {
    /// The jobs of the finishing job's group (new_group / stonewall make groups).
    case group
    /// Every job running now; the next stonewalled group still starts.
    case stonewall
    /// Everything, and later groups do not start.
    case all
}

extension String {
    /// The text without a trailing '%'.
    var replacingPercent: String { hasSuffix("%") ? String(dropLast()) : self }
}
