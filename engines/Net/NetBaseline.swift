// A network baseline, as hdparm's is for disks: one plain blocking TCP stream of 128 KiB
// writes for about 3 seconds, over loopback to a receiver of its own, or to host:port where a
// receiver runs (anything that reads and discards: `swio --ioengine=net --listen --rw=read`,
// `nc -l`). `swio run --baseline auto` divides a network job's bandwidth by it.

import SwioCore
import CSwio
import CNet
#if canImport(Glibc)
import Glibc
#endif

public enum NetBaseline {
    /// Measures the stream; `target` is "host:port", or nil for loopback.
    public static func measure(target: String?, seconds: Double = 3) throws -> BaselineResult {
        var options = cnet_options()
        var error = [CChar](repeating: 0, count: 256)
        func message(_ code: Int32) -> String {
            error[0] != 0 ? String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : Syscall.errorString(-code)
        }
        var host = "127.0.0.1", port: Int32 = 0
        var receiver: JobThread? = nil
        if let t = target {
            guard let colon = t.lastIndex(of: ":"), let p = Int32(t[t.index(after: colon)...]), (1...65535).contains(p) else {
                throw EngineError(errno: EINVAL, "baseline --net \(t): expected host:port")
            }
            host = String(t[..<colon].filter { $0 != "[" && $0 != "]" })
            port = p
        } else {
            // A receiver of its own on an ephemeral loopback port.
            let lfd = cnet_listen("127.0.0.1", 0, Int32(CNET_TCP.rawValue), &options, &error, error.count)
            guard lfd >= 0 else { throw EngineError(errno: -lfd, "baseline --net: \(message(lfd))") }
            var addr = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(lfd, $0, &len) } }
            port = Int32(UInt16(bigEndian: addr.sin_port))
            let r = JobThread {
                var o = cnet_options()
                let c = cnet_accept(lfd, 10_000, &o)
                Syscall.close(lfd)
                guard c >= 0 else { return }
                let buf = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 4096)
                while cnet_recv(c, buf, 1 << 20, 0) > 0 {}
                buf.deallocate()
                Syscall.close(c)
            }
            r.start()
            receiver = r
        }
        let fd = cnet_connect(host, port, Int32(CNET_TCP.rawValue), &options, &error, error.count)
        guard fd >= 0 else {
            receiver?.join()
            throw EngineError(errno: -fd, "baseline --net: \(message(fd))")
        }
        let chunk = 128 << 10
        let buf = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { buf.deallocate() }
        buf.initializeMemory(as: UInt8.self, repeating: 0xa5, count: chunk)
        let start = cswio_now_ns(), limit = UInt64(seconds * 1e9)
        var bytes: UInt64 = 0
        while cswio_now_ns() - start < limit && cswio_should_stop() == 0 {
            let n = cnet_send(fd, buf, chunk, 0)
            if n < 0 { Syscall.close(fd); receiver?.join(); throw EngineError(errno: Int32(-n), "baseline --net: send failed: \(Syscall.errorString(Int32(-n)))") }
            bytes += UInt64(n)
        }
        let secs = Double(cswio_now_ns() - start) / 1e9
        shutdown(fd, Int32(SHUT_WR))
        Syscall.close(fd)
        receiver?.join()
        return BaselineResult(target: target ?? "loopback", kind: .network, bytes: bytes, seconds: secs)
    }
}
