// verify_state_save / verify_state_load in fio's file format (verify-state.h, version 3): a
// 24-byte header (version, size, crc32c of the rest) and fio's thread_io_list: the number of
// writes issued, the queue depth, and each file's last `depth` completed write offsets. A
// later verify phase reads back no further than that: once its reads come within `depth` of
// the writes issued, it stops at the first block not among those completed (fio's
// verify_state_should_stop()). fio's generator state in the file is swio's seed (fio never
// reads it back).

#if canImport(Glibc)
import Glibc
#endif
import SwioChecksums

public struct VerifyState: Equatable, Sendable {
    public var numberio: UInt64
    public var depth: UInt32
    public var files: UInt32
    /// Completed writes near the end: (file index, offset), the most recent first per file.
    public var completions: [(file: UInt64, offset: UInt64)]
    public static func == (a: VerifyState, b: VerifyState) -> Bool {
        a.numberio == b.numberio && a.depth == b.depth && a.files == b.files
            && a.completions.map(\.file) == b.completions.map(\.file) && a.completions.map(\.offset) == b.completions.map(\.offset)
    }

    static let version: UInt64 = 3
    static let listSize = 152

    /// fio's name for job `index`'s state: "<aux path>/local-<name, '/' as '.'>-<index>-verify.state".
    public static func path(jobName: String, index: Int, auxPath: String?) -> String {
        let prefix = auxPath.map { $0 + "/local" } ?? "local"
        return "\(prefix)-\(String(jobName.map { $0 == "/" ? "." : $0 }))-\(index)-verify.state"
    }

    func encoded(jobName: String, index: Int, seed: UInt64) -> [UInt8] {
        var list = [UInt8](repeating: 0, count: VerifyState.listSize + Int(depth) * Int(files) * 16)
        list.withUnsafeMutableBytes { b in
            b.storeBytes(of: UInt64(completions.count).littleEndian, toByteOffset: 0, as: UInt64.self)
            b.storeBytes(of: depth.littleEndian, toByteOffset: 8, as: UInt32.self)
            b.storeBytes(of: files.littleEndian, toByteOffset: 12, as: UInt32.self)
            b.storeBytes(of: numberio.littleEndian, toByteOffset: 16, as: UInt64.self)
            b.storeBytes(of: UInt64(index).littleEndian, toByteOffset: 24, as: UInt64.self)
            b.storeBytes(of: UInt64(1).littleEndian, toByteOffset: 32, as: UInt64.self)   // rand.use64
            b.storeBytes(of: seed.littleEndian, toByteOffset: 40, as: UInt64.self)
            for (i, c) in jobName.utf8.prefix(63).enumerated() { b[88 + i] = c }
            for (i, c) in completions.enumerated() {
                b.storeBytes(of: c.file.littleEndian, toByteOffset: VerifyState.listSize + i * 16, as: UInt64.self)
                b.storeBytes(of: c.offset.littleEndian, toByteOffset: VerifyState.listSize + i * 16 + 8, as: UInt64.self)
            }
        }
        let crc = UInt64(list.withUnsafeBytes { CRC.crc32c($0) })
        var header = [UInt8](repeating: 0, count: 24)
        header.withUnsafeMutableBytes { b in
            b.storeBytes(of: VerifyState.version.littleEndian, toByteOffset: 0, as: UInt64.self)
            b.storeBytes(of: UInt64(list.count).littleEndian, toByteOffset: 8, as: UInt64.self)
            b.storeBytes(of: crc.littleEndian, toByteOffset: 16, as: UInt64.self)
        }
        return header + list
    }

    /// Writes the state file (replacing one there), synchronously as fio does.
    func save(to path: String, jobName: String, index: Int, seed: UInt64) throws {
        let bytes = encoded(jobName: jobName, index: index, seed: seed)
        let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_SYNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw EngineError(errno: errno, "cannot write verify state \(path): \(Syscall.errorString(errno))") }
        defer { _ = close(fd) }
        let n = bytes.withUnsafeBytes { b in Syscall.retry { write(fd, b.baseAddress, b.count) } }
        guard n == bytes.count else {
            let e = n < 0 ? Int32(-n) : EIO
            throw EngineError(errno: e, "cannot write verify state \(path): \(Syscall.errorString(e))")
        }
    }

    /// Reads a state file, fio's or swio's.
    public static func load(_ path: String) throws -> VerifyState {
        let b: [UInt8]
        do { b = try readWholeFileBytes(path, maxBytes: .max) } catch { throw ValueError("cannot read verify state \(path): \((error as? ValueError)?.message ?? "\(error)")") }
        func u64(_ at: Int) -> UInt64 { b.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) } }
        func u32(_ at: Int) -> UInt32 { b.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) } }
        guard b.count >= 24 + listSize else { throw ValueError("\(path) is too short for a verify state") }
        guard u64(0) == version else { throw ValueError("\(path): verify state version \(u64(0)), not \(version)") }
        let size = u64(8)
        guard size == UInt64(b.count - 24) else { throw ValueError("\(path): the header says \(size) bytes, the file holds \(b.count - 24)") }
        let crc = b.withUnsafeBytes { CRC.crc32c(UnsafeRawBufferPointer(rebasing: $0[24...])) }
        guard UInt64(crc) == u64(16) else { throw ValueError("\(path): the verify state is corrupt (its crc32c does not match)") }
        let depth = u32(24 + 8), files = u32(24 + 12)
        guard let count = Int(exactly: u64(24)), count <= (b.count - 24 - listSize) / 16,
              UInt64(count) <= UInt64(depth) * UInt64(files) else { throw ValueError("\(path): \(u64(24)) completions do not fit the state") }
        let comps = (0..<count).map { (file: u64(24 + listSize + $0 * 16), offset: u64(24 + listSize + $0 * 16 + 8)) }
        return VerifyState(numberio: u64(24 + 16), depth: depth, files: files, completions: comps)
    }

    /// How many of the verify phase's reads (in order) to do: fio stops at the first one that
    /// comes within `depth` of the writes issued and is not among the completed writes.
    func readsToDo(_ reads: [WrittenBlock]) -> Int {
        let depth = UInt64(self.depth)
        for (i, r) in reads.enumerated() {
            let n = UInt64(i)
            let inWindow = numberio <= depth || n >= numberio || (n >= depth && numberio - n <= depth)
            if inWindow && !completions.contains(where: { $0.file == UInt64(r.fileIndex) && $0.offset == r.offset }) { return i }
        }
        return reads.count
    }
}
