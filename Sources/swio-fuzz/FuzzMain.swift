// swio-fuzz: the fuzz targets of SwioFuzzTargets. Built by fuzz/run.sh with -DFUZZING and
// -sanitize=fuzzer, libFuzzer drives LLVMFuzzerTestOneInput (the target named by SWIO_FUZZ);
// a plain build replays files instead: `swio-fuzz TARGET FILE...`.

import SwioFuzzTargets
#if canImport(Glibc)
import Glibc
#endif

#if FUZZING
import CFuzzerDriver

nonisolated(unsafe) var target = FuzzTarget.jobfile

@main struct Fuzz {
    static func main() {
        let name = getenv("SWIO_FUZZ").map { String(cString: $0) } ?? "jobfile"
        guard let t = FuzzTarget(rawValue: name) else { fatalError("SWIO_FUZZ=\(name): not one of \(FuzzTarget.allCases.map(\.rawValue))") }
        target = t
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) })
    }
}

/// libFuzzer's own main (linked with -sanitize=fuzzer, though SwiftPM's main comes first)
/// needs this symbol; both ways reach the same target.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let breach = target.run(bytes) { fatalError(breach) }
    return 0
}
#else
@main struct Replay {
    static func main() {
        let args = CommandLine.arguments
        guard args.count >= 2, let target = FuzzTarget(rawValue: args[1]) else {
            print("usage: swio-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE...")
            exit(2)
        }
        var failed = false
        for path in args.dropFirst(2) {
            guard let f = fopen(path, "r") else { print("\(path): cannot open"); failed = true; continue }
            var bytes: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = fread(&buf, 1, buf.count, f)
                if n <= 0 { break }
                bytes += buf[0..<n]
            }
            fclose(f)
            if let breach = target.run(bytes) { print("\(path): \(breach)"); failed = true }
        }
        exit(failed ? 1 : 0)
    }
}
#endif
