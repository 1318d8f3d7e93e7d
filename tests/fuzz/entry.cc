// libFuzzer's entry point for one target; LOBBYQ_FUZZ_RUN names its function
// in harness.h (set per target by CMakeLists.txt).

#include <cstddef>
#include <cstdint>

#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return lobbyq::fuzz::LOBBYQ_FUZZ_RUN(data, size);
}
