// lobbyq-fairness: what each calling strategy does to the waits of normal and
// green-channel customers at a given load, simulated through the real domain
// code. Deterministic for a given --seed.

#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/strings/str_format.h"
#include "server/domain/types.h"
#include "sim/fairness.h"

namespace {

std::string Minutes(absl::Duration d) { return absl::StrFormat("%.1f", absl::ToDoubleMinutes(d)); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Simulates a lobby through the real calling policy and reports waits per class"};
  lobbyq::sim::FairnessOptions base;
  int max_wait_minutes = 0;
  double day_hours = 8;
  std::vector<std::string> strategies = {"in_order", "longest_wait", "counted", "green_counter"};
  app.add_option("--seed", base.seed, "random seed")->capture_default_str();
  app.add_option("--days", base.days, "simulated lobby days")->capture_default_str();
  app.add_option("--hours", day_hours, "hours of arrivals per day")->capture_default_str();
  app.add_option("--counters", base.counters, "counters, all open all day")->capture_default_str();
  app.add_option("--load", base.load, "offered load (0.9 = 90%)")->capture_default_str();
  app.add_option("--green-share", base.green_share, "share of green-channel arrivals")
      ->capture_default_str();
  app.add_option("--rules", base.counted_rules, "rules of the counted strategy")
      ->capture_default_str();
  app.add_option("--max-wait-minutes", max_wait_minutes,
                 "max_wait of both services; 0 = twice the 10 min target")
      ->capture_default_str();
  app.add_option("--strategy", strategies,
                 "strategies to run: in_order, longest_wait, counted, green_counter (in_order "
                 "with counter 1 a green-channel counter)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  base.max_wait = absl::Minutes(max_wait_minutes);
  base.day_length = absl::Hours(day_hours);

  std::printf(
      "seed %llu, %d days x %.1f h, %d counters, load %.2f, green share %.2f, mean "
      "service %s min, max_wait %s min\n",
      static_cast<unsigned long long>(base.seed), base.days, day_hours, base.counters, base.load,
      base.green_share, Minutes(base.mean_service).c_str(),
      Minutes(base.max_wait > absl::ZeroDuration() ? base.max_wait : 2 * base.target_wait).c_str());
  std::printf("%-14s %8s %8s %8s %8s %10s | %8s %8s %8s %8s\n", "strategy", "normal", "p50", "p95",
              "max", ">max_wait", "green", "p50", "p95", "max");
  for (const auto& name : strategies) {
    lobbyq::sim::FairnessOptions options = base;
    if (name == "green_counter") {
      options.strategy = lobbyq::domain::CallStrategy::kInOrder;
      options.green_counter = true;
    } else if (auto s = lobbyq::domain::ParseCallStrategy(name)) {
      options.strategy = *s;
    } else {
      std::fprintf(stderr, "unknown strategy '%s'\n", name.c_str());
      return 2;
    }
    auto result = lobbyq::sim::RunFairness(options);
    if (!result.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), result.status().ToString().c_str());
      return 1;
    }
    const auto& n = result->normal;
    const auto& g = result->green;
    std::printf("%-14s %8lld %8s %8s %8s %10lld | %8lld %8s %8s %8s\n", name.c_str(),
                static_cast<long long>(n.count), Minutes(n.p50).c_str(), Minutes(n.p95).c_str(),
                Minutes(n.max).c_str(), static_cast<long long>(n.over_max_wait),
                static_cast<long long>(g.count), Minutes(g.p50).c_str(), Minutes(g.p95).c_str(),
                Minutes(g.max).c_str());
    if (result->unserved != 0) {
      std::fprintf(stderr, "%s: %lld tickets never called\n", name.c_str(),
                   static_cast<long long>(result->unserved));
      return 1;
    }
  }
  std::printf("waits in minutes (issue -> first call)\n");
  return 0;
}
