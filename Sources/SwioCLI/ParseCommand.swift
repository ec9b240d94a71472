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
