#pragma once

// Staffing advice: how many counters a group of services needs so that a
// target share of customers is called within the target wait, by the Erlang C
// (M/M/N) model. Pure: every time comes in as an argument.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/domain/types.h"

namespace lobbyq::domain {

class Branch;

// The share of customers to call within the target wait when nobody says
// otherwise (the classic 80/20 of call centres).
inline constexpr double kTargetServiceLevel = 0.8;

// Probability that a customer has to wait at all (Erlang C) with `servers`
// counters and `offered_load` Erlangs. 1 when servers <= offered_load (the
// queue grows without bound), 0 when there is no load.
double ErlangC(int servers, double offered_load);

// Probability that a customer is called within `target_wait`:
// P(W <= t) = 1 - C * exp(-(N - A) t / S). 0 when servers <= offered_load,
// 1 when there is no load.
double ServiceLevel(int servers, double offered_load, absl::Duration mean_service,
                    absl::Duration target_wait);

struct StaffingInput {
  double arrivals_per_hour = 0;
  absl::Duration mean_service;
  absl::Duration target_wait;
  double target_service_level = kTargetServiceLevel;
};

struct StaffingResult {
  double offered_load = 0;            // Erlangs
  int counters_needed = 0;            // Erlang C
  int square_root_rule = 0;           // ceil(A + beta sqrt(A)), a sanity check
  double expected_service_level = 0;  // with counters_needed
};

// The smallest N whose ServiceLevel reaches the target; 0 counters (and an
// expected service level of 1) when there are no arrivals or no service time.
// A target of 1 or more is read as 0.999999, which some finite N reaches.
StaffingResult AdviseCounters(const StaffingInput& input);

// The beta of the square-root rule for a target service level: the Halfin-Whitt
// quality-of-service parameter that makes the delay probability equal to
// 1 - target (see staffing.cc).
double SquareRootBeta(double target_service_level);

// Groups of services that share counters (connected through counter profiles,
// whatever the counters' state): the codes of each group sorted, the groups in
// the order of their first service in `services`. A service no counter serves
// is a group alone; profile codes that are not in `services` are ignored.
std::vector<std::vector<std::string>> ServiceGroups(const std::vector<ServiceConfig>& services,
                                                    const std::map<uint32_t, Counter>& counters);

// Staffing advice for "now" for one group, with what went into it.
struct LiveStaffing {
  std::vector<std::string> service_codes;
  double arrivals_per_hour = 0;
  absl::Duration mean_service;
  absl::Duration target_wait;
  double target_service_level = kTargetServiceLevel;
  StaffingResult result;
  int counters_open = 0;
  bool understaffed = false;  // counters_open < result.counters_needed
};

// How the live advice looks back (see staffing.cc for why these numbers).
inline constexpr absl::Duration kLiveWindow = absl::Hours(1);
inline constexpr absl::Duration kMinLiveWindow = absl::Minutes(15);
// Observed service times needed before they count as much as the configured
// expected_service_time.
inline constexpr int kServicePriorWeight = 5;

// Per service group, advice from the arrivals of the last hour (or since the
// first ticket of the business day, at least kMinLiveWindow), the service
// times of the last hour blended with the configured ones, the strictest
// target of the group, and the open counters serving it.
std::vector<LiveStaffing> LiveStaffingAdvice(const Branch& branch, absl::Time now);

}  // namespace lobbyq::domain
