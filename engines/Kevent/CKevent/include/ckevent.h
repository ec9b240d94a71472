// eventfd and epoll (not in Swift's Glibc module): the kevent engine's ready-queue.
#ifndef CKEVENT_H
#define CKEVENT_H
/// A non-blocking, close-on-exec eventfd.
int cswio_eventfd(unsigned int initval);
int cswio_epoll_create(void);
int cswio_epoll_add_readable(int epfd, int fd);
/// Waits up to timeout_ms for one readable fd; returns 1, 0 on timeout, or -errno.
int cswio_epoll_wait_one(int epfd, int timeout_ms);
#endif
