#pragma once

// A lobby day simulated through the real domain code (Branch and its calling
// policy) under a virtual clock, to measure what a strategy does to the waits
// of each class: Poisson arrivals, exponential service times, every counter
// calling the moment it is free.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/domain/types.h"

namespace lobbyq::sim {

struct FairnessOptions {
  uint64_t seed = 1;
  int days = 50;
  absl::Duration day_length = absl::Hours(8);  // arrivals stop after this
  int counters = 4;
  double load = 0.9;         // offered load: arrival rate x mean service time / counters
  double green_share = 0.5;  // share of arrivals in the green channel
  absl::Duration mean_service = absl::Minutes(5);
  absl::Duration target_wait = absl::Minutes(10);
  absl::Duration max_wait = absl::ZeroDuration();  // 0 = twice the target
  domain::CallStrategy strategy = domain::CallStrategy::kInOrder;
  std::string counted_rules = "green_channel:2,normal";
  bool green_counter = false;  // counter 1 is a green-channel counter
};

struct WaitStats {
  int64_t count = 0;
  absl::Duration mean;
  absl::Duration p50;
  absl::Duration p95;
  absl::Duration max;
  int64_t over_max_wait = 0;  // called after waiting longer than max_wait
};

struct FairnessResult {
  WaitStats normal;
  WaitStats green;
  WaitStats all;
  int64_t unserved = 0;  // must be 0: every ticket is called by the end of its day
};

// Two services (A 60% of arrivals, B 40%) and `counters` counters whose
// profiles alternate [A,B] and [B,A], all with `strategy`.
absl::StatusOr<FairnessResult> RunFairness(const FairnessOptions& options);

}  // namespace lobbyq::sim
