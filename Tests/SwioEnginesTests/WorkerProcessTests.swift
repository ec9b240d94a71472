import Testing
import Foundation

/// swio runs its jobs as fio does: in a forked worker that starts its own session, while the
/// process the user started waits in the user's session and passes signals on.
@Suite(.serialized) struct WorkerProcessTests {
    /// A null job that runs until it is stopped (at most 60 s), its JSON report in `dir/out`.
    func startLongJob(_ dir: String, extra: [String] = []) throws -> Process {
        #expect(FileManager.default.createFile(atPath: dir + "/out", contents: nil))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: swioBinary)
        p.arguments = ["--output-format=json"] + extra + ["--name=a", "--ioengine=null", "--size=1g", "--time_based", "--runtime=60"]
        p.standardOutput = FileHandle(forWritingAtPath: dir + "/out")
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// (parent pid, session id) from /proc/PID/stat; nil once the process is gone.
    func parentAndSession(_ pid: Int32) -> (ppid: Int32, sid: Int32)? {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = s.lastIndex(of: ")") else { return nil }
        let f = s[s.index(after: close)...].split(separator: " ")   // state ppid pgrp session ...
        guard f.count > 3, let ppid = Int32(f[1]), let sid = Int32(f[3]) else { return nil }
        return (ppid, sid)
    }

    func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { parentAndSession($0)?.ppid == pid }
    }

    /// Waits up to 5 s for the worker to appear.
    func worker(of p: Process) -> Int32? {
        for _ in 0..<100 {
            if let c = children(of: p.processIdentifier).first { return c }
            usleep(50_000)
        }
        return nil
    }

    func jobCount(_ dir: String) throws -> Int {
        let j = try jsonObject(try String(contentsOfFile: dir + "/out", encoding: .utf8))
        return (j["jobs"] as! [[String: Any]]).count
    }

    @Test(.timeLimit(.minutes(1)))
    func jobsRunInAWorkerWithItsOwnSession() throws {
        let dir = makeTempDir()
        let p = try startLongJob(dir)
        let w = try #require(worker(of: p))
        let mySession = getsid(0)
        #expect(parentAndSession(w)?.sid == w)
        #expect(parentAndSession(p.processIdentifier)?.sid == mySession)
        usleep(300_000)
        kill(p.processIdentifier, SIGINT)   // reaches the worker through the parent
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 130)
        #expect(try jobCount(dir) == 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func threadKeepsTheJobsInTheMainProcess() throws {
        let dir = makeTempDir()
        let p = try startLongJob(dir, extra: ["--thread"])
        usleep(700_000)
        #expect(children(of: p.processIdentifier).isEmpty)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationStatus == 128 + SIGTERM)
        #expect(try jobCount(dir) == 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func aWorkerKilledBySignalKillsTheMainProcessTheSameWay() throws {
        let p = try startLongJob(makeTempDir())
        let w = try #require(worker(of: p))
        kill(w, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL)
    }

    /// Nobody waits for the report of a worker whose parent died (the user's command has
    /// ended): the worker dies at once (PR_SET_PDEATHSIG, SIGKILL) and writes nothing later.
    @Test(.timeLimit(.minutes(1)))
    func aWorkerWhoseParentIsKilledDiesWithoutAReport() throws {
        let dir = makeTempDir()
        let p = try startLongJob(dir)
        let w = try #require(worker(of: p))
        usleep(300_000)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        var stopped = false
        for _ in 0..<100 {
            let state = (try? String(contentsOfFile: "/proc/\(w)/stat", encoding: .utf8)).map { s in
                s[s.index(s.lastIndex(of: ")")!, offsetBy: 2)]
            }
            if state == nil || state == "Z" { stopped = true; break }
            usleep(50_000)
        }
        #expect(stopped)
        usleep(500_000)
        #expect(try String(contentsOfFile: dir + "/out", encoding: .utf8).isEmpty)
    }
}
