// netkevent: the 2006 kevent network path on today's kernel. One job drives `connections`
// TCP (or unix) connections from one thread: non-blocking sockets in an epoll ready-queue,
// each connection working through its own queue of I/Os in order, completions harvested in
// batches. With zerocopy=1 sends use MSG_ZEROCOPY, and an I/O completes only when the
// kernel's error-queue notification says its buffer is released; sends it copied after all
// (always, on loopback) are counted, not hidden.

import SwioCore
import CSwio
import CNet
#if canImport(Glibc)
import Glibc
#endif

public enum NetAsyncOptions {
    public static let connections = EngineOption.int("connections", default: 1, min: 1, max: 65536,
                                                     "Connections one job drives (iodepth must be at least this)")
    public static let zerocopy = EngineOption.bool("zerocopy", "Zero-copy sends (MSG_ZEROCOPY, or IORING_OP_SEND_ZC); copied fallbacks are counted")
    static var all: [OptionSpec] { NetOptions.all.filter { !["pingpong", "sendfile"].contains($0.name) } + [connections.spec, zerocopy.spec] }
}

/// The connections of an asynchronous net job, each with its queue of I/Os (FIFO: a stream's
/// bytes go out and come in in order).
@usableFromInline struct ConnectionQueues {
    @usableFromInline let count: Int
    @usableFromInline let capacity: Int
    @usableFromInline let fds: UnsafeMutablePointer<Int32>
    @usableFromInline let open: UnsafeMutablePointer<Bool>
    @usableFromInline let slots: UnsafeMutablePointer<UnsafeMutablePointer<IOUnit>?>
    @usableFromInline let head: UnsafeMutablePointer<Int>
    @usableFromInline let length: UnsafeMutablePointer<Int>

    init(count: Int, capacity: Int) {
        self.count = count
        self.capacity = capacity
        fds = .allocate(capacity: count); fds.initialize(repeating: -1, count: count)
        open = .allocate(capacity: count); open.initialize(repeating: false, count: count)
        slots = .allocate(capacity: count * capacity); slots.initialize(repeating: nil, count: count * capacity)
        head = .allocate(capacity: count); head.initialize(repeating: 0, count: count)
        length = .allocate(capacity: count); length.initialize(repeating: 0, count: count)
    }
    func deallocate() { fds.deallocate(); open.deallocate(); slots.deallocate(); head.deallocate(); length.deallocate() }

    @inlinable func push(_ c: Int, _ u: UnsafeMutablePointer<IOUnit>) {
        slots[c * capacity + (head[c] + length[c]) % capacity] = u
        length[c] += 1
    }
    @inlinable func first(_ c: Int) -> UnsafeMutablePointer<IOUnit>? { length[c] > 0 ? slots[c * capacity + head[c]] : nil }
    @inlinable func pop(_ c: Int) {
        head[c] = (head[c] + 1) % capacity
        length[c] -= 1
    }
    /// An open connection for a new I/O: the unit's own, or the next open one.
    @inlinable func pick(_ index: Int) -> Int? {
        for k in 0..<count {
            let c = (index + k) % count
            if open[c] { return c }
        }
        return nil
    }
}

public struct NetKeventEngine: IOEngine {
    public static let descriptor = EngineDescriptor(
        name: "netkevent", summary: "many connections from one job: non-blocking sockets in an epoll ready-queue, batched harvest, MSG_ZEROCOPY",
        flags: [.network, .batchedCompletions], options: NetAsyncOptions.all,
        notes: ["connections=N: one job, N connections (TCP or unix); set iodepth to at least N",
                "zerocopy=1: MSG_ZEROCOPY sends complete on the kernel's notification; swio.engine counts the copied ones"]
    ) { JobDriver.run(NetKeventEngine.self, $0) }

    @usableFromInline let endpoint: Endpoint
    @usableFromInline let sending: Bool
    @usableFromInline let zerocopy: Bool
    @usableFromInline var conns: ConnectionQueues
    @usableFromInline let units: UnsafeMutablePointer<IOUnit>
    @usableFromInline let depth: Int
    /// Bytes each unit has moved so far, by unit index.
    @usableFromInline let done: UnsafeMutablePointer<Int>
    /// Zero-copy: the send id a unit's buffer waits on (its last send's), and the connection's
    /// next id and first id not yet released.
    @usableFromInline let zcWait: UnsafeMutablePointer<UInt32>
    @usableFromInline let zcNext: UnsafeMutablePointer<UInt32>
    @usableFromInline let zcReleased: UnsafeMutablePointer<UInt32>
    /// Units sent and waiting for their zero-copy release, by connection (in send order).
    @usableFromInline var zcPending: ConnectionQueues
    @usableFromInline let ready: UnsafeMutablePointer<UnsafeMutablePointer<IOUnit>>
    @usableFromInline var nReady = 0
    @usableFromInline var handed = 0
    @usableFromInline let epollFD: Int32
    @usableFromInline let events: UnsafeMutablePointer<UInt64>
    @usableFromInline var waits: UInt64 = 0
    @usableFromInline var harvests: UInt64 = 0
    @usableFromInline var zcSends: UInt64 = 0
    @usableFromInline var zcCopied: UInt64 = 0
    var options = cnet_options()
    let connectTimeoutNs: UInt64
    /// How long the job runs (runtime and ramp; 0 without), and when its first I/O came: a wait
    /// a second past that is cut short (a peer stalled in retransmits can hold sends for many).
    @usableFromInline let runNs: UInt64
    @usableFromInline var firstIONs: UInt64 = 0
    var interfaceCopy: UnsafeMutablePointer<CChar>? = nil

    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        guard !job.rw.isRandom, job.rw.directions.count == 1, let dir = job.rw.directions.first, dir != .trim else {
            throw EngineError(errno: EINVAL, "ioengine=\(job.engineName): a job either sends (rw=write) or receives (rw=read)")
        }
        sending = dir == .write
        endpoint = try Endpoint(job)
        guard !endpoint.isUDP else { throw EngineError(errno: EINVAL, "ioengine=\(job.engineName): TCP or unix sockets only (use ioengine=net for UDP)") }
        let n = Int(NetAsyncOptions.connections.value(in: job))
        guard count >= n else {
            throw EngineError(errno: EINVAL, "ioengine=\(job.engineName): iodepth=\(count) is below connections=\(n); set iodepth to at least \(n)")
        }
        // Each connection is a descriptor (both ends, when one run holds both).
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, UInt64(n) + 64 > UInt64(limit.rlim_cur) {
            throw EngineError(errno: EMFILE, "ioengine=\(job.engineName): connections=\(n) needs \(n) file descriptors and more; the limit is \(limit.rlim_cur) (raise it with ulimit -n, up to \(limit.rlim_max))")
        }
        zerocopy = NetAsyncOptions.zerocopy.value(in: job) && sending
        self.units = units
        depth = count
        conns = ConnectionQueues(count: n, capacity: count)
        zcPending = ConnectionQueues(count: n, capacity: count)
        done = .allocate(capacity: count); done.initialize(repeating: 0, count: count)
        zcWait = .allocate(capacity: count); zcWait.initialize(repeating: 0, count: count)
        zcNext = .allocate(capacity: n); zcNext.initialize(repeating: 0, count: n)
        zcReleased = .allocate(capacity: n); zcReleased.initialize(repeating: 0, count: n)
        // Room for the units handed out by the last harvest (the loop reads them before it
        // queues more) and as many new completions.
        ready = .allocate(capacity: 2 * count)
        events = .allocate(capacity: 64)
        connectTimeoutNs = UInt64(NetOptions.connectTimeout.value(in: job)) * 1_000_000_000
        runNs = job.runtimeUs > 0 ? (job.runtimeUs + job.rampUs) * 1000 : 0
        options.window_size = Int32(clamping: NetOptions.windowSize.value(in: job) ?? 0)
        options.mss = Int32(clamping: NetOptions.mss.value(in: job) ?? 0)
        options.nodelay = NetOptions.nodelay.value(in: job) ? 1 : 0
        // A connection is ready to read once it holds the smallest block, not at every segment.
        if !sending { options.receive_low_water = Int32(clamping: job.blockSizes(0).min) }
        let ep = cnet_epoll_create()
        guard ep >= 0 else { throw EngineError(errno: -ep, "ioengine=\(job.engineName): epoll_create: \(Syscall.errorString(-ep))") }
        epollFD = ep
    }

    /// Opens every connection (accepting them with listen, else connecting), non-blocking, in
    /// the ready-queue; returns the first one's fd (the job's "file").
    public mutating func openFile(path: String, flags: Int32, mode: UInt32) throws -> Int32 {
        let e = try endpoint.resolved(filename: path)
        var error = [CChar](repeating: 0, count: 256)
        func message(_ code: Int32) -> String {
            error[0] != 0 ? String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : Syscall.errorString(-code)
        }
        var lfd: Int32 = -1
        if e.listen {
            lfd = cnet_listen(e.host, Int32(e.port), e.proto.rawValue, &options, &error, error.count)
            if lfd < 0 { throw EngineError(errno: -lfd, "cannot listen: \(message(lfd))") }
        }
        defer { if lfd >= 0 { Syscall.close(lfd) } }
        for c in 0..<conns.count {
            var fd: Int32
            if lfd >= 0 {
                repeat {
                    fd = cnet_accept(lfd, 100, &options)
                    if fd < 0 && fd != -ETIMEDOUT && fd != -EINTR { throw EngineError(errno: -fd, "accept failed: \(Syscall.errorString(-fd))") }
                    if fd < 0 && cswio_should_stop() != 0 { throw JobStopped() }
                } while fd < 0
            } else {
                let start = cswio_now_ns()
                while true {
                    error[0] = 0
                    fd = cnet_connect(e.host, Int32(e.port), e.proto.rawValue, &options, &error, error.count)
                    if fd >= 0 { break }
                    let refused = fd == -ECONNREFUSED || (e.proto == .unix && fd == -ENOENT)
                    guard refused, cswio_now_ns() - start < connectTimeoutNs else {
                        throw EngineError(errno: -fd, refused ? "nothing listens at \(e.description): \(message(fd))" : message(fd))
                    }
                    if cswio_should_stop() != 0 { throw JobStopped() }
                    var ts = timespec(tv_sec: 0, tv_nsec: 20_000_000)
                    nanosleep(&ts, nil)
                }
            }
            conns.fds[c] = fd
            conns.open[c] = true
            _ = cnet_set_nonblocking(fd)
            if zerocopy && cnet_enable_zerocopy(fd) != 0 {
                throw EngineError(errno: EOPNOTSUPP, "zerocopy=1: this socket cannot send with MSG_ZEROCOPY (SO_ZEROCOPY refused)")
            }
            let w = cnet_epoll_watch(epollFD, fd, UInt64(c))
            if w < 0 { throw EngineError(errno: -w, "epoll_ctl: \(Syscall.errorString(-w))") }
        }
        return conns.fds[0]
    }

    /// The loop closes the job's one file; the others close with it.
    public mutating func closeFile(fd: Int32) -> Int32 {
        var first: Int32 = 0
        for c in 0..<conns.count where conns.fds[c] >= 0 {
            if sending { shutdown(conns.fds[c], Int32(SHUT_WR)) } else { cnet_drain(conns.fds[c], 2000) }
            let r = Syscall.close(conns.fds[c])
            if first == 0 { first = r }
            conns.fds[c] = -1
        }
        return first
    }

    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        guard u.pointee.kind == .read || u.pointee.kind == .write else { u.pointee.result = 0; return .completed }
        guard let c = conns.pick(Int(u.pointee.index)) else {
            // Every connection has ended: nothing more moves.
            u.pointee.result = sending ? -Int(EPIPE) : 0
            return .completed
        }
        done[Int(u.pointee.index)] = 0
        if firstIONs == 0 { firstIONs = cswio_now_ns() }
        let wasIdle = conns.length[c] == 0
        conns.push(c, u)
        if wasIdle { advance(c) }
        return .queued
    }

    @inlinable public mutating func commit() throws -> Int { 0 }

    /// Moves connection c's queue along until the socket would block.
    @inlinable mutating func advance(_ c: Int) {
        let fd = conns.fds[c]
        while let u = conns.first(c) {
            let i = Int(u.pointee.index), len = u.pointee.length
            let n = sending ? Int(cnet_send_nb(fd, u.pointee.buffer + done[i], len - done[i], zerocopy ? 1 : 0))
                            : Int(cnet_recv_nb(fd, u.pointee.buffer + done[i], len - done[i]))
            if n == -Int(EAGAIN) { return }
            if n > 0 {
                if zerocopy { zcWait[i] = zcNext[c]; zcNext[c] &+= 1; zcSends &+= 1 }
                done[i] += n
                if done[i] < len { continue }
                conns.pop(c)
                if zerocopy { zcPending.push(c, u) } else { finish(u, done[i]) }
                continue
            }
            if n == 0 && !sending {
                // This connection's peer has closed: its waiting I/Os go to the others.
                endConnection(c)
                return
            }
            conns.pop(c)
            finish(u, n < 0 ? n : done[i])
        }
    }

    @inlinable mutating func finish(_ u: UnsafeMutablePointer<IOUnit>, _ result: Int) {
        u.pointee.result = result
        ready[nReady] = u
        nReady += 1
    }

    @usableFromInline mutating func endConnection(_ c: Int) {
        conns.open[c] = false
        while let u = conns.first(c) {
            conns.pop(c)
            let i = Int(u.pointee.index)
            if done[i] > 0 { finish(u, done[i]); continue }
            if let other = conns.pick(c) {
                let idle = conns.length[other] == 0
                conns.push(other, u)
                if idle { advance(other) }
            } else {
                finish(u, 0)   // every stream has ended: the end of the job's
            }
        }
    }

    /// Zero-copy notifications on connection c: each releases a range of sends.
    @usableFromInline mutating func reapZerocopy(_ c: Int) {
        var lo: UInt32 = 0, hi: UInt32 = 0, copied: Int32 = 0
        while cnet_zerocopy_notification(conns.fds[c], &lo, &hi, &copied) == 1 {
            if copied != 0 { zcCopied &+= UInt64(hi &- lo &+ 1) }
            zcReleased[c] = hi &+ 1
        }
        while let u = zcPending.first(c), Int32(bitPattern: zcWait[Int(u.pointee.index)] &- zcReleased[c]) < 0 {
            zcPending.pop(c)
            finish(u, done[Int(u.pointee.index)])
        }
    }

    /// Harvests: what is ready now, and while fewer than `min`, waits on the ready-queue.
    @inlinable public mutating func getEvents(min: Int, max: Int) throws -> Int {
        if handed > 0 {
            // Units handed out by the last call are gone; keep what was not taken.
            let left = nReady - handed
            for k in 0..<left { ready[k] = ready[handed + k] }
            nReady = left
            handed = 0
        }
        while nReady < min {
            waits &+= 1
            let n = cnet_epoll_wait(epollFD, events, 64, 100)
            if n < 0 { throw EngineError(errno: -n, "epoll_wait: \(Syscall.errorString(-n))") }
            for k in 0..<Int(n) {
                let c = Int(events[k])
                if zerocopy { reapZerocopy(c) }
                if conns.open[c] { advance(c) }
            }
            if n == 0 && (cswio_should_stop() != 0 || overrun) { cancelAll(); break }
        }
        harvests &+= 1
        handed = Swift.min(nReady, max)
        return handed
    }

    /// A stop request, or the job's runtime well past, while I/Os wait on a peer that does not
    /// take or send more: they end with what they moved (a short I/O, a read as the end of the
    /// stream) so the job can report.
    @usableFromInline mutating func cancelAll() {
        for c in 0..<conns.count {
            while let u = conns.first(c) { conns.pop(c); finish(u, done[Int(u.pointee.index)]) }
            while let u = zcPending.first(c) { zcPending.pop(c); finish(u, done[Int(u.pointee.index)]) }
        }
    }

    @inlinable public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { ready[i] }

    /// A second past the job's runtime.
    @inlinable var overrun: Bool { runNs > 0 && firstIONs > 0 && cswio_now_ns() > firstIONs + runNs + 1_000_000_000 }

    public func extraStats() -> [(String, JSON)] {
        var out: [(String, JSON)] = [("connections", .int(Int64(conns.count))), ("ready_queue_waits", .uint(waits)),
                                     ("harvests", .uint(harvests))]
        if zerocopy { out += [("zerocopy_sends", .uint(zcSends)), ("zerocopy_copied", .uint(zcCopied))] }
        var retrans: Int64 = 0, known = false
        for c in 0..<conns.count where conns.fds[c] >= 0 && endpoint.proto != .unix {
            let r = cnet_tcp_retransmits(conns.fds[c])
            if r >= 0 { retrans += Int64(r); known = true }
        }
        if known { out.append(("tcp_retransmits", .int(retrans))) }
        if !sending, endpoint.proto != .unix, conns.fds[0] >= 0, case let w = cnet_receive_low_water(conns.fds[0]), w > 0 {
            out.append(("receive_low_water", .int(Int64(w))))
        }
        return out
    }

    public mutating func cleanup() {
        for c in 0..<conns.count where conns.fds[c] >= 0 { Syscall.close(conns.fds[c]) }
        Syscall.close(epollFD)
        conns.deallocate(); zcPending.deallocate()
        done.deallocate(); zcWait.deallocate(); zcNext.deallocate(); zcReleased.deallocate()
        ready.deallocate(); events.deallocate()
        free(interfaceCopy)
    }
}
