// lobbyq-tracegen: writes a synthetic arrival trace for lobbyq-sim
// (sim/tracegen.h). Deterministic for a given --seed.

#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "sim/tracegen.h"

int main(int argc, char** argv) {
  CLI::App app{"Writes a synthetic lobby arrival trace (CSV) to standard output"};
  lobbyq::sim::TraceOptions o;
  app.add_option("--seed", o.seed, "random seed")->capture_default_str();
  app.add_option("--hours", o.open_hours, "hours of arrivals")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--per-hour", o.arrivals_per_hour, "mean arrivals per hour")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--profile", o.hourly_profile, "relative rate per hour since opening")
      ->capture_default_str();
  app.add_option("--services", o.services, "service codes")->capture_default_str();
  app.add_option("--shares", o.service_shares, "share of arrivals per service")
      ->capture_default_str();
  app.add_option("--mean-service-s", o.mean_service_s, "mean service seconds per service")
      ->capture_default_str();
  app.add_option("--sigma", o.service_sigma, "log-normal sigma of service times")
      ->capture_default_str();
  app.add_option("--vip", o.vip_share, "share of VIP arrivals")->capture_default_str();
  app.add_option("--green", o.green_share, "share of green-channel arrivals")
      ->capture_default_str();
  app.add_option("--appointment", o.appointment_share, "share of appointment arrivals")
      ->capture_default_str();
  app.add_option("--abandon", o.abandon_share, "share of customers who may give up")
      ->capture_default_str();
  app.add_option("--mean-patience-s", o.mean_patience_s, "mean patience of those, seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (o.services.empty() || o.services.size() != o.service_shares.size() ||
      o.services.size() != o.mean_service_s.size()) {
    std::cerr << "lobbyq-tracegen: --services, --shares and --mean-service-s need one value each "
                 "per service\n";
    return 2;
  }
  const auto positive = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) {
      if (!(x >= 0)) return false;
      sum += x;
    }
    return sum > 0;
  };
  if (!positive(o.hourly_profile) || !positive(o.service_shares)) {
    std::cerr << "lobbyq-tracegen: --profile and --shares need values >= 0, not all 0\n";
    return 2;
  }
  for (double mean : o.mean_service_s) {
    if (!(mean > 0)) {
      std::cerr << "lobbyq-tracegen: --mean-service-s values must be above 0\n";
      return 2;
    }
  }
  std::cout << lobbyq::sim::TraceCsv(lobbyq::sim::GenerateTrace(o));
  return 0;
}
