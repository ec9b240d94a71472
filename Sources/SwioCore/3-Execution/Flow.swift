// fio's flow=/flow_id=: jobs of one flow issue I/O in proportion to their weights. Before each
// I/O a job compares its share of the flow's I/Os with its share of the weights, and waits
// (flow_sleep, or a yield) while it is ahead; a job that ends takes its weight out.

import Synchronization
import CSwio
#if canImport(Glibc)
import Glibc
#endif

public final class FlowState: Sendable {
    let ios = Atomic<UInt64>(1)
    let weights = Atomic<Int>(0)

    static let registry = Mutex<[Int: FlowState]>([:])
    /// The flow of this id, shared by every job of the run that names it.
    public static func named(_ id: Int) -> FlowState {
        registry.withLock { r in
            if let f = r[id] { return f }
            let f = FlowState()
            r[id] = f
            return f
        }
    }
    public func join(_ weight: Int) { weights.add(weight, ordering: .relaxed) }
    public func leave(_ weight: Int) { weights.subtract(weight, ordering: .relaxed) }
}

/// One job's place in its flow.
public struct FlowTurn {
    let flow: FlowState
    let weight: Int
    let sleepNs: UInt64
    var own: UInt64 = 0

    public init(_ flow: FlowState, weight: Int, sleepUs: UInt64) {
        self.flow = flow; self.weight = weight; sleepNs = sleepUs * 1000
    }

    /// Waits until the job is not ahead of its share (or alone, or asked to stop), then counts
    /// its next I/O.
    mutating func take(stopFlag: UnsafeMutablePointer<Int32>, deadlineNs: UInt64) {
        while true {
            let total = flow.weights.load(ordering: .relaxed)
            let shared = flow.ios.load(ordering: .relaxed)
            if total <= weight || Double(own) / Double(max(1, shared)) <= Double(weight) / Double(total) { break }
            if cswio_job_should_stop(stopFlag) != 0 || cswio_now_ns() >= deadlineNs { break }
            if sleepNs > 0 { sleepUntil(cswio_now_ns() + sleepNs, stopFlag: stopFlag) } else { sched_yield() }
        }
        own &+= 1
        flow.ios.add(1, ordering: .relaxed)
    }
}
