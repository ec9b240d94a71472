// The smallest depth-1 libaio reader: one O_DIRECT 4 KiB read at a random offset, io_submit,
// io_getevents, repeat. It makes the same system calls per I/O as swio and fio, and serves as a
// control when a depth-1 gap against fio shows up: if this loop is as slow as swio, the gap is
// not in swio's code.
// Build and run: gcc -O2 bench/aio-qd1.c -o /tmp/aio-qd1 -laio && /tmp/aio-qd1 FILE [seconds]
#define _GNU_SOURCE
#include <fcntl.h>
#include <libaio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

static unsigned long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s FILE [seconds]\n", argv[0]); return 2; }
    int seconds = argc > 2 ? atoi(argv[2]) : 3;
    int fd = open(argv[1], O_RDONLY | O_DIRECT);
    if (fd < 0) { perror(argv[1]); return 1; }
    off_t size = lseek(fd, 0, SEEK_END);
    unsigned long long blocks = (unsigned long long)size / 4096;
    if (blocks == 0) { fprintf(stderr, "%s: smaller than 4 KiB\n", argv[1]); return 1; }
    io_context_t ctx = 0;
    if (io_setup(1, &ctx) != 0) { perror("io_setup"); return 1; }
    void *buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct iocb cb, *cbs[1] = { &cb };
    struct io_event ev;
    unsigned long long rng = now_ns() | 1, start = now_ns(), end = start + seconds * 1000000000ULL;
    unsigned long long ios = 0, clat = 0, t;
    do {
        rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;   // xorshift64
        io_prep_pread(&cb, fd, buf, 4096, (long long)(rng % blocks) * 4096);
        if (io_submit(ctx, 1, cbs) != 1) { perror("io_submit"); return 1; }
        unsigned long long issued = now_ns();
        if (io_getevents(ctx, 1, 1, &ev, NULL) != 1 || ev.res != 4096) { fprintf(stderr, "read failed\n"); return 1; }
        t = now_ns();
        clat += t - issued;
        ios++;
    } while (t < end);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    printf("iops=%.0f clat_mean_ns=%.0f cpu_ns_per_io=%.0f\n", ios / ((t - start) / 1e9), (double)clat / ios, cpu * 1e9 / ios);
    return 0;
}
