#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/domain/validation.h"
#include "server/rpc/command.h"
#include "server/rpc/mapping.h"
#include "server/rpc/requests.h"
#include "server/rpc/services.h"

namespace lobbyq::rpc {
namespace {

using CounterCommand =
    absl::StatusOr<domain::Plan> (domain::Branch::*)(uint32_t, const domain::CommandContext&) const;

// Tellers see the form-free details of the tickets they handle.
ReplyFn CounterReply(uint32_t number, v1::CounterResponse* response) {
  return [number, response](const domain::Branch& branch, const domain::Plan&) {
    ToProto(*branch.FindCounter(number), branch, response->mutable_counter(), Details::kInclude);
  };
}

ReplyFn TicketActionReply(uint32_t number, v1::TicketActionResponse* response) {
  return [number, response](const domain::Branch& branch, const domain::Plan& plan) {
    if (plan.ticket_id != 0) {
      ToProto(*branch.FindTicket(plan.ticket_id), branch, response->mutable_ticket(),
              Details::kInclude);
    }
    ToProto(*branch.FindCounter(number), branch, response->mutable_counter(), Details::kInclude);
  };
}

// CallNext's reply: the ticket called and why (the reason the domain wrote into
// the call event), and the ticket this call marked NO_SHOW, if any.
ReplyFn CallNextReply(uint32_t number, v1::CallNextResponse* response) {
  return [number, response](const domain::Branch& branch, const domain::Plan& plan) {
    // A retry changed nothing: the reason is the one the first call gave.
    if (plan.replay) response->set_reason(plan.replay->detail);
    for (const domain::Event& event : plan.change.events) {
      if (event.type == domain::EventType::kTicketCalled && event.ticket_id == plan.ticket_id) {
        response->set_reason(event.detail);
      } else if (event.type == domain::EventType::kTicketNoShow) {
        if (const domain::Ticket* ticket = branch.FindTicket(event.ticket_id)) {
          ToProto(*ticket, branch, response->mutable_marked_no_show(), Details::kInclude);
        }
      }
    }
    if (plan.ticket_id != 0) {
      ToProto(*branch.FindTicket(plan.ticket_id), branch, response->mutable_ticket(),
              Details::kInclude);
    }
    ToProto(*branch.FindCounter(number), branch, response->mutable_counter(), Details::kInclude);
  };
}

// The domain command of a plain counter action.
CounterCommand CommandOf(domain::Operation operation) {
  switch (operation) {
    case domain::Operation::kOpenCounter:
      return &domain::Branch::PlanOpenCounter;
    case domain::Operation::kPauseCounter:
      return &domain::Branch::PlanPauseCounter;
    case domain::Operation::kCloseCounter:
      return &domain::Branch::PlanCloseCounter;
    case domain::Operation::kCallNext:
      return &domain::Branch::PlanCallNext;
    case domain::Operation::kRecall:
      return &domain::Branch::PlanRecall;
    case domain::Operation::kStartService:
      return &domain::Branch::PlanStartService;
    case domain::Operation::kMarkNoShow:
      return &domain::Branch::PlanNoShow;
    case domain::Operation::kFinish:
      return &domain::Branch::PlanFinish;
    default:
      return nullptr;
  }
}

// The action `operation` at the request's counter, at most once per client
// request id.
runtime::Engine::PlanFn Bind(domain::Operation operation, const v1::CounterRequest& request) {
  return [command = CommandOf(operation), operation, counter = request.counter(),
          once = ClientRequestOf(operation, request.request_id(), request.counter())](
             const domain::Branch& branch,
             const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
    if (command == nullptr) {
      return absl::InternalError(
          absl::StrCat(domain::PermissionOf(operation).rpc, " is not a counter action"));
    }
    return branch.PlanOnce(once, ctx, [&] { return (branch.*command)(counter, ctx); });
  };
}

absl::StatusOr<domain::Plan> Reinstate(const domain::Branch& branch,
                                       const v1::CounterReinstateRequest& request,
                                       const domain::CommandContext& ctx) {
  // The counter first, so a wrong counter is named before the ticket.
  if (branch.FindCounter(request.counter()) == nullptr) {
    if (auto s = domain::ValidateCounterNumber(request.counter()); !s.ok()) return s;
    return absl::NotFoundError(absl::StrCat("counter ", request.counter(),
                                            " does not exist in branch '", branch.info().id, "'"));
  }
  auto id = ResolveTicket(branch, ctx.now, request.ticket_id(), request.number());
  if (!id.ok()) return id.status();
  return branch.PlanReinstate(*id, request.counter(), ctx);
}

}  // namespace

Command CounterStateCommand(domain::Operation operation, const v1::CounterRequest& request,
                            v1::CounterResponse* response) {
  return {Bind(operation, request), CounterReply(request.counter(), response)};
}

Command CallNextCommand(const v1::CounterRequest& request, v1::CallNextResponse* response) {
  return {Bind(domain::Operation::kCallNext, request), CallNextReply(request.counter(), response)};
}

Command TicketActionCommand(domain::Operation operation, const v1::CounterRequest& request,
                            v1::TicketActionResponse* response) {
  return {Bind(operation, request), TicketActionReply(request.counter(), response)};
}

absl::StatusOr<Command> TransferCommand(const v1::TransferRequest& request,
                                        v1::TicketActionResponse* response) {
  auto placement = PlacementFromProto(request.placement());
  if (!placement.ok()) return placement.status();
  return Command{
      [&request, placement = *placement,
       once = ClientRequestOf(domain::Operation::kTransfer, request.request_id(), request.counter(),
                              absl::StrCat("to ", request.to_service_code()))](
          const domain::Branch& branch, const domain::CommandContext& ctx) {
        return branch.PlanOnce(once, ctx, [&] {
          return branch.PlanTransfer(request.counter(), request.to_service_code(), placement,
                                     request.note(), ctx);
        });
      },
      TicketActionReply(request.counter(), response)};
}

Command SubmitRatingCommand(const v1::SubmitRatingRequest& request,
                            v1::TicketActionResponse* response) {
  return {[&request, once = ClientRequestOf(
                         domain::Operation::kSubmitRating, request.request_id(), request.counter(),
                         absl::StrCat("ticket ", request.ticket_id(), " score ", request.score()))](
              const domain::Branch& branch, const domain::CommandContext& ctx) {
            return branch.PlanOnce(once, ctx, [&] {
              return branch.PlanRating(request.counter(), request.ticket_id(), request.score(),
                                       request.comment(), ctx);
            });
          },
          TicketActionReply(request.counter(), response)};
}

Command CounterReinstateCommand(const v1::CounterReinstateRequest& request,
                                v1::TicketActionResponse* response) {
  return {[&request,
           once = ClientRequestOf(
               domain::Operation::kCounterReinstateTicket, request.request_id(), request.counter(),
               request.has_ticket_id()
                   ? absl::StrCat("ticket ", request.ticket_id())
                   : absl::StrCat("number ", absl::AsciiStrToUpper(request.number())))](
              const domain::Branch& branch,
              const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
            return branch.PlanOnce(once, ctx, [&] { return Reinstate(branch, request, ctx); });
          },
          TicketActionReply(request.counter(), response)};
}

grpc::ServerUnaryReactor* CounterServiceImpl::OpenCounter(grpc::CallbackServerContext* context,
                                                          const v1::CounterRequest* request,
                                                          v1::CounterResponse* response) {
  const absl::StatusOr<domain::Principal> caller = Authorize(
      auth_, *context, domain::Operation::kOpenCounter, {request->branch_id(), request->counter()});
  if (!caller.ok()) return Reject(context, "OpenCounter", caller.status());
  return RunCommand(engine_, context, "OpenCounter", request->branch_id(), caller->name,
                    CounterStateCommand(domain::Operation::kOpenCounter, *request, response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::PauseCounter(grpc::CallbackServerContext* context,
                                                           const v1::CounterRequest* request,
                                                           v1::CounterResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kPauseCounter,
                {request->branch_id(), request->counter()});
  if (!caller.ok()) return Reject(context, "PauseCounter", caller.status());
  return RunCommand(engine_, context, "PauseCounter", request->branch_id(), caller->name,
                    CounterStateCommand(domain::Operation::kPauseCounter, *request, response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::CloseCounter(grpc::CallbackServerContext* context,
                                                           const v1::CounterRequest* request,
                                                           v1::CounterResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kCloseCounter,
                {request->branch_id(), request->counter()});
  if (!caller.ok()) return Reject(context, "CloseCounter", caller.status());
  return RunCommand(engine_, context, "CloseCounter", request->branch_id(), caller->name,
                    CounterStateCommand(domain::Operation::kCloseCounter, *request, response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::CallNext(grpc::CallbackServerContext* context,
                                                       const v1::CounterRequest* request,
                                                       v1::CallNextResponse* response) {
  const absl::StatusOr<domain::Principal> caller = Authorize(
      auth_, *context, domain::Operation::kCallNext, {request->branch_id(), request->counter()});
  if (!caller.ok()) return Reject(context, "CallNext", caller.status());
  return RunCommand(engine_, context, "CallNext", request->branch_id(), caller->name,
                    CallNextCommand(*request, response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::Recall(grpc::CallbackServerContext* context,
                                                     const v1::CounterRequest* request,
                                                     v1::TicketActionResponse* response) {
  const absl::StatusOr<domain::Principal> caller = Authorize(
      auth_, *context, domain::Operation::kRecall, {request->branch_id(), request->counter()});
  if (!caller.ok()) return Reject(context, "Recall", caller.status());
  return RunCommand(engine_, context, "Recall", request->branch_id(), caller->name,
                    TicketActionCommand(domain::Operation::kRecall, *request, response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::StartService(grpc::CallbackServerContext* context,
                                                           const v1::CounterRequest* request,
                                                           v1::TicketActionResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kStartService,
                {request->branch_id(), request->counter()});
  if (!caller.ok()) return Reject(context, "StartService", caller.status());
  return RunCommand(engine_, context, "StartService", request->branch_id(), caller->name,
                    TicketActionCommand(domain::Operation::kStartService, *request, response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::Transfer(grpc::CallbackServerContext* context,
                                                       const v1::TransferRequest* request,
                                                       v1::TicketActionResponse* response) {
  const absl::StatusOr<domain::Principal> caller = Authorize(
      auth_, *context, domain::Operation::kTransfer, {request->branch_id(), request->counter()});
  if (!caller.ok()) return Reject(context, "Transfer", caller.status());
  return RunCommand(engine_, context, "Transfer", request->branch_id(), caller->name,
                    TransferCommand(*request, response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::MarkNoShow(grpc::CallbackServerContext* context,
                                                         const v1::CounterRequest* request,
                                                         v1::TicketActionResponse* response) {
  const absl::StatusOr<domain::Principal> caller = Authorize(
      auth_, *context, domain::Operation::kMarkNoShow, {request->branch_id(), request->counter()});
  if (!caller.ok()) return Reject(context, "MarkNoShow", caller.status());
  return RunCommand(engine_, context, "MarkNoShow", request->branch_id(), caller->name,
                    TicketActionCommand(domain::Operation::kMarkNoShow, *request, response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::Finish(grpc::CallbackServerContext* context,
                                                     const v1::CounterRequest* request,
                                                     v1::TicketActionResponse* response) {
  const absl::StatusOr<domain::Principal> caller = Authorize(
      auth_, *context, domain::Operation::kFinish, {request->branch_id(), request->counter()});
  if (!caller.ok()) return Reject(context, "Finish", caller.status());
  return RunCommand(engine_, context, "Finish", request->branch_id(), caller->name,
                    TicketActionCommand(domain::Operation::kFinish, *request, response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::SubmitRating(grpc::CallbackServerContext* context,
                                                           const v1::SubmitRatingRequest* request,
                                                           v1::TicketActionResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kSubmitRating,
                {request->branch_id(), request->counter()});
  if (!caller.ok()) return Reject(context, "SubmitRating", caller.status());
  return RunCommand(engine_, context, "SubmitRating", request->branch_id(),
                    absl::StrCat("rating-pad:", request->counter()),
                    SubmitRatingCommand(*request, response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::ReinstateTicket(
    grpc::CallbackServerContext* context, const v1::CounterReinstateRequest* request,
    v1::TicketActionResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kCounterReinstateTicket,
                {request->branch_id(), request->counter()});
  if (!caller.ok()) return Reject(context, "ReinstateTicket", caller.status());
  return RunCommand(engine_, context, "ReinstateTicket", request->branch_id(), caller->name,
                    CounterReinstateCommand(*request, response));
}

}  // namespace lobbyq::rpc
