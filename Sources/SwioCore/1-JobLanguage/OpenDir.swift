// opendir=DIR: every regular file below DIR becomes one of the job's files, as fio's
// add_dir_files() adds them (here in name order, so a run is repeatable).

#if canImport(Glibc)
import Glibc
#endif

enum OpenDir {
    /// More entries than a job's file list can sensibly hold (opendir=/, say): an error, not a
    /// walk of the whole machine.
    static let maxEntries = 100_000

    /// The regular files below `dir`, recursively, sorted; throws when it cannot be read.
    static func files(below dir: String) throws -> [String] {
        var seen = 0
        return try walk(dir, seen: &seen).sorted()
    }

    static func walk(_ dir: String, seen: inout Int) throws -> [String] {
        guard let d = opendir(dir) else { throw ValueError("cannot open directory \(dir): \(String(cString: strerror(errno)))") }
        defer { closedir(d) }
        var found: [String] = []
        var subdirs: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            seen += 1
            if seen > maxEntries { throw ValueError("more than \(maxEntries) entries below the directory; name one that holds the job's files") }
            let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFREG: found.append(path)
            case S_IFDIR: subdirs.append(path)
            default: break
            }
        }
        for s in subdirs { found += try walk(s, seen: &seen) }
        return found
    }
}
