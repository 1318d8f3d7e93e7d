#pragma once

// How long a ticket will wait until it is first called (docs/estimation.md).
//
// The estimate is a forward simulation of the branch's own calling policy
// (calling_policy.h) from its state now: the waiting tickets in their queues,
// the open counters with their profiles, strategies and counted rotations, the
// tickets being served, service times drawn from those observed recently (per
// service, scaled per counter; the configured expected time is the prior early
// in the day) and new arrivals of every service and class at the rates seen
// recently, so that higher classes that will overtake are counted. Several
// runs give a distribution of the wait; its median is the raw point.
//
// The point and the 80% range are then calibrated on recent errors: for each
// ticket called, the ratio of its actual wait to the raw point predicted when
// it was issued is remembered, and the median and the 10%/90% quantiles of the
// recent ratios correct the raw point and give the range. Before enough
// tickets were called, the range is the simulated runs' 10%..90%.
//
// The classic baselines (QL, LES, HOL) are computed alongside for comparison.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "server/domain/calling_policy.h"
#include "server/domain/types.h"

namespace lobbyq::domain {

struct WaitEstimate {
  absl::Duration point;  // what the customer is told
  absl::Duration low;    // the range holding about `coverage` of the waits
  absl::Duration high;
  // Baselines: QL = (ahead + 1) x mean service / servers, 0 when more counters
  // serving the queue are free than there are people ahead; LES = wait of the
  // last customer of the same service and class to be called; HOL = current
  // wait of the head of the ticket's line (same service and class).
  absl::Duration ql;
  absl::Duration les;
  absl::Duration hol;
  // Every simulated future calls the ticket at once: point and range are 0.
  bool counter_free_now = false;
  // The simulation's median before calibration; what the calibration learns from.
  absl::Duration raw_point;
};

struct EstimatorSettings {
  int runs = 48;                 // simulated futures per estimate
  double coverage = 0.8;         // of the range
  size_t service_samples = 300;  // recent service times kept per service
  // Pseudo-observations of the configured expected service time: the prior
  // dominates until a service has served a few customers.
  double prior_weight = 8;
  double prior_sigma = 0.6;  // log-normal spread of the prior
  absl::Duration arrival_window = absl::Minutes(30);
  size_t calibration_samples = 300;
  size_t min_calibration = 30;
  // Ratios are taken on wait + offset, so that short waits do not give wild ratios.
  absl::Duration calibration_offset = absl::Minutes(2);
  bool calibrate_point = false;
  absl::Duration horizon = absl::Hours(8);  // a wait longer than this is reported as this
};

// What the branch has seen recently, kept up to date from every ticket row the
// branch applies: service times, arrivals, the waits of called tickets and the
// errors of past predictions.
class WaitHistory {
 public:
  explicit WaitHistory(EstimatorSettings settings = {}) : settings_(settings) {}
  const EstimatorSettings& settings() const { return settings_; }

  // A ticket row was applied; `before` is null for a new or restored ticket.
  void Observe(const Ticket* before, const Ticket& after);
  // The estimate given when `ticket_id` was issued, so its actual wait can
  // calibrate later estimates. Forgotten once the ticket is called or leaves.
  void RecordPrediction(uint64_t ticket_id, const WaitEstimate& estimate);
  // That estimate, while the ticket waits; null otherwise.
  const WaitEstimate* GivenAtIssue(uint64_t ticket_id) const;

  // A counter's occupancy for a ticket of `service` (call to finish or
  // no-show), drawn from the recent ones, or the prior.
  absl::Duration SampleOccupancy(const ServiceConfig& service, uint32_t counter,
                                 std::mt19937_64& rng) const;
  // The mean of the same distribution.
  absl::Duration MeanOccupancy(const ServiceConfig& service) const;
  // Tickets issued per second recently for a service and class.
  double ArrivalRate(const std::string& service_code, PriorityClass priority, absl::Time now) const;
  // The wait of the last ticket of this service and class to be first called.
  std::optional<absl::Duration> LastWait(const std::string& service_code,
                                         PriorityClass priority) const;

  // Turns the simulated waits into the calibrated point and range.
  void Calibrate(std::vector<absl::Duration> simulated, WaitEstimate& out) const;

 private:
  struct ServiceTimes {
    std::deque<absl::Duration> recent;
  };
  struct CounterSpeed {
    double ratio_sum = 0;  // of observed / service mean at the time
    std::deque<double> recent;
  };
  void AddOccupancy(const Ticket& ticket, absl::Duration occupancy);

  EstimatorSettings settings_;
  std::map<std::string, ServiceTimes> service_times_;
  std::map<uint32_t, CounterSpeed> counter_speed_;
  // Issue times per (service, class rank), trimmed to the arrival window.
  std::map<std::pair<std::string, int>, std::deque<absl::Time>> arrivals_;
  std::optional<absl::Time> day_first_arrival_;
  std::optional<absl::Time> latest_arrival_;
  // The latest first call per (service, class rank): when, and after what wait.
  std::map<std::pair<std::string, int>, std::pair<absl::Time, absl::Duration>> last_wait_;
  absl::flat_hash_map<uint64_t, WaitEstimate> given_;  // of waiting tickets
  std::deque<double> ratios_;                          // (actual + offset) / (raw + offset)
};

// The state an estimate starts from: the branch's, borrowed.
struct EstimatorInput {
  const QueueIndex* waiting = nullptr;
  const std::map<uint32_t, Counter>* counters = nullptr;
  const absl::flat_hash_map<uint64_t, Ticket>* tickets = nullptr;
  const std::vector<ServiceConfig>* services = nullptr;
  const MaxWaits* max_waits = nullptr;
  const WaitHistory* history = nullptr;
  absl::Time now;
};

// The wait of the ticket with queue key `key` in `service_code`, from `now`.
// `in_queue` says whether the key already is in the waiting index (a waiting
// ticket) or stands for a ticket taken now. None when no open counter serves
// the service. `seed` makes the simulated futures reproducible.
std::optional<WaitEstimate> EstimateWait(const EstimatorInput& input,
                                         const std::string& service_code, PriorityClass priority,
                                         const QueueIndex::Key& key, bool in_queue, uint64_t seed);

}  // namespace lobbyq::domain
