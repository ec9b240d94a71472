import Testing
import Foundation

/// Run-time engine plugins: the example in examples/plugins and the test plugins in
/// Tests/plugins are built here with the system's C compiler, loaded through
/// ioengine=external:PATH, and must behave as built-in engines do, or fail cleanly.
let cCompiler: String? = which("cc") ?? which("gcc")

/// Builds `source` (relative to the package) into a shared object; returns its path.
func buildPlugin(_ source: String, into dir: String) throws -> String {
    let cc = try #require(cCompiler)
    let name = (source as NSString).lastPathComponent.replacingOccurrences(of: ".c", with: "")
    let out = "\(dir)/lib\(name).so"
    let r = try sh(cc, ["-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-I", packageRoot + "/plugins/include",
                        "-o", out, packageRoot + "/" + source])
    try #require(r.status == 0, "cc failed: \(r.err)")
    return out
}

@Suite(.serialized, .enabled(if: cCompiler != nil, "needs a C compiler (cc) to build the plugins"))
struct PluginTests {
    static let dir = makeTempDir()

    /// The example plugin runs a job as psync does: same bytes moved, the data really read.
    @Test func theExamplePluginRunsJobsLikeTheBuiltInEngine() throws {
        let lib = try buildPlugin("examples/plugins/swio_pread.c", into: Self.dir)
        let file = Self.dir + "/data"
        for (rw, key) in [("write", "write"), ("randread", "read"), ("randrw", "read")] {
            let plugin = try runSwio(["--output-format=json", "--name=p", "--ioengine=external:\(lib)", "--rw=\(rw)", "--bs=4k",
                                      "--size=2m", "--filename=\(file)", "--randrepeat=1"])
            let builtIn = try runSwio(["--output-format=json", "--name=p", "--ioengine=psync", "--rw=\(rw)", "--bs=4k",
                                       "--size=2m", "--filename=\(file)", "--randrepeat=1"])
            #expect(plugin.status == 0 && builtIn.status == 0, "\(plugin.err)")
            let p = try plugin.job(), b = try builtIn.job()
            #expect(p["error"] as? Int == 0)
            let pBytes = (p[key] as? [String: Any])?["io_bytes"] as? Int, bBytes = (b[key] as? [String: Any])?["io_bytes"] as? Int
            #expect(pBytes != nil && pBytes == bBytes, "rw=\(rw): plugin \(pBytes ?? -1), psync \(bBytes ?? -1)")
            #expect((p["job options"] as? [String: Any])?["ioengine"] as? String == "external:\(lib)")
        }
        // fio's other spelling, the bare path, and the plugin's own option.
        let bare = try runSwio(["--output-format=json", "--name=p", "--ioengine=\(lib)", "--dontneed=1", "--size=1m", "--filename=\(file)"])
        let bareError = try bare.job()["error"] as? Int
        #expect(bare.status == 0 && bareError == 0, "\(bare.err)")
        let bad = try runSwio(["--name=p", "--ioengine=external:\(lib)", "--dontneed=2", "--size=1m", "--filename=\(file)"])
        #expect(bad.status == 1 && bad.err.contains("option 'dontneed': '2' is not a boolean"))
        let other = try runSwio(["--name=p", "--ioengine=external:\(lib)", "--hipri", "--size=1m", "--filename=\(file)"])
        #expect(other.status == 1 && other.err.contains("not an option of ioengine=external:\(lib)"))
    }

    @Test func swioEnginesListsAPlugin() throws {
        let lib = try buildPlugin("examples/plugins/swio_pread.c", into: Self.dir)
        let text = try sh(swioBinary, ["engines", "--plugin", lib])
        #expect(text.status == 0 && text.out.contains("plugin 'pread'") && text.out.contains("--dontneed=0: Drop each range"))
        let json = try jsonObject(try sh(swioBinary, ["engines", "--plugin", lib, "--format", "json"]).out)
        let e = try #require((json["engines"] as? [[String: Any]])?.first)
        #expect(e["origin"] as? String == lib && (e["flags"] as? [String]) == ["sync"])
    }

    /// Plugins that cannot be loaded: a clear error naming the file and why, exit 1.
    @Test func pluginsThatCannotBeLoadedAreRefusedClearly() throws {
        let wrongABI = try buildPlugin("Tests/plugins/wrong_abi.c", into: Self.dir)
        let notPlugin = try buildPlugin("Tests/plugins/not_a_plugin.c", into: Self.dir)
        for (lib, words) in [(Self.dir + "/missing.so", "No such file or directory"),
                             (notPlugin, "is not a swio engine plugin"),
                             (wrongABI, "built for plugin ABI version 99; this swio loads version 1"),
                             (packageRoot + "/Package.swift", "cannot load engine plugin")] {
            let r = try runSwio(["--output-format=json", "--name=p", "--ioengine=external:\(lib)", "--size=1m"])
            #expect(r.status == 1 && r.out.isEmpty && r.err.contains(words), "\(lib): \(r.err)")
            #expect(r.err.contains("option 'ioengine'"))
            #expect(try sh(swioBinary, ["engines", "--plugin", lib]).status == 1)
        }
    }

    /// A plugin that fails its calls or answers garbage: the job's error, with the errno (or
    /// EPROTO for a broken contract, named in the report's swio section), in a valid report.
    @Test(arguments: [("init", ENODEV, "init failed: the device is on fire"), ("open", EACCES, "Permission denied"),
                      ("queue-eio", EIO, ""), ("commit", EIO, "commit failed"), ("getevents", EIO, "getevents failed"),
                      ("queue-garbage", EPROTO, "queue returned 7"), ("result", EPROTO, ""),
                      ("count", EPROTO, "getevents(min"), ("event", EPROTO, "event(0) returned an I/O swio did not queue")])
    func aMisbehavingPluginFailsTheJobNotSwio(mode: String, errno expected: Int32, words: String) throws {
        let lib = try buildPlugin("Tests/plugins/misbehaving.c", into: Self.dir)
        let r = try runSwio(["--output-format=json", "--name=p", "--ioengine=external:\(lib)", "--mode=\(mode)", "--iodepth=4",
                             "--size=1m", "--filename=\(Self.dir)/m.dat"])
        #expect(r.reason == .exit && r.status == 1, "\(mode): \(r.err)")
        let job = try r.job()
        #expect(job["error"] as? Int == Int(expected), "\(mode)")
        if !words.isEmpty {
            let breach = ((job["swio"] as? [String: Any])?["engine"] as? [String: Any])?["plugin_contract_breach"] as? String ?? ""
            #expect(r.err.contains(words) || breach.contains(words), "\(mode): \(r.err) / \(breach)")
        }
        let fine = try runSwio(["--output-format=json", "--name=p", "--ioengine=external:\(lib)", "--mode=none", "--iodepth=4",
                                "--size=1m", "--filename=\(Self.dir)/m.dat"])
        let fineError = try fine.job()["error"] as? Int
        #expect(fine.status == 0 && fineError == 0)
    }
}
