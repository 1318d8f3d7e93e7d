#!/usr/bin/env bash
# Runs the in-process benchmarks of bench/micro and keeps what they print.
#   bench/micro/run.sh BUILD_DIR
# BUILD_DIR was configured with -DLOBBYQ_BUILD_BENCH=ON and the three
# lobbyq-bench-* targets are built. Results go to $LOBBYQ_BENCH_RESULTS
# (default bench/results/): domain.json (Google Benchmark's JSON) and a .txt
# per program. The recovery database ($LOBBYQ_BENCH_EVENTS events, default
# 1,000,000) is made there on the first run and reused afterwards: making it
# takes a quarter of an hour on two cores.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
bin="$1/bench/micro"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="${LOBBYQ_BENCH_RESULTS:-$repo/bench/results}"
events="${LOBBYQ_BENCH_EVENTS:-1000000}"
mkdir -p "$out"
for b in lobbyq-bench-domain lobbyq-bench-recovery lobbyq-bench-memory; do
  [ -x "$bin/$b" ] || { echo "$bin/$b is missing: build it first" >&2; exit 1; }
done

echo "== domain (Google Benchmark) -> $out/domain.{txt,json}"
"$bin/lobbyq-bench-domain" --benchmark_out="$out/domain.json" --benchmark_out_format=json \
  --benchmark_min_time="${LOBBYQ_BENCH_MIN_TIME:-0.5}" 2>&1 | tee "$out/domain.txt"

echo "== recovery of $events events -> $out/recovery-{warm,cold}.txt"
# The first run makes the database if needed (and then measures in a fresh
# process); the second finds the file in the page cache, the third does not.
"$bin/lobbyq-bench-recovery" --db "$out/recovery.db" --events "$events" 2>&1 |
  grep -v '\[info\]' | tee "$out/recovery-first.txt"
"$bin/lobbyq-bench-recovery" --db "$out/recovery.db" --events "$events" 2>&1 |
  grep -v '\[info\]' | tee "$out/recovery-warm.txt"
"$bin/lobbyq-bench-recovery" --db "$out/recovery.db" --events "$events" --cold 2>&1 |
  grep -v '\[info\]' | tee "$out/recovery-cold.txt"

echo "== memory -> $out/memory.txt"
"$bin/lobbyq-bench-memory" --dir "$out" 2>&1 | grep -v '\[info\]' | tee "$out/memory.txt"
