import Testing
import Foundation
import SwioCore

/// Many hosts on MPI, as ranks of one machine (mpirun --oversubscribe): per-rank targets, one
/// merged report whose totals and percentiles come from the ranks', skew, and the failures.
@Suite(.serialized, .enabled(if: which("mpirun") != nil, "needs Open MPI (apt-get install openmpi-bin)"))
struct MPITests {
    func mpirun(_ np: Int, _ args: [String], program: String? = nil, extra: [String] = []) throws -> (status: Int32, out: String, err: String) {
        try sh(which("mpirun")!, ["--oversubscribe", "--allow-run-as-root", "-np", String(np)] + extra + [program ?? swioBinary] + args)
    }

    func clients(_ out: String) throws -> (hosts: [[String: Any]], all: [String: Any], top: [String: Any]) {
        let top = try jsonObject(out)
        let cs = try #require(top["client_stats"] as? [[String: Any]])
        let all = try #require(cs.last)
        #expect(all["jobname"] as? String == "All clients")
        return (Array(cs.dropLast()), all, top)
    }

    @Test func totalsAreTheSumOfTheRanks() throws {
        let dir = makeTempDir()
        let r = try mpirun(4, ["--name=m", "--filename=\(dir)/f.${SWIO_RANK}", "--rw=randread", "--bs=4k", "--size=2m", "--output-format=json"])
        #expect(r.status == 0, "\(r.err)")
        let (hosts, all, top) = try clients(r.out)
        #expect(hosts.count == 4 && hosts.allSatisfy { $0["hostname"] as? String != nil })
        for k in ["io_bytes", "total_ios"] {
            let sum = hosts.compactMap { ($0["read"] as? [String: Any])?[k] as? Int }.reduce(0, +)
            #expect((all["read"] as? [String: Any])?[k] as? Int == sum, "\(k)")
        }
        #expect((all["read"] as? [String: Any])?["io_bytes"] as? Int == 4 * 2 << 20)
        // Each rank had its own file.
        for i in 0..<4 { #expect(fileSize("\(dir)/f.\(i)") == 2 << 20) }
        let mpi = try #require((top["swio"] as? [String: Any])?["mpi"] as? [String: Any])
        #expect(mpi["ranks"] as? Int == 4 && (mpi["hosts"] as? [Any])?.count == 4)
        #expect(mpi["start_skew_ms"] as? Int != nil && mpi["end_skew_ms"] as? Int != nil)
    }

    @Test func mergedPercentilesAreThoseOfThePooledSamples() throws {
        let r = try mpirun(3, ["--name=m", "--ioengine=null", "--rw=randread", "--size=64m", "--output-format=json+"])
        #expect(r.status == 0, "\(r.err)")
        let (hosts, all, _) = try clients(r.out)
        var pooled: [UInt64: UInt64] = [:]
        var n: UInt64 = 0, lo = UInt64.max, hi: UInt64 = 0
        for h in hosts {
            let c = try #require((h["read"] as? [String: Any])?["clat_ns"] as? [String: Any])
            for (k, v) in c["bins"] as? [String: Any] ?? [:] { pooled[UInt64(k)!, default: 0] += UInt64(v as? Int ?? 0) }
            n += UInt64(c["N"] as? Int ?? 0)
            lo = min(lo, UInt64(c["min"] as? Int ?? 0)); hi = max(hi, UInt64(c["max"] as? Int ?? 0))
        }
        let merged = try #require((all["read"] as? [String: Any])?["clat_ns"] as? [String: Any])
        #expect(merged["N"] as? Int == Int(n) && pooled.values.reduce(0, +) == n)
        let sorted = pooled.sorted { $0.key < $1.key }
        let pct = try #require(merged["percentile"] as? [String: Any])
        #expect(pct.count >= 10)
        for (key, value) in pct {
            let p = Double(key)!
            let countAt = max(1, UInt64((p.nextDown * Double(n) / 100).rounded(.up)))
            var acc: UInt64 = 0, expected: UInt64 = 0
            for (v, c) in sorted { acc += c; if acc >= countAt { expected = min(max(v, lo), hi); break } }
            if p >= 100 { expected = hi }
            #expect(UInt64(value as? Int ?? -1) == expected, "p\(key)")
        }
    }

    @Test func stonewalledGroupsStartTogether() throws {
        let dir = makeTempDir()
        try "[global]\nioengine=null\nsize=8m\n[a]\n[b]\nstonewall\n".write(toFile: dir + "/g.fio", atomically: true, encoding: .utf8)
        let r = try mpirun(2, [dir + "/g.fio", "--output-format=json"])
        #expect(r.status == 0, "\(r.err)")
        let (hosts, _, top) = try clients(r.out)
        #expect(hosts.count == 4)
        let mpi = try #require((top["swio"] as? [String: Any])?["mpi"] as? [String: Any])
        #expect((mpi["hosts"] as? [[String: Any]])?.allSatisfy { $0["barrier_us"] as? Int != nil } == true)
    }

    @Test func aFailingRankReportsItsErrorAndTheOthersFinish() throws {
        let dir = makeTempDir()
        for i in [0, 2] { #expect(FileManager.default.createFile(atPath: "\(dir)/f.\(i)", contents: Data(count: 1 << 20))) }
        // Rank 1 has no file and no size: its job fails; the others read theirs.
        let r = try mpirun(3, ["--name=m", "--filename=\(dir)/f.${SWIO_RANK}", "--rw=read", "--output-format=json"])
        #expect(r.status != 0)
        let (hosts, all, _) = try clients(r.out)
        #expect(hosts.map { $0["error"] as? Int ?? -1 } == [0, Int(EINVAL), 0])
        #expect((all["read"] as? [String: Any])?["io_bytes"] as? Int == 2 << 20)
        #expect(all["error"] as? Int == Int(EINVAL))
    }

    @Test func aRankThatDiesEndsTheRunWithAReportNotAHang() throws {
        let dir = makeTempDir()
        let wrapper = dir + "/die.sh"
        try "#!/bin/sh\nif [ \"$OMPI_COMM_WORLD_RANK\" = 2 ]; then (sleep 1; kill -9 $$) & fi\nexec \(swioBinary) \"$@\"\n"
            .write(toFile: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper, 0o755)
        let start = Date()
        let r = try mpirun(4, ["--mpi-timeout=5", "--name=m", "--ioengine=null", "--size=1g", "--time_based", "--runtime=3", "--output-format=json"],
                           program: wrapper, extra: ["--enable-recovery"])
        #expect(Date().timeIntervalSince(start) < 60)
        let (hosts, _, top) = try clients(r.out)
        #expect(hosts.count == 3)
        let mpi = try #require((top["swio"] as? [String: Any])?["mpi"] as? [String: Any])
        #expect(mpi["missing_ranks"] as? [Int] == [2])
        #expect(r.err.contains("rank 2: no report"))
    }
}
