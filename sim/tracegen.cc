#include "sim/tracegen.h"

#include <cmath>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace lobbyq::sim {

std::vector<TraceRow> GenerateTrace(const TraceOptions& options) {
  std::mt19937_64 rng(options.seed);
  std::vector<TraceRow> trace;
  double profile_mean = 0;
  for (double p : options.hourly_profile) profile_mean += p;
  profile_mean /= static_cast<double>(options.hourly_profile.size());
  std::discrete_distribution<size_t> pick_service(options.service_shares.begin(),
                                                  options.service_shares.end());
  std::uniform_real_distribution<double> unit(0, 1);
  std::exponential_distribution<double> patience(1.0 / options.mean_patience_s);
  const double end_s = options.open_hours * 3600;
  // Thinning: draw at the peak rate and keep each arrival with rate(t)/peak.
  double peak = 0;
  for (double p : options.hourly_profile) peak = std::max(peak, p);
  const double peak_per_s = options.arrivals_per_hour * peak / profile_mean / 3600;
  std::exponential_distribution<double> gap(peak_per_s);
  for (double t = gap(rng); t < end_s; t += gap(rng)) {
    const size_t hour = static_cast<size_t>(t / 3600) % options.hourly_profile.size();
    if (unit(rng) * peak > options.hourly_profile[hour]) continue;
    TraceRow row;
    row.arrival_s = std::round(t * 10) / 10;
    const size_t s = pick_service(rng);
    row.service = options.services[s];
    const double kind = unit(rng);
    if (kind < options.appointment_share) {
      row.priority = domain::PriorityClass::kAppointment;
    } else if (kind < options.appointment_share + options.green_share) {
      row.priority = domain::PriorityClass::kGreenChannel;
    } else if (kind < options.appointment_share + options.green_share + options.vip_share) {
      row.priority = domain::PriorityClass::kVip;
    } else {
      row.priority = domain::PriorityClass::kNormal;
    }
    const double sigma = options.service_sigma;
    std::lognormal_distribution<double> service(
        std::log(options.mean_service_s[s]) - sigma * sigma / 2, sigma);
    row.service_s = std::max(10.0, std::round(service(rng)));
    // Appointment customers came for their slot: they do not give up.
    if (row.priority != domain::PriorityClass::kAppointment && unit(rng) < options.abandon_share) {
      row.patience_s = std::round(patience(rng));
    }
    trace.push_back(std::move(row));
  }
  return trace;
}

std::string TraceCsv(const std::vector<TraceRow>& trace) {
  std::string out = "arrival_s,service,priority,service_s,patience_s\n";
  for (const auto& row : trace) {
    absl::StrAppend(&out, absl::StrFormat("%.1f", row.arrival_s), ",", row.service, ",",
                    absl::AsciiStrToUpper(domain::Name(row.priority)), ",",
                    absl::StrFormat("%.0f", row.service_s), ",",
                    row.patience_s ? absl::StrFormat("%.0f", *row.patience_s) : "", "\n");
  }
  return out;
}

}  // namespace lobbyq::sim
