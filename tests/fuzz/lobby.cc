// LobbyService requests. GetLobbyStatus and PreviewOrder run the server's own
// commands (server/rpc/requests.h). GetMetrics and GetReport read the store's
// log in the server, so here they are checked as metrics_service.cc does and
// computed from the events the prepared lobby committed, filtered as the
// store's ReadEventsBetween and CounterStatesAt filter them.

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "harness.h"
#include "server/domain/alerts.h"
#include "server/domain/metrics.h"
#include "server/domain/validation.h"
#include "server/rpc/insight_mapping.h"
#include "server/rpc/mapping.h"
#include "server/rpc/metrics_mapping.h"
#include "server/rpc/requests.h"

namespace lobbyq::fuzz {
namespace {

struct Computed {
  domain::MetricsInput input;
  domain::BranchMetrics metrics;
};

// metrics_service.cc's Compute, with the log in memory.
Computed Compute(const FuzzLobby& lobby, absl::Time from, absl::Time to) {
  const domain::Branch& branch = lobby.branch();
  const absl::Time history = from - domain::kMetricsLookback;
  std::vector<domain::Event> events;
  std::map<uint32_t, domain::CounterState> states;
  for (const domain::Event& event : lobby.events()) {
    if (event.at < history) {
      if (event.counter_state) states[event.counter] = *event.counter_state;
    } else if (event.at < to) {
      events.push_back(event);
    }
  }
  Computed out;
  out.input = domain::MetricsInput{.from = from,
                                   .to = to,
                                   .zone = branch.zone(),
                                   .services = branch.services(),
                                   .counters = branch.counters(),
                                   .counter_states = std::move(states)};
  out.metrics = domain::ComputeMetrics(events, out.input);
  return out;
}

void GetMetrics(FuzzLobby& lobby, const v1::GetMetricsRequest& request) {
  auto asked = rpc::RequestedWindow(request);
  if (!asked.ok()) return lobby.Refused("GetMetrics", asked.status());
  std::optional<Computed> computed;
  auto plan =
      lobby.Run("GetMetrics", request.branch_id(),
                [&](const domain::Branch& branch, const domain::CommandContext& ctx) {
                  const rpc::MetricsWindow w = asked->value_or(rpc::MetricsWindow{
                      absl::FromCivil(branch.BusinessDay(ctx.now), branch.zone()), ctx.now});
                  computed = Compute(lobby, w.from, w.to);
                  return absl::StatusOr<domain::Plan>(domain::Plan{});
                });
  if (!plan) return;
  v1::MetricsResponse response;
  rpc::ToProto(kBranchId, computed->metrics, &response);
}

void GetReport(FuzzLobby& lobby, const v1::GetReportRequest& request) {
  int days = 1;
  switch (request.period()) {
    case v1::REPORT_PERIOD_UNSPECIFIED:
    case v1::REPORT_PERIOD_DAILY:
      break;
    case v1::REPORT_PERIOD_WEEKLY:
      days = 7;
      break;
    default:
      return lobby.Refused("GetReport", absl::InvalidArgumentError("unknown period"));
  }
  std::optional<absl::CivilDay> day;
  if (!request.day().empty()) {
    auto parsed = rpc::ParseDay(request.day());
    if (!parsed.ok()) return lobby.Refused("GetReport", parsed.status());
    day = *parsed;
  }
  bool ours = request.branch_ids().empty();
  for (const std::string& id : request.branch_ids()) {
    if (auto s = domain::ValidateBranchId(id); !s.ok()) return lobby.Refused("GetReport", s);
    if (id != kBranchId) return;  // the handler's NotFound
    ours = true;
  }
  if (!ours) return;
  const domain::Branch& branch = lobby.branch();
  const absl::CivilDay first = day.value_or(branch.BusinessDay(lobby.now()));
  const absl::Time from = absl::FromCivil(first, branch.zone());
  const absl::Time to =
      std::max(from, std::min(absl::FromCivil(first + days, branch.zone()), lobby.now()));
  const Computed computed = Compute(lobby, from, to);
  v1::BranchReport report;
  rpc::ToProto(kBranchId, computed.metrics, report.mutable_metrics());
  for (const domain::HourStaffing& advice :
       domain::StaffingByHour(computed.metrics, computed.input)) {
    rpc::ToProto(advice, report.add_staffing());
  }
  domain::RankBranches({{.branch_id = kBranchId,
                         .branch_name = branch.info().name,
                         .service_level = computed.metrics.total.service_level,
                         .satisfaction = computed.metrics.total.satisfaction}});
}

void GetLobbyStatus(FuzzLobby& lobby, const v1::GetLobbyStatusRequest& request) {
  v1::LobbyStatus response;
  if (!lobby.RunCommand("GetLobbyStatus", request.branch_id(),
                        rpc::GetLobbyStatusCommand(&response, lobby))) {
    return;
  }
  if (auto next = domain::NextAlertChange(lobby.branch(), lobby.now());
      next && *next <= lobby.now()) {
    Fail("the next alert change is not after now: the watchers' timer would spin");
  }
}

void PreviewOrder(FuzzLobby& lobby, const v1::PreviewOrderRequest& request) {
  v1::PreviewOrderResponse response;
  if (!lobby.RunCommand("PreviewOrder", request.branch_id(),
                        rpc::PreviewOrderCommand(&response, lobby))) {
    return;
  }
  const domain::Branch& branch = lobby.branch();
  std::set<uint64_t> seen;
  for (const domain::PreviewEntry& entry : branch.PreviewOrder(lobby.now())) {
    const domain::Ticket* ticket = branch.FindTicket(entry.ticket_id);
    if (ticket == nullptr || ticket->state != domain::TicketState::kWaiting) {
      Fail(absl::StrCat("the preview lists ticket ", entry.ticket_id, ", which is not waiting"));
    }
    if (!seen.insert(entry.ticket_id).second) {
      Fail(absl::StrCat("the preview lists ", ticket->DisplayNumber(), " twice"));
    }
    const domain::Counter* counter = branch.FindCounter(entry.counter);
    if (counter == nullptr || counter->state != domain::CounterState::kOpen) {
      Fail(absl::StrCat("the preview has counter ", entry.counter, ", which is not open, call ",
                        ticket->DisplayNumber()));
    }
  }
  if (response.entries_size() != static_cast<int>(seen.size())) {
    Fail("the preview's reply lists other tickets than the preview");
  }
}

void Step(FuzzLobby& lobby, const LobbyStep& step) {
  lobby.Advance(step.advance_seconds());
  switch (step.request_case()) {
    case LobbyStep::kDrive:
      return lobby.Drive(step.drive());
    case LobbyStep::kGetMetrics:
      return GetMetrics(lobby, step.get_metrics());
    case LobbyStep::kGetReport:
      return GetReport(lobby, step.get_report());
    case LobbyStep::kGetLobbyStatus:
      return GetLobbyStatus(lobby, step.get_lobby_status());
    case LobbyStep::kPreviewOrder:
      return PreviewOrder(lobby, step.preview_order());
    case LobbyStep::REQUEST_NOT_SET:
      return;
  }
}

}  // namespace

int RunLobby(const uint8_t* data, size_t size) {
  return RunSession<LobbySession>(data, size, Step);
}

}  // namespace lobbyq::fuzz
