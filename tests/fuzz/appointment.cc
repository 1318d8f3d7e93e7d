// AppointmentService requests (and the kiosk's check-in, where a booking
// ends), run through the server's own commands (server/rpc/requests.h)
// against the prepared lobby; appointment codes come from the lobby's
// deterministic source instead of the operating system's.

#include "harness.h"
#include "server/rpc/requests.h"

namespace lobbyq::fuzz {
namespace {

void Step(FuzzLobby& lobby, const AppointmentStep& step) {
  lobby.Advance(step.advance_seconds());
  switch (step.request_case()) {
    case AppointmentStep::kDrive:
      return lobby.Drive(step.drive());
    case AppointmentStep::kListSlots: {
      v1::ListSlotsResponse response;
      lobby.RunCommand("ListSlots", step.list_slots().branch_id(),
                       rpc::ListSlotsCommand(step.list_slots(), &response));
      return;
    }
    case AppointmentStep::kBook: {
      v1::Appointment response;
      lobby.RunCommand("BookAppointment", step.book().branch_id(),
                       rpc::BookAppointmentCommand(step.book(), &response,
                                                   [&] { return lobby.NewAppointmentCode(); }));
      return;
    }
    case AppointmentStep::kCancel: {
      v1::Appointment response;
      lobby.RunCommand("CancelAppointment", step.cancel().branch_id(),
                       rpc::CancelAppointmentCommand(step.cancel(), &response));
      return;
    }
    case AppointmentStep::kListAppointments: {
      v1::ListAppointmentsResponse response;
      lobby.RunCommand("ListAppointments", step.list_appointments().branch_id(),
                       rpc::ListAppointmentsCommand(step.list_appointments(), &response));
      return;
    }
    case AppointmentStep::kCheckIn: {
      v1::CheckInAppointmentResponse response;
      lobby.RunCommand("CheckInAppointment", step.check_in().branch_id(),
                       rpc::CheckInCommand(step.check_in(), &response, lobby, lobby.KioskGate()));
      return;
    }
    case AppointmentStep::REQUEST_NOT_SET:
      return;
  }
}

}  // namespace

int RunAppointment(const uint8_t* data, size_t size) {
  return RunSession<AppointmentSession>(data, size, Step);
}

}  // namespace lobbyq::fuzz
