import Testing
@testable import SwioCore
import SwioEngines

/// Job files in the manner of fio 3.33's examples/ (written here, using the options those
/// examples use): every one whose engines swio has parses into runnable jobs, and the few
/// features still missing are errors that name them.
struct FioExampleJobsTests {
    static let parsing: [(String, String)] = [
        ("basic-verify", "[write-and-verify]\nrw=randwrite\nsize=64m\ndirect=1\nioengine=libaio\niodepth=16\nverify=crc32c\n"),
        ("cross-stripe-verify", "[global]\nbs=4k\nverify=crc32c\nverify_backlog=1\nverify_dump=1\nrw=randwrite\n[stripe-a]\nfilename=/tmp/cross\nsize=8m\noffset=0\n[stripe-b]\nfilename=/tmp/cross\nsize=8m\noffset=8m\n"),
        ("enospc-pressure", "[global]\nioengine=libaio\ndirect=1\nverify=crc32c-intel\nverify_async=4\nverify_backlog=1024\nverify_dump=1\nverify_fatal=1\nbs=16k\nsize=128m\n[writer]\nrw=randwrite\n[trimmer]\nrw=randtrim\nstonewall\n"),
        ("surface-scan", "[global]\nioengine=sync\nbs=512\nfill_device=1\ncreate_serialize=0\n[write-phase]\nrw=write\nverify=meta\nverify_interval=512\nverify_pattern=0xaa555aa5\ndo_verify=0\n[verify-phase]\nstonewall\nrw=read\nverify=meta\nverify_interval=512\nverify_pattern=0xaa555aa5\n"),
        ("steadystate", "[global]\nthreads=1\ngroup_reporting=1\ntime_based\nsize=128m\n[ss-iops]\nss=iops:10%\nss_dur=30s\nss_ramp=10s\nrw=randread\n[ss-bw]\nstonewall\nss=bw_slope:1%\nss_dur=10s\nss_ramp=5s\nrw=read\n"),
        ("waitfor", "[global]\nthreads=1\nsize=16m\n[first]\nrw=write\n[second]\nwait_for=first\nrw=read\n"),
        ("disk-zone-profile", "[global]\nioengine=libaio\nbs=64k\ndirect=1\nrw=read\nzonemode=strided\nzonesize=256m\nzoneskip=2g\nwrite_bw_log\nlog_offset=1\n[profile]\nfilename=/dev/sdx\n"),
        ("butterfly", "[global]\nfilename=/tmp/butterfly\nsize=64m\nbs=4k\n[forward]\nrw=read\nflow=2\n[backward]\nrw=read:-8k\nflow=2\n"),
        ("flow", "[global]\nioengine=libaio\nsize=256m\ntime_based\nruntime=10\n[light]\nflow_id=1\nflow=1\nflow_sleep=1000\n[heavy]\nflow_id=1\nflow=8\n"),
        ("fixed-rate-submission", "[fixed-rate]\nioengine=libaio\nrw=randread\nrate_iops=1000\nio_submit_mode=offload\niodepth=32\nsize=64m\n"),
        ("poisson-rate-submission", "[poisson]\nioengine=libaio\nrw=randread\nrate_iops=500\nrate_process=poisson\nio_submit_mode=offload\nsize=64m\n"),
        ("dedupe-global", "[global]\nioengine=libaio\nsize=64m\nrw=write\ndedupe_percentage=50\ndedupe_mode=working_set\ndedupe_working_set_percentage=50\ndedupe_global=1\nbuffer_compress_percentage=50\n[a]\n[b]\n"),
        ("numa", "[global]\nioengine=libaio\nsize=16m\n[bind]\nnuma_cpu_nodes=0\nnuma_mem_policy=bind:0\n[interleave]\nnuma_cpu_nodes=all\nnuma_mem_policy=interleave\n"),
        ("unified", "[mixed]\nrw=randrw\nunified_rw_reporting=both\nsize=16m\nrandom_generator=tausworthe64\nallrandrepeat=1\n"),
        ("netio", "[receiver]\nioengine=net\nlisten\nport=8888\nprotocol=tcp\nrw=read\nsize=64m\n[sender]\nioengine=net\nhostname=127.0.0.1\nport=8888\nprotocol=tcp\nrw=write\nsize=64m\n"),
        ("cmdprio-percentage", "[prio]\nioengine=libaio\ncmdprio_percentage=20\nlog_prio=1\nsize=16m\n"),
        ("cmdprio-bssplit", "[prio]\nioengine=io_uring\ncmdprio_bssplit=64k/25/1/1:64k/75/3/2:1024k/0,1024k/0\nbssplit=64k/50:1024k/50\nsize=16m\n"),
        ("latency-profile", "[target]\nioengine=libaio\nlatency_target=500ms\nlatency_window=5s\nlatency_percentile=99.9\nrandom_generator=lfsr\nsize=16m\n"),
        ("zipf", "[zipf]\nioengine=null\nrw=randread\nrandom_distribution=zipf:1.2\nsize=1g\nnorandommap\n"),
        ("zbd", "[zoned]\nzonemode=zbd\nzonesize=256m\nmax_open_zones=32\nrw=randwrite\nbs=512k\nfilename=/dev/nullb0\n"),
        ("zbd-gc", "[zoned]\nzonemode=zbd\nzonesize=256m\nzone_reset_threshold=0.5\nzone_reset_frequency=1\nrw=randwrite\nfilename=/dev/nullb0\n"),
    ]

    /// What fio 3.33 has that swio still lacks: (example, option named in the error).
    static let missing: [(String, String, String)] = [
        ("cgroup", "[limited]\ncgroup=fio\ncgroup_weight=500\nsize=16m\n", "cgroup"),
    ]

    func parse(_ text: String, _ name: String) throws -> [JobConfig] {
        var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
        return try p.parse(text: text, file: name + ".fio").jobs.map { try JobConfig($0) }
    }

    @Test func examplesParse() throws {
        for (name, text) in Self.parsing {
            #expect(throws: Never.self, "\(name)") { _ = try parse(text, name) }
        }
    }

    @Test func missingFeaturesAreNamed() throws {
        for (name, text, option) in Self.missing {
            do {
                _ = try parse(text, name)
                Issue.record("\(name) parsed; expected an error naming \(option)")
            } catch let e as JobFileError {
                #expect(e.option == option && e.description.contains("not implemented"), "\(name): \(e)")
            }
        }
    }
}
