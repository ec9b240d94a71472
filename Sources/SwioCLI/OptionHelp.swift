// fio's --cmdhelp[=OPTION] and --enghelp[=ENGINE]: the job options' and engines' help, from
// the same tables the parser and `swio engines` use.

import SwioCore
import SwioEngines

enum OptionHelp {
    /// One option in fio's layout (name, alias, type's default, help), or every option's
    /// one-line help for no name or "all".
    static func option(_ name: String?) throws -> String {
        let engineOptions = EngineRegistry.catalog.builtIn.flatMap(\.options)
        guard let name, !name.isEmpty, name != "all" else {
            var seen = Set<String>()
            return (OptionTable.all + engineOptions).filter { seen.insert($0.name).inserted }
                .map { pad($0.name, 24) + ": " + $0.help + "\n" }.joined()
        }
        let found = OptionTable.lookup(name) ?? engineOptions.first { $0.name == name.lowercased() || $0.aliases.contains(name.lowercased()) }
        guard let o = found else {
            let names = (OptionTable.all + engineOptions).flatMap { [$0.name] + $0.aliases }
            let near = names.min { editDistance($0, name) < editDistance($1, name) }
            throw UserError("--cmdhelp: no option '\(name)'" + (near.map { " (did you mean '\($0)'?)" } ?? ""))
        }
        var out = right(o.name) + ": " + o.help + "\n"
        if !o.aliases.isEmpty { out += right("alias") + ": " + o.aliases.joined(separator: ", ") + "\n" }
        if let d = o.defaultValue { out += right("default") + ": " + d + "\n" }
        if !o.supported { out += right("swio") + ": " + (o.inertValues.isEmpty ? "not implemented yet" : "takes only \(o.inertValues.joined(separator: " or ")) yet") + "\n" }
        return out
    }

    /// The engines (fio's "Available IO engines:"), or one engine's options.
    static func engine(_ spec: String?) throws -> String {
        let engines = EngineRegistry.catalog.builtIn
        guard let spec, !spec.isEmpty else {
            return "Available IO engines:\n" + engines.map { "\t\($0.name)\n" }.joined()
        }
        let name = String(spec.split(separator: ",").first ?? "")
        guard let e = engines.first(where: { $0.name == name }) else {
            let near = engines.map(\.name).min { editDistance($0, name) < editDistance($1, name) }
            throw UserError("--enghelp: no engine '\(name)'" + (near.map { " (did you mean '\($0)'?)" } ?? ""))
        }
        if e.options.isEmpty { return "\(e.name): no engine-specific options\n" }
        return e.options.map { pad($0.name, 24) + ": " + $0.help + "\n" }.joined()
    }

    static func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
    static func right(_ s: String) -> String { String(repeating: " ", count: max(0, 20 - s.count)) + s }
}
