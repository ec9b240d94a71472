// What an engine tells the rest of swio about itself, in one value: its name and aliases, its
// capability flags, its own typed options, the job defaults it changes, and how to run a job
// on it. Each engine target exports one; the registry (SwioEngines) lists them, and the
// parser, `swio engines`, `swio parse` and the runner take what they need from it. Nothing
// outside an engine's folder names an engine.

/// One engine, described.
public struct EngineDescriptor: Sendable {
    /// The name a job gives as ioengine=.
    public var name: String
    /// Other names that mean this engine.
    public var aliases: [String]
    public var summary: String
    public var flags: EngineFlags
    /// The engine's own options, parsed and checked as the generic ones are.
    public var options: [OptionSpec]
    /// Generic options whose default this engine changes (kevent: bs=40k): name -> value.
    public var jobDefaults: [String: String]
    /// Lines for `swio engines`.
    public var notes: [String]
    /// Where the engine comes from: "built in", or a plugin's path.
    public var origin: String
    /// Runs one prepared job (for a Swift engine: JobDriver.run(E.self, job), specialised).
    public var run: @Sendable (JobExecution) -> Void

    public init(name: String, aliases: [String] = [], summary: String, flags: EngineFlags, options: [OptionSpec] = [],
                jobDefaults: [String: String] = [:], notes: [String] = [], origin: String = "built in",
                run: @escaping @Sendable (JobExecution) -> Void) {
        self.name = name; self.aliases = aliases; self.summary = summary; self.flags = flags; self.options = options
        self.jobDefaults = jobDefaults; self.notes = notes; self.origin = origin; self.run = run
    }

    /// The option spec for `name` (or an alias of it) among this engine's own.
    public func option(_ name: String) -> OptionSpec? {
        let n = name.lowercased()
        return options.first { $0.name == n || $0.aliases.contains(n) }
    }

    /// A stand-in for a job whose engine could not be found: running it fails with `message`.
    public static func unavailable(_ name: String, _ message: String) -> EngineDescriptor {
        EngineDescriptor(name: name, summary: message, flags: [.sync]) { job in
            job.recordSetupError(EngineError(errno: EINVAL, message))
        }
    }
}

/// The engines a run can use. The parser asks it what ioengine= means and which options an
/// engine has; SwioEngines.EngineRegistry is the real one.
public protocol EngineCatalog: Sendable {
    /// The engine a job's ioengine= names (a name, an alias, or a plugin that is loaded on
    /// first use), or nil when none is known by that name. A plugin that cannot be loaded
    /// throws an EngineError saying why.
    func engine(named name: String) throws -> EngineDescriptor?
    /// The built-in engines, in listing order.
    var builtIn: [EngineDescriptor] { get }
    /// The engine a job without ioengine= runs on (fio's default).
    var defaultEngine: String { get }
    /// fio's engines that swio knows by name (and their options) and does not implement.
    var notImplemented: [EngineDescriptor] { get }
    /// Whether `name` asks for a run-time plugin (ioengine=external:PATH or a path).
    func isPlugin(_ name: String) -> Bool
}

/// Knows no engine: what a parser without a catalog uses (every ioengine= is unknown).
public struct NoEngines: EngineCatalog {
    public init() {}
    public func engine(named name: String) throws -> EngineDescriptor? { nil }
    public var builtIn: [EngineDescriptor] { [] }
    public var defaultEngine: String { "(none)" }
    public var notImplemented: [EngineDescriptor] { [] }
    public func isPlugin(_ name: String) -> Bool { false }
}

/// One of an engine's own options, typed: its spec (what the parser checks and `swio engines`
/// lists) and how a job's validated value becomes a `Value`.
public struct EngineOption<Value: Sendable>: Sendable {
    public let spec: OptionSpec
    let read: @Sendable (JobDefinition, OptionSpec) -> Value

    /// The job's value, or the option's default.
    public func value(in job: JobConfig) -> Value { read(job.definition, spec) }
}

extension EngineOption where Value == Bool {
    /// A bare-flag option (fio's FIO_OPT_STR_SET): `hipri`, `hipri=1`, `hipri=0`.
    public static func flag(_ name: String, aliases: [String] = [], _ help: String) -> Self {
        EngineOption(spec: OptionSpec(name, .flag, aliases: aliases, help)) { d, s in d.flag(s.name) }
    }
    /// A 0/1 option that needs its value (fio's FIO_OPT_BOOL): `nowait=1`.
    public static func bool(_ name: String, default def: Bool = false, _ help: String) -> Self {
        EngineOption(spec: OptionSpec(name, .bool, default: def ? "1" : "0", help)) { d, s in
            d[s.name].flatMap { try? Values.bool($0) } ?? def
        }
    }
}

extension EngineOption where Value == Int64 {
    /// An integer (hex and arithmetic allowed), within `min`...`max` when given.
    public static func int(_ name: String, default def: Int64, min: Int64? = nil, max: Int64? = nil,
                           aliases: [String] = [], _ help: String) -> Self {
        EngineOption(spec: OptionSpec(name, .int(min: min, max: max), default: String(def), aliases: aliases, help)) { d, s in
            d.integer(s.name, default: def)
        }
    }
}

extension EngineOption where Value == Int64? {
    /// An integer without a fixed default: nil when the job leaves it out, and the engine
    /// decides (kevent_max: the job's iodepth).
    public static func int(_ name: String, min: Int64? = nil, max: Int64? = nil, _ help: String) -> Self {
        EngineOption(spec: OptionSpec(name, .int(min: min, max: max), help)) { d, s in
            d.has(s.name) ? d.integer(s.name, default: 0) : nil
        }
    }
}

extension EngineOption where Value == String {
    /// One of a fixed set of words.
    public static func choice(_ name: String, _ values: [String], default def: String, aliases: [String] = [], _ help: String) -> Self {
        EngineOption(spec: OptionSpec(name, .choice(values), default: def, aliases: aliases, help)) { d, s in
            (d[s.name] ?? def).lowercased()
        }
    }
}

extension EngineOption where Value == String? {
    /// Free text, nil when the job leaves it out.
    public static func string(_ name: String, _ help: String) -> Self {
        EngineOption(spec: OptionSpec(name, .string, help)) { d, s in d[s.name] }
    }
}

extension EngineOption where Value == Int64? {
    /// A size in bytes (4k, 1m, ...), nil when the job leaves it out.
    public static func size(_ name: String, _ help: String) -> Self {
        EngineOption(spec: OptionSpec(name, .size(perDirection: false, percentOK: false), help)) { d, s in
            d[s.name].flatMap { try? Values.bytes($0) }.map { Int64(clamping: $0) }
        }
    }
}

extension OptionSpec {
    /// A fio option of an engine that swio parses but does not implement: `inert` values (those
    /// that ask for nothing) run, any other is refused (or warned about with
    /// --ignore-unsupported), as for generic options.
    public static func unimplemented(_ name: String, _ kind: OptionKind, default def: String? = nil, inert: [String] = [],
                                     _ help: String) -> OptionSpec {
        OptionSpec(name, kind, default: def, supported: false, inert: inert, help)
    }
    /// An option fio's engine accepts and ignores (io_uring's cmd_type); so does swio's.
    public static func accepted(_ name: String, _ kind: OptionKind, _ help: String) -> OptionSpec {
        OptionSpec(name, kind, help)
    }
}

#if canImport(Glibc)
import Glibc
#endif
