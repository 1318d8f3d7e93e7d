// AppointmentService requests (and the kiosk's check-in, where a booking
// ends), checked and planned as server/rpc/appointment_service.cc does.

#include <optional>

#include "absl/strings/str_cat.h"
#include "harness.h"
#include "server/domain/masking.h"
#include "server/domain/validation.h"
#include "server/rpc/mapping.h"

namespace lobbyq::fuzz {
namespace {

// DayOrToday: an empty day is the branch's today.
absl::StatusOr<std::optional<absl::CivilDay>> DayOrToday(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto day = rpc::ParseDay(text);
  if (!day.ok()) return day.status();
  return *day;
}

void AppointmentReply(const FuzzLobby& lobby, const std::string& code) {
  const domain::Appointment* appointment = lobby.branch().FindAppointment(code);
  if (appointment == nullptr) Fail(absl::StrCat("the reply's appointment ", code, " is gone"));
  v1::Appointment out;
  rpc::ToProto(*appointment, lobby.branch(), &out);
}

void ListSlots(FuzzLobby& lobby, const v1::ListSlotsRequest& request) {
  auto day = DayOrToday(request.day());
  if (!day.ok()) return lobby.Refused("ListSlots", day.status());
  std::vector<domain::SlotView> slots;
  auto plan = lobby.Run("ListSlots", request.branch_id(),
                        [&](const domain::Branch& branch,
                            const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
                          auto listed = branch.ListSlots(
                              request.service_code(), day->value_or(branch.BusinessDay(ctx.now)));
                          if (!listed.ok()) return listed.status();
                          slots = *std::move(listed);
                          return domain::Plan{};
                        });
  if (!plan) return;
  v1::ListSlotsResponse response;
  for (const auto& slot : slots) rpc::ToProto(slot, lobby.branch(), response.add_slots());
}

void Book(FuzzLobby& lobby, const v1::BookAppointmentRequest& request) {
  if (!request.has_slot_start()) {
    return lobby.Refused("BookAppointment", absl::InvalidArgumentError("slot_start is required"));
  }
  const absl::Time slot_start = rpc::FromProto(request.slot_start());
  auto plan =
      lobby.Run("BookAppointment", request.branch_id(),
                [&](const domain::Branch& branch, const domain::CommandContext& ctx) {
                  return branch.PlanBook(
                      request.service_code(), slot_start, request.customer_name(), request.phone(),
                      request.request_id(), [&] { return lobby.NewAppointmentCode(); }, ctx);
                });
  if (plan) AppointmentReply(lobby, plan->appointment_code);
}

void Cancel(FuzzLobby& lobby, const v1::CancelAppointmentRequest& request) {
  auto code = domain::NormalizeAppointmentCode(request.code());
  if (!code.ok()) return lobby.Refused("CancelAppointment", code.status());
  auto plan = lobby.Run("CancelAppointment", request.branch_id(),
                        [&](const domain::Branch& branch, const domain::CommandContext& ctx) {
                          return branch.PlanCancelAppointment(*code, ctx);
                        });
  if (plan) {
    AppointmentReply(lobby, plan->appointment_code.empty() ? *code : plan->appointment_code);
  }
}

void ListAppointments(FuzzLobby& lobby, const v1::ListAppointmentsRequest& request) {
  auto day = DayOrToday(request.day());
  if (!day.ok()) return lobby.Refused("ListAppointments", day.status());
  std::vector<const domain::Appointment*> listed;
  auto plan = lobby.Run("ListAppointments", request.branch_id(),
                        [&](const domain::Branch& branch, const domain::CommandContext& ctx) {
                          listed =
                              branch.AppointmentsOn(day->value_or(branch.BusinessDay(ctx.now)));
                          return absl::StatusOr<domain::Plan>(domain::Plan{});
                        });
  if (!plan) return;
  v1::ListAppointmentsResponse response;
  for (const domain::Appointment* appointment : listed) {
    v1::Appointment* out = response.add_appointments();
    rpc::ToProto(*appointment, lobby.branch(), out);
    out->set_code(domain::MaskAppointmentCode(appointment->code));
  }
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
  if (!plan) return;
  const domain::Ticket* ticket = lobby.branch().FindTicket(plan->ticket_id);
  if (ticket == nullptr) Fail("check-in answered without a ticket");
  v1::CheckInAppointmentResponse response;
  rpc::ToProto(*ticket, lobby.branch(), response.mutable_ticket());
  rpc::AddWaitEstimate(*ticket, lobby.branch(), lobby.now(), response.mutable_ticket());
  rpc::ToProto(ticket->queued_at, response.mutable_callable_from());
}

void Step(FuzzLobby& lobby, const AppointmentStep& step) {
  lobby.Advance(step.advance_seconds());
  switch (step.request_case()) {
    case AppointmentStep::kDrive:
      return lobby.Drive(step.drive());
    case AppointmentStep::kListSlots:
      return ListSlots(lobby, step.list_slots());
    case AppointmentStep::kBook:
      return Book(lobby, step.book());
    case AppointmentStep::kCancel:
      return Cancel(lobby, step.cancel());
    case AppointmentStep::kListAppointments:
      return ListAppointments(lobby, step.list_appointments());
    case AppointmentStep::kCheckIn:
      return CheckIn(lobby, step.check_in());
    case AppointmentStep::REQUEST_NOT_SET:
      return;
  }
}

}  // namespace

int RunAppointment(const uint8_t* data, size_t size) {
  return RunSession<AppointmentSession>(data, size, Step);
}

}  // namespace lobbyq::fuzz
