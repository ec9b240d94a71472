// opendir=DIR: every regular file below DIR becomes one of the job's files, as fio's
// add_dir_files() adds them (here in name order, so a run is repeatable).

#if canImport(Glibc)
import Glibc
#endif

enum OpenDir {
    /// The regular files below `dir`, recursively, sorted; throws when it cannot be read.
    static func files(below dir: String) throws -> [String] {
        guard let d = opendir(dir) else { throw ValueError("cannot open directory \(dir): \(String(cString: strerror(errno)))") }
        defer { closedir(d) }
        var found: [String] = []
        var subdirs: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFREG: found.append(path)
            case S_IFDIR: subdirs.append(path)
            default: break
            }
        }
        for s in subdirs { found += try files(below: s) }
        return found.sorted()
    }
}
