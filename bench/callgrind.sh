#!/usr/bin/env bash
# User-space instructions per I/O, swio against fio, counted by valgrind's callgrind.
# Instruction counts repeat exactly from run to run, unlike times on a shared VM, so this is
# the measure of what each tool itself costs per I/O; the kernel's share is not counted.
# Each case runs two lengths (N and 3N I/Os) and divides the difference, so setup cancels.
# swio is counted inside the job (JobDriver.run): its report's percentile pass grows with
# the spread of the latencies, which differs from run to run. fio is counted whole, with --thread
# so that one valgrind process holds the job; its report pass is the same size every run.
# Usage: [FILTER=regex] bench/callgrind.sh [ios]
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=${1:-2000}
command -v valgrind >/dev/null || { echo "valgrind not installed (apt-get install valgrind)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work" "$SHM"' EXIT
# valgrind 3.19 cannot read the DWARF that Swift 6 emits; a copy without it runs the same code
# and keeps the symbol table that --toggle-collect needs.
strip --strip-debug -o "$work/swio" "$SWIO"
# Lay the files out outside valgrind (reads of a missing file would write it first).
"$FIO" --name=layout --filename="$SHM" --size=256m --rw=write --bs=1m >/dev/null
[[ $(stat -c %s "$DISK" 2>/dev/null || echo 0) -ge $((1 << 30)) ]] ||
  "$FIO" --name=layout --filename="$DISK" --size=1g --rw=write --bs=1m --direct=1 >/dev/null

cases=(
  "null 4k randread qd1|--ioengine=null --rw=randread --bs=4k --size=8g --norandommap"
  "psync 4k randread shm|--ioengine=psync --rw=randread --bs=4k --size=256m --filename=$SHM"
  "psync 4k write shm|--ioengine=psync --rw=write --bs=4k --size=256m --filename=$SHM"
  "libaio 4k randread qd1 direct|--ioengine=libaio --rw=randread --bs=4k --direct=1 --size=1g --filename=$DISK"
  "libaio 4k randread qd32 direct|--ioengine=libaio --rw=randread --bs=4k --direct=1 --iodepth=32 --size=1g --filename=$DISK"
  "io_uring 4k randread qd1 direct|--ioengine=io_uring --rw=randread --bs=4k --direct=1 --size=1g --filename=$DISK"
  "io_uring 4k randread qd32 direct|--ioengine=io_uring --rw=randread --bs=4k --direct=1 --iodepth=32 --size=1g --filename=$DISK"
)
filter_cases

# Total instructions of one run: all threads and processes, or only inside functions matching
# the --toggle-collect pattern when one is given.
count() {
  local n=$1 only=$2; shift 2
  rm -f "$work"/cg.*
  valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$work/cg.%p" ${only:+--toggle-collect="$only"} \
    "$@" --name=b --number_ios="$n" >/dev/null 2>&1
  cat "$work"/cg.* | awk '/^summary:/ { s += $2 } END { print s + 0 }'
}

printf "%-34s %14s %14s %7s\n" case swio_instr/io fio_instr/io ratio
job='*JobDriverO3run*'
for c in "${cases[@]}"; do
  name=${c%%|*}; read -r -a args <<<"${c#*|}"
  s1=$(count "$N" "$job" "$work/swio" "${args[@]}"); s3=$(count $((3 * N)) "$job" "$work/swio" "${args[@]}")
  f1=$(count "$N" "" "$FIO" --thread "${args[@]}"); f3=$(count $((3 * N)) "" "$FIO" --thread "${args[@]}")
  python3 -c '
import sys
n, s1, s3, f1, f3 = map(int, sys.argv[2:])
s, f = (s3 - s1) / (2 * n), (f3 - f1) / (2 * n)
r = s / f if f else float("nan")
print(f"{sys.argv[1]:34s} {s:14.0f} {f:14.0f} {r:7.2f}")' "$name" "$N" "$s1" "$s3" "$f1" "$f3"
done
