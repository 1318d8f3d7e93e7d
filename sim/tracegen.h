#pragma once

// Synthetic arrival traces for lobbyq-sim: Poisson arrivals whose rate follows
// an hour-of-day profile, log-normal service times, a priority mix, and
// customers who give up after a patience drawn per customer.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/replay.h"

namespace lobbyq::sim {

struct TraceOptions {
  uint64_t seed = 1;
  double open_hours = 8;  // arrivals from 0 to this many hours
  // Relative arrival rate per hour since opening (cycled if shorter than the
  // day); the mean over the day is `arrivals_per_hour`.
  std::vector<double> hourly_profile = {0.7, 1.3, 1.4, 1.0, 0.8, 1.1, 1.2, 0.5};
  double arrivals_per_hour = 60;
  // Services with their share of arrivals and mean service time.
  std::vector<std::string> services = {"A", "B"};
  std::vector<double> service_shares = {0.6, 0.4};
  std::vector<double> mean_service_s = {240, 420};
  double service_sigma = 0.8;  // of the log-normal: 0.8 is a heavy right tail
  double vip_share = 0.15;
  double green_share = 0.1;
  double appointment_share = 0.05;
  double abandon_share = 0.3;  // customers with a finite patience
  double mean_patience_s = 1800;
};

std::vector<TraceRow> GenerateTrace(const TraceOptions& options);
std::string TraceCsv(const std::vector<TraceRow>& trace);

}  // namespace lobbyq::sim
