#!/usr/bin/env bash
# Fuzzes swio's readers of untrusted input (Sources/SwioFuzzTargets) with libFuzzer, each
# target for a while, starting from fuzz/corpus/TARGET. A crash, a hang (-timeout) or a
# breach of a reader's contract stops the run, leaves the input in fuzz/crashes/ and fails.
# Once fixed, copy that input into fuzz/corpus/TARGET: the test suite replays the corpus.
# Usage: bash fuzz/run.sh [seconds per target, default 30] [target ...]
# CI runs 20 s each (make fuzz-short); docs/fuzzing.md has the longer runs.
set -euo pipefail
cd "$(dirname "$0")/.."
EACH=${1:-30}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(jobfile cmdline baseline report)
export PATH="/opt/swift/usr/bin:$PATH"
# Instrumented for coverage and checked by AddressSanitizer; its own build folder, so the
# normal build is untouched. -DFUZZING swaps the replay main for libFuzzer's entry point.
swift build --scratch-path .build-fuzz --product swio-fuzz -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address >/dev/null
bin=.build-fuzz/debug/swio-fuzz
mkdir -p fuzz/crashes
status=0
for t in "${targets[@]}"; do
  work=$(mktemp -d)
  dict=()
  [[ -f fuzz/$t.dict ]] && dict=(-dict="fuzz/$t.dict")
  echo "fuzz: $t for ${EACH}s" >&2
  # New inputs go to the scratch folder (the first); the kept corpus only seeds the run.
  if ! SWIO_FUZZ=$t "$bin" "$work" "fuzz/corpus/$t" "${dict[@]}" -max_total_time="$EACH" -timeout=10 \
      -rss_limit_mb=4096 -max_len=4096 -artifact_prefix="fuzz/crashes/$t-" -print_final_stats=1 2>"$work.log"; then
    tail -40 "$work.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$work.log" | tail -2 >&2
  fi
  rm -rf "$work" "$work.log"
done
exit $status
