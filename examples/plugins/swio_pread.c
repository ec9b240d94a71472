/*
 * swio_pread: an example swio engine plugin, synchronous pread/pwrite with one option of its
 * own. Build and run it:
 *
 *     cc -shared -fPIC -O2 -I plugins/include -o libswio_pread.so examples/plugins/swio_pread.c
 *     swio engines --plugin ./libswio_pread.so
 *     swio --name=t --ioengine=external:./libswio_pread.so --rw=randread --size=64m --filename=/tmp/f
 *     swio --name=t --ioengine=external:./libswio_pread.so --dontneed=1 --rw=read --size=64m --filename=/tmp/f
 *
 * dontneed=1 drops each range from the page cache after it is read (POSIX_FADV_DONTNEED), so
 * buffered reads keep going to the device without O_DIRECT's alignment rules.
 */
#define _GNU_SOURCE
#include "swio_plugin.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pread_engine {
    int dontneed;
};

static int pread_init(const struct swio_job *job, void **instance, char *error, size_t error_size) {
    struct pread_engine *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        snprintf(error, error_size, "out of memory");
        return -ENOMEM;
    }
    /* swio passes every option the plugin declares, its default filled in. */
    for (size_t i = 0; i < job->option_count; i++) {
        if (strcmp(job->option_names[i], "dontneed") == 0) e->dontneed = strcmp(job->option_values[i], "1") == 0;
    }
    *instance = e;
    return 0;
}

static int pread_queue(void *instance, struct swio_io *io) {
    struct pread_engine *e = instance;
    ssize_t r;
    switch (io->kind) {
    case SWIO_READ:
        do r = pread(io->fd, io->buf, io->length, (off_t)io->offset); while (r < 0 && errno == EINTR);
        if (r > 0 && e->dontneed) posix_fadvise(io->fd, (off_t)io->offset, r, POSIX_FADV_DONTNEED);
        break;
    case SWIO_WRITE:
        do r = pwrite(io->fd, io->buf, io->length, (off_t)io->offset); while (r < 0 && errno == EINTR);
        break;
    case SWIO_FSYNC:
        r = fsync(io->fd);
        break;
    case SWIO_FDATASYNC:
        r = fdatasync(io->fd);
        break;
    default:   /* trim: not this engine's business */
        io->result = -EOPNOTSUPP;
        return SWIO_Q_COMPLETED;
    }
    io->result = r < 0 ? -errno : r;
    return SWIO_Q_COMPLETED;
}

static void pread_cleanup(void *instance) { free(instance); }

static const struct swio_plugin_option pread_options[] = {
    { "dontneed", SWIO_OPT_BOOL, "0", 1, 0, "Drop each range read from the page cache (POSIX_FADV_DONTNEED)" },
};

static const struct swio_plugin pread_plugin = {
    .abi_version = SWIO_PLUGIN_ABI_VERSION,
    .flags = SWIO_PLUGIN_SYNC,
    .name = "pread",
    .summary = "pread/pwrite, optionally dropping what it read from the page cache",
    .option_count = sizeof(pread_options) / sizeof(pread_options[0]),
    .options = pread_options,
    .init = pread_init,
    .queue = pread_queue,
    .cleanup = pread_cleanup,
};

const struct swio_plugin *swio_plugin_entry(void) { return &pread_plugin; }
