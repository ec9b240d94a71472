// write_iolog: fio's iolog version 3, "<us since setup> <file> <action> [<offset> <length>]",
// streamed as the job goes and appended to, as fio opens it.

import CSwio
#if canImport(Glibc)
import Glibc
#endif

extension JobExecution {
    func putIolog(_ s: String, _ f: UnsafeMutablePointer<FILE>) {
        if fputs(s, f) < 0 && iologErrno == 0 { iologErrno = errno == 0 ? EIO : errno }
    }

    func openIolog() throws {
        guard let p = config.writeIolog, iolog == nil else { return }
        iologStartNs = cswio_now_ns()
        guard let f = fopen(p, "a") else {
            let e = errno
            throw fail("write_iolog", "cannot open \(p): \(Syscall.errorString(e))", errno: e)
        }
        iolog = f
        putIolog("fio version 3 iolog\n", f)
    }

    func iologUs(_ ns: UInt64) -> UInt64 { ns > iologStartNs ? (ns - iologStartNs) / 1000 : 0 }

    func logFile(_ i: Int, _ action: String) {
        if DebugLog.on(.file) && files.indices.contains(i) { DebugLog.line(.file, "\(action) file \(iologName(i)), job '\(config.name)'") }
        guard let f = iolog, files.indices.contains(i) else { return }
        putIolog("\(iologUs(cswio_now_ns())) \(iologName(i)) \(action)\n", f)
    }

    /// A file's name in the iolog. A diskless engine (null) has no file; fio logs its I/O
    /// under the default name it would have used ("t.0.0").
    func iologName(_ i: Int) -> String {
        files[i].path.isEmpty ? JobExecution.filePaths(config).first ?? config.name : files[i].path
    }

    /// Writes the loop's issued I/Os and empties the buffer (the loop calls it every 4096).
    func writeIssuedLog(_ entries: inout [IssuedIO]) {
        defer { entries.removeAll(keepingCapacity: true) }
        if DebugLog.on([.io, .random]) { debugIssued(entries) }
        guard let f = iolog else { return }
        let actions = ["read", "write", "trim", "sync", "datasync"]
        var chunk = ""
        let names = files.indices.map(iologName)
        for io in entries {
            if io.fileIndex == IssuedIO.passStart {
                for action in ["close", "open"] { for n in names { chunk += "\(iologUs(io.ns)) \(n) \(action)\n" } }
                continue
            }
            guard names.indices.contains(Int(io.fileIndex)) else { continue }
            chunk += "\(iologUs(io.ns)) \(names[Int(io.fileIndex)]) \(actions[Int(io.kind.rawValue)]) \(io.offset) \(io.length)\n"
        }
        putIolog(chunk, f)
    }

    /// --debug=io: each I/O as fio's "queue: io_u ..." line; --debug=random: each random offset.
    func debugIssued(_ entries: [IssuedIO]) {
        let names = files.indices.map(iologName)
        for io in entries where io.fileIndex != IssuedIO.passStart && names.indices.contains(Int(io.fileIndex)) {
            if DebugLog.on(.io) {
                DebugLog.line(.io, "queue: off=0x\(String(io.offset, radix: 16)),len=0x\(String(io.length, radix: 16)),ddir=\(io.kind.rawValue),file=\(names[Int(io.fileIndex)])")
            }
            if DebugLog.on(.random) && config.rw.isRandom && io.kind.direction != nil {
                DebugLog.line(.random, "off rand \(io.offset), job '\(config.name)'")
            }
        }
    }

    public func closeIolog() throws {
        guard let f = iolog else { return }
        iolog = nil
        if fflush(f) != 0 && iologErrno == 0 { iologErrno = errno }
        if fclose(f) != 0 && iologErrno == 0 { iologErrno = errno }
        if iologErrno != 0 { throw EngineError(errno: iologErrno, "cannot write iolog \(config.writeIolog ?? ""): \(Syscall.errorString(iologErrno))") }
    }
}
