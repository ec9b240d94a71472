#!/usr/bin/env bash
# How often `swio compare` cries wolf, and how often it catches a real slowdown, with its
# default thresholds and five repetitions a side (swio run --repeat 5).
#  - false alarms: K pairs of unchanged runs of one job on /dev/shm; a pair that exits 2 is one.
#  - detection: K pairs where NEW is capped (rate_iops) at SLOW of BASE's median IOPS; a pair
#    that exits 2 is a catch.
# Usage: [K=20] [SLOW=0.95] [RUNTIME=1] bench/compare-noise.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
K=${K:-20}
SLOW=${SLOW:-0.95}
RUNTIME=${RUNTIME:-1}
work=$(mktemp -d)
trap 'rm -rf "$work" "$SHM"' EXIT
"$FIO" --name=layout --filename="$SHM" --size=256m --rw=write --bs=1m >/dev/null
JOB=(--name=r --ioengine=psync --rw=randread --bs=4k --size=256m --filename="$SHM" --time_based --runtime="$RUNTIME")
run() { "$SWIO" --output-format=json --repeat 5 "${JOB[@]}" "$@" > "$1.json" 2>/dev/null; }
median_iops() {
  python3 - "$1" <<'PY'
import json, sys, statistics
t = open(sys.argv[1]).read(); dec = json.JSONDecoder(); i = 0; v = []
while i < len(t):
    while i < len(t) and t[i].isspace(): i += 1
    if i >= len(t): break
    o, i = dec.raw_decode(t, i); v.append(o["jobs"][0]["read"]["iops"])
print(int(statistics.median(v)))
PY
}
alarms=0; caught=0
for ((k = 1; k <= K; k++)); do
  "$SWIO" --output-format=json --repeat 5 "${JOB[@]}" > "$work/base.json" 2>/dev/null
  "$SWIO" --output-format=json --repeat 5 "${JOB[@]}" > "$work/same.json" 2>/dev/null
  s=0; "$SWIO" compare "$work/base.json" "$work/same.json" >/dev/null || s=$?
  [[ $s == 2 ]] && alarms=$((alarms + 1))
  cap=$(python3 -c "print(int($(median_iops "$work/base.json") * $SLOW))")
  "$SWIO" --output-format=json --repeat 5 "${JOB[@]}" --rate_iops="$cap" > "$work/slow.json" 2>/dev/null
  s=0; "$SWIO" compare "$work/base.json" "$work/slow.json" >/dev/null || s=$?
  [[ $s == 2 ]] && caught=$((caught + 1))
  echo "pair $k/$K: false alarms $alarms, caught $caught (cap $cap)" >&2
done
python3 -c "print(f'false alarms: {$alarms}/{$K} = {$alarms/$K:.0%}   caught ({(1-$SLOW)*100:.0f}% slower): {$caught}/{$K} = {$caught/$K:.0%}')"
