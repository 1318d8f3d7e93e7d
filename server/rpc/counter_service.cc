#include "absl/strings/str_cat.h"
#include "server/rpc/command.h"
#include "server/rpc/mapping.h"
#include "server/rpc/services.h"

namespace lobbyq::rpc {
namespace {

using CounterCommand =
    absl::StatusOr<domain::Plan> (domain::Branch::*)(uint32_t, const domain::CommandContext&) const;

std::string CounterActor(uint32_t counter) { return absl::StrCat("counter:", counter); }

ReplyFn CounterReply(uint32_t number, v1::CounterResponse* response) {
  return [number, response](const domain::Branch& branch, const domain::Plan&) {
    ToProto(*branch.FindCounter(number), branch, response->mutable_counter());
  };
}

ReplyFn TicketActionReply(uint32_t number, v1::TicketActionResponse* response) {
  return [number, response](const domain::Branch& branch, const domain::Plan& plan) {
    if (plan.ticket_id != 0) {
      ToProto(*branch.FindTicket(plan.ticket_id), branch, response->mutable_ticket());
    }
    ToProto(*branch.FindCounter(number), branch, response->mutable_counter());
  };
}

runtime::Engine::PlanFn Bind(CounterCommand command, uint32_t counter) {
  return [command, counter](const domain::Branch& branch, const domain::CommandContext& ctx) {
    return (branch.*command)(counter, ctx);
  };
}

}  // namespace

grpc::ServerUnaryReactor* CounterServiceImpl::OpenCounter(grpc::CallbackServerContext* context,
                                                          const v1::CounterRequest* request,
                                                          v1::CounterResponse* response) {
  return RunCommand(engine_, context, "OpenCounter", request->branch_id(),
                    CounterActor(request->counter()),
                    Bind(&domain::Branch::PlanOpenCounter, request->counter()),
                    CounterReply(request->counter(), response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::PauseCounter(grpc::CallbackServerContext* context,
                                                           const v1::CounterRequest* request,
                                                           v1::CounterResponse* response) {
  return RunCommand(engine_, context, "PauseCounter", request->branch_id(),
                    CounterActor(request->counter()),
                    Bind(&domain::Branch::PlanPauseCounter, request->counter()),
                    CounterReply(request->counter(), response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::CloseCounter(grpc::CallbackServerContext* context,
                                                           const v1::CounterRequest* request,
                                                           v1::CounterResponse* response) {
  return RunCommand(engine_, context, "CloseCounter", request->branch_id(),
                    CounterActor(request->counter()),
                    Bind(&domain::Branch::PlanCloseCounter, request->counter()),
                    CounterReply(request->counter(), response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::CallNext(grpc::CallbackServerContext* context,
                                                       const v1::CounterRequest* request,
                                                       v1::TicketActionResponse* response) {
  return RunCommand(engine_, context, "CallNext", request->branch_id(),
                    CounterActor(request->counter()),
                    Bind(&domain::Branch::PlanCallNext, request->counter()),
                    TicketActionReply(request->counter(), response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::Recall(grpc::CallbackServerContext* context,
                                                     const v1::CounterRequest* request,
                                                     v1::TicketActionResponse* response) {
  return RunCommand(engine_, context, "Recall", request->branch_id(),
                    CounterActor(request->counter()),
                    Bind(&domain::Branch::PlanRecall, request->counter()),
                    TicketActionReply(request->counter(), response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::StartService(grpc::CallbackServerContext* context,
                                                           const v1::CounterRequest* request,
                                                           v1::TicketActionResponse* response) {
  return RunCommand(engine_, context, "StartService", request->branch_id(),
                    CounterActor(request->counter()),
                    Bind(&domain::Branch::PlanStartService, request->counter()),
                    TicketActionReply(request->counter(), response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::Transfer(grpc::CallbackServerContext* context,
                                                       const v1::TransferRequest* request,
                                                       v1::TicketActionResponse* response) {
  return RunCommand(
      engine_, context, "Transfer", request->branch_id(), CounterActor(request->counter()),
      [request](const domain::Branch& branch, const domain::CommandContext& ctx) {
        return branch.PlanTransfer(request->counter(), request->to_service_code(), ctx);
      },
      TicketActionReply(request->counter(), response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::MarkNoShow(grpc::CallbackServerContext* context,
                                                         const v1::CounterRequest* request,
                                                         v1::TicketActionResponse* response) {
  return RunCommand(engine_, context, "MarkNoShow", request->branch_id(),
                    CounterActor(request->counter()),
                    Bind(&domain::Branch::PlanNoShow, request->counter()),
                    TicketActionReply(request->counter(), response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::Finish(grpc::CallbackServerContext* context,
                                                     const v1::CounterRequest* request,
                                                     v1::TicketActionResponse* response) {
  return RunCommand(engine_, context, "Finish", request->branch_id(),
                    CounterActor(request->counter()),
                    Bind(&domain::Branch::PlanFinish, request->counter()),
                    TicketActionReply(request->counter(), response));
}

grpc::ServerUnaryReactor* CounterServiceImpl::SubmitRating(grpc::CallbackServerContext* context,
                                                           const v1::SubmitRatingRequest* request,
                                                           v1::TicketActionResponse* response) {
  return RunCommand(
      engine_, context, "SubmitRating", request->branch_id(),
      absl::StrCat("rating-pad:", request->counter()),
      [request](const domain::Branch& branch, const domain::CommandContext& ctx) {
        return branch.PlanRating(request->counter(), request->ticket_id(), request->score(),
                                 request->comment(), ctx);
      },
      TicketActionReply(request->counter(), response));
}

}  // namespace lobbyq::rpc
