// fio's command-line switches that are not job options (`fio --help`): those swio honours,
// those that change nothing here (as in fio 3.33), and those it cannot do, which are errors
// that say so rather than "unknown option".

import SwioCore
#if canImport(Glibc)
import Glibc
#endif

enum FioSwitches {
    enum Handling {
        /// Accepted; what it does (or why it changes nothing) is in the help text.
        case accepted(String)
        /// Refused with this reason.
        case unsupported(String)
    }

    static let table: [String: Handling] = [
        "debug": .accepted("fio's debug categories; swio prints parse, file, io, random and verify lines on stderr"),
        "max-jobs": .accepted("ignored, as fio 3.33 ignores it"),
        "alloc-size": .accepted("fio's shared-memory pool size; swio has no such pool"),
        "aux-path": .accepted("directory for files swio generates (verify_dump's blocks)"),
        "inflate-log": .accepted("prints a compressed log (log_store_compressed's .fz, fio's or swio's) as text"),
        "trigger-file": .unsupported("verification triggers (fio's power-cut testing) are not implemented by swio"),
        "trigger-timeout": .unsupported("verification triggers (fio's power-cut testing) are not implemented by swio"),
        "trigger": .unsupported("verification triggers (fio's power-cut testing) are not implemented by swio"),
        "trigger-remote": .unsupported("remote triggers need fio's client/server mode, which swio does not have"),
        "server": .unsupported("fio's client/server mode is not implemented; swio runs on many hosts through MPI"),
        "client": .unsupported("fio's client/server mode is not implemented; swio runs on many hosts through MPI"),
        "daemonize": .unsupported("fio's client/server mode is not implemented"),
        "remote-config": .unsupported("fio's client/server mode is not implemented"),
        "idle-prof": .unsupported("CPU idleness profiling is not implemented by swio"),
        "cpuclock-test": .unsupported("swio uses the kernel's monotonic clock, not the CPU's cycle counter; there is nothing to test"),
        "merge-blktrace-only": .accepted("merges the jobs' blktraces (merge_blktrace_file) and stops before any I/O"),
        "latency-log": .unsupported("fio 3.33 refuses it too (deprecated); use write_lat_log= in the job"),
        "cmdhelp": .accepted("prints an option's help (all options without a name), as fio's"),
        "enghelp": .accepted("lists the engines, or one engine's options (--enghelp=libaio)"),
    ]

    /// The switches among `args` (--key=value or --key), applied; the rest of the arguments.
    static func apply(_ args: [String]) throws -> [String] {
        var rest: [String] = []
        for a in try Profiles.expand(args) {
            guard a.hasPrefix("--") else { rest.append(a); continue }
            let body = a.dropFirst(2)
            // "--key=" has an empty value (split() would drop it).
            let eq = body.firstIndex(of: "=")
            let key = String(body[..<(eq ?? body.endIndex)])
            let value = eq.map { String(body[body.index(after: $0)...]) }
            guard let h = table[key] else { rest.append(a); continue }
            switch h {
            case .unsupported(let why): throw UserError("--\(key): \(why)")
            case .accepted:
                switch key {
                case "debug":
                    guard let value, !value.isEmpty else { throw UserError("--debug needs categories: --debug=\(DebugCategories.names.joined(separator: ","))") }
                    if value == "?" || value == "help" {
                        writeStdout("swio: debug categories: \(DebugCategories.names.joined(separator: ",")),all\n")
                        exit(0)
                    }
                    do { DebugLog.enabled = try DebugCategories.parse(value) } catch { throw UserError((error as? ValueError)?.message ?? "\(error)") }
                case "merge-blktrace-only":
                    // The merge happens as the jobs are read; stopping after that is --parse-only.
                    rest.append("--parse-only")
                    IologReplay.mergeOnly = true
                case "inflate-log":
                    guard let value, !value.isEmpty else { throw UserError("--inflate-log needs a compressed log (a .fz file)") }
                    do {
                        writeStdout(try CompressedLog.inflate(try readWholeFileBytes(value, maxBytes: .max)))
                    } catch { throw UserError("--inflate-log=\(value): \((error as? ValueError)?.message ?? "\(error)")") }
                    exit(0)
                case "aux-path":
                    guard let value, !value.isEmpty else { throw UserError("--aux-path needs a directory") }
                    Verifier.auxPath = value
                case "cmdhelp":
                    writeStdout(try OptionHelp.option(value))
                    exit(0)
                case "enghelp":
                    writeStdout(try OptionHelp.engine(value))
                    exit(0)
                case "max-jobs", "alloc-size":
                    guard let value, UInt64(value) != nil else { throw UserError("--\(key) needs a number") }
                default: break
                }
            }
        }
        return rest
    }
}
