import Testing
@testable import SwioCore
import SwioEngines
#if canImport(Glibc)
import Glibc
#endif

/// Writes files into a fresh temporary directory.
struct TempDir {
    let path: String
    init() {
        var template = Array("/tmp/swio-test-XXXXXX".utf8CString)
        path = String(cString: mkdtemp(&template)!)
    }
    @discardableResult func write(_ name: String, _ text: String) -> String {
        let p = path + "/" + name
        let f = fopen(p, "w")!
        fputs(text, f)
        fclose(f)
        return p
    }
}

func parse(_ text: String, env: [String: String] = [:], ignoreUnsupported: Bool = false) throws -> ParseResult {
    var p = JobFileParser(options: ParseOptions(ignoreUnsupported: ignoreUnsupported, environment: env, engines: EngineRegistry.catalog))
    return try p.parse(text: text, file: "t.fio")
}

func parseError(_ text: String, env: [String: String] = [:]) -> JobFileError? {
    do { _ = try parse(text, env: env); return nil } catch let e as JobFileError { return e } catch { return nil }
}

@Suite struct ParserTests {
    @Test func globalSectionsAccumulateAndApplyToLaterJobs() throws {
        // [V] job a got size=64k, job b after a second [global] got 32k.
        let r = try parse("""
        [global]
        size=64k
        bs=8k
        [a]
        [global]
        size=32k
        [b]
        """)
        #expect(r.jobs.map(\.name) == ["a", "b"])
        #expect(r.jobs[0]["size"] == "64k")
        #expect(r.jobs[1]["size"] == "32k")
        #expect(r.jobs[1]["bs"] == "8k")
        #expect(r.jobs[0].setting("size")?.source.description == "t.fio:2")
    }

    @Test func anySectionStartingWithGlobalIsGlobal() throws {
        // [V] fio strncmp(name, "global", 6): [global_x] is global.
        let r = try parse("[global_x]\nsize=1m\n[job]\n")
        #expect(r.jobs.count == 1)
        #expect(r.jobs[0]["size"] == "1m")
    }

    @Test func optionOutsideSectionIsAnError() {
        // [V] "fio: option <size=1m> outside of [] job section", exit 1.
        let e = parseError("size=1m\n[a]\n")
        #expect(e?.location.line == 1)
        #expect(e?.option == "size")
        #expect(e?.reason.contains("outside") == true)
    }

    @Test func commentsWholeLineAndInline() throws {
        // [V] "size=64k ; comment" works; lines starting with # or ; are comments.
        let r = try parse("""
        # comment
        ; another
        [a]
        size=64k ; inline
        bs=4k # inline too
          ; indented comment
        """)
        #expect(r.jobs[0]["size"] == "64k")
        #expect(r.jobs[0]["bs"] == "4k")
    }

    @Test func includeIsRelativeToTheIncludingFile() throws {
        let d = TempDir()
        _ = try { () throws -> Void in
            _ = mkdir(d.path + "/sub", 0o755)
        }()
        d.write("sub/common.fio", "bs=16k\nsize=2m\n")
        let main = d.write("main.fio", "[a]\ninclude sub/common.fio\nrw=read\n")
        var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
        let r = try p.parse(files: [main])
        #expect(r.jobs[0]["bs"] == "16k")
        #expect(r.jobs[0].setting("bs")?.source.description == d.path + "/sub/common.fio:1")
        #expect(r.jobs[0]["rw"] == "read")
    }

    @Test func includedFilesCannotOpenSections() throws {
        // fio: "No new sections in included files".
        let d = TempDir()
        d.write("inc.fio", "[b]\nsize=1m\n")
        let main = d.write("main.fio", "[a]\ninclude inc.fio\n")
        var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
        #expect(throws: JobFileError.self) { try p.parse(files: [main]) }
        // And include outside a section is an option outside a section.
        let bad = d.write("bad.fio", "include inc.fio\n[a]\n")
        #expect(throws: JobFileError.self) { try p.parse(files: [bad]) }
        let missing = d.write("missing.fio", "[a]\ninclude nope.fio\n")
        do { _ = try p.parse(files: [missing]); Issue.record("no error") } catch let e as JobFileError {
            #expect(e.location.line == 2 && e.reason.contains("nope.fio"))
        }
    }

    @Test func environmentVariablesAndKeywords() throws {
        // [V] ${VAR} from the environment; undefined becomes empty (with a warning).
        let r = try parse("[a]\nsize=${SZ}\nfilename=/tmp/${UNSET}x\n", env: ["SZ": "8m"])
        #expect(r.jobs[0]["size"] == "8m")
        #expect(r.jobs[0]["filename"] == "/tmp/x")
        #expect(r.warnings.contains { $0.contains("UNSET") })
        // $pagesize, $ncpus, $mb_memory; arithmetic with them is evaluated without bc.
        let k = try parse("[a]\nbs=$pagesize\nnumjobs=$ncpus\niodepth=$ncpus*2\n")
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let cpus = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #expect(k.jobs[0]["bs"] == String(page))
        #expect(k.jobs.count == cpus)
        #expect(k.jobs[0]["iodepth"] == String(cpus * 2))
        let m = try parse("[a]\nsize=$mb_memory\n")
        #expect(Int(m.jobs[0]["size"]!)! > 0)
    }

    @Test func bareFlagsAndValuedBooleans() throws {
        // FIO_OPT_STR_SET options stand bare.
        let r = try parse("[a]\ntime_based\nstonewall\ngroup_reporting\nthread\nnorandommap\nruntime=1\n")
        #expect(r.jobs[0].flag("time_based"))
        #expect(r.jobs[0].flag("norandommap"))
        // [V] "Option direct requires an argument", job dropped, exit 1.
        let e = parseError("[a]\ndirect\n")
        #expect(e?.option == "direct")
        #expect(e?.reason.contains("requires an argument") == true)
        #expect(try parse("[a]\ndirect=1\n").jobs[0]["direct"] == "1")
        #expect(parseError("[a]\ndirect=maybe\n") != nil)
        // The async engines' nowait is a boolean in fio 3.33 too ("Option nowait requires an
        // argument"), while fixedbufs, registerfiles and userspace_reap stand bare.
        #expect(parseError("[a]\nioengine=io_uring\nnowait\n")?.reason.contains("requires an argument") == true)
        #expect(try parse("[a]\nioengine=libaio\nnowait=1\nuserspace_reap\n").jobs[0].flag("nowait"))
        #expect(try parse("[a]\nioengine=io_uring\nfixedbufs\nregisterfiles\n").jobs[0].flag("fixedbufs"))
        // fio 3.33 takes any number for a bare flag, set unless 0 (norandommap=2, =0x1, =1k,
        // time_based=-1), but its 0/1 options stop at 1 ("max value out of range: 2").
        for v in ["2", "0x1", "1k", "-1"] { #expect(try parse("[a]\nnorandommap=\(v)\n").jobs[0].flag("norandommap"), "\(v)") }
        #expect(try !parse("[a]\ntime_based=0\n").jobs[0].flag("time_based"))
        #expect(try JobConfig(parse("[a]\nrw=randread\nnorandommap=2\n").jobs[0]).norandommap)
        #expect(parseError("[a]\nnorandommap=abc\n")?.option == "norandommap")
        #expect(parseError("[a]\ndirect=2\n")?.option == "direct")
        // io_uring's nonvectored is fio's plain integer, -1 by default; force_async and
        // sqthread_poll_cpu take -1 as fio does.
        #expect(try parse("[a]\nioengine=io_uring\nnonvectored=-1\nforce_async=-1\nsqthread_poll_cpu=-1\n").jobs.count == 1)
    }

    @Test func numjobsClonesGetTheirOwnNumbers() throws {
        // fio add_job(): clones drop stonewall/new_group and get their own subjob number.
        let r = try parse("[a]\nnumjobs=3\nstonewall\n[b]\n")
        #expect(r.jobs.count == 4)
        #expect(r.jobs.map(\.cloneIndex) == [0, 1, 2, 0])
        #expect(r.jobs.map(\.jobNumber) == [0, 1, 2, 3])
        #expect(r.jobs.map(\.name) == ["a", "a", "a", "b"])
        #expect(r.jobs[1].stonewall == false)
    }

    @Test func stonewallAndNewGroupStartGroups() throws {
        // add_job(): stonewall or new_group increments groupid if earlier jobs exist.
        let r = try parse("[a]\nstonewall\n[b]\n[c]\nwait_for_previous\n[d]\nnew_group\n[e]\n")
        #expect(r.jobs.map(\.groupID) == [0, 0, 1, 2, 2])
        #expect(r.jobs.map(\.stonewall) == [true, false, true, false, false])
    }

    @Test func eachLaterJobFileImpliesAStonewall() throws {
        // fio parse_jobs_ini(..., i, ...): job files after the first get an implicit stonewall.
        let d = TempDir()
        let f1 = d.write("1.fio", "[a]\n[b]\n")
        let f2 = d.write("2.fio", "[c]\n[d]\n")
        var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
        let r = try p.parse(files: [f1, f2])
        #expect(r.jobs.map(\.groupID) == [0, 0, 1, 1])
        #expect(r.jobs.map(\.stonewall) == [false, false, true, false])
    }

    @Test func waitForNeedsAnEarlierJob() throws {
        let r = try parse("[a]\n[b]\nwait_for=a\n")
        #expect(r.jobs[1]["wait_for"] == "a")
        let e = parseError("[a]\nwait_for=zzz\n")
        #expect(e?.option == "wait_for")
    }

    @Test func unknownOptionsGetDidYouMean() {
        // [V] "Bad option <iodepht=4> Did you mean iodepth?"
        let e = parseError("[a]\niodepht=4\n")
        #expect(e?.location.description == "t.fio:2")
        #expect(e?.option == "iodepht")
        #expect(e?.reason.contains("did you mean 'iodepth'") == true)
        #expect(e?.description.hasPrefix("t.fio:2: option 'iodepht':") == true)
    }

    @Test func badValuesSayWhatWasExpected() {
        let e = parseError("[a]\nbs=4q\n")
        #expect(e?.option == "bs")
        #expect(e?.reason.contains("not a size") == true)
        #expect(parseError("[a]\nrw=randreed\n")?.reason.contains("did you mean 'randread'") == true)
        #expect(parseError("[a]\nnumjobs=0\n")?.reason.contains("minimum") == true)
        #expect(parseError("[a]\nruntime=10x\n")?.option == "runtime")
        #expect(parseError("[a]\nioengine=libaoi\n")?.reason.contains("did you mean 'libaio'") == true)
    }

    @Test func aliasesResolveToFioNames() throws {
        let r = try parse("[a]\nreadwrite=randread\nblocksize=8k\niodepth_batch_submit=4\nblockalign=8k\nwait_for_previous\n")
        #expect(r.jobs[0]["rw"] == "randread")
        #expect(r.jobs[0]["bs"] == "8k")
        // fio's own names for these two are the short ones (fio --cmdhelp=ba: "alias: blockalign").
        #expect(r.jobs[0]["iodepth_batch"] == "4")
        #expect(r.jobs[0]["ba"] == "8k")
        #expect(r.jobs[0].flag("stonewall"))
    }

    @Test func unsupportedOptionsFailOrWarn() throws {
        // swio knows gtod_cpu but does not implement it: error, or a warning when asked.
        let e = parseError("[a]\ngtod_cpu=1\n")
        #expect(e?.reason.contains("not implemented") == true)
        let r = try parse("[a]\ngtod_cpu=1\n", ignoreUnsupported: true)
        #expect(r.warnings.contains { $0.contains("gtod_cpu") })
        #expect(parseError("[a]\nioengine=sg\nsg_write_mode=verify\n")?.option == "ioengine")
        // An unimplemented option is rejected naming the option and line.
        let c = parseError("[a]\nioengine=libaio\ngtod_cpu=1\n")
        #expect(c?.option == "gtod_cpu" && c?.location.line == 3)
        #expect(c?.reason.contains("not implemented") == true)
    }

    @Test func startdelayTakesARange() throws {
        // fio 3.33 accepts startdelay=10ms-50ms: a delay in that range, from the job's seed.
        let a = try JobConfig(parse("[a]\nstartdelay=10ms-50ms\n").jobs[0]).startDelayUs
        let b = try JobConfig(parse("[a]\nstartdelay=10ms-50ms\n").jobs[0]).startDelayUs
        #expect(a >= 10_000 && a <= 50_000 && a == b)
        #expect(try JobConfig(parse("[a]\nstartdelay=2\n").jobs[0]).startDelayUs == 2_000_000)
        #expect(parseError("[a]\nstartdelay=50ms-10ms\n")?.option == "startdelay")
    }

    @Test func theLaterOfRwmixreadAndRwmixwriteWins() throws {
        // fio 3.33: rwmixread=30 then rwmixwrite=30 reads 70%; the other order reads 30%.
        #expect(try JobConfig(parse("[a]\nrw=randrw\nrwmixread=30\nrwmixwrite=30\n").jobs[0]).rwmixread == 70)
        #expect(try JobConfig(parse("[a]\nrw=randrw\nrwmixwrite=30\nrwmixread=30\n").jobs[0]).rwmixread == 30)
        #expect(try JobConfig(parse("[global]\nrwmixwrite=10\n[a]\nrw=randrw\nrwmixread=30\n").jobs[0]).rwmixread == 30)
        #expect(try JobConfig(parse("[a]\nrw=randrw\nrwmixwrite=10\n").jobs[0]).rwmixread == 90)
    }

    @Test func emptyValuesAreErrors() throws {
        // fio: "failed parsing filename=" (the job is dropped), for any option (bs=, rw=,
        // description=) and for an unset ${VAR}; swio says which line and why, instead of
        // running the job on no file or with a default.
        let e = parseError("[a]\nsize=1m\nfilename=${NOPE_SWIO_TEST}\n")
        #expect(e?.option == "filename" && e?.location.line == 3 && e?.reason.contains("empty") == true && e?.reason.contains("${NOPE_SWIO_TEST}") == true, "\(String(describing: e))")
        for opt in ["bs", "rw", "description", "size"] {
            let b = parseError("[a]\nioengine=null\n\(opt)= \n")
            #expect(b?.option == opt && b?.location.line == 3 && b?.reason.contains("empty value") == true, "\(opt): \(String(describing: b))")
        }
    }

    @Test func fioOptionsSwioLacksAreNamedAsSuchAndRunWhenOff() throws {
        // cgroup is a fio option: "not implemented", not "unknown option".
        let e = parseError("[a]\ncgroup=x\n")
        #expect(e?.option == "cgroup" && e?.reason.contains("not implemented") == true, "\(String(describing: e))")
        #expect(parseError("[a]\nsync_file_range=write:8\n")?.reason.contains("sync_file_range=write:8") == true)
        // Values that leave the feature off ask for nothing swio lacks, so the job runs.
        #expect(try parse("[a]\nfill_device=0\nverify=none\nzonemode=none\nlockfile=none\n").jobs.count == 1)
        #expect(parseError("[a]\nlockfile=exclusive\n")?.option == "lockfile")
        // Options swio used to accept and then ignore: what they ask for is reported, their
        // off/default values run.
        for bad in ["unlink_each_loop=1", "openfiles=2"] {
            #expect(parseError("[a]\n\(bad)\n")?.reason.contains("not implemented") == true, "\(bad)")
        }
        #expect(try parse("[a]\nmem=mmap\nfile_service_type=random:2\nunit_base=1\nmax_latency=1ms\n").jobs.count == 1)
        // fio's fixup_options(): iodepth_low 0 or above iodepth is iodepth, and
        // iodepth_batch_submit=0 is iodepth; iodepth_batch_complete_max stays as given (0).
        func config(_ extra: String) throws -> JobConfig { try JobConfig(try parse("[a]\niodepth=16\n\(extra)\n").jobs[0]) }
        #expect(try config("iodepth_low=0").iodepthLow == 16 && config("iodepth_low=32").iodepthLow == 16)
        #expect(try config("iodepth_low=4").iodepthLow == 4)
        // atomic=1 is direct I/O on Linux, as fio's (O_ATOMIC does not exist there).
        #expect(try config("atomic=1").direct && !config("").direct)
        #expect(try config("iodepth_batch_submit=0").batchSubmit == 16 && config("").batchSubmit == 1)
        #expect(try config("").batchCompleteMax == 0 && config("iodepth_batch_complete_max=8").batchCompleteMax == 8)
    }

    @Test func continueOnErrorAndIgnoreErrorAsFio() throws {
        // fio 3.33 (td_error.c): only EIO and EILSEQ are non-fatal by default; ignore_error
        // replaces a type's list and turns continuing on for that type.
        let coe = try NonFatalErrors.parse(continueOnError: "all", ignoreError: nil)
        #expect(coe.survives(.read, errno: EIO) && coe.survives(.write, errno: EIO) && !coe.survives(.read, errno: EINVAL))
        let w = try NonFatalErrors.parse(continueOnError: "write", ignoreError: nil)
        #expect(!w.survives(.read, errno: EIO) && w.survives(.trim, errno: EIO) && w.survives(.fsync, errno: EIO))
        let ie = try NonFatalErrors.parse(continueOnError: nil, ignoreError: "EAGAIN,ENOSPC:122")
        #expect(ie.survives(.read, errno: EAGAIN) && !ie.survives(.read, errno: EIO))
        #expect(ie.survives(.write, errno: ENOSPC) && ie.survives(.write, errno: 122) && !ie.survives(.write, errno: EIO))
        #expect(!ie.continues.verify && ie.any)
        #expect(!(try NonFatalErrors.parse(continueOnError: "none", ignoreError: nil)).any)
        // fio stops a list at its first empty item and reads -22 as 22.
        let empty = try NonFatalErrors.parse(continueOnError: nil, ignoreError: "EIO::EINVAL")
        #expect(empty.survives(.read, errno: EIO) && !empty.survives(.read, errno: EINVAL))
        #expect(try NonFatalErrors.parse(continueOnError: nil, ignoreError: "-22").survives(.read, errno: EINVAL))
        // Options apply in order: continue_on_error after ignore_error replaces what it turned on.
        let later = try JobConfig(try parse("[a]\nignore_error=EINVAL\ncontinue_on_error=none\n").jobs[0]).nonFatal
        #expect(!later.any)
        let earlier = try JobConfig(try parse("[a]\ncontinue_on_error=none\nignore_error=EINVAL\n").jobs[0]).nonFatal
        #expect(earlier.survives(.read, errno: EINVAL))
        // The job's own continue_on_error is set after the [global] ignore_error (fio 3.33:
        // stops at the first EINVAL), though [global] set continue_on_error first.
        let viaGlobal = try JobConfig(try parse("[global]\ncontinue_on_error=none\nignore_error=EINVAL\n[a]\ncontinue_on_error=none\n").jobs[0]).nonFatal
        #expect(!viaGlobal.any)
        func configError(_ text: String) -> JobFileError? {
            do { _ = try JobConfig(try parse(text).jobs[0]); return nil } catch { return error as? JobFileError }
        }
        let bad = configError("[a]\nignore_error=EFOO\n")
        #expect(bad?.option == "ignore_error" && bad?.reason.contains("'EFOO' is not an errno name") == true, "\(String(describing: bad))")
        #expect(configError("[a]\nignore_error=EIO,EIO,EIO,EIO\n")?.option == "ignore_error")
    }

    @Test func engineOptionsAreCheckedAgainstTheEngine() throws {
        // [V] fio 3.33 with psync: "Bad option <hipri>".
        #expect(parseError("[a]\nhipri\n")?.option == "hipri")
        #expect(try parse("[a]\nioengine=io_uring\nhipri\nfixedbufs\n").jobs.count == 1)
        #expect(try parse("[a]\nioengine=pvsync2\nhipri\n").jobs.count == 1)
        #expect(parseError("[a]\nioengine=libaio\nfixedbufs\n")?.reason.contains("io_uring") == true)
    }

    @Test func nameOptionOverridesTheSection() throws {
        let r = try parse("[sec]\nname=renamed\n")
        #expect(r.jobs[0].name == "renamed")
    }

    @Test func typedConfig() throws {
        let r = try parse("""
        [a]
        rw=randrw:4
        rwmixwrite=30
        bs=4k,16k
        bssplit=4k/50:8k/50
        size=50%
        runtime=2m
        thinktime=100
        percentile_list=50:99:99.9
        kb_base=1000
        rate=1m
        """)
        let c = try JobConfig(r.jobs[0])
        #expect(c.rw == .randrw)
        #expect(c.sequencer == 4)
        #expect(c.rwmixread == 70)
        #expect(c.size == .percent(50))
        #expect(c.runtimeUs == 120_000_000)
        #expect(c.thinktimeUs == 100)
        #expect(c.percentiles == [50, 99, 99.9])
        // kb_base=1000 applies to the whole section regardless of order (fio sorts by priority).
        #expect(c.rate[0] == 1_000_000)
    }

    @Test func fadviseHintFollowsRwUnlessGiven() throws {
        // fio: fadvise_hint=1 (the default) advises RANDOM for random rw and SEQUENTIAL
        // otherwise; 0 gives no advice; a named advice applies as is.
        let r = try parse("""
        [seq]
        rw=read
        [rand]
        rw=randrw
        [off]
        rw=randread
        fadvise_hint=0
        [named]
        rw=read
        fadvise_hint=noreuse
        """)
        let advice = try r.jobs.map { try JobConfig($0).fadvise }
        #expect(advice == [.sequential, .random, nil, .noreuse])
        #expect(throws: JobFileError.self) { try parse("[j]\nfadvise_hint=rand\n") }
    }

    @Test func commandLineJobsAndGlobalOverrides() throws {
        // fio: options before the first --name are global; each --name starts a job.
        let d = TempDir()
        let f = d.write("j.fio", "[global]\nbs=8k\n[filejob]\n")
        var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
        let r = try p.parse(files: [f], commandLine: [("bs", "16k"), ("name", "x"), ("rw", "write"), ("name", "y")])
        #expect(r.jobs.map(\.name) == ["filejob", "x", "y"])
        #expect(r.jobs[0]["bs"] == "16k")
        #expect(r.jobs[0].setting("bs")?.source == .commandLine)
        #expect(r.jobs[1]["rw"] == "write")
        #expect(r.jobs[2]["rw"] == nil)
        #expect(r.jobs[1].groupID == 1)   // command-line jobs follow the files, like another file
        // fio applies argv in order: a job's own option after its --name wins over a global one
        // ("--rw=read --name=a --rw=write" writes; job b keeps the global read).
        let r2 = try p.parse(files: [], commandLine: [("rw", "read"), ("bs", "4k"), ("name", "a"), ("rw", "write"), ("bs", "8k"), ("name", "b")])
        #expect(r2.jobs.map { $0["rw"] } == ["write", "read"])
        #expect(r2.jobs.map { $0["bs"] } == ["8k", "4k"])
    }

    @Test func optionNamesAreUnique() {
        var seen = Set<String>()
        for o in OptionTable.all {
            for n in [o.name] + o.aliases {
                #expect(!seen.contains(n), "duplicate option name \(n)")
                seen.insert(n)
            }
        }
        // The options fio's examples use most are all known.
        for n in ["rw", "ioengine", "bs", "size", "iodepth", "filename", "stonewall", "numjobs", "direct", "runtime",
                  "startdelay", "time_based", "verify", "group_reporting", "thread", "name", "number_ios", "directory",
                  "norandommap", "filesize", "io_size", "offset", "buffered", "nrfiles", "rwmixread", "rwmixwrite", "port",
                  "hostname", "protocol", "listen", "bssplit", "new_group", "blocksize", "filename_format", "wait_for",
                  "loops", "random_distribution", "ramp_time", "rate", "rate_iops", "log_avg_msec", "percentile_list",
                  "iodepth_batch_submit", "iodepth_batch_complete_min", "iodepth_batch_complete_max", "fsync",
                  "fdatasync", "end_fsync", "invalidate", "unlink", "randrepeat", "randseed", "blockalign",
                  "zero_buffers", "refill_buffers", "buffer_pattern", "kb_base", "unit_base", "description",
                  "write_bw_log", "write_lat_log", "write_iops_log", "cpus_allowed", "exitall", "thinktime", "create_on_open"] {
            // Generic, or an engine's (port, hostname: fio's net engine).
            let engines = EngineRegistry.catalog.builtIn + EngineRegistry.catalog.notImplemented
            #expect(OptionTable.lookup(n) != nil || engines.contains { $0.option(n) != nil }, "missing \(n)")
        }
    }
}
