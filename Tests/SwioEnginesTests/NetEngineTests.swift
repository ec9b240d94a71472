import Testing
import Foundation
import Synchronization

/// fio's net and netsplice engines on loopback and unix sockets; every transfer bounded.
@Suite(.serialized) struct NetEngineTests {
    /// A fresh block of three ports per call (the tests run one at a time).
    static let nextPort = Mutex(19_000 + Int(getpid() % 500) * 10)
    static func port() -> Int { nextPort.withLock { $0 += 3; return $0 } }

    func jobs(_ r: RunOutcome) throws -> [String: [String: Any]] {
        let docs = try r.documents()
        let list = try #require(docs.last?["jobs"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["jobname"] as! String, $0) })
    }
    func bytes(_ j: [String: Any]?, _ dir: String) -> Int { ((j?[dir] as? [String: Any])?["io_bytes"] as? Int) ?? -1 }
    func engine(_ j: [String: Any]?) -> [String: Any] { ((j?["swio"] as? [String: Any])?["engine"] as? [String: Any]) ?? [:] }

    /// jobs/netio.fio as written (fio's receiver and sender pair), made smaller from the command line.
    @Test(.timeLimit(.minutes(1)))
    func theNetioExampleRuns() throws {
        let r = try runSwio(["--output-format=json", "--size=32m", "--port=\(Self.port())", packageRoot + "/jobs/netio.fio"])
        #expect(r.status == 0, "\(r.err)")
        let j = try jobs(r)
        #expect(bytes(j["receiver"], "read") == 32 << 20 && bytes(j["sender"], "write") == 32 << 20)
        #expect(engine(j["sender"])["connections"] as? Int == 1 && engine(j["receiver"])["tcp_retransmits"] != nil)
    }

    /// The sender needs no startdelay: listed first, it retries until the receiver listens.
    @Test(.timeLimit(.minutes(1)), arguments: ["tcp", "tcpv6", "unix", "udp"])
    func aPairRunsOnEachProtocolWithoutStartdelay(proto: String) throws {
        let p = Self.port()
        let host = proto == "tcpv6" ? "::1" : proto == "unix" ? makeTempDir() + "/s.sock" : "127.0.0.1"
        var receiver = ["--name=r", "--rw=read"]
        if proto == "unix" { receiver.append("--hostname=\(host)") }
        if proto != "udp" { receiver.append("--listen") }
        let r = try runSwio(["--output-format=json", "--ioengine=net", "--protocol=\(proto)", "--port=\(p)", "--bs=\(proto == "udp" ? "1k" : "8k")",
                             "--size=8m", "--name=s", "--rw=write", "--hostname=\(host)"] + receiver)
        #expect(r.status == 0, "\(proto): \(r.err)")
        let j = try jobs(r)
        #expect(bytes(j["s"], "write") == 8 << 20)
        if proto == "udp" {
            let e = engine(j["r"])
            let got = e["udp_datagrams"] as? Int ?? 0, lost = e["udp_lost"] as? Int ?? 0
            #expect(got > 0 && bytes(j["r"], "read") == got * 1024)
            #expect(got + lost <= 8192)
        } else {
            #expect(bytes(j["r"], "read") == 8 << 20)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func multicastAsFiosExample() throws {
        let r = try runSwio(["--output-format=json", packageRoot + "/jobs/netio-multicast.fio"])
        #expect(r.status == 0, "\(r.err)")
        let j = try jobs(r)
        #expect(bytes(j["sender"], "write") == 1 << 20)
        let e = engine(j["receiver"])
        #expect((e["udp_datagrams"] as? Int ?? 0) > 0 && bytes(j["receiver"], "read") > 0)
    }

    /// pingpong: the writer's completion latency is the round trip, with percentiles.
    @Test(.timeLimit(.minutes(1)))
    func pingpongMeasuresTheRoundTrip() throws {
        let r = try runSwio(["--output-format=json", "--ioengine=net", "--port=\(Self.port())", "--bs=512", "--size=1m", "--nodelay", "--pingpong",
                             "--name=s", "--rw=write", "--hostname=127.0.0.1", "--name=r", "--rw=read", "--listen"])
        #expect(r.status == 0, "\(r.err)")
        let j = try jobs(r)
        let clat = try #require((j["s"]?["write"] as? [String: Any])?["clat_ns"] as? [String: Any])
        #expect(clat["N"] as? Int == 2048)
        let p99 = try #require((clat["percentile"] as? [String: Any])?["99.000000"] as? Int)
        #expect(p99 > 1000 && p99 < 50_000_000)
        #expect(bytes(j["r"], "read") == 1 << 20)
    }

    @Test(.timeLimit(.minutes(1)))
    func numjobsClonesUseTheirOwnPorts() throws {
        let r = try runSwio(["--output-format=json", "--ioengine=net", "--port=\(Self.port())", "--bs=4k", "--size=4m", "--numjobs=2",
                             "--name=s", "--rw=write", "--hostname=127.0.0.1", "--name=r", "--rw=read", "--listen"])
        #expect(r.status == 0, "\(r.err)")
        let list = try #require(try r.documents().last?["jobs"] as? [[String: Any]])
        #expect(list.count == 4 && list.allSatisfy { bytes($0, $0["jobname"] as? String == "s" ? "write" : "read") == 4 << 20 })
    }

    @Test(.timeLimit(.minutes(1)))
    func netspliceMovesTheSameBytes() throws {
        let r = try runSwio(["--output-format=json", "--ioengine=netsplice", "--port=\(Self.port())", "--bs=64k", "--size=16m",
                             "--name=s", "--rw=write", "--hostname=127.0.0.1", "--name=r", "--rw=read", "--listen"])
        #expect(r.status == 0, "\(r.err)")
        let j = try jobs(r)
        #expect(bytes(j["s"], "write") == 16 << 20 && bytes(j["r"], "read") == 16 << 20)
    }

    /// A peer that closes ends a receiving job, without an error; one that resets the
    /// connection mid-run is the sender's ECONNRESET, in a valid report.
    @Test(.timeLimit(.minutes(1)), .enabled(if: which("python3") != nil, "needs python3 for the peer"))
    func endOfStreamIsNotAnErrorAndAResetIs() throws {
        let p = Self.port()
        let receiver = Process()
        receiver.executableURL = URL(fileURLWithPath: swioBinary)
        let out = makeTempDir() + "/r.json"
        FileManager.default.createFile(atPath: out, contents: nil)
        receiver.arguments = ["--output-format=json", "--output=\(out)", "--ioengine=net", "--port=\(p)", "--size=64m", "--name=r", "--rw=read", "--listen"]
        try receiver.run()
        _ = try sh(which("python3")!, ["-c", """
        import socket, time
        for i in range(100):
            try:
                s = socket.create_connection(('127.0.0.1', \(p))); break
            except OSError: time.sleep(0.05)
        s.sendall(b'x' * 100000); s.close()
        """])
        receiver.waitUntilExit()
        #expect(receiver.terminationStatus == 0)
        let j = try jsonObject(String(contentsOfFile: out, encoding: .utf8))
        let job = (j["jobs"] as! [[String: Any]])[0]
        #expect(job["error"] as? Int == 0 && bytes(job, "read") == 100000)

        let q = Self.port()
        let peer = Process()
        peer.executableURL = URL(fileURLWithPath: which("python3")!)
        peer.arguments = ["-c", """
        import socket, struct
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', \(q))); s.listen(1)
        c, _ = s.accept(); n = 0
        while n < 200000: n += len(c.recv(65536))
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); c.close()
        """]
        try peer.run()
        let r = try runSwio(["--output-format=json", "--ioengine=net", "--port=\(q)", "--size=256m", "--name=s", "--rw=write", "--hostname=127.0.0.1"])
        peer.waitUntilExit()
        #expect(r.status == 1)
        let e = try jobs(r)["s"]?["error"] as? Int
        #expect(e == Int(ECONNRESET) || e == Int(EPIPE), "error \(e ?? -1): \(r.err)")
    }

    /// A port in use, a host that does not resolve, nothing listening: clear errors naming the
    /// job and option, with the errno in the report.
    @Test(.timeLimit(.minutes(1)))
    func setupErrorsSayWhatWentWrong() throws {
        let p = Self.port()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, 4)
        var addr = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: in_port_t(UInt16(p).bigEndian), sin_addr: in_addr(s_addr: 0), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bound == 0 && listen(fd, 1) == 0)
        let inUse = try runSwio(["--output-format=json", "--ioengine=net", "--port=\(p)", "--size=1m", "--name=r", "--rw=read", "--listen"])
        #expect(inUse.status == 1 && inUse.err.contains("job 'r'") && inUse.err.contains("option 'port'") && inUse.err.contains("Address already in use"))
        #expect(try jobs(inUse)["r"]?["error"] as? Int == Int(EADDRINUSE))
        let unresolved = try runSwio(["--output-format=json", "--ioengine=net", "--port=\(p + 1)", "--size=1m", "--name=s", "--rw=write", "--hostname=no-such-host.invalid"])
        #expect(unresolved.status == 1 && unresolved.err.contains("option 'hostname'") && unresolved.err.contains("cannot resolve no-such-host.invalid"))
        let nobody = try runSwio(["--output-format=json", "--ioengine=net", "--port=\(p + 2)", "--size=1m", "--connect_timeout=1", "--name=s", "--rw=write", "--hostname=127.0.0.1"])
        #expect(nobody.status == 1 && nobody.err.contains("nothing listens at 127.0.0.1:\(p + 2)/tcp"))
        #expect(try jobs(nobody)["s"]?["error"] as? Int == Int(ECONNREFUSED))
        let random = try runSwio(["--ioengine=net", "--port=\(p)", "--size=1m", "--name=s", "--rw=randwrite", "--hostname=127.0.0.1"])
        #expect(random.status == 1 && random.err.contains("has no meaning on a connection"))
    }

    /// sendfile=PATH sends the file's own bytes.
    @Test(.timeLimit(.minutes(1)))
    func sendfileSendsTheFile() throws {
        let dir = makeTempDir()
        var data = Data(count: 4 << 20)
        for i in 0..<data.count where i % 4096 == 0 { data[i] = UInt8(i / 4096 & 0xff) }
        try data.write(to: URL(fileURLWithPath: dir + "/src"))
        let r = try runSwio(["--output-format=json", "--ioengine=net", "--port=\(Self.port())", "--bs=64k", "--size=4m",
                             "--name=s", "--rw=write", "--hostname=127.0.0.1", "--sendfile=\(dir)/src", "--name=r", "--rw=read", "--listen"])
        #expect(r.status == 0, "\(r.err)")
        let j = try jobs(r)
        #expect(bytes(j["s"], "write") == 4 << 20 && bytes(j["r"], "read") == 4 << 20)
        #expect(engine(j["s"])["sendfile"] as? String == "sendfile(2)")
    }

    /// swio baseline --net: one TCP stream over loopback, and network jobs' ratio to it.
    @Test(.timeLimit(.minutes(1)))
    func aNetworkBaselineAndTheRatioToIt() throws {
        let b = try runSwio(["baseline", "--net", "loopback", "--output-format=json"])
        #expect(b.status == 0, "\(b.err)")
        let base = try #require((try jsonObject(b.out)["baselines"] as? [[String: Any]])?.first)
        #expect(base["kind"] as? String == "network" && (base["bytes_per_sec"] as? Double ?? 0) > 1e8)
        let r = try runSwio(["--baseline", "auto", "--output-format=json", "--ioengine=net", "--port=\(Self.port())", "--bs=128k", "--size=64m",
                             "--name=s", "--rw=write", "--hostname=127.0.0.1", "--name=r", "--rw=read", "--listen"])
        #expect(r.status == 0, "\(r.err)")
        let ratio = try #require((try jobs(r)["s"]?["swio"] as? [String: Any])?["baseline"] as? [String: Any])
        #expect(ratio["kind"] as? String == "network" && (ratio["fraction"] as? Double ?? 0) > 0)
        #expect(try runSwio(["baseline", "--net", "nohost"]).status == 1)
    }

    /// The asynchronous engines: one job, many connections, everything arrives.
    @Test(.timeLimit(.minutes(1)), arguments: ["netkevent", "neturing"], [0, 1])
    func manyConnectionsFromOneJob(name: String, zerocopy: Int) throws {
        let r = try runSwio(["--output-format=json", "--ioengine=\(name)", "--port=\(Self.port())", "--bs=64k", "--size=32m",
                             "--connections=10", "--iodepth=10", "--name=s", "--rw=write", "--hostname=127.0.0.1", "--zerocopy=\(zerocopy)",
                             "--name=r", "--rw=read", "--listen"])
        #expect(r.status == 0, "\(r.err)")
        let j = try jobs(r)
        #expect(bytes(j["s"], "write") == 32 << 20 && bytes(j["r"], "read") == 32 << 20)
        let e = engine(j["s"])
        #expect(e["connections"] as? Int == 10)
        if zerocopy == 1 {
            // Every zero-copy send is accounted for; on loopback the kernel copies them all.
            let sends = e["zerocopy_sends"] as? Int ?? 0, copied = e["zerocopy_copied"] as? Int ?? -1
            #expect(sends >= 512 && copied >= 0 && copied <= sends)
        }
    }

    /// Ten blocking senders (net, numjobs) into one netkevent receiver taking ten connections:
    /// the receiving job ends when every stream has ended.
    @Test(.timeLimit(.minutes(1)))
    func aReceiverOfManyStreamsEndsWhenAllHaveEnded() throws {
        let p = Self.port()
        let r = try runSwio(["--output-format=json", "--port=\(p)", "--bs=16k", "--size=4m",
                             "--name=r", "--ioengine=netkevent", "--rw=read", "--listen", "--connections=4", "--iodepth=4", "--size=64m",
                             "--name=s", "--ioengine=neturing", "--rw=write", "--hostname=127.0.0.1", "--connections=4", "--iodepth=4"])
        #expect(r.status == 0, "\(r.err)")
        let j = try jobs(r)
        #expect(bytes(j["s"], "write") == 4 << 20 && bytes(j["r"], "read") == 4 << 20)
        #expect(j["r"]?["error"] as? Int == 0)
    }

    /// A TCP receiver is woken once its smallest block has arrived (SO_RCVLOWAT), not at every
    /// segment; a stream ending short of a block still ends the job with every byte counted.
    @Test(.timeLimit(.minutes(1)), arguments: ["net", "netkevent", "neturing"])
    func aReceiverWakesPerBlockAndStillSeesAShortEnd(name: String) throws {
        let r = try runSwio(["--output-format=json", "--ioengine=\(name)", "--port=\(Self.port())",
                             "--name=s", "--rw=write", "--hostname=127.0.0.1", "--bs=4k", "--size=100k",
                             "--name=r", "--rw=read", "--listen", "--bsrange=64k-128k", "--size=1m"])
        #expect(r.status == 0, "\(r.err)")
        let j = try jobs(r)
        #expect(bytes(j["s"], "write") == 100 << 10 && bytes(j["r"], "read") == 100 << 10)
        #expect(j["r"]?["error"] as? Int == 0)
        #expect(engine(j["r"])["receive_low_water"] as? Int == 64 << 10)
        #expect(engine(j["s"])["receive_low_water"] == nil)
    }

    @Test func theAsyncEnginesSayWhatTheyNeed() throws {
        let low = try runSwio(["--ioengine=netkevent", "--port=\(Self.port())", "--size=1m", "--connections=4", "--iodepth=2",
                               "--name=s", "--rw=write", "--hostname=127.0.0.1"])
        #expect(low.status == 1 && low.err.contains("iodepth=2 is below connections=4"))
        let udp = try runSwio(["--ioengine=neturing", "--protocol=udp", "--port=\(Self.port())", "--size=1m", "--name=s", "--rw=write",
                               "--hostname=127.0.0.1"])
        #expect(udp.status == 1 && udp.err.contains("TCP or unix sockets only"))
    }

    /// The 2006 experiments' job files parse and run (briefly) as jobs/net-demo.sh runs them.
    @Test(.timeLimit(.minutes(2)))
    func theNetDemoJobsRun() throws {
        let dir = makeTempDir()
        try Data(count: 1 << 20).write(to: URL(fileURLWithPath: dir + "/f"))
        for (file, env) in [("receive-4k-40k.fio", "ENGINE=neturing BS=4k"), ("ten-senders.fio", "ENGINE=netkevent ZEROCOPY=1"),
                            ("sendfile.fio", "FILE=\(dir)/f COPY=1")] {
            let r = try sh("/bin/sh", ["-c", "RUNTIME=1 PORT=\(Self.port()) \(env) \(swioBinary) --output-format=json \(packageRoot)/jobs/net-2006/\(file)"])
            #expect(r.status == 0, "\(file): \(r.err)")
            let list = try #require(try jsonObject(r.out)["jobs"] as? [[String: Any]])
            #expect(list.count == 2 && list.allSatisfy { ($0["error"] as? Int) == 0 }, "\(file)")
        }
    }
}
