#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/domain/validation.h"
#include "server/rpc/command.h"
#include "server/rpc/limits.h"
#include "server/rpc/mapping.h"
#include "server/rpc/requests.h"
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

// `details` says whether the reply may carry the ticket's form-free details:
// only to the kiosk that issued the ticket (IssueTicket) and to GetTicket.
ReplyFn TicketReply(v1::TicketResponse* response, const lobbyq::Clock& clock,
                    Details details = Details::kOmit) {
  return [response, &clock, details](const domain::Branch& branch, const domain::Plan& plan) {
    const domain::Ticket& ticket = *branch.FindTicket(plan.ticket_id);
    ToProto(ticket, branch, response->mutable_ticket(), details);
    AddWaitEstimate(ticket, branch, clock.Now(), response->mutable_ticket());
  };
}

// "HH:MM" in the branch's time zone: what the customer reads on the kiosk.
std::string LocalClock(const domain::Branch& branch, absl::Time t) {
  return absl::FormatTime("%H:%M", t, branch.zone());
}

std::string CheckInMessage(const domain::Branch& branch, domain::CheckInOutcome outcome,
                           absl::Time slot_start, absl::Time callable_from) {
  const std::string slot = LocalClock(branch, slot_start);
  switch (outcome) {
    case domain::CheckInOutcome::kOnTime:
      return absl::StrCat("Checked in for your ", slot, " appointment; you will be called shortly");
    case domain::CheckInOutcome::kEarly:
      return absl::StrCat("Your appointment is at ", slot, "; you will be called from ",
                          LocalClock(branch, callable_from));
    case domain::CheckInOutcome::kLate:
      return absl::StrCat("Your appointment time (", slot,
                          ") has passed; you have a normal ticket");
  }
  return "";
}

v1::CheckInOutcome ToProto(domain::CheckInOutcome outcome) {
  switch (outcome) {
    case domain::CheckInOutcome::kOnTime:
      return v1::CHECK_IN_OUTCOME_ON_TIME;
    case domain::CheckInOutcome::kEarly:
      return v1::CHECK_IN_OUTCOME_EARLY;
    case domain::CheckInOutcome::kLate:
      return v1::CHECK_IN_OUTCOME_LATE;
  }
  return v1::CHECK_IN_OUTCOME_UNSPECIFIED;
}

}  // namespace

Command ListServicesCommand(v1::ListServicesResponse* response, const Clock& clock) {
  return {ReadOnly, [response, &clock](const domain::Branch& branch, const domain::Plan&) {
            for (const auto& view : branch.ServiceViews(clock.Now())) {
              ToProto(view, response->add_services());
            }
          }};
}

absl::StatusOr<Command> IssueTicketCommand(const v1::IssueTicketRequest& request,
                                           v1::TicketResponse* response, const Clock& clock,
                                           IssueGate gate) {
  auto priority = PriorityFromProto(request.priority());
  if (!priority.ok()) return priority.status();
  if (auto s = domain::ValidateDeviceId(request.kiosk_id(), "kiosk_id"); !s.ok()) return s;
  return Command{
      [&request, priority = *priority, details = FromProto(request.details()), caller = gate.caller,
       cap = gate.limits.max_live_tickets_per_branch,
       &rate = gate.rate](const domain::Branch& branch,
                          const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
        absl::StatusOr<domain::Plan> plan =
            branch.PlanIssue(request.service_code(), priority, request.request_id(), details, ctx);
        // A retry of a ticket already issued changes nothing: it always gets
        // its answer, or a kiosk whose reply was lost could not print it.
        if (!plan.ok() || plan->change.events.empty()) return plan;
        if (branch.LiveTicketCount() >= static_cast<size_t>(cap)) return LiveTicketCapReached(cap);
        // The per-kiosk rate: a person (a manager helping customers, head
        // office) acts deliberately and is not throttled.
        if (caller.role == domain::Role::kKiosk) {
          if (absl::Status s = rate.Take(caller.name, ctx.now); !s.ok()) return s;
        }
        return plan;
      },
      TicketReply(response, clock, Details::kInclude)};
}

Command GetTicketCommand(const v1::GetTicketRequest& request, v1::TicketResponse* response,
                         const Clock& clock) {
  return {[ticket_id = request.ticket_id()](const domain::Branch& branch,
                                            const domain::CommandContext&) {
            return FindTicketPlan(branch, ticket_id);
          },
          // Ticket ids are sequential: whoever loops over them must not collect
          // what customers entered, so only the IssueTicket reply carries details.
          TicketReply(response, clock, Details::kOmit)};
}

Command CancelTicketCommand(const v1::CancelTicketRequest& request, v1::TicketResponse* response,
                            const Clock& clock) {
  return {[ticket_id = request.ticket_id()](const domain::Branch& branch,
                                            const domain::CommandContext& ctx) {
            return branch.PlanCancel(ticket_id, ctx);
          },
          TicketReply(response, clock)};
}

absl::StatusOr<Command> CheckInCommand(const v1::CheckInAppointmentRequest& request,
                                       v1::CheckInAppointmentResponse* response, const Clock& clock,
                                       IssueGate gate) {
  if (auto s = domain::ValidateDeviceId(request.kiosk_id(), "kiosk_id"); !s.ok()) return s;
  // Booked customers are not capped (their slots already are), but a kiosk
  // checking in codes in a loop is as suspect as one issuing tickets. Taken
  // before the code is looked at, so guessing codes costs the same.
  if (gate.caller.role == domain::Role::kKiosk) {
    if (auto s = gate.rate.Take(gate.caller.name, clock.Now()); !s.ok()) return s;
  }
  auto code = domain::NormalizeAppointmentCode(request.code());
  if (!code.ok()) return code.status();
  // The plan and the reply run one after the other on the branch's strand.
  auto outcome = std::make_shared<domain::CheckInOutcome>(domain::CheckInOutcome::kOnTime);
  return Command{[code = *code, outcome,
                  once = ClientRequestOf(domain::Operation::kCheckInAppointment,
                                         request.request_id(), 0, *code)](
                     const domain::Branch& branch,
                     const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
                   auto checked_in = branch.PlanCheckIn(code, once, ctx);
                   if (!checked_in.ok()) return checked_in.status();
                   *outcome = checked_in->outcome;
                   return std::move(checked_in->plan);
                 },
                 [&clock, code = *code, outcome, response](const domain::Branch& branch,
                                                           const domain::Plan& plan) {
                   const domain::Ticket& ticket = *branch.FindTicket(plan.ticket_id);
                   ToProto(ticket, branch, response->mutable_ticket());
                   AddWaitEstimate(ticket, branch, clock.Now(), response->mutable_ticket());
                   response->set_outcome(ToProto(*outcome));
                   ToProto(ticket.queued_at, response->mutable_callable_from());
                   const domain::Appointment* appointment = branch.FindAppointment(code);
                   const absl::Time slot = appointment ? appointment->slot_start : ticket.queued_at;
                   response->set_message(CheckInMessage(branch, *outcome, slot, ticket.queued_at));
                 }};
}

Command KioskReinstateCommand(const v1::ReinstateTicketRequest& request,
                              v1::TicketResponse* response, const Clock& clock) {
  return {[&request](const domain::Branch& branch,
                     const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
            auto id = ResolveTicket(branch, ctx.now, request.ticket_id(), request.number());
            if (!id.ok()) return id.status();
            return branch.PlanReinstate(*id, 0, ctx);
          },
          TicketReply(response, clock)};
}

grpc::ServerUnaryReactor* KioskServiceImpl::ListServices(grpc::CallbackServerContext* context,
                                                         const v1::ListServicesRequest* request,
                                                         v1::ListServicesResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kListServices, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "ListServices", caller.status());
  return RunCommand(engine_, context, "ListServices", request->branch_id(), caller->name,
                    ListServicesCommand(response, engine_.clock()));
}

grpc::ServerUnaryReactor* KioskServiceImpl::IssueTicket(grpc::CallbackServerContext* context,
                                                        const v1::IssueTicketRequest* request,
                                                        v1::TicketResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kIssueTicket, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "IssueTicket", caller.status());
  return RunCommand(
      engine_, context, "IssueTicket", request->branch_id(), caller->name,
      IssueTicketCommand(*request, response, engine_.clock(), {*caller, limits_, issue_rate_}));
}

grpc::ServerUnaryReactor* KioskServiceImpl::GetTicket(grpc::CallbackServerContext* context,
                                                      const v1::GetTicketRequest* request,
                                                      v1::TicketResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kGetTicket, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "GetTicket", caller.status());
  return RunCommand(engine_, context, "GetTicket", request->branch_id(), caller->name,
                    GetTicketCommand(*request, response, engine_.clock()));
}

grpc::ServerUnaryReactor* KioskServiceImpl::CancelTicket(grpc::CallbackServerContext* context,
                                                         const v1::CancelTicketRequest* request,
                                                         v1::TicketResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kCancelTicket, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "CancelTicket", caller.status());
  return RunCommand(engine_, context, "CancelTicket", request->branch_id(), caller->name,
                    CancelTicketCommand(*request, response, engine_.clock()));
}

grpc::ServerUnaryReactor* KioskServiceImpl::CheckInAppointment(
    grpc::CallbackServerContext* context, const v1::CheckInAppointmentRequest* request,
    v1::CheckInAppointmentResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kCheckInAppointment, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "CheckInAppointment", caller.status());
  return RunCommand(
      engine_, context, "CheckInAppointment", request->branch_id(), caller->name,
      CheckInCommand(*request, response, engine_.clock(), {*caller, limits_, issue_rate_}));
}

grpc::ServerUnaryReactor* KioskServiceImpl::ReinstateTicket(
    grpc::CallbackServerContext* context, const v1::ReinstateTicketRequest* request,
    v1::TicketResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kKioskReinstateTicket, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "ReinstateTicket", caller.status());
  return RunCommand(engine_, context, "ReinstateTicket", request->branch_id(), caller->name,
                    KioskReinstateCommand(*request, response, engine_.clock()));
}

}  // namespace lobbyq::rpc
