#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "lobbyq/v1/types.pb.h"

namespace lobbyq::load {

// The branches a run makes for itself, and who acts in each.
struct Plan {
  std::string prefix;  // branch ids are PREFIX-00001 ...
  int branches = 1;
  int kiosks_per_branch = 1;
  int counters_per_branch = 3;
  int watched_branches = 1;  // the first this many get a display device
  int parallelism = 8;       // set-up calls in flight
  // Tickets issued per branch before the measured phase, so the counters' first calls
  // find someone even when a short run reaches each of many branches only a few times.
  int prefill = 0;
};

struct Deployment {
  std::vector<std::string> branch_ids;
  std::vector<std::string> kiosk_tokens;           // branch * kiosks_per_branch + kiosk
  std::vector<std::string> display_tokens;         // one per watched branch
  std::vector<std::vector<v1::Ticket>> prefilled;  // per branch
};

std::string BranchId(const std::string& prefix, int index);

// Creates every branch (services A and B, counters 1..N serving A,B or B,A), a kiosk
// device per kiosk and a display device per watched branch, and opens every counter, with
// `plan.parallelism` calls in flight. The admin session does it all; PutDevice tokens are
// hashed cheaply, so even 10,000 branches set up in seconds to minutes. Then issues
// `plan.prefill` walk-in tickets per branch from its kiosks. Any failure ends
// the set-up with the call and branch that failed.
absl::StatusOr<Deployment> SetUp(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                                 const std::string& admin_token, const Plan& plan);

}  // namespace lobbyq::load
