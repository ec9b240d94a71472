import SwioCore
public struct LibaioEngine: IOEngine {
    public static let info = EngineInfo(name: "libaio", flags: [.blocksWhenBuffered], summary: "Linux native AIO (io_submit/io_getevents)")
    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws { throw EngineError(errno: 38, "libaio: not built yet") }
    public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult { .busy }
    public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { fatalError() }
}
