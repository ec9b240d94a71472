#!/usr/bin/env bash
# The 2006 kevent network experiments on today's interfaces, on loopback: one receiving flow
# (recv() against the epoll ready-queue and io_uring, 4 KiB and 40 KiB buffers), ten sending
# sockets (synchronous-with-epoll against zero-copy asynchronous sends), a 1 GiB receive, and
# sendfile against read-and-send. Prints one table (bandwidth, and CPU per byte of the side
# the experiment is about). Bounded: RUNTIME seconds per run (default 3).
# Usage: [RUNTIME=3] bash jobs/net-demo.sh      (make net-demo)
set -euo pipefail
cd "$(dirname "$0")/.."
SWIO=${SWIO:-.build/release/swio}
[ -x "$SWIO" ] || swift build -c release >/dev/null
export RUNTIME=${RUNTIME:-3}
export PORT=${PORT:-7800}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs a job file with the environment given; prints "Gbit/s cpu_ns_per_byte" of job $1.
run() {
  local side=$1 file=$2; shift 2
  PORT=$((PORT + 5)); export PORT
  env "$@" "$SWIO" --output-format=json "jobs/net-2006/$file" > "$work/r.json" 2>"$work/r.err" || { echo "failed: $(tail -1 "$work/r.err")"; return; }
  python3 - "$work/r.json" "$side" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); j = next(x for x in d["jobs"] if x["jobname"] == sys.argv[2])
moved = j["read"]["io_bytes"] + j["write"]["io_bytes"]
bw = j["read"]["bw_bytes"] + j["write"]["bw_bytes"]
cpu = (j["usr_cpu"] + j["sys_cpu"]) / 100 * j["job_runtime"] / 1000
extra = j.get("swio", {}).get("engine", {})
zc = f"  zerocopy copied {extra['zerocopy_copied']}/{extra['zerocopy_sends']}" if "zerocopy_sends" in extra else ""
print(f"{bw * 8 / 1e9:8.2f} {cpu / moved * 1e9 if moved else 0:10.3f}{zc}")
PY
}
printf "%-47s %8s %10s\n" experiment Gbit/s "cpu ns/B"
for bs in 4k 40k; do
  for e in net netkevent neturing; do
    printf "%-47s %s\n" "one flow, receiver $e bs=$bs" "$(run receiver receive-4k-40k.fio ENGINE=$e BS=$bs)"
  done
done
printf "%-47s %s\n" "ten senders, netkevent (epoll, copying)" "$(run sender ten-senders.fio ENGINE=netkevent ZEROCOPY=0)"
printf "%-47s %s\n" "ten senders, netkevent zerocopy (MSG_ZEROCOPY)" "$(run sender ten-senders.fio ENGINE=netkevent ZEROCOPY=1)"
printf "%-47s %s\n" "ten senders, neturing (copying)" "$(run sender ten-senders.fio ENGINE=neturing ZEROCOPY=0)"
printf "%-47s %s\n" "ten senders, neturing zerocopy (SEND_ZC)" "$(run sender ten-senders.fio ENGINE=neturing ZEROCOPY=1)"
for e in net netkevent neturing; do
  printf "%-47s %s\n" "1 GiB receive, $e" "$(run receiver receive-1g.fio ENGINE=$e)"
done
head -c $((256 << 20)) /dev/urandom > "$work/file"
printf "%-47s %s\n" "sender, sendfile(2)" "$(run sender sendfile.fio FILE="$work/file" COPY=0)"
printf "%-47s %s\n" "sender, read and send" "$(run sender sendfile.fio FILE="$work/file" COPY=1)"
echo "(loopback copies zero-copy sends: the counts say how many; a gain needs a real NIC)"
