// A run under mpirun or srun: each rank runs the job files, the ranks start each stonewalled
// group together, and rank 0 gathers every rank's report and writes the merged one. MPI comes
// from a library loaded at run time, so swio builds and runs without it outside MPI.

import CMPILoader
import CSwio
import SwioCore
#if canImport(Glibc)
import Glibc
#endif

public final class MPIRun: @unchecked Sendable {
    public let rank: Int
    public let size: Int
    public let hostname: String
    public let implementation: String
    /// How long a barrier or the final gather waits for the other ranks.
    public var timeoutSeconds: Double
    /// Time spent in group-start barriers, and in the final gather (microseconds).
    public private(set) var barrierUs: UInt64 = 0
    public private(set) var gatherUs: UInt64 = 0

    /// The launcher's environment says this process is one rank of several.
    public static var launchedByMPI: Bool {
        let env = ProcessEnvironment.all()
        if env["SWIO_MPI"] == "0" { return false }
        return env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMI_SIZE"] != nil || env["PMIX_RANK"] != nil || env["MPI_LOCALNRANKS"] != nil
    }

    /// Loads MPI (SWIO_MPI_LIBRARY, or Open MPI's then MPICH's usual names) and joins the run.
    public init(timeoutSeconds: Double) throws {
        let env = ProcessEnvironment.all()
        let names = env["SWIO_MPI_LIBRARY"].map { [$0] } ?? ["libmpi.so.40", "libmpi.so.12", "libmpi.so"]
        var problems: [String] = []
        var started = false
        for n in names {
            if swio_mpi_start(n) == 0 { started = true; break }
            problems.append(String(cString: swio_mpi_error()))
        }
        guard started else {
            throw MPIError("this process runs under MPI, but no MPI library could be loaded (\(problems.joined(separator: "; "))); install Open MPI (libopenmpi3) or set SWIO_MPI_LIBRARY")
        }
        rank = Int(swio_mpi_rank())
        size = Int(swio_mpi_size())
        implementation = String(cString: swio_mpi_flavor())
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count)
        hostname = String(cString: buf)
        self.timeoutSeconds = timeoutSeconds
        // Per-rank values in job files: filename=/mnt/fs/f.${SWIO_RANK}.
        setenv("SWIO_RANK", String(rank), 1)
        setenv("SWIO_RANKS", String(size), 1)
    }

    /// Every rank reaches this point before any goes on (the start of a stonewalled group).
    public func barrier(_ what: String) throws {
        let t0 = cswio_now_ns()
        defer { barrierUs &+= (cswio_now_ns() - t0) / 1000 }
        switch swio_mpi_barrier(timeoutSeconds, { cswio_was_interrupted() }) {
        case 0: return
        case 1: throw MPIError("rank \(rank): the other ranks did not reach \(what) within \(Int(timeoutSeconds)) s (a rank died or is stuck?)")
        default: throw MPIError("rank \(rank): MPI barrier failed at \(what)")
        }
    }

    /// Each rank's text at rank 0 (nil elsewhere); a rank that did not answer in time is nil
    /// in the list.
    public func gather(_ text: String) -> [String?]? {
        var bytes = Array(text.utf8)
        var lens = [Int32](repeating: -1, count: size)
        var out: UnsafeMutablePointer<CChar>? = nil
        let t0 = cswio_now_ns()
        defer { gatherUs = (cswio_now_ns() - t0) / 1000 }
        let r = bytes.withUnsafeMutableBytes { b in swio_mpi_gather(b.baseAddress, Int32(b.count), &out, &lens, timeoutSeconds, { cswio_was_interrupted() }) }
        guard rank == 0 else { return nil }
        defer { free(out) }
        // A rank that did not answer in time has length -1; what the others sent is there.
        guard out != nil else { return [text] + Array(repeating: nil, count: size - 1) }
        _ = r
        var results: [String?] = []
        var at = 0
        for l in lens {
            guard l >= 0 else { results.append(nil); continue }
            let raw = UnsafeRawBufferPointer(start: UnsafeRawPointer(out!) + at, count: Int(l))
            results.append(String(decoding: raw, as: UTF8.self))
            at += Int(l)
        }
        return results
    }

    private var finalizes = true
    /// A rank is gone: leave without MPI_Finalize, which would wait for it.
    public func abandonFinalize() { finalizes = false }
    /// MPI_Finalize, once every rank is known to be there (a bounded barrier first): a rank
    /// that died would keep the others in MPI_Finalize for ever.
    public func finish() {
        guard finalizes, swio_mpi_barrier(min(timeoutSeconds, 10), nil) == 0 else { return }
        swio_mpi_finish()
    }
}

public struct MPIError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
