// fio's net and netsplice engines: a job's "file" is a connection. rw=write sends bs-sized
// messages, rw=read receives them; listen makes the job accept the connection (TCP, unix) and
// a UDP reader binds; the other side connects, retrying a refused connect for a bounded time,
// so a sender need not wait out a startdelay for its receiver. pingpong sends each message
// back (the writer's clat is then the round trip). A receive of 0 bytes is the end of the
// stream: the job ends, without an error. UDP datagrams carry a sequence number, so the
// receiver counts the lost and the reordered, and the sender ends with close messages.
// netsplice moves the data through a pipe with vmsplice/splice, as fio's does; sendfile=PATH
// sends a file's bytes with sendfile(2) instead of the I/O buffer.

import SwioCore
import CSwio
import CNet
#if canImport(Glibc)
import Glibc
#endif

public enum NetOptions {
    public static let hostname = EngineOption<String?>.string("hostname", "The peer's host (a unix socket's path with protocol=unix); fio also takes filename=host,port[/proto]")
    public static let port = EngineOption<Int64?>.int("port", min: 1, max: 65535, "The port (each numjobs clone adds its number)")
    public static let proto = EngineOption.choice("protocol", ["tcp", "tcpv6", "udp", "udpv6", "unix"], default: "tcp", aliases: ["proto"],
                                                  "tcp, tcpv6, udp, udpv6 or unix")
    public static let listen = EngineOption.flag("listen", "Accept the connection instead of making it")
    public static let pingpong = EngineOption.flag("pingpong", "Send each message back; the writer's completion latency is the round trip")
    public static let nodelay = EngineOption.flag("nodelay", "TCP_NODELAY")
    public static let windowSize = EngineOption<Int64?>.size("window_size", "Socket buffer sizes (SO_SNDBUF, SO_RCVBUF)")
    public static let mss = EngineOption<Int64?>.int("mss", min: 88, max: 65535, "TCP maximum segment size (TCP_MAXSEG)")
    public static let interface = EngineOption<String?>.string("interface", "Address of the interface multicast UDP goes out of or is received on")
    public static let ttl = EngineOption.int("ttl", default: 1, min: 0, max: 255, "Multicast TTL")
    public static let sendfile = EngineOption<String?>.string("sendfile", "swio: send this file's bytes with sendfile(2) instead of the I/O buffer (writers)")
    public static let sendfileCopy = EngineOption.flag("sendfile_copy", "swio: with sendfile=, read each piece of the file into the buffer and send that (the copy sendfile saves)")
    public static let connectTimeout = EngineOption.int("connect_timeout", default: 10, min: 0, max: 3600,
                                                        "swio: seconds a refused connect is retried for (a receiver still starting)")

    static var all: [OptionSpec] {
        [hostname.spec, port.spec, proto.spec, listen.spec, pingpong.spec, nodelay.spec, windowSize.spec, mss.spec,
         interface.spec, ttl.spec, sendfile.spec, sendfileCopy.spec, connectTimeout.spec]
    }
}

public struct NetEngine: IOEngine {
    public static let descriptor = EngineDescriptor(
        name: "net", summary: "fio's net engine: TCP, UDP (multicast too) and unix sockets, one connection per job",
        flags: [.sync, .network], options: NetOptions.all,
        notes: ["rw=read receives, rw=write sends; a message is an I/O of bs bytes",
                "a sender retries a refused connect for connect_timeout seconds, so no startdelay is needed",
                "the report's swio.engine gives connections, TCP retransmits and UDP loss"]
    ) { JobDriver.run(NetEngine.self, $0) }

    public static let spliceDescriptor = EngineDescriptor(
        name: "netsplice", summary: "fio's netsplice engine: the net engine with data moved through a pipe by vmsplice/splice",
        flags: [.sync, .network], options: NetOptions.all
    ) { job in JobDriver.run(NetEngine.self, job) }

    @usableFromInline let endpoint: Endpoint
    @usableFromInline let sending: Bool
    @usableFromInline let pingpong: Bool
    @usableFromInline let splice: Bool
    @usableFromInline var pipeR: Int32 = -1
    @usableFromInline var pipeW: Int32 = -1
    @usableFromInline var fileFD: Int32 = -1
    @usableFromInline var fileSize: UInt64 = 0
    @usableFromInline var fileCopy = false
    @usableFromInline var udp: UDPCounters
    var options = cnet_options()
    let connectTimeoutNs: UInt64
    var connections: UInt64 = 0
    /// The connection, for TCP_INFO when the report is made (before it is closed).
    var connection: Int32 = -1
    var interfaceCopy: UnsafeMutablePointer<CChar>? = nil

    public init(job: JobConfig, units: UnsafeMutablePointer<IOUnit>, count: Int) throws {
        guard !job.rw.isRandom else {
            throw EngineError(errno: EINVAL, "ioengine=\(job.engineName): rw=\(job.rw.rawValue) has no meaning on a connection (use read or write)")
        }
        guard job.rw.directions.count == 1, let dir = job.rw.directions.first, dir != .trim else {
            throw EngineError(errno: EINVAL, "ioengine=\(job.engineName): a job either sends (rw=write) or receives (rw=read); rw=\(job.rw.rawValue) does both")
        }
        sending = dir == .write
        endpoint = try Endpoint(job)
        pingpong = NetOptions.pingpong.value(in: job)
        let nodelay = NetOptions.nodelay.value(in: job)
        splice = job.engineName == "netsplice"
        udp = UDPCounters()
        connectTimeoutNs = UInt64(NetOptions.connectTimeout.value(in: job)) * 1_000_000_000
        options.window_size = Int32(clamping: NetOptions.windowSize.value(in: job) ?? 0)
        options.mss = Int32(clamping: NetOptions.mss.value(in: job) ?? 0)
        options.nodelay = nodelay ? 1 : 0
        options.ttl = Int32(clamping: NetOptions.ttl.value(in: job))
        // Every receive asks for at least the smallest block (MSG_WAITALL): the kernel need not
        // wake the receiver for less. pingpong keeps one message in flight and gains nothing.
        if !sending && !pingpong { options.receive_low_water = Int32(clamping: job.blockSizes(0).min) }
        if let i = NetOptions.interface.value(in: job) { interfaceCopy = strdup(i) }
        options.interface = UnsafePointer(interfaceCopy)
        if let path = NetOptions.sendfile.value(in: job) {
            guard sending else { throw EngineError(errno: EINVAL, "ioengine=\(job.engineName): sendfile= is for a sending job (rw=write)") }
            let fd = try Syscall.open(path, flags: O_RDONLY, mode: 0)
            var st = stat()
            guard fstat(fd, &st) == 0, st.st_size > 0 else {
                Syscall.close(fd)
                throw EngineError(errno: EINVAL, "ioengine=\(job.engineName): sendfile=\(path) is empty")
            }
            fileFD = fd
            fileSize = UInt64(st.st_size)
            fileCopy = NetOptions.sendfileCopy.value(in: job)
        }
        if splice {
            var r: Int32 = -1, w: Int32 = -1
            let e = cnet_pipe(&r, &w)
            if e < 0 { throw EngineError(errno: -e, "netsplice: cannot make a pipe: \(Syscall.errorString(-e))") }
            pipeR = r; pipeW = w
        }
    }

    /// Opens the job's connection: accepts it (listen), binds (a UDP reader), or connects.
    public mutating func openFile(path: String, flags: Int32, mode: UInt32) throws -> Int32 {
        let e = try endpoint.resolved(filename: path)
        var error = [CChar](repeating: 0, count: 256)
        func message(_ fallback: String) -> String {
            error[0] != 0 ? String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : fallback
        }
        let udpSocket = e.proto == .udp || e.proto == .udpv6
        if e.listen || (udpSocket && !sending) {
            let lfd = cnet_listen(e.host, Int32(e.port), e.proto.rawValue, &options, &error, error.count)
            if lfd < 0 { throw EngineError(errno: -lfd, "cannot listen: \(message(Syscall.errorString(-lfd)))" + (-lfd == EADDRINUSE ? " (another program, or another job, has this port; change port=)" : "")) }
            if udpSocket { connections = 1; connection = lfd; return lfd }
            defer { Syscall.close(lfd) }
            // Waits for the peer, checking for a stop request every 100 ms (a blocking accept
            // could not be told to stop).
            while true {
                let c = cnet_accept(lfd, 100, &options)
                if c >= 0 { connections = 1; connection = c; return c }
                if c != -ETIMEDOUT && c != -EINTR { throw EngineError(errno: -c, "accept on port \(e.port) failed: \(Syscall.errorString(-c))") }
                if cswio_should_stop() != 0 { throw JobStopped() }
            }
        }
        let start = cswio_now_ns()
        while true {
            error[0] = 0
            let fd = cnet_connect(e.host, Int32(e.port), e.proto.rawValue, &options, &error, error.count)
            if fd >= 0 { connections = 1; connection = fd; return fd }
            // A receiver of this run (or elsewhere) may still be starting: retry for a while.
            let refused = fd == -ECONNREFUSED || (e.proto == .unix && fd == -ENOENT)
            guard refused, cswio_now_ns() - start < connectTimeoutNs else {
                let why = message(Syscall.errorString(-fd))
                throw EngineError(errno: -fd, refused ? "nothing listens at \(e.description): \(why) for \(connectTimeoutNs / 1_000_000_000) s (start a receiving job with listen, or check hostname and port)" : why)
            }
            if cswio_should_stop() != 0 { throw JobStopped() }
            var ts = timespec(tv_sec: 0, tv_nsec: 20_000_000)
            nanosleep(&ts, nil)
        }
    }

    public mutating func closeFile(fd: Int32) -> Int32 {
        if endpoint.isUDP {
            // Tell the receiver the stream is over (several times: a datagram can be lost).
            if sending { for _ in 0..<8 { _ = UDPCounters.sendClose(fd) } }
        } else if sending {
            shutdown(fd, Int32(SHUT_WR))
        } else {
            // A receiver that stops first (runtime) must not close on unread data: that resets
            // the connection, and the sender would fail with ECONNRESET. It reads what is still
            // coming until the sender closes, for at most 2 s.
            cnet_drain(fd, 2000)
        }
        return Syscall.close(fd)
    }

    @inlinable public mutating func queue(_ u: UnsafeMutablePointer<IOUnit>) -> QueueResult {
        let fd = u.pointee.fd, buf = u.pointee.buffer, len = u.pointee.length
        switch u.pointee.kind {
        case .write:
            u.pointee.result = send(fd, buf, len, offset: u.pointee.offset)
            if pingpong && u.pointee.result > 0 {
                // The echo of the same size: the writer's latency is the round trip.
                let back = receive(fd, buf, u.pointee.result)
                if back <= 0 { u.pointee.result = back == 0 ? -Int(ECONNRESET) : back }
            }
        case .read:
            u.pointee.result = receive(fd, buf, len)
            if pingpong && u.pointee.result > 0 {
                let echoed = send(fd, buf, u.pointee.result, offset: 0)
                if echoed < 0 { u.pointee.result = echoed }
            }
        default:
            u.pointee.result = 0   // fsync/trim mean nothing on a connection
        }
        return .completed
    }

    @inlinable mutating func send(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ len: Int, offset: UInt64) -> Int {
        if endpoint.isUDP {
            udp.stamp(buf, len)
            // No receiver bound yet (ICMP port unreachable): the datagram is lost, as UDP's are.
            let r = Int(cnet_send(fd, buf, len, 0))
            return r == -Int(ECONNREFUSED) ? len : r
        }
        if fileFD >= 0 {
            let at = offset % fileSize, n = Swift.min(len, Int(fileSize - at))
            if !fileCopy { return Int(cnet_sendfile(fd, fileFD, at, n)) }
            let r = Syscall.retry { pread(fileFD, buf, n, off_t(at)) }
            return r < 0 ? r : Int(cnet_send(fd, buf, r, 0))
        }
        if splice { return Int(cnet_splice_send(fd, pipeR, pipeW, buf, len)) }
        // Without MSG_MORE (fio sets it): on loopback it cost 10% of a stream's throughput.
        return Int(cnet_send(fd, buf, len, 0))
    }

    @inlinable mutating func receive(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ len: Int) -> Int {
        if endpoint.isUDP { return udp.receive(fd, buf, len) }
        if splice { return Int(cnet_splice_recv(fd, pipeR, pipeW, buf, len)) }
        return Int(cnet_recv(fd, buf, len, 1))
    }

    public mutating func event(_ i: Int) -> UnsafeMutablePointer<IOUnit> { fatalError("net engine has no events") }

    public func extraStats() -> [(String, JSON)] {
        var out: [(String, JSON)] = [("connections", .uint(connections)), ("protocol", .string(endpoint.proto.name))]
        if connection >= 0 && !endpoint.isUDP && endpoint.proto != .unix {
            let r = cnet_tcp_retransmits(connection)
            if r >= 0 { out.append(("tcp_retransmits", .int(Int64(r)))) }
            if !sending, case let w = cnet_receive_low_water(connection), w > 0 { out.append(("receive_low_water", .int(Int64(w)))) }
        }
        if endpoint.isUDP && !sending {
            out += [("udp_datagrams", .uint(udp.received)), ("udp_lost", .uint(udp.lost)), ("udp_out_of_order", .uint(udp.outOfOrder))]
        }
        if fileFD >= 0 { out.append(("sendfile", .string(fileCopy ? "read and send" : "sendfile(2)"))) }
        return out
    }

    public mutating func cleanup() {
        if pipeR >= 0 { Syscall.close(pipeR); Syscall.close(pipeW) }
        if fileFD >= 0 { Syscall.close(fileFD) }
        free(interfaceCopy)
    }
}
