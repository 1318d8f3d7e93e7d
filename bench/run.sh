#!/usr/bin/env bash
# Every benchmark of docs/performance.md, from a fresh clone after the README's set-up:
# builds build-bench (RelWithDebInfo, Google Benchmark on), then runs the mixed load
# (bench/load/run.sh: 1, 100, 1,000 and 10,000 branches against a fresh server each)
# and the in-process benchmarks (bench/micro/run.sh). Results go to bench/results/.
#   bench/run.sh            # everything (about half an hour, most of it making the
#                           # 1M-event database on the first run)
#   bench/run.sh load       # only the mixed load
#   bench/run.sh micro      # only the in-process ones
# The environment variables of the two scripts pass through (SIZES, DURATION, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOBBYQ_BUILD_TESTS=OFF \
  -DLOBBYQ_BUILD_BENCH=ON >/dev/null
what=${1:-all}
case $what in
  load) targets=(lobbyq-server lobbyq-load) ;;
  micro) targets=(lobbyq-bench-domain lobbyq-bench-recovery lobbyq-bench-memory) ;;
  all) targets=(lobbyq-server lobbyq-load lobbyq-bench-domain lobbyq-bench-recovery
    lobbyq-bench-memory) ;;
  *) echo "usage: bench/run.sh [all|load|micro]" >&2; exit 2 ;;
esac
cmake --build build-bench -j2 --target "${targets[@]}"
if [[ $what != micro ]]; then bench/load/run.sh build-bench; fi
if [[ $what != load ]]; then bench/micro/run.sh build-bench; fi
