import Testing
import Foundation
@testable import SwioCore
import SwioEngines

let packageRoot: String = {
    var p = #filePath
    for _ in 0..<3 { p = String(p[..<p.lastIndex(of: "/")!]) }
    return p
}()

/// The swio this test build produced: the test runner is built into the same products folder
/// (whatever the scratch path or configuration), so the binary beside it is the fresh one.
let swioBinary: String = {
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    if n > 0 {
        let exe = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let beside = (exe as NSString).deletingLastPathComponent + "/swio"
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
    }
    return packageRoot + "/.build/debug/swio"
}()

func makeTempDir() -> String {
    var template = Array("/tmp/swio-etest-XXXXXX".utf8CString)
    return String(cString: mkdtemp(&template)!)
}

/// Parses job text and runs it through the real runner and engines.
func runJobs(_ text: String) throws -> (RunResult, Report) {
    var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
    let parsed = try p.parse(text: text, file: "test.fio")
    // In this process's directory, a verify job would leave fio's state file behind.
    let configs = try parsed.jobs.map { d in var c = try JobConfig(d); c.verify?.stateSave = false; return c }
    let runner = Runner()
    let result = runner.run(configs)
    let report = Report(result: result, globalOptions: parsed.reportedGlobalOptions)
    return (result, report)
}

/// Runs a command, returning exit status, stdout and stderr (captured through files).
@discardableResult
func sh(_ exe: String, _ args: [String], cwd: String? = nil) throws -> (status: Int32, out: String, err: String) {
    let dir = makeTempDir()
    _ = FileManager.default.createFile(atPath: dir + "/out", contents: nil)
    _ = FileManager.default.createFile(atPath: dir + "/err", contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    p.standardOutput = FileHandle(forWritingAtPath: dir + "/out")
    p.standardError = FileHandle(forWritingAtPath: dir + "/err")
    try p.run()
    p.waitUntilExit()
    let out = (try? String(contentsOfFile: dir + "/out", encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? ""
    return (p.terminationStatus, out, err)
}

func which(_ tool: String) -> String? {
    for dir in ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin"] where FileManager.default.isExecutableFile(atPath: dir + "/" + tool) {
        return dir + "/" + tool
    }
    return nil
}

func jsonObject(_ s: String) throws -> [String: Any] {
    let obj = try JSONSerialization.jsonObject(with: Data(s.utf8))
    guard let d = obj as? [String: Any] else { throw CocoaError(.coderInvalidValue) }
    return d
}

struct RunOutcome {
    var status: Int32
    var reason: Process.TerminationReason
    var out: String
    var err: String
    /// Every JSON document on stdout, in order (status reports, then the final report).
    func documents() throws -> [[String: Any]] {
        var docs: [[String: Any]] = []
        var rest = Substring(out)
        while let start = rest.firstIndex(of: "{") {
            // Each report is one pretty-printed object that ends with a "}" alone on a line.
            guard let end = rest[start...].range(of: "\n}\n") else { throw CocoaError(.coderInvalidValue) }
            docs.append(try jsonObject(String(rest[start..<end.lowerBound]) + "\n}"))
            rest = rest[end.upperBound...]
        }
        return docs
    }
    func job(_ i: Int = 0) throws -> [String: Any] {
        let docs = try documents()
        let jobs = try #require(docs.last?["jobs"] as? [[String: Any]])
        return jobs[i]
    }
}

/// Runs swio with `args`, its stdout into `stdoutPath` (a file of its own by default); `during`
/// runs while it does, with its pid.
func runSwio(_ args: [String], stdoutPath: String? = nil, during: ((Int32) -> Void)? = nil) throws -> RunOutcome {
    let dir = makeTempDir()
    let outPath = stdoutPath ?? dir + "/out"
    if stdoutPath == nil { _ = FileManager.default.createFile(atPath: outPath, contents: nil) }
    _ = FileManager.default.createFile(atPath: dir + "/err", contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: swioBinary)
    p.arguments = args
    // In its own directory: what a run leaves beside it (fio's verify state files) stays there.
    p.currentDirectoryURL = URL(fileURLWithPath: dir)
    p.standardOutput = try #require(FileHandle(forWritingAtPath: outPath))
    p.standardError = FileHandle(forWritingAtPath: dir + "/err")
    try p.run()
    during?(p.processIdentifier)
    p.waitUntilExit()
    let out = stdoutPath == nil ? (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" : ""
    let err = (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? ""
    return RunOutcome(status: p.terminationStatus, reason: p.terminationReason, out: out, err: err)
}

func fileSize(_ path: String) -> Int64? {
    var st = stat()
    return stat(path, &st) == 0 ? Int64(st.st_size) : nil
}

/// The CLI tests run the binary built with them, never one left from an earlier build.
@Suite struct BinaryFreshnessTests {
    @Test func theCLITestsRunTheBinaryOfThisBuild() throws {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        try #require(n > 0)
        let exe = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #expect(swioBinary == (exe as NSString).deletingLastPathComponent + "/swio", "tests run \(swioBinary), built beside \(exe)")
        let attrs = try FileManager.default.attributesOfItem(atPath: swioBinary)
        let own = try FileManager.default.attributesOfItem(atPath: exe)
        let binaryDate = try #require(attrs[.modificationDate] as? Date), testsDate = try #require(own[.modificationDate] as? Date)
        // Linked in the same build: not more than a few minutes apart (a stale one is hours or days older).
        #expect(abs(binaryDate.timeIntervalSince(testsDate)) < 600, "swio \(binaryDate), tests \(testsDate)")
    }
}
