// The readers of untrusted input, as fuzz targets: each takes arbitrary bytes and must either
// accept them or refuse them with a located error, never trap, hang or throw anything else.
// Used by the libFuzzer binary (swio-fuzz, built by fuzz/run.sh) and by the test that replays
// fuzz/corpus.

import SwioCore
import SwioCompare
import SwioEngines
import SwioPlot

public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A job file, through the parser and into each job's configuration.
    case jobfile
    /// fio-style command-line options, one per line ("--key=value" or "--key").
    case cmdline
    /// A saved `swio baseline --output-format=json` report (`swio run --baseline FILE`).
    case baseline
    /// A run report as `swio compare` reads it (swio's or fio's JSON, with text around it), and
    /// as `swio plot` draws it.
    case report

    /// Feeds `data` to the reader. Returns a description of a contract breach (an error that
    /// is not the reader's own located kind), or nil; a trap crashes, as it should under a
    /// fuzzer.
    public func run(_ data: [UInt8]) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        switch self {
        case .jobfile:
            var p = JobFileParser(options: ParseOptions(ignoreUnsupported: data.count % 2 == 0, environment: ["RT": "1", "SIZE": "4k"], engines: EngineRegistry.catalog))
            return FuzzTarget.configure { try p.parse(text: text, file: "fuzz.fio") }
        case .cmdline:
            var options: [(key: String, value: String?)] = []
            for line in text.split(separator: "\n") where line.hasPrefix("--") {
                let body = line.dropFirst(2)
                if let eq = body.firstIndex(of: "=") {
                    options.append((String(body[..<eq]), String(body[body.index(after: eq)...])))
                } else {
                    options.append((String(body), nil))
                }
            }
            var p = JobFileParser(options: ParseOptions(environment: [:], engines: EngineRegistry.catalog))
            return FuzzTarget.configure { try p.parse(files: [], commandLine: options) }
        case .baseline:
            // Its figures become ratios in a JSON report: they must be finite.
            for r in Baseline.parseSaved(text) where !r.seconds.isFinite || r.seconds < 0 || !r.bytesPerSec.isFinite {
                return "a saved baseline parsed to \(r)"
            }
            return nil
        case .report:
            do {
                for r in try ReportReader.reports(in: text, source: "fuzz.json") {
                    for j in r.jobs { for (k, v) in j.values where !v.isFinite && !v.isNaN { return "\(k) = \(v) from a report" } }
                }
            } catch is CompareInputError {}
            catch { return "unexpected error type \(type(of: error)): \(error)" }
            do {
                _ = PlotReport(try PlotInput.reports(in: text, source: "fuzz.json")).html()
            } catch is PlotInputError {}
            catch { return "unexpected error type \(type(of: error)): \(error)" }
            return nil
        }
    }

    /// Parses, then builds every job's configuration and its command line: only JobFileError
    /// may come out.
    static func configure(_ parse: () throws -> ParseResult) -> String? {
        do {
            let r = try parse()
            for j in r.jobs {
                do { _ = try JobConfig(j) } catch is JobFileError {}
            }
            _ = r.commandLine()
            _ = r.reportedGlobalOptions
            return nil
        } catch is JobFileError {
            return nil
        } catch {
            return "unexpected error type \(type(of: error)): \(error)"
        }
    }
}
