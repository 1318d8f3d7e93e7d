#include "absl/strings/str_cat.h"
#include "server/domain/validation.h"
#include "server/rpc/command.h"
#include "server/rpc/mapping.h"
#include "server/rpc/services.h"

namespace lobbyq::rpc {
namespace {

// Read-only commands check that the ticket exists inside the plan, so the reply
// and the check see the same state.
absl::StatusOr<domain::Plan> FindTicketPlan(const domain::Branch& branch, uint64_t ticket_id) {
  if (branch.FindTicket(ticket_id) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("ticket ", ticket_id, " does not exist in branch '", branch.info().id, "'"));
  }
  return domain::Plan{.ticket_id = ticket_id};
}

ReplyFn TicketReply(v1::TicketResponse* response) {
  return [response](const domain::Branch& branch, const domain::Plan& plan) {
    ToProto(*branch.FindTicket(plan.ticket_id), branch, response->mutable_ticket());
  };
}

}  // namespace

grpc::ServerUnaryReactor* KioskServiceImpl::ListServices(grpc::CallbackServerContext* context,
                                                         const v1::ListServicesRequest* request,
                                                         v1::ListServicesResponse* response) {
  return RunCommand(engine_, context, "ListServices", request->branch_id(), "kiosk", ReadOnly,
                    [this, response](const domain::Branch& branch, const domain::Plan&) {
                      for (const auto& view : branch.ServiceViews(engine_.clock().Now())) {
                        ToProto(view, response->add_services());
                      }
                    });
}

grpc::ServerUnaryReactor* KioskServiceImpl::IssueTicket(grpc::CallbackServerContext* context,
                                                        const v1::IssueTicketRequest* request,
                                                        v1::TicketResponse* response) {
  auto priority = PriorityFromProto(request->priority());
  if (!priority.ok()) return Reject(context, "IssueTicket", priority.status());
  if (auto s = domain::ValidateDeviceId(request->kiosk_id(), "kiosk_id"); !s.ok()) {
    return Reject(context, "IssueTicket", s);
  }
  const std::string actor =
      request->kiosk_id().empty() ? "kiosk" : absl::StrCat("kiosk:", request->kiosk_id());
  return RunCommand(
      engine_, context, "IssueTicket", request->branch_id(), actor,
      [request, priority = *priority](const domain::Branch& branch,
                                      const domain::CommandContext& ctx) {
        return branch.PlanIssue(request->service_code(), priority, request->request_id(), ctx);
      },
      TicketReply(response));
}

grpc::ServerUnaryReactor* KioskServiceImpl::GetTicket(grpc::CallbackServerContext* context,
                                                      const v1::GetTicketRequest* request,
                                                      v1::TicketResponse* response) {
  return RunCommand(
      engine_, context, "GetTicket", request->branch_id(), "kiosk",
      [request](const domain::Branch& branch, const domain::CommandContext&) {
        return FindTicketPlan(branch, request->ticket_id());
      },
      TicketReply(response));
}

grpc::ServerUnaryReactor* KioskServiceImpl::CancelTicket(grpc::CallbackServerContext* context,
                                                         const v1::CancelTicketRequest* request,
                                                         v1::TicketResponse* response) {
  return RunCommand(
      engine_, context, "CancelTicket", request->branch_id(), "kiosk",
      [request](const domain::Branch& branch, const domain::CommandContext& ctx) {
        return branch.PlanCancel(request->ticket_id(), ctx);
      },
      TicketReply(response));
}

}  // namespace lobbyq::rpc
