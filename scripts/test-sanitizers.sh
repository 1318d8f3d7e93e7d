#!/usr/bin/env bash
# Builds everything with AddressSanitizer (leaks included) and UndefinedBehaviorSanitizer
# in build-asan/ and runs every test there. CI runs it after the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
rm -rf build-asan
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
# -O1, as the sanitizers' own docs advise: the tests (the crash harness, the
# concurrency and property tests) run several times faster than at -O0, and -g1
# keeps file and line in every report.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLOBBYQ_BUILD_TESTS=ON \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DCMAKE_CXX_FLAGS="$SAN" -DCMAKE_EXE_LINKER_FLAGS="$SAN"
cmake --build build-asan -j2
# e2e_test_over_tls is the e2e suite again with TLS channels: under the sanitizers
# it would repeat the same server code; tls_test covers the TLS code itself.
ctest --test-dir build-asan --output-on-failure -j2 --timeout 600 -E '^e2e_test_over_tls$'
