#!/usr/bin/env bash
# What --metrics-listen costs the I/O path: null-engine (and psync on /dev/shm) runs with and
# without the live endpoint, scraped every second as Prometheus would, alternated in pairs so
# drift hits both; prints each pair's IOPS ratio and the median. Usage: bench/metrics.sh [pairs] [seconds]
set -euo pipefail
source "$(dirname "$0")/common.sh"
PAIRS=${1:-5}
SECS=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work" "$SHM"' EXIT

iops() {   # engine, extra args...
  local engine=$1; shift
  "$SWIO" --output-format=json --name=m --ioengine="$engine" --rw=randread --bs=4k --size=256m --filename="$SHM" \
    --time_based --runtime="$SECS" "$@" 2>"$work/err" | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["read"]["iops"])'
}

# Scrapes the endpoint swio names on stderr once a second until swio exits; counts good scrapes.
scraped() {
  python3 - "$work/err" <<'PY' &
import re, sys, time, urllib.request
port, good = None, 0
for _ in range(400):
    m = re.search(r"127\.0\.0\.1:(\d+)/metrics", open(sys.argv[1]).read())
    if m: port = m.group(1); break
    time.sleep(0.05)
while port:
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read()
        good += b"swio_ios_total" in body
    except Exception:
        break
    time.sleep(1)
open(sys.argv[1] + ".scrapes", "w").write(str(good))
PY
}

"$FIO" --name=layout --filename="$SHM" --size=256m --rw=write --bs=1m >/dev/null
printf "%-8s %5s %14s %14s %7s %8s\n" engine pair plain_iops metrics_iops ratio scrapes
for engine in ${ENGINES:-null psync}; do
  ratios=()
  for i in $(seq 1 "$PAIRS"); do
    plain=$(iops "$engine")
    : > "$work/err"
    scraped
    live=$(iops "$engine" --metrics-listen=127.0.0.1:0)
    wait
    r=$(python3 -c "print(f'{$live / $plain:.4f}')")
    ratios+=("$r")
    printf "%-8s %5d %14.0f %14.0f %7s %8s\n" "$engine" "$i" "$plain" "$live" "$r" "$(cat "$work/err.scrapes")"
  done
  python3 -c 'import statistics,sys; print(f"{sys.argv[1]:8s} median metrics/plain IOPS ratio: {statistics.median(map(float, sys.argv[2:])):.4f}")' "$engine" "${ratios[@]}"
done
