/* A test plugin that breaks its contract in the way its `mode` option names (the test suite
 * builds it with cc): swio must report each as the job's error, in a valid report. */
#include "swio_plugin.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bad {
    char mode[32];
    struct swio_io *queued[256];
    unsigned nqueued;
    struct swio_io *done[256];
    unsigned ndone;
};

static int bad_init(const struct swio_job *job, void **instance, char *error, size_t error_size) {
    struct bad *b = calloc(1, sizeof(*b));
    for (size_t i = 0; i < job->option_count; i++)
        if (strcmp(job->option_names[i], "mode") == 0) snprintf(b->mode, sizeof(b->mode), "%s", job->option_values[i]);
    if (strcmp(b->mode, "init") == 0) {
        snprintf(error, error_size, "the device is on fire");
        free(b);
        return -ENODEV;
    }
    *instance = b;
    return 0;
}

static int bad_open(void *instance, const char *path, int flags, unsigned mode) {
    struct bad *b = instance;
    (void)path; (void)flags; (void)mode;
    if (strcmp(b->mode, "open") == 0) return -EACCES;
    return 1000;   /* a pretend fd: the I/O never reaches the kernel */
}

static int bad_close(void *instance, int fd) { (void)instance; (void)fd; return 0; }

static int bad_queue(void *instance, struct swio_io *io) {
    struct bad *b = instance;
    if (strcmp(b->mode, "queue-garbage") == 0) return 7;
    if (strcmp(b->mode, "queue-eio") == 0) { io->result = -EIO; return SWIO_Q_COMPLETED; }
    if (strcmp(b->mode, "result") == 0) { io->result = (int64_t)io->length + 4096; return SWIO_Q_COMPLETED; }
    if (b->nqueued >= 256) return SWIO_Q_BUSY;
    io->result = (int64_t)io->length;
    b->queued[b->nqueued++] = io;
    return SWIO_Q_QUEUED;
}

static int bad_commit(void *instance) {
    struct bad *b = instance;
    if (strcmp(b->mode, "commit") == 0) return -EIO;
    int n = (int)b->nqueued;
    for (unsigned i = 0; i < b->nqueued; i++) b->done[b->ndone++] = b->queued[i];
    b->nqueued = 0;
    return n;
}

static int bad_getevents(void *instance, unsigned min, unsigned max) {
    struct bad *b = instance;
    (void)min;
    if (strcmp(b->mode, "getevents") == 0) return -EIO;
    if (strcmp(b->mode, "count") == 0) return (int)max + 5;
    unsigned n = b->ndone < max ? b->ndone : max;
    b->ndone -= n;
    /* done[] is used as a stack; event(i) reads the top n. */
    return (int)n;
}

static struct swio_io *bad_event(void *instance, unsigned i) {
    struct bad *b = instance;
    static struct swio_io stray;
    if (strcmp(b->mode, "event") == 0) return &stray;
    return b->done[b->ndone + i];
}

static void bad_cleanup(void *instance) { free(instance); }

static const struct swio_plugin_option bad_options[] = {
    { "mode", SWIO_OPT_STRING, "none", 1, 0, "How to misbehave" },
};

static const struct swio_plugin bad_plugin = {
    .abi_version = SWIO_PLUGIN_ABI_VERSION,
    .flags = 0,
    .name = "misbehaving",
    .summary = "breaks the plugin contract on purpose",
    .option_count = 1,
    .options = bad_options,
    .init = bad_init,
    .open_file = bad_open,
    .close_file = bad_close,
    .queue = bad_queue,
    .commit = bad_commit,
    .getevents = bad_getevents,
    .event = bad_event,
    .cleanup = bad_cleanup,
};

const struct swio_plugin *swio_plugin_entry(void) { return &bad_plugin; }
