#include "server/domain/branch.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/validation.h"

namespace lobbyq::domain {
namespace {

constexpr int kMaxTicketNumber = 999;

std::string StatesList(std::initializer_list<TicketState> states) {
  std::vector<absl::string_view> names;
  for (TicketState s : states) names.push_back(Name(s));
  return absl::StrJoin(names, " or ");
}

}  // namespace

Branch::Branch(BranchSnapshot snapshot, absl::TimeZone zone)
    : info_(std::move(snapshot.info)),
      zone_(zone),
      max_ticket_id_(snapshot.max_ticket_id),
      last_event_seq_(snapshot.last_event_seq) {
  Change rows;
  rows.services = std::move(snapshot.services);
  rows.counters = std::move(snapshot.counters);
  rows.tickets = std::move(snapshot.tickets);
  rows.sequences = std::move(snapshot.sequences);
  Apply(rows);
}

absl::StatusOr<Change> Branch::PlanCreate(const BranchDefinition& def, const CommandContext& ctx) {
  if (auto s = ValidateBranchDefinition(def); !s.ok()) return s;
  const BranchInfo& info = def.info;
  Change change;
  change.branch_id = info.id;
  change.branch = info;
  change.services = def.services;
  for (const auto& config : def.counters) {
    change.counters.push_back(Counter{.number = config.number,
                                      .name = config.name,
                                      .service_codes = config.service_codes,
                                      .state = CounterState::kClosed,
                                      .state_since = ctx.now});
  }
  change.events.push_back(
      Event{.at = ctx.now,
            .branch_id = info.id,
            .type = EventType::kConfigChanged,
            .actor = ctx.actor,
            .detail = absl::StrCat("branch created with ", def.services.size(), " services and ",
                                   def.counters.size(), " counters")});
  return change;
}

void Branch::Apply(const Change& change) {
  if (change.branch) info_ = *change.branch;
  for (const auto& service : change.services) {
    auto it = std::find_if(services_.begin(), services_.end(),
                           [&](const ServiceConfig& s) { return s.code == service.code; });
    if (it == services_.end()) {
      services_.push_back(service);
    } else {
      *it = service;
    }
  }
  for (const auto& counter : change.counters) counters_[counter.number] = counter;
  for (const auto& ticket : change.tickets) {
    if (auto it = tickets_.find(ticket.id); it != tickets_.end()) {
      UnindexTicket(it->second);
      it->second = ticket;
    } else {
      tickets_.emplace(ticket.id, ticket);
    }
    IndexTicket(ticket);
    max_ticket_id_ = std::max(max_ticket_id_, ticket.id);
  }
  for (const auto& seq : change.sequences) {
    auto it = sequences_.find(seq.service_code);
    if (it == sequences_.end() || it->second.business_day <= seq.business_day) {
      sequences_[seq.service_code] = seq;
    }
  }
  for (const auto& event : change.events) last_event_seq_ = std::max(last_event_seq_, event.seq);
}

void Branch::IndexTicket(const Ticket& t) {
  if (t.state == TicketState::kWaiting) waiting_[t.service_code].insert({t.issued_at, t.id});
  if (IsLive(t.state)) live_numbers_[t.prefix].insert(t.number);
  if (!t.request_id.empty()) by_request_[t.request_id] = t.id;
}

void Branch::UnindexTicket(const Ticket& t) {
  if (t.state == TicketState::kWaiting) waiting_[t.service_code].erase({t.issued_at, t.id});
  if (IsLive(t.state)) live_numbers_[t.prefix].erase(t.number);
}

// --- Queries ---

const ServiceConfig* Branch::FindService(const std::string& code) const {
  auto it = std::find_if(services_.begin(), services_.end(),
                         [&](const ServiceConfig& s) { return s.code == code; });
  return it == services_.end() ? nullptr : &*it;
}

const Counter* Branch::FindCounter(uint32_t number) const {
  auto it = counters_.find(number);
  return it == counters_.end() ? nullptr : &it->second;
}

const Ticket* Branch::FindTicket(uint64_t id) const {
  auto it = tickets_.find(id);
  return it == tickets_.end() ? nullptr : &it->second;
}

const Ticket* Branch::CurrentTicket(const Counter& counter) const {
  return counter.current_ticket_id == 0 ? nullptr : FindTicket(counter.current_ticket_id);
}

absl::CivilDay Branch::BusinessDay(absl::Time t) const { return absl::ToCivilDay(t, zone_); }

int Branch::OpenCountersServing(const std::string& service_code) const {
  return static_cast<int>(std::count_if(counters_.begin(), counters_.end(), [&](const auto& entry) {
    const Counter& c = entry.second;
    return c.state == CounterState::kOpen &&
           std::find(c.service_codes.begin(), c.service_codes.end(), service_code) !=
               c.service_codes.end();
  }));
}

std::vector<const Ticket*> Branch::Waiting(const std::string& service_code) const {
  std::vector<const Ticket*> result;
  auto it = waiting_.find(service_code);
  if (it == waiting_.end()) return result;
  for (const auto& key : it->second) result.push_back(FindTicket(std::get<1>(key)));
  return result;
}

int Branch::PeopleAhead(const Ticket& ticket) const {
  if (ticket.state != TicketState::kWaiting) return 0;
  auto it = waiting_.find(ticket.service_code);
  if (it == waiting_.end()) return 0;
  const auto& queue = it->second;
  return static_cast<int>(
      std::distance(queue.begin(), queue.lower_bound({ticket.issued_at, ticket.id})));
}

std::optional<absl::Duration> Branch::EstimatedWait(const Ticket& ticket) const {
  if (ticket.state != TicketState::kWaiting) return std::nullopt;
  const ServiceConfig* service = FindService(ticket.service_code);
  const int servers = OpenCountersServing(ticket.service_code);
  if (service == nullptr || servers == 0) return std::nullopt;
  return service->expected_service_time * PeopleAhead(ticket) / servers;
}

std::vector<ServiceView> Branch::ServiceViews(absl::Time now) const {
  std::vector<ServiceView> views;
  for (const auto& service : services_) {
    ServiceView view{.config = &service, .open_counters = OpenCountersServing(service.code)};
    if (auto it = waiting_.find(service.code); it != waiting_.end() && !it->second.empty()) {
      view.waiting_count = static_cast<int>(it->second.size());
      view.longest_wait = std::max(absl::ZeroDuration(), now - std::get<0>(*it->second.begin()));
    }
    if (view.open_counters > 0) {
      view.estimated_wait = service.expected_service_time * view.waiting_count / view.open_counters;
    }
    views.push_back(view);
  }
  return views;
}

// --- Helpers for commands ---

Event Branch::NewEvent(EventType type, uint32_t counter, const CommandContext& ctx) const {
  return Event{
      .at = ctx.now, .branch_id = info_.id, .type = type, .counter = counter, .actor = ctx.actor};
}

Plan Branch::TicketChange(const Ticket& before, const Ticket& after, EventType type,
                          uint32_t counter, const CommandContext& ctx, std::string detail) const {
  Plan plan;
  plan.ticket_id = after.id;
  plan.change.branch_id = info_.id;
  plan.change.tickets.push_back(after);
  Event event = NewEvent(type, counter, ctx);
  event.ticket_id = after.id;
  event.from_state = before.state;
  event.to_state = after.state;
  event.service_code = after.service_code;
  event.detail = std::move(detail);
  plan.change.events.push_back(std::move(event));
  return plan;
}

Plan Branch::CounterStateChange(const Counter& counter, CounterState to, EventType type,
                                const CommandContext& ctx) const {
  Plan plan;
  plan.change.branch_id = info_.id;
  if (counter.state == to) return plan;  // already there: nothing to record
  Counter after = counter;
  after.state = to;
  after.state_since = ctx.now;
  plan.change.counters.push_back(after);
  Event event = NewEvent(type, counter.number, ctx);
  event.counter_state = to;
  plan.change.events.push_back(std::move(event));
  return plan;
}

absl::StatusOr<const Counter*> Branch::CounterOrError(uint32_t number) const {
  if (auto s = ValidateCounterNumber(number); !s.ok()) return s;
  const Counter* counter = FindCounter(number);
  if (counter == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("counter ", number, " does not exist in branch '", info_.id, "'"));
  }
  return counter;
}

absl::StatusOr<const Counter*> Branch::OpenCounterOrError(uint32_t number) const {
  auto counter = CounterOrError(number);
  if (!counter.ok()) return counter;
  if ((*counter)->state != CounterState::kOpen) {
    return absl::FailedPreconditionError(
        absl::StrCat("counter ", number, " is ", Name((*counter)->state), "; open it first"));
  }
  return counter;
}

absl::Status Branch::RequireNoCurrentTicket(const Counter& counter) const {
  const Ticket* t = CurrentTicket(counter);
  if (t == nullptr) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("counter ", counter.number, " still has ticket ", t->DisplayNumber(), " (",
                   Name(t->state), "); finish it, mark it no-show or transfer it first"));
}

absl::StatusOr<const Ticket*> Branch::CurrentTicketIn(const Counter& counter,
                                                      std::initializer_list<TicketState> allowed,
                                                      absl::string_view action) const {
  const Ticket* ticket = CurrentTicket(counter);
  if (ticket == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("counter ", counter.number,
                                                      " has no current ticket to ", action,
                                                      "; call the next customer first"));
  }
  if (std::find(allowed.begin(), allowed.end(), ticket->state) == allowed.end()) {
    return absl::FailedPreconditionError(absl::StrCat("ticket ", ticket->DisplayNumber(), " is ",
                                                      Name(ticket->state), "; only a ",
                                                      StatesList(allowed), " ticket can ", action));
  }
  return ticket;
}

absl::StatusOr<int> Branch::NextNumber(const std::string& service_code, absl::CivilDay day) const {
  int last = 0;
  if (auto it = sequences_.find(service_code);
      it != sequences_.end() && it->second.business_day == day) {
    last = it->second.last_number;
  }
  const std::set<int>* live = nullptr;
  if (auto it = live_numbers_.find(service_code); it != live_numbers_.end()) live = &it->second;
  for (int step = 1; step <= kMaxTicketNumber; ++step) {
    const int candidate = (last + step - 1) % kMaxTicketNumber + 1;
    if (live == nullptr || !live->contains(candidate)) return candidate;
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("all ", kMaxTicketNumber, " numbers of service ", service_code,
                   " are still waiting or being served; please ask a member of staff"));
}

// --- Kiosk ---

absl::StatusOr<Plan> Branch::PlanIssue(const std::string& service_code, PriorityClass priority,
                                       const std::string& request_id,
                                       const CommandContext& ctx) const {
  if (auto s = ValidateServiceCode(service_code); !s.ok()) return s;
  if (auto s = ValidateRequestId(request_id); !s.ok()) return s;
  if (priority == PriorityClass::kAppointment) {
    return absl::InvalidArgumentError(
        "an appointment ticket is only issued by checking in the appointment");
  }
  if (auto it = by_request_.find(request_id);
      it != by_request_.end() &&
      ctx.now - tickets_.at(it->second).issued_at <= kRequestIdRetention) {
    const Ticket& earlier = tickets_.at(it->second);
    if (earlier.origin_service_code != service_code || earlier.priority != priority) {
      return absl::AlreadyExistsError(
          absl::StrCat("request_id '", request_id, "' already issued ticket ",
                       earlier.DisplayNumber(), " for service ", earlier.origin_service_code, " (",
                       Name(earlier.priority), "); use a new request_id for a different ticket"));
    }
    return Plan{.change = {.branch_id = info_.id}, .ticket_id = earlier.id};
  }
  if (FindService(service_code) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("service ", service_code, " does not exist in branch '", info_.id, "'"));
  }
  const absl::CivilDay day = BusinessDay(ctx.now);
  auto number = NextNumber(service_code, day);
  if (!number.ok()) return number.status();

  Ticket ticket{.id = max_ticket_id_ + 1,
                .number = *number,
                .prefix = service_code,
                .service_code = service_code,
                .origin_service_code = service_code,
                .priority = priority,
                .state = TicketState::kWaiting,
                .business_day = day,
                .issued_at = ctx.now,
                .request_id = request_id};
  Plan plan;
  plan.ticket_id = ticket.id;
  plan.change.branch_id = info_.id;
  plan.change.sequences.push_back(
      NumberSequence{.service_code = service_code, .business_day = day, .last_number = *number});
  Event event = NewEvent(EventType::kTicketIssued, 0, ctx);
  event.ticket_id = ticket.id;
  event.to_state = TicketState::kWaiting;
  event.service_code = service_code;
  event.detail = absl::StrCat(ticket.DisplayNumber(), " ", Name(priority));
  plan.change.events.push_back(std::move(event));
  plan.change.tickets.push_back(std::move(ticket));
  return plan;
}

absl::StatusOr<Plan> Branch::PlanCancel(uint64_t ticket_id, const CommandContext& ctx) const {
  const Ticket* ticket = FindTicket(ticket_id);
  if (ticket == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("ticket ", ticket_id, " does not exist in branch '", info_.id, "'"));
  }
  if (ticket->state != TicketState::kWaiting) {
    return absl::FailedPreconditionError(absl::StrCat("ticket ", ticket->DisplayNumber(), " is ",
                                                      Name(ticket->state),
                                                      "; only a waiting ticket can be cancelled"));
  }
  Ticket after = *ticket;
  after.state = TicketState::kCancelled;
  return TicketChange(*ticket, after, EventType::kTicketCancelled, 0, ctx);
}

// --- Counter ---

absl::StatusOr<Plan> Branch::PlanOpenCounter(uint32_t number, const CommandContext& ctx) const {
  auto counter = CounterOrError(number);
  if (!counter.ok()) return counter.status();
  return CounterStateChange(**counter, CounterState::kOpen, EventType::kCounterOpened, ctx);
}

absl::StatusOr<Plan> Branch::PlanPauseCounter(uint32_t number, const CommandContext& ctx) const {
  auto counter = CounterOrError(number);
  if (!counter.ok()) return counter.status();
  if ((*counter)->state == CounterState::kClosed) {
    return absl::FailedPreconditionError(
        absl::StrCat("counter ", number, " is closed; only an open counter can pause"));
  }
  if (auto s = RequireNoCurrentTicket(**counter); !s.ok()) return s;
  return CounterStateChange(**counter, CounterState::kPaused, EventType::kCounterPaused, ctx);
}

absl::StatusOr<Plan> Branch::PlanCloseCounter(uint32_t number, const CommandContext& ctx) const {
  auto counter = CounterOrError(number);
  if (!counter.ok()) return counter.status();
  if (auto s = RequireNoCurrentTicket(**counter); !s.ok()) return s;
  return CounterStateChange(**counter, CounterState::kClosed, EventType::kCounterClosed, ctx);
}

absl::StatusOr<Plan> Branch::PlanCallNext(uint32_t number, const CommandContext& ctx) const {
  auto counter = OpenCounterOrError(number);
  if (!counter.ok()) return counter.status();
  if (auto s = RequireNoCurrentTicket(**counter); !s.ok()) return s;
  for (const auto& code : (*counter)->service_codes) {
    auto it = waiting_.find(code);
    if (it == waiting_.end() || it->second.empty()) continue;
    const Ticket& next = tickets_.at(std::get<1>(*it->second.begin()));
    Ticket after = next;
    after.state = TicketState::kCalled;
    after.counter = number;
    after.called_at = ctx.now;
    if (!after.first_called_at) after.first_called_at = ctx.now;
    after.recall_count = 0;
    Plan plan = TicketChange(next, after, EventType::kTicketCalled, number, ctx);
    Counter counter_after = **counter;
    counter_after.current_ticket_id = next.id;
    plan.change.counters.push_back(std::move(counter_after));
    return plan;
  }
  return Plan{.change = {.branch_id = info_.id}, .ticket_id = 0};
}

absl::StatusOr<Plan> Branch::PlanRecall(uint32_t number, const CommandContext& ctx) const {
  auto counter = CounterOrError(number);
  if (!counter.ok()) return counter.status();
  auto ticket = CurrentTicketIn(**counter, {TicketState::kCalled}, "be recalled");
  if (!ticket.ok()) return ticket.status();
  Ticket after = **ticket;
  after.called_at = ctx.now;
  ++after.recall_count;
  return TicketChange(**ticket, after, EventType::kTicketRecalled, number, ctx,
                      absl::StrCat("recall ", after.recall_count));
}

absl::StatusOr<Plan> Branch::PlanStartService(uint32_t number, const CommandContext& ctx) const {
  auto counter = CounterOrError(number);
  if (!counter.ok()) return counter.status();
  auto ticket = CurrentTicketIn(**counter, {TicketState::kCalled}, "start service");
  if (!ticket.ok()) return ticket.status();
  Ticket after = **ticket;
  after.state = TicketState::kServing;
  after.started_at = ctx.now;
  return TicketChange(**ticket, after, EventType::kServiceStarted, number, ctx);
}

absl::StatusOr<Plan> Branch::PlanTransfer(uint32_t number, const std::string& to_service_code,
                                          const CommandContext& ctx) const {
  if (auto s = ValidateServiceCode(to_service_code, "to_service_code"); !s.ok()) return s;
  auto counter = CounterOrError(number);
  if (!counter.ok()) return counter.status();
  auto ticket =
      CurrentTicketIn(**counter, {TicketState::kCalled, TicketState::kServing}, "be transferred");
  if (!ticket.ok()) return ticket.status();
  if (FindService(to_service_code) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("service ", to_service_code, " does not exist in branch '", info_.id, "'"));
  }
  if ((*ticket)->service_code == to_service_code) {
    return absl::InvalidArgumentError(absl::StrCat("ticket ", (*ticket)->DisplayNumber(),
                                                   " is already in service ", to_service_code,
                                                   "; transfer it to a different service"));
  }
  // The customer keeps the number and the original issue time, so the new queue
  // takes them in the place their first wait earned.
  Ticket after = **ticket;
  after.state = TicketState::kWaiting;
  after.service_code = to_service_code;
  after.called_at.reset();
  after.started_at.reset();
  after.recall_count = 0;
  Plan plan =
      TicketChange(**ticket, after, EventType::kTicketTransferred, number, ctx,
                   absl::StrCat("transfer ", (*ticket)->service_code, "->", to_service_code));
  Counter counter_after = **counter;
  counter_after.current_ticket_id = 0;
  plan.change.counters.push_back(std::move(counter_after));
  return plan;
}

absl::StatusOr<Plan> Branch::PlanNoShow(uint32_t number, const CommandContext& ctx) const {
  auto counter = CounterOrError(number);
  if (!counter.ok()) return counter.status();
  auto ticket = CurrentTicketIn(**counter, {TicketState::kCalled}, "be marked no-show");
  if (!ticket.ok()) return ticket.status();
  Ticket after = **ticket;
  after.state = TicketState::kNoShow;
  Plan plan = TicketChange(**ticket, after, EventType::kTicketNoShow, number, ctx);
  Counter counter_after = **counter;
  counter_after.current_ticket_id = 0;
  plan.change.counters.push_back(std::move(counter_after));
  return plan;
}

absl::StatusOr<Plan> Branch::PlanFinish(uint32_t number, const CommandContext& ctx) const {
  auto counter = CounterOrError(number);
  if (!counter.ok()) return counter.status();
  auto ticket = CurrentTicketIn(**counter, {TicketState::kServing}, "be finished");
  if (!ticket.ok()) return ticket.status();
  Ticket after = **ticket;
  after.state = TicketState::kDone;
  after.finished_at = ctx.now;
  Plan plan = TicketChange(**ticket, after, EventType::kTicketFinished, number, ctx);
  Counter counter_after = **counter;
  counter_after.current_ticket_id = 0;
  counter_after.last_finished_ticket_id = after.id;
  plan.change.counters.push_back(std::move(counter_after));
  return plan;
}

absl::StatusOr<Plan> Branch::PlanRating(uint32_t number, uint64_t ticket_id, int score,
                                        const std::string& comment,
                                        const CommandContext& ctx) const {
  if (score < 1 || score > 5) {
    return absl::InvalidArgumentError(
        absl::StrCat("score ", score, " is out of range; a rating is 1 to 5"));
  }
  if (comment.size() > kMaxCommentBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("comment is ", comment.size(), " bytes; at most ", kMaxCommentBytes));
  }
  auto counter = CounterOrError(number);
  if (!counter.ok()) return counter.status();
  if (ticket_id == 0) ticket_id = (*counter)->last_finished_ticket_id;
  if (ticket_id == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("counter ", number, " has not finished a ticket yet; nothing to rate"));
  }
  const Ticket* ticket = FindTicket(ticket_id);
  if (ticket == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("ticket ", ticket_id, " does not exist in branch '", info_.id, "'"));
  }
  if (ticket->state != TicketState::kDone) {
    return absl::FailedPreconditionError(absl::StrCat("ticket ", ticket->DisplayNumber(), " is ",
                                                      Name(ticket->state),
                                                      "; only a finished ticket can be rated"));
  }
  if (ticket->counter != number) {
    return absl::FailedPreconditionError(absl::StrCat("ticket ", ticket->DisplayNumber(),
                                                      " was served at counter ", ticket->counter,
                                                      ", not counter ", number));
  }
  if (ticket->rating != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("ticket ", ticket->DisplayNumber(), " is already rated"));
  }
  if (ticket->finished_at && ctx.now - *ticket->finished_at > info_.rating_window) {
    return absl::FailedPreconditionError(absl::StrCat(
        "ticket ", ticket->DisplayNumber(), " finished more than ",
        absl::FormatDuration(info_.rating_window), " ago; the rating window has passed"));
  }
  Ticket after = *ticket;
  after.rating = score;
  after.rating_comment = comment;
  after.rated_at = ctx.now;
  return TicketChange(*ticket, after, EventType::kTicketRated, number, ctx,
                      absl::StrCat("score ", score));
}

// --- Configuration ---

absl::StatusOr<Plan> Branch::PlanUpsertService(const ServiceConfig& service,
                                               const CommandContext& ctx) const {
  if (auto s = ValidateService(service); !s.ok()) return s;
  Plan plan;
  plan.change.branch_id = info_.id;
  plan.change.services.push_back(service);
  Event event = NewEvent(EventType::kConfigChanged, 0, ctx);
  event.service_code = service.code;
  event.detail =
      absl::StrCat(FindService(service.code) ? "service changed " : "service added ", service.code);
  plan.change.events.push_back(std::move(event));
  return plan;
}

absl::StatusOr<Plan> Branch::PlanUpsertCounter(const Counter& config,
                                               const CommandContext& ctx) const {
  if (auto s = ValidateCounterConfig(config); !s.ok()) return s;
  if (auto s = CheckProfileServices(config, services_); !s.ok()) return s;
  const Counter* existing = FindCounter(config.number);
  Counter after = existing ? *existing
                           : Counter{.number = config.number,
                                     .state = CounterState::kClosed,
                                     .state_since = ctx.now};
  after.name = config.name;
  after.service_codes = config.service_codes;
  Plan plan;
  plan.change.branch_id = info_.id;
  plan.change.counters.push_back(after);
  Event event = NewEvent(EventType::kConfigChanged, config.number, ctx);
  event.detail = absl::StrCat(existing ? "counter changed, profile " : "counter added, profile ",
                              absl::StrJoin(config.service_codes, ","));
  plan.change.events.push_back(std::move(event));
  return plan;
}

}  // namespace lobbyq::domain
