import Testing
@testable import SwioCore
import SwioEngines
#if canImport(Glibc)
import Glibc
#endif

/// The package root, found from this source file's path.
let packageRoot: String = {
    var p = #filePath
    for _ in 0..<3 { p = String(p[..<p.lastIndex(of: "/")!]) }
    return p
}()

func jobFiles() -> [String] {
    guard let d = opendir(packageRoot + "/jobs") else { return [] }
    defer { closedir(d) }
    var out: [String] = []
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        if name.hasSuffix(".fio") { out.append(packageRoot + "/jobs/" + name) }
    }
    return out.sorted()
}

@Suite struct JobsDirectoryTests {
    @Test func everyExampleJobParses() throws {
        let files = jobFiles()
        #expect(files.count >= 5)
        for f in files {
            // kevent-vs-sync.fio takes its target from ${SWIO_TARGET} (an empty filename= is an error).
            var p = JobFileParser(options: ParseOptions(environment: ["SWIO_TARGET": "/tmp/swio-target"], engines: EngineRegistry.catalog))
            let r = try p.parse(files: [f])
            #expect(!r.jobs.isEmpty, "\(f) has no jobs")
            for j in r.jobs { _ = try JobConfig(j) }
        }
    }

    @Test func realisticMultiJobFiles() throws {
        // Shapes taken from fio's examples: netio-style pairs, ssd-test, aio-read, mixed groups.
        let ssd = """
        [global]
        bs=4k
        ioengine=libaio
        iodepth=4
        size=10g
        direct=1
        runtime=60
        directory=/mount-point-of-ssd
        filename=ssd.test.file

        [seq-read]
        rw=read
        stonewall

        [rand-read]
        rw=randread
        stonewall

        [seq-write]
        rw=write
        stonewall

        [rand-write]
        rw=randwrite
        stonewall
        """
        let r = try parse(ssd)
        #expect(r.jobs.map(\.groupID) == [0, 1, 2, 3])
        #expect(try r.jobs.map { try JobConfig($0).iodepth } == [4, 4, 4, 4])
        let fourReaders = """
        [global]
        ioengine=libaio
        direct=1
        rw=randread
        bs=4k
        iodepth=32
        group_reporting
        [f1]
        filename=/tmp/f1
        numjobs=4
        size=1g
        [f2]
        wait_for=f1
        filename=/tmp/f2
        size=1g
        """
        let r2 = try parse(fourReaders)
        #expect(r2.jobs.count == 5)
        #expect(r2.jobs.allSatisfy { $0.flag("group_reporting") })
        let tiobench = """
        [global]
        direct=1
        size=128m
        bsrange=4k-4k
        timeout=60
        numjobs=4
        [f1]
        rw=write
        [f2]
        stonewall
        rw=randwrite
        [f3]
        stonewall
        rw=read
        [f4]
        stonewall
        rw=randread
        """
        let r3 = try parse(tiobench)
        #expect(r3.jobs.count == 16)
        #expect(Set(r3.jobs.map(\.groupID)) == [0, 1, 2, 3])
        #expect(try JobConfig(r3.jobs[0]).runtimeUs == 60_000_000)
    }
}
