// zlib, for fio's compressed logs (log_store_compressed, --inflate-log): zlib's init calls are
// macros, which Swift cannot call.
#ifndef CZLIB_H
#define CZLIB_H
#include <stddef.h>

/// The most bytes czlib_compress can write for `len` bytes.
size_t czlib_bound(size_t len);

/// Compresses `len` bytes into one zlib stream at `out` (room for czlib_bound(len)); sets
/// *out_len. Returns 0, or zlib's (negative) error.
int czlib_compress(const void *in, size_t len, void *out, size_t *out_len);

/// Inflates the zlib (or gzip) stream that starts at `in`: *out is a malloc'd buffer of
/// *out_len bytes (the caller frees it), *consumed the stream's length. Returns 0, or zlib's
/// (negative) error.
int czlib_inflate_stream(const void *in, size_t in_len, size_t *consumed, void **out, size_t *out_len);
#endif
