// neturing: many connections from one job through io_uring: each connection's head I/O is a
// send or receive on the ring, completions reaped from the CQ in batches. With zerocopy=1
// sends are IORING_OP_SEND_ZC: an I/O completes when the ring's notification says its buffer
// is released, and notifications that report a copy (always, on loopback) are counted.

import SwioCore
import CSwio
import CNet
import CLiburing
#if canImport(Glibc)
import Glibc
#endif

public struct NetUringEngine: IOEngine {
    public static let descriptor = EngineDescriptor(
        name: "neturing", summary: "many connections from one job through io_uring send/recv, batched reaping, IORING_OP_SEND_ZC",
        flags: [.network, .batchedCompletions], options: NetAsyncOptions.all,
        notes: ["connections=N: one job, N connections (TCP or unix); set iodepth to at least N",
                "zerocopy=1: SEND_ZC sends complete on the ring's notification; swio.engine counts the copied ones"]
    ) { JobDriver.run(NetUringEngine.self, $0) }

    @usableFromInline var net: NetKeventEngine
    @usableFromInline let ring: UnsafeMutablePointer<io_uring>
    /// Whether a connection's head I/O is on the ring.
    @usableFromInline let busy: UnsafeMutablePointer<Bool>
    /// Zero-copy notifications a unit still waits for, and whether all its bytes are sent.
    @usableFromInline let zcOutstanding: UnsafeMutablePointer<Int>
    @usableFromInline let sentAll: UnsafeMutablePointer<Bool>
    @usableFromInline let cqes: UnsafeMutablePointer<UnsafeMutablePointer<io_uring_cqe>?>
    @usableFromInline var unsubmitted = 0

    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        net = try NetKeventEngine(job: job, units: units, count: count)
        let n = net.conns.count
        ring = .allocate(capacity: 1)
        ring.initialize(to: io_uring())
        // One I/O on the ring per connection, and room for each zero-copy notification.
        let r = cswio_uring_init(ring, UInt32(Swift.max(8, 2 * count)), 0, -1, 0)
        if r < 0 {
            ring.deallocate()
            net.cleanup()
            throw EngineError(errno: -r, "ioengine=neturing: io_uring setup failed: \(Syscall.errorString(-r))")
        }
        if net.zerocopy && cswio_uring_has_send_zc(ring) == 0 {
            io_uring_queue_exit(ring); ring.deallocate(); net.cleanup()
            throw EngineError(errno: EOPNOTSUPP, "zerocopy=1: this kernel's io_uring has no IORING_OP_SEND_ZC (6.0 and later)")
        }
        busy = .allocate(capacity: n); busy.initialize(repeating: false, count: n)
        zcOutstanding = .allocate(capacity: count); zcOutstanding.initialize(repeating: 0, count: count)
        sentAll = .allocate(capacity: count); sentAll.initialize(repeating: false, count: count)
        cqes = .allocate(capacity: 64)
    }

    public mutating func openFile(path: String, flags: Int32, mode: UInt32) throws -> Int32 {
        try net.openFile(path: path, flags: flags, mode: mode)
    }
    public mutating func closeFile(fd: Int32) -> Int32 { net.closeFile(fd: fd) }

    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        guard u.pointee.kind == .read || u.pointee.kind == .write else { u.pointee.result = 0; return .completed }
        guard let c = net.conns.pick(Int(u.pointee.index)) else {
            u.pointee.result = net.sending ? -Int(EPIPE) : 0
            return .completed
        }
        let i = Int(u.pointee.index)
        net.done[i] = 0
        if net.firstIONs == 0 { net.firstIONs = cswio_now_ns() }
        zcOutstanding[i] = 0
        sentAll[i] = false
        net.conns.push(c, u)
        if !busy[c] { submitHead(c) }
        return .queued
    }

    /// Puts connection c's head I/O (what is left of it) on the ring.
    @inlinable mutating func submitHead(_ c: Int) {
        guard let u = net.conns.first(c), let sqe = io_uring_get_sqe(ring) else { return }
        let i = Int(u.pointee.index)
        cswio_uring_prep_socket(sqe, net.sending ? 1 : 0, net.conns.fds[c], u.pointee.buffer + net.done[i],
                                UInt32(u.pointee.length - net.done[i]), net.zerocopy ? 1 : 0, UInt64(c))
        busy[c] = true
        unsubmitted += 1
    }

    @inlinable public mutating func commit() throws -> Int {
        guard unsubmitted > 0 else { return 0 }
        let n = unsubmitted
        let r = io_uring_submit(ring)
        if r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY {
            throw EngineError(errno: -r, "neturing: submit failed: \(Syscall.errorString(-r))")
        }
        unsubmitted = 0
        return n
    }

    @inlinable public mutating func getEvents(min: Int, max: Int) throws -> Int {
        if net.handed > 0 {
            let left = net.nReady - net.handed
            for k in 0..<left { net.ready[k] = net.ready[net.handed + k] }
            net.nReady = left
            net.handed = 0
        }
        while net.nReady < min {
            let got = Int(cswio_uring_peek_batch(ring, cqes, 64))
            if got == 0 {
                net.waits &+= 1
                let r = cswio_uring_submit_wait_ms(ring, 100)
                unsubmitted = 0
                if r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY {
                    throw EngineError(errno: -r, "neturing: wait failed: \(Syscall.errorString(-r))")
                }
                if r == -ETIME && (cswio_should_stop() != 0 || net.overrun) { net.cancelAll(); break }
                continue
            }
            for k in 0..<got { handle(cqes[k]!) }
            io_uring_cq_advance(ring, UInt32(got))
            if unsubmitted > 0 { _ = try commit() }
        }
        net.harvests &+= 1
        net.handed = Swift.min(net.nReady, max)
        return net.handed
    }

    @inlinable mutating func handle(_ cqe: UnsafeMutablePointer<io_uring_cqe>) {
        let c = Int(io_uring_cqe_get_data64(cqe))
        let res = Int(cqe.pointee.res), flags = cqe.pointee.flags
        if flags & cswio_CQE_F_NOTIF != 0 {
            // A zero-copy buffer released: the oldest send of this connection still waiting.
            guard let u = net.zcPending.first(c) else { return }
            net.zcPending.pop(c)
            if UInt32(bitPattern: Int32(truncatingIfNeeded: res)) & cswio_NOTIF_ZC_COPIED != 0 { net.zcCopied &+= 1 }
            let i = Int(u.pointee.index)
            zcOutstanding[i] -= 1
            if zcOutstanding[i] == 0 && sentAll[i] { net.finish(u, net.done[i]) }
            return
        }
        guard let u = net.conns.first(c) else { return }
        let i = Int(u.pointee.index)
        busy[c] = false
        if net.zerocopy && flags & cswio_CQE_F_MORE != 0 {
            net.zcPending.push(c, u)
            zcOutstanding[i] += 1
            net.zcSends &+= 1
        }
        if res > 0 {
            net.done[i] += res
            if net.done[i] < u.pointee.length { submitHead(c); return }
            net.conns.pop(c)
            if zcOutstanding[i] > 0 { sentAll[i] = true } else { net.finish(u, net.done[i]) }
        } else if res == 0 && !net.sending {
            net.endConnection(c)
            for other in 0..<net.conns.count where net.conns.open[other] && !busy[other] && net.conns.length[other] > 0 { submitHead(other) }
            return
        } else {
            net.conns.pop(c)
            net.finish(u, res < 0 ? res : net.done[i])
        }
        if net.conns.open[c] && net.conns.length[c] > 0 { submitHead(c) }
    }

    @inlinable public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { net.ready[i] }

    public func extraStats() -> [(String, JSON)] { net.extraStats() }

    public mutating func cleanup() {
        io_uring_queue_exit(ring)
        ring.deallocate()
        busy.deallocate(); zcOutstanding.deallocate(); sentAll.deallocate(); cqes.deallocate()
        net.cleanup()
    }
}
