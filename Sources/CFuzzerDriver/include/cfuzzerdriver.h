// libFuzzer's entry for programs that keep their own main (fuzz/run.sh links libFuzzer with
// -sanitize=fuzzer; ordinary builds never call it).
#ifndef CFUZZERDRIVER_H
#define CFUZZERDRIVER_H
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
