import Testing
@testable import SwioCore
import SwioEngines

/// Random and truncated job files never crash or hang the parser: they parse or fail cleanly.
@Suite struct FuzzTests {
    static let seedFile = """
    [global]
    ioengine=psync
    size=(2*1024)k
    bs=4k,8k
    bssplit=4k/10:64k/50:32k/40
    filename=a\\:b:c
    [job1]
    rw=randrw:8
    numjobs=2
    include missing.fio
    runtime=${RT}
    [job2]
    stonewall
    random_distribution=zoned:60/10:30/20:10/70
    """

    @Test func truncatedAndMutatedFilesNeverCrash() {
        var rng = RandomGenerator(seed: 42)
        let alphabet = Array("[]=#;:,()*/+-${}%kKmMgGiIbB0123456789xX \n\tabcdefghijklmnopqrstuvwxyz_\\.")
        let base = Array(Self.seedFile)
        var parsed = 0, failed = 0
        for i in 0..<3000 {
            var text: [Character]
            switch i % 3 {
            case 0: text = Array(base.prefix(Int(rng.below(UInt64(base.count + 1)))))
            case 1:
                text = base
                for _ in 0..<Int(rng.below(8) + 1) {
                    let pos = Int(rng.below(UInt64(text.count)))
                    text[pos] = alphabet[Int(rng.below(UInt64(alphabet.count)))]
                }
            default: text = (0..<Int(rng.below(200))).map { _ in alphabet[Int(rng.below(UInt64(alphabet.count)))] }
            }
            var p = JobFileParser(options: ParseOptions(ignoreUnsupported: Bool.random(), environment: ["RT": "1"], engines: EngineRegistry.catalog))
            do {
                let r = try p.parse(text: String(text), file: "fuzz.fio")
                for j in r.jobs { _ = try? JobConfig(j) }
                parsed += 1
            } catch is JobFileError { failed += 1 } catch { Issue.record("unexpected error type \(error)") }
        }
        #expect(parsed + failed == 3000)
        #expect(parsed > 0 && failed > 0)
    }

    @Test func deepExpressionsFailCleanly() {
        let deep = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
        #expect(throws: ValueError.self) { try Values.bytes(deep) }
    }
}
