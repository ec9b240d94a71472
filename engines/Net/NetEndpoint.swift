// Where a net job connects or listens, from fio's options (hostname, port, protocol, listen)
// or its filename=host,port[/proto] form; and the UDP sequence numbers that let a receiver
// count lost and reordered datagrams.

import SwioCore
import CSwio
import CNet
#if canImport(Glibc)
import Glibc
#endif

public enum NetProtocol: Int32, Sendable {
    case tcp = 0, tcpv6 = 1, udp = 2, udpv6 = 3, unix = 4
    static func named(_ s: String) -> NetProtocol? {
        ["tcp": .tcp, "tcpv6": .tcpv6, "udp": .udp, "udpv6": .udpv6, "unix": .unix][s.lowercased()]
    }
    var name: String { ["tcp", "tcpv6", "udp", "udpv6", "unix"][Int(rawValue)] }
}

@usableFromInline struct Endpoint: Sendable {
    var host: String
    var port: Int
    @usableFromInline var proto: NetProtocol
    var listen: Bool
    /// Whether a filename= may still say where (hostname/port were not both given).
    let clone: Int
    @usableFromInline var isUDP: Bool { proto == .udp || proto == .udpv6 }

    init(_ job: JobConfig) throws {
        host = NetOptions.hostname.value(in: job) ?? ""
        port = Int(NetOptions.port.value(in: job) ?? 0)
        proto = NetProtocol.named(NetOptions.proto.value(in: job)) ?? .tcp
        listen = NetOptions.listen.value(in: job)
        clone = job.definition.cloneIndex
    }

    /// The endpoint with fio's filename=host,port[/proto] applied (it names the peer as hostname
    /// and port do), and the clone's port offset (fio: port + subjob number).
    func resolved(filename: String) throws -> Endpoint {
        var e = self
        if !filename.isEmpty && filename.contains(",") {
            let parts = filename.split(separator: ",", maxSplits: 1).map(String.init)
            e.host = parts[0]
            var portPart = parts[1]
            if let slash = portPart.firstIndex(of: "/") {
                let p = String(portPart[portPart.index(after: slash)...])
                guard let pr = NetProtocol.named(p) else { throw EngineError(errno: EINVAL, "filename=\(filename): unknown protocol '\(p)' (tcp, tcpv6, udp, udpv6, unix)") }
                e.proto = pr
                portPart = String(portPart[..<slash])
            }
            guard let p = Int(portPart), (1...65535).contains(p) else { throw EngineError(errno: EINVAL, "filename=\(filename): '\(portPart)' is not a port") }
            e.port = p
        } else if !filename.isEmpty && e.host.isEmpty && e.proto == .unix {
            e.host = filename
        }
        if e.proto == .unix {
            guard !e.host.isEmpty else { throw EngineError(errno: EINVAL, "protocol=unix needs the socket's path in hostname= (or filename=)") }
        } else {
            guard e.port > 0 else { throw EngineError(errno: EINVAL, "ioengine=net needs port= (or filename=host,port)") }
            guard e.listen || e.isUDP || !e.host.isEmpty else {
                throw EngineError(errno: EINVAL, "ioengine=net: a job that does not listen needs hostname= (or filename=host,port)")
            }
            e.port += clone
            guard e.port <= 65535 else { throw EngineError(errno: EINVAL, "port \(e.port) (port + clone number) is above 65535") }
        }
        return e
    }

    var description: String { proto == .unix ? host : "\(host.isEmpty ? "*" : host):\(port)/\(proto.name)" }
}

/// UDP framing: the first 8 bytes of each datagram are its sequence number (when bs allows),
/// and a sender ends with close datagrams (a magic in place of the sequence).
@usableFromInline struct UDPCounters: Sendable {
    @usableFromInline static let closeMagic: UInt64 = 0x5357_494F_434C_4F53   // "SWIOCLOS"
    @usableFromInline var next: UInt64 = 0
    @usableFromInline var received: UInt64 = 0
    @usableFromInline var highest: UInt64 = 0
    @usableFromInline var outOfOrder: UInt64 = 0
    @usableFromInline var seenAny = false
    @usableFromInline var quietSince: UInt64 = 0
    /// Datagrams the sender numbered that never came (highest seen + 1 - received).
    @usableFromInline var lost: UInt64 { seenAny && highest + 1 > received ? highest + 1 - received : 0 }

    @inlinable mutating func stamp(_ buf: UnsafeMutableRawPointer, _ len: Int) {
        guard len >= 8 else { return }
        buf.storeBytes(of: next.littleEndian, as: UInt64.self)
        next &+= 1
    }

    /// One datagram into buf: its size, 0 once the sender has closed (or has been silent for 3 s
    /// after sending), or -errno.
    @inlinable mutating func receive(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ len: Int) -> Int {
        while true {
            let n = Int(cnet_recv(fd, buf, len, 0))
            if n == -Int(EAGAIN) || n == -Int(EWOULDBLOCK) {
                // Timed out (SO_RCVTIMEO): the run may be stopping, or the sender gone.
                if cswio_should_stop() != 0 { return 0 }
                if seenAny && cswio_now_ns() - quietSince > 3_000_000_000 { return 0 }
                continue
            }
            guard n >= 0 else { return n }
            quietSince = cswio_now_ns()
            if n >= 8 {
                let seq = UInt64(littleEndian: buf.loadUnaligned(as: UInt64.self))
                if seq == UDPCounters.closeMagic { return 0 }
                if seenAny && seq < highest { outOfOrder &+= 1 } else { highest = seq }
                seenAny = true
            }
            received &+= 1
            return n
        }
    }

    /// Sends the close datagram.
    static func sendClose(_ fd: Int32) -> Int {
        var m = closeMagic.littleEndian
        return Int(cnet_send(fd, &m, 8, 0))
    }
}
