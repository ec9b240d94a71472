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
#endif
