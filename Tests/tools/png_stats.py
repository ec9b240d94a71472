#!/usr/bin/env python3
"""What a PNG shows, for tests that look at a rendered page as a person would.

Usage: png_stats.py FILE [x y w h]...
Prints JSON: the image's size, then for the whole image and each box: the share of pixels
that are not background (near white), and how many distinct strong colours it holds.
Plain Python (zlib, struct): 8-bit RGB or RGBA, non-interlaced, as Chromium writes them.
"""
import json, struct, sys, zlib


def decode(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, "unsupported PNG layout"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b, c = prev[x], prev[x - channels] if x >= channels else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, channels, rows


def stats(rows, channels, x0, y0, w, h):
    ink, colours, total = 0, set(), 0
    for y in range(y0, y0 + h):
        row = rows[y]
        for x in range(x0, x0 + w):
            r, g, b = row[x * channels], row[x * channels + 1], row[x * channels + 2]
            total += 1
            if min(r, g, b) < 235:
                ink += 1
            if max(r, g, b) - min(r, g, b) > 60:
                colours.add((r >> 4, g >> 4, b >> 4))
    return {"ink": ink / max(total, 1), "colours": len(colours)}


width, height, channels, rows = decode(sys.argv[1])
out = {"width": width, "height": height, "all": stats(rows, channels, 0, 0, width, height), "boxes": []}
args = [int(v) for v in sys.argv[2:]]
for k in range(0, len(args), 4):
    x, y, w, h = args[k:k + 4]
    out["boxes"].append(stats(rows, channels, x, y, min(w, width - x), min(h, height - y)))
print(json.dumps(out))
