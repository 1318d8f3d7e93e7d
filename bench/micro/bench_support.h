#pragma once

// What the in-process benchmarks share: the demo branch's shape, branches with
// a queue of a given length built straight from a snapshot, and this
// process's memory as the kernel counts it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "server/domain/branch.h"
#include "server/domain/types.h"

namespace lobbyq::bench {

// The shape of server/demo.cc's DemoBranch (four services, six counters: a
// green-channel in_order counter, a longest_wait one and a counted one over
// every service). Copied rather than linked: DemoBranch lives in the server
// library, which would drag gRPC and the whole rpc layer into these programs.
domain::BranchDefinition DemoShape(const std::string& branch_id);

absl::TimeZone Shanghai();

// Which classes the waiting tickets have.
enum class QueueMix {
  kNormal,  // every ticket NORMAL
  // 70% NORMAL, 15% VIP, 10% GREEN_CHANNEL, 5% APPOINTMENT: the classes the
  // policy ranks and the counted counter rotates over.
  kMixed,
};

// A demo-shaped branch with `waiting` WAITING tickets, spread over the
// services 40/30/15/15, one issued every 30 s up to `now` (so the arrival
// rates the estimator sees are the same whatever the length). Every counter
// is open; counters 2, 4 and 5 are serving someone, 1, 3 and 6 are free to
// call. A few hundred finished tickets give the estimator service times.
//
// Built from a BranchSnapshot as a restart would, not by issuing: the domain
// numbers tickets 1..999 per service, so the commands cannot put more than
// 4 x 999 tickets in this branch's queues (the RPC layer's cap,
// live_tickets_per_branch, defaults to 2,000). Numbers therefore repeat past
// 998 per service; nothing measured here looks at them, and 999 stays free so
// that one more ticket can still be issued.
std::unique_ptr<domain::Branch> BranchWithQueue(size_t waiting, QueueMix mix, absl::Time now);

// VmRSS and VmHWM of this process, in bytes (0 if /proc cannot be read).
struct Memory {
  int64_t rss = 0;
  int64_t hwm = 0;
};
Memory CurrentMemory();

}  // namespace lobbyq::bench
