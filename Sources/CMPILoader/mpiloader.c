#define _GNU_SOURCE
#include "cmpiloader.h"
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// Handles as the two ABIs pass them: Open MPI uses pointers, MPICH 32-bit integers. Both fit
// in a pointer-sized integer, which the function pointers below take.
typedef intptr_t handle;

static char err[512];
static int ompi;
static void *lib;
static handle comm_world, type_int, type_byte;
static int (*p_init)(int *, char ***);
static int (*p_initialized)(int *);
static int (*p_finalize)(void);
static int (*p_rank)(handle, int *);
static int (*p_size)(handle, int *);
static int (*p_ibarrier)(handle, handle *);
static int (*p_test)(handle *, int *, void *);
static int (*p_cancel)(handle *);
static int (*p_isend)(const void *, int, handle, int, int, handle, handle *);
static int (*p_irecv)(void *, int, handle, int, int, handle, handle *);
static int rank = 0, size = 1;

const char *swio_mpi_error(void) { return err; }
int swio_mpi_rank(void) { return rank; }
int swio_mpi_size(void) { return size; }
const char *swio_mpi_flavor(void) { return ompi ? "Open MPI" : "MPICH"; }

#define LOAD(ptr, name) do { *(void **)(&ptr) = dlsym(lib, name); \
    if (!ptr) { snprintf(err, sizeof err, "%s has no %s", library, name); return -1; } } while (0)

int swio_mpi_start(const char *library) {
    lib = dlopen(library, RTLD_NOW | RTLD_GLOBAL);
    if (!lib) { snprintf(err, sizeof err, "cannot load %s: %s", library, dlerror()); return -1; }
    LOAD(p_init, "MPI_Init"); LOAD(p_initialized, "MPI_Initialized"); LOAD(p_finalize, "MPI_Finalize");
    LOAD(p_rank, "MPI_Comm_rank"); LOAD(p_size, "MPI_Comm_size");
    LOAD(p_ibarrier, "MPI_Ibarrier"); LOAD(p_test, "MPI_Test"); LOAD(p_cancel, "MPI_Cancel");
    LOAD(p_isend, "MPI_Isend"); LOAD(p_irecv, "MPI_Irecv");
    void *world = dlsym(lib, "ompi_mpi_comm_world");
    if (world) {
        ompi = 1;
        comm_world = (handle)world;
        type_int = (handle)dlsym(lib, "ompi_mpi_int");
        type_byte = (handle)dlsym(lib, "ompi_mpi_byte");
        if (!type_int || !type_byte) { snprintf(err, sizeof err, "%s: Open MPI datatypes not found", library); return -1; }
    } else {
        // MPICH's mpi.h constants (its ABI, shared by Intel MPI and MVAPICH).
        comm_world = 0x44000000; type_int = 0x4c000405; type_byte = 0x4c00010d;
    }
    int done = 0;
    p_initialized(&done);
    if (!done && p_init(NULL, NULL) != 0) { snprintf(err, sizeof err, "MPI_Init failed"); return -1; }
    if (p_rank(comm_world, &rank) != 0 || p_size(comm_world, &size) != 0) { snprintf(err, sizeof err, "MPI_Comm_rank/size failed"); return -1; }
    return 0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Polls a request until it completes or the deadline passes. 0 done, 1 timeout, -1 error.
static int wait_until(handle *req, double deadline, int (*stop)(void)) {
    char status[256];
    struct timespec nap = { 0, 1000000 };
    for (;;) {
        int flag = 0;
        if (p_test(req, &flag, status) != 0) return -1;
        if (flag) return 0;
        if (now() >= deadline || (stop && stop())) return 1;
        nanosleep(&nap, NULL);
    }
}

int swio_mpi_barrier(double timeout_s, int (*stop)(void)) {
    handle req;
    if (p_ibarrier(comm_world, &req) != 0) return -1;
    return wait_until(&req, now() + timeout_s, stop);
}

// Point to point rather than a collective gather, so the ranks that are still there deliver
// even when one has died.
int swio_mpi_gather(const void *data, int len, char **out, int *lens, double timeout_s, int (*stop)(void)) {
    double deadline = now() + timeout_s;
    enum { TAG_LEN = 7301, TAG_DATA = 7302 };
    if (rank != 0) {
        handle a, b;
        if (p_isend(&len, 1, type_int, 0, TAG_LEN, comm_world, &a) != 0) return -1;
        if (p_isend(data, len, type_byte, 0, TAG_DATA, comm_world, &b) != 0) return -1;
        int r = wait_until(&a, deadline, stop);
        return r != 0 ? r : wait_until(&b, deadline, stop);
    }
    char **bufs = calloc((size_t)size, sizeof(char *));
    handle *req = calloc((size_t)size, sizeof(handle));
    int *state = calloc((size_t)size, sizeof(int));   // 0 waiting for the length, 1 for the data, 2 done
    int *got = calloc((size_t)size, sizeof(int));
    char status[256];
    lens[0] = len;
    bufs[0] = malloc(len > 0 ? (size_t)len : 1);
    memcpy(bufs[0], data, (size_t)len);
    state[0] = 2;
    int pending = size - 1, failed = 0;
    for (int i = 1; i < size; i++) {
        lens[i] = -1;
        if (p_irecv(&got[i], 1, type_int, i, TAG_LEN, comm_world, &req[i]) != 0) { failed = 1; state[i] = 2; pending--; }
    }
    struct timespec nap = { 0, 1000000 };
    while (pending > 0 && now() < deadline && !(stop && stop())) {
        int progressed = 0;
        for (int i = 1; i < size; i++) {
            if (state[i] == 2) continue;
            int flag = 0;
            if (p_test(&req[i], &flag, status) != 0) { state[i] = 2; pending--; failed = 1; continue; }
            if (!flag) continue;
            progressed = 1;
            if (state[i] == 0) {
                bufs[i] = malloc(got[i] > 0 ? (size_t)got[i] : 1);
                if (p_irecv(bufs[i], got[i], type_byte, i, TAG_DATA, comm_world, &req[i]) != 0) { state[i] = 2; pending--; failed = 1; continue; }
                state[i] = 1;
            } else {
                lens[i] = got[i];
                state[i] = 2;
                pending--;
            }
        }
        if (!progressed) nanosleep(&nap, NULL);
    }
    long total = 0;
    for (int i = 0; i < size; i++) if (lens[i] > 0) total += lens[i];
    char *all = malloc(total > 0 ? (size_t)total : 1);
    long at = 0;
    for (int i = 0; i < size; i++) {
        if (lens[i] > 0) { memcpy(all + at, bufs[i], (size_t)lens[i]); at += lens[i]; }
        free(bufs[i]);
    }
    *out = all;
    free(bufs); free(req); free(state); free(got);
    return failed ? -1 : (pending > 0 ? 1 : 0);
}

void swio_mpi_finish(void) {
    int done = 0;
    if (p_initialized && p_initialized(&done) == 0 && done) p_finalize();
}
