import SwioCore
public struct KeventEngine: IOEngine {
    public static let info = EngineInfo(name: "kevent", flags: [.directOnly, .alignedMemory], summary: "kevent-style reader")
    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws { throw EngineError(errno: 38, "kevent: not built yet") }
    public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult { .busy }
    public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { fatalError() }
}
