import Testing
import SwioFuzzTargets
#if canImport(Glibc)
import Glibc
#endif

/// Every input kept in fuzz/corpus (seeds, and inputs that once crashed or hung a reader)
/// goes through its reader again: accepted, or refused with a located error.
@Suite struct FuzzCorpusTests {
    static func files(_ target: FuzzTarget) -> [String] {
        let dir = packageRoot + "/fuzz/corpus/" + target.rawValue
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if !name.hasPrefix(".") { out.append(dir + "/" + name) }
        }
        return out.sorted()
    }

    static func bytes(_ path: String) -> [UInt8] {
        guard let f = fopen(path, "r") else { return [] }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }

    @Test(arguments: FuzzTarget.allCases)
    func theCorpusReplaysCleanly(target: FuzzTarget) {
        let files = Self.files(target)
        #expect(!files.isEmpty, "fuzz/corpus/\(target.rawValue) is empty")
        for f in files {
            #expect(target.run(Self.bytes(f)) == nil, "\(f)")
        }
    }
}
