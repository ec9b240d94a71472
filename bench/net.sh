#!/usr/bin/env bash
# One TCP stream (and four) over loopback with 128 KiB writes: swio's net engine against
# iperf3 (and fio's net engine, where it finishes), in one run, as ratios of Gbit/s and of CPU
# time per byte (sender and receiver together).
# Usage: [RUNTIME=5] [ROUNDS=3] bench/net.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUNTIME=${RUNTIME:-5}
ROUNDS=${ROUNDS:-3}
command -v iperf3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iperf3 >/dev/null; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
PORT=${PORT:-5301}

# Prints "gbit_per_s cpu_ns_per_byte" for one tool and stream count.
swio_run() {   # streams
  "$SWIO" --output-format=json --ioengine=net --port=$PORT --bs=128k --size=100g --time_based --runtime="$RUNTIME" \
    --numjobs="$1" --group_reporting --name=s --rw=write --hostname=127.0.0.1 --name=r --rw=read --listen > "$work/s.json" 2>/dev/null
  python3 - "$work/s.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cpu = sum((j["usr_cpu"] + j["sys_cpu"]) / 100 * j["job_runtime"] / 1000 for j in d["jobs"])
sent = next(j for j in d["jobs"] if j["jobname"] == "s")["write"]
print(sent["bw_bytes"] * 8 / 1e9, cpu / (sent["io_bytes"]) * 1e9)
PY
}
fio_run() {
  timeout $((RUNTIME * 3 + 10)) "$FIO" --output-format=json --ioengine=net --port=$PORT --bs=128k --size=100g --time_based --runtime="$RUNTIME" \
    --numjobs="$1" --group_reporting --name=s --rw=write --hostname=127.0.0.1 --startdelay=1 --name=r --rw=read --listen > "$work/f.json" 2>"$work/f.err" || { echo "failed: $(tail -1 "$work/f.err")"; return; }
  python3 - "$work/f.json" <<'PY'
import json, sys
t = open(sys.argv[1]).read(); d = json.loads(t[t.index("{"):])
cpu = sum((j["usr_cpu"] + j["sys_cpu"]) / 100 * j["job_runtime"] / 1000 for j in d["jobs"])
sent = next(j for j in d["jobs"] if j["jobname"] == "s")["write"]
print(sent["bw_bytes"] * 8 / 1e9, cpu / (sent["io_bytes"]) * 1e9)
PY
}
iperf_run() {
  iperf3 -s -1 -p $PORT > /dev/null 2>&1 &
  local server=$!
  sleep 0.3
  iperf3 -c 127.0.0.1 -p $PORT -t "$RUNTIME" -l 128K -P "$1" -J > "$work/i.json" 2>/dev/null || true
  wait $server 2>/dev/null || true
  python3 - "$work/i.json" "$RUNTIME" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); e = d["end"]; secs = float(sys.argv[2])
sent = e["sum_sent"]
cpu = (e["cpu_utilization_percent"]["host_total"] + e["cpu_utilization_percent"]["remote_total"]) / 100 * secs
print(sent["bits_per_second"] / 1e9, cpu / sent["bytes"] * 1e9)
PY
}

printf "%-22s %8s %10s %10s %8s %8s   %s\n" case round swio_Gb/s iperf_Gb/s gbit× cpu/B× "fio net"
for streams in 1 4; do
  for ((r = 1; r <= ROUNDS; r++)); do
    read -r sg sc < <(swio_run $streams); PORT=$((PORT + 10))
    read -r ig ic < <(iperf_run $streams); PORT=$((PORT + 10))
    f=$(fio_run $streams); PORT=$((PORT + 10))
    python3 -c "import sys; sg,sc,ig,ic=map(float,sys.argv[2:6]); print(f'{sys.argv[1]:22s} {int(sys.argv[7]):8d} {sg:10.1f} {ig:10.1f} {sg/ig:8.2f} {sc/ic:8.2f}   {sys.argv[6]}')" \
      "tcp 128k x$streams" "$sg" "$sc" "$ig" "$ic" "$f" "$r"
  done
done

# Connections in one job: netkevent and neturing with 1, 10, 100 and 1000 connections (a sender
# and a receiver job of the same engine), 64 KiB messages.
echo
printf "%-24s %12s %12s %12s\n" case Gbit/s send_cpu/B recv_cpu/B
for e in netkevent neturing; do
  for n in 1 10 100 1000; do
    PORT=$((PORT + 10))
    "$SWIO" --output-format=json --ioengine=$e --port=$PORT --bs=64k --size=100g --time_based --runtime="$RUNTIME" \
      --connections=$n --iodepth=$n --name=s --rw=write --hostname=127.0.0.1 --name=r --rw=read --listen > "$work/c.json" 2>"$work/c.err" ||
      { printf "%-24s failed: %s\n" "$e x$n" "$(tail -1 "$work/c.err")"; continue; }
    python3 - "$work/c.json" "$e x$n" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); j = {x["jobname"]: x for x in d["jobs"]}
def cpu(x): return (x["usr_cpu"] + x["sys_cpu"]) / 100 * x["job_runtime"] / 1000
s, r = j["s"], j["r"]; moved = s["write"]["io_bytes"]
print(f"{sys.argv[2]:24s} {s['write']['bw_bytes'] * 8 / 1e9:12.2f} {cpu(s) / moved * 1e9:12.3f} {cpu(r) / max(1, r['read']['io_bytes']) * 1e9:12.3f}")
PY
  done
done
