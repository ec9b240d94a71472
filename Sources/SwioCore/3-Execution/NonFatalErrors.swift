// Which failed I/Os a job survives, as fio decides it (continue_on_error + ignore_error): an
// error has a type (verify for EILSEQ, read for reads, write for everything else); the job goes
// on only if continue_on_error covers that type and the errno is in the type's list, which is
// EIO and EILSEQ unless ignore_error gives one (and giving one turns continuing on for it).

#if canImport(Glibc)
import Glibc
#endif
import CSwio

/// A set of errno values below 256, as four words: trivial to copy into the I/O loop.
public struct ErrnoSet: Sendable, Equatable {
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    public init(_ values: [Int32] = []) { for v in values { insert(v) } }

    public mutating func insert(_ e: Int32) {
        guard e > 0 && e < 256 else { return }
        let bit = UInt64(1) << UInt64(e & 63)
        switch e >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    @inlinable public func contains(_ e: Int32) -> Bool {
        guard e > 0 && e < 256 else { return false }
        let w: UInt64
        switch e >> 6 {
        case 0: w = words.0
        case 1: w = words.1
        case 2: w = words.2
        default: w = words.3
        }
        return w & (UInt64(1) << UInt64(e & 63)) != 0
    }

    public static func == (a: ErrnoSet, b: ErrnoSet) -> Bool { a.words == b.words }
}

public struct NonFatalErrors: Sendable, Equatable {
    public enum ErrorType: Int, Sendable { case read = 0, write = 1, verify = 2 }

    /// Per error type: whether the job continues, and on which errno values.
    public var continues: (read: Bool, write: Bool, verify: Bool) = (false, false, false)
    public var lists: (read: ErrnoSet, write: ErrnoSet, verify: ErrnoSet)

    public static let fioDefault = ErrnoSet([EIO, EILSEQ])

    public init() { lists = (Self.fioDefault, Self.fioDefault, Self.fioDefault) }

    /// Whether anything can continue (fio then adds total_err/first_error to the report).
    public var any: Bool { continues.read || continues.write || continues.verify }

    @inlinable public static func type(of kind: IOKind, errno e: Int32) -> ErrorType {
        e == EILSEQ ? .verify : kind == .read ? .read : .write
    }

    @inlinable public func survives(_ kind: IOKind, errno e: Int32) -> Bool {
        switch NonFatalErrors.type(of: kind, errno: e) {
        case .read: return continues.read && lists.read.contains(e)
        case .write: return continues.write && lists.write.contains(e)
        case .verify: return continues.verify && lists.verify.contains(e)
        }
    }

    public static func == (a: NonFatalErrors, b: NonFatalErrors) -> Bool {
        a.continues == b.continues && a.lists.read == b.lists.read && a.lists.write == b.lists.write && a.lists.verify == b.lists.verify
    }

    /// continue_on_error=none|read|write|io|verify|all (0/1) and ignore_error=READ,WRITE,VERIFY
    /// lists of ':'-separated errno names (EIO) or numbers. fio applies options in order, so a
    /// continue_on_error set after ignore_error (`continueOnErrorLast`) replaces what
    /// ignore_error turned on; the lists stay.
    public static func parse(continueOnError: String?, ignoreError: String?, continueOnErrorLast: Bool = false) throws -> NonFatalErrors {
        var n = NonFatalErrors()
        var coe: (read: Bool, write: Bool, verify: Bool) = (false, false, false)
        switch (continueOnError ?? "none").lowercased() {
        case "read": coe.read = true
        case "write": coe.write = true
        case "io": coe = (true, true, false)
        case "verify": coe.verify = true
        case "all", "1": coe = (true, true, true)
        default: break
        }
        n.continues = coe
        guard let ignoreError else { return n }
        let perType = ignoreError.split(separator: ",", omittingEmptySubsequences: false)
        guard perType.count <= 3 else {
            throw ValueError("'\(ignoreError)': at most three lists (read,write,verify), separated by ','")
        }
        for (i, list) in perType.enumerated() where !list.isEmpty {
            var set = ErrnoSet()
            // As fio: a list ends at its first empty item, and -22 means 22.
            for item in list.split(separator: ":", omittingEmptySubsequences: false) {
                let name = String(item).trimmed
                if name.isEmpty { break }
                guard let e = Int32(name).map(abs) ?? errnoNumber(name.uppercased()), e > 0 && e < 256 else {
                    throw ValueError("'\(name)' is not an errno name (EIO, ENOSPC, ...) or number")
                }
                set.insert(e)
            }
            switch i {
            case 0: n.lists.read = set; n.continues.read = n.continues.read || !continueOnErrorLast
            case 1: n.lists.write = set; n.continues.write = n.continues.write || !continueOnErrorLast
            default: n.lists.verify = set; n.continues.verify = n.continues.verify || !continueOnErrorLast
            }
        }
        return n
    }

    /// EIO -> 5, from glibc's own names (strerrorname_np).
    static func errnoNumber(_ name: String) -> Int32? { errnoByName[name] }

    static let errnoByName: [String: Int32] = {
        var m: [String: Int32] = [:]
        for e in Int32(1)..<256 { if let p = cswio_errno_name(e) { m[String(cString: p)] = e } }
        return m
    }()
}
