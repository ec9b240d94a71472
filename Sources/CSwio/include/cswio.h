// C shim for what Swift cannot import from Glibc: GNU-only flags, ioctl numbers, signals,
// and thin wrappers so Swift never sees a macro. Engine libraries (liburing, libaio) have
// their own shims, in their engines' folders.
#ifndef CSWIO_H
#define CSWIO_H

#include <sys/types.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>
#include <sys/uio.h>

extern const int cswio_O_DIRECT;
extern const int cswio_RWF_HIPRI;
extern const int cswio_RWF_NOWAIT;
extern const int cswio_FALLOC_FL_PUNCH_HOLE;
extern const int cswio_FALLOC_FL_KEEP_SIZE;
extern const int cswio_RUSAGE_THREAD;

/// Monotonic clock in nanoseconds (vDSO, no syscall).
static inline uint64_t cswio_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int cswio_open(const char *path, int flags, int mode);
ssize_t cswio_preadv2(int fd, const struct iovec *iov, int cnt, off_t off, int flags);
ssize_t cswio_pwritev2(int fd, const struct iovec *iov, int cnt, off_t off, int flags);
int cswio_blk_size64(int fd, uint64_t *out);
int cswio_blk_ssz(int fd, int *out);
int cswio_blk_flsbuf(int fd);
int cswio_blk_discard(int fd, uint64_t off, uint64_t len);
int cswio_fallocate(int fd, int mode, off_t off, off_t len);
int cswio_is_blockdev(int fd);
int cswio_thread_rusage(long *utime_us, long *stime_us, long *nvcsw, long *nivcsw, long *majflt, long *minflt);
int cswio_gettid(void);

// Set by the SIGINT/SIGTERM handler; the I/O loop polls it (one load per iteration).
extern volatile int cswio_stop_flag;
static inline int cswio_should_stop(void) { return cswio_stop_flag; }
static inline void cswio_request_stop(void) { cswio_stop_flag = 1; }
/// A job's flag word: bit 0 asks it to stop (exitall of its group), bit 1 to publish its
/// statistics (a status report). The I/O loop reads the word and the run's stop flag in one
/// check: cswio_job_flags() != 0 sends it to its slow path.
enum { CSWIO_JOB_STOP = 1, CSWIO_JOB_SNAPSHOT = 2 };
static inline int cswio_job_flags(const volatile int *job_flag) { return cswio_stop_flag | *job_flag; }
/// A job's own stop or the run's.
static inline int cswio_job_should_stop(const volatile int *job_flag) { return (cswio_stop_flag | *job_flag) & CSWIO_JOB_STOP; }
void cswio_flag_or(volatile int *flag, int bits);
void cswio_flag_clear(volatile int *flag, int bits);
static inline void cswio_set_flag(volatile int *flag) { cswio_flag_or(flag, CSWIO_JOB_STOP); }
static inline int cswio_job_snapshot_wanted(const volatile int *job_flag) { return *job_flag & CSWIO_JOB_SNAPSHOT; }
/// Whether a signal stopped the run (exitall and exitall_on_error stop it without one).
int cswio_was_interrupted(void);
/// The first stop signal received (SIGINT, SIGTERM, SIGQUIT, SIGHUP), or 0.
int cswio_stop_signal(void);
/// How many status requests (SIGUSR1) have arrived so far.
int cswio_status_requests(void);
/// "EIO" for 5 (glibc strerrorname_np), or NULL.
const char *cswio_errno_name(int e);
/// ioprio_set/ioprio_get for the calling thread (IOPRIO_WHO_PROCESS, 0): class 1-3, data 0-7.
int cswio_ioprio_set(int ioclass, int data);
int cswio_ioprio_get(void);
/// Adds `inc` to the calling thread's nice value (Linux keeps it per thread); errno on failure.
int cswio_set_thread_nice(int inc);
void cswio_install_signal_handlers(void);
int cswio_set_affinity(const int *cpus, int n);
/// Gives the calling thread its own copy of the fd table (unshare(CLONE_FILES)).
int cswio_unshare_files(void);
/// set_mempolicy(2) for the calling thread: mode (MPOL_*), a node mask of maxnode bits; 0 or -errno.
int cswio_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode);
/// uid=/gid=: the calling thread's real, effective and saved ids (that thread only); 0 or -errno.
int cswio_thread_set_gid(unsigned int gid);
int cswio_thread_set_uid(unsigned int uid);
/// Runs the rest of the program in a forked child that starts its own session (setsid), as fio
/// runs its jobs. The parent stays in the caller's session, forwards SIGINT, SIGTERM, SIGHUP,
/// SIGQUIT and SIGUSR1 to the child, and exits with the child's status: only the child returns
/// (0); it is killed if the parent dies. Returns
/// -EBUSY without forking when the process already has other threads, or -errno if fork fails.
int cswio_continue_in_own_session(void);
void *cswio_aligned_alloc(size_t alignment, size_t size);
/// The filesystem type (statfs f_type: 0x9fa0 procfs, ...) of the one `path` is on, or -errno.
long cswio_fs_type(const char *path);
/// mkostemp(template, O_CLOEXEC): a new file created exclusively (O_EXCL, never through a
/// symlink) with a unique name; the XXXXXX are filled in.
int cswio_mkstemp(char *template_path);
int cswio_isatty(int fd);
/// Touches one byte per 512-byte sector (hdparm's read_big_block check), compiled optimised.
void cswio_touch_sectors(unsigned char *buf, size_t len);

#endif
