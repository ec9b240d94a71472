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
"$SWIO" baseline -t --direct "$TARGET" >&2
SWIO_TARGET=$TARGET "$SWIO" run --baseline auto "$@" jobs/kevent-vs-sync.fio
