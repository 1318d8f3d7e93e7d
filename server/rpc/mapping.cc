#include "server/rpc/mapping.h"

#include "absl/strings/str_cat.h"

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

absl::StatusOr<domain::PriorityClass> PriorityFromProto(v1::PriorityClass p) {
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
      return absl::InvalidArgumentError(
          absl::StrCat("priority ", static_cast<int>(p), " is not a known priority class"));
  }
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

void ToProto(const domain::Ticket& ticket, const domain::Branch& branch, v1::Ticket* out) {
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
  if (auto wait = branch.EstimatedWait(ticket)) ToProto(*wait, out->mutable_estimated_wait());
  out->set_rating(ticket.rating);
  out->set_rating_comment(ticket.rating_comment);
}

void ToProto(const domain::ServiceConfig& service, v1::ServiceConfig* out) {
  out->set_code(service.code);
  out->set_name_zh(service.name_zh);
  out->set_name_en(service.name_en);
  ToProto(service.target_wait, out->mutable_target_wait());
  ToProto(service.expected_service_time, out->mutable_expected_service_time());
}

void ToProto(const domain::ServiceView& view, v1::ServiceStatus* out) {
  ToProto(*view.config, out->mutable_service());
  out->set_waiting_count(view.waiting_count);
  ToProto(view.longest_wait, out->mutable_longest_wait());
  if (view.estimated_wait) ToProto(*view.estimated_wait, out->mutable_estimated_wait());
  out->set_open_counters(view.open_counters);
}

void ToProto(const domain::Counter& counter, const domain::Branch& branch, v1::CounterStatus* out) {
  v1::CounterConfig* config = out->mutable_counter();
  config->set_number(counter.number);
  config->set_name(counter.name);
  for (const auto& code : counter.service_codes) config->add_service_codes(code);
  out->set_state(ToProto(counter.state));
  ToProto(counter.state_since, out->mutable_state_since());
  if (const domain::Ticket* ticket = branch.CurrentTicket(counter)) {
    ToProto(*ticket, branch, out->mutable_current_ticket());
  }
  out->set_last_finished_ticket_id(counter.last_finished_ticket_id);
}

void ToProto(const domain::Branch& branch, v1::BranchConfig* out) {
  out->set_id(branch.info().id);
  out->set_name(branch.info().name);
  out->set_timezone(branch.info().timezone);
  ToProto(branch.info().rating_window, out->mutable_rating_window());
  for (const auto& service : branch.services()) ToProto(service, out->add_services());
  for (const auto& [number, counter] : branch.counters()) {
    v1::CounterConfig* config = out->add_counters();
    config->set_number(number);
    config->set_name(counter.name);
    for (const auto& code : counter.service_codes) config->add_service_codes(code);
  }
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

domain::ServiceConfig FromProto(const v1::ServiceConfig& service) {
  return domain::ServiceConfig{.code = service.code(),
                               .name_zh = service.name_zh(),
                               .name_en = service.name_en(),
                               .target_wait = FromProto(service.target_wait()),
                               .expected_service_time = FromProto(service.expected_service_time())};
}

domain::Counter FromProto(const v1::CounterConfig& counter) {
  domain::Counter result{.number = counter.number(), .name = counter.name()};
  for (const auto& code : counter.service_codes()) result.service_codes.push_back(code);
  return result;
}

domain::BranchDefinition FromProto(const v1::BranchConfig& branch) {
  domain::BranchDefinition def;
  def.info = domain::BranchInfo{.id = branch.id(), .name = branch.name()};
  if (!branch.timezone().empty()) def.info.timezone = branch.timezone();
  if (branch.has_rating_window()) def.info.rating_window = FromProto(branch.rating_window());
  for (const auto& s : branch.services()) def.services.push_back(FromProto(s));
  for (const auto& c : branch.counters()) def.counters.push_back(FromProto(c));
  return def;
}

}  // namespace lobbyq::rpc
