#include "server/domain/types.h"

#include <array>
#include <utility>

#include "absl/strings/str_format.h"

namespace lobbyq::domain {
namespace {

template <typename E, size_t N>
absl::string_view LookUpName(const std::array<std::pair<E, absl::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> LookUpValue(const std::array<std::pair<E, absl::string_view>, N>& table,
                             absl::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<TicketState, absl::string_view>, 6> kTicketStates{{
    {TicketState::kWaiting, "waiting"},
    {TicketState::kCalled, "called"},
    {TicketState::kServing, "serving"},
    {TicketState::kDone, "done"},
    {TicketState::kNoShow, "no_show"},
    {TicketState::kCancelled, "cancelled"},
}};

constexpr std::array<std::pair<PriorityClass, absl::string_view>, 4> kPriorities{{
    {PriorityClass::kNormal, "normal"},
    {PriorityClass::kVip, "vip"},
    {PriorityClass::kGreenChannel, "green_channel"},
    {PriorityClass::kAppointment, "appointment"},
}};

constexpr std::array<std::pair<CounterState, absl::string_view>, 3> kCounterStates{{
    {CounterState::kClosed, "closed"},
    {CounterState::kOpen, "open"},
    {CounterState::kPaused, "paused"},
}};

constexpr std::array<std::pair<EventType, absl::string_view>, 19> kEventTypes{{
    {EventType::kTicketIssued, "ticket_issued"},
    {EventType::kTicketCalled, "ticket_called"},
    {EventType::kTicketRecalled, "ticket_recalled"},
    {EventType::kServiceStarted, "service_started"},
    {EventType::kTicketTransferred, "ticket_transferred"},
    {EventType::kTicketNoShow, "ticket_no_show"},
    {EventType::kTicketFinished, "ticket_finished"},
    {EventType::kTicketCancelled, "ticket_cancelled"},
    {EventType::kTicketRated, "ticket_rated"},
    {EventType::kCounterOpened, "counter_opened"},
    {EventType::kCounterPaused, "counter_paused"},
    {EventType::kCounterClosed, "counter_closed"},
    {EventType::kConfigChanged, "config_changed"},
    {EventType::kTicketReinstated, "ticket_reinstated"},
    {EventType::kAppointmentBooked, "appointment_booked"},
    {EventType::kAppointmentCancelled, "appointment_cancelled"},
    {EventType::kAppointmentCheckedIn, "appointment_checked_in"},
    {EventType::kAppointmentMissed, "appointment_missed"},
    {EventType::kDetailsPurged, "details_purged"},
}};

constexpr std::array<std::pair<CallStrategy, absl::string_view>, 3> kStrategies{{
    {CallStrategy::kInOrder, "in_order"},
    {CallStrategy::kLongestWait, "longest_wait"},
    {CallStrategy::kCounted, "counted"},
}};

constexpr std::array<std::pair<Placement, absl::string_view>, 3> kPlacements{{
    {Placement::kByIssueTime, "by_issue_time"},
    {Placement::kFront, "front"},
    {Placement::kEnd, "end"},
}};

constexpr std::array<std::pair<AppointmentState, absl::string_view>, 4> kAppointmentStates{{
    {AppointmentState::kBooked, "booked"},
    {AppointmentState::kCheckedIn, "checked_in"},
    {AppointmentState::kCancelled, "cancelled"},
    {AppointmentState::kMissed, "missed"},
}};

}  // namespace

absl::string_view Name(TicketState s) { return LookUpName(kTicketStates, s); }
absl::string_view Name(PriorityClass p) { return LookUpName(kPriorities, p); }
absl::string_view Name(CounterState s) { return LookUpName(kCounterStates, s); }
absl::string_view Name(EventType t) { return LookUpName(kEventTypes, t); }
absl::string_view Name(CallStrategy s) { return LookUpName(kStrategies, s); }
absl::string_view Name(Placement p) { return LookUpName(kPlacements, p); }
absl::string_view Name(AppointmentState s) { return LookUpName(kAppointmentStates, s); }

std::optional<TicketState> ParseTicketState(absl::string_view name) {
  return LookUpValue(kTicketStates, name);
}
std::optional<PriorityClass> ParsePriorityClass(absl::string_view name) {
  return LookUpValue(kPriorities, name);
}
std::optional<CounterState> ParseCounterState(absl::string_view name) {
  return LookUpValue(kCounterStates, name);
}
std::optional<EventType> ParseEventType(absl::string_view name) {
  return LookUpValue(kEventTypes, name);
}

std::optional<CallStrategy> ParseCallStrategy(absl::string_view name) {
  return LookUpValue(kStrategies, name);
}
std::optional<Placement> ParsePlacement(absl::string_view name) {
  return LookUpValue(kPlacements, name);
}
std::optional<AppointmentState> ParseAppointmentState(absl::string_view name) {
  return LookUpValue(kAppointmentStates, name);
}

bool IsLive(TicketState s) {
  return s == TicketState::kWaiting || s == TicketState::kCalled || s == TicketState::kServing;
}

std::string Ticket::DisplayNumber() const { return absl::StrFormat("%s%03d", prefix, number); }

}  // namespace lobbyq::domain
