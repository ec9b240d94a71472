// swift-tools-version:6.0
import PackageDescription

// swio: a fio-compatible I/O load generator.
// SwioCore holds the job-file language, the engine protocol, the generic I/O loop,
// statistics and reports. Each engine is its own target under engines/. SwioEngines
// is the one place that knows every engine and specializes the I/O loop for each.
let package = Package(
    name: "swio",
    products: [
        .executable(name: "swio", targets: ["swio"]),
        .library(name: "SwioCore", targets: ["SwioCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .target(
            name: "CSwio",
            path: "Sources/CSwio",
            // The shim sits on measured paths (baseline read loops): optimise it in debug builds too.
            cSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("uring"), .linkedLibrary("aio")]
        ),
        // libblkid (util-linux): what a block device holds, before swio writes over it.
        .target(name: "CBlkid", path: "Sources/CBlkid", linkerSettings: [.linkedLibrary("blkid")]),
        .target(
            name: "SwioCore",
            dependencies: [
                "CSwio", "CBlkid",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .target(name: "SyncEngines", dependencies: ["SwioCore", "CSwio"], path: "engines/Sync"),
        .target(name: "NullEngine", dependencies: ["SwioCore"], path: "engines/Null"),
        .target(name: "LibaioEngine", dependencies: ["SwioCore", "CSwio"], path: "engines/Libaio"),
        .target(name: "IOUringEngine", dependencies: ["SwioCore", "CSwio"], path: "engines/IOUring"),
        .target(name: "KeventEngine", dependencies: ["SwioCore", "CSwio", "LibaioEngine", "IOUringEngine"],
                path: "engines/Kevent", exclude: ["README.md"]),
        .target(
            name: "SwioEngines",
            dependencies: ["SwioCore", "SyncEngines", "NullEngine", "LibaioEngine", "IOUringEngine", "KeventEngine"]
        ),
        .target(
            name: "SwioCLI",
            dependencies: [
                "SwioCore", "SwioEngines",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "swio", dependencies: ["SwioCLI"]),
        // The readers of untrusted input as fuzz targets; fuzz/run.sh builds swio-fuzz for libFuzzer.
        .target(name: "SwioFuzzTargets", dependencies: ["SwioCore"]),
        .target(name: "CFuzzerDriver", path: "Sources/CFuzzerDriver"),
        .executableTarget(name: "swio-fuzz", dependencies: ["SwioFuzzTargets", "CFuzzerDriver"]),
        .testTarget(name: "SwioCoreTests", dependencies: ["SwioCore", "SwioFuzzTargets"]),
        .testTarget(name: "SwioEnginesTests", dependencies: ["SwioCore", "SwioEngines"]),
    ],
    swiftLanguageModes: [.v6]
)
