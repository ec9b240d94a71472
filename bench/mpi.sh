#!/usr/bin/env bash
# What running on MPI costs: for 2 to 64 ranks on this machine (oversubscribed), a small null
# job per rank; prints the time ranks waited at the group-start barrier (largest), rank 0's
# gather of the reports and their merge, and the start/end skew. Usage: bench/mpi.sh [ranks...]
set -euo pipefail
source "$(dirname "$0")/common.sh"
command -v mpirun >/dev/null || { echo "Open MPI not installed (apt-get install openmpi-bin)" >&2; exit 1; }
RANKS=${*:-2 4 8 16 32 64}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "%6s %12s %10s %10s %10s %10s %10s\n" ranks barrier_ms gather_ms merge_ms start_skew end_skew wall_s
for n in $RANKS; do
  start=$(date +%s.%N)
  mpirun --oversubscribe --allow-run-as-root -np "$n" "$SWIO" --name=b --ioengine=null --size=16m --output-format=json \
    > "$work/out.json" 2> "$work/err"
  end=$(date +%s.%N)
  python3 - "$work/out.json" "$n" "$start" "$end" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["swio"]["mpi"]
barrier = max(h.get("barrier_us", 0) for h in m["hosts"]) / 1000
print("%6s %12.1f %10.1f %10.1f %10d %10d %10.2f" % (sys.argv[2], barrier, m["gather_us"] / 1000, m["merge_us"] / 1000,
      m["start_skew_ms"], m["end_skew_ms"], float(sys.argv[4]) - float(sys.argv[3])))
PY
done
