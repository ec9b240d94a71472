#!/usr/bin/env bash
# Runs the same jobs through swio and fio, alternating, in one run, and prints swio/fio ratios
# of IOPS and of CPU time per I/O (usr+sys), and of p99 completion latency.
# Usage: [FILTER=regex] [PIN=cpu] [RAW=file] [RUNTIME=s] bench/run.sh [quick|sync|async|loop|all] [rounds]
# PIN runs both tools under taskset on that CPU (say, the one taking the disk's interrupts), so
# that where the scheduler happens to put each tool's job stops being part of the comparison.
# RAW appends every run's "case round tool iops cpu_ns_per_io p99_ns" to that file.
set -euo pipefail
source "$(dirname "$0")/common.sh"
SET=${1:-all}
PIN_CMD=()
[[ -n ${PIN:-} ]] && PIN_CMD=(taskset -c "$PIN")
ROUNDS=${2:-3}
RUNTIME=${RUNTIME:-3}   # seconds per run

cases=()
if [[ $SET == all || $SET == quick || $SET == sync ]]; then
  cases+=("null 4k randread qd1|--ioengine=null --rw=randread --bs=4k --size=8g --norandommap --time_based --runtime=$RUNTIME")
  cases+=("null 4k randread qd32|--ioengine=null --rw=randread --bs=4k --size=8g --iodepth=32 --norandommap --time_based --runtime=$RUNTIME")
  cases+=("psync 4k randread shm|--ioengine=psync --rw=randread --bs=4k --size=1g --filename=$SHM --time_based --runtime=$RUNTIME")
  cases+=("psync 1M read shm|--ioengine=psync --rw=read --bs=1m --size=1g --filename=$SHM --time_based --runtime=$RUNTIME")
fi
if [[ $SET == all || $SET == async ]]; then
  for e in libaio io_uring; do
    cases+=("$e 4k randread qd1 shm|--ioengine=$e --rw=randread --bs=4k --size=1g --filename=$SHM --time_based --runtime=$RUNTIME")
    cases+=("$e 4k randread qd32 shm|--ioengine=$e --rw=randread --bs=4k --iodepth=32 --size=1g --filename=$SHM --time_based --runtime=$RUNTIME")
    cases+=("$e 128k read qd8 shm|--ioengine=$e --rw=read --bs=128k --iodepth=8 --size=1g --filename=$SHM --time_based --runtime=$RUNTIME")
    # randrepeat=0 on the disk: the VM's host caches the disk image, so a fixed offset sequence
    # makes each run depend on what the previous runs (of either tool) left in that cache.
    cases+=("$e 4k randread qd1 direct|--ioengine=$e --rw=randread --bs=4k --direct=1 --randrepeat=0 --size=1g --filename=$DISK --time_based --runtime=$RUNTIME")
    cases+=("$e 4k randread qd32 direct|--ioengine=$e --rw=randread --bs=4k --direct=1 --randrepeat=0 --iodepth=32 --size=1g --filename=$DISK --time_based --runtime=$RUNTIME")
    cases+=("$e 128k read qd8 direct|--ioengine=$e --rw=read --bs=128k --direct=1 --iodepth=8 --size=1g --filename=$DISK --time_based --runtime=$RUNTIME")
  done
fi

loop_names=("libaio 4k randread qd1 loop" "io_uring 4k randread qd1 loop")
wanted_loop=false
for n in "${loop_names[@]}"; do [[ -z ${FILTER:-} || $n =~ $FILTER ]] && wanted_loop=true; done
if [[ ($SET == all || $SET == loop) && $wanted_loop == true ]]; then
  # A block device whose completions come from the loop driver's kworker: a loop device over a
  # /dev/shm image (losetup --direct-io=on). These rows show how each tool's job and that
  # kworker end up sharing the CPUs. losetup needs root; without it the rows are skipped.
  LOOP_IMG=/dev/shm/swio-bench-loop.img
  trap 'rm -f "$LOOP_IMG"' EXIT
  if dd if=/dev/zero of="$LOOP_IMG" bs=4M count=256 status=none 2>/dev/null &&
     LOOP=$(losetup -f --show --direct-io=on "$LOOP_IMG" 2>/dev/null); then
    trap 'losetup -d "$LOOP" || true; rm -f "$LOOP_IMG"' EXIT
    for e in libaio io_uring; do
      cases+=("$e 4k randread qd1 loop|--ioengine=$e --rw=randread --bs=4k --direct=1 --randrepeat=0 --size=1g --filename=$LOOP --time_based --runtime=$RUNTIME")
    done
  else
    echo "loop rows skipped: could not set up a loop device (losetup needs root)" >&2
    rm -f "$LOOP_IMG"
  fi
fi

filter_cases

# Prints "iops cpu_ns_per_io p99_clat_ns" from a fio-format JSON report.
summarise() {
  python3 -c '
import json, sys
try:
    j = json.load(sys.stdin)["jobs"][0]
except (ValueError, KeyError, IndexError):
    print("nan nan nan")  # the run failed: the round is left out of that row
    sys.exit()
d = j["read"]
ios = d["total_ios"] or 1
cpu_ns = (j["usr_cpu"] + j["sys_cpu"]) / 100.0 * j["job_runtime"] * 1e6
p99 = d["clat_ns"].get("percentile", {}).get("99.000000", 0)
print(d["iops"], cpu_ns / ios, p99)'
}

printf "%-28s %12s %12s %7s %11s %10s %10s %7s %7s\n" case swio_iops fio_iops iops× "iops× IQR" swio_cpu/io fio_cpu/io cpu× p99×
for c in "${cases[@]}"; do
  name=${c%%|*}; args=${c#*|}
  s_iops=(); f_iops=(); s_cpu=(); f_cpu=(); s_p99=(); f_p99=()
  for ((r = 0; r < ROUNDS; r++)); do
    # Alternate which tool goes first, so drift in the device favours neither.
    if ((r % 2 == 0)); then order="swio fio"; else order="fio swio"; fi
    for tool in $order; do
      if [[ $tool == swio ]]; then
        read -r a b p < <("${PIN_CMD[@]}" $SWIO --output-format=json --name=b $args 2>/dev/null | summarise)
        s_iops+=("$a"); s_cpu+=("$b"); s_p99+=("$p")
        [[ -n ${RAW:-} ]] && echo "$name|$r|swio|$a|$b|$p" >>"$RAW"
      else
        read -r a b p < <("${PIN_CMD[@]}" $FIO --output-format=json --name=b $args 2>/dev/null | summarise)
        f_iops+=("$a"); f_cpu+=("$b"); f_p99+=("$p")
        [[ -n ${RAW:-} ]] && echo "$name|$r|fio|$a|$b|$p" >>"$RAW"
      fi
    done
  done
  python3 - "$name" "${s_iops[*]}" "${f_iops[*]}" "${s_cpu[*]}" "${f_cpu[*]}" "${s_p99[*]}" "${f_p99[*]}" <<'PY'
import sys, statistics as st
name = sys.argv[1]
v = [list(map(float, a.split())) for a in sys.argv[2:]]
ok = lambda x: [a for a in x if a == a] or [float("nan")]  # drop failed runs (nan)
si, fi, sc, fc = (st.median(ok(x)) for x in v[:4])
# Ratios are the median of each round's swio/fio ratio: the two runs of a round sit next to
# each other in time, so drift in the machine (or the VM's host) cancels within a pair.
ratios = lambda s, f: [a / b for a, b in zip(s, f) if b and a == a and b == b]
pair = lambda s, f: st.median(ratios(s, f)) if ratios(s, f) else float("nan")
# The spread of the IOPS pair ratios (25th-75th percentile) says how much a row moves by itself.
r = ratios(v[0], v[1])
q = st.quantiles(r, n=4) if len(r) >= 2 else [r[0], r[0], r[0]] if r else [float("nan")] * 3
iqr = f"{q[0]:.2f}-{q[2]:.2f}"
print(f"{name:28s} {si:12.0f} {fi:12.0f} {pair(v[0], v[1]):7.2f} {iqr:>11s} {sc:10.0f} {fc:10.0f} {pair(v[2], v[3]):7.2f} {pair(v[4], v[5]):7.2f}")
PY
done
rm -f "$SHM"
