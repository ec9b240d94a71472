/*
 * swio_plugin.h: the C interface of swio's run-time engine plugins (ABI version 1).
 *
 * An engine plugin is a shared object that exports one function,
 *
 *     const struct swio_plugin *swio_plugin_entry(void);
 *
 * returning a description of the engine that stays valid while the library is loaded. A job
 * uses it with ioengine=external:/path/to/lib.so (or ioengine=/path/to/lib.so, as in fio);
 * `swio engines --plugin /path/to/lib.so` lists it. swio checks abi_version first and refuses a
 * plugin built against another version of this header.
 *
 * The model is fio's struct ioengine_ops: an engine opens and closes the job's files, queues
 * I/Os (done now, queued, or busy), commits what it queued, and reaps completions
 * (getevents/event). swio owns the I/O units and their buffers; the plugin owns whatever it
 * keeps behind `instance`. Every call comes from the job's one thread. Return values are
 * checked: a count out of range, an unknown I/O, or a negative errno fails the job with that
 * error, in a valid report; it never crashes swio.
 */
#ifndef SWIO_PLUGIN_H
#define SWIO_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define SWIO_PLUGIN_ABI_VERSION 1

/* What an I/O asks for. */
enum swio_io_kind { SWIO_READ = 0, SWIO_WRITE = 1, SWIO_TRIM = 2, SWIO_FSYNC = 3, SWIO_FDATASYNC = 4 };

/* One I/O unit, owned by swio. The plugin fills in `result` (bytes done, or -errno). */
struct swio_io {
    uint32_t index;        /* stable for the job: 0 .. iodepth-1 */
    uint32_t kind;         /* enum swio_io_kind */
    int32_t fd;            /* the file, as open_file returned it */
    uint32_t reserved;
    void *buf;             /* aligned to at least 4096 bytes */
    uint64_t length;
    uint64_t offset;
    int64_t result;
    uint64_t engine_data;  /* the plugin's own, untouched by swio */
};

/* queue()'s answers, as fio's FIO_Q_*. */
enum swio_queue_result { SWIO_Q_COMPLETED = 0, SWIO_Q_QUEUED = 1, SWIO_Q_BUSY = 2 };

/* Capability flags (the same meaning as `swio engines` shows). */
#define SWIO_PLUGIN_SYNC       (1u << 0)  /* queue() always completes (no commit/getevents) */
#define SWIO_PLUGIN_DISKLESS   (1u << 1)  /* touches no files: open_file is never called */
#define SWIO_PLUGIN_DIRECT     (1u << 4)  /* always opens with O_DIRECT */

/* The plugin's own job options, parsed and checked by swio like built-in ones. */
enum swio_option_type { SWIO_OPT_INT = 0, SWIO_OPT_BOOL = 1, SWIO_OPT_STRING = 2, SWIO_OPT_SIZE = 3 };
struct swio_plugin_option {
    const char *name;
    uint32_t type;              /* enum swio_option_type */
    const char *default_value;  /* NULL: none */
    int64_t min, max;           /* SWIO_OPT_INT and SWIO_OPT_SIZE; min > max means unbounded */
    const char *help;
};

/* What init() learns of the job. Option values are the job's, in canonical form (an INT or
 * SIZE as decimal, a BOOL as "0"/"1"), the plugin's defaults filled in. */
struct swio_job {
    const char *name;
    uint32_t iodepth;
    uint32_t reserved;
    uint64_t max_block_size;
    struct swio_io *ios;        /* iodepth units; their buffers are allocated */
    size_t option_count;
    const char *const *option_names;
    const char *const *option_values;
};

struct swio_plugin {
    uint32_t abi_version;       /* SWIO_PLUGIN_ABI_VERSION */
    uint32_t flags;             /* SWIO_PLUGIN_* */
    const char *name;           /* shown by `swio engines`; the job still names the .so */
    const char *summary;
    size_t option_count;
    const struct swio_plugin_option *options;

    /* Sets up for one job. Returns 0 and sets *instance, or -errno (then `error` may hold a
     * message of up to error_size bytes, NUL-terminated). */
    int (*init)(const struct swio_job *job, void **instance, char *error, size_t error_size);
    /* Opens a file (NULL: swio opens it with open(2)). Returns the fd or -errno. */
    int (*open_file)(void *instance, const char *path, int flags, unsigned mode);
    /* Closes a file (NULL: close(2)). Returns 0 or -errno. */
    int (*close_file)(void *instance, int fd);
    /* Starts one I/O. SWIO_Q_COMPLETED with io->result set, SWIO_Q_QUEUED, or SWIO_Q_BUSY. */
    int (*queue)(void *instance, struct swio_io *io);
    /* Submits what queue() collected since the last commit. Returns how many that was (all of
     * them), or -errno when none of them is in flight. NULL for a synchronous engine. */
    int (*commit)(void *instance);
    /* Waits for at least min and at most max completions. Returns how many (min..max), or
     * -errno. */
    int (*getevents)(void *instance, unsigned min, unsigned max);
    /* The i-th completion of the last getevents (0 <= i < its return), with result set. */
    struct swio_io *(*event)(void *instance, unsigned i);
    /* Frees the instance. */
    void (*cleanup)(void *instance);
};

/* The one symbol swio looks up. */
const struct swio_plugin *swio_plugin_entry(void);

#endif
