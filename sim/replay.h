#pragma once

// lobbyq-sim: replays an arrival trace through the server's own domain code
// (Branch, its calling policy and its wait estimator) under a virtual clock,
// with counters opened and closed from a staffing schedule, and scores every
// predictor's estimate at issue time against the wait that followed.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/domain/types.h"
#include "server/domain/wait_estimator.h"

namespace lobbyq::sim {

struct TraceRow {
  double arrival_s = 0;
  std::string service;
  domain::PriorityClass priority = domain::PriorityClass::kNormal;
  double service_s = 0;
  std::optional<double> patience_s;  // none: waits forever
};

struct StaffingRow {
  uint32_t counter = 0;
  std::vector<std::string> services;
  double from_s = 0;
  double to_s = 0;
  domain::CallStrategy strategy = domain::CallStrategy::kInOrder;
};

struct ServiceRow {
  std::string service;
  double target_wait_s = 600;
  double expected_service_s = 180;
};

// CSV readers. InvalidArgument names the line and the field.
absl::StatusOr<std::vector<TraceRow>> ParseTrace(const std::string& csv);
absl::StatusOr<std::vector<StaffingRow>> ParseStaffing(const std::string& csv);
absl::StatusOr<std::vector<ServiceRow>> ParseServices(const std::string& csv);

struct ReplayOptions {
  domain::EstimatorSettings estimator;
  // How long a teller waits for a customer who has left before marking the
  // ticket a no-show and calling the next.
  absl::Duration no_show_after = absl::Seconds(60);
  // Called now and then with (done, total).
  std::function<void(size_t, size_t)> progress;
};

struct TicketOutcome {
  double arrival_s = 0;
  std::string service;
  domain::PriorityClass priority = domain::PriorityClass::kNormal;
  bool idle_counter_at_issue = false;
  bool abandoned = false;  // left before being called: no actual wait
  bool served = false;     // called before leaving
  double actual_wait_s = 0;
  // Estimates at issue time; none when no counter serving the service was open.
  std::optional<domain::WaitEstimate> estimate;
  uint64_t ticket_id = 0;
};

// One command the replay gave the branch, in order, so that the same day can
// be driven through the server (tests compare the call orders).
struct ReplayCommand {
  enum class Kind {
    kUpsertCounter,
    kOpen,
    kClose,
    kIssue,
    kAppointment,
    kCallNext,
    kStart,
    kFinish,
    kNoShow
  };
  Kind kind = Kind::kIssue;
  absl::Time at;
  uint32_t counter = 0;
  std::string service;  // kIssue, kAppointment
  domain::PriorityClass priority = domain::PriorityClass::kNormal;
  std::vector<std::string> services;  // kUpsertCounter: the new profile
  domain::CallStrategy strategy = domain::CallStrategy::kInOrder;
  absl::Time slot;         // kAppointment: the slot booked
  uint64_t ticket_id = 0;  // kIssue, kAppointment: issued; kCallNext: called
};

struct ReplayResult {
  domain::BranchDefinition branch;  // what the replay created
  std::vector<ReplayCommand> commands;
  std::vector<TicketOutcome> tickets;  // in trace order
  // Every call, in order: (ticket id, counter), for comparing call orders.
  std::vector<std::pair<uint64_t, uint32_t>> calls;
  int64_t unserved = 0;  // still waiting when the trace and schedule ended
};

absl::StatusOr<ReplayResult> Replay(const std::vector<TraceRow>& trace,
                                    const std::vector<StaffingRow>& staffing,
                                    const std::vector<ServiceRow>& services,
                                    const ReplayOptions& options);

struct PredictorScore {
  int64_t count = 0;
  double mae_s = 0;
  double rmse_s = 0;
  double bias_s = 0;                     // mean of estimate - actual
  std::optional<double> range_coverage;  // share of actual waits in [low, high]
};

struct Summary {
  int64_t tickets = 0;  // with an actual wait and an estimate
  // lobbyq, QL, LES, HOL
  std::vector<std::pair<std::string, PredictorScore>> predictors;
  int64_t queued_tickets = 0;  // of those, found no idle counter
  double queued_mean_wait_s = 0;
  std::vector<std::pair<std::string, PredictorScore>> queued_predictors;
};

Summary Summarize(const ReplayResult& result);
std::string SummaryJson(const Summary& summary);
std::string TicketsCsv(const ReplayResult& result);

}  // namespace lobbyq::sim
