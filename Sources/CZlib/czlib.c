#include "czlib.h"
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

size_t czlib_bound(size_t len) { return compressBound(len); }

int czlib_compress(const void *in, size_t len, void *out, size_t *out_len) {
    uLongf n = compressBound(len);
    int r = compress2(out, &n, in, len, Z_DEFAULT_COMPRESSION);
    *out_len = n;
    return r == Z_OK ? 0 : (r < 0 ? r : Z_DATA_ERROR);
}

int czlib_inflate_stream(const void *in, size_t in_len, size_t *consumed, void **out, size_t *out_len) {
    z_stream s;
    memset(&s, 0, sizeof(s));
    // 15 + 32: a zlib or a gzip header, as fio's inflation accepts.
    if (inflateInit2(&s, 15 + 32) != Z_OK) return Z_MEM_ERROR;
    const unsigned char *next_in = in;
    size_t left_in = in_len, cap = 1 << 20, used = 0;
    unsigned char *buf = malloc(cap);
    int r = buf ? Z_OK : Z_MEM_ERROR;
    while (r == Z_OK) {
        if (used == cap) {
            unsigned char *bigger = realloc(buf, cap * 2);
            if (!bigger) { r = Z_MEM_ERROR; break; }
            buf = bigger;
            cap *= 2;
        }
        // zlib counts in uInt: at most 1 GiB of input and of room per call.
        uInt give_in = left_in > (1u << 30) ? (1u << 30) : (uInt)left_in;
        uInt give_out = cap - used > (1u << 30) ? (1u << 30) : (uInt)(cap - used);
        s.next_in = (Bytef *)next_in;
        s.avail_in = give_in;
        s.next_out = buf + used;
        s.avail_out = give_out;
        r = inflate(&s, Z_NO_FLUSH);
        next_in += give_in - s.avail_in;
        left_in -= give_in - s.avail_in;
        used += give_out - s.avail_out;
        // Input used up before the stream's end: the file is cut short.
        if (r == Z_BUF_ERROR || (r == Z_OK && left_in == 0 && s.avail_out > 0)) { r = Z_DATA_ERROR; break; }
    }
    *consumed = in_len - left_in;
    inflateEnd(&s);
    if (r != Z_STREAM_END) { free(buf); return r < 0 ? r : Z_DATA_ERROR; }
    *out = buf;
    *out_len = used;
    return 0;
}
