// KioskService requests, checked and planned as server/rpc/kiosk_service.cc
// does, against the prepared lobby; each reply is mapped as the server maps it.

#include "absl/strings/str_cat.h"
#include "harness.h"
#include "server/domain/validation.h"
#include "server/rpc/command.h"
#include "server/rpc/mapping.h"

namespace lobbyq::fuzz {
namespace {

void TicketReply(const FuzzLobby& lobby, const domain::Plan& plan, rpc::Details details) {
  const domain::Ticket* ticket = lobby.branch().FindTicket(plan.ticket_id);
  if (ticket == nullptr) Fail(absl::StrCat("the reply's ticket ", plan.ticket_id, " is gone"));
  v1::TicketResponse response;
  rpc::ToProto(*ticket, lobby.branch(), response.mutable_ticket(), details);
  rpc::AddWaitEstimate(*ticket, lobby.branch(), lobby.now(), response.mutable_ticket());
}

void IssueTicket(FuzzLobby& lobby, const v1::IssueTicketRequest& request) {
  auto priority = rpc::PriorityFromProto(request.priority());
  if (!priority.ok()) return lobby.Refused("IssueTicket", priority.status());
  if (auto s = domain::ValidateDeviceId(request.kiosk_id(), "kiosk_id"); !s.ok()) {
    return lobby.Refused("IssueTicket", s);
  }
  const domain::TransactionDetails details = rpc::FromProto(request.details());
  auto plan = lobby.Run("IssueTicket", request.branch_id(),
                        [&](const domain::Branch& branch, const domain::CommandContext& ctx) {
                          return branch.PlanIssue(request.service_code(), *priority,
                                                  request.request_id(), details, ctx);
                        });
  if (plan) TicketReply(lobby, *plan, rpc::Details::kInclude);
}

void CheckIn(FuzzLobby& lobby, const v1::CheckInAppointmentRequest& request) {
  if (auto s = domain::ValidateDeviceId(request.kiosk_id(), "kiosk_id"); !s.ok()) {
    return lobby.Refused("CheckInAppointment", s);
  }
  auto code = domain::NormalizeAppointmentCode(request.code());
  if (!code.ok()) return lobby.Refused("CheckInAppointment", code.status());
  auto plan = lobby.Run("CheckInAppointment", request.branch_id(),
                        [&](const domain::Branch& branch,
                            const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
                          auto checked_in = branch.PlanCheckIn(*code, ctx);
                          if (!checked_in.ok()) return checked_in.status();
                          return std::move(checked_in->plan);
                        });
  if (plan) TicketReply(lobby, *plan, rpc::Details::kOmit);
}

void GetTicket(FuzzLobby& lobby, uint64_t ticket_id, const std::string& branch_id) {
  auto plan = lobby.Run("GetTicket", branch_id,
                        [&](const domain::Branch& branch,
                            const domain::CommandContext&) -> absl::StatusOr<domain::Plan> {
                          if (branch.FindTicket(ticket_id) == nullptr) {
                            return absl::NotFoundError("no such ticket");
                          }
                          return domain::Plan{.ticket_id = ticket_id};
                        });
  if (plan) TicketReply(lobby, *plan, rpc::Details::kOmit);
}

void Step(FuzzLobby& lobby, const KioskStep& step) {
  lobby.Advance(step.advance_seconds());
  switch (step.request_case()) {
    case KioskStep::kDrive:
      return lobby.Drive(step.drive());
    case KioskStep::kIssueTicket:
      return IssueTicket(lobby, step.issue_ticket());
    case KioskStep::kCheckIn:
      return CheckIn(lobby, step.check_in());
    case KioskStep::kGetTicket:
      return GetTicket(lobby, step.get_ticket().ticket_id(), step.get_ticket().branch_id());
    case KioskStep::kCancelTicket: {
      const v1::CancelTicketRequest& request = step.cancel_ticket();
      auto plan = lobby.Run("CancelTicket", request.branch_id(),
                            [&](const domain::Branch& branch, const domain::CommandContext& ctx) {
                              return branch.PlanCancel(request.ticket_id(), ctx);
                            });
      if (plan) TicketReply(lobby, *plan, rpc::Details::kOmit);
      return;
    }
    case KioskStep::kReinstateTicket: {
      const v1::ReinstateTicketRequest& request = step.reinstate_ticket();
      auto plan = lobby.Run("ReinstateTicket", request.branch_id(),
                            [&](const domain::Branch& branch,
                                const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
                              auto id = rpc::ResolveTicket(branch, ctx.now, request.ticket_id(),
                                                           request.number());
                              if (!id.ok()) return id.status();
                              return branch.PlanReinstate(*id, 0, ctx);
                            });
      if (plan) TicketReply(lobby, *plan, rpc::Details::kOmit);
      return;
    }
    case KioskStep::kListServices: {
      auto plan = lobby.Run("ListServices", step.list_services().branch_id(),
                            [](const domain::Branch&, const domain::CommandContext&) {
                              return absl::StatusOr<domain::Plan>(domain::Plan{});
                            });
      if (!plan) return;
      v1::ListServicesResponse response;
      for (const auto& view : lobby.branch().ServiceViews(lobby.now())) {
        rpc::ToProto(view, response.add_services());
      }
      return;
    }
    case KioskStep::REQUEST_NOT_SET:
      return;
  }
}

}  // namespace

int RunKiosk(const uint8_t* data, size_t size) {
  return RunSession<KioskSession>(data, size, Step);
}

}  // namespace lobbyq::fuzz
