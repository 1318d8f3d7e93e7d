#!/usr/bin/env bash
# CI smoke test of the load generator: a fresh server, a 3-second mixed run on a few
# branches, then checks the exit status and the keys of the JSON result.
# Usage: bench/load/smoke.sh BUILD_DIR   (needs lobbyq-server and lobbyq-load built)
set -euo pipefail
BUILD=$(cd "${1:?usage: smoke.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
LOAD="$BUILD/bench/load/lobbyq-load"
[[ -x $LOAD ]] || { echo "no $LOAD: build the lobbyq-load target" >&2; exit 1; }
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

start_server
status=0
timeout 120 "$LOAD" --server "$SERVER_ADDR" --credentials "$CREDENTIALS" --branches 3 \
  --concurrency 8 --channels 2 --duration 3 --warmup 0.5 --json "$WORK/result.json" ||
  status=$?
if [[ $status -ne 0 ]]; then
  echo "smoke: lobbyq-load failed with status $status; server log:" >&2
  tail -n 30 "$WORK/server.log" >&2
  exit 1
fi
for key in lobbyq.ops_per_s lobbyq.p50_ms lobbyq.p99_ms lobbyq.errors floor.ops_per_s \
  floor.p50_ms floor.p99_ms ratio_ops ratio_p99 verification.ok; do
  if command -v jq >/dev/null; then
    jq -e ".${key} != null" "$WORK/result.json" >/dev/null ||
      { echo "smoke: result JSON lacks $key" >&2; exit 1; }
  else
    grep -q "\"${key##*.}\"" "$WORK/result.json" ||
      { echo "smoke: result JSON lacks $key" >&2; exit 1; }
  fi
done
if command -v jq >/dev/null; then
  jq -e '.lobbyq.ops > 0 and .floor.ops > 0 and .lobbyq.errors == 0 and .verification.ok' \
    "$WORK/result.json" >/dev/null || { echo "smoke: implausible result" >&2; exit 1; }
fi
echo "smoke: OK"
