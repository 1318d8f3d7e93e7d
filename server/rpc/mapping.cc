#include "server/rpc/mapping.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/domain/masking.h"

namespace lobbyq::rpc {

void ToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1'000'000;
  int64_t rest = micros % 1'000'000;
  if (rest < 0) {
    rest += 1'000'000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest * 1000));
}

void ToProto(absl::Duration d, google::protobuf::Duration* out) {
  const int64_t nanos = absl::ToInt64Nanoseconds(d);
  out->set_seconds(nanos / 1'000'000'000);
  out->set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
}

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

v1::TicketState ToProto(domain::TicketState s) {
  switch (s) {
    case domain::TicketState::kWaiting:
      return v1::TICKET_STATE_WAITING;
    case domain::TicketState::kCalled:
      return v1::TICKET_STATE_CALLED;
    case domain::TicketState::kServing:
      return v1::TICKET_STATE_SERVING;
    case domain::TicketState::kDone:
      return v1::TICKET_STATE_DONE;
    case domain::TicketState::kNoShow:
      return v1::TICKET_STATE_NO_SHOW;
    case domain::TicketState::kCancelled:
      return v1::TICKET_STATE_CANCELLED;
  }
  return v1::TICKET_STATE_UNSPECIFIED;
}

v1::PriorityClass ToProto(domain::PriorityClass p) {
  switch (p) {
    case domain::PriorityClass::kNormal:
      return v1::PRIORITY_CLASS_NORMAL;
    case domain::PriorityClass::kVip:
      return v1::PRIORITY_CLASS_VIP;
    case domain::PriorityClass::kGreenChannel:
      return v1::PRIORITY_CLASS_GREEN_CHANNEL;
    case domain::PriorityClass::kAppointment:
      return v1::PRIORITY_CLASS_APPOINTMENT;
  }
  return v1::PRIORITY_CLASS_UNSPECIFIED;
}

absl::StatusOr<domain::PriorityClass> PriorityFromProto(v1::PriorityClass p,
                                                        absl::string_view field) {
  switch (p) {
    case v1::PRIORITY_CLASS_UNSPECIFIED:
    case v1::PRIORITY_CLASS_NORMAL:
      return domain::PriorityClass::kNormal;
    case v1::PRIORITY_CLASS_VIP:
      return domain::PriorityClass::kVip;
    case v1::PRIORITY_CLASS_GREEN_CHANNEL:
      return domain::PriorityClass::kGreenChannel;
    case v1::PRIORITY_CLASS_APPOINTMENT:
      return domain::PriorityClass::kAppointment;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          field, " ", static_cast<int>(p),
          " is not a known priority class (NORMAL, VIP, GREEN_CHANNEL or APPOINTMENT)"));
  }
}

v1::CallStrategy ToProto(domain::CallStrategy s) {
  switch (s) {
    case domain::CallStrategy::kInOrder:
      return v1::CALL_STRATEGY_IN_ORDER;
    case domain::CallStrategy::kLongestWait:
      return v1::CALL_STRATEGY_LONGEST_WAIT;
    case domain::CallStrategy::kCounted:
      return v1::CALL_STRATEGY_COUNTED;
  }
  return v1::CALL_STRATEGY_UNSPECIFIED;
}

absl::StatusOr<domain::CallStrategy> StrategyFromProto(v1::CallStrategy s,
                                                       absl::string_view field) {
  switch (s) {
    case v1::CALL_STRATEGY_UNSPECIFIED:
    case v1::CALL_STRATEGY_IN_ORDER:
      return domain::CallStrategy::kInOrder;
    case v1::CALL_STRATEGY_LONGEST_WAIT:
      return domain::CallStrategy::kLongestWait;
    case v1::CALL_STRATEGY_COUNTED:
      return domain::CallStrategy::kCounted;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", static_cast<int>(s),
                       " is not a known call strategy (IN_ORDER, LONGEST_WAIT or COUNTED)"));
  }
}

v1::Placement ToProto(domain::Placement p) {
  switch (p) {
    case domain::Placement::kByIssueTime:
      return v1::PLACEMENT_BY_ISSUE_TIME;
    case domain::Placement::kFront:
      return v1::PLACEMENT_FRONT;
    case domain::Placement::kEnd:
      return v1::PLACEMENT_END;
  }
  return v1::PLACEMENT_UNSPECIFIED;
}

absl::StatusOr<std::optional<domain::Placement>> PlacementFromProto(v1::Placement p,
                                                                    absl::string_view field) {
  switch (p) {
    case v1::PLACEMENT_UNSPECIFIED:
      return std::optional<domain::Placement>();
    case v1::PLACEMENT_BY_ISSUE_TIME:
      return domain::Placement::kByIssueTime;
    case v1::PLACEMENT_FRONT:
      return domain::Placement::kFront;
    case v1::PLACEMENT_END:
      return domain::Placement::kEnd;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", static_cast<int>(p),
                       " is not a known placement (BY_ISSUE_TIME, FRONT or END)"));
  }
}

v1::AppointmentState ToProto(domain::AppointmentState s) {
  switch (s) {
    case domain::AppointmentState::kBooked:
      return v1::APPOINTMENT_STATE_BOOKED;
    case domain::AppointmentState::kCheckedIn:
      return v1::APPOINTMENT_STATE_CHECKED_IN;
    case domain::AppointmentState::kCancelled:
      return v1::APPOINTMENT_STATE_CANCELLED;
    case domain::AppointmentState::kMissed:
      return v1::APPOINTMENT_STATE_MISSED;
  }
  return v1::APPOINTMENT_STATE_UNSPECIFIED;
}

v1::CounterState ToProto(domain::CounterState s) {
  switch (s) {
    case domain::CounterState::kClosed:
      return v1::COUNTER_STATE_CLOSED;
    case domain::CounterState::kOpen:
      return v1::COUNTER_STATE_OPEN;
    case domain::CounterState::kPaused:
      return v1::COUNTER_STATE_PAUSED;
  }
  return v1::COUNTER_STATE_UNSPECIFIED;
}

v1::EventType ToProto(domain::EventType t) {
  // The proto numbers the event types exactly as the domain does.
  return static_cast<v1::EventType>(static_cast<int>(t));
}

void ToProto(const domain::TransactionDetails& details, v1::TransactionDetails* out) {
  out->set_type(details.type);
  out->set_amount(details.amount);
  out->set_account_tail(details.account_tail);
  out->set_text(details.text);
}

void ToProto(const domain::Ticket& ticket, const domain::Branch& branch, v1::Ticket* out,
             Details details) {
  out->set_branch_id(branch.info().id);
  out->set_ticket_id(ticket.id);
  out->set_number(ticket.DisplayNumber());
  out->set_service_code(ticket.service_code);
  out->set_origin_service_code(ticket.origin_service_code);
  out->set_priority(ToProto(ticket.priority));
  out->set_state(ToProto(ticket.state));
  ToProto(ticket.issued_at, out->mutable_issued_at());
  if (ticket.first_called_at) ToProto(*ticket.first_called_at, out->mutable_first_called_at());
  if (ticket.called_at) ToProto(*ticket.called_at, out->mutable_called_at());
  if (ticket.started_at) ToProto(*ticket.started_at, out->mutable_started_at());
  if (ticket.finished_at) ToProto(*ticket.finished_at, out->mutable_finished_at());
  out->set_counter(ticket.counter);
  out->set_recall_count(ticket.recall_count);
  out->set_business_day(absl::FormatCivilTime(ticket.business_day));
  out->set_people_ahead(branch.PeopleAhead(ticket));
  out->set_rating(ticket.rating);
  out->set_rating_comment(ticket.rating_comment);
  ToProto(ticket.queued_at, out->mutable_queued_at());
  if (details == Details::kInclude) out->set_note(ticket.note);
  if (details == Details::kInclude && !ticket.details.empty()) {
    ToProto(ticket.details, out->mutable_details());
  }
  if (ticket.no_show_at) ToProto(*ticket.no_show_at, out->mutable_no_show_at());
  out->set_from_appointment(!ticket.appointment_code.empty());
}

void AddWaitEstimate(const domain::Ticket& ticket, const domain::Branch& branch, absl::Time now,
                     v1::Ticket* out) {
  // The IssueTicket reply tells what the branch recorded at issue (the
  // simulation need not run twice for one ticket).
  if (const domain::WaitEstimate* given = branch.wait_history().GivenAtIssue(ticket.id);
      given != nullptr && ticket.state == domain::TicketState::kWaiting &&
      now - ticket.issued_at < absl::Seconds(1)) {
    ToProto(given->point, out->mutable_estimated_wait());
    ToProto(*given, out->mutable_wait_estimate());
  } else if (auto estimate = branch.EstimateWait(ticket, now)) {
    ToProto(estimate->point, out->mutable_estimated_wait());
    ToProto(*estimate, out->mutable_wait_estimate());
  }
}

void ToProto(const domain::WaitEstimate& estimate, v1::WaitEstimate* out) {
  ToProto(estimate.point, out->mutable_point());
  ToProto(estimate.low, out->mutable_low());
  ToProto(estimate.high, out->mutable_high());
  ToProto(estimate.ql, out->mutable_ql());
  ToProto(estimate.les, out->mutable_les());
  ToProto(estimate.hol, out->mutable_hol());
  out->set_counter_free_now(estimate.counter_free_now);
}

void ToProto(const domain::ServiceConfig& service, v1::ServiceConfig* out) {
  out->set_code(service.code);
  out->set_name_zh(service.name_zh);
  out->set_name_en(service.name_en);
  ToProto(service.target_wait, out->mutable_target_wait());
  ToProto(service.expected_service_time, out->mutable_expected_service_time());
  if (service.max_wait != absl::ZeroDuration()) ToProto(service.max_wait, out->mutable_max_wait());
  out->set_appointment_capacity(service.appointment_capacity);
}

void ToProto(const domain::ServiceView& view, v1::ServiceStatus* out) {
  ToProto(*view.config, out->mutable_service());
  out->set_waiting_count(view.waiting_count);
  ToProto(view.longest_wait, out->mutable_longest_wait());
  if (view.estimated_wait) ToProto(*view.estimated_wait, out->mutable_estimated_wait());
  if (view.estimate) ToProto(*view.estimate, out->mutable_wait_estimate());
  out->set_open_counters(view.open_counters);
}

void ToProto(const domain::Counter& counter, v1::CounterConfig* out) {
  out->set_number(counter.number);
  out->set_name(counter.name);
  for (const auto& code : counter.service_codes) out->add_service_codes(code);
  out->set_strategy(ToProto(counter.strategy));
  for (const auto& rule : counter.counted_rules) {
    v1::CountedRule* r = out->add_counted_rules();
    r->set_priority(ToProto(rule.priority));
    r->set_quota(rule.quota);
  }
  out->set_counted_fallback(ToProto(counter.counted_fallback));
  out->set_green_channel(counter.green_channel);
}

void ToProto(const domain::Counter& counter, const domain::Branch& branch, v1::CounterStatus* out,
             Details details) {
  ToProto(counter, out->mutable_counter());
  out->set_state(ToProto(counter.state));
  ToProto(counter.state_since, out->mutable_state_since());
  if (const domain::Ticket* ticket = branch.CurrentTicket(counter)) {
    ToProto(*ticket, branch, out->mutable_current_ticket(), details);
  }
  out->set_last_finished_ticket_id(counter.last_finished_ticket_id);
  for (int calls : counter.counted_calls) out->add_counted_calls(calls);
}

void ToProto(const domain::BranchInfo& info, v1::BranchPolicy* out) {
  out->set_recall_limit(info.recall_limit);
  ToProto(info.auto_no_show_after, out->mutable_auto_no_show_after());
  ToProto(info.reinstate_grace, out->mutable_reinstate_grace());
  out->set_reinstate_placement(ToProto(info.reinstate_placement));
  out->set_transfer_placement(ToProto(info.transfer_placement));
  ToProto(info.checkin_early, out->mutable_checkin_early());
  ToProto(info.checkin_late, out->mutable_checkin_late());
  ToProto(info.appointment_lead, out->mutable_appointment_lead());
  ToProto(info.opening_time, out->mutable_opening_time());
  ToProto(info.closing_time, out->mutable_closing_time());
  ToProto(info.slot_length, out->mutable_slot_length());
  out->set_booking_horizon_days(info.booking_horizon_days);
}

void ToProto(const domain::Branch& branch, v1::BranchConfig* out) {
  out->set_id(branch.info().id);
  out->set_name(branch.info().name);
  out->set_timezone(branch.info().timezone);
  ToProto(branch.info().rating_window, out->mutable_rating_window());
  for (const auto& service : branch.services()) ToProto(service, out->add_services());
  for (const auto& [number, counter] : branch.counters()) ToProto(counter, out->add_counters());
  ToProto(branch.info(), out->mutable_policy());
}

void ToProto(const domain::Branch& branch, absl::Time now, v1::LobbyStatus* out) {
  out->set_branch_id(branch.info().id);
  out->set_branch_name(branch.info().name);
  ToProto(now, out->mutable_at());
  out->set_business_day(absl::FormatCivilTime(branch.BusinessDay(now)));
  for (const auto& view : branch.ServiceViews(now)) ToProto(view, out->add_services());
  for (const auto& [number, counter] : branch.counters()) {
    ToProto(counter, branch, out->add_counters());
  }
  out->set_last_event_seq(branch.last_event_seq());
}

void ToProto(const domain::Event& event, const domain::Branch& branch, v1::LobbyEvent* out) {
  out->set_seq(event.seq);
  ToProto(event.at, out->mutable_at());
  out->set_branch_id(event.branch_id);
  out->set_type(ToProto(event.type));
  out->set_counter(event.counter);
  out->set_actor(event.actor);
  if (event.ticket_id != 0) {
    if (const domain::Ticket* ticket = branch.FindTicket(event.ticket_id)) {
      ToProto(*ticket, branch, out->mutable_ticket());
    }
  }
  if (event.from_state) out->set_from_state(ToProto(*event.from_state));
  if (event.to_state) out->set_to_state(ToProto(*event.to_state));
  if (event.counter_state) out->set_counter_state(ToProto(*event.counter_state));
  out->set_service_code(event.service_code);
  out->set_detail(event.detail);
}

void ToProto(const domain::Appointment& appointment, const domain::Branch& branch,
             v1::Appointment* out) {
  out->set_code(appointment.code);
  out->set_branch_id(branch.info().id);
  out->set_service_code(appointment.service_code);
  ToProto(appointment.slot_start, out->mutable_slot_start());
  out->set_customer_name(appointment.customer_name);
  out->set_phone(domain::MaskPhone(appointment.phone));
  out->set_state(ToProto(appointment.state));
  out->set_ticket_id(appointment.ticket_id);
}

void ToProto(const domain::SlotView& slot, const domain::Branch& branch, v1::Slot* out) {
  ToProto(slot.start, out->mutable_start());
  ToProto(slot.start + branch.info().slot_length, out->mutable_end());
  out->set_capacity(slot.capacity);
  out->set_booked(slot.booked);
  out->set_available(std::max(0, slot.capacity - slot.booked));
}

domain::ServiceConfig FromProto(const v1::ServiceConfig& service) {
  return domain::ServiceConfig{.code = service.code(),
                               .name_zh = service.name_zh(),
                               .name_en = service.name_en(),
                               .target_wait = FromProto(service.target_wait()),
                               .expected_service_time = FromProto(service.expected_service_time()),
                               .max_wait = FromProto(service.max_wait()),
                               .appointment_capacity = service.appointment_capacity()};
}

domain::TransactionDetails FromProto(const v1::TransactionDetails& details) {
  return domain::TransactionDetails{.type = details.type(),
                                    .amount = details.amount(),
                                    .account_tail = details.account_tail(),
                                    .text = details.text()};
}

absl::StatusOr<domain::Counter> FromProto(const v1::CounterConfig& counter) {
  domain::Counter result{.number = counter.number(), .name = counter.name()};
  for (const auto& code : counter.service_codes()) result.service_codes.push_back(code);
  const std::string where = absl::StrCat("counter ", counter.number(), ": ");
  auto strategy = StrategyFromProto(counter.strategy(), where + "strategy");
  if (!strategy.ok()) return strategy.status();
  result.strategy = *strategy;
  for (int i = 0; i < counter.counted_rules_size(); ++i) {
    const v1::CountedRule& rule = counter.counted_rules(i);
    auto priority =
        PriorityFromProto(rule.priority(), absl::StrCat(where, "counted_rules[", i, "].priority"));
    if (!priority.ok()) return priority.status();
    result.counted_rules.push_back(
        domain::CountedRule{.priority = *priority, .quota = rule.quota()});
  }
  auto fallback = PriorityFromProto(counter.counted_fallback(), where + "counted_fallback");
  if (!fallback.ok()) return fallback.status();
  result.counted_fallback = *fallback;
  result.green_channel = counter.green_channel();
  return result;
}

absl::Status ApplyPolicy(const v1::BranchPolicy& policy, domain::BranchInfo* info) {
  if (policy.has_recall_limit()) info->recall_limit = policy.recall_limit();
  if (policy.has_auto_no_show_after()) {
    info->auto_no_show_after = FromProto(policy.auto_no_show_after());
  }
  if (policy.has_reinstate_grace()) info->reinstate_grace = FromProto(policy.reinstate_grace());
  auto reinstate = PlacementFromProto(policy.reinstate_placement(), "policy.reinstate_placement");
  if (!reinstate.ok()) return reinstate.status();
  if (*reinstate) info->reinstate_placement = **reinstate;
  auto transfer = PlacementFromProto(policy.transfer_placement(), "policy.transfer_placement");
  if (!transfer.ok()) return transfer.status();
  if (*transfer) info->transfer_placement = **transfer;
  if (policy.has_checkin_early()) info->checkin_early = FromProto(policy.checkin_early());
  if (policy.has_checkin_late()) info->checkin_late = FromProto(policy.checkin_late());
  if (policy.has_appointment_lead()) info->appointment_lead = FromProto(policy.appointment_lead());
  if (policy.has_opening_time()) info->opening_time = FromProto(policy.opening_time());
  if (policy.has_closing_time()) info->closing_time = FromProto(policy.closing_time());
  if (policy.has_slot_length()) info->slot_length = FromProto(policy.slot_length());
  if (policy.has_booking_horizon_days()) info->booking_horizon_days = policy.booking_horizon_days();
  return absl::OkStatus();
}

absl::StatusOr<domain::BranchDefinition> FromProto(const v1::BranchConfig& branch) {
  domain::BranchDefinition def;
  def.info = domain::BranchInfo{.id = branch.id(), .name = branch.name()};
  if (!branch.timezone().empty()) def.info.timezone = branch.timezone();
  if (branch.has_rating_window()) def.info.rating_window = FromProto(branch.rating_window());
  if (auto s = ApplyPolicy(branch.policy(), &def.info); !s.ok()) return s;
  for (const auto& s : branch.services()) def.services.push_back(FromProto(s));
  for (const auto& c : branch.counters()) {
    auto counter = FromProto(c);
    if (!counter.ok()) return counter.status();
    def.counters.push_back(*std::move(counter));
  }
  return def;
}

absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view text, absl::string_view field) {
  absl::CivilDay day;
  // ParseCivilTime also takes "2024-3-4"; ask for the canonical form only.
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day) ||
      absl::FormatCivilTime(day) != text) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " '", text.substr(0, 20), "' is not a date like 2024-03-04"));
  }
  return day;
}

}  // namespace lobbyq::rpc
