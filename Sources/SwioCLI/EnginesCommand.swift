import ArgumentParser
import SwioCore
import SwioEngines

struct EnginesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engines",
        abstract: "List engines with their options and capability flags.",
        discussion: """
        Examples:
          swio engines
          swio engines --format json
          swio engines --plugin ./libswio_pread.so     a run-time plugin, checked and described
        """)

    @Option(help: "text or json.")
    var format = "text"

    @Option(name: .customLong("plugin"), help: "Load this engine plugin (a .so built against plugins/include/swio_plugin.h) and list it alone.")
    var plugin: String?

    func run() throws {
        runReporting {
            guard ["text", "json"].contains(format) else { throw UserError("--format: '\(format)' is not text or json") }
            let engines: [EngineDescriptor]
            if let plugin {
                let name = plugin.hasPrefix("external:") ? plugin : "external:" + plugin
                guard let d = try EngineRegistry.catalog.engine(named: name) else { throw UserError("--plugin \(plugin): not a plugin path") }
                engines = [d]
            } else {
                engines = EngineRegistry.catalog.builtIn
            }
            if format == "json" {
                writeStdout(JSON.object([("engines", .array(engines.map(Self.json)))]).serialized() + "\n")
                return 0
            }
            var out = ""
            for e in engines {
                out += "\(e.name): \(e.summary)\n  flags: \(e.flags.names.joined(separator: ", "))\n"
                for n in e.notes { out += "  note: \(n)\n" }
                for o in e.options {
                    let missing = o.supported ? "" : o.inertValues.isEmpty ? " (not implemented yet)" : " (swio takes only \(o.inertValues.joined(separator: " or ")) yet)"
                    out += "  --\(o.name)\(o.defaultValue.map { "=\($0)" } ?? ""): \(o.help)\(missing)\n"
                }
            }
            if plugin == nil {
                out += "\nfio engines swio does not implement yet: \(EngineRegistry.catalog.notImplemented.map(\.name).joined(separator: ", "))\n"
                out += "Run-time plugins: ioengine=external:/path/to/lib.so (see plugins/include/swio_plugin.h)\n"
            }
            writeStdout(out)
            return 0
        }
    }

    static func json(_ e: EngineDescriptor) -> JSON {
        let options: [JSON] = e.options.map { o in
            .object([("name", .string(o.name)), ("default", o.defaultValue.map { .string($0) } ?? .null),
                     ("help", .string(o.help)), ("implemented", .bool(o.supported))])
        }
        return .object([("name", .string(e.name)), ("summary", .string(e.summary)), ("origin", .string(e.origin)),
                        ("flags", .array(e.flags.names.map { .string($0) })), ("notes", .array(e.notes.map { .string($0) })),
                        ("options", .array(options))])
    }
}
