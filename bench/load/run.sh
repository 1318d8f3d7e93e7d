#!/usr/bin/env bash
# The mixed load at several branch counts, a fresh server for each, then a markdown table.
# Usage: bench/load/run.sh BUILD_DIR
# Environment: SIZES (default "1 100 1000 10000"), CONCURRENCY (64), DURATION (15 s per
# phase), CHANNELS (4), LOAD_ARGS (more lobbyq-load flags), DURABILITY (full or normal,
# default full), SERVER_ARGS (more lobbyq-server flags, e.g. "--threads 4"), RESULTS_DIR
# (default bench/results) where load-B<branches>.json and summary.md go. Needs jq for
# the table.
set -euo pipefail
BUILD=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
LOAD="$BUILD/bench/load/lobbyq-load"
[[ -x $LOAD ]] || { echo "no $LOAD: build the lobbyq-load target" >&2; exit 1; }
SIZES=${SIZES:-"1 100 1000 10000"}
CONCURRENCY=${CONCURRENCY:-64}
DURATION=${DURATION:-15}
CHANNELS=${CHANNELS:-4}
RESULTS_DIR=${RESULTS_DIR:-$HERE/../results}
mkdir -p "$RESULTS_DIR"
RESULTS_DIR=$(cd "$RESULTS_DIR" && pwd)
WORK=$(mktemp -d)
SERVER_PID=
# shellcheck source=server-lib.sh
. "$HERE/server-lib.sh"
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=0
for branches in $SIZES; do
  echo "== $branches branches" >&2
  # shellcheck disable=SC2086
  start_server ${SERVER_ARGS:-}
  json="$RESULTS_DIR/load-B$branches.json"
  # Set-up of 10,000 branches takes a while; the phases themselves are bounded.
  # shellcheck disable=SC2086
  if ! timeout 1800 "$LOAD" --server "$SERVER_ADDR" --credentials "$CREDENTIALS" \
    --branches "$branches" --concurrency "$CONCURRENCY" --channels "$CHANNELS" \
    --duration "$DURATION" --json "$json" ${LOAD_ARGS:-} | tee "$RESULTS_DIR/load-B$branches.txt"; then
    echo "run: $branches branches FAILED (see $RESULTS_DIR/load-B$branches.txt)" >&2
    tail -n 20 "$WORK/server.log" >&2
    failed=1
  fi
  stop_server
done

summary="$RESULTS_DIR/summary.md"
{
  echo "# lobbyq-load: mixed load, $CONCURRENCY agents, $CHANNELS channels, ${DURATION} s per phase, durability ${DURABILITY:-full}${SERVER_ARGS:+, server $SERVER_ARGS}"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r); command: bench/load/run.sh (SIZES=\"$SIZES\")"
  echo
  echo "| branches | lobbyq ops/s | p50 ms | p99 ms | errors | floor ops/s | floor p50 ms | floor p99 ms | ops ratio | p99 ratio | verified |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:--|"
  for branches in $SIZES; do
    json="$RESULTS_DIR/load-B$branches.json"
    if [[ -s $json ]] && command -v jq >/dev/null; then
      jq -r --arg b "$branches" '"| \($b) | \(.lobbyq.ops_per_s|floor) | \(.lobbyq.p50_ms*1000|round/1000) | \(.lobbyq.p99_ms*1000|round/1000) | \(.lobbyq.errors) | \(.floor.ops_per_s|floor) | \(.floor.p50_ms*1000|round/1000) | \(.floor.p99_ms*1000|round/1000) | \(.ratio_ops*1000|round/1000) | \(.ratio_p99*1000|round/1000) | \(if .verification.ok then "yes" else "NO" end) |"' "$json"
    else
      echo "| $branches | (no result) | | | | | | | | | |"
    fi
  done
} >"$summary"
cat "$summary"
exit "$failed"
