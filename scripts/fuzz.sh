#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang in build-fuzz/ and runs
# each for a bounded time over a scratch copy of its seed corpus. Fails on any
# crash, leak, timeout or out-of-memory; the input that found it is left in
# build-fuzz/fuzz-out/<target>/ (add it to tests/fuzz/regressions/<target>/
# once fixed). CI runs it after the sanitizer tests.
#   FUZZ_SECONDS  seconds per target (default 20)
#   FUZZ_TARGETS  which targets (default all)
#   FUZZ_BUILD    the build directory (default build-fuzz; CI passes build-asan,
#                 which scripts/test-sanitizers.sh has built the same way)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh

SECONDS_PER_TARGET="${FUZZ_SECONDS:-20}"
TARGETS=(${FUZZ_TARGETS:-kiosk counter appointment admin lobby config fields})
BUILD="${FUZZ_BUILD:-build-fuzz}"

source scripts/sanitizer-build.sh
configure_sanitizer_build "$BUILD"
cmake --build "$BUILD" -j2 --target $(printf 'fuzz_%s ' "${TARGETS[@]}")

OUT="$BUILD/fuzz-out"
rm -rf "$OUT"
mkdir -p "$OUT"
# Leaks fail like crashes; a slow input (> 10 s) or > 2 GB of memory is a finding too.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

failed=()
summary=()
start=$(date +%s)
for t in "${TARGETS[@]}"; do
  corpus="$OUT/$t/corpus"
  mkdir -p "$corpus"
  cp tests/fuzz/corpus/"$t"/* "$corpus"/
  [ -d tests/fuzz/regressions/"$t" ] && cp tests/fuzz/regressions/"$t"/* "$corpus"/ 2>/dev/null || true
  log="$OUT/$t/log.txt"
  echo "== fuzz_$t: ${SECONDS_PER_TARGET}s"
  if "$BUILD/tests/fuzz/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 \
      -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
      -artifact_prefix="$OUT/$t/" "$corpus" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$t")
    grep -E "lobbyq fuzz finding|ERROR:|SUMMARY|runtime error|Test unit written" "$log" | head -20 || true
  fi
  runs=$(grep -E "^stat::number_of_executed_units:" "$log" | awk '{print $2}' || true)
  cov=$(grep -E "^#[0-9]+.*(DONE|cov:)" "$log" | tail -1 | grep -oE "cov: [0-9]+" || true)
  summary+=("$(printf '%-12s %-7s %10s execs  %s  corpus %s' "$t" "$status" "${runs:-?}" \
    "${cov:-cov: ?}" "$(ls "$corpus" | wc -l)")")
done
echo "== fuzzing took $(( $(date +%s) - start ))s"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]} (logs and inputs in $OUT/)" >&2
  exit 1
fi
