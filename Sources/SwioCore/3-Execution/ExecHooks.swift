// exec_prerun / exec_postrun: a shell command run before the job's I/O and after it, its output
// in JOBNAME.prerun.txt / JOBNAME.postrun.txt in the working directory, as fio saves it.

#if canImport(Glibc)
import Glibc
#endif

extension JobExecution {
    /// Runs exec_prerun. A command that cannot run or exits non-zero stops the job with that
    /// said (fio 3.33 skips the job and reports no error).
    public func runPrerun() throws {
        guard let command = config.execPrerun else { return }
        let (status, output) = Self.runHook(command, job: config.name, phase: "prerun")
        guard status == 0 else {
            throw EngineError(errno: ECANCELED, "exec_prerun '\(command)' \(Self.describe(status)) (its output is in \(output)); the job did not run")
        }
    }

    /// Runs exec_postrun; its exit status is noted on stderr only, as the job has run.
    public func runPostrun() {
        guard let command = config.execPostrun else { return }
        let (status, output) = Self.runHook(command, job: config.name, phase: "postrun")
        if status != 0 { Console.writeLine("\(config.name): exec_postrun '\(command)' \(Self.describe(status)) (its output is in \(output))", fd: 2) }
    }

    /// sh -c "(COMMAND) > JOB.PHASE.txt 2>&1": the wait status (-1: it could not run) and the
    /// file. The group catches every command's output (fio's redirection takes the last one's).
    static func runHook(_ command: String, job: String, phase: String) -> (status: Int32, output: String) {
        let output = "\(job).\(phase).txt"
        Console.writeLine("\(job) : Saving output of \(phase) in \(output)", fd: 2)
        let quoted = "'" + output.map { $0 == "'" ? "'\\''" : String($0) }.joined() + "'"
        return (system("(\(command)\n) > \(quoted) 2>&1"), output)
    }

    static func describe(_ status: Int32) -> String {
        if status == -1 { return "could not be run: \(Syscall.errorString(errno))" }
        let code = (status >> 8) & 0xff, signal = status & 0x7f
        return signal != 0 ? "was killed by signal \(signal)" : code == 127 ? "was not found by the shell (exit status 127)" : "exited with status \(code)"
    }
}
