// GetMetrics and GetReport: figures computed from the event log
// (docs/metrics.md). The log is read on the branch's strand, so a branch's
// configuration and its events are seen at the same point.

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/domain/metrics.h"
#include "server/domain/validation.h"
#include "server/rpc/command.h"
#include "server/rpc/mapping.h"
#include "server/rpc/metrics_mapping.h"
#include "server/rpc/services.h"
#include "server/rpc/status.h"

namespace lobbyq::rpc {
namespace {

using Window = MetricsWindow;

struct Computed {
  domain::MetricsInput input;
  domain::BranchMetrics metrics;
};

// Reads the log from kMetricsLookback before the window, so tickets issued or
// called before it keep their times, with the counters' states at that point.
absl::StatusOr<Computed> Compute(store::Store& store, const domain::Branch& branch,
                                 const Window& window) {
  const std::string& id = branch.info().id;
  const absl::Time history = window.from - domain::kMetricsLookback;
  absl::StatusOr<std::vector<domain::Event>> events =
      store.ReadEventsBetween(id, history, window.to);
  if (!events.ok()) return events.status();
  absl::StatusOr<std::map<uint32_t, domain::CounterState>> states =
      store.CounterStatesAt(id, history);
  if (!states.ok()) return states.status();
  Computed out;
  out.input = domain::MetricsInput{.from = window.from,
                                   .to = window.to,
                                   .zone = branch.zone(),
                                   .services = branch.services(),
                                   .counters = branch.counters(),
                                   .counter_states = *std::move(states)};
  out.metrics = domain::ComputeMetrics(*events, out.input);
  return out;
}

// One GetReport in flight: a slot per branch, filled on that branch's strand;
// whoever fills the last one answers.
struct ReportCall {
  struct Slot {
    v1::BranchReport report;
    std::string day;  // the branch's local day the report is for
  };
  grpc::ServerUnaryReactor* reactor = nullptr;
  v1::ReportResponse* response = nullptr;
  std::mutex mu;
  size_t pending = 0;
  std::vector<Slot> slots;
  absl::Status error;  // the first failure, if any
};

void AnswerReport(ReportCall& call) {
  if (!call.error.ok()) {
    spdlog::debug("GetReport: {}", call.error.ToString());
    call.reactor->Finish(ToGrpcStatus(call.error));
    return;
  }
  v1::ReportResponse& out = *call.response;
  if (out.day().empty() && !call.slots.empty()) out.set_day(call.slots.front().day);
  std::vector<domain::RankingInput> ranking;
  for (ReportCall::Slot& slot : call.slots) {
    const v1::Metrics& total = slot.report.metrics().total();
    ranking.push_back({.branch_id = slot.report.branch_id(),
                       .branch_name = slot.report.branch_name(),
                       .service_level = total.has_service_level()
                                            ? std::optional<double>(total.service_level())
                                            : std::nullopt,
                       .satisfaction = total.satisfaction()});
    *out.add_branches() = std::move(slot.report);
  }
  for (const domain::Ranked& r : domain::RankBranches(std::move(ranking))) {
    v1::RankingEntry* entry = out.add_ranking();
    entry->set_rank(r.rank);
    entry->set_branch_id(r.branch.branch_id);
    entry->set_branch_name(r.branch.branch_name);
    entry->set_service_level(r.branch.service_level.value_or(0));
    entry->set_satisfaction(r.branch.satisfaction);
    entry->set_bottom(r.bottom);
  }
  spdlog::debug("GetReport: OK, {} branches", call.slots.size());
  call.reactor->Finish(grpc::Status::OK);
}

}  // namespace

grpc::ServerUnaryReactor* LobbyServiceImpl::GetMetrics(grpc::CallbackServerContext* context,
                                                       const v1::GetMetricsRequest* request,
                                                       v1::MetricsResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kGetMetrics, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "GetMetrics", caller.status());
  absl::StatusOr<std::optional<Window>> asked = RequestedWindow(*request);
  if (!asked.ok()) return Reject(context, "GetMetrics", asked.status());
  auto computed = std::make_shared<Computed>();
  return RunCommand(
      engine_, context, "GetMetrics", request->branch_id(), caller->name,
      [this, window = *asked, computed](
          const domain::Branch& branch,
          const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
        const Window w = window.value_or(
            Window{absl::FromCivil(branch.BusinessDay(ctx.now), branch.zone()), ctx.now});
        absl::StatusOr<Computed> result = Compute(engine_.store(), branch, w);
        if (!result.ok()) return result.status();
        *computed = *std::move(result);
        return domain::Plan{};
      },
      [computed, response](const domain::Branch& branch, const domain::Plan&) {
        ToProto(branch.info().id, computed->metrics, response);
      });
}

grpc::ServerUnaryReactor* LobbyServiceImpl::GetReport(grpc::CallbackServerContext* context,
                                                      const v1::GetReportRequest* request,
                                                      v1::ReportResponse* response) {
  // A report may name several branches (checked one by one below); without
  // any it is of the caller's own branch, or of every branch for head office.
  absl::StatusOr<domain::Principal> caller = auth_.Authenticate(*context);
  if (caller.ok()) {
    const std::string first =
        request->branch_ids().empty() ? caller->branch_id : request->branch_ids(0);
    if (absl::Status s = domain::Authorize(*caller, domain::Operation::kGetReport, {first});
        !s.ok()) {
      caller = s;
    }
  }
  if (!caller.ok()) return Reject(context, "GetReport", caller.status());
  int days = 1;
  switch (request->period()) {
    case v1::REPORT_PERIOD_UNSPECIFIED:
    case v1::REPORT_PERIOD_DAILY:
      response->set_period(v1::REPORT_PERIOD_DAILY);
      break;
    case v1::REPORT_PERIOD_WEEKLY:
      response->set_period(v1::REPORT_PERIOD_WEEKLY);
      days = 7;
      break;
    default:
      return Reject(context, "GetReport",
                    absl::InvalidArgumentError(absl::StrCat("period ", request->period(),
                                                            " is unknown; use DAILY or WEEKLY")));
  }
  std::optional<absl::CivilDay> day;
  if (!request->day().empty()) {
    absl::StatusOr<absl::CivilDay> parsed = ParseDay(request->day());
    if (!parsed.ok()) return Reject(context, "GetReport", parsed.status());
    day = *parsed;
    response->set_day(request->day());
  }
  std::vector<std::string> ids;
  if (request->branch_ids().empty()) {
    // A manager's report is of their own branch; head office sees them all.
    ids = caller->branch_id.empty() ? engine_.BranchIds()
                                    : std::vector<std::string>{caller->branch_id};
  } else {
    std::set<std::string> seen;
    for (const std::string& id : request->branch_ids()) {
      if (absl::Status s = domain::ValidateBranchId(id); !s.ok()) {
        return Reject(context, "GetReport", s);
      }
      if (absl::Status s = domain::Authorize(*caller, domain::Operation::kGetReport, {id});
          !s.ok()) {
        return Reject(context, "GetReport", s);
      }
      if (!engine_.HasBranch(id)) {
        return Reject(context, "GetReport",
                      absl::NotFoundError(absl::StrCat("branch '", id, "' does not exist")));
      }
      if (seen.insert(id).second) ids.push_back(id);
    }
  }

  auto call = std::make_shared<ReportCall>();
  call->reactor = context->DefaultReactor();
  call->response = response;
  call->pending = ids.size();
  call->slots.resize(ids.size());
  if (ids.empty()) {
    AnswerReport(*call);
    return call->reactor;
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    engine_.Execute(
        ids[i], caller->name,
        [this, call, i, day, days](const domain::Branch& branch, const domain::CommandContext& ctx)
            -> absl::StatusOr<domain::Plan> {
          const absl::CivilDay first = day.value_or(branch.BusinessDay(ctx.now));
          const absl::Time from = absl::FromCivil(first, branch.zone());
          // Today's report covers the day so far: hours not yet lived would
          // dilute the arrival rates.
          const absl::Time to =
              std::max(from, std::min(absl::FromCivil(first + days, branch.zone()), ctx.now));
          absl::StatusOr<Computed> computed = Compute(engine_.store(), branch, Window{from, to});
          if (!computed.ok()) return computed.status();
          ReportCall::Slot& slot = call->slots[i];
          slot.day = absl::FormatCivilTime(first);
          slot.report.set_branch_id(branch.info().id);
          slot.report.set_branch_name(branch.info().name);
          ToProto(branch.info().id, computed->metrics, slot.report.mutable_metrics());
          for (const domain::HourStaffing& advice :
               domain::StaffingByHour(computed->metrics, computed->input)) {
            ToProto(advice, slot.report.add_staffing());
          }
          return domain::Plan{};
        },
        [call](const absl::Status& status, const domain::Branch*, const domain::Plan*) {
          bool last = false;
          {
            std::lock_guard lock(call->mu);
            if (!status.ok() && call->error.ok()) call->error = status;
            last = --call->pending == 0;
          }
          if (last) AnswerReport(*call);
        });
  }
  return call->reactor;
}

}  // namespace lobbyq::rpc
