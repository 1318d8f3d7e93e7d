#!/usr/bin/env bash
# Second README command: install what is missing, build everything from clean in
# build-test/, and run every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
rm -rf build-test
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOBBYQ_BUILD_TESTS=ON
cmake --build build-test -j2
ctest --test-dir build-test --output-on-failure -j2 --timeout 600
