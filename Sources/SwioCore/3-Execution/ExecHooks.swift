// exec_prerun / exec_postrun: a shell command run before the job's I/O and after it, its output
// in JOBNAME.prerun.txt / JOBNAME.postrun.txt in the working directory, as fio saves it. The
// shell runs in its own process group, so a stop request (Ctrl-C) ends it with the job.

import CSwio
#if canImport(Glibc)
import Glibc
#endif

extension JobExecution {
    /// Runs exec_prerun. A command that cannot run or exits non-zero stops the job with that
    /// said (fio 3.33 skips the job and reports no error).
    public func runPrerun() throws {
        guard let command = config.execPrerun else { return }
        let (status, output) = runHook(command, phase: "prerun")
        if shouldStop { throw JobStopped() }
        guard status == 0 else {
            throw EngineError(errno: ECANCELED, "exec_prerun '\(command)' \(Self.describe(status)) (its output is in \(output)); the job did not run")
        }
    }

    /// Runs exec_postrun; its exit status is noted on stderr only, as the job has run.
    public func runPostrun() {
        guard let command = config.execPostrun else { return }
        let (status, output) = runHook(command, phase: "postrun")
        if status != 0 { Console.writeLine("\(config.name): exec_postrun '\(command)' \(Self.describe(status)) (its output is in \(output))", fd: 2) }
    }

    /// sh -c "(COMMAND) > JOB.PHASE.txt 2>&1": the wait status (-1: it could not run) and the
    /// file. The group catches every command's output (fio's redirection takes the last one's).
    func runHook(_ command: String, phase: String) -> (status: Int32, output: String) {
        let output = "\(config.name).\(phase).txt"
        Console.writeLine("\(config.name) : Saving output of \(phase) in \(output)", fd: 2)
        let quoted = "'" + output.map { $0 == "'" ? "'\\''" : String($0) }.joined() + "'"
        return (Self.spawnShell("(\(command)\n) > \(quoted) 2>&1", stopFlag: stopFlag), output)
    }

    /// Runs the script with /bin/sh in a process group of its own, with default signal
    /// handling; a stop request sends the group SIGTERM (SIGKILL 2 s later). Returns the
    /// wait status, or -1 with errno set when it could not run.
    static func spawnShell(_ script: String, stopFlag: UnsafeMutablePointer<Int32>) -> Int32 {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGPIPE, SIGUSR1] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let args = ["/bin/sh", "-c", script].map { $0.withCString { strdup($0) } }
        defer { args.forEach { free($0) } }
        var argv = args + [nil]
        var pid = pid_t()
        let rc = posix_spawn(&pid, "/bin/sh", nil, &attr, &argv, environ)
        guard rc == 0 else { errno = rc; return -1 }
        var status: Int32 = 0
        var killedAt: UInt64 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { return status }
            if r < 0 && errno != EINTR { return -1 }
            if cswio_job_should_stop(stopFlag) != 0 {
                let now = cswio_now_ns()
                if killedAt == 0 { kill(-pid, SIGTERM); killedAt = now } else if now - killedAt > 2_000_000_000 { kill(-pid, SIGKILL) }
            }
            usleep(10_000)
        }
    }

    static func describe(_ status: Int32) -> String {
        if status == -1 { return "could not be run: \(Syscall.errorString(errno))" }
        let code = (status >> 8) & 0xff, signal = status & 0x7f
        return signal != 0 ? "was killed by signal \(signal)" : code == 127 ? "was not found by the shell (exit status 127)" : "exited with status \(code)"
    }
}
