#!/usr/bin/env bash
# Checks that fio-plot (PyPI) still renders swio's JSON: swio writes randread reports at queue
# depths 1, 2 and 4 under the file names fio-plot's bench-fio would use, then fio-plot draws its
# 2D IOPS/latency chart and a latency histogram from them. Not part of `make test` (it installs
# matplotlib from PyPI); run it by hand or in a scheduled job: bash tools/fio-plot-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SWIO=${SWIO:-.build/release/swio}
[ -x "$SWIO" ] || swift build -c release
work=$(mktemp -d /tmp/swio-fio-plot.XXXXXX)
trap 'rm -rf "$work" /dev/shm/swio-fio-plot' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q fio-plot
mkdir -p "$work/data"
for depth in 1 2 4; do
  "$SWIO" --name=randread --ioengine=libaio --rw=randread --bs=4k --iodepth=$depth --numjobs=1 \
    --size=32m --filename=/dev/shm/swio-fio-plot --time_based --runtime=1 \
    --output-format=json+ --output="$work/data/randread-$depth-1.json"
done
"$work/venv/bin/fio-plot" -i "$work/data" -T swio -l -r randread -n 1 -d 1 2 4 -o "$work/iops-latency.png"
"$work/venv/bin/fio-plot" -i "$work/data" -T swio -H -r randread -n 1 -d 4 -o "$work/histogram.png"
for png in iops-latency histogram; do
  size=$(stat -c %s "$work/$png.png")
  [ "$size" -gt 20000 ] || { echo "fio-plot drew an empty $png.png ($size bytes)" >&2; exit 1; }
  echo "fio-plot drew $png.png from swio's JSON ($size bytes)"
done
# The merged report of a run on MPI (fio's client/server layout), where Open MPI is installed:
# fio-plot draws its IOPS/latency chart from client_stats (its histogram, -H, reads no
# client/server JSON, fio's own --client output included).
if command -v mpirun >/dev/null; then
  mkdir -p "$work/mpi"
  for depth in 1 2 4; do
    mpirun --oversubscribe --allow-run-as-root -np 2 "$SWIO" --name=randread --ioengine=libaio --rw=randread --bs=4k \
      --iodepth=$depth --numjobs=1 --size=32m --filename=/dev/shm/swio-fio-plot --time_based --runtime=1 \
      --output-format=json+ --output="$work/mpi/randread-$depth-1.json" 2>/dev/null
  done
  "$work/venv/bin/fio-plot" -i "$work/mpi" -T swio-mpi -l -r randread -n 1 -d 1 2 4 -o "$work/mpi.png"
  size=$(stat -c %s "$work/mpi.png")
  [ "$size" -gt 20000 ] || { echo "fio-plot drew an empty mpi.png ($size bytes)" >&2; exit 1; }
  echo "fio-plot drew mpi.png from swio's merged MPI report ($size bytes)"
fi
