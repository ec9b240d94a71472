#define _GNU_SOURCE
#include "cliburing.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

const unsigned int cswio_IOSQE_FIXED_FILE = IOSQE_FIXED_FILE;
const unsigned int cswio_IOSQE_ASYNC = IOSQE_ASYNC;

int cswio_uring_init(struct io_uring *ring, unsigned entries, unsigned flags, int sq_cpu, unsigned idle_ms) {
    struct io_uring_params p;
    memset(&p, 0, sizeof(p));
    p.flags = flags;
    if (flags & IORING_SETUP_SQPOLL) {
        p.sq_thread_idle = idle_ms;
        if (sq_cpu >= 0) { p.flags |= IORING_SETUP_SQ_AFF; p.sq_thread_cpu = (unsigned)sq_cpu; }
    }
    // The CQ gets the kernel's default, twice the SQ: the loop never has more than iodepth
    // in flight, so it cannot overflow (and kernels before 5.5 reject IORING_SETUP_CQSIZE).
    int r = io_uring_queue_init_params(entries, ring, &p);
    // A registered ring fd lets each io_uring_enter skip the fd table lookup (and, when job
    // threads share the fd table, its refcount atomics). Older kernels say EINVAL: fine.
    if (r == 0) (void)io_uring_register_ring_fd(ring);
    return r;
}

int cswio_uring_nop_async(struct io_uring *ring) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    if (!sqe) return -EBUSY;
    io_uring_prep_nop(sqe);
    sqe->flags |= IOSQE_ASYNC;
    sqe->user_data = 0;
    // Until its completion is reaped here, the NOP must not reach the engine's reaping, which
    // takes user_data for an I/O unit: retry what a signal or a full CQ interrupts.
    struct io_uring_cqe *cqe = NULL;
    for (int tries = 0; tries < 1000; tries++) {
        int r = io_uring_submit_and_wait(ring, 1);
        if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) return r;
        if (io_uring_peek_cqe(ring, &cqe) == 0 && cqe) {
            io_uring_cqe_seen(ring, cqe);
            return 0;
        }
    }
    return -ETIME;
}

int cswio_uring_probe_op(struct io_uring *ring, int op) {
    struct io_uring_probe *probe = io_uring_get_probe_ring(ring);
    if (!probe) return 0;
    int ok = io_uring_opcode_supported(probe, op);
    io_uring_free_probe(probe);
    return ok;
}

void cswio_uring_prep_rw(struct io_uring_sqe *sqe, int write, int fd, void *buf, unsigned len,
                         uint64_t off, int fixed_buf_index, int vectored, struct iovec *iov) {
    if (fixed_buf_index >= 0) {
        if (write) io_uring_prep_write_fixed(sqe, fd, buf, len, off, fixed_buf_index);
        else io_uring_prep_read_fixed(sqe, fd, buf, len, off, fixed_buf_index);
    } else if (vectored) {
        iov->iov_base = buf; iov->iov_len = len;
        if (write) io_uring_prep_writev(sqe, fd, iov, 1, off);
        else io_uring_prep_readv(sqe, fd, iov, 1, off);
    } else {
        if (write) io_uring_prep_write(sqe, fd, buf, len, off);
        else io_uring_prep_read(sqe, fd, buf, len, off);
    }
}

void cswio_uring_prep_fsync(struct io_uring_sqe *sqe, int fd, int datasync) {
    io_uring_prep_fsync(sqe, fd, datasync ? IORING_FSYNC_DATASYNC : 0);
}

int cswio_uring_peek_batch(struct io_uring *ring, struct io_uring_cqe **cqes, unsigned count) {
    return (int)io_uring_peek_batch_cqe(ring, cqes, count);
}

void cswio_uring_unqueue(struct io_uring *ring) {
    unsigned head = io_uring_smp_load_acquire(ring->sq.khead);
    io_uring_smp_store_release(ring->sq.ktail, head);
    ring->sq.sqe_head = ring->sq.sqe_tail = head;
}


const unsigned int cswio_CQE_F_MORE = IORING_CQE_F_MORE;
const unsigned int cswio_CQE_F_NOTIF = IORING_CQE_F_NOTIF;
const unsigned int cswio_NOTIF_ZC_COPIED = 1U << 31;   /* IORING_NOTIF_USAGE_ZC_COPIED (kernel 6.2) */

void cswio_uring_prep_socket(struct io_uring_sqe *sqe, int send, int fd, void *buf, unsigned len, int zerocopy, uint64_t data) {
    if (send && zerocopy) {
        io_uring_prep_send_zc(sqe, fd, buf, len, MSG_NOSIGNAL, 0);
        sqe->ioprio |= 1U << 3;   /* IORING_SEND_ZC_REPORT_USAGE: the notification says if it copied */
    }
    else if (send) io_uring_prep_send(sqe, fd, buf, len, MSG_NOSIGNAL);
    else io_uring_prep_recv(sqe, fd, buf, len, 0);
    io_uring_sqe_set_data64(sqe, data);
}

int cswio_uring_has_send_zc(struct io_uring *ring) { return cswio_uring_probe_op(ring, IORING_OP_SEND_ZC); }

int cswio_uring_submit_wait_ms(struct io_uring *ring, int timeout_ms) {
    struct __kernel_timespec ts = { .tv_sec = timeout_ms / 1000, .tv_nsec = (long long)(timeout_ms % 1000) * 1000000 };
    struct io_uring_cqe *cqe = NULL;
    int r = io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);
    return r < 0 ? r : 0;
}
