#!/usr/bin/env bash
# Runs jobs/kevent-vs-sync.fio against a scratch target: a loop device over a 512 MiB image
# (direct-io=on) where loop devices work, else the image file itself.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIO=${SWIO:-.build/release/swio}
IMG=${KEVENT_IMG:-/var/tmp/swio-kevent.img}
[ -f "$IMG" ] || { head -c $((512 << 20)) /dev/urandom > "$IMG"; sync; }
TARGET=$IMG
LOOP=""
if LOOP=$(losetup -f --show --direct-io=on "$IMG" 2>/dev/null); then
  TARGET=$LOOP
  trap 'losetup -d "$LOOP"' EXIT
fi
echo "target: $TARGET" >&2
# Measure the hdparm -t --direct equivalent once, show it, and hand the saved figure to the run.
BASE=$(mktemp /tmp/swio-baseline.XXXXXX.json)
"$SWIO" baseline -t --direct --output-format=json --output "$BASE" "$TARGET"
python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["baselines"][0]; print(" Timing O_DIRECT disk reads: %d MB in %5.2f seconds = %.2f MB/sec" % (b["bytes"] >> 20, b["seconds"], b["mb_per_sec"]))' "$BASE" >&2
SWIO_TARGET=$TARGET "$SWIO" run --baseline "$BASE" "$@" jobs/kevent-vs-sync.fio
rm -f "$BASE"
