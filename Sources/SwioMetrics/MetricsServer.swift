// --metrics-listen: a minimal HTTP/1.1 server on its own thread answering GET /metrics with the
// latest published exposition. One request per connection, nothing else: a scraper is all it
// serves, and a package HTTP stack (NIO) would cost the build far more than these lines.

import CSwio
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public struct MetricsServerError: Error, CustomStringConvertible {
    public var description: String
}

public final class MetricsServer: Sendable {
    private let listenFD: Int32
    /// The port bound (the one asked for, or the kernel's choice for port 0).
    public let port: Int
    public let address: String
    private let latest = Mutex<[UInt8]>(Array("# EOF\n".utf8))
    private let stopping = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)

    /// Binds ADDR:PORT ("127.0.0.1:9464", "[::1]:9464", ":9464" for every address).
    public init(listen: String) throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw MetricsServerError(description: "--metrics-listen \(listen): expected ADDR:PORT, e.g. 127.0.0.1:9464 or [::1]:9464")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &res)
        guard rc == 0, let ai = res else {
            throw MetricsServerError(description: "--metrics-listen \(listen): '\(host)' is not a numeric IPv4 or IPv6 address")
        }
        defer { freeaddrinfo(res) }
        let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw MetricsServerError(description: "--metrics-listen \(listen): socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0, Glibc.listen(fd, 16) == 0 else {
            let e = errno
            close(fd)
            throw MetricsServerError(description: "--metrics-listen \(listen): \(String(cString: strerror(e)))")
        }
        var ss = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var bound = port
        withUnsafeMutablePointer(to: &ss) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                if getsockname(fd, sa, &len) == 0 {
                    p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { bound = Int(UInt16(bigEndian: $0.pointee.sin_port)) }
                }
            }
        }
        listenFD = fd
        self.port = bound
        address = host.contains(":") ? "[\(host)]:\(bound)" : "\(host.isEmpty ? "0.0.0.0" : host):\(bound)"
    }

    /// Replaces what the next scrape gets.
    public func publish(_ exposition: String) {
        let bytes = Array(exposition.utf8)
        latest.withLock { $0 = bytes }
    }

    /// Serves on a new thread until stop().
    public func start() {
        let box = Unmanaged.passRetained(self)
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { arg in
            let server = Unmanaged<MetricsServer>.fromOpaque(arg!).takeRetainedValue()
            server.serve()
            return nil
        }, box.toOpaque())
        if rc == 0 { pthread_detach(tid) } else { box.release(); finished.store(true, ordering: .releasing) }
    }

    /// Stops accepting; returns once the serving thread has let go of the socket.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        while !finished.load(ordering: .acquiring) {
            var ts = timespec(tv_sec: 0, tv_nsec: 10_000_000)
            nanosleep(&ts, nil)
        }
        close(listenFD)
    }

    private func serve() {
        defer { finished.store(true, ordering: .releasing) }
        while !stopping.load(ordering: .acquiring) {
            var p = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let c = accept(listenFD, nil, nil)
            guard c >= 0 else { continue }
            answer(c)
            close(c)
        }
    }

    /// Reads one request (at most 8 KiB, 2 s) and answers it.
    private func answer(_ c: Int32) {
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 2048)
        while request.count < 8192 {
            let n = buf.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            request += buf[0..<n]
            if request.count >= 4 && request.suffix(4).elementsEqual("\r\n\r\n".utf8) { break }
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self).split(separator: " ")
        let status: String
        var body: [UInt8]
        var type = "text/plain; charset=utf-8"
        if line.count >= 2 && (line[0] == "GET" || line[0] == "HEAD") {
            let path = line[1].split(separator: "?").first.map(String.init) ?? ""
            if path == "/metrics" {
                status = "200 OK"
                body = latest.withLock { $0 }
                type = "text/plain; version=0.0.4; charset=utf-8"
            } else {
                status = "404 Not Found"
                body = Array("swio serves /metrics only\n".utf8)
            }
        } else {
            status = "405 Method Not Allowed"
            body = Array("swio serves GET /metrics only\n".utf8)
        }
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let all = Array(head.utf8) + (line.first == "HEAD" ? [] : body)
        var sent = 0
        while sent < all.count {
            let n = all.withUnsafeBytes { send(c, $0.baseAddress! + sent, all.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }
}
