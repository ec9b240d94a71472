// Sockets for the net engines: endpoints resolved and set up in C (getaddrinfo, sockaddr
// variants, socket options), so Swift sees file descriptors and errno values only.
#ifndef CNET_H
#define CNET_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum cnet_proto { CNET_TCP = 0, CNET_TCPV6 = 1, CNET_UDP = 2, CNET_UDPV6 = 3, CNET_UNIX = 4 };

/// Socket options a job sets (0: leave the kernel's).
struct cnet_options {
    int window_size;    /* SO_SNDBUF and SO_RCVBUF */
    int mss;            /* TCP_MAXSEG */
    int nodelay;        /* TCP_NODELAY */
    int ttl;            /* IP_MULTICAST_TTL */
    const char *interface; /* IP_MULTICAST_IF / the group membership's interface (an address) */
    int receive_low_water; /* SO_RCVLOWAT on a TCP connection that receives whole messages */
};

/// A listening TCP or unix socket, or a bound UDP one (joined to `host`'s group when that is
/// a multicast address). Returns the fd, or -errno; `error` says what failed.
int cnet_listen(const char *host, int port, int proto, const struct cnet_options *o, char *error, size_t error_len);
/// Waits up to timeout_ms for a connection on `fd`: the new fd, -ETIMEDOUT, or -errno.
int cnet_accept(int fd, int timeout_ms, const struct cnet_options *o);
/// Connects (TCP, unix) or sets the destination (UDP) to host:port: the fd, or -errno.
int cnet_connect(const char *host, int port, int proto, const struct cnet_options *o, char *error, size_t error_len);
/// Sends all of buf unless the socket fails: bytes sent, or -errno. `more` sets MSG_MORE.
ssize_t cnet_send(int fd, const void *buf, size_t len, int more);
/// Receives: with `whole`, until len bytes or the end of the stream (MSG_WAITALL); 0 at the end.
ssize_t cnet_recv(int fd, void *buf, size_t len, int whole);
/// Reads and discards what the peer still sends until it closes, for at most timeout_ms.
void cnet_drain(int fd, int timeout_ms);
/// TCP retransmissions of the connection so far (TCP_INFO tcpi_total_retrans), or -1.
long cnet_tcp_retransmits(int fd);
/// The bytes a receive must be able to return before the kernel wakes it (SO_RCVLOWAT), or -1.
int cnet_receive_low_water(int fd);
/// Moves len bytes from buf through a pipe into fd (vmsplice, then splice), or from fd into
/// buf (splice, then read): bytes moved, 0 at the end of the stream, or -errno.
ssize_t cnet_splice_send(int fd, int pipe_r, int pipe_w, const void *buf, size_t len);
ssize_t cnet_splice_recv(int fd, int pipe_r, int pipe_w, void *buf, size_t len);
/// A pipe for the splice paths: 0 and the two fds, or -errno.
int cnet_pipe(int *r, int *w);
/// sendfile(2) from file_fd at *offset, len bytes: bytes sent, or -errno.
ssize_t cnet_sendfile(int fd, int file_fd, uint64_t offset, size_t len);


// The asynchronous, many-connection engines: non-blocking sockets, an epoll ready-queue, and
// MSG_ZEROCOPY with its error-queue notifications.
int cnet_set_nonblocking(int fd);
/// SO_ZEROCOPY on: 0, or -errno (kernels and sockets that cannot).
int cnet_enable_zerocopy(int fd);
/// One non-blocking send (MSG_ZEROCOPY with zerocopy): bytes sent, or -errno (-EAGAIN: full).
ssize_t cnet_send_nb(int fd, const void *buf, size_t len, int zerocopy);
/// One non-blocking receive: bytes, 0 at the end of the stream, or -errno (-EAGAIN: empty).
ssize_t cnet_recv_nb(int fd, void *buf, size_t len);
/// Reads one zero-copy notification: 1 and the range of sends it completes (lo..hi) and
/// whether the kernel copied them after all, 0 when there is none, or -errno.
int cnet_zerocopy_notification(int fd, uint32_t *lo, uint32_t *hi, int *copied);
int cnet_epoll_create(void);
/// Watches fd for input, output and errors (edge-triggered), reporting `data` for it.
int cnet_epoll_watch(int ep, int fd, uint64_t data);
/// Waits up to timeout_ms: how many fds are ready (their data in datas), or -errno.
int cnet_epoll_wait(int ep, uint64_t *datas, int max, int timeout_ms);
#endif
