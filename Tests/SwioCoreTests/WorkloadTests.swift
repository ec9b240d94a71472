import Testing
@testable import SwioCore
import SwioEngines

/// Drives the offset generator directly over a 1 MiB region (no I/O).
func offsets(_ jobText: String, count: Int, regionLength: UInt64 = 1 << 20, regionStart: UInt64 = 0) throws -> [(kind: IOKind, offset: UInt64, length: Int)] {
    var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
    let c = try JobConfig(p.parse(text: jobText, file: "w.fio").jobs[0])
    let region = UnsafeMutablePointer<FileRegion>.allocate(capacity: 1)
    defer { region.deallocate() }
    var r = FileRegion(fd: -1, start: regionStart, length: regionLength)
    let useMap = c.rw.isRandom && !c.norandommap && c.distribution == .uniform
    var map: UnsafeMutablePointer<UInt64>?
    if useMap {
        let granule = c.blockalign.min()!
        r.mapBlocks = regionLength / granule
        r.mapWords = Int((r.mapBlocks + 63) / 64)
        r.mapGranule = granule
        map = .allocate(capacity: r.mapWords)
        map!.initialize(repeating: 0, count: r.mapWords)
        r.map = map
    }
    defer { map?.deallocate() }
    region.initialize(to: r)
    var w = Workload(job: c, files: region, fileCount: 1, seed: 1)
    let buf = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
    defer { buf.deallocate() }
    var u = IOUnit(buffer: buf)
    var out: [(IOKind, UInt64, Int)] = []
    for _ in 0..<count {
        w.next(&u)
        out.append((u.kind, u.offset, u.length))
    }
    return out.map { (kind: $0.0, offset: $0.1, length: $0.2) }
}

@Suite struct WorkloadTests {
    @Test func randomMapVisitsEveryBlockOncePerPass() throws {
        let o = try offsets("[a]\nrw=randread\nbs=4k\n", count: 256)
        #expect(Set(o.map(\.offset)).count == 256)
        #expect(o.allSatisfy { $0.offset % 4096 == 0 && $0.offset + 4096 <= 1 << 20 })
    }

    @Test func norandommapRepeatsBlocks() throws {
        let o = try offsets("[a]\nrw=randread\nbs=4k\nnorandommap\n", count: 256)
        #expect(Set(o.map(\.offset)).count < 256)
    }

    @Test func sequentialWrapsAtTheRegionEnd() throws {
        let o = try offsets("[a]\nrw=read\nbs=256k\n", count: 6)
        #expect(o.map(\.offset) == [0, 262144, 524288, 786432, 0, 262144])
        // rw=read:64k leaves a 64 KiB hole after each block (fio's sequential skip).
        let s = try offsets("[a]\nrw=read:64k\nbs=64k\n", count: 3)
        #expect(s.map(\.offset) == [0, 131072, 262144])
    }

    @Test func percentageRandomMixesSequentialRuns() throws {
        // percentage_random=0: a random job reads in order; 100 (the default): at random;
        // 70: about 30% of I/Os follow the previous one.
        func followers(_ o: [(kind: IOKind, offset: UInt64, length: Int)]) -> Int {
            zip(o, o.dropFirst()).filter { $1.offset == $0.offset + UInt64($0.length) }.count
        }
        let seq = try offsets("[a]\nrw=randread\nbs=4k\npercentage_random=0\n", count: 100)
        #expect(seq.map(\.offset) == (0..<100).map { UInt64($0) * 4096 })
        let all = try offsets("[a]\nrw=randread\nbs=4k\nnorandommap\n", count: 2000)
        #expect(followers(all) < 40)   // by chance: about 2000/256
        let mix = try offsets("[a]\nrw=randread\nbs=4k\npercentage_random=70\nnorandommap\n", count: 20000)
        let share = Double(followers(mix)) / 20000
        #expect(abs(share - 0.3) < 0.03, "\(share) of I/Os followed the previous one")
        // Per direction: reads random, writes sequential.
        let rw = try offsets("[a]\nrw=randrw\nbs=4k\npercentage_random=100,0\nnorandommap\n", count: 4000)
        let writes = rw.filter { $0.kind == .write }
        #expect(followers(writes) > writes.count * 9 / 10)
        #expect(followers(rw.filter { $0.kind == .read }) < 100)
    }

    @Test func negativeSkipReadsBackwards() throws {
        // fio 3.33 (strace of its preads), rw=read:-8k, 4k blocks, 32k region:
        // 0, 24k, 20k, 16k, 12k, 8k, 4k, 0.
        let o = try offsets("[a]\nrw=read:-8k\nbs=4k\n", count: 8, regionLength: 32 << 10)
        #expect(o.map(\.offset) == [0, 24576, 20480, 16384, 12288, 8192, 4096, 0])
        // Past the start it wraps to the end plus the skip: read:-12k gives 0, 20k, 12k, 4k, 20k.
        let o12 = try offsets("[a]\nrw=read:-12k\nbs=4k\n", count: 6, regionLength: 32 << 10)
        #expect(o12.map(\.offset) == [0, 20480, 12288, 4096, 20480, 12288])
        // With offset=16k (fio 3.33's write_iolog, 64k region): fio first rewinds to the
        // region's length, taken as a file position, so it starts at 64k - 8k = 56k, goes down
        // to the region's start, and wraps to its end plus the skip (72k).
        let o16 = try offsets("[a]\nrw=read:-8k\nbs=4k\n", count: 16, regionLength: 64 << 10, regionStart: 16 << 10)
        #expect(o16.map { $0.offset >> 10 } == [56, 52, 48, 44, 40, 36, 32, 28, 24, 20, 16, 72, 68, 64, 60, 56])
    }

    @Test func zonedBlankRegionTakesTheRest() throws {
        // fio's examples/rand-zones.fio: "zoned:50/5:30/15:20/": the last region is 80%.
        var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
        let c = try JobConfig(p.parse(text: "[a]\nrw=randread\nrandom_distribution=zoned:50/5:30/15:20/\n", file: "z.fio").jobs[0])
        guard case .zoned(let zones) = c.distribution else { Issue.record("not zoned: \(c.distribution)"); return }
        #expect(zones.map(\.region) == [5, 15, 80] && zones.map(\.access) == [50, 30, 20])
        // "20/0" and a bare "20" are blank too; blanks share the rest in whole percents; regions
        // may add up to less than 100.
        func regions(_ spec: String) throws -> [Double] {
            var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
            let c = try JobConfig(p.parse(text: "[a]\nrw=randread\nrandom_distribution=\(spec)\n", file: "z.fio").jobs[0])
            guard case .zoned(let z) = c.distribution else { return [] }
            return z.map(\.region)
        }
        #expect(try regions("zoned:50/5:30/15:20/0") == [5, 15, 80])
        #expect(try regions("zoned:50/5:30/15:20") == [5, 15, 80])
        #expect(try regions("zoned:40/10:30:30") == [10, 45, 45])
        #expect(try regions("zoned:60/10:40/20") == [10, 20])
    }

    @Test func zonedDistributionRespectsEveryZone() throws {
        // Two zones with the same region size: 60% of accesses to the first half, 40% to the second.
        let o = try offsets("[a]\nrw=randread\nbs=4k\nrandom_distribution=zoned:60/50:40/50\n", count: 20000)
        let second = Double(o.filter { $0.offset >= 1 << 19 }.count) / 20000
        #expect(abs(second - 0.4) < 0.03, "second half got \(second)")
    }

    @Test func zipfConcentratesAccesses() throws {
        let o = try offsets("[a]\nrw=randread\nbs=4k\nrandom_distribution=zipf:1.2\n", count: 20000)
        var counts: [UInt64: Int] = [:]
        for x in o { counts[x.offset, default: 0] += 1 }
        let top = counts.values.sorted(by: >).prefix(26).reduce(0, +)   // 10% of the 256 blocks
        #expect(Double(top) / 20000 > 0.5)
    }

    @Test func trimwriteWritesWhereItTrimmed() throws {
        let o = try offsets("[a]\nrw=trimwrite\nbs=4k\n", count: 6)
        #expect(o.map(\.kind) == [.trim, .write, .trim, .write, .trim, .write])
        #expect(o[0].offset == o[1].offset && o[2].offset == o[3].offset && o[2].offset != o[0].offset)
    }

    @Test func bssplitAndBsrangeSizes() throws {
        let s = try offsets("[a]\nrw=randread\nbssplit=4k/25:16k/75\nnorandommap\n", count: 4000)
        let small = Double(s.filter { $0.length == 4096 }.count) / 4000
        #expect(abs(small - 0.25) < 0.03)
        #expect(Set(s.map(\.length)) == [4096, 16384])
        let r = try offsets("[a]\nrw=randread\nbsrange=4k-32k\nnorandommap\n", count: 1000)
        #expect(r.allSatisfy { $0.length >= 4096 && $0.length <= 32768 && $0.length % 4096 == 0 })
        #expect(Set(r.map(\.length)).count > 4)
    }
}
