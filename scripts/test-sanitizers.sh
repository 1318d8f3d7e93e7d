#!/usr/bin/env bash
# Builds everything with AddressSanitizer (leaks included) and UndefinedBehaviorSanitizer
# in build-asan/ and runs every test there. CI runs it after the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
rm -rf build-asan
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLOBBYQ_BUILD_TESTS=ON \
  -DCMAKE_CXX_FLAGS="$SAN" -DCMAKE_EXE_LINKER_FLAGS="$SAN"
cmake --build build-asan -j2
ctest --test-dir build-asan --output-on-failure -j2 --timeout 600
