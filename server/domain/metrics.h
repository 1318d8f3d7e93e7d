#pragma once

// Metrics of one branch over a window, computed from its event log alone, and
// the per-hour staffing advice and the branch ranking built on them. Every
// definition is written once, in docs/metrics.md; this code is that page.
// Pure: the events, the configuration and the window come in as arguments.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/domain/staffing.h"
#include "server/domain/types.h"

namespace lobbyq::domain {

// How far before a window the caller should start the events it passes, so
// that a ticket issued or called before the window still has its issue and
// call times (docs/metrics.md, "History before the window").
inline constexpr absl::Duration kMetricsLookback = absl::Hours(24);
// The longest window GetMetrics accepts.
inline constexpr absl::Duration kMaxMetricsWindow = absl::Hours(31 * 24);

struct MetricsInput {
  // The window [from, to). Figures are attributed to the time of the event
  // that defines them; events at or after `to` are ignored.
  absl::Time from = absl::UnixEpoch();
  absl::Time to = absl::UnixEpoch();
  absl::TimeZone zone;  // the branch's, for the hour of day
  std::vector<ServiceConfig> services;
  std::map<uint32_t, Counter> counters;
  // Each counter's state just before the first event passed; a counter not
  // listed was closed.
  std::map<uint32_t, CounterState> counter_states;
};

// Nearest-rank summary of a set of durations; all zero when count is 0.
struct DurationSummary {
  int64_t count = 0;
  absl::Duration mean;
  absl::Duration p50;
  absl::Duration p90;
  absl::Duration p95;
  absl::Duration max;
  friend bool operator==(const DurationSummary&, const DurationSummary&) = default;
};

// The p-th percentile (0 < p <= 100) of `sorted` (ascending) by nearest rank:
// the value at rank ceil(p/100 x n). Zero for an empty set.
absl::Duration NearestRank(const std::vector<absl::Duration>& sorted, double p);
DurationSummary Summarize(std::vector<absl::Duration> values);

struct SliceMetrics {
  int64_t issued = 0;
  int64_t served = 0;
  int64_t no_show = 0;
  int64_t cancelled = 0;
  int64_t transferred = 0;
  DurationSummary wait;
  DurationSummary service_time;
  // First calls whose wait was within the target of the service the ticket
  // was issued for, out of the first calls with a known target.
  int64_t within_target = 0;
  int64_t with_target = 0;
  std::optional<double> service_level;  // unset when with_target is 0
  int64_t rated = 0;
  double mean_rating = 0;
  double satisfaction = 0;  // share of ratings >= 4
  double rating_usage = 0;  // rated / served
};

struct ServiceSlice {
  std::string code;
  std::string name_en;
  SliceMetrics metrics;
};

struct CounterSlice {
  uint32_t number = 0;
  std::string name;
  SliceMetrics metrics;
  absl::Duration busy;  // open with a ticket called (recalls included) or in service
  absl::Duration idle;  // open with no ticket
  absl::Duration paused;
  double utilization = 0;  // busy / (busy + idle); 0 when the counter was never open
};

struct HourSlice {
  int hour = 0;  // local hour of day, 0..23, summed over the days of the window
  SliceMetrics metrics;
  int counters_open = 0;  // the most counters open (not paused) at once in this hour
  // How much of the window falls in this hour of day (an hour per day of a
  // whole-day window; less for the hour the window starts or ends in).
  absl::Duration covered;
  std::map<std::string, int64_t> issued_by_service;
};

// A stretch of time a counter spent in one state, clipped to the window.
struct CounterInterval {
  enum class Kind { kIdle, kBusy, kPaused };
  uint32_t counter = 0;
  Kind kind = Kind::kIdle;
  absl::Time start = absl::UnixEpoch();
  absl::Time end = absl::UnixEpoch();
  friend bool operator==(const CounterInterval&, const CounterInterval&) = default;
};

struct BranchMetrics {
  absl::Time from = absl::UnixEpoch();
  absl::Time to = absl::UnixEpoch();
  SliceMetrics total;
  std::vector<ServiceSlice> services;  // configured ones in order, then any other seen
  std::vector<CounterSlice> counters;  // by number: configured ones and any other seen
  std::vector<HourSlice> by_hour;      // hours with any activity, in order
  std::vector<CounterInterval> intervals;
};

// `events` are one branch's, in log order (by seq), from at or before
// `input.from` (ideally from input.from - kMetricsLookback).
BranchMetrics ComputeMetrics(const std::vector<Event>& events, const MetricsInput& input);

// The most counters among `counters` open (idle or busy, not paused) at the
// same time, per local hour of day, over `metrics.intervals`.
std::array<int, 24> MostOpenAtOnce(const BranchMetrics& metrics, const absl::TimeZone& zone,
                                   const std::vector<uint32_t>& counters);

// Staffing advice for one group of services in one hour of day of a report.
struct HourStaffing {
  std::vector<std::string> service_codes;
  int hour = 0;
  StaffingInput input;
  StaffingResult result;
  int counters_open = 0;
  bool understaffed = false;
};

// Per service group (ServiceGroups) and hour of `metrics.by_hour`: arrivals =
// tickets issued in the group's services in that hour / the hours of the
// window in it; mean service = the group's observed mean service time over the
// whole window (the mean configured expected_service_time when nobody was
// served); target wait = the group's strictest; counters open = the most open
// at once in that hour whose profile has any of the group's services. A group
// with no arrivals and no counter open in an hour gets no entry.
std::vector<HourStaffing> StaffingByHour(const BranchMetrics& metrics, const MetricsInput& input);

struct RankingInput {
  std::string branch_id;
  std::string branch_name;
  std::optional<double> service_level;
  double satisfaction = 0;
};

struct Ranked {
  int rank = 0;  // 1 = best
  RankingInput branch;
  bool bottom = false;
};

// Best first: by service level, then satisfaction, then branch id. Branches
// with no service level (nobody called) come last and are never flagged. Of
// the others, the bottom three are flagged when there are more than three; with
// two or three, only the last; a branch alone is not flagged.
std::vector<Ranked> RankBranches(std::vector<RankingInput> branches);

}  // namespace lobbyq::domain
