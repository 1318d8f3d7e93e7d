#pragma once

// What each RPC that works on one branch asks of it, apart from gRPC: the
// request's own checks, made before any work so that a refused request changes
// nothing, then the plan that runs on the branch's strand and the reply filled
// right after it there. Each is defined beside its handler in
// server/rpc/*_service.cc; the handler runs it after Authorize, and the fuzz
// targets (tests/fuzz) run the very same functions on a branch in memory, so
// what is fuzzed is what is served. `request` and `response` must outlive the
// command.

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "lobbyq/v1/admin.pb.h"
#include "lobbyq/v1/appointment.pb.h"
#include "lobbyq/v1/counter.pb.h"
#include "lobbyq/v1/kiosk.pb.h"
#include "lobbyq/v1/lobby.pb.h"
#include "server/domain/permissions.h"
#include "server/rpc/command.h"
#include "server/rpc/limits.h"

namespace lobbyq::rpc {

// What IssueTicket and CheckInAppointment need besides the request: who asks
// (only a kiosk's issuing is rate-limited) and the server's limits.
struct IssueGate {
  const domain::Principal& caller;
  const Limits& limits;
  IssueRateLimiter& rate;
};

// KioskService (kiosk_service.cc).
Command ListServicesCommand(v1::ListServicesResponse* response, const Clock& clock);
absl::StatusOr<Command> IssueTicketCommand(const v1::IssueTicketRequest& request,
                                           v1::TicketResponse* response, const Clock& clock,
                                           IssueGate gate);
Command GetTicketCommand(const v1::GetTicketRequest& request, v1::TicketResponse* response,
                         const Clock& clock);
Command CancelTicketCommand(const v1::CancelTicketRequest& request, v1::TicketResponse* response,
                            const Clock& clock);
absl::StatusOr<Command> CheckInCommand(const v1::CheckInAppointmentRequest& request,
                                       v1::CheckInAppointmentResponse* response, const Clock& clock,
                                       IssueGate gate);
Command KioskReinstateCommand(const v1::ReinstateTicketRequest& request,
                              v1::TicketResponse* response, const Clock& clock);

// CounterService (counter_service.cc). `operation` names the action:
// OpenCounter, PauseCounter or CloseCounter for CounterStateCommand; Recall,
// StartService, MarkNoShow or Finish for TicketActionCommand.
Command CounterStateCommand(domain::Operation operation, const v1::CounterRequest& request,
                            v1::CounterResponse* response);
Command CallNextCommand(const v1::CounterRequest& request, v1::CallNextResponse* response);
Command TicketActionCommand(domain::Operation operation, const v1::CounterRequest& request,
                            v1::TicketActionResponse* response);
absl::StatusOr<Command> TransferCommand(const v1::TransferRequest& request,
                                        v1::TicketActionResponse* response);
Command SubmitRatingCommand(const v1::SubmitRatingRequest& request,
                            v1::TicketActionResponse* response);
Command CounterReinstateCommand(const v1::CounterReinstateRequest& request,
                                v1::TicketActionResponse* response);

// AppointmentService (appointment_service.cc). `new_code` makes appointment
// codes: the operating system's random source in the server.
absl::StatusOr<Command> ListSlotsCommand(const v1::ListSlotsRequest& request,
                                         v1::ListSlotsResponse* response);
absl::StatusOr<Command> BookAppointmentCommand(const v1::BookAppointmentRequest& request,
                                               v1::Appointment* response,
                                               std::function<std::string()> new_code);
absl::StatusOr<Command> CancelAppointmentCommand(const v1::CancelAppointmentRequest& request,
                                                 v1::Appointment* response);
absl::StatusOr<Command> ListAppointmentsCommand(const v1::ListAppointmentsRequest& request,
                                                v1::ListAppointmentsResponse* response);
std::string NewAppointmentCode();

// AdminService (admin_service.cc), the commands on one existing branch.
Command GetBranchCommand(v1::BranchConfig* response);
Command UpsertServiceCommand(const v1::UpsertServiceRequest& request, v1::ServiceConfig* response);
absl::StatusOr<Command> UpsertCounterCommand(const v1::UpsertCounterRequest& request,
                                             v1::CounterStatus* response);
absl::StatusOr<Command> UpdateBranchCommand(const v1::UpdateBranchRequest& request,
                                            v1::BranchConfig* response);

// LobbyService (lobby_service.cc), the reads of the branch in memory.
Command GetLobbyStatusCommand(v1::LobbyStatus* response, const Clock& clock);
Command PreviewOrderCommand(v1::PreviewOrderResponse* response, const Clock& clock);

}  // namespace lobbyq::rpc
