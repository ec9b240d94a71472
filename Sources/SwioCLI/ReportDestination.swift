// Where a report goes (stdout or --output FILE): checked before any job runs, written safely
// after. A report that does not arrive is an error, never a silent exit 0.

import SwioCore
import CSwio
#if canImport(Glibc)
import Glibc
#endif

final class ReportDestination: @unchecked Sendable {
    enum Kind {
        case stdout
        /// Not a regular file (/dev/null, a FIFO, /dev/stdout): written through, never replaced.
        case inPlace(String)
        /// A regular file, new or replaced: a private temporary file beside it, renamed over it.
        case replace(String)
    }
    let kind: Kind
    /// What the user wrote, for messages.
    let name: String
    /// Reports after the first (--status-interval's, then the final one) follow it, as fio
    /// writes them; written only from one thread at a time (the supervisor's, then main).
    private var written = false

    /// Resolves and checks `output` (nil: stdout), so a report that could not be written is
    /// known before the jobs run: a missing directory (ENOENT), a directory (EISDIR), a block
    /// device, /proc or /sys, or a directory swio may not write in (EACCES, EROFS).
    init(_ output: String?) throws {
        guard let output else { kind = .stdout; name = "stdout"; return }
        name = output
        guard !output.isEmpty else { throw UserError("--output needs a file name") }
        let path = ReportDestination.resolve(output)
        func failure(_ e: Int32, _ what: String = "") -> UserError {
            UserError("--output \(output): \(what)\(Syscall.errorString(e)) (errno \(e))")
        }
        // /dev/stdout, /proc/self/fd/N and the like are links to an open file: written through
        // (a rename would replace the file the shell redirected to).
        var lst = stat()
        let openFileLink = (output.hasPrefix("/dev/") || output.hasPrefix("/proc/"))
            && lstat(output, &lst) == 0 && (lst.st_mode & S_IFMT) == S_IFLNK
        var st = stat()
        if stat(path, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFDIR: throw failure(EISDIR)
            case S_IFBLK: throw UserError("--output \(output): is a block device; refusing to write the report over it")
            case S_IFREG where !openFileLink:
                try ReportDestination.refusePseudoFilesystem(path, output)
                guard access(ReportDestination.directory(of: path), W_OK | X_OK) == 0 else { throw failure(errno, "cannot create a file beside it: ") }
                kind = .replace(path)
            default:
                guard access(path, W_OK) == 0 else { throw failure(errno) }
                kind = .inPlace(openFileLink ? output : path)
            }
            return
        }
        guard errno == ENOENT else { throw failure(errno) }
        let dir = ReportDestination.directory(of: path)
        var dst = stat()
        guard stat(dir, &dst) == 0 else { throw failure(errno, "directory \(dir): ") }
        guard (dst.st_mode & S_IFMT) == S_IFDIR else { throw failure(ENOTDIR, "\(dir): ") }
        try ReportDestination.refusePseudoFilesystem(dir, output)
        guard access(dir, W_OK | X_OK) == 0 else { throw failure(errno, "directory \(dir): ") }
        kind = .replace(path)
    }

    /// Writes the whole report; any failure (ENOSPC, EIO, EPIPE, a closed stdout) throws and,
    /// for a file, leaves what was there before untouched. A later report is appended.
    func write(_ text: String) throws {
        switch kind {
        case .stdout:
            let e = Console.write(text, fd: 1)
            if e != 0 { throw UserError("cannot write the report to stdout: \(Syscall.errorString(e)) (errno \(e))") }
        case .inPlace(let path),
             .replace(let path) where written:
            let fd = Syscall.retry { Int(cswio_open(path, O_WRONLY | (written ? O_APPEND : O_CREAT | O_TRUNC) | O_CLOEXEC, 0o666)) }
            guard fd >= 0 else { throw failure(Int32(-fd)) }
            let e = Console.write(text, fd: Int32(fd))
            let c = Syscall.close(Int32(fd))
            if e != 0 || c != 0 { throw failure(e != 0 ? e : c) }
        case .replace(let path):
            try replace(path, with: text)
        }
        written = true
    }

    private func failure(_ e: Int32) -> UserError {
        UserError("--output \(name): \(Syscall.errorString(e)) (errno \(e))")
    }

    /// Writes a new file under a unique name in the target's directory, created exclusively
    /// (mkstemp: O_CREAT|O_EXCL, so a planted file or symlink is never followed), gives it the
    /// old file's mode and owner (or 0666 less the umask, as fopen would), syncs it and renames
    /// it over the target. Other hard links to the old file keep the old report.
    private func replace(_ path: String, with text: String) throws {
        let dir = ReportDestination.directory(of: path)
        let base = path.split(separator: "/").last.map(String.init) ?? "report"
        var template = Array("\(dir)/.\(base).swio-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { cswio_mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure(errno) }
        let tmp = String(cString: template)
        var old = stat()
        let existed = stat(path, &old) == 0
        var e = Console.write(text, fd: fd)
        if e == 0 && fsync(fd) != 0 { e = errno }
        if e == 0 {
            if existed {
                if fchmod(fd, old.st_mode & 0o7777) != 0 { e = errno }
                // Only root may give a file away; others keep their own ownership, as an
                // editor's save does.
                else if (old.st_uid != geteuid() || old.st_gid != getegid()) && geteuid() == 0 && fchown(fd, old.st_uid, old.st_gid) != 0 { e = errno }
            } else {
                let mask = umask(0o022)
                umask(mask)
                if fchmod(fd, 0o666 & ~mask) != 0 { e = errno }
            }
        }
        let c = Syscall.close(fd)
        if e == 0 { e = c }
        if e == 0 && rename(tmp, path) != 0 { e = errno }
        if e != 0 {
            unlink(tmp)
            throw failure(e)
        }
    }

    /// The file a name stands for: a symlink's target (a dangling one's too, created as fopen
    /// would), else the name itself.
    static func resolve(_ output: String) -> String {
        if let real = realpath(output, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(output, &buf, buf.count - 1)
        guard n > 0 else { return output }
        let target = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.hasPrefix("/") ? target : directory(of: output) + "/" + target
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// /proc and /sys hold kernel settings, not files: a report written there would be taken
    /// as a setting (or fail after the run).
    static func refusePseudoFilesystem(_ path: String, _ output: String) throws {
        let type = cswio_fs_type(path)
        let procfs = 0x9fa0, sysfs = 0x6265_6572
        if type == procfs || type == sysfs {
            throw UserError("--output \(output): is in /proc or /sys (kernel settings, not files); refusing to write a report there")
        }
    }
}
