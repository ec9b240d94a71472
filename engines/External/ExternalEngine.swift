// Run-time engine plugins, as fio's ioengine=external:/path/lib.so: a shared object that
// exports swio_plugin_entry() (plugins/include/swio_plugin.h) is loaded once, checked (ABI
// version, required calls, option declarations), and described like a built-in engine. Its
// jobs run through PluginEngine, which calls the plugin's functions and checks what comes
// back: a count out of range, an unknown I/O or an impossible result fails the job with
// EPROTO and says so in the report; it never crashes swio.

import SwioCore
import CSwioPlugin
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A plugin loaded into the process. It stays loaded: its descriptor and running jobs call
/// into it.
public final class LoadedPlugin: @unchecked Sendable {
    public let path: String
    let plugin: UnsafePointer<swio_plugin>
    public let name: String
    let options: [OptionSpec]

    init(path: String, plugin: UnsafePointer<swio_plugin>, name: String, options: [OptionSpec]) {
        self.path = path; self.plugin = plugin; self.name = name; self.options = options
    }
    var flags: EngineFlags {
        var f: EngineFlags = []
        let raw = plugin.pointee.flags
        if raw & UInt32(SWIO_PLUGIN_SYNC) != 0 { f.insert(.sync) }
        if raw & UInt32(SWIO_PLUGIN_DISKLESS) != 0 { f.insert(.diskless) }
        if raw & UInt32(SWIO_PLUGIN_DIRECT) != 0 { f.insert(.directOnly) }
        return f
    }
}

public enum ExternalEngines {
    static let loaded = Mutex<[String: LoadedPlugin]>([:])

    /// Whether ioengine=`name` names a plugin: external:PATH, or a path (fio takes both).
    public static func isPlugin(_ name: String) -> Bool { name.hasPrefix("external:") || name.contains("/") }

    /// The file a plugin name stands for.
    public static func path(of name: String) -> String {
        name.hasPrefix("external:") ? String(name.dropFirst("external:".count)) : name
    }

    /// The plugin's engine, loading and checking it on first use.
    public static func descriptor(for name: String) throws -> EngineDescriptor {
        let p = try load(path(of: name))
        return EngineDescriptor(
            name: name, summary: "plugin '\(p.name)': " + (p.plugin.pointee.summary.map { String(cString: $0) } ?? ""),
            flags: p.flags, options: p.options, notes: ["loaded from \(p.path)"], origin: p.path
        ) { job in JobDriver.run(PluginEngine.self, job) }
    }

    /// Loads (once) and checks the plugin at `path`.
    public static func load(_ path: String) throws -> LoadedPlugin {
        try loaded.withLock { cache in
            if let p = cache[path] { return p }
            let p = try open(path)
            cache[path] = p
            return p
        }
    }

    static func open(_ path: String) throws -> LoadedPlugin {
        guard !path.isEmpty else { throw EngineError(errno: EINVAL, "ioengine=external: needs the plugin's path (external:/path/to/lib.so)") }
        // dlopen searches the library path for a bare name; a plugin is a file the user names.
        var st = stat()
        guard stat(path, &st) == 0 else {
            let e = errno
            throw EngineError(errno: e, "cannot load engine plugin \(path): \(Syscall.errorString(e))")
        }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let why = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw EngineError(errno: ENOEXEC, "cannot load engine plugin \(path): \(why)")
        }
        guard let sym = dlsym(handle, "swio_plugin_entry") else {
            dlclose(handle)
            throw EngineError(errno: ENOEXEC, "\(path) is not a swio engine plugin: it does not export swio_plugin_entry() (see plugins/include/swio_plugin.h)")
        }
        typealias Entry = @convention(c) () -> UnsafePointer<swio_plugin>?
        let entry = unsafeBitCast(sym, to: Entry.self)
        func refuse(_ why: String) -> EngineError {
            dlclose(handle)
            return EngineError(errno: ENOEXEC, "engine plugin \(path): \(why)")
        }
        guard let plugin = entry() else { throw refuse("swio_plugin_entry() returned NULL") }
        let p = plugin.pointee
        guard p.abi_version == UInt32(SWIO_PLUGIN_ABI_VERSION) else {
            throw refuse("built for plugin ABI version \(p.abi_version); this swio loads version \(SWIO_PLUGIN_ABI_VERSION) (rebuild it against plugins/include/swio_plugin.h)")
        }
        guard let namePtr = p.name, !String(cString: namePtr).isEmpty else { throw refuse("it has no name") }
        guard p.`init` != nil, p.queue != nil, p.cleanup != nil else { throw refuse("init, queue and cleanup are required") }
        if p.flags & UInt32(SWIO_PLUGIN_SYNC) == 0, p.commit == nil || p.getevents == nil || p.event == nil {
            throw refuse("an asynchronous engine (no SWIO_PLUGIN_SYNC flag) needs commit, getevents and event")
        }
        guard p.option_count < 1024, p.option_count == 0 || p.options != nil else { throw refuse("option_count \(p.option_count) without options") }
        var options: [OptionSpec] = []
        for i in 0..<p.option_count {
            let o = p.options[i]
            guard let n = o.name.map({ String(cString: $0).lowercased() }), !n.isEmpty,
                  n.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw refuse("option \(i) has no usable name") }
            if OptionTable.lookup(n) != nil { throw refuse("option '\(n)' is already a generic job option") }
            let kind: OptionKind
            switch o.type {
            case UInt32(SWIO_OPT_INT.rawValue): kind = .int(min: o.min <= o.max ? o.min : nil, max: o.min <= o.max ? o.max : nil)
            case UInt32(SWIO_OPT_BOOL.rawValue): kind = .bool
            case UInt32(SWIO_OPT_STRING.rawValue): kind = .string
            case UInt32(SWIO_OPT_SIZE.rawValue): kind = .size(perDirection: false, percentOK: false)
            default: throw refuse("option '\(n)' has unknown type \(o.type)")
            }
            let def = o.default_value.map { String(cString: $0) }
            if let d = def {
                do { try OptionTable.validate(OptionSpec(n, kind, ""), d) } catch let e as ValueError {
                    throw refuse("option '\(n)': its default '\(d)' is not valid: \(e.message)")
                }
            }
            options.append(OptionSpec(n, kind, default: def, o.help.map { String(cString: $0) } ?? ""))
        }
        return LoadedPlugin(path: path, plugin: plugin, name: String(cString: namePtr), options: options)
    }
}

/// A job on a plugin: swio's I/O units mirrored into the plugin's struct swio_io, every answer
/// checked before the loop sees it.
public struct PluginEngine: IOEngine {
    @usableFromInline let plugin: UnsafePointer<swio_plugin>
    @usableFromInline let instance: UnsafeMutableRawPointer?
    @usableFromInline let ios: UnsafeMutablePointer<swio_io>
    @usableFromInline let units: UnsafeMutablePointer<IOUnit>
    @usableFromInline let count: Int
    @usableFromInline let completed: UnsafeMutablePointer<UnsafeMutablePointer<IOUnit>>
    @usableFromInline var queuedSinceCommit = 0
    /// The first answer that broke the plugin contract, for the report.
    @usableFromInline var breach: String? = nil
    @usableFromInline let name: String

    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        let loaded = try ExternalEngines.load(ExternalEngines.path(of: job.engineName))
        plugin = loaded.plugin
        name = loaded.name
        self.units = units
        self.count = count
        ios = .allocate(capacity: count)
        completed = .allocate(capacity: count)
        for i in 0..<count {
            ios[i] = swio_io(index: UInt32(i), kind: 0, fd: -1, reserved: 0, buf: units[i].buffer, length: 0, offset: 0,
                             result: 0, engine_data: 0)
        }
        // The job's values of the plugin's options (its defaults where the job is silent),
        // canonical: integers and sizes in decimal, booleans as 0/1.
        var names: [String] = [], values: [String] = []
        for spec in loaded.options {
            guard let raw = job.definition[spec.name] ?? spec.defaultValue else { continue }
            let v: String
            switch spec.kind {
            case .int: v = String((try? Values.integer(raw)) ?? 0)
            case .bool: v = ((try? Values.bool(raw)) ?? false) ? "1" : "0"
            case .size: v = String((try? Values.bytes(raw)) ?? 0)
            default: v = raw
            }
            names.append(spec.name); values.append(v)
        }
        var inst: UnsafeMutableRawPointer? = nil
        var error = [CChar](repeating: 0, count: 512)
        let p = loaded.plugin, units = ios, depth = UInt32(count), bs = job.maxBlockSize
        let r: Int32 = withCStrings(names) { namePtrs in
            withCStrings(values) { valuePtrs in
                job.name.withCString { jobName in
                    var j = swio_job(name: jobName, iodepth: depth, reserved: 0, max_block_size: bs, ios: units,
                                     option_count: names.count, option_names: namePtrs, option_values: valuePtrs)
                    return p.pointee.`init`(&j, &inst, &error, error.count)
                }
            }
        }
        guard r == 0 else {
            ios.deallocate(); completed.deallocate()
            let e = r < 0 && r > -4096 ? -r : EPROTO
            let why = error[0] != 0 ? String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : Syscall.errorString(e)
            throw EngineError(errno: e, "engine plugin \(name): init failed: \(why)")
        }
        instance = inst
    }

    public mutating func openFile(path: String, flags: Int32, mode: UInt32) throws -> Int32 {
        guard let open = plugin.pointee.open_file else { return try Syscall.open(path, flags: flags, mode: mode) }
        let fd = open(instance, path, flags, mode)
        if fd < 0 {
            let e = fd > -4096 ? -fd : EPROTO
            throw EngineError(errno: e, "engine plugin \(name): cannot open \(path): \(Syscall.errorString(e))")
        }
        return fd
    }

    public mutating func closeFile(fd: Int32) -> Int32 {
        guard let close = plugin.pointee.close_file else { return Syscall.close(fd) }
        let r = close(instance, fd)
        return r == 0 ? 0 : (r < 0 && r > -4096 ? -r : EPROTO)
    }

    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        let io = ios + Int(u.pointee.index)
        io.pointee.kind = UInt32(u.pointee.kind.rawValue)
        io.pointee.fd = u.pointee.fd
        io.pointee.buf = u.pointee.buffer
        io.pointee.length = UInt64(u.pointee.length)
        io.pointee.offset = u.pointee.offset
        io.pointee.result = 0
        switch plugin.pointee.queue(instance, io) {
        case Int32(SWIO_Q_COMPLETED.rawValue):
            u.pointee.result = checkedResult(io)
            return .completed
        case Int32(SWIO_Q_QUEUED.rawValue) where plugin.pointee.commit != nil:
            queuedSinceCommit += 1
            return .queued
        case Int32(SWIO_Q_BUSY.rawValue) where plugin.pointee.commit != nil:
            return .busy
        case let r:
            noteBreach("queue returned \(r)")
            u.pointee.result = -Int(EPROTO)
            return .completed
        }
    }

    /// A result as the loop takes it: bytes done (at most the length asked) or -errno.
    @inlinable func checkedResult(_ io: UnsafeMutablePointer<swio_io>) -> Int {
        let r = io.pointee.result
        if r >= 0 && r <= Int64(io.pointee.length) || r < 0 && r > -4096 { return Int(r) }
        return -Int(EPROTO)
    }

    @usableFromInline mutating func noteBreach(_ what: String) {
        if breach == nil { breach = what }
    }

    @inlinable public mutating func commit() throws -> Int {
        guard let commit = plugin.pointee.commit else { return 0 }
        let n = queuedSinceCommit
        queuedSinceCommit = 0
        let r = commit(instance)
        if r < 0 {
            let e = r > -4096 ? -r : EPROTO
            throw EngineError(errno: e, "engine plugin \(name): commit failed: \(Syscall.errorString(e))")
        }
        guard Int(r) == n else {
            noteBreach("commit returned \(r) with \(n) queued")
            throw EngineError(errno: EPROTO, "engine plugin \(name): commit returned \(r) with \(n) queued", accepted: Swift.min(Int(r), n))
        }
        return n
    }

    @inlinable public mutating func getEvents(min: Int, max: Int) throws -> Int {
        guard let getevents = plugin.pointee.getevents, let event = plugin.pointee.event else { return 0 }
        let r = getevents(instance, UInt32(min), UInt32(max))
        if r < 0 {
            let e = r > -4096 ? -r : EPROTO
            throw EngineError(errno: e, "engine plugin \(name): getevents failed: \(Syscall.errorString(e))")
        }
        // Fewer than min would leave the loop waiting on nothing; more than max, overrun it.
        guard Int(r) <= max, Int(r) >= min else {
            noteBreach("getevents(min \(min), max \(max)) returned \(r)")
            throw EngineError(errno: EPROTO, "engine plugin \(name): getevents(min \(min), max \(max)) returned \(r)")
        }
        for i in 0..<Int(r) {
            guard let io = event(instance, UInt32(i)), io >= ios, io < ios + count else {
                noteBreach("event(\(i)) returned an I/O swio did not queue")
                throw EngineError(errno: EPROTO, "engine plugin \(name): event(\(i)) returned an I/O swio did not queue")
            }
            let u = units + (io - ios)
            u.pointee.result = checkedResult(io)
            completed[i] = u
        }
        return Int(r)
    }

    @inlinable public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { completed[i] }

    public func extraStats() -> [(String, JSON)] {
        var out: [(String, JSON)] = [("plugin", .string(name))]
        if let b = breach { out.append(("plugin_contract_breach", .string(b))) }
        return out
    }

    public mutating func cleanup() {
        plugin.pointee.cleanup(instance)
        ios.deallocate()
        completed.deallocate()
    }
}

/// Runs `body` with NUL-terminated copies of `strings`, valid for the call.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let ptrs: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    return ptrs.withUnsafeBufferPointer { body($0.baseAddress!) }
}
