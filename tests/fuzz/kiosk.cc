// KioskService requests, run through the server's own commands
// (server/rpc/requests.h) against the prepared lobby, from its kiosk.

#include "harness.h"
#include "server/rpc/requests.h"

namespace lobbyq::fuzz {
namespace {

void Step(FuzzLobby& lobby, const KioskStep& step) {
  lobby.Advance(step.advance_seconds());
  switch (step.request_case()) {
    case KioskStep::kDrive:
      return lobby.Drive(step.drive());
    case KioskStep::kIssueTicket: {
      v1::TicketResponse response;
      lobby.RunCommand(
          "IssueTicket", step.issue_ticket().branch_id(),
          rpc::IssueTicketCommand(step.issue_ticket(), &response, lobby, lobby.KioskGate()));
      return;
    }
    case KioskStep::kCheckIn: {
      v1::CheckInAppointmentResponse response;
      lobby.RunCommand("CheckInAppointment", step.check_in().branch_id(),
                       rpc::CheckInCommand(step.check_in(), &response, lobby, lobby.KioskGate()));
      return;
    }
    case KioskStep::kGetTicket: {
      v1::TicketResponse response;
      lobby.RunCommand("GetTicket", step.get_ticket().branch_id(),
                       rpc::GetTicketCommand(step.get_ticket(), &response, lobby));
      return;
    }
    case KioskStep::kCancelTicket: {
      v1::TicketResponse response;
      lobby.RunCommand("CancelTicket", step.cancel_ticket().branch_id(),
                       rpc::CancelTicketCommand(step.cancel_ticket(), &response, lobby));
      return;
    }
    case KioskStep::kReinstateTicket: {
      v1::TicketResponse response;
      lobby.RunCommand("ReinstateTicket", step.reinstate_ticket().branch_id(),
                       rpc::KioskReinstateCommand(step.reinstate_ticket(), &response, lobby));
      return;
    }
    case KioskStep::kListServices: {
      v1::ListServicesResponse response;
      lobby.RunCommand("ListServices", step.list_services().branch_id(),
                       rpc::ListServicesCommand(&response, lobby));
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
