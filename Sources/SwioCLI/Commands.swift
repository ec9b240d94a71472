// The swio command line: one ParsableCommand per subcommand, shared option groups.

import ArgumentParser
import SwioCore
import SwioEngines
import CSwio
#if canImport(Glibc)
import Glibc
#endif

public enum SwioCLI {
    static let subcommands = ["run", "parse", "engines", "baseline", "compare", "plot", "help"]

    /// `swio JOBFILE...` and `swio --name=...` mean `swio run ...`, as with fio.
    public static func main(_ argv: [String]) {
        var args = Array(argv.dropFirst())
        // fio's --crctest[=LIST] takes an optional value, which ArgumentParser cannot express.
        if let i = args.firstIndex(where: { $0 == "--crctest" || $0.hasPrefix("--crctest=") }) {
            let a = args[i]
            exit(CRCTest.run(a.hasPrefix("--crctest=") ? String(a.dropFirst("--crctest=".count)) : nil))
        }
        if let first = args.first, !subcommands.contains(first), !["-h", "--help", "--version", "--help-hidden"].contains(first) {
            args.insert("run", at: 0)
        }
        if args.isEmpty { args = ["--help"] }
        if args.first == "run" || args.first == "parse" {
            do { args = try FioSwitches.apply(args) } catch {
                writeStderr("swio: \(error)")
                exit(1)
            }
        }
        // Before anything else: a stop signal during parsing or a baseline still ends in a
        // report, and SIGUSR1 never kills a run.
        if args.first == "run" {
            cswio_install_signal_handlers()
            // Many connections or files need many descriptors: take what the hard limit allows.
            var limit = rlimit()
            if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 && limit.rlim_cur < limit.rlim_max {
                limit.rlim_cur = limit.rlim_max
                _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            }
        }
        Swio.main(args)
    }
}

func writeStderr(_ s: String) { Console.writeLine(s, fd: 2) }
func writeStdout(_ s: String) { Console.write(s, fd: 1) }

/// Exit code 1 with a message on stderr, without ArgumentParser's usage text.
struct UserError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

struct Swio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swio",
        abstract: "A fio-compatible I/O load generator.",
        discussion: """
        Examples:
          swio jobs/randread.fio                       run a job file (same as `swio run`)
          swio --name=a --rw=randread --bs=4k --size=64m --filename=/tmp/f
          swio run --output-format=json --output=r.json jobs/seq-read.fio
          swio parse jobs/mixed.fio --format json       show effective options and their sources
          swio engines                                  list engines, options and capabilities
          swio baseline /dev/loop0 --direct             hdparm -t/-T style baseline
          swio run --baseline auto jobs/seq-read.fio        each job's bandwidth as % of the baseline
          swio plot run.json -o report.html                 charts of a report, in one HTML file
        """,
        version: "swio \(swioVersion)",
        subcommands: [RunCommand.self, ParseCommand.self, EnginesCommand.self, BaselineCommand.self, CompareCommand.self, PlotCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

/// Job files and fio-style `--key=value` options; each `--name=` starts a command-line job.
struct JobInputs: ParsableArguments {
    @Flag(name: .customLong("ignore-unsupported"), help: "Warn about fio options swio does not implement instead of failing.")
    var ignoreUnsupported = false

    @Flag(name: .customLong("readonly"), help: "fio's --readonly: refuse jobs that write or trim.")
    var readonly = false

    @Flag(name: .customLong("warnings-fatal"), help: "fio's --warnings-fatal: a job-file warning is an error.")
    var warningsFatal = false

    @Flag(name: .customLong("allow-overwrite"), help: "Let jobs write over a block device that holds a filesystem, partition table, LVM, RAID or swap signature (as the job option allow_overwrite=1).")
    var allowOverwrite = false

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Job files and fio options (--name=a --rw=randread ...); --section=NAME (repeatable) runs only those sections of the job files.", valueName: "jobfile|--fio-option"))
    var rest: [String] = []

    func split() throws -> (files: [String], options: [(key: String, value: String?)], sections: [String]) {
        var files: [String] = []
        var opts: [(String, String?)] = []
        var sections: [String] = []
        for a in rest {
            if a.hasPrefix("--") {
                let body = a.dropFirst(2)
                if let eq = body.firstIndex(of: "=") {
                    let key = String(body[..<eq]), value = String(body[body.index(after: eq)...])
                    // fio's --section=NAME (repeatable) picks job sections; it is not a job option.
                    if key == "section" {
                        guard !value.isEmpty else { throw UserError("--section needs a job section name") }
                        sections.append(value)
                        continue
                    }
                    opts.append((key, value))
                } else {
                    if body == "section" { throw UserError("--section needs a value: --section=NAME") }
                    opts.append((String(body), nil))
                }
            } else if a.hasPrefix("-") && a.count > 1 {
                throw UserError("unknown flag '\(a)' (fio options are written --key=value)")
            } else {
                files.append(a)
            }
        }
        return (files, opts, sections)
    }

    func parse() throws -> ParseResult {
        let (files, opts, sections) = try split()
        guard !files.isEmpty || opts.contains(where: { $0.key == "name" }) else {
            throw UserError("no jobs: give a job file or --name=NAME with options (see swio --help)")
        }
        if !sections.isEmpty && files.isEmpty { throw UserError("--section picks sections of job files, and no job file was given") }
        var parser = JobFileParser(options: ParseOptions(ignoreUnsupported: ignoreUnsupported, sections: sections, engines: EngineRegistry.catalog))
        let r = try parser.parse(files: files, commandLine: opts)
        for w in r.warnings { writeStderr("swio: warning: \(w)") }
        if DebugLog.on(.parse) {
            for j in r.jobs {
                DebugLog.line(.parse, "job '\(j.name)' (\(j.section)): \(j.settings.map { "\($0.name)=\($0.setting.value ?? "")" }.joined(separator: " "))")
            }
        }
        // fio: "No job(s) defined" (a file of [global] only, or an empty one), exit 1.
        if r.jobs.isEmpty { throw UserError("no jobs defined in \(files.joined(separator: ", ")) (a job needs a [section] other than [global])") }
        if warningsFatal && !r.warnings.isEmpty {
            throw UserError("--warnings-fatal: \(r.warnings.count) warning\(r.warnings.count == 1 ? "" : "s") above")
        }
        return r
    }
}

func runReporting(_ body: () throws -> Int32) -> Never {
    do {
        let code = try body()
        exit(code)
    } catch let e as JobFileError {
        writeStderr("swio: \(e)")
        exit(1)
    } catch let e as UserError {
        writeStderr("swio: \(e.description)")
        exit(1)
    } catch let e as EngineError {
        writeStderr("swio: \(e.message)")
        exit(1)
    } catch {
        writeStderr("swio: \(error)")
        exit(1)
    }
}

struct OutputOptions: ParsableArguments {
    @Option(name: .customLong("output-format"), help: "normal, json, json+, terse or openmetrics (Prometheus text); several with ','.")
    var outputFormat = "normal"

    @Option(name: .customLong("output"), help: "Write the report to this file instead of stdout.")
    var output: String?

    @Flag(name: .customLong("minimal"), help: "fio's --minimal: the same as --output-format=terse.")
    var minimal = false

    @Option(name: .customLong("terse-version"), help: "Terse format version; swio writes fio's default, 3.")
    var terseVersion = 3

    @Flag(name: .customLong("append-terse"), help: "fio's --append-terse: the terse report too, after the others.")
    var appendTerse = false

    func formats() throws -> [String] {
        guard terseVersion == 3 else { throw UserError("--terse-version=\(terseVersion): swio writes terse version 3 (fio's default) only") }
        if minimal { return ["terse"] }
        let f = outputFormat.split(separator: ",").map { $0.trimmed.lowercased() }
        for x in f where !["normal", "json", "json+", "terse", "openmetrics"].contains(x) {
            throw UserError("--output-format: '\(x)' is not one of normal, json, json+, terse, openmetrics")
        }
        return appendTerse && !f.contains("terse") ? f + ["terse"] : f
    }

    /// The report's destination, checked now, before any job runs.
    func destination() throws -> ReportDestination { try ReportDestination(output) }
}

