#!/usr/bin/env bash
# Verify checksum throughput, swio against fio on this CPU: both tools' --crctest (256 MiB of
# each checksum over one 128 KiB buffer), run alternately ROUNDS times; prints each checksum's
# median MiB/s for both and the ratio. Usage: bench/crctest.sh [rounds]
set -euo pipefail
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
names=md5,crc64,crc32,crc32c,crc16,crc7,sha1,sha256,sha512,xxhash,sha3-224,sha3-256,sha3-384,sha3-512
for r in $(seq "$ROUNDS"); do
  "$SWIO" --crctest="$names" >> "$work/swio"
  "$FIO" --crctest="$names" >> "$work/fio"
done
python3 - "$work/swio" "$work/fio" <<'PY'
import sys, statistics
def read(p):
    d = {}
    for line in open(p):
        name, rest = line.split(":", 1)
        d.setdefault(name, []).append(float(rest.split()[0]))
    return {k: statistics.median(v) for k, v in d.items()}
s, f = read(sys.argv[1]), read(sys.argv[2])
print(f"{'checksum':10} {'swio MiB/s':>12} {'fio MiB/s':>12} {'swio/fio':>9}")
for k in s:
    print(f"{k:10} {s[k]:12.1f} {f[k]:12.1f} {s[k] / f[k]:9.2f}")
PY
