#!/usr/bin/env bash
# Builds everything with clang, ASan (leaks included) and UBSan in build-asan/
# (scripts/sanitizer-build.sh) and runs every test there. CI runs it after the
# README's test command, then the fuzzers from the same build
# (FUZZ_BUILD=build-asan scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
source scripts/sanitizer-build.sh
rm -rf build-asan
configure_sanitizer_build build-asan
cmake --build build-asan -j2
# e2e_test_over_tls is the e2e suite again with TLS channels: under the sanitizers
# it would repeat the same server code; tls_test covers the TLS code itself.
ctest --test-dir build-asan --output-on-failure -j2 --timeout 600 -E '^e2e_test_over_tls$'
