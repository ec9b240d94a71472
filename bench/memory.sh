#!/usr/bin/env bash
# Peak resident memory of swio against fio for many jobs, from /usr/bin/time -v (the largest
# process of each run: swio's worker, fio's main process or a job), as swio/fio ratios.
# Cases: 500 stonewalled jobs (one at a time: what a finished job keeps), 500 concurrent jobs
# (what a running job needs), 200 stonewalled jobs with 16 MiB of buffers each (buffers freed
# when a job ends). Null engine: the engines' own memory is not what is measured.
# Usage: [JOBS=500] bench/memory.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
JOBS=${JOBS:-500}
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time not installed (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

jobfile() {   # name, global options, per-job options, count
  { printf '[global]\nioengine=null\n%b' "$2"; for ((i = 0; i < $4; i++)); do printf '[j%d]\n%b' "$i" "$3"; done; } >"$work/$1.fio"
}
jobfile stonewalled 'size=1m\nbs=4k\nrw=randread\n' 'stonewall\n' "$JOBS"
jobfile concurrent 'size=1m\nbs=4k\nrw=randread\nthinktime=200ms\nthinktime_blocks=64\n' '' "$JOBS"
jobfile buffers 'size=64m\nbs=1m\niodepth=16\nrw=read\n' 'stonewall\n' 200

peak_kb() { /usr/bin/time -v "$@" --output-format=json 2>&1 >/dev/null | awk '/Maximum resident set size/ { print $NF }'; }

printf "%-26s %12s %12s %7s\n" case swio_peak_MiB fio_peak_MiB ratio
for c in stonewalled concurrent buffers; do
  s=$(peak_kb "$SWIO" "$work/$c.fio"); f=$(peak_kb "$FIO" "$work/$c.fio")
  python3 -c 'import sys; n, s, f = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]); print(f"{n:26s} {s/1024:12.1f} {f/1024:12.1f} {s/f:7.2f}")' "$c" "$s" "$f"
done
