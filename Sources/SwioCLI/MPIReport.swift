// The end of a run under MPI: every rank sends its report (json+) to rank 0, which writes
// the merged one, in fio's client/server layout, where the report was asked to go.

import SwioCore
import SwioCluster
import CSwio

extension RunCommand {
    /// Returns the exit status: rank 0's covers every rank; the others exit 0 once their
    /// report is delivered (a rank that exits non-zero makes mpirun stop the rest).
    static func finishRank(_ mpi: MPIRun, report: Report, startMs: UInt64, endMs: UInt64, formats: [String],
                           destination: ReportDestination) throws -> Int32 {
        let header = JSON.object([("rank", .int(Int64(mpi.rank))), ("hostname", .string(mpi.hostname)),
                                  ("start_ms", .uint(startMs)), ("end_ms", .uint(endMs)), ("barrier_us", .uint(mpi.barrierUs))]).serialized(pretty: false)
        let mine = header + "\n" + report.json(plus: true).serialized(pretty: false)
        guard let texts = mpi.gather(mine) else {
            return 0
        }
        var ranks: [RankReport] = []
        for (i, t) in texts.enumerated() {
            guard let t, let nl = t.firstIndex(of: "\n") else {
                ranks.append(RankReport(rank: i, hostname: "?", startMs: 0, endMs: 0, report: nil,
                                        problem: "no report within \(Int(mpi.timeoutSeconds)) s (the rank died, or was stopped)"))
                continue
            }
            do {
                let h = try OrderedJSON.parse(String(t[..<nl]))
                let r = try OrderedJSON.parse(String(t[t.index(after: nl)...]))
                ranks.append(RankReport(rank: i, hostname: h["hostname"]?.stringValue ?? "?", startMs: UInt64(h["start_ms"]?.number ?? 0),
                                        endMs: UInt64(h["end_ms"]?.number ?? 0), report: r, barrierUs: UInt64(h["barrier_us"]?.number ?? 0)))
            } catch {
                ranks.append(RankReport(rank: i, hostname: "?", startMs: 0, endMs: 0, report: nil, problem: "unreadable report: \(error)"))
            }
        }
        func merged(_ plus: Bool) -> JSON {
            ClusterReport.merge(ranks, implementation: mpi.implementation, plus: plus, gatherUs: mpi.gatherUs)
        }
        var text = ""
        for f in formats {
            switch f {
            case "json", "json+": text += merged(f == "json+").serialized() + "\n"
            default: text += ClusterText.render(merged(false))
            }
        }
        try destination.write(text)
        for r in ranks where r.report == nil { writeStderr("swio: rank \(r.rank): \(r.problem ?? "no report")") }
        // MPI_Finalize waits for every rank; one that is gone would keep rank 0 here for ever.
        if ranks.contains(where: { $0.report == nil }) { mpi.abandonFinalize() }
        let jobErrors = ranks.contains { r in (r.report?["jobs"]?.arrayValues ?? []).contains { ($0["error"]?.number ?? 0) != 0 } }
        if cswio_was_interrupted() != 0 { return 128 + cswio_stop_signal() }
        return jobErrors || ranks.contains { $0.report == nil } ? 1 : 0
    }
}

/// A short text view of a merged report: each host's jobs, then all of them.
enum ClusterText {
    static func render(_ merged: JSON) -> String {
        var out = ""
        for job in merged["client_stats"]?.arrayValues ?? [] {
            let name = job["jobname"]?.stringValue ?? "?"
            let host = job["hostname"]?.stringValue.map { " (\($0))" } ?? ""
            out += "\(name)\(host): err=\(Int(job["error"]?.number ?? 0))\n"
            for d in ["read", "write", "trim"] {
                guard let o = job[d], (o["total_ios"]?.number ?? 0) > 0 else { continue }
                let bw = (o["bw_bytes"]?.number ?? 0) / 1_048_576
                let p99 = o["clat_ns"]?["percentile"]?["99.000000"]?.number.map { ", clat p99=\(Int($0 / 1000))us" } ?? ""
                out += "  \(d): IOPS=\(Int(o["iops"]?.number ?? 0)), BW=\(Format.fixed(bw, 1))MiB/s, ios=\(Int(o["total_ios"]?.number ?? 0))\(p99)\n"
            }
        }
        if let m = merged["swio"]?["mpi"] {
            out += "\n\(Int(m["ranks"]?.number ?? 0)) ranks (\(m["implementation"]?.stringValue ?? "MPI")): start skew \(Int(m["start_skew_ms"]?.number ?? 0)) ms, end skew \(Int(m["end_skew_ms"]?.number ?? 0)) ms\n"
        }
        return out
    }
}
