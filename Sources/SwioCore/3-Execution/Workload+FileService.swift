// file_service_type: which of a job's files the next I/O goes to, when that is not plain
// round robin (fio's __get_next_file(): a picked file keeps the service for N I/Os, and a
// sequential one until its region is done; files done in this pass are skipped).

@usableFromInline struct FilePicker: Sendable {
    let service: FileService
    let switchAfter: Int
    var current = -1
    var left = 0
    var rng: RandomGenerator
    let zipf: ZipfSampler?

    init(_ service: FileService, switchAfter: Int, fileCount: Int, seed: UInt64) {
        self.service = service
        self.switchAfter = max(1, switchAfter)
        rng = RandomGenerator(seed: seed)
        if case .zipf(let theta) = service { zipf = ZipfSampler(n: UInt64(max(1, fileCount)), theta: theta) } else { zipf = nil }
    }

    /// A file by the service's distribution (it may be one already done).
    mutating func draw(_ count: Int) -> Int {
        let n = UInt64(count)
        switch service {
        case .roundRobin, .sequential, .random: return Int(rng.below(n))
        case .zipf: return Int(zipf!.sample(&rng) % n)
        case .pareto(let h): return Int(Workload.pareto(&rng, h: h, below: n))
        case .normal(let dev): return Int(Workload.normal(&rng, deviation: dev, below: n))
        }
    }
}

extension Workload {
    /// The file of the next I/O under file_service_type (at least one file is not done).
    @usableFromInline @inline(never) mutating func pickFile() -> Int {
        let c = filePicker.current
        if c >= 0 && !files[c].passDone {
            if filePicker.service == .sequential { return c }
            if filePicker.left > 0 { filePicker.left -= 1; return c }
        }
        var fi: Int
        switch filePicker.service {
        case .roundRobin, .sequential:
            fi = nextFile
            while files[fi].passDone { fi = fi + 1 == fileCount ? 0 : fi + 1 }
            nextFile = fi + 1 == fileCount ? 0 : fi + 1
        default:
            // Drawn until one not done comes up; a distribution that rarely names the files
            // left gives way to the next one in order after 64 draws.
            fi = filePicker.draw(fileCount)
            var tries = 1
            while files[fi].passDone {
                if tries >= 64 { fi = fi + 1 == fileCount ? 0 : fi + 1; continue }
                fi = filePicker.draw(fileCount)
                tries += 1
            }
        }
        filePicker.current = fi
        filePicker.left = filePicker.switchAfter - 1
        return fi
    }
}
