#!/usr/bin/env bash
# What a run-time plugin costs per I/O: the example plugin (examples/plugins/swio_pread.c,
# pread/pwrite) against the built-in psync engine doing the same work, in user-space
# instructions per I/O under callgrind (two lengths, N and 3N I/Os, differenced so setup
# cancels), counted inside the job (JobDriver.run; the plugin's code is called from there).
# Usage: bench/plugin.sh [ios]
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=${1:-2000}
command -v valgrind >/dev/null || { echo "valgrind not installed (apt-get install valgrind)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work" "$SHM"' EXIT
strip --strip-debug -o "$work/swio" "$SWIO"
cc -shared -fPIC -O2 -I plugins/include -o "$work/libswio_pread.so" examples/plugins/swio_pread.c
"$FIO" --name=layout --filename="$SHM" --size=256m --rw=write --bs=1m >/dev/null

count() {   # ios, engine, rw
  rm -f "$work"/cg.*
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" --toggle-collect='*JobDriverO3run*' \
    "$work/swio" --name=b --ioengine="$2" --rw="$3" --bs=4k --size=256m --filename="$SHM" --number_ios="$1" >/dev/null 2>&1
  cat "$work"/cg.* | awk '/^summary:/ { s += $2 } END { print s + 0 }'
}

printf "%-24s %16s %16s %7s\n" case plugin_instr/io psync_instr/io ratio
for rw in randread write; do
  p1=$(count "$N" "external:$work/libswio_pread.so" $rw); p3=$(count $((3 * N)) "external:$work/libswio_pread.so" $rw)
  b1=$(count "$N" psync $rw); b3=$(count $((3 * N)) psync $rw)
  python3 -c '
import sys
name, n, p1, p3, b1, b3 = sys.argv[1], *map(int, sys.argv[2:])
p, b = (p3 - p1) / (2 * n), (b3 - b1) / (2 * n)
print(f"{name:24s} {p:16.0f} {b:16.0f} {p / b:7.2f}")' "4k $rw shm" "$N" "$p1" "$p3" "$b1" "$b3"
done
