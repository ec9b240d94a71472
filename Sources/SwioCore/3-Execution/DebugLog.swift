// fio's --debug=CATEGORIES: what swio can say about parsing, files, I/O, random offsets and
// verification, one line each on stderr (fio writes them to stdout; swio keeps stdout for
// the report), in fio's layout: the category in 8 columns, the thread id in 5, the message.

import CSwio

public struct DebugCategories: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// fio's names, in the order of its bits (process = 0x1 ... zbd = 0x40000).
    public static let names = ["process", "file", "io", "mem", "blktrace", "verify", "random", "parse", "diskutil", "job",
                               "mutex", "profile", "time", "net", "rate", "compress", "steadystate", "helperthread", "zbd"]
    public static let file = DebugCategories(rawValue: 1 << 1)
    public static let io = DebugCategories(rawValue: 1 << 2)
    public static let verify = DebugCategories(rawValue: 1 << 5)
    public static let random = DebugCategories(rawValue: 1 << 6)
    public static let parse = DebugCategories(rawValue: 1 << 7)
    /// The categories swio prints lines for; the rest are accepted and say nothing.
    public static let printed: DebugCategories = [.file, .io, .verify, .random, .parse]

    /// fio's syntax: a comma list, each item a category name or its prefix, or "all"; job:N is
    /// accepted (swio's jobs are threads of one process, so it does not filter). Unknown items
    /// are errors here (fio warns and goes on).
    public static func parse(_ list: String) throws -> DebugCategories {
        var set = DebugCategories()
        for item in list.split(separator: ",").map(String.init) where !item.isEmpty {
            if item.hasPrefix("job:") { continue }
            if item.hasPrefix("all") {
                set = DebugCategories(rawValue: (1 << UInt32(names.count)) - 1)
                continue
            }
            guard let i = names.firstIndex(where: { item.hasPrefix($0) }) else {
                throw ValueError("--debug: '\(item)' is not one of \(names.joined(separator: ",")),all")
            }
            set.insert(DebugCategories(rawValue: 1 << UInt32(i)))
        }
        return set
    }

    public var names: [String] { DebugCategories.names.indices.filter { contains(DebugCategories(rawValue: 1 << UInt32($0))) }.map { DebugCategories.names[$0] } }
}

public enum DebugLog {
    /// Set once by the command line, before any job starts.
    public nonisolated(unsafe) static var enabled = DebugCategories()

    @inline(__always) public static func on(_ c: DebugCategories) -> Bool { !enabled.isDisjoint(with: c) }

    /// One line in fio's layout.
    public static func line(_ c: DebugCategories, _ message: String) {
        guard on(c), let i = DebugCategories.names.indices.first(where: { c.contains(DebugCategories(rawValue: 1 << UInt32($0))) }) else { return }
        let name = DebugCategories.names[i]
        func padded(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        Console.writeLine(padded(name, 8) + " " + padded(String(cswio_gettid()), 5) + " " + message, fd: 2)
    }
}
