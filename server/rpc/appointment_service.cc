#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/domain/masking.h"
#include "server/domain/validation.h"
#include "server/rpc/command.h"
#include "server/rpc/mapping.h"
#include "server/rpc/requests.h"
#include "server/rpc/services.h"

namespace lobbyq::rpc {
namespace {

constexpr char kBookingActor[] = "booking";

ReplyFn AppointmentReply(std::string code, v1::Appointment* response) {
  return
      [code = std::move(code), response](const domain::Branch& branch, const domain::Plan& plan) {
        const std::string& key = plan.appointment_code.empty() ? code : plan.appointment_code;
        ToProto(*branch.FindAppointment(key), branch, response);
      };
}

// An empty day means the branch's today, so a kiosk need not know the time zone.
absl::StatusOr<std::optional<absl::CivilDay>> DayOrToday(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto day = ParseDay(text);
  if (!day.ok()) return day.status();
  return *day;
}

absl::CivilDay Resolve(const std::optional<absl::CivilDay>& day, const domain::Branch& branch,
                       const domain::CommandContext& ctx) {
  return day.value_or(branch.BusinessDay(ctx.now));
}

}  // namespace

// A fresh appointment code. Codes are secrets (whoever has one can check in or
// cancel), so they come from the operating system's random source, not from a
// seeded generator whose sequence could be replayed.
std::string NewAppointmentCode() {
  thread_local std::random_device random;
  std::uniform_int_distribution<size_t> pick(0, domain::kAppointmentCodeAlphabet.size() - 1);
  std::string code;
  code.reserve(domain::kAppointmentCodeLength);
  for (size_t i = 0; i < domain::kAppointmentCodeLength; ++i) {
    code += domain::kAppointmentCodeAlphabet[pick(random)];
  }
  return code;
}

absl::StatusOr<Command> ListSlotsCommand(const v1::ListSlotsRequest& request,
                                         v1::ListSlotsResponse* response) {
  auto day = DayOrToday(request.day());
  if (!day.ok()) return day.status();
  // The plan checks the request and reads the slots; the reply, right after it
  // on the same strand, sends them.
  auto slots = std::make_shared<std::vector<domain::SlotView>>();
  return Command{[&request, day = *day, slots](
                     const domain::Branch& branch,
                     const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
                   auto listed =
                       branch.ListSlots(request.service_code(), Resolve(day, branch, ctx));
                   if (!listed.ok()) return listed.status();
                   *slots = *std::move(listed);
                   return domain::Plan{};
                 },
                 [slots, response](const domain::Branch& branch, const domain::Plan&) {
                   for (const auto& slot : *slots) ToProto(slot, branch, response->add_slots());
                 }};
}

absl::StatusOr<Command> BookAppointmentCommand(const v1::BookAppointmentRequest& request,
                                               v1::Appointment* response,
                                               std::function<std::string()> new_code) {
  if (!request.has_slot_start()) {
    return absl::InvalidArgumentError("slot_start is required: take it from ListSlots");
  }
  return Command{
      [&request, slot_start = FromProto(request.slot_start()), new_code = std::move(new_code)](
          const domain::Branch& branch, const domain::CommandContext& ctx) {
        return branch.PlanBook(request.service_code(), slot_start, request.customer_name(),
                               request.phone(), request.request_id(), new_code, ctx);
      },
      AppointmentReply("", response)};
}

absl::StatusOr<Command> CancelAppointmentCommand(const v1::CancelAppointmentRequest& request,
                                                 v1::Appointment* response) {
  auto code = domain::NormalizeAppointmentCode(request.code());
  if (!code.ok()) return code.status();
  return Command{[code = *code](const domain::Branch& branch, const domain::CommandContext& ctx) {
                   return branch.PlanCancelAppointment(code, ctx);
                 },
                 AppointmentReply(*code, response)};
}

absl::StatusOr<Command> ListAppointmentsCommand(const v1::ListAppointmentsRequest& request,
                                                v1::ListAppointmentsResponse* response) {
  auto day = DayOrToday(request.day());
  if (!day.ok()) return day.status();
  auto listed = std::make_shared<std::vector<const domain::Appointment*>>();
  return Command{
      [day = *day, listed](const domain::Branch& branch,
                           const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
        // Pointers into the branch, read by the reply right after on the same strand.
        *listed = branch.AppointmentsOn(Resolve(day, branch, ctx));
        return domain::Plan{};
      },
      [listed, response](const domain::Branch& branch, const domain::Plan&) {
        int missed = 0;
        for (const domain::Appointment* appointment : *listed) {
          v1::Appointment* out = response->add_appointments();
          ToProto(*appointment, branch, out);
          // Enough for staff to match a customer's code, not enough to use it.
          out->set_code(domain::MaskAppointmentCode(appointment->code));
          if (appointment->state == domain::AppointmentState::kMissed ||
              appointment->state == domain::AppointmentState::kCancelled) {
            ++missed;
          }
        }
        response->set_missed_count(missed);
      }};
}

grpc::ServerUnaryReactor* AppointmentServiceImpl::ListSlots(grpc::CallbackServerContext* context,
                                                            const v1::ListSlotsRequest* request,
                                                            v1::ListSlotsResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kListSlots, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "ListSlots", caller.status());
  return RunCommand(engine_, context, "ListSlots", request->branch_id(), kBookingActor,
                    ListSlotsCommand(*request, response));
}

grpc::ServerUnaryReactor* AppointmentServiceImpl::BookAppointment(
    grpc::CallbackServerContext* context, const v1::BookAppointmentRequest* request,
    v1::Appointment* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kBookAppointment, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "BookAppointment", caller.status());
  return RunCommand(engine_, context, "BookAppointment", request->branch_id(), kBookingActor,
                    BookAppointmentCommand(*request, response, NewAppointmentCode));
}

grpc::ServerUnaryReactor* AppointmentServiceImpl::CancelAppointment(
    grpc::CallbackServerContext* context, const v1::CancelAppointmentRequest* request,
    v1::Appointment* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kCancelAppointment, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "CancelAppointment", caller.status());
  return RunCommand(engine_, context, "CancelAppointment", request->branch_id(), kBookingActor,
                    CancelAppointmentCommand(*request, response));
}

grpc::ServerUnaryReactor* AppointmentServiceImpl::ListAppointments(
    grpc::CallbackServerContext* context, const v1::ListAppointmentsRequest* request,
    v1::ListAppointmentsResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kListAppointments, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "ListAppointments", caller.status());
  return RunCommand(engine_, context, "ListAppointments", request->branch_id(), kBookingActor,
                    ListAppointmentsCommand(*request, response));
}

}  // namespace lobbyq::rpc
