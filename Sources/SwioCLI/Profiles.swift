// fio's --profile=tiobench: the tiotest/tiobench run as fio's profiles/tiobench.c builds it
// (sequential and random writes, then reads, over four files, one stonewalled job each), with
// the profile's own options taken from the command line: size (MiB), block (bytes), numruns,
// dir, threads.

import SwioCore

enum Profiles {
    static let tiobenchOptions = ["size", "block", "numruns", "dir", "threads"]

    /// `args` with a --profile= switch and its options replaced by the profile's jobs.
    static func expand(_ args: [String]) throws -> [String] {
        guard let at = args.firstIndex(where: { $0 == "--profile" || $0.hasPrefix("--profile=") }) else { return args }
        let name = args[at].hasPrefix("--profile=") ? String(args[at].dropFirst("--profile=".count)) : ""
        guard name == "tiobench" else {
            if name == "act" { throw UserError("--profile=act: fio's ACT profile is not implemented by swio (tiobench is)") }
            throw UserError("--profile: '\(name)' is not a profile (swio has tiobench)")
        }
        var values: [String: String] = [:]
        var rest: [String] = []
        for (i, a) in args.enumerated() where i != at {
            let body = a.hasPrefix("--") ? a.dropFirst(2) : ""
            let key = String(body.prefix { $0 != "=" })
            if tiobenchOptions.contains(key) {
                guard let eq = body.firstIndex(of: "=") else { throw UserError("--\(key) needs a value with --profile=tiobench") }
                values[key] = String(body[body.index(after: eq)...])
            } else {
                rest.append(a)
            }
        }
        func number(_ key: String, _ def: UInt64) throws -> UInt64 {
            guard let v = values[key] else { return def }
            guard let n = UInt64(v.trimmed) else {
                throw UserError("--\(key)=\(v): tiobench's \(key) is a number\(key == "size" ? " of MiB" : key == "block" ? " of bytes" : "")")
            }
            return n
        }
        let mib = try number("size", 0)
        guard mib < UInt64.max >> 20 else { throw UserError("--size=\(mib): too large") }
        // fio: 4 KiB per MiB of memory unless size is given.
        let size = mib > 0 ? "--size=\(mib << 20)" : "--size=4*1024*$mb_memory"
        let profile = [
            "--buffered=0", size, "--bs=\(try number("block", 4096))", "--loops=\(try number("numruns", 1))",
            "--directory=\(values["dir"] ?? "./")", "--numjobs=\(try number("threads", 1))",
            "--timeout=600", "--group_reporting", "--thread", "--overwrite=1",
            "--filename=.fio.tio.1:.fio.tio.2:.fio.tio.3:.fio.tio.4", "--ioengine=sync",
            "--name=seqwrite", "--rw=write", "--end_fsync=1",
            "--name=randwrite", "--stonewall", "--rw=randwrite", "--end_fsync=1",
            "--name=seqread", "--stonewall", "--rw=read",
            "--name=randread", "--stonewall", "--rw=randread",
        ]
        return rest + profile
    }
}
