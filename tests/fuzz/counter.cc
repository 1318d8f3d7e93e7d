// CounterService requests, checked and planned as
// server/rpc/counter_service.cc does, against the prepared lobby; each reply
// is mapped as the server maps it.

#include "absl/strings/str_cat.h"
#include "harness.h"
#include "server/domain/validation.h"
#include "server/rpc/command.h"
#include "server/rpc/mapping.h"

namespace lobbyq::fuzz {
namespace {

using CounterCommand =
    absl::StatusOr<domain::Plan> (domain::Branch::*)(uint32_t, const domain::CommandContext&) const;

// TicketActionReply and CounterReply: the counter asked about must exist once
// its command succeeded.
void Reply(const FuzzLobby& lobby, uint32_t number, const domain::Plan& plan) {
  const domain::Branch& branch = lobby.branch();
  if (plan.ticket_id != 0) {
    const domain::Ticket* ticket = branch.FindTicket(plan.ticket_id);
    if (ticket == nullptr) Fail(absl::StrCat("the reply's ticket ", plan.ticket_id, " is gone"));
    v1::Ticket out;
    rpc::ToProto(*ticket, branch, &out, rpc::Details::kInclude);
  }
  const domain::Counter* counter = branch.FindCounter(number);
  if (counter == nullptr) Fail(absl::StrCat("the reply's counter ", number, " is gone"));
  v1::CounterStatus out;
  rpc::ToProto(*counter, branch, &out, rpc::Details::kInclude);
}

void Plain(FuzzLobby& lobby, CounterStep::Method method, const v1::CounterRequest& request) {
  CounterCommand command = nullptr;
  switch (method) {
    case CounterStep::METHOD_OPEN:
      command = &domain::Branch::PlanOpenCounter;
      break;
    case CounterStep::METHOD_PAUSE:
      command = &domain::Branch::PlanPauseCounter;
      break;
    case CounterStep::METHOD_CLOSE:
      command = &domain::Branch::PlanCloseCounter;
      break;
    case CounterStep::METHOD_RECALL:
      command = &domain::Branch::PlanRecall;
      break;
    case CounterStep::METHOD_START_SERVICE:
      command = &domain::Branch::PlanStartService;
      break;
    case CounterStep::METHOD_MARK_NO_SHOW:
      command = &domain::Branch::PlanNoShow;
      break;
    case CounterStep::METHOD_FINISH:
      command = &domain::Branch::PlanFinish;
      break;
    default:
      command = &domain::Branch::PlanCallNext;
      break;
  }
  auto plan = lobby.Run("CounterService", request.branch_id(),
                        [&](const domain::Branch& branch, const domain::CommandContext& ctx) {
                          return (branch.*command)(request.counter(), ctx);
                        });
  if (!plan) return;
  Reply(lobby, request.counter(), *plan);
  if (command == &domain::Branch::PlanCallNext) {
    // CallNextReply also maps the ticket the call marked NO_SHOW.
    for (const domain::Event& event : plan->change.events) {
      if (event.type != domain::EventType::kTicketNoShow) continue;
      if (const domain::Ticket* ticket = lobby.branch().FindTicket(event.ticket_id)) {
        v1::Ticket out;
        rpc::ToProto(*ticket, lobby.branch(), &out, rpc::Details::kInclude);
      }
    }
  }
}

void Transfer(FuzzLobby& lobby, const v1::TransferRequest& request) {
  auto placement = rpc::PlacementFromProto(request.placement());
  if (!placement.ok()) return lobby.Refused("Transfer", placement.status());
  auto plan = lobby.Run("Transfer", request.branch_id(),
                        [&](const domain::Branch& branch, const domain::CommandContext& ctx) {
                          return branch.PlanTransfer(request.counter(), request.to_service_code(),
                                                     *placement, request.note(), ctx);
                        });
  if (plan) Reply(lobby, request.counter(), *plan);
}

void SubmitRating(FuzzLobby& lobby, const v1::SubmitRatingRequest& request) {
  auto plan = lobby.Run("SubmitRating", request.branch_id(),
                        [&](const domain::Branch& branch, const domain::CommandContext& ctx) {
                          return branch.PlanRating(request.counter(), request.ticket_id(),
                                                   request.score(), request.comment(), ctx);
                        });
  if (plan) Reply(lobby, request.counter(), *plan);
}

void Reinstate(FuzzLobby& lobby, const v1::CounterReinstateRequest& request) {
  auto plan = lobby.Run("ReinstateTicket", request.branch_id(),
                        [&](const domain::Branch& branch,
                            const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
                          if (branch.FindCounter(request.counter()) == nullptr) {
                            if (auto s = domain::ValidateCounterNumber(request.counter()); !s.ok())
                              return s;
                            return absl::NotFoundError(
                                absl::StrCat("counter ", request.counter(), " does not exist"));
                          }
                          auto id = rpc::ResolveTicket(branch, ctx.now, request.ticket_id(),
                                                       request.number());
                          if (!id.ok()) return id.status();
                          return branch.PlanReinstate(*id, request.counter(), ctx);
                        });
  if (plan) Reply(lobby, request.counter(), *plan);
}

void Step(FuzzLobby& lobby, const CounterStep& step) {
  lobby.Advance(step.advance_seconds());
  switch (step.request_case()) {
    case CounterStep::kDrive:
      return lobby.Drive(step.drive());
    case CounterStep::kCounter:
      return Plain(lobby, step.method(), step.counter());
    case CounterStep::kTransfer:
      return Transfer(lobby, step.transfer());
    case CounterStep::kSubmitRating:
      return SubmitRating(lobby, step.submit_rating());
    case CounterStep::kReinstateTicket:
      return Reinstate(lobby, step.reinstate_ticket());
    case CounterStep::REQUEST_NOT_SET:
      return;
  }
}

}  // namespace

int RunCounter(const uint8_t* data, size_t size) {
  return RunSession<CounterSession>(data, size, Step);
}

}  // namespace lobbyq::fuzz
