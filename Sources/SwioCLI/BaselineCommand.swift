import ArgumentParser
import SwioCore
import SwioEngines

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "hdparm -t/-T style baselines of a device or file.",
        discussion: """
        -t: sequential 2 MiB reads from the start for about 3 seconds after flushing the cache
        (buffered, or O_DIRECT with --direct). -T: repeated reads of a cached 2 MiB region.
        Without -t or -T both run, like `hdparm -tT`. Output uses hdparm's line format.

        Examples:
          swio baseline /dev/loop0 --direct
          swio baseline -T /dev/sda
          swio baseline /var/tmp/big.img --output-format=json --output=base.json
          swio baseline --net loopback                one TCP stream over loopback
          swio baseline --net 10.0.0.2:5001           to a receiver there
        """)

    @Argument(help: "Block device or file to measure.")
    var targets: [String] = []

    @Option(name: .customLong("net"), help: "A network baseline: one TCP stream to host:port where a receiver runs, or 'loopback'.")
    var net: String?

    @Flag(name: .customShort("t"), help: "Timing disk reads (hdparm -t).")
    var disk = false

    @Flag(name: .customShort("T"), help: "Timing cached reads (hdparm -T).")
    var cached = false

    @Flag(help: "Use O_DIRECT for -t (hdparm --direct).")
    var direct = false

    @Option(name: .customLong("output-format"), help: "normal or json.")
    var outputFormat = "normal"

    @Option(name: .customLong("output"), help: "Write the report to this file instead of stdout.")
    var output: String?

    func run() throws {
        runReporting {
            guard ["normal", "json"].contains(outputFormat) else { throw UserError("--output-format: '\(outputFormat)' is not normal or json") }
            let both = !disk && !cached
            guard !targets.isEmpty || net != nil else { throw UserError("give a device or file to measure, or --net host:port (or --net loopback)") }
            let destination = try ReportDestination(output)
            var results: [BaselineResult] = []
            var text = ""
            if let n = net {
                let r = try measureNetworkBaseline(target: n == "loopback" ? nil : n)
                results.append(r); text += "\n\(r.target):\n" + r.hdparmLine + "\n"
            }
            for t in targets {
                text += "\n\(t):\n"
                if cached || both {
                    let r = try Baseline.cachedReads(t)
                    results.append(r); text += r.hdparmLine + "\n"
                }
                if disk || both {
                    let r = try Baseline.diskReads(t, direct: direct)
                    if let w = r.warning { writeStderr("swio: warning: \(w)") }
                    results.append(r); text += r.hdparmLine + "\n"
                }
            }
            let out = outputFormat == "json"
                ? JSON.object([("swio version", .string(swioVersion)), ("baselines", .array(results.map(\.json)))]).serialized() + "\n"
                : text
            try destination.write(out)
            return 0
        }
    }
}
