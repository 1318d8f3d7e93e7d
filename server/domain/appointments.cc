// Branch's appointment commands: the slot grid, booking, cancelling and
// check-in. Kept apart from branch.cc because the check-in window and slot
// arithmetic (local time, DST) are a subject of their own.

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "server/domain/branch.h"
#include "server/domain/masking.h"
#include "server/domain/validation.h"

namespace lobbyq::domain {

std::vector<absl::Time> Branch::SlotGrid(absl::CivilDay day) const {
  std::vector<absl::Time> grid;
  const int64_t slot = absl::ToInt64Minutes(info_.slot_length);
  if (slot <= 0) return grid;
  for (int64_t minute = absl::ToInt64Minutes(info_.opening_time);
       minute + slot <= absl::ToInt64Minutes(info_.closing_time); minute += slot) {
    // Civil arithmetic, so a slot is "10:30 local" also on a day with a DST
    // change. A local time the clocks skip has no slot; one they show twice
    // has its first.
    const absl::TimeZone::TimeInfo at =
        zone_.At(absl::CivilSecond(absl::CivilMinute(day) + minute));
    if (at.kind == absl::TimeZone::TimeInfo::SKIPPED) continue;
    grid.push_back(at.pre);
  }
  return grid;
}

absl::StatusOr<absl::Time> Branch::SlotStartOnGrid(absl::Time slot_start) const {
  const std::vector<absl::Time> grid = SlotGrid(BusinessDay(slot_start));
  if (std::find(grid.begin(), grid.end(), slot_start) == grid.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "slot_start ", absl::FormatTime("%Y-%m-%d %H:%M", slot_start, zone_),
        " is not a slot: slots start every ", absl::FormatDuration(info_.slot_length), " from ",
        absl::FormatTime("%H:%M", absl::UnixEpoch() + info_.opening_time, absl::UTCTimeZone()),
        " to ",
        absl::FormatTime("%H:%M", absl::UnixEpoch() + info_.closing_time - info_.slot_length,
                         absl::UTCTimeZone()),
        " local time"));
  }
  return slot_start;
}

absl::StatusOr<std::vector<SlotView>> Branch::ListSlots(const std::string& service_code,
                                                        absl::CivilDay day) const {
  if (auto s = ValidateServiceCode(service_code); !s.ok()) return s;
  const ServiceConfig* service = FindService(service_code);
  if (service == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("service ", service_code, " does not exist in branch '", info_.id, "'"));
  }
  std::vector<SlotView> slots;
  if (service->appointment_capacity == 0) return slots;
  for (absl::Time start : SlotGrid(day)) {
    auto it = slot_bookings_.find({service_code, start});
    slots.push_back(SlotView{.start = start,
                             .capacity = service->appointment_capacity,
                             .booked = it == slot_bookings_.end() ? 0 : it->second});
  }
  return slots;
}

const Appointment* Branch::FindAppointment(const std::string& code) const {
  auto it = appointments_.find(code);
  return it == appointments_.end() ? nullptr : &it->second;
}

std::vector<const Appointment*> Branch::AppointmentsOn(absl::CivilDay day) const {
  std::vector<const Appointment*> result;
  for (const auto& [code, appointment] : appointments_) {
    if (BusinessDay(appointment.slot_start) == day) result.push_back(&appointment);
  }
  std::sort(result.begin(), result.end(), [](const Appointment* a, const Appointment* b) {
    return std::tie(a->slot_start, a->code) < std::tie(b->slot_start, b->code);
  });
  return result;
}

absl::StatusOr<Plan> Branch::PlanBook(const std::string& service_code, absl::Time slot_start,
                                      const std::string& customer_name, const std::string& phone,
                                      const std::string& request_id,
                                      const std::function<std::string()>& new_code,
                                      const CommandContext& ctx) const {
  if (auto s = ValidateServiceCode(service_code); !s.ok()) return s;
  if (auto s = ValidateRequestId(request_id); !s.ok()) return s;
  if (!customer_name.empty()) {
    if (auto s = ValidateDeviceId(customer_name, "customer_name"); !s.ok()) return s;
  }
  auto digits = NormalizePhone(phone);
  if (!digits.ok()) return digits.status();
  if (auto it = appointment_by_request_.find(request_id); it != appointment_by_request_.end()) {
    const Appointment& earlier = appointments_.at(it->second);
    // Once purged, name and phone cannot be compared; service and slot still can.
    const bool purged = earlier.phone.empty();
    if (earlier.service_code != service_code || earlier.slot_start != slot_start ||
        (!purged && (earlier.phone != *digits || earlier.customer_name != customer_name))) {
      return absl::AlreadyExistsError(absl::StrCat("request_id '", request_id,
                                                   "' already booked another appointment; use a "
                                                   "new request_id for a different booking"));
    }
    return Plan{.change = {.branch_id = info_.id}, .appointment_code = earlier.code};
  }
  const ServiceConfig* service = FindService(service_code);
  if (service == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("service ", service_code, " does not exist in branch '", info_.id, "'"));
  }
  if (service->appointment_capacity == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("service ", service_code, " takes no appointments; take a ticket instead"));
  }
  if (auto s = SlotStartOnGrid(slot_start); !s.ok()) return s.status();
  if (slot_start <= ctx.now) {
    return absl::FailedPreconditionError(
        absl::StrCat("the slot at ", absl::FormatTime("%Y-%m-%d %H:%M", slot_start, zone_),
                     " has already begun; choose a later slot"));
  }
  const absl::CivilDay day = BusinessDay(slot_start);
  if (day > BusinessDay(ctx.now) + info_.booking_horizon_days) {
    return absl::FailedPreconditionError(absl::StrCat("appointments can be booked at most ",
                                                      info_.booking_horizon_days, " days ahead"));
  }
  for (const auto& [code, other] : appointments_) {
    if (other.state == AppointmentState::kBooked && other.phone == *digits &&
        other.service_code == service_code && BusinessDay(other.slot_start) == day) {
      return absl::AlreadyExistsError(absl::StrCat(
          "phone ", MaskPhone(*digits), " already has an appointment for service ", service_code,
          " at ", LocalTime(other.slot_start), " that day; cancel it first to change the time"));
    }
  }
  if (auto it = slot_bookings_.find({service_code, slot_start});
      it != slot_bookings_.end() && it->second >= service->appointment_capacity) {
    return absl::ResourceExhaustedError(absl::StrCat("the slot at ", LocalTime(slot_start),
                                                     " is full (", service->appointment_capacity,
                                                     " booked); choose another slot"));
  }
  // Stored in the form check-in looks for, whatever the source's spelling.
  std::string code;
  for (int attempt = 0; attempt < 16 && (code.empty() || appointments_.contains(code)); ++attempt) {
    auto normalized = NormalizeAppointmentCode(new_code());
    code = normalized.ok() ? *normalized : "";
  }
  if (code.empty() || appointments_.contains(code)) {
    return absl::InternalError("could not make a new appointment code; please try again");
  }
  Appointment appointment{.code = code,
                          .service_code = service_code,
                          .slot_start = slot_start,
                          .customer_name = customer_name,
                          .phone = *digits,
                          .state = AppointmentState::kBooked,
                          .booked_at = ctx.now,
                          .request_id = request_id};
  Plan plan{.change = {.branch_id = info_.id}, .appointment_code = code};
  plan.change.events.push_back(AppointmentEvent(EventType::kAppointmentBooked, appointment, ctx));
  plan.change.appointments.push_back(std::move(appointment));
  return plan;
}

absl::StatusOr<const Appointment*> Branch::AppointmentOrError(const std::string& code,
                                                              absl::string_view hint) const {
  auto normalized = NormalizeAppointmentCode(code);
  if (!normalized.ok()) return normalized.status();
  const Appointment* appointment = FindAppointment(*normalized);
  if (appointment == nullptr) {
    return absl::NotFoundError(absl::StrCat("no appointment with code ", *normalized,
                                            " in branch '", info_.id, "'", hint));
  }
  return appointment;
}

// The code stays out of the event: events reach lobby displays, and a code is
// all it takes to check in or cancel.
Event Branch::AppointmentEvent(EventType type, const Appointment& appointment,
                               const CommandContext& ctx) const {
  Event event = NewEvent(type, 0, ctx);
  event.service_code = appointment.service_code;
  event.ticket_id = appointment.ticket_id;
  event.detail =
      absl::StrCat("slot ", absl::FormatTime("%Y-%m-%d %H:%M", appointment.slot_start, zone_));
  return event;
}

absl::StatusOr<Plan> Branch::PlanCancelAppointment(const std::string& code,
                                                   const CommandContext& ctx) const {
  auto appointment = AppointmentOrError(code);
  if (!appointment.ok()) return appointment.status();
  if ((*appointment)->state != AppointmentState::kBooked) {
    return absl::FailedPreconditionError(
        absl::StrCat("appointment ", (*appointment)->code, " is ", Name((*appointment)->state),
                     "; only a booked appointment can be cancelled"));
  }
  Appointment after = **appointment;
  after.state = AppointmentState::kCancelled;
  after.closed_at = ctx.now;
  Plan plan{.change = {.branch_id = info_.id}, .appointment_code = after.code};
  plan.change.events.push_back(AppointmentEvent(EventType::kAppointmentCancelled, after, ctx));
  plan.change.appointments.push_back(std::move(after));
  return plan;
}

CheckInOutcome Branch::OutcomeOf(const Appointment& appointment, absl::Time now) const {
  const absl::Time checked_in = appointment.closed_at.value_or(now);
  if (checked_in > appointment.slot_start + info_.checkin_late) return CheckInOutcome::kLate;
  if (checked_in < appointment.slot_start - info_.appointment_lead) return CheckInOutcome::kEarly;
  return CheckInOutcome::kOnTime;
}

absl::StatusOr<CheckIn> Branch::PlanCheckIn(const std::string& code, const ClientRequest& request,
                                            const CommandContext& ctx) const {
  CheckIn result;
  auto plan = PlanOnce(request, ctx, [&]() -> absl::StatusOr<Plan> {
    auto checked_in = PlanCheckIn(code, ctx);
    if (!checked_in.ok()) return checked_in.status();
    result.outcome = checked_in->outcome;
    return std::move(checked_in->plan);
  });
  if (!plan.ok()) return plan.status();
  if (plan->replay) {
    // The first answer, also on a later day, when a code typed again is refused.
    auto found = AppointmentOrError(code);
    if (!found.ok()) return found.status();
    result.outcome = OutcomeOf(**found, ctx.now);
  }
  result.plan = *std::move(plan);
  return result;
}

absl::StatusOr<CheckIn> Branch::PlanCheckIn(const std::string& code,
                                            const CommandContext& ctx) const {
  auto found = AppointmentOrError(
      code, "; check the code in your booking confirmation, or take a normal ticket");
  if (!found.ok()) return found.status();
  const Appointment* appointment = *found;
  const std::string& normalized = appointment->code;
  const absl::Time slot = appointment->slot_start;
  if (appointment->state == AppointmentState::kCheckedIn) {
    // Only on the day of the check-in: a code typed again later must not hand
    // back an old, long-finished ticket.
    const Ticket* ticket = FindTicket(appointment->ticket_id);
    if (ticket == nullptr || BusinessDay(ctx.now) > ticket->business_day) {
      return absl::FailedPreconditionError(absl::StrCat(
          "appointment ", normalized, " was already used to check in",
          appointment->closed_at
              ? absl::StrCat(" on ", absl::FormatTime("%Y-%m-%d", *appointment->closed_at, zone_))
              : "",
          "; please book again or take a normal ticket"));
    }
    // A second check-in (a retry, or a customer pressing twice) gets the same ticket.
    // The outcome follows from when the first check-in happened, not from where
    // the ticket stands now (a transfer or reinstatement may have moved it).
    return CheckIn{.plan = {.change = {.branch_id = info_.id}, .ticket_id = appointment->ticket_id},
                   .outcome = OutcomeOf(*appointment, ctx.now)};
  }
  if (appointment->state == AppointmentState::kCancelled) {
    return absl::FailedPreconditionError(
        absl::StrCat("appointment ", normalized, " was cancelled; please take a normal ticket"));
  }
  // Late on a later day: the slot is gone, and so is the day's queue it was for.
  if (ctx.now > slot + info_.checkin_late && BusinessDay(ctx.now) > BusinessDay(slot)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "appointment ", normalized, " was for ", absl::FormatTime("%Y-%m-%d %H:%M", slot, zone_),
        "; please book again or take a normal ticket"));
  }
  if (ctx.now < slot - info_.checkin_early) {
    return absl::FailedPreconditionError(
        absl::StrCat("your appointment is at ", absl::FormatTime("%Y-%m-%d %H:%M", slot, zone_),
                     "; check-in opens at ", LocalTime(slot - info_.checkin_early)));
  }
  CheckIn result;
  absl::StatusOr<Plan> issued;
  if (ctx.now > slot + info_.checkin_late) {
    result.outcome = CheckInOutcome::kLate;
    issued = NewTicket(appointment->service_code, PriorityClass::kNormal, "", {}, ctx.now, ctx);
  } else {
    const absl::Time callable_from = slot - info_.appointment_lead;
    result.outcome = ctx.now < callable_from ? CheckInOutcome::kEarly : CheckInOutcome::kOnTime;
    issued = NewTicket(appointment->service_code, PriorityClass::kAppointment, "", {},
                       std::max(ctx.now, callable_from), ctx);
  }
  if (!issued.ok()) return issued.status();
  result.plan = *std::move(issued);
  result.plan.change.tickets.front().appointment_code = appointment->code;
  Appointment after = *appointment;
  after.state = AppointmentState::kCheckedIn;
  after.closed_at = ctx.now;
  after.ticket_id = result.plan.ticket_id;
  Event event = AppointmentEvent(EventType::kAppointmentCheckedIn, after, ctx);
  event.detail = absl::StrCat(result.outcome == CheckInOutcome::kLate    ? "late"
                              : result.outcome == CheckInOutcome::kEarly ? "early"
                                                                         : "on time",
                              ", ", event.detail);
  result.plan.change.appointments.push_back(std::move(after));
  result.plan.change.events.push_back(std::move(event));
  return result;
}

}  // namespace lobbyq::domain
