// CounterService requests, run through the server's own commands
// (server/rpc/requests.h) against the prepared lobby.

#include "harness.h"
#include "server/rpc/requests.h"

namespace lobbyq::fuzz {
namespace {

void Plain(FuzzLobby& lobby, CounterStep::Method method, const v1::CounterRequest& request) {
  const std::string& branch_id = request.branch_id();
  v1::CounterResponse counter_response;
  v1::TicketActionResponse ticket_response;
  switch (method) {
    case CounterStep::METHOD_OPEN:
      return void(lobby.RunCommand(
          "OpenCounter", branch_id,
          rpc::CounterStateCommand(domain::Operation::kOpenCounter, request, &counter_response)));
    case CounterStep::METHOD_PAUSE:
      return void(lobby.RunCommand(
          "PauseCounter", branch_id,
          rpc::CounterStateCommand(domain::Operation::kPauseCounter, request, &counter_response)));
    case CounterStep::METHOD_CLOSE:
      return void(lobby.RunCommand(
          "CloseCounter", branch_id,
          rpc::CounterStateCommand(domain::Operation::kCloseCounter, request, &counter_response)));
    case CounterStep::METHOD_RECALL:
      return void(lobby.RunCommand(
          "Recall", branch_id,
          rpc::TicketActionCommand(domain::Operation::kRecall, request, &ticket_response)));
    case CounterStep::METHOD_START_SERVICE:
      return void(lobby.RunCommand(
          "StartService", branch_id,
          rpc::TicketActionCommand(domain::Operation::kStartService, request, &ticket_response)));
    case CounterStep::METHOD_MARK_NO_SHOW:
      return void(lobby.RunCommand(
          "MarkNoShow", branch_id,
          rpc::TicketActionCommand(domain::Operation::kMarkNoShow, request, &ticket_response)));
    case CounterStep::METHOD_FINISH:
      return void(lobby.RunCommand(
          "Finish", branch_id,
          rpc::TicketActionCommand(domain::Operation::kFinish, request, &ticket_response)));
    default: {
      v1::CallNextResponse response;
      lobby.RunCommand("CallNext", branch_id, rpc::CallNextCommand(request, &response));
      return;
    }
  }
}

void Step(FuzzLobby& lobby, const CounterStep& step) {
  lobby.Advance(step.advance_seconds());
  v1::TicketActionResponse response;
  switch (step.request_case()) {
    case CounterStep::kDrive:
      return lobby.Drive(step.drive());
    case CounterStep::kCounter:
      return Plain(lobby, step.method(), step.counter());
    case CounterStep::kTransfer:
      lobby.RunCommand("Transfer", step.transfer().branch_id(),
                       rpc::TransferCommand(step.transfer(), &response));
      return;
    case CounterStep::kSubmitRating:
      lobby.RunCommand("SubmitRating", step.submit_rating().branch_id(),
                       rpc::SubmitRatingCommand(step.submit_rating(), &response));
      return;
    case CounterStep::kReinstateTicket:
      lobby.RunCommand("ReinstateTicket", step.reinstate_ticket().branch_id(),
                       rpc::CounterReinstateCommand(step.reinstate_ticket(), &response));
      return;
    case CounterStep::REQUEST_NOT_SET:
      return;
  }
}

}  // namespace

int RunCounter(const uint8_t* data, size_t size) {
  return RunSession<CounterSession>(data, size, Step);
}

}  // namespace lobbyq::fuzz
