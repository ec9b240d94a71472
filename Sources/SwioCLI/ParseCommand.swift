import ArgumentParser
import SwioCore
import SwioEngines

struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse job files only: print every job with each option's effective value and its source.",
        discussion: """
        Examples:
          swio parse jobs/randread.fio
          swio parse a.fio b.fio --format json
          swio parse --name=t --rw=randread --size=1g --format json
        """)

    @OptionGroup var inputs: JobInputs

    @Option(help: "text or json.")
    var format = "text"

    func run() throws {
        runReporting {
            guard ["text", "json"].contains(format) else { throw UserError("--format: '\(format)' is not text or json") }
            let r = try inputs.parse()
            for j in r.jobs { _ = try JobConfig(j) }   // typed checks too (rw modes, distributions, ...)
            if format == "json" {
                let jobs: [JSON] = r.jobs.map { j in
                    .object([
                        ("name", .string(j.name)), ("groupid", .int(Int64(j.groupID))), ("clone", .int(Int64(j.cloneIndex))),
                        ("jobnum", .int(Int64(j.jobNumber))), ("stonewall", .bool(j.stonewall)),
                        ("options", .object(j.settings.map { n, s in
                            (n, .object([("value", s.value.map { .string($0) } ?? .null), ("source", .string(s.source.description))]))
                        })),
                    ])
                }
                writeStdout(JSON.object([("jobs", .array(jobs))]).serialized() + "\n")
            } else {
                var out = ""
                for j in r.jobs {
                    out += "[\(j.name)] group=\(j.groupID) clone=\(j.cloneIndex) jobnum=\(j.jobNumber)\(j.stonewall ? " stonewall" : "")\n"
                    let w = j.settings.map(\.name.count).max() ?? 0
                    for (n, s) in j.settings {
                        let v = s.value ?? "(set)"
                        out += "  \(Format.padRight(n, w)) = \(Format.padRight(v, 16))  # \(s.source)\n"
                    }
                }
                writeStdout(out)
            }
            return 0
        }
    }
}

struct EnginesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "engines", abstract: "List engines with their options and capability flags.")

    @Option(help: "text or json.")
    var format = "text"

    func run() throws {
        runReporting {
            if format == "json" {
                let arr: [JSON] = EngineRegistry.all.map { e in
                    .object([("name", .string(e.name)), ("summary", .string(e.summary)),
                             ("flags", .array(e.flags.names.map { .string($0) })),
                             ("notes", .array(e.notes.map { .string($0) })),
                             ("options", .array(e.options.map { o in .object([("name", .string(o.name)), ("default", o.defaultValue.map { .string($0) } ?? .null), ("help", .string(o.help)), ("implemented", .bool(o.supported))]) }))])
                }
                writeStdout(JSON.object([("engines", .array(arr))]).serialized() + "\n")
                return 0
            }
            var out = ""
            for e in EngineRegistry.all {
                out += "\(e.name): \(e.summary)\n  flags: \(e.flags.names.joined(separator: ", "))\n"
                for n in e.notes { out += "  note: \(n)\n" }
                for o in e.options {
                    let missing = o.supported ? "" : o.inertValues.isEmpty ? " (not implemented yet)" : " (swio takes only \(o.inertValues.joined(separator: " or ")) yet)"
                    out += "  --\(o.name)\(o.defaultValue.map { "=\($0)" } ?? ""): \(o.help)\(missing)\n"
                }
            }
            writeStdout(out)
            return 0
        }
    }
}
