#define _GNU_SOURCE
#include "cnet.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int family_of(int proto) {
    switch (proto) {
    case CNET_TCPV6: case CNET_UDPV6: return AF_INET6;
    case CNET_UNIX: return AF_UNIX;
    default: return AF_INET;
    }
}
static int is_udp(int proto) { return proto == CNET_UDP || proto == CNET_UDPV6; }

static int fail(int e, char *error, size_t len, const char *what, const char *host, int port) {
    if (error && len) snprintf(error, len, "%s %s%s%d: %s", what, host ? host : "", host ? ":" : "port ", port, strerror(e));
    return -e;
}

static void apply_options(int fd, int proto, const struct cnet_options *o) {
    if (!o) return;
    if (o->window_size > 0) {
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &o->window_size, sizeof(int));
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &o->window_size, sizeof(int));
    }
    if (!is_udp(proto) && proto != CNET_UNIX) {
        if (o->nodelay) { int one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); }
        if (o->mss > 0) setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &o->mss, sizeof(int));
        // A receiver waiting for whole messages is woken once per message instead of once per
        // arriving segment; the end of the stream still wakes it.
        if (o->receive_low_water > 0) setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &o->receive_low_water, sizeof(int));
    }
}

/// Resolves host:port for the protocol's family; 0 or -errno (EHOSTUNREACH-like for names).
static int resolve(const char *host, int port, int proto, struct sockaddr_storage *out, socklen_t *len, char *error, size_t elen) {
    memset(out, 0, sizeof(*out));
    if (proto == CNET_UNIX) {
        struct sockaddr_un *u = (struct sockaddr_un *)out;
        if (!host || strlen(host) >= sizeof(u->sun_path)) return fail(ENAMETOOLONG, error, elen, "unix socket path", host, 0);
        u->sun_family = AF_UNIX;
        strcpy(u->sun_path, host);
        *len = sizeof(*u);
        return 0;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family_of(proto);
    hints.ai_socktype = is_udp(proto) ? SOCK_DGRAM : SOCK_STREAM;
    if (!host || !*host) hints.ai_flags = AI_PASSIVE;
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    int r = getaddrinfo(host && *host ? host : NULL, portstr, &hints, &res);
    if (r != 0 || !res) {
        if (error && elen) snprintf(error, elen, "cannot resolve %s: %s", host ? host : "", gai_strerror(r));
        return r == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
    }
    memcpy(out, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/// A UDP receiver wakes every 100 ms, so it can notice a stop request or a silent sender.
static void set_receive_timeout(int fd) {
    struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static int is_multicast(const struct sockaddr_storage *a) {
    if (a->ss_family != AF_INET) return 0;
    return IN_MULTICAST(ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr));
}

int cnet_listen(const char *host, int port, int proto, const struct cnet_options *o, char *error, size_t error_len) {
    struct sockaddr_storage addr;
    socklen_t len;
    // A listener binds to any address unless it names one (a unix path, a multicast group).
    int r = resolve(proto == CNET_UNIX ? host : (host && *host ? host : NULL), port, proto, &addr, &len, error, error_len);
    if (r < 0) return r;
    int multicast = is_udp(proto) && is_multicast(&addr);
    int fd = socket(addr.ss_family, (is_udp(proto) ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail(errno, error, error_len, "socket for", host, port);
    int one = 1;
    if (proto != CNET_UNIX) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (proto == CNET_UNIX) unlink(host);
    apply_options(fd, proto, o);
    if (multicast) {
        // Bind the group's port on any address, then join the group on the interface given.
        struct sockaddr_in any;
        memset(&any, 0, sizeof(any));
        any.sin_family = AF_INET;
        any.sin_port = htons((uint16_t)port);
        any.sin_addr.s_addr = htonl(INADDR_ANY);
        if (bind(fd, (struct sockaddr *)&any, sizeof(any)) != 0) { int e = errno; close(fd); return fail(e, error, error_len, "bind", host, port); }
        struct ip_mreq m;
        m.imr_multiaddr = ((struct sockaddr_in *)&addr)->sin_addr;
        m.imr_interface.s_addr = htonl(INADDR_ANY);
        if (o && o->interface && *o->interface && inet_pton(AF_INET, o->interface, &m.imr_interface) != 1) {
            close(fd);
            return fail(EINVAL, error, error_len, "interface address for group", host, port);
        }
        if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)) != 0) { int e = errno; close(fd); return fail(e, error, error_len, "join multicast group", host, port); }
        set_receive_timeout(fd);
        return fd;
    }
    if (bind(fd, (struct sockaddr *)&addr, len) != 0) { int e = errno; close(fd); return fail(e, error, error_len, "bind", proto == CNET_UNIX ? host : NULL, port); }
    if (!is_udp(proto) && listen(fd, 128) != 0) { int e = errno; close(fd); return fail(e, error, error_len, "listen on", NULL, port); }
    if (is_udp(proto)) set_receive_timeout(fd);
    return fd;
}

int cnet_accept(int fd, int timeout_ms, const struct cnet_options *o) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = poll(&p, 1, timeout_ms);
    if (r < 0) return -errno;
    if (r == 0) return -ETIMEDOUT;
    int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) return -errno;
    apply_options(c, CNET_TCP, o);
    return c;
}

int cnet_connect(const char *host, int port, int proto, const struct cnet_options *o, char *error, size_t error_len) {
    struct sockaddr_storage addr;
    socklen_t len;
    int r = resolve(host, port, proto, &addr, &len, error, error_len);
    if (r < 0) return r;
    int fd = socket(addr.ss_family, (is_udp(proto) ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail(errno, error, error_len, "socket for", host, port);
    apply_options(fd, proto, o);
    if (is_udp(proto) && is_multicast(&addr) && o) {
        if (o->ttl > 0) { unsigned char t = (unsigned char)o->ttl; setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &t, sizeof(t)); }
        if (o->interface && *o->interface) {
            struct in_addr ifa;
            if (inet_pton(AF_INET, o->interface, &ifa) == 1) setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof(ifa));
        }
    }
    while (connect(fd, (struct sockaddr *)&addr, len) != 0) {
        if (errno == EINTR) continue;
        int e = errno;
        close(fd);
        return fail(e, error, error_len, "connect to", proto == CNET_UNIX ? NULL : host, port);
    }
    return fd;
}

ssize_t cnet_send(int fd, const void *buf, size_t len, int more) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
        if (n < 0) {
            if (errno == EINTR) continue;
            return done > 0 ? (ssize_t)done : -errno;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

ssize_t cnet_recv(int fd, void *buf, size_t len, int whole) {
    for (;;) {
        ssize_t n = recv(fd, buf, len, whole ? MSG_WAITALL : 0);
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? -errno : n;
    }
}

long cnet_tcp_retransmits(int fd) {
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) return -1;
    return (long)ti.tcpi_total_retrans;
}

int cnet_receive_low_water(int fd) {
    int v = 0;
    socklen_t len = sizeof(v);
    return getsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &v, &len) == 0 ? v : -1;
}

int cnet_pipe(int *r, int *w) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return -errno;
    *r = p[0]; *w = p[1];
    return 0;
}

ssize_t cnet_splice_send(int fd, int pipe_r, int pipe_w, const void *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        struct iovec iov = { .iov_base = (char *)buf + done, .iov_len = len - done };
        ssize_t in = vmsplice(pipe_w, &iov, 1, 0);
        if (in < 0) { if (errno == EINTR) continue; return done ? (ssize_t)done : -errno; }
        ssize_t moved = 0;
        while (moved < in) {
            ssize_t out = splice(pipe_r, NULL, fd, NULL, (size_t)(in - moved), SPLICE_F_MORE);
            if (out < 0) { if (errno == EINTR) continue; return done ? (ssize_t)done : -errno; }
            moved += out;
        }
        done += (size_t)in;
    }
    return (ssize_t)done;
}

ssize_t cnet_splice_recv(int fd, int pipe_r, int pipe_w, void *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t in = splice(fd, NULL, pipe_w, NULL, len - done, SPLICE_F_MOVE);
        if (in < 0) { if (errno == EINTR) continue; return done ? (ssize_t)done : -errno; }
        if (in == 0) break;
        ssize_t got = 0;
        while (got < in) {
            ssize_t r = read(pipe_r, (char *)buf + done + got, (size_t)(in - got));
            if (r < 0) { if (errno == EINTR) continue; return -errno; }
            got += r;
        }
        done += (size_t)in;
    }
    return (ssize_t)done;
}

ssize_t cnet_sendfile(int fd, int file_fd, uint64_t offset, size_t len) {
    off_t off = (off_t)offset;
    size_t done = 0;
    while (done < len) {
        ssize_t n = sendfile(fd, file_fd, &off, len - done);
        if (n < 0) { if (errno == EINTR) continue; return done ? (ssize_t)done : -errno; }
        if (n == 0) break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

void cnet_drain(int fd, int timeout_ms) {
    static char sink[65536];
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = timeout_ms - ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
        if (left <= 0) return;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, (int)left) <= 0) return;
        ssize_t n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return;
    }
}

#include <linux/errqueue.h>
#include <sys/epoll.h>

int cnet_set_nonblocking(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) return -errno;
    return 0;
}

int cnet_enable_zerocopy(int fd) {
    int one = 1;
    return setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) == 0 ? 0 : -errno;
}

ssize_t cnet_send_nb(int fd, const void *buf, size_t len, int zerocopy) {
    for (;;) {
        ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL | (zerocopy ? MSG_ZEROCOPY : 0));
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? -errno : n;
    }
}

ssize_t cnet_recv_nb(int fd, void *buf, size_t len) {
    for (;;) {
        ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? -errno : n;
    }
}

int cnet_zerocopy_notification(int fd, uint32_t *lo, uint32_t *hi, int *copied) {
    char control[128];
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return errno == EAGAIN ? 0 : -errno;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) || (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR))) continue;
        struct sock_extended_err *e = (struct sock_extended_err *)CMSG_DATA(c);
        if (e->ee_origin != SO_EE_ORIGIN_ZEROCOPY) continue;
        *lo = e->ee_info;
        *hi = e->ee_data;
        *copied = (e->ee_code & SO_EE_CODE_ZEROCOPY_COPIED) != 0;
        return 1;
    }
    return 0;
}

int cnet_epoll_create(void) { int r = epoll_create1(EPOLL_CLOEXEC); return r < 0 ? -errno : r; }

int cnet_epoll_watch(int ep, int fd, uint64_t data) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLERR | EPOLLRDHUP;
    ev.data.u64 = data;
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

int cnet_epoll_wait(int ep, uint64_t *datas, int max, int timeout_ms) {
    struct epoll_event evs[64];
    if (max > 64) max = 64;
    int n = epoll_wait(ep, evs, max, timeout_ms);
    if (n < 0) return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++) datas[i] = evs[i].data.u64;
    return n;
}
