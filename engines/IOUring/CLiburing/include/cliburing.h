// liburing for the io_uring engine: everything the engine calls goes through these, so flags
// and structure layouts stay on the C side.
#ifndef CLIBURING_H
#define CLIBURING_H

// <sys/types.h> must come before <liburing.h>, or clean debug builds fail on fd_set
// (swiftlang/swift#69311).
#include <sys/types.h>
#include <stdint.h>
#include <sys/uio.h>
#include <liburing.h>

// Macros over enum bits, which Swift cannot import.
extern const unsigned int cswio_IOSQE_FIXED_FILE;
extern const unsigned int cswio_IOSQE_ASYNC;

int cswio_uring_init(struct io_uring *ring, unsigned entries, unsigned flags, int sq_cpu, unsigned idle_ms);
int cswio_uring_probe_op(struct io_uring *ring, int op);
/// Runs one NOP through the ring's io-wq (IOSQE_ASYNC) and reaps it: 0 or -errno.
int cswio_uring_nop_async(struct io_uring *ring);
void cswio_uring_prep_rw(struct io_uring_sqe *sqe, int write, int fd, void *buf, unsigned len,
                         uint64_t off, int fixed_buf_index, int vectored, struct iovec *iov);
void cswio_uring_prep_fsync(struct io_uring_sqe *sqe, int fd, int datasync);
int cswio_uring_peek_batch(struct io_uring *ring, struct io_uring_cqe **cqes, unsigned count);
/// Takes back the SQEs a failed submit left in the ring, so no later enter issues them.
/// Not for SQPOLL rings, whose kernel thread reads the ring on its own.
void cswio_uring_unqueue(struct io_uring *ring);
// Sockets on a ring (the neturing engine): a send (SEND_ZC with zerocopy) or a receive of one
// connection's data, tagged with `data`.
void cswio_uring_prep_socket(struct io_uring_sqe *sqe, int send, int fd, void *buf, unsigned len, int zerocopy, uint64_t data);
/// Whether the kernel's ring takes IORING_OP_SEND_ZC.
int cswio_uring_has_send_zc(struct io_uring *ring);
extern const unsigned int cswio_CQE_F_MORE;
extern const unsigned int cswio_CQE_F_NOTIF;
/// A zero-copy notification's res has this bit when the kernel copied the data after all.
extern const unsigned int cswio_NOTIF_ZC_COPIED;
/// Submits and waits for at least one completion for up to timeout_ms: 0, -ETIME, or -errno.
int cswio_uring_submit_wait_ms(struct io_uring *ring, int timeout_ms);
#endif
