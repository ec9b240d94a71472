// swift-tools-version:6.0
import PackageDescription

// swio: a fio-compatible I/O load generator.
// SwioCore holds the job-file language, the engine boundary, the generic I/O loop,
// statistics and reports, and names no engine. Each engine is its own target under engines/
// and exports an EngineDescriptor; SwioEngines is the one list of them.
let package = Package(
    name: "swio",
    products: [
        .executable(name: "swio", targets: ["swio"]),
        .library(name: "SwioCore", targets: ["SwioCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // Core's C shim: what Swift cannot import from Glibc (GNU flags, ioctls, signals).
        .target(
            name: "CSwio",
            path: "Sources/CSwio",
            // The shim sits on measured paths (baseline read loops): optimise it in debug builds too.
            cSettings: [.unsafeFlags(["-O2"])]
        ),
        // libblkid (util-linux): what a block device holds, before swio writes over it.
        .target(name: "CBlkid", path: "Sources/CBlkid", linkerSettings: [.linkedLibrary("blkid")]),
        // zlib, for fio's compressed logs.
        .target(name: "CZlib", path: "Sources/CZlib", linkerSettings: [.linkedLibrary("z")]),
        // fio's verify checksums (md5, sha1 and sha3 from swift-crypto; the CRCs, xxhash and
        // fio's own sha256/sha512 values here), with the CPU's crc32 instruction behind a C shim.
        .target(name: "CChecksums", path: "Sources/CChecksums", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "SwioChecksums", dependencies: ["CChecksums", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "SwioCore",
            dependencies: [
                "CSwio", "CBlkid", "CZlib", "SwioChecksums",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),

        // Engines: one folder each under engines/, with the C binding of its library beside it.
        .target(name: "SyncEngines", dependencies: ["SwioCore", "CSwio"], path: "engines/Sync"),
        .target(name: "NullEngine", dependencies: ["SwioCore"], path: "engines/Null"),
        .target(name: "CLibaio", path: "engines/Libaio/CLibaio", cSettings: [.unsafeFlags(["-O2"])],
                linkerSettings: [.linkedLibrary("aio")]),
        .target(name: "LibaioEngine", dependencies: ["SwioCore", "CSwio", "CLibaio"], path: "engines/Libaio",
                exclude: ["CLibaio"]),
        .target(name: "CLiburing", path: "engines/IOUring/CLiburing", cSettings: [.unsafeFlags(["-O2"])],
                linkerSettings: [.linkedLibrary("uring")]),
        .target(name: "IOUringEngine", dependencies: ["SwioCore", "CSwio", "CLiburing"], path: "engines/IOUring",
                exclude: ["CLiburing"]),
        .target(name: "CKevent", path: "engines/Kevent/CKevent"),
        .target(name: "KeventEngine", dependencies: ["SwioCore", "CKevent"], path: "engines/Kevent",
                exclude: ["README.md", "CKevent"]),
        .target(name: "MmapEngine", dependencies: ["SwioCore"], path: "engines/Mmap"),
        .target(name: "PosixAIOEngine", dependencies: ["SwioCore"], path: "engines/PosixAIO"),
        .target(name: "CNet", path: "engines/Net/CNet"),
        .target(name: "NetEngine", dependencies: ["SwioCore", "CSwio", "CNet", "CLiburing"], path: "engines/Net", exclude: ["CNet"]),
        // Run-time plugins (ioengine=external:PATH): the C interface in plugins/include.
        .target(name: "CSwioPlugin", path: "plugins", publicHeadersPath: "include"),
        .target(name: "ExternalEngine", dependencies: ["SwioCore", "CSwioPlugin"], path: "engines/External"),
        // The registry: the one list of engines, composing those that build on others (kevent).
        .target(
            name: "SwioEngines",
            dependencies: ["SwioCore", "SyncEngines", "NullEngine", "LibaioEngine", "IOUringEngine", "KeventEngine",
                           "MmapEngine", "PosixAIOEngine", "NetEngine", "ExternalEngine"]
        ),
        // Many hosts on MPI: the library is loaded at run time (no MPI needed to build or to
        // run without it); SwioCluster runs the ranks and merges their reports.
        .target(name: "CMPILoader", path: "Sources/CMPILoader", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "SwioCluster", dependencies: ["SwioCore", "CMPILoader"]),
        // swio compare: reads swio's and fio's JSON reports, judges changes against thresholds and noise.
        .target(name: "SwioCompare", dependencies: ["SwioCore"]),
        // Metrics for monitoring systems: OpenMetrics/Prometheus text, and the live /metrics endpoint.
        .target(name: "SwioMetrics", dependencies: ["SwioCore", "CSwio", .product(name: "Prometheus", package: "swift-prometheus")]),
        // swio plot: charts of swio's and fio's JSON as SVG in one HTML page.
        .target(name: "SwioPlot", dependencies: ["SwioCompare"]),
        .target(
            name: "SwioCLI",
            dependencies: [
                "SwioCore", "SwioEngines", "SwioCompare", "SwioMetrics", "SwioPlot", "SwioCluster",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "swio", dependencies: ["SwioCLI"]),
        // The readers of untrusted input as fuzz targets; fuzz/run.sh builds swio-fuzz for libFuzzer.
        .target(name: "SwioFuzzTargets", dependencies: ["SwioCore", "SwioEngines", "SwioCompare", "SwioPlot"]),
        .target(name: "CFuzzerDriver", path: "Sources/CFuzzerDriver"),
        .executableTarget(name: "swio-fuzz", dependencies: ["SwioFuzzTargets", "CFuzzerDriver"]),
        .testTarget(name: "SwioCoreTests", dependencies: ["SwioCore", "SwioEngines", "SwioFuzzTargets", "SwioChecksums"]),
        .testTarget(name: "SwioEnginesTests", dependencies: ["SwioCore", "SwioEngines", "SwioMetrics", "CSwio", "CLiburing"]),
        .testTarget(name: "SwioCompareTests", dependencies: ["SwioCompare", "SwioPlot"]),
    ],
    swiftLanguageModes: [.v6]
)
