// fio job-file parser (fio 3.33 init.c __parse_jobs_ini semantics), producing fully
// resolved job definitions: [global] inheritance, include, substitution, numjobs clones,
// groups and stonewalls, each option remembering where its value came from.

#if canImport(Glibc)
import Glibc
#endif

/// Where a value came from: "jobs/a.fio:12", "<command line>", or "default".
public struct SourceLocation: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public static let commandLine = SourceLocation(file: "<command line>", line: 0)
    public static let defaultValue = SourceLocation(file: "default", line: 0)
    public var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// A located job-file error: file, line, option and reason, with a suggestion when we have one.
public struct JobFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var option: String?
    public var reason: String
    /// The system error behind it, when there is one (a job's report gives it as its error, as
    /// fio's does: 13 for a file it may not open); 0 for errors in the job file itself.
    public var errno: Int32
    public init(_ location: SourceLocation, option: String? = nil, _ reason: String, errno: Int32 = 0) {
        self.location = location; self.option = option; self.reason = reason; self.errno = errno
    }
    public var description: String {
        "\(location): " + (option.map { "option '\($0)': " } ?? "") + reason
    }
}

public struct Setting: Equatable, Sendable {
    /// Value after substitution; nil for a bare flag.
    public var value: String?
    public var source: SourceLocation
}

/// One job after inheritance and numjobs expansion.
public struct JobDefinition: Sendable {
    public var name: String
    /// Canonical option name -> setting, in the order first set.
    public var settings: [(name: String, setting: Setting)] = []
    public var groupID = 0
    /// Clone number within numjobs (0 for the first).
    public var cloneIndex = 0
    /// Job number across the whole run ($jobnum in filename_format).
    public var jobNumber = 0
    /// True when this job waits for every earlier job (stonewall, or a later job file).
    public var stonewall = false
    public var section: SourceLocation
    /// What the job's own section (or its part of the command line) set, as set there: fio's
    /// "job options" are these, not what a [global] section gave it.
    public var ownSettings: [String: Setting] = [:]
    /// The engine ioengine= names, as the parser's catalog resolved it (nil without a catalog
    /// that knows it).
    public var engine: EngineDescriptor?

    public subscript(_ name: String) -> String? {
        settings.last { $0.name == name }.map { $0.setting.value ?? "1" }
    }
    public func setting(_ name: String) -> Setting? { settings.last { $0.name == name }?.setting }
    public func has(_ name: String) -> Bool { settings.contains { $0.name == name } }

    /// When each option was last set (a running count): fio applies options in that order,
    /// which decides between continue_on_error and ignore_error.
    public var lastSet: [String: Int] = [:]

    mutating func set(_ name: String, _ s: Setting) {
        if let i = settings.firstIndex(where: { $0.name == name }) { settings[i].setting = s } else { settings.append((name, s)) }
        lastSet[name] = (lastSet.values.max() ?? 0) + 1
    }
    public func flag(_ name: String) -> Bool {
        guard let v = self[name] else { return false }
        return (try? Values.flag(v)) ?? false
    }
    /// An integer option as the option table validated it (hex and arithmetic included), or
    /// `default` when the job does not set it.
    public func integer(_ name: String, default def: Int64) -> Int64 {
        guard let v = self[name] else { return def }
        return (try? Values.integer(v)) ?? def
    }
}

public struct ParseOptions: Sendable {
    public var ignoreUnsupported = false
    public var environment: [String: String]
    /// fio's --section: only these job sections of the job files run ([global] sections still
    /// apply); empty means all.
    public var sections: [String]
    /// What ioengine= can name, and each engine's options.
    public var engines: any EngineCatalog
    public init(ignoreUnsupported: Bool = false, environment: [String: String]? = nil, sections: [String] = [],
                engines: any EngineCatalog = NoEngines()) {
        self.ignoreUnsupported = ignoreUnsupported
        self.environment = environment ?? ProcessEnvironment.all()
        self.sections = sections
        self.engines = engines
    }
}

public struct ParseResult: Sendable {
    public var jobs: [JobDefinition]
    /// Options from [global] sections and the command line before the first --name.
    public var globalSettings: [(name: String, setting: Setting)]
    public var warnings: [String]

    /// The report's "global options" as fio 3.33 lists them: bare flags (time_based, thread)
    /// are left out, as in its "job options".
    public var reportedGlobalOptions: [(String, String)] {
        globalSettings.compactMap { g in g.setting.value.map { (g.name, $0) } }
    }

    /// fio's --showcmd: the jobs as one command line, the global options first, then each job
    /// section's own options after its --name (numjobs clones are one section, listed once).
    public func commandLine(program: String = "swio") -> String {
        func arg(_ n: String, _ v: String?) -> String {
            guard let v else { return "--\(n)" }
            let plain = v.allSatisfy { $0.isLetter || $0.isNumber || "-_.,:/%=+@^".contains($0) } && !v.isEmpty
            return plain ? "--\(n)=\(v)" : "'--\(n)=\(v.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''"))'"
        }
        // Global options every job has as they are go first; one a job lacks (a [global] after
        // it, or one it overrides) goes with the jobs that have it, so the command runs each
        // job as the file does.
        let firsts = jobs.filter { $0.cloneIndex == 0 }
        let common = globalSettings.filter { g in firsts.allSatisfy { $0.setting(g.name) == g.setting } }
        var out = [program] + common.map { arg($0.name, $0.setting.value) }
        for j in firsts {
            out.append(arg("name", j.name))
            let own = j.settings.filter { s in s.name != "name" && !common.contains { $0.name == s.name && $0.setting == s.setting } }
            // In the order written (a command-line job's options all sit on line 0, in order).
            let ordered = own.enumerated().sorted { ($0.element.setting.source.line, $0.offset) < ($1.element.setting.source.line, $1.offset) }
            out += ordered.map { arg($0.element.name, $0.element.setting.value) }
        }
        return out.joined(separator: " ")
    }
}

/// Reads the process environment without Foundation.
public enum ProcessEnvironment {
    public static func all() -> [String: String] {
        var env: [String: String] = [:]
        var p = environ
        while let cstr = p.pointee {
            let entry = String(cString: cstr)
            if let eq = entry.firstIndex(of: "=") { env[String(entry[..<eq])] = String(entry[entry.index(after: eq)...]) }
            p += 1
        }
        return env
    }
}

/// A raw "key[=value]" entry with its location.
struct RawEntry {
    var key: String
    var value: String?
    var location: SourceLocation
}

struct RawSection {
    var name: String
    var isGlobal: Bool
    var entries: [RawEntry]
    var location: SourceLocation
    var fileIndex: Int
}

public struct JobFileParser {
    public var options: ParseOptions
    var warnings: [String] = []
    /// The engines' own options (built-in ones, fio's that swio lacks, and the plugins the
    /// jobs name), for looking up an option that is not generic.
    var engineOptions: [String: OptionSpec] = [:]
    let pageSize: Int
    let ncpus: Int
    let mbMemory: Int

    public init(options: ParseOptions = ParseOptions()) {
        self.options = options
        pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        ncpus = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        mbMemory = Int(sysconf(Int32(_SC_PHYS_PAGES))) * pageSize / (1024 * 1024)
    }

    // MARK: - Reading files

    static func readFile(_ path: String) throws -> String {
        do { return try readWholeFile(path) } catch let e as ValueError {
            throw JobFileError(SourceLocation(file: path, line: 0), "cannot open job file: \(e.message)")
        }
    }

    /// Splits text into sections. `nested` is true inside an include (no new sections allowed).
    mutating func sections(text: String, file: String, fileIndex: Int, into out: inout [RawSection],
                           nested: Bool, depth: Int = 0) throws {
        var lineNo = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let loc = SourceLocation(file: file, line: lineNo)
            var line = rawLine.trimmed
            if line.hasSuffix("\r") { line.removeLast() }
            // fio cuts the line at the first ';' or '#' anywhere (strip_blank_end), so inline comments
            // work and values cannot contain those characters.
            if let cut = line.firstIndex(where: { $0 == "#" || $0 == ";" }) { line = String(line[..<cut]) }
            line = line.trimmed
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard !nested else { throw JobFileError(loc, "no new sections in included files (fio: \"No new sections in included files\")") }
                guard line.hasSuffix("]"), line.count > 2 else { throw JobFileError(loc, "malformed section header '\(line)'") }
                let name = String(line.dropFirst().dropLast()).trimmed
                guard !name.isEmpty else { throw JobFileError(loc, "empty section name") }
                out.append(RawSection(name: name, isGlobal: name.hasPrefix("global"), entries: [], location: loc, fileIndex: fileIndex))
                continue
            }
            guard !out.isEmpty else {
                let key = line.split(separator: "=").first.map(String.init)?.trimmed ?? line
                throw JobFileError(loc, option: key, "option outside of a [job] section")
            }
            if line.hasPrefix("include ") || line.hasPrefix("include\t") {
                let target = String(line.dropFirst("include".count)).trimmed
                guard !target.isEmpty else { throw JobFileError(loc, option: "include", "include needs a file name") }
                guard depth < 16 else { throw JobFileError(loc, option: "include", "includes nest more than 16 deep (a loop?)") }
                let path = target.hasPrefix("/") ? target : directoryOf(file) + target
                let inner: String
                do { inner = try Self.readFile(path) } catch let e as JobFileError {
                    throw JobFileError(loc, option: "include", "\(path): \(e.reason)")
                }
                try sections(text: inner, file: path, fileIndex: fileIndex, into: &out, nested: true, depth: depth + 1)
                continue
            }
            let key: String, value: String?
            if let eq = line.firstIndex(of: "=") {
                key = String(line[..<eq]).trimmed
                value = String(line[line.index(after: eq)...]).trimmed
            } else {
                key = line
                value = nil
            }
            guard !key.isEmpty else { throw JobFileError(loc, "missing option name before '='") }
            out[out.count - 1].entries.append(RawEntry(key: key, value: value, location: loc))
        }
    }

    func directoryOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    // MARK: - Substitution

    /// ${VAR} from the environment (undefined -> empty, with a warning), then $pagesize,
    /// $mb_memory and $ncpus. A substituted value with arithmetic is evaluated by the
    /// built-in evaluator instead of fio's external `bc`.
    mutating func substitute(_ value: String, at loc: SourceLocation, option: String) throws -> String {
        var out = ""
        var i = value.startIndex
        var substitutedKeyword = false
        while i < value.endIndex {
            let c = value[i]
            if c == "$", value.index(after: i) < value.endIndex, value[value.index(after: i)] == "{" {
                let start = value.index(i, offsetBy: 2)
                guard let close = value[start...].firstIndex(of: "}") else {
                    throw JobFileError(loc, option: option, "unterminated ${ in '\(value)'")
                }
                let name = String(value[start..<close])
                if let v = options.environment[name] { out += v } else {
                    warnings.append("\(loc): environment variable ${\(name)} is not set; using an empty value")
                }
                i = value.index(after: close)
                continue
            }
            if c == "$" {
                let rest = value[value.index(after: i)...]
                var matched = false
                for (kw, v) in [("pagesize", pageSize), ("mb_memory", mbMemory), ("ncpus", ncpus)] where rest.hasPrefix(kw) {
                    out += String(v)
                    i = value.index(i, offsetBy: kw.count + 1)
                    matched = true
                    substitutedKeyword = true
                    break
                }
                if matched { continue }
            }
            out.append(c)
            i = value.index(after: i)
        }
        // fio pipes a keyword-substituted value with + - * / through bc; we evaluate it ourselves.
        if substitutedKeyword, !out.hasPrefix("("), out.contains(where: { "+-*/".contains($0) }) {
            let (num, suffix) = splitTrailingSuffix(out)
            if let v = try? Arithmetic.evaluate(num) { out = formatNumber(v) + suffix }
        }
        return out
    }

    func splitTrailingSuffix(_ s: String) -> (String, String) {
        let idx = s.lastIndex(where: { $0.isNumber || $0 == ")" }).map { s.index(after: $0) } ?? s.endIndex
        return (String(s[..<idx]), String(s[idx...]))
    }

    func formatNumber(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 9e18 ? String(Int64(v)) : String(v)
    }

    // MARK: - Building jobs

    /// Validates an entry and returns (canonical name, setting).
    mutating func resolve(_ e: RawEntry, kbBase: Int) throws -> (String, Setting) {
        guard let spec = lookup(e.key) else {
            let hint = suggestion(for: e.key).map { " (did you mean '\($0)'?)" } ?? ""
            throw JobFileError(e.location, option: e.key, "unknown option\(hint)")
        }
        var value = e.value
        if let v = value {
            value = try substitute(v, at: e.location, option: spec.name)
            // fio refuses every option given an empty value ("failed parsing bs=", the job is
            // dropped), an unset ${VAR} included; running with the default instead would hide it.
            if value?.trimmed.isEmpty == true {
                let from = v.trimmed.isEmpty ? "" : " ('\(v.trimmed)' came out empty)"
                throw JobFileError(e.location, option: e.key, "empty value\(from): give \(e.key)= a value or leave the option out")
            }
        }
        do {
            try OptionTable.validate(spec, value, kbBase: kbBase)
        } catch let err as ValueError {
            throw JobFileError(e.location, option: e.key, err.message)
        }
        return (spec.name, Setting(value: value, source: e.location))
    }

    /// Parses job files plus command-line options (`--name=` starts a job, earlier ones are global).
    public mutating func parse(files: [String], commandLine: [(key: String, value: String?)] = []) throws -> ParseResult {
        var raw: [RawSection] = []
        for (i, f) in files.enumerated() {
            let text = try Self.readFile(f)
            try sections(text: text, file: f, fileIndex: i, into: &raw, nested: false)
        }
        if !options.sections.isEmpty {
            let wanted = Set(options.sections)
            for name in options.sections where !raw.contains(where: { !$0.isGlobal && $0.name == name }) {
                let names = raw.filter { !$0.isGlobal }.map(\.name)
                let near = names.min { editDistance($0, name) < editDistance($1, name) }
                    .flatMap { editDistance($0, name) <= Swift.max(2, name.count / 3) ? $0 : nil }
                throw JobFileError(.commandLine, option: "section", "no job section [\(name)] in \(files.joined(separator: ", "))"
                    + (near.map { " (did you mean '\($0)'?)" } ?? " (its job sections: \(names.joined(separator: ", ")))"))
            }
            raw.removeAll { !$0.isGlobal && !wanted.contains($0.name) }
        }
        // Command-line: options before the first --name are global and override job-file values.
        var cliGlobal: [RawEntry] = []
        var cliJobs: [RawSection] = []
        for kv in commandLine {
            let loc = SourceLocation.commandLine
            if kv.key == "name" {
                cliJobs.append(RawSection(name: kv.value ?? "", isGlobal: false, entries: [], location: loc, fileIndex: files.count))
                guard let v = kv.value, !v.isEmpty else { throw JobFileError(loc, option: "name", "--name needs a value") }
                continue
            }
            let e = RawEntry(key: kv.key, value: kv.value, location: loc)
            if cliJobs.isEmpty { cliGlobal.append(e) } else { cliJobs[cliJobs.count - 1].entries.append(e) }
        }
        return try build(sections: raw + cliJobs, commandLineGlobal: cliGlobal)
    }

    /// Parses job-file text directly (tests and fuzzing).
    public mutating func parse(text: String, file: String = "<text>") throws -> ParseResult {
        var raw: [RawSection] = []
        try sections(text: text, file: file, fileIndex: 0, into: &raw, nested: false)
        return try build(sections: raw, commandLineGlobal: [])
    }

    /// A generic option, or one of an engine's (which engine may use it is checked per job).
    func lookup(_ name: String) -> OptionSpec? {
        OptionTable.lookup(name) ?? engineOptions[name.lowercased()]
    }

    /// The closest option name, generic or an engine's, for "did you mean".
    func suggestion(for name: String) -> String? {
        var best: (String, Int)?
        let candidates = [OptionTable.suggestion(for: name)].compactMap { $0 } + Array(engineOptions.keys)
        for key in candidates {
            let d = editDistance(name, key)
            if d < (best?.1 ?? Int.max) || (d == best?.1 && key < best!.0) { best = (key, d) }
        }
        guard let (key, d) = best, d <= Swift.max(2, name.count / 3) else { return nil }
        return key
    }

    /// Learns the engines' options: the catalog's, and those of each plugin an ioengine= names
    /// (loaded now, so its options parse wherever they stand in the section).
    mutating func learnEngineOptions(_ entries: [RawEntry]) throws {
        let catalog = options.engines
        for d in catalog.builtIn + catalog.notImplemented {
            for spec in d.options {
                for n in [spec.name] + spec.aliases where engineOptions[n] == nil { engineOptions[n] = spec }
            }
        }
        for e in entries where OptionTable.lookup(e.key)?.name == "ioengine" {
            guard let v = e.value?.trimmed, catalog.isPlugin(v) else { continue }
            do {
                guard let d = try catalog.engine(named: v) else { continue }
                for spec in d.options { for n in [spec.name] + spec.aliases { engineOptions[n] = spec } }
            } catch let err as EngineError {
                throw JobFileError(e.location, option: "ioengine", err.message, errno: err.errno)
            }
        }
    }

    mutating func build(sections raw: [RawSection], commandLineGlobal: [RawEntry]) throws -> ParseResult {
        try learnEngineOptions(raw.flatMap(\.entries) + commandLineGlobal)
        var global: [(name: String, setting: Setting)] = []
        var cliSettings: [(String, Setting)] = []
        var jobs: [JobDefinition] = []
        var groupID = 0
        var lastFileIndex = raw.first?.fileIndex ?? 0
        var jobNumber = 0

        func kbBaseOf(_ entries: [RawEntry], inherited: [(name: String, setting: Setting)]) -> Int {
            // fio sorts a section's options by priority, so kb_base applies to the whole section.
            if let e = entries.last(where: { OptionTable.lookup($0.key)?.name == "kb_base" }), let v = e.value, v.trimmed == "1000" { return 1000 }
            if let s = inherited.last(where: { $0.name == "kb_base" }) { return s.setting.value == "1000" ? 1000 : 1024 }
            return 1024
        }
        func upsert(_ list: inout [(name: String, setting: Setting)], _ n: String, _ s: Setting) {
            if let i = list.firstIndex(where: { $0.name == n }) { list[i].setting = s } else { list.append((n, s)) }
        }

        var globalLastSet: [String: Int] = [:]
        let cliKb = kbBaseOf(commandLineGlobal, inherited: [])
        for e in commandLineGlobal { cliSettings.append(try resolve(e, kbBase: cliKb)) }

        for section in raw {
            if section.isGlobal {
                let kb = kbBaseOf(section.entries, inherited: global)
                for e in section.entries {
                    let (n, s) = try resolve(e, kbBase: kb)
                    upsert(&global, n, s)
                    globalLastSet[n] = (globalLastSet.values.max() ?? 0) + 1
                }
                continue
            }
            var job = JobDefinition(name: section.name, section: section.location)
            job.settings = global
            job.lastSet = globalLastSet
            let kb = kbBaseOf(section.entries, inherited: global)
            // The section header names the job unless the section itself sets name= (fio: name=
            // wins). On the command line --name= is the job's first option, as fio lists it.
            let headerNames = !section.entries.contains(where: { OptionTable.lookup($0.key)?.name == "name" })
            let nameSetting = Setting(value: section.name, source: section.location)
            let fromCommandLine = section.location == .commandLine
            if headerNames && fromCommandLine { job.set("name", nameSetting) }
            // Command-line options before the first --name override a job file's values, but
            // not what a command-line job sets after its own --name (fio applies argv in order:
            // "--rw=read --name=a --rw=write" writes).
            if fromCommandLine { for (n, s) in cliSettings { job.set(n, s) } }
            for e in section.entries {
                let (n, s) = try resolve(e, kbBase: kb)
                job.set(n, s)
                job.ownSettings[n] = s
            }
            if headerNames && fromCommandLine { job.ownSettings["name"] = nameSetting }
            if !fromCommandLine { for (n, s) in cliSettings { job.set(n, s) } }
            if headerNames && !fromCommandLine { job.set("name", nameSetting) }
            job.name = job["name"] ?? section.name
            try resolveEngine(&job)
            try checkUnsupported(job)

            // stonewall/new_group start a new group if jobs exist; every later job file implies a stonewall.
            let impliedStonewall = section.fileIndex != lastFileIndex && !jobs.isEmpty
            lastFileIndex = section.fileIndex
            job.stonewall = job.flag("stonewall") || impliedStonewall
            if (job.stonewall || job.flag("new_group")) && !jobs.isEmpty { groupID += 1 }
            job.groupID = groupID

            let numjobs = Int(job.integer("numjobs", default: 1))
            for clone in 0..<numjobs {
                var j = job
                j.cloneIndex = clone
                j.jobNumber = jobNumber
                jobNumber += 1
                if clone > 0 { j.stonewall = false }   // clones drop stonewall/new_group (fio add_job)
                jobs.append(j)
            }
        }
        // wait_for must name an earlier job.
        for (i, j) in jobs.enumerated() {
            if let w = j["wait_for"], let s = j.setting("wait_for") {
                guard jobs[..<i].contains(where: { $0.name == w }) else {
                    throw JobFileError(s.source, option: "wait_for", "no earlier job named '\(w)'")
                }
            }
        }
        var globals = global
        for (n, s) in cliSettings { upsert(&globals, n, s) }
        return ParseResult(jobs: jobs, globalSettings: globals, warnings: warnings)
    }

    /// Finds the job's engine and checks that each engine option set is its engine's: fio
    /// refuses another engine's option ("hipri" on libaio) as unknown.
    func resolveEngine(_ job: inout JobDefinition) throws {
        let catalog = options.engines
        let name = (job["ioengine"] ?? catalog.defaultEngine).trimmed
        let at = job.setting("ioengine")?.source ?? job.section
        let engine: EngineDescriptor?
        do { engine = try catalog.engine(named: name) } catch let e as EngineError {
            throw JobFileError(at, option: "ioengine", e.message, errno: e.errno)
        }
        if engine == nil && !catalog.notImplemented.contains(where: { $0.name == name.lowercased() }) {
            let known = (catalog.builtIn + catalog.notImplemented).flatMap { [$0.name] + $0.aliases }
            let near = known.min { editDistance($0, name) < editDistance($1, name) }
                .flatMap { editDistance($0, name) <= Swift.max(2, name.count / 3) ? $0 : nil }
            throw JobFileError(at, option: "ioengine", "unknown engine '\(name)'" + (near.map { " (did you mean '\($0)'?)" } ?? " (see `swio engines`)"))
        }
        let described = engine ?? catalog.notImplemented.first { $0.name == name.lowercased() }
        for (option, s) in job.settings where OptionTable.lookup(option) == nil {
            if described?.option(option) != nil { continue }
            let owners = (catalog.builtIn + catalog.notImplemented).filter { $0.option(option) != nil }.map(\.name)
            throw JobFileError(s.source, option: option, "not an option of ioengine=\(name)"
                + (owners.isEmpty ? "" : " (it belongs to \(owners.joined(separator: ", ")))"))
        }
        job.engine = engine
    }

    mutating func checkUnsupported(_ job: JobDefinition) throws {
        let name = (job["ioengine"] ?? options.engines.defaultEngine).trimmed
        if job.engine == nil, let s = job.setting("ioengine") {
            let msg = "ioengine=\(name) is a fio engine swio does not implement yet"
            if options.ignoreUnsupported { warnings.append("\(s.source): \(msg)") } else {
                throw JobFileError(s.source, option: "ioengine", msg + " (use --ignore-unsupported to parse anyway)")
            }
        }
        for (option, s) in job.settings {
            guard let spec = OptionTable.lookup(option) ?? job.engine?.option(option) ?? engineOptions[option] else { continue }
            if spec.isUnsupported(s.value) {
                var msg = (s.value.map { "\(option)=\($0)" } ?? option) + " is a fio setting not implemented by swio yet"
                if let why = OptionTable.unsupportedWhy[spec.name] { msg += " (\(why))" }
                if options.ignoreUnsupported {
                    let w = "\(s.source): option '\(option)': \(msg); ignored"
                    if !warnings.contains(w) { warnings.append(w) }
                } else {
                    throw JobFileError(s.source, option: option, msg + " (use --ignore-unsupported to run without it)")
                }
            }
        }
    }
}

/// Reads a whole text file (job files, saved baselines); the error says why in words.
public func readWholeFile(_ path: String, maxBytes: Int = 64 << 20) throws -> String {
    String(decoding: try readWholeFileBytes(path, maxBytes: maxBytes), as: UTF8.self)
}

/// Reads a whole file's bytes; the error says why in words.
public func readWholeFileBytes(_ path: String, maxBytes: Int = 64 << 20) throws -> [UInt8] {
    guard let f = fopen(path, "r") else { throw ValueError(String(cString: strerror(errno))) }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 {
            // A directory opens but does not read (EISDIR); an I/O error must not pass as the end.
            if ferror(f) != 0 { throw ValueError(String(cString: strerror(errno))) }
            break
        }
        bytes.append(contentsOf: buf[0..<n])
        guard bytes.count <= maxBytes else { throw ValueError("larger than \(maxBytes >> 20) MiB") }
    }
    return bytes
}
