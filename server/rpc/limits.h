#pragma once

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace lobbyq::rpc {

// What one caller or one branch may ask for (docs/security.md, "Limits").
struct Limits {
  // Walk-in tickets waiting, called or being served in one branch. A lobby
  // holds a few hundred people; far more means a runaway kiosk or a script.
  int max_live_tickets_per_branch = 2000;
  // Tickets (walk-in or check-in) one kiosk may take: a burst, then
  // a steady rate. A kiosk prints one ticket in a few seconds, so 20 a minute
  // is the most a real queue in front of it produces.
  int issue_burst = 10;
  double issues_per_minute = 20;
  // Largest request the server reads. The biggest real one, a branch with its
  // services and counters, is a few KiB.
  int max_message_bytes = 64 * 1024;
};

// A token bucket per caller, on the server's clock. Thread-safe.
class IssueRateLimiter {
 public:
  explicit IssueRateLimiter(const Limits& limits) : limits_(limits) {}

  // Takes one ticket's worth for `caller` at `now`: OK, or RESOURCE_EXHAUSTED
  // with a message a kiosk can show (both languages, and how long to wait).
  absl::Status Take(const std::string& caller, absl::Time now);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  const Limits limits_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

// RESOURCE_EXHAUSTED for a branch at its cap, in words a kiosk can show.
absl::Status LiveTicketCapReached(int cap);

}  // namespace lobbyq::rpc
