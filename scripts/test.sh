#!/usr/bin/env bash
# Second README command: install what is missing, build everything from clean in
# build-test/, and run every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
rm -rf build-test
# -g1 (line tables only): a failure's backtrace still names file and line, and the
# build takes about a quarter less time than with full debug information.
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOBBYQ_BUILD_TESTS=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
cmake --build build-test -j2
ctest --test-dir build-test --output-on-failure -j2 --timeout 600
