import ArgumentParser
import SwioCore
import SwioEngines
import SwioMetrics
import SwioCluster
import CSwio
#if canImport(Glibc)
import Glibc
#endif

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run job files and/or command-line jobs (the default command).",
        discussion: """
        Examples:
          swio run jobs/randread.fio
          swio run --output-format=json --name=t --rw=randread --size=1g --filename=/tmp/f
          swio run --rw=read --bs=1m --name=a --filename=/dev/shm/a --size=256m --name=b --filename=/dev/shm/b --size=256m
        """)

    @OptionGroup var inputs: JobInputs
    @OptionGroup var output: OutputOptions
    @OptionGroup var monitor: MonitorOptions

    @Option(help: "auto: measure each job target's hdparm-style baseline once; or a saved `swio baseline --output-format=json` file. Adds each job's bandwidth as a fraction of it.")
    var baseline: String?

    @Flag(name: .customLong("parse-only"), help: "fio's --parse-only: check the jobs and exit without running them.")
    var parseOnly = false

    @Flag(name: .customLong("showcmd"), help: "fio's --showcmd: print the jobs as one swio command line and exit.")
    var showcmd = false

    @Option(name: .customLong("mpi-timeout"), help: "Under mpirun/srun: seconds a rank waits for the others at a group's start and for their reports at the end.")
    var mpiTimeout = 3600.0

    @Option(name: .customLong("repeat"), help: "Run the job files N times, one report per run, all in one output (each JSON report tagged \"swio repetition\"): samples for `swio compare`.")
    var repetitions = 1

    func run() throws {
        runReporting {
            guard repetitions >= 1 && repetitions <= 1000 else { throw UserError("--repeat: \(repetitions) is not between 1 and 1000") }
            let formats = try output.formats()
            // Under mpirun or srun: one rank of many (before parsing, so ${SWIO_RANK} expands).
            let mpi: MPIRun?
            do { mpi = MPIRun.launchedByMPI ? try MPIRun(timeoutSeconds: mpiTimeout) : nil } catch { throw UserError("\(error)") }
            defer { mpi?.finish() }
            if mpi != nil && repetitions > 1 { throw UserError("--repeat is not available under MPI; run mpirun once per repetition") }
            let parsed = try inputs.parse()
            if showcmd {
                print(parsed.commandLine())
                return 0
            }
            var configs: [JobConfig] = []
            for j in parsed.jobs { configs.append(try JobConfig(j)) }
            JobExecution.readOnly = inputs.readonly
            JobExecution.allowOverwrite = inputs.allowOverwrite
            if inputs.readonly, let c = configs.first(where: { $0.rw.directions.contains(.write) || $0.rw.directions.contains(.trim) }) {
                throw UserError("--readonly: job '\(c.name)' has rw=\(c.rw.rawValue), which writes (fio: \"job has write bit set, but fio is in read-only mode\")")
            }
            for c in configs where c.definition.engine == nil {
                throw UserError("ioengine=\(c.engineName) is not implemented by swio")
            }
            if parseOnly { return 0 }
            // A report that could not be written must be known before the jobs write anything.
            let destination = try output.destination()
            // Once per run, naming each job once (numjobs clones share a name).
            func warnOnce(_ kind: String, where applies: (JobConfig) -> Bool, _ text: String) {
                var names: [String] = []
                for c in configs where applies(c) && !names.contains(c.name) { names.append(c.name) }
                guard !names.isEmpty else { return }
                writeStderr("swio: \(kind): job\(names.count > 1 ? "s" : "") \(names.map { "'\($0)'" }.joined(separator: ", ")): \(text)")
            }
            warnOnce("warning", where: \.blockalignTurnsOffMap,
                     "blockalign other than the block size turns the random map off (norandommap), as in fio")
            if inputs.warningsFatal && configs.contains(where: \.blockalignTurnsOffMap) {
                throw UserError("--warnings-fatal: the blockalign warning above")
            }
            for name in Set(configs.filter { $0.engine.flags.contains(.blocksWhenBuffered) && !$0.direct }.map(\.engineName)).sorted() {
                warnOnce("warning", where: { $0.engineName == name && !$0.direct },
                         "\(name) with direct=0 runs buffered I/O inside its submit call, so it is synchronous; use direct=1")
            }
            warnOnce("note", where: { $0.definition["io_submit_mode"]?.lowercased() == "offload" },
                     "io_submit_mode=offload: swio submits from the job's own thread (fio hands submissions to worker threads); rates and latencies are measured the same way")
            // fio prints this note too (to stdout, inside its JSON; swio keeps it on stderr).
            warnOnce("note", where: { $0.iodepth > 1 && $0.engine.flags.contains(.sync) && $0.replay?.probedDepth == nil },
                     "iodepth > 1 with a synchronous engine: the queue depth is capped at 1, as in fio")
            // Baselines are measured before the jobs run, so the jobs do not disturb them.
            let baselineByTarget = try measureBaselines(configs)
            // As fio's forked jobs each call setsid(), the jobs run in a worker process with its
            // own session (a job left in the shell's session is slower at depth 1: see
            // docs/performance.md), unless every job asks for fio's `thread`.
            // (Not under MPI: a process forked after MPI_Init may not use MPI.)
            if mpi == nil && !configs.allSatisfy(\.thread) { _ = cswio_continue_in_own_session() }
            var runner = Runner()
            if let mpi {
                runner.beforeGroup = { group in
                    do { try mpi.barrier("the start of group \(group)"); return nil } catch { return "\(error)" }
                }
            }
            runner.timing = try monitor.timing(configs)
            let showETA = try monitor.showETA() && (mpi?.rank ?? 0) == 0
            if showETA { runner.onProgress = { jobs in ETALine.draw(jobs) } }
            // SIGUSR1 and --status-interval: the whole report as it stands, where the final one
            // will go (fio prints it too).
            let globals = parsed.reportedGlobalOptions
            let startMs = epochMs()
            runner.onStatus = { outcomes in
                if showETA { ETALine.clear() }
                let report = Report(outcomes: outcomes, startEpochMs: startMs, disks: [], globalOptions: globals)
                do { try destination.write(RunCommand.render(report, formats)) } catch { writeStderr("swio: status report: \(error)") }
            }
            // --metrics-listen: the live exposition, refreshed every second while jobs run.
            let server = try monitor.metricsServer()
            if let server {
                runner.timing.metricsIntervalNs = 1_000_000_000
                runner.onMetrics = { outcomes in
                    server.publish(OpenMetricsReport.render(Report(outcomes: outcomes, startEpochMs: startMs, disks: [], globalOptions: globals)))
                }
                server.start()
                writeStderr("swio: serving metrics at http://\(server.address)/metrics")
            }
            defer { server?.stop() }
            var text = ""
            var failed = false
            for repetition in 1...repetitions {
                // A stop signal ends the repetitions too; the reports cover what ran.
                if repetition > 1 && cswio_was_interrupted() != 0 { break }
                let runStartMs = epochMs()
                let result = runner.run(configs)
                if showETA { ETALine.clear() }
                if let mpi {
                    let report = Report(result: result, globalOptions: globals, baselines: baselineRatios(result, baselineByTarget))
                    return try RunCommand.finishRank(mpi, report: report, startMs: runStartMs, endMs: epochMs(), formats: formats, destination: destination)
                }
                for j in result.jobs { for w in j.warnings { writeStderr("swio: warning: \(w)") } }
                for j in result.jobs where j.stats.firstError != 0 {
                    writeStderr("swio: job '\(j.config.name)': \(j.stats.firstErrorMessage ?? Syscall.errorString(j.stats.firstError))")
                }
                let report = Report(result: result, globalOptions: globals, baselines: baselineRatios(result, baselineByTarget))
                text += RunCommand.render(report, formats, repetition: repetitions > 1 ? repetition : nil)
                failed = failed || report.hasErrors
                server?.publish(OpenMetricsReport.render(report))
                if monitor.bandwidthLog {
                    for e in LogWriter.writeAggregateBandwidth(result.bandwidth) { writeStderr("swio: \(e.message)"); failed = true }
                }
            }
            try destination.write(text)
            if cswio_was_interrupted() != 0 {
                let sig = cswio_stop_signal()
                writeStderr("swio: stopped by \(String(cString: strsignal(sig))); the report covers what ran")
                return 128 + sig
            }
            return failed ? 1 : 0
        }
    }
}

extension RunCommand {
    /// The report in each format asked for, one after another; a JSON report of --repeat
    /// carries its number ("swio repetition"), which `swio compare` counts as one sample.
    static func render(_ report: Report, _ formats: [String], repetition: Int? = nil) -> String {
        var text = ""
        func tagged(_ j: JSON) -> JSON {
            guard let r = repetition, case .object(var kv) = j else { return j }
            kv.insert(("swio repetition", .int(Int64(r))), at: 0)
            return .object(kv)
        }
        for f in formats {
            switch f {
            case "json": text += tagged(report.json()).serialized() + "\n"
            case "json+": text += tagged(report.json(plus: true)).serialized() + "\n"
            case "terse": text += report.terse()
            case "openmetrics": text += OpenMetricsReport.render(report)
            default: text += report.text()
            }
        }
        return text
    }

    /// Where a network job's baseline is kept: one for the run, whatever the endpoint.
    static let networkKey = "(network)"

    /// Each job's bandwidth as a fraction of its target's baseline.
    func baselineRatios(_ result: RunResult, _ baselines: [String: BaselineResult]) -> [String: BaselineRatio] {
        var ratios: [String: BaselineRatio] = [:]
        for j in result.jobs {
            let key = j.config.engine.flags.contains(.network) ? RunCommand.networkKey : j.config.filenames.first
            guard let target = key, let b = baselines[target] else { continue }
            let bytes = j.stats.dirs.reduce(0) { $0 + $1.bytes }
            // Over whole milliseconds, as the report's bw_bytes (fio's formula).
            let ms = j.stats.runtimeNs > 0 ? j.stats.runtimeMs : 0
            let bw = ms > 0 ? Double(bytes) * 1000 / Double(ms) : 0
            ratios[j.config.name] = BaselineRatio(baselineBytesPerSec: b.bytesPerSec, kind: b.kind.rawValue, fraction: b.bytesPerSec > 0 ? bw / b.bytesPerSec : 0)
        }
        return ratios
    }

    /// One baseline per distinct job target: O_DIRECT for direct jobs, buffered otherwise.
    func measureBaselines(_ configs: [JobConfig]) throws -> [String: BaselineResult] {
        guard let baseline else { return [:] }
        var out: [String: BaselineResult] = [:]
        if baseline != "auto" {
            let text: String
            do { text = try readWholeFile(baseline) } catch let e as ValueError { throw UserError("--baseline \(baseline): \(e.message)") }
            for r in Baseline.parseSaved(text) where r.kind != .cached { out[r.kind == .network ? RunCommand.networkKey : r.target] = r }
            if out.isEmpty { throw UserError("--baseline \(baseline): no disk or network baselines in that file (make one with `swio baseline --output-format=json`)") }
            return out
        }
        for c in configs {
            if c.engine.flags.contains(.network) {
                guard out[RunCommand.networkKey] == nil else { continue }
                writeStderr("swio: measuring the network baseline (one TCP stream over loopback) ...")
                out[RunCommand.networkKey] = try measureNetworkBaseline(target: nil)
                continue
            }
            guard let t = c.filenames.first, out[t] == nil else { continue }
            let direct = c.direct || c.engine.flags.contains(.directOnly)
            writeStderr("swio: measuring the \(direct ? "O_DIRECT" : "buffered") baseline of \(t) ...")
            let r = try Baseline.diskReads(t, direct: direct)
            if let w = r.warning { writeStderr("swio: warning: \(w)") }
            out[t] = r
        }
        return out
    }
}
