# Sourced by scripts/test-sanitizers.sh and scripts/fuzz.sh: one configuration
# for both, so CI builds the sanitizer tree once and runs the whole test suite
# and then the fuzzers from it.
#
# clang with AddressSanitizer (leaks included), UndefinedBehaviorSanitizer and
# libFuzzer's coverage on everything (LOBBYQ_FUZZ=ON, see CMakeLists.txt); only
# the fuzz targets link libFuzzer's main(). -O2 keeps the fuzzers and the crash
# harness fast; line tables keep file and line in every report.
configure_sanitizer_build() {
  CC=clang CXX=clang++ cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only -DNDEBUG" \
    -DLOBBYQ_BUILD_TESTS=ON -DLOBBYQ_FUZZ=ON >/dev/null
}
