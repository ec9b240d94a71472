import Testing
import Foundation
import SwioCore
import SwioEngines
#if canImport(Glibc)
import Glibc
#endif

/// Data verification: fio's on-disk format in both directions with the real fio, and every
/// injected corruption caught in a valid report.
@Suite(.serialized) struct VerifyTests {
    static let hasFio = which("fio") != nil

    /// One job, run in this process with its engine, `damage` applied between the writes and
    /// the verify phase.
    func runDamaged(_ text: String, damage: @escaping (String) -> Void) throws -> JobExecution {
        try runVerifyingJob(text, before: { j in damage(j.files[0].path) })
    }

    /// The same, with the job itself at hand (its verifier's list of blocks).
    func runVerifyingJob(_ text: String, before: @escaping (JobExecution) -> Void) throws -> JobExecution {
        var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
        let parsed = try p.parse(text: text, file: "verify.fio")
        var config = try JobConfig(try #require(parsed.jobs.first))
        config.verify?.stateSave = false   // no state file in this process's directory
        let job = JobExecution(config: config)
        job.beforeVerifyPhase = before
        config.engine.run(job)
        return job
    }

    func pwriteBytes(_ path: String, _ bytes: [UInt8], at offset: Int) {
        let fd = open(path, O_WRONLY)
        defer { close(fd) }
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
    }
    func preadBytes(_ path: String, _ n: Int, at offset: Int) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var b = [UInt8](repeating: 0, count: n)
        _ = b.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, off_t(offset)) }
        return b
    }

    @Test func aCleanRunReadsEverythingBackWithoutError() throws {
        let dir = makeTempDir()
        for (rw, extra) in [("write", ""), ("randwrite", ""), ("randwrite", "norandommap=1\n"), ("write", "bsrange=4k-16k\n")] {
            let (result, _) = try runJobs("[v]\nfilename=\(dir)/f\nrw=\(rw)\nbs=4k\nsize=256k\nverify=crc32c\n\(extra)")
            let s = result.jobs[0].stats
            #expect(s.firstError == 0, "\(rw) \(extra): \(s.firstErrorMessage ?? "")")
            #expect(s.dirs[0].bytes > 0 && s.dirs[0].bytes <= s.dirs[1].bytes, "\(rw) \(extra): read back \(s.dirs[0].bytes) of \(s.dirs[1].bytes)")
            if extra.isEmpty { #expect(s.dirs[0].bytes == 256 * 1024) }
        }
    }

    @Test func everyInjectedCorruptionIsCaught() throws {
        let dir = makeTempDir()
        let job = "[v]\nfilename=\(dir)/f\nrw=randwrite\nbs=8k\nsize=512k\nverify=md5\nrandseed=7\n"
        // A flipped byte in the data, a flipped byte in a header, a torn write (the second half
        // of a block zeroed), and a stale block: one from an earlier run with another seed.
        let flipData = try runDamaged(job) { p in
            var b = self.preadBytes(p, 1, at: 5 * 8192 + 4000); b[0] ^= 0x40
            self.pwriteBytes(p, b, at: 5 * 8192 + 4000)
        }
        let flipHeader = try runDamaged(job) { p in
            var b = self.preadBytes(p, 1, at: 9 * 8192 + 17); b[0] ^= 1
            self.pwriteBytes(p, b, at: 9 * 8192 + 17)
        }
        let torn = try runDamaged(job) { p in self.pwriteBytes(p, [UInt8](repeating: 0, count: 4096), at: 3 * 8192 + 4096) }
        let earlier = "[v]\nfilename=\(dir)/old\nrw=randwrite\nbs=8k\nsize=512k\nverify=md5\nrandseed=8\ndo_verify=0\n"
        _ = try runJobs(earlier)
        let stale = try runDamaged(job) { p in self.pwriteBytes(p, self.preadBytes("\(dir)/old", 8192, at: 12 * 8192), at: 12 * 8192) }
        for (name, j) in [("flipped data", flipData), ("flipped header", flipHeader), ("torn write", torn), ("stale block", stale)] {
            #expect(j.stats.firstError == EILSEQ, "\(name): error \(j.stats.firstError) \(j.stats.firstErrorMessage ?? "")")
            #expect(j.end == .failed, "\(name)")
        }
        #expect(flipData.stats.firstErrorMessage?.contains("md5: verify failed at file") == true)
        #expect(flipData.stats.firstErrorMessage?.contains("offset 40960") == true)
        #expect(stale.stats.firstErrorMessage?.contains("bad header rand_seed") == true, "\(stale.stats.firstErrorMessage ?? "")")
        // An undamaged run through the same path reports nothing.
        let clean = try runDamaged(job) { _ in }
        #expect(clean.stats.firstError == 0 && clean.stats.dirs[0].bytes == 512 * 1024)
    }

    @Test func aCorruptionEndsInAValidReportAndExitStatus() throws {
        let dir = makeTempDir()
        let f = dir + "/f"
        #expect(try runSwio(["--name=w", "--filename=\(f)", "--rw=write", "--bs=4k", "--size=64k", "--verify=crc32c", "--do_verify=0"]).status == 0)
        pwriteBytes(f, [0xff, 0xfe], at: 4096 * 7 + 2000)
        let r = try runSwio(["--name=r", "--filename=\(f)", "--rw=read", "--bs=4k", "--size=64k", "--verify=crc32c", "--output-format=json"])
        #expect(r.status != 0)
        let job = try r.job()
        #expect(job["error"] as? Int == Int(EILSEQ))
        #expect(r.err.contains("crc32c: verify failed at file \(f) offset 28672, length 4096"))
        #expect(r.err.contains("Expected CRC:") && r.err.contains("Received CRC:"))
        // continue_on_error=verify counts every bad block and goes on.
        pwriteBytes(f, [0x00], at: 4096 * 9 + 100)
        let c = try runSwio(["--name=r", "--filename=\(f)", "--rw=read", "--bs=4k", "--size=64k", "--verify=crc32c",
                             "--continue_on_error=verify", "--output-format=json"])
        let cj = try c.job()
        #expect(cj["total_err"] as? Int == 2, "\(cj["total_err"] ?? "-")")
    }

    @Test func verifyOnlyReadsWhatTheJobWouldWrite() throws {
        let dir = makeTempDir()
        let f = dir + "/f"
        let common = ["--filename=\(f)", "--rw=randwrite", "--bs=4k", "--size=128k", "--verify=xxhash", "--output-format=json"]
        #expect(try runSwio(["--name=w", "--do_verify=0"] + common).status == 0)
        let r = try runSwio(["--name=w", "--verify_only=1"] + common)
        let job = try r.job()
        #expect(r.status == 0, "\(r.err)")
        #expect((job["write"] as? [String: Any])?["io_bytes"] as? Int == 0)
        #expect((job["read"] as? [String: Any])?["io_bytes"] as? Int == 128 * 1024)
    }

    @Test func patternsWithOffsetsAreWrittenAndChecked() throws {
        let dir = makeTempDir()
        let f = dir + "/f"
        let r = try runSwio(["--name=w", "--filename=\(f)", "--rw=write", "--bs=4k", "--size=16k", "--verify=pattern",
                             "--verify_pattern=\"ab\"-120x01%o", "--output-format=json"])
        #expect(r.status == 0, "\(r.err)")
        // "ab", -12 as 4 bytes, 0x01, then the block's offset as 8 bytes little-endian.
        #expect(preadBytes(f, 15, at: 4096) == [0x61, 0x62, 0xf4, 0xff, 0xff, 0xff, 0x01, 0x00, 0x10, 0, 0, 0, 0, 0, 0])
        pwriteBytes(f, [0x55], at: 8192 + 300)
        let bad = try runSwio(["--name=r", "--filename=\(f)", "--rw=read", "--bs=4k", "--size=16k", "--verify=pattern",
                               "--verify_pattern=\"ab\"-120x01%o", "--output-format=json"])
        #expect(bad.status != 0)
        #expect(bad.err.contains("bad pattern block offset 300"))
    }

    @Test func theBacklogReadsBackWhileWriting() throws {
        let dir = makeTempDir()
        for engine in ["psync", "libaio", "io_uring"] {
            let r = try runSwio(["--name=b", "--filename=\(dir)/\(engine)", "--ioengine=\(engine)", "--iodepth=8", "--rw=randwrite", "--bs=4k",
                                 "--size=512k", "--verify=crc32c", "--verify_backlog=16", "--verify_backlog_batch=8", "--output-format=json"])
            let job = try r.job()
            #expect(job["error"] as? Int == 0, "\(engine): \(r.err)")
            // Every block is read back once: in the backlog's turns, the rest after the writes.
            #expect((job["read"] as? [String: Any])?["io_bytes"] as? Int == 512 * 1024, "\(engine)")
            #expect((job["write"] as? [String: Any])?["io_bytes"] as? Int == 512 * 1024, "\(engine)")
        }
        // fio reads back nothing in the backlog without do_verify, and neither does swio.
        let none = try runSwio(["--name=b", "--filename=\(dir)/n", "--rw=write", "--bs=4k", "--size=256k", "--verify=crc32c",
                                "--verify_backlog=16", "--do_verify=0", "--output-format=json"]).job()
        #expect((none["read"] as? [String: Any])?["io_bytes"] as? Int == 0)
    }

    @Test func trimmedBlocksMustReadBackAsZeros() throws {
        let dir = makeTempDir()
        let job = "[t]\nfilename=\(dir)/f\nrw=write\nbs=4k\nsize=1m\nverify=crc32c\ntrim_percentage=25\ntrim_backlog=16\n"
        var trimmedAt: UInt64? = nil
        let clean = try runDamaged(job) { _ in }
        #expect(clean.stats.firstError == 0, "\(clean.stats.firstErrorMessage ?? "")")
        let trimmedBytes = clean.stats.dirs[2].bytes
        #expect(trimmedBytes > 128 * 1024 && trimmedBytes < 384 * 1024, "\(trimmedBytes) trimmed")
        #expect(clean.stats.dirs[0].bytes == 1 << 20)
        // Data where a trimmed block should read zeros is caught.
        let damaged = try runVerifyingJob(job, before: { j in
            guard let v = j.verifier else { return }
            for i in 0..<v.scriptCount where v.scriptEntry(i).trimmed {
                trimmedAt = v.scriptEntry(i).offset
                self.pwriteBytes(j.files[0].path, [0x5a], at: Int(v.scriptEntry(i).offset) + 100)
                break
            }
        })
        #expect(trimmedAt != nil)
        #expect(damaged.stats.firstError == EILSEQ && damaged.stats.firstErrorMessage?.contains("trim: verify failed") == true,
                "\(damaged.stats.firstErrorMessage ?? "")")
    }

    @Test func experimentalVerifyReadsBackInTheOrderWritten() throws {
        let dir = makeTempDir()
        let r = try runSwio(["--name=e", "--filename=\(dir)/f", "--rw=randwrite", "--norandommap", "--bs=4k", "--size=256k", "--verify=crc32c",
                             "--experimental_verify=1", "--write_iolog=\(dir)/log", "--output-format=json"])
        #expect(try r.job()["error"] as? Int == 0, "\(r.err)")
        var writes: [Int] = [], reads: [Int] = []
        for line in try String(contentsOfFile: dir + "/log", encoding: .utf8).split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count == 5, let off = Int(f[3]) else { continue }
            if f[2] == "write" { writes.append(off) } else if f[2] == "read" { reads.append(off) }
        }
        // Each block's last write, in the order of those writes (an overwritten one is not read
        // for its older contents).
        var last: [Int: Int] = [:]
        for (i, o) in writes.enumerated() { last[o] = i }
        #expect(reads == writes.enumerated().filter { last[$0.element] == $0.offset }.map(\.element))
    }

    @Test func badVerifyOptionsAreLocatedErrors() throws {
        for (args, text) in [(["--verify=sha7"], "verify"), (["--verify=crc32c", "--verify_interval=32"], "leaves no room"),
                             (["--verify=pattern"], "needs verify_pattern"), (["--verify_state_load=1", "--verify=md5"], "verify_state_load"),
                             (["--verify_pattern=\"unterminated"], "unterminated")] {
            let r = try runSwio(["--name=x", "--filename=/tmp/swio-never", "--rw=write", "--size=64k"] + args)
            #expect(r.status == 1 && r.err.contains(text), "\(args): \(r.err)")
        }
    }

    /// Both directions with the real fio: several checksum types, sequential and random, two
    /// jobs at different offsets, intervals smaller than the block.
    @Test(.enabled(if: VerifyTests.hasFio, "needs fio (apt-get install fio)"))
    func interoperatesWithFioInBothDirections() throws {
        let fio = try #require(which("fio"))
        let dir = makeTempDir()
        let cases: [(String, [String])] = [
            ("crc32c", ["--rw=write"]), ("md5", ["--rw=randwrite"]), ("sha256", ["--rw=randwrite", "--verify_interval=4k"]),
            ("crc64", ["--rw=write", "--numjobs=2", "--offset_increment=128k"]), ("xxhash", ["--rw=randwrite", "--offset=64k"]),
            ("sha3-512", ["--rw=write", "--verify_offset=512"]), ("crc7", ["--rw=randwrite"]), ("sha1", ["--rw=write"]),
            ("crc16", ["--rw=write"]), ("sha512", ["--rw=write"]), ("crc32", ["--rw=randwrite"]), ("sha3-224", ["--rw=write"]),
        ]
        for (type, opts) in cases {
            let base = ["--bs=16k", "--size=128k", "--verify=\(type)"] + opts.filter { !$0.hasPrefix("--rw") }
            let readRW = opts.contains("--rw=randwrite") ? "--rw=randread" : "--rw=read"
            // fio writes, swio reads and checks.
            let a = dir + "/fio-\(type)"
            let w = try sh(fio, ["--name=w", "--filename=\(a)", "--do_verify=0"] + base + opts.filter { $0.hasPrefix("--rw") }, cwd: dir)
            #expect(w.status == 0, "fio write \(type): \(w.err)")
            let r = try runSwio(["--name=r", "--filename=\(a)", readRW, "--output-format=json"] + base)
            #expect(r.status == 0, "swio reading fio's \(type): \(r.err)")
            // swio writes, fio reads and checks.
            let b = dir + "/swio-\(type)"
            let sw = try runSwio(["--name=w", "--filename=\(b)", "--do_verify=0"] + base + opts.filter { $0.hasPrefix("--rw") })
            #expect(sw.status == 0, "swio write \(type): \(sw.err)")
            let fr = try sh(fio, ["--name=r", "--filename=\(b)", readRW] + base, cwd: dir)
            #expect(fr.status == 0, "fio reading swio's \(type): \(fr.out) \(fr.err)")
            // And each catches a flipped byte in the other's data: in the last piece of a block
            // (fio 3.33 prints but does not count a bad piece before the last), and for sha512
            // in the 128 bytes fio's value covers.
            let start = opts.contains("--offset=64k") ? 65536 : 0
            let at = start + (type == "sha512" ? 16384 * 2 + 40 + 128 + 100 : 16384 * 2 + 13000)
            pwriteBytes(b, [preadBytes(b, 1, at: at)[0] ^ 0x10], at: at)
            #expect(try sh(fio, ["--name=r", "--filename=\(b)", readRW] + base, cwd: dir).status != 0, "fio missed a flipped byte in swio's \(type)")
            pwriteBytes(a, [preadBytes(a, 1, at: at)[0] ^ 0x10], at: at)
            #expect(try runSwio(["--name=r", "--filename=\(a)", readRW] + base).status != 0, "swio missed a flipped byte in fio's \(type)")
        }
    }

    /// verify_state_save/verify_state_load in fio's format: a write stopped part way leaves how
    /// far it got, and a later verify_only run reads back only that, in swio and in fio.
    @Test func verifyStateBoundsTheVerifyPhase() throws {
        let dir = makeTempDir()
        let job = ["--name=w", "--filename=\(dir)/f", "--rw=write", "--bs=4k", "--size=4m", "--verify=crc32c", "--aux-path=\(dir)", "--output-format=json"]
        let w = try runSwio(job + ["--do_verify=0", "--rate=1m", "--runtime=1"]).job()
        let written = (w["write"] as? [String: Any])?["total_ios"] as? Int ?? 0
        #expect(written > 100 && written < 1024, "\(written)")
        let path = dir + "/local-w-0-verify.state"
        let state = try VerifyState.load(path)
        #expect(state.depth == 1 && state.files == 1 && (state.numberio == UInt64(written) || state.numberio == UInt64(written) + 1))
        #expect(state.completions.map(\.offset) == [UInt64(written - 1) * 4096])
        let bounded = try runSwio(job + ["--verify_only=1", "--verify_state_load=1"])
        #expect(try bounded.job()["error"] as? Int == 0 && (try bounded.job()["read"] as? [String: Any])?["total_ios"] as? Int == written)
        #expect(bounded.err.contains("verifying \(written) of 1024 blocks"))
        // Without the state the unwritten blocks fail.
        #expect(try runSwio(job + ["--verify_only=1"]).job()["error"] as? Int == Int(EILSEQ))
        if VerifyTests.hasFio {
            let f = try sh(which("fio")!, job + ["--verify_only=1", "--verify_state_load=1"])
            let j = try JSONSerialization.jsonObject(with: Data(f.out[f.out.firstIndex(of: "{")!...].utf8)) as? [String: Any]
            let fj = try #require((j?["jobs"] as? [[String: Any]])?.first)
            #expect(fj["error"] as? Int == 0 && (fj["read"] as? [String: Any])?["total_ios"] as? Int == written, "fio: \(f.err)")
        }
        // A damaged state stops the job before any I/O; verify_state_save=0 writes none.
        pwriteBytes(path, [0xff], at: 40)
        let bad = try runSwio(job + ["--verify_only=1", "--verify_state_load=1"])
        #expect(bad.status == 1 && bad.err.contains("verify_state_load") && bad.err.contains("corrupt"))
        try FileManager.default.removeItem(atPath: path)
        _ = try runSwio(job + ["--do_verify=0", "--size=64k", "--verify_state_save=0"])
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
