// The MPI calls swio makes, through a library loaded at run time (dlopen), so swio needs no
// MPI to build or to run outside MPI. Open MPI's and MPICH's handle types differ (pointers to
// globals against integers); this shim hides that.
#ifndef CMPILOADER_H
#define CMPILOADER_H
#include <stddef.h>

/// Loads `library` (e.g. libmpi.so.40) and initialises MPI. 0, or -1 with swio_mpi_error().
int swio_mpi_start(const char *library);
const char *swio_mpi_error(void);
int swio_mpi_rank(void);
int swio_mpi_size(void);
/// Which implementation: "Open MPI" or "MPICH".
const char *swio_mpi_flavor(void);
/// All ranks meet; waits at most timeout_s, or until stop() says to. 0, 1 on timeout or stop,
/// -1 on an MPI error.
int swio_mpi_barrier(double timeout_s, int (*stop)(void));
/// Gathers each rank's bytes at rank 0 within timeout_s. On rank 0, *out (malloc'd, the caller
/// frees) holds them one after another and lens[i] (size entries) each rank's length, -1 for a
/// rank that did not answer in time. 0, 1 on timeout, -1 on an MPI error.
int swio_mpi_gather(const void *data, int len, char **out, int *lens, double timeout_s, int (*stop)(void));
void swio_mpi_finish(void);
#endif
