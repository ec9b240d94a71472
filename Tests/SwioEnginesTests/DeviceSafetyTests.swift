import Testing
import Foundation

/// swio does not write over what a block device holds unless told to: a filesystem, a
/// partition table, swap, an LVM physical volume (libblkid finds them, as wipefs does). fio
/// writes over all of these when they are not mounted.
@Suite(.serialized) struct DeviceSafetyTests {
    /// What `blkid -p` reports for the device's TYPE or PTTYPE, "" for nothing.
    func signature(_ path: String) throws -> String {
        let r = try sh(try #require(which("blkid")), ["-p", "-o", "export", path])
        for line in r.out.split(separator: "\n") where line.hasPrefix("TYPE=") || line.hasPrefix("PTTYPE=") {
            return String(line.split(separator: "=", maxSplits: 1)[1])
        }
        return ""
    }

    /// Each maker puts a signature on a fresh loop device, and the words swio names it with.
    static let makers: [(tool: String, args: [String], type: String, words: String)] = [
        ("mkfs.ext4", ["-q", "-F", "-L", "keep"], "ext4", "an ext4 filesystem labelled 'keep'"),
        ("mkswap", ["-f"], "swap", "a swap signature"),
        ("sfdisk", ["-q", "--no-reread"], "gpt", "a gpt partition table"),
        ("pvcreate", ["-q", "-f"], "LVM2_member", "an LVM physical volume"),
    ]

    @Test(.enabled(if: loopDevicesUsable, "needs root and losetup"), arguments: makers.indices)
    func aDeviceWithASignatureIsNotWrittenUnlessAllowed(maker: Int) throws {
        let m = Self.makers[maker]
        let tool = try #require(which(m.tool), "\(m.tool) is missing (make deps installs it)")
        let loop = try #require(LoopDevice(sizeMB: 64))
        if m.tool == "sfdisk" {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = m.args + [loop.path]
            let input = Pipe()
            p.standardInput = input
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            input.fileHandleForWriting.write(Data("label: gpt\n,16M\n".utf8))
            try input.fileHandleForWriting.close()
            p.waitUntilExit()
        } else {
            #expect(try sh(tool, m.args + [loop.path]).status == 0)
        }
        #expect(try signature(loop.path) == m.type)
        for rw in ["write", "trim", "randrw"] {
            let r = try runSwio(["--output-format=json", "--name=w", "--rw=\(rw)", "--bs=64k", "--size=4m", "--filename=\(loop.path)"])
            #expect(r.status == 1, "rw=\(rw)")
            #expect(try r.job()["error"] as? Int == Int(EPERM))
            #expect(r.err.contains("holds \(m.words)") && r.err.contains("allow_overwrite=1"), "\(r.err)")
        }
        #expect(try signature(loop.path) == m.type, "the refused jobs changed the device")
        // Reading is harmless and runs.
        #expect(try runSwio(["--name=r", "--rw=read", "--size=4m", "--filename=\(loop.path)"]).status == 0)
        // The job option allows it, and so does --allow-overwrite for every job of the run.
        let allowed = try runSwio(["--name=w", "--rw=write", "--bs=64k", "--size=1m", "--offset=32m", "--filename=\(loop.path)", "--allow_overwrite=1"])
        #expect(allowed.status == 0, "\(allowed.err)")
        let flag = try runSwio(["--allow-overwrite", "--name=w", "--rw=write", "--bs=64k", "--size=1m", "--offset=33m", "--filename=\(loop.path)"])
        #expect(flag.status == 0, "\(flag.err)")
    }

    @Test(.enabled(if: loopDevicesUsable, "needs root and losetup"))
    func aBlankDeviceIsWrittenWithoutAsking() throws {
        let loop = try #require(LoopDevice(sizeMB: 16))
        #expect(try signature(loop.path) == "")
        #expect(try runSwio(["--name=w", "--rw=write", "--bs=64k", "--size=4m", "--filename=\(loop.path)"]).status == 0)
    }
}
