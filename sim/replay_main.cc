// lobbyq-sim: replays an arrival trace through the server's domain code and
// scores the wait estimates (sim/replay.h). Writes DIR/tickets.csv and
// DIR/summary.json; prints the summary.

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

#include "absl/strings/str_format.h"
#include "sim/replay.h"

namespace {

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

bool WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Replays an arrival trace through lobbyq's calling policy and wait estimator"};
  std::string trace_path, staffing_path, services_path, out_dir;
  lobbyq::sim::ReplayOptions options;
  double no_show_s = 60;
  double arrival_window_min = 30;
  bool no_calibration = false;
  app.add_option("--trace", trace_path, "CSV: arrival_s,service,priority,service_s,patience_s")
      ->required();
  app.add_option("--staffing", staffing_path, "CSV: counter,services,from_s,to_s,strategy")
      ->required();
  app.add_option("--services", services_path,
                 "CSV: service,target_wait_s,expected_service_s (default 600 and 180)");
  app.add_option("--out", out_dir, "directory for tickets.csv and summary.json")->required();
  app.add_option("--runs", options.estimator.runs, "simulated futures per estimate")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--coverage", options.estimator.coverage, "share of waits the range should hold")
      ->check(CLI::Range(0.01, 0.99))
      ->capture_default_str();
  app.add_option("--arrival-window-min", arrival_window_min,
                 "minutes of arrivals the estimator's rates look back")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--no-calibration", no_calibration,
               "report the raw simulated median and range, uncalibrated");
  app.add_option("--no-show-s", no_show_s,
                 "seconds a teller waits for a customer who left before marking the no-show")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  options.no_show_after = absl::Seconds(no_show_s);
  options.estimator.arrival_window = absl::Minutes(arrival_window_min);
  if (no_calibration) options.estimator.min_calibration = SIZE_MAX;

  std::string trace_csv, staffing_csv, services_csv;
  if (!ReadFile(trace_path, trace_csv) || !ReadFile(staffing_path, staffing_csv) ||
      (!services_path.empty() && !ReadFile(services_path, services_csv))) {
    std::cerr << "lobbyq-sim: cannot read an input file (check --trace, --staffing, --services)\n";
    return 2;
  }
  auto trace = lobbyq::sim::ParseTrace(trace_csv);
  auto staffing = lobbyq::sim::ParseStaffing(staffing_csv);
  auto services = services_path.empty() ? absl::StatusOr<std::vector<lobbyq::sim::ServiceRow>>(
                                              std::vector<lobbyq::sim::ServiceRow>{})
                                        : lobbyq::sim::ParseServices(services_csv);
  for (const absl::Status& s : {trace.status(), staffing.status(), services.status()}) {
    if (!s.ok()) {
      std::cerr << "lobbyq-sim: " << s.message() << "\n";
      return 2;
    }
  }
  const bool tty = isatty(STDERR_FILENO) != 0;
  options.progress = [tty](size_t done, size_t total) {
    if (tty) std::cerr << absl::StrFormat("\rreplaying %zu/%zu tickets", done, total) << std::flush;
  };
  auto result = lobbyq::sim::Replay(*trace, *staffing, *services, options);
  if (tty) std::cerr << "\n";
  if (!result.ok()) {
    std::cerr << "lobbyq-sim: " << result.status().message() << "\n";
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  const std::string summary = lobbyq::sim::SummaryJson(lobbyq::sim::Summarize(*result));
  if (ec ||
      !WriteFile(std::filesystem::path(out_dir) / "tickets.csv",
                 lobbyq::sim::TicketsCsv(*result)) ||
      !WriteFile(std::filesystem::path(out_dir) / "summary.json", summary)) {
    std::cerr << "lobbyq-sim: cannot write to " << out_dir << "\n";
    return 1;
  }
  std::cout << summary;
  if (result->unserved > 0) {
    std::cerr << "lobbyq-sim: " << result->unserved
              << " tickets were still waiting when the schedule ended\n";
  }
  return 0;
}
