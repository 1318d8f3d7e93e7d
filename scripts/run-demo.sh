#!/usr/bin/env bash
# First README command: install what is missing, build, and run the server with the
# demo branch on 127.0.0.1:50051 and its database in ./lobbyq-data/. Extra
# arguments go to lobbyq-server (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target lobbyq-server lobbyq-kiosk lobbyq-counter lobbyq-admin
exec ./build/server/lobbyq-server "$@"
