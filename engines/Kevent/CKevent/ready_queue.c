#include "ckevent.h"
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/epoll.h>

int cswio_eventfd(unsigned int initval) { return eventfd(initval, EFD_NONBLOCK | EFD_CLOEXEC); }
int cswio_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }
int cswio_epoll_add_readable(int epfd, int fd) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}
int cswio_epoll_wait_one(int epfd, int timeout_ms) {
    struct epoll_event ev;
    int n = epoll_wait(epfd, &ev, 1, timeout_ms);
    return n < 0 ? -errno : n;
}

