import SwioCore
public struct IOUringEngine: IOEngine {
    public static let info = EngineInfo(name: "io_uring", flags: [], summary: "io_uring via liburing")
    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws { throw EngineError(errno: 38, "io_uring: not built yet") }
    public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult { .busy }
    public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { fatalError() }
}
