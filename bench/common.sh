# Shared by the bench scripts (sourced): tools, target files, and FILTER.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SWIO=${SWIO:-.build/release/swio}
FIO=${FIO:-fio}
SHM=/dev/shm/swio-bench.dat
DISK=${BENCH_DIR:-/var/tmp}/swio-bench-direct.dat
[ -x "$SWIO" ] || swift build -c release >/dev/null
command -v "$FIO" >/dev/null || { echo "fio not installed (apt-get install fio)" >&2; exit 1; }

# FILTER=regex keeps only the cases (the global array, "name|args") whose name matches,
# e.g. FILTER='qd1 direct'.
filter_cases() {
  [[ -n ${FILTER:-} ]] || return 0
  local kept=() c
  for c in "${cases[@]}"; do [[ ${c%%|*} =~ $FILTER ]] && kept+=("$c"); done
  cases=("${kept[@]}")
}
