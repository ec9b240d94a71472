// libaio for the libaio engine: iocb preparation and fio's userspace_reap.
#ifndef CLIBAIO_H
#define CLIBAIO_H
#include <sys/types.h>
#include <stddef.h>
#include <libaio.h>

/// Gives the prepared iocb an I/O priority (IOCB_FLAG_IOPRIO).
void cswio_aio_set_prio(struct iocb *cb, unsigned short prio);
void cswio_aio_prep(struct iocb *cb, int write, int fd, void *buf, size_t len, long long off, int eventfd, int rw_flags);
/// Reads completions straight from the kernel's AIO ring (fio's userspace_reap): how many, or
/// -ENOSYS where the ring is not there to read.
int cswio_aio_user_reap(io_context_t ctx, struct io_event *events, int max);
#endif
