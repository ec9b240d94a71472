#define _GNU_SOURCE
#include "cswio.h"
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/fs.h>

const int cswio_O_DIRECT = O_DIRECT;
const int cswio_RWF_HIPRI = RWF_HIPRI;
const int cswio_RWF_NOWAIT = RWF_NOWAIT;
const int cswio_FALLOC_FL_PUNCH_HOLE = FALLOC_FL_PUNCH_HOLE;
const int cswio_FALLOC_FL_KEEP_SIZE = FALLOC_FL_KEEP_SIZE;
const int cswio_RUSAGE_THREAD = RUSAGE_THREAD;

int cswio_open(const char *path, int flags, int mode) { return open(path, flags, mode); }

ssize_t cswio_preadv2(int fd, const struct iovec *iov, int cnt, off_t off, int flags) {
    return preadv2(fd, iov, cnt, off, flags);
}
ssize_t cswio_pwritev2(int fd, const struct iovec *iov, int cnt, off_t off, int flags) {
    return pwritev2(fd, iov, cnt, off, flags);
}
int cswio_blk_size64(int fd, uint64_t *out) { return ioctl(fd, BLKGETSIZE64, out); }
int cswio_blk_ssz(int fd, int *out) { return ioctl(fd, BLKSSZGET, out); }
int cswio_blk_flsbuf(int fd) { return ioctl(fd, BLKFLSBUF, 0); }
int cswio_blk_discard(int fd, uint64_t off, uint64_t len) {
    uint64_t range[2] = { off, len };
    return ioctl(fd, BLKDISCARD, range);
}
int cswio_fallocate(int fd, int mode, off_t off, off_t len) { return fallocate(fd, mode, off, len); }
int cswio_is_blockdev(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -1;
    return S_ISBLK(st.st_mode) ? 1 : 0;
}
int cswio_thread_rusage(long *ut, long *st, long *nvcsw, long *nivcsw, long *majflt, long *minflt) {
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0) return -1;
    *ut = ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec;
    *st = ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec;
    *nvcsw = ru.ru_nvcsw; *nivcsw = ru.ru_nivcsw; *majflt = ru.ru_majflt; *minflt = ru.ru_minflt;
    return 0;
}
int cswio_gettid(void) { return (int)syscall(SYS_gettid); }

#include <signal.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

volatile int cswio_stop_flag = 0;
static volatile int cswio_signal_count = 0;
static volatile sig_atomic_t cswio_first_signal = 0;
static volatile int cswio_status_count = 0;

static void cswio_on_signal(int sig) {
    int saved = errno;
    if (cswio_first_signal == 0) cswio_first_signal = sig;
    // Counted before the flag is set: whoever sees the flag also sees that a signal set it.
    int n = ++cswio_signal_count;
    cswio_stop_flag = 1;
    // A third stop signal while jobs drain exits at once, as users expect.
    if (n >= 3) _exit(128 + cswio_first_signal);
    errno = saved;
}

static void cswio_on_status(int sig) {
    (void)sig;
    __atomic_add_fetch(&cswio_status_count, 1, __ATOMIC_RELAXED);
}

int cswio_stop_signal(void) { return cswio_first_signal; }
int cswio_status_requests(void) { return __atomic_load_n(&cswio_status_count, __ATOMIC_RELAXED); }
void cswio_flag_or(volatile int *flag, int bits) { __atomic_fetch_or(flag, bits, __ATOMIC_RELAXED); }
void cswio_flag_clear(volatile int *flag, int bits) { __atomic_fetch_and(flag, ~bits, __ATOMIC_RELAXED); }

int cswio_was_interrupted(void) { return cswio_signal_count > 0; }

const char *cswio_errno_name(int e) { return strerrorname_np(e); }

#include <sys/resource.h>
int cswio_ioprio_set(int ioclass, int data) { return (int)syscall(SYS_ioprio_set, 1, 0, (ioclass << 13) | data); }
int cswio_ioprio_get(void) { return (int)syscall(SYS_ioprio_get, 1, 0); }
int cswio_set_thread_nice(int inc) {
    // As nice(inc) does for the calling thread: relative to where it is, clamped to -20..19.
    id_t tid = (id_t)syscall(SYS_gettid);
    errno = 0;
    int cur = getpriority(PRIO_PROCESS, tid);
    if (cur == -1 && errno != 0) return -1;
    int v = cur + inc;
    if (v < -20) v = -20;
    if (v > 19) v = 19;
    return setpriority(PRIO_PROCESS, tid, v);
}

/// Installs `handler` for `sig`; with `keep_ignored`, not where the signal was ignored when
/// swio started (SIGHUP under nohup stays ignored).
static void cswio_handle(int sig, void (*handler)(int), int flags, int keep_ignored) {
    struct sigaction old;
    if (keep_ignored && sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN) return;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static const int cswio_stop_signals[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP };
#define CSWIO_N_STOP (int)(sizeof(cswio_stop_signals) / sizeof(cswio_stop_signals[0]))

void cswio_install_signal_handlers(void) {
    // SIGQUIT and SIGHUP too: the run stops and still reports, where the default would kill
    // it without one (and Swift's runtime would print a crash backtrace for SIGQUIT).
    // As fio, SIGINT and SIGTERM stop the run even where a script's `&` started it with them
    // ignored; a hang-up is honoured only where it was not ignored (nohup).
    for (int i = 0; i < CSWIO_N_STOP; i++) {
        int sig = cswio_stop_signals[i];
        cswio_handle(sig, cswio_on_signal, 0, sig == SIGHUP);
    }
    // SIGUSR1 asks for the current status, as in fio.
    cswio_handle(SIGUSR1, cswio_on_status, SA_RESTART, 0);
    // A reader that goes away (a FIFO target, `swio | head`) is EPIPE, the job's or the
    // report's error, rather than a silent death.
    signal(SIGPIPE, SIG_IGN);
    // A parent may have started us with these blocked (some process launchers do);
    // job threads inherit this thread's mask, so unblock them here, once.
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < CSWIO_N_STOP; i++) sigaddset(&set, cswio_stop_signals[i]);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int cswio_unshare_files(void) { return unshare(CLONE_FILES); }
int cswio_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode) {
    return syscall(SYS_set_mempolicy, mode, nodemask, maxnode) == 0 ? 0 : -errno;
}
/* The raw system calls change the calling thread only (glibc's setuid() changes them all). */
int cswio_thread_set_gid(unsigned int gid) { return syscall(SYS_setresgid, gid, gid, gid) == 0 ? 0 : -errno; }
int cswio_thread_set_uid(unsigned int uid) { return syscall(SYS_setresuid, uid, uid, uid) == 0 ? 0 : -errno; }

#include <dirent.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static volatile pid_t cswio_worker_pid = 0;
static const int cswio_forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 };
#define CSWIO_N_FORWARDED (int)(sizeof(cswio_forwarded_signals) / sizeof(cswio_forwarded_signals[0]))

static void cswio_forward_signal(int sig) {
    int saved = errno;
    if (cswio_worker_pid > 0) kill(cswio_worker_pid, sig);
    errno = saved;
}

static int cswio_thread_count(void) {
    DIR *d = opendir("/proc/self/task");
    if (d == NULL) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

int cswio_continue_in_own_session(void) {
    // fork() is only safe to continue from while this is the process's one thread.
    if (cswio_thread_count() != 1) return -EBUSY;
    sigset_t forwarded, old;
    sigemptyset(&forwarded);
    for (int i = 0; i < CSWIO_N_FORWARDED; i++) sigaddset(&forwarded, cswio_forwarded_signals[i]);
    // Held back until the parent forwards them, so a Ctrl-C right at the fork reaches the worker.
    pthread_sigmask(SIG_BLOCK, &forwarded, &old);
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return -e;
    }
    if (pid == 0) {
        setsid();
        // The worker dies with the process it belongs to: nobody waits for its report then,
        // and a report arriving after the user's command has ended would mislead.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return 0;
    }
    cswio_worker_pid = pid;
    for (int i = 0; i < CSWIO_N_FORWARDED; i++) {
        int sig = cswio_forwarded_signals[i];
        cswio_handle(sig, cswio_forward_signal, SA_RESTART, sig == SIGHUP);
    }
    // Unblocked even if our launcher started us with them blocked (Foundation's Process does).
    pthread_sigmask(SIG_UNBLOCK, &forwarded, NULL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) _exit(1);
    }
    if (WIFSIGNALED(status)) {
        // Die the way the worker did, so a shell sees the same status.
        int sig = WTERMSIG(status);
        signal(sig, SIG_DFL);
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        pthread_sigmask(SIG_UNBLOCK, &one, NULL);
        raise(sig);
        _exit(128 + sig);
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

int cswio_set_affinity(const int *cpus, int n) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int i = 0; i < n; i++) CPU_SET(cpus[i], &set);
    return sched_setaffinity(0, sizeof(set), &set);
}

void *cswio_aligned_alloc(size_t alignment, size_t size) {
    void *p = NULL;
    if (posix_memalign(&p, alignment, size) != 0) return NULL;
    return p;
}

int cswio_isatty(int fd) { return isatty(fd); }

void cswio_touch_sectors(unsigned char *buf, size_t len) {
    for (size_t i = 0; i < len; i += 512) buf[i] &= 1;
}

#include <sys/vfs.h>
long cswio_fs_type(const char *path) {
    struct statfs fs;
    if (statfs(path, &fs) != 0) return -errno;
    return (long)fs.f_type;
}
int cswio_mkstemp(char *template_path) { return mkostemp(template_path, O_CLOEXEC); }
