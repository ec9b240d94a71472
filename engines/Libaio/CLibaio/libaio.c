#include "clibaio.h"
#include <errno.h>

void cswio_aio_prep(struct iocb *cb, int write, int fd, void *buf, size_t len, long long off, int efd, int rw_flags) {
    if (write) io_prep_pwrite(cb, fd, buf, len, off);
    else io_prep_pread(cb, fd, buf, len, off);
    cb->aio_rw_flags = rw_flags;
    if (efd >= 0) io_set_eventfd(cb, efd);
}

void cswio_aio_set_prio(struct iocb *cb, unsigned short prio) {
    cb->aio_reqprio = (short)prio;
    cb->u.c.flags |= (1 << 1);   /* IOCB_FLAG_IOPRIO */
}

// The kernel's AIO completion ring, mapped at the io_context_t address.
// Reading it directly is what fio's userspace_reap does.
struct cswio_aio_ring {
    unsigned id, nr, head, tail, magic, compat_features, incompat_features, header_length;
    struct io_event events[0];
};
#define CSWIO_AIO_RING_MAGIC 0xa10a10a1

int cswio_aio_user_reap(io_context_t ctx, struct io_event *events, int max) {
    struct cswio_aio_ring *ring = (struct cswio_aio_ring *)ctx;
    if (ring == NULL || ring->magic != CSWIO_AIO_RING_MAGIC) return -ENOSYS;
    int n = 0;
    unsigned head = ring->head;
    while (n < max) {
        unsigned tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
        if (head == tail) break;
        events[n++] = ring->events[head];
        head = (head + 1) % ring->nr;
    }
    __atomic_store_n(&ring->head, head, __ATOMIC_RELEASE);
    return n;
}

