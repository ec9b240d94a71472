// The one list of engines: each engine folder exports its EngineDescriptor, and this file
// lists them once, composing the kevent engine over its completion sources. Run-time plugins
// (ioengine=external:PATH) are loaded on first use.

import SwioCore
import SyncEngines
import NullEngine
import LibaioEngine
import IOUringEngine
import KeventEngine
import MmapEngine
import PosixAIOEngine
import NetEngine
import ExternalEngine

public struct EngineRegistry: EngineCatalog {
    public static let catalog = EngineRegistry()

    public let builtIn: [EngineDescriptor] = [
        PSyncEngine.descriptor, SyncEngine.descriptor, VSyncEngine.descriptor, PVSyncEngine.descriptor,
        PVSync2Engine.descriptor, NullEngine.descriptor, LibaioEngine.descriptor, IOUringEngine.descriptor,
        Kevent.descriptor(sources: [Kevent.source(LibaioEngine.self), Kevent.source(IOUringEngine.self)]),
        MmapEngine.descriptor, PosixAIOEngine.descriptor, NetEngine.descriptor, NetEngine.spliceDescriptor, NetKeventEngine.descriptor,
        NetUringEngine.descriptor,
    ]

    public var defaultEngine: String { "psync" }

    public var notImplemented: [EngineDescriptor] { FioEngines.notImplemented }

    public func isPlugin(_ name: String) -> Bool { ExternalEngines.isPlugin(name) }

    public func engine(named name: String) throws -> EngineDescriptor? {
        let n = name.trimmed
        if isPlugin(n) { return try ExternalEngines.descriptor(for: n) }
        let lower = n.lowercased()
        return builtIn.first { $0.name == lower || $0.aliases.contains(lower) }
    }

    /// A built-in engine by name (tests, `swio engines`).
    public static func descriptor(_ name: String) -> EngineDescriptor? { try? catalog.engine(named: name) }
}

/// `swio baseline --net`: one plain TCP stream, to loopback or host:port (NetBaseline).
public func measureNetworkBaseline(target: String?) throws -> BaselineResult {
    try NetBaseline.measure(target: target)
}
