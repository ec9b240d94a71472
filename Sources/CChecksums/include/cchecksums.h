// What Swift cannot express: the SSE4.2 crc32 instruction behind a run-time CPU check.
#ifndef CCHECKSUMS_H
#define CCHECKSUMS_H
#include <stddef.h>
#include <stdint.h>

/// 1 when the CPU has the crc32 instruction (SSE4.2 on x86-64, CRC on arm64).
int cchecksums_crc32c_hw_available(void);
/// Castagnoli CRC of len bytes, continuing from crc (no inversion in or out).
uint32_t cchecksums_crc32c_hw(uint32_t crc, const void *data, size_t len);

/// SHA-256's round constants (FIPS 180-4), shared with the portable Swift rounds.
extern const uint32_t cchecksums_sha256_k[64];
const uint32_t *cchecksums_sha256_constants(void);
/// 1 when the CPU has the SHA extensions (SHA-NI).
int cchecksums_sha256_hw_available(void);
/// SHA-256's compression function over `blocks` 64-byte blocks, with the SHA instructions.
void cchecksums_sha256_hw(uint32_t state[8], const void *data, size_t blocks);

#endif
