#include "server/domain/branch.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/masking.h"
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

Branch::Branch(BranchSnapshot snapshot, absl::TimeZone zone, EstimatorSettings estimator)
    : info_(std::move(snapshot.info)),
      zone_(zone),
      max_ticket_id_(snapshot.max_ticket_id),
      last_event_seq_(snapshot.last_event_seq),
      wait_history_(estimator) {
  Change rows;
  rows.services = std::move(snapshot.services);
  rows.counters = std::move(snapshot.counters);
  rows.tickets = std::move(snapshot.tickets);
  rows.sequences = std::move(snapshot.sequences);
  rows.appointments = std::move(snapshot.appointments);
  rows.requests = std::move(snapshot.requests);
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
    Counter counter = config;
    counter.state = CounterState::kClosed;
    counter.state_since = ctx.now;
    counter.current_ticket_id = 0;
    counter.last_finished_ticket_id = 0;
    counter.counted_calls.assign(counter.counted_rules.size(), 0);
    change.counters.push_back(std::move(counter));
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
  std::vector<uint64_t> issued;
  for (const auto& ticket : change.tickets) {
    if (auto it = tickets_.find(ticket.id); it != tickets_.end()) {
      wait_history_.Observe(&it->second, ticket);
      UnindexTicket(it->second);
      it->second = ticket;
    } else {
      wait_history_.Observe(nullptr, ticket);
      tickets_.emplace(ticket.id, ticket);
      if (ticket.state == TicketState::kWaiting) issued.push_back(ticket.id);
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
  for (const auto& appointment : change.appointments) {
    if (auto it = appointments_.find(appointment.code); it != appointments_.end()) {
      UnindexAppointment(it->second);
      it->second = appointment;
    } else {
      appointments_.emplace(appointment.code, appointment);
    }
    IndexAppointment(appointment);
  }
  for (const auto& record : change.requests) {
    if (auto it = requests_.find(record.request_id); it != requests_.end()) {
      requests_by_time_.erase({it->second.at, record.request_id});
    }
    requests_[record.request_id] = record;
    requests_by_time_.insert({record.at, record.request_id});
  }
  // Forgotten once a retry would no longer be answered from them (the store
  // drops its rows by the same rule).
  if (!change.requests.empty()) {
    const absl::Time cutoff = requests_by_time_.rbegin()->first - kRequestIdRetention;
    while (!requests_by_time_.empty() && requests_by_time_.begin()->first < cutoff) {
      requests_.erase(requests_by_time_.begin()->second);
      requests_by_time_.erase(requests_by_time_.begin());
    }
  }
  for (const auto& event : change.events) last_event_seq_ = std::max(last_event_seq_, event.seq);
  // What a new ticket was told is remembered, so its actual wait can calibrate
  // later estimates. (A restore has no events: there is nothing to tell.)
  // The state above is already applied; an estimate is advisory, so nothing it
  // could throw (memory) may stop the commit path.
  if (!change.events.empty()) {
    try {
      for (uint64_t id : issued) {
        const Ticket& ticket = tickets_.at(id);
        if (auto estimate = EstimateWait(ticket, change.events.front().at)) {
          wait_history_.RecordPrediction(id, *estimate);
        }
      }
    } catch (...) {
    }
  }
}

QueueIndex::Key Branch::QueueKeyOf(const Ticket& t) {
  return QueueIndex::Key{.rank = ClassRank(t.priority),
                         .lane = t.placed_front ? QueueIndex::kFrontLane : QueueIndex::kNormalLane,
                         .queued_at = t.queued_at,
                         .id = t.id};
}

void Branch::IndexTicket(const Ticket& t) {
  if (t.state == TicketState::kWaiting) waiting_.Insert(t.service_code, QueueKeyOf(t));
  if (IsLive(t.state)) live_numbers_[t.prefix].insert(t.number);
  if (!t.request_id.empty()) by_request_[t.request_id] = t.id;
  if (!t.details.empty() || !t.note.empty()) with_details_.insert({t.business_day, t.id});
}

void Branch::UnindexTicket(const Ticket& t) {
  if (t.state == TicketState::kWaiting) waiting_.Erase(t.service_code, QueueKeyOf(t));
  if (IsLive(t.state)) live_numbers_[t.prefix].erase(t.number);
  with_details_.erase({t.business_day, t.id});
}

void Branch::IndexAppointment(const Appointment& a) {
  if (a.state == AppointmentState::kBooked) booked_by_slot_.insert({a.slot_start, a.code});
  if (a.state != AppointmentState::kBooked && (!a.phone.empty() || !a.customer_name.empty())) {
    personal_by_slot_.insert({a.slot_start, a.code});
  }
  if (a.state == AppointmentState::kBooked || a.state == AppointmentState::kCheckedIn) {
    ++slot_bookings_[{a.service_code, a.slot_start}];
  }
  if (!a.request_id.empty()) appointment_by_request_[a.request_id] = a.code;
}

void Branch::UnindexAppointment(const Appointment& a) {
  booked_by_slot_.erase({a.slot_start, a.code});
  personal_by_slot_.erase({a.slot_start, a.code});
  if (a.state == AppointmentState::kBooked || a.state == AppointmentState::kCheckedIn) {
    auto it = slot_bookings_.find({a.service_code, a.slot_start});
    if (it != slot_bookings_.end() && --it->second <= 0) slot_bookings_.erase(it);
  }
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

std::string Branch::LocalTime(absl::Time t) const { return absl::FormatTime("%H:%M", t, zone_); }

int Branch::OpenCountersServing(const std::string& service_code) const {
  return static_cast<int>(std::count_if(counters_.begin(), counters_.end(), [&](const auto& entry) {
    const Counter& c = entry.second;
    return c.state == CounterState::kOpen &&
           std::find(c.service_codes.begin(), c.service_codes.end(), service_code) !=
               c.service_codes.end();
  }));
}

MaxWaits Branch::CurrentMaxWaits() const {
  MaxWaits result;
  for (const auto& service : services_) result[service.code] = service.EffectiveMaxWait();
  return result;
}

std::vector<const Ticket*> Branch::Waiting(const std::string& service_code) const {
  std::vector<const Ticket*> result;
  for (const auto& key : waiting_.QueueOf(service_code)) result.push_back(FindTicket(key.id));
  return result;
}

int Branch::PeopleAhead(const Ticket& ticket) const {
  if (ticket.state != TicketState::kWaiting) return 0;
  const auto& queue = waiting_.QueueOf(ticket.service_code);
  return static_cast<int>(std::distance(queue.begin(), queue.lower_bound(QueueKeyOf(ticket))));
}

const Ticket* Branch::FindTicketByNumber(absl::string_view display_number,
                                         absl::CivilDay day) const {
  const Ticket* best = nullptr;
  for (const auto& [id, ticket] : tickets_) {
    if (ticket.business_day != day || ticket.DisplayNumber() != display_number) continue;
    if (best == nullptr || ticket.id > best->id) best = &ticket;
  }
  return best;
}

std::vector<PreviewEntry> Branch::PreviewOrder(absl::Time now) const {
  std::vector<Counter> open;
  for (const auto& [number, counter] : counters_) {
    if (counter.state == CounterState::kOpen) open.push_back(counter);
  }
  return domain::PreviewOrder(waiting_, std::move(open), CurrentMaxWaits(), now);
}

EstimatorInput Branch::EstimatorInputAt(const MaxWaits& max_waits, absl::Time now) const {
  return EstimatorInput{.waiting = &waiting_,
                        .counters = &counters_,
                        .tickets = &tickets_,
                        .services = &services_,
                        .max_waits = &max_waits,
                        .history = &wait_history_,
                        .now = now};
}

std::optional<WaitEstimate> Branch::EstimateWait(const Ticket& ticket, absl::Time now) const {
  if (ticket.state != TicketState::kWaiting) return std::nullopt;
  const MaxWaits max_waits = CurrentMaxWaits();
  // Seeded by ticket and second: asking twice gives the same answer.
  const uint64_t seed =
      ticket.id * 0x9E3779B97F4A7C15ULL ^ static_cast<uint64_t>(absl::ToUnixSeconds(now));
  return domain::EstimateWait(EstimatorInputAt(max_waits, now), ticket.service_code,
                              ticket.priority, QueueKeyOf(ticket), /*in_queue=*/true, seed);
}

std::optional<WaitEstimate> Branch::EstimateNewTicket(const std::string& service_code,
                                                      PriorityClass priority,
                                                      absl::Time now) const {
  const MaxWaits max_waits = CurrentMaxWaits();
  const QueueIndex::Key key{.rank = ClassRank(priority),
                            .lane = QueueIndex::kNormalLane,
                            .queued_at = now,
                            .id = max_ticket_id_ + 1};
  const uint64_t seed = std::hash<std::string>{}(service_code) ^
                        static_cast<uint64_t>(absl::ToUnixSeconds(now)) ^
                        static_cast<uint64_t>(key.rank);
  return domain::EstimateWait(EstimatorInputAt(max_waits, now), service_code, priority, key,
                              /*in_queue=*/false, seed);
}

std::vector<ServiceView> Branch::ServiceViews(absl::Time now) const {
  std::vector<ServiceView> views;
  for (const auto& service : services_) {
    ServiceView view{.config = &service, .open_counters = OpenCountersServing(service.code)};
    view.waiting_count = static_cast<int>(waiting_.QueueOf(service.code).size());
    for (int rank = 0; rank < kClassCount; ++rank) {
      if (const QueueIndex::Key* oldest = waiting_.Oldest(service.code, rank, now)) {
        view.longest_wait = std::max(view.longest_wait, now - oldest->queued_at);
      }
    }
    view.estimate = EstimateNewTicket(service.code, PriorityClass::kNormal, now);
    if (view.estimate) view.estimated_wait = view.estimate->point;
    views.push_back(view);
  }
  return views;
}

// --- Helpers for commands ---

Event Branch::NewEvent(EventType type, uint32_t counter, const CommandContext& ctx) const {
  return Event{
      .at = ctx.now, .branch_id = info_.id, .type = type, .counter = counter, .actor = ctx.actor};
}

Event Branch::TicketEvent(const Ticket& before, const Ticket& after, EventType type,
                          uint32_t counter, const CommandContext& ctx, std::string detail) const {
  Event event = NewEvent(type, counter, ctx);
  event.ticket_id = after.id;
  event.from_state = before.state;
  event.to_state = after.state;
  event.service_code = after.service_code;
  event.detail = std::move(detail);
  return event;
}

Plan Branch::TicketChange(const Ticket& before, const Ticket& after, EventType type,
                          uint32_t counter, const CommandContext& ctx, std::string detail) const {
  Plan plan;
  plan.ticket_id = after.id;
  plan.change.branch_id = info_.id;
  plan.change.tickets.push_back(after);
  plan.change.events.push_back(TicketEvent(before, after, type, counter, ctx, std::move(detail)));
  return plan;
}

void Branch::AddNoShow(Plan& plan, const Ticket& ticket, const Counter& counter, std::string detail,
                       const CommandContext& ctx) const {
  Ticket after = ticket;
  after.state = TicketState::kNoShow;
  after.no_show_at = ctx.now;
  plan.change.tickets.push_back(after);
  plan.change.events.push_back(
      TicketEvent(ticket, after, EventType::kTicketNoShow, counter.number, ctx, std::move(detail)));
  Counter counter_after = counter;
  counter_after.current_ticket_id = 0;
  plan.change.counters.push_back(std::move(counter_after));
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

size_t Branch::LiveTicketCount() const {
  size_t live = 0;
  for (const auto& [prefix, numbers] : live_numbers_) live += numbers.size();
  return live;
}

absl::StatusOr<Plan> Branch::PlanIssue(const std::string& service_code, PriorityClass priority,
                                       const std::string& request_id,
                                       const TransactionDetails& details,
                                       const CommandContext& ctx) const {
  if (auto s = ValidateServiceCode(service_code); !s.ok()) return s;
  if (auto s = ValidateRequestId(request_id); !s.ok()) return s;
  if (auto s = ValidateTransactionDetails(details); !s.ok()) return s;
  if (priority == PriorityClass::kAppointment) {
    return absl::InvalidArgumentError(
        "an appointment ticket is only issued by checking in the appointment");
  }
  if (auto it = requests_.find(request_id);
      it != requests_.end() && ctx.now - it->second.at <= kRequestIdRetention) {
    return absl::AlreadyExistsError(
        absl::StrCat("request_id '", request_id, "' was already used for ", it->second.operation,
                     " at ", LocalTime(it->second.at), "; use a new request_id for each ticket"));
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
  // Masked before anything keeps it: no output, log or backup can show more.
  TransactionDetails masked{.type = MaskDigitRuns(details.type),
                            .amount = details.amount,
                            .account_tail = MaskAccount(details.account_tail),
                            .text = MaskDigitRuns(details.text)};
  return NewTicket(service_code, priority, request_id, std::move(masked), ctx.now, ctx);
}

absl::StatusOr<Plan> Branch::NewTicket(const std::string& service_code, PriorityClass priority,
                                       const std::string& request_id, TransactionDetails details,
                                       absl::Time queued_at, const CommandContext& ctx) const {
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
                .queued_at = queued_at,
                .request_id = request_id,
                .details = std::move(details)};
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

// --- Client request ids ---

absl::StatusOr<const RequestRecord*> Branch::KnownRequest(const ClientRequest& request,
                                                          const CommandContext& ctx) const {
  const std::string& id = request.request_id;
  if (auto s = ValidateRequestId(id); !s.ok()) return s;
  const std::string reuse = "; use a new request_id for each action";
  if (auto it = by_request_.find(id);
      it != by_request_.end() &&
      ctx.now - tickets_.at(it->second).issued_at <= kRequestIdRetention) {
    return absl::AlreadyExistsError(absl::StrCat("request_id '", id, "' already issued ticket ",
                                                 tickets_.at(it->second).DisplayNumber(), reuse));
  }
  if (auto it = appointment_by_request_.find(id);
      it != appointment_by_request_.end() &&
      ctx.now - appointments_.at(it->second).booked_at <= kRequestIdRetention) {
    return absl::AlreadyExistsError(
        absl::StrCat("request_id '", id, "' already booked an appointment", reuse));
  }
  auto it = requests_.find(id);
  if (it == requests_.end() || ctx.now - it->second.at > kRequestIdRetention) return nullptr;
  const RequestRecord& earlier = it->second;
  if (earlier.operation != request.operation || earlier.counter != request.counter ||
      earlier.subject != request.subject) {
    // The subject stays out: it may be an appointment code, which is all it
    // takes to check in.
    return absl::AlreadyExistsError(
        absl::StrCat("request_id '", id, "' was already used at ", LocalTime(earlier.at), " for ",
                     earlier.operation,
                     earlier.counter != 0 ? absl::StrCat(" at counter ", earlier.counter) : "",
                     earlier.operation == request.operation && earlier.counter == request.counter
                         ? " with other details"
                         : "",
                     reuse));
  }
  return &earlier;
}

absl::StatusOr<Plan> Branch::PlanOnce(const ClientRequest& request, const CommandContext& ctx,
                                      const std::function<absl::StatusOr<Plan>()>& plan) const {
  if (request.request_id.empty()) return plan();
  auto known = KnownRequest(request, ctx);
  if (!known.ok()) return known.status();
  if (const RequestRecord* earlier = *known) {
    // Tickets are kept in memory (and restored) at least as long as requests,
    // so this only guards the reply against a broken invariant.
    if (earlier->ticket_id != 0 && FindTicket(earlier->ticket_id) == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("request_id '", request.request_id, "' was already done at ",
                       LocalTime(earlier->at), "; its ticket is no longer held"));
    }
    return Plan{
        .change = {.branch_id = info_.id}, .ticket_id = earlier->ticket_id, .replay = *earlier};
  }
  absl::StatusOr<Plan> result = plan();
  // A command that changed nothing (an error, nobody to call, a counter
  // already open) is as safe to run again as to answer from a record.
  if (!result.ok() || result->change.empty()) return result;
  RequestRecord record{.request_id = request.request_id,
                       .operation = request.operation,
                       .counter = request.counter,
                       .subject = request.subject,
                       .ticket_id = result->ticket_id,
                       .at = ctx.now};
  for (auto it = result->change.events.rbegin(); it != result->change.events.rend(); ++it) {
    if (record.ticket_id != 0 && it->ticket_id == record.ticket_id) {
      record.detail = it->detail;
      break;
    }
  }
  result->change.requests.push_back(std::move(record));
  return result;
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
  Plan plan;
  plan.change.branch_id = info_.id;
  Counter counter_after = **counter;
  // A customer who did not answer the allowed recalls is a no-show: the
  // teller's next call says so and moves on, in one change.
  uint64_t skipped = 0;
  if (const Ticket* current = CurrentTicket(**counter);
      current != nullptr && current->state == TicketState::kCalled &&
      static_cast<int>(current->recall_count) >= info_.recall_limit) {
    AddNoShow(plan, *current, **counter,
              absl::StrCat("no answer after ", current->recall_count, " recalls"), ctx);
    counter_after.current_ticket_id = 0;
    skipped = current->id;
  } else if (auto s = RequireNoCurrentTicket(**counter); !s.ok()) {
    return s;
  }
  // The skipped ticket is still WAITING-free in the index (it was CALLED), so
  // the policy cannot pick it again.
  auto decision = ChooseNext(waiting_, counter_after, CurrentMaxWaits(), ctx.now);
  if (!decision) {
    if (skipped != 0) plan.change.counters = {counter_after};
    return plan;
  }
  const Ticket& next = tickets_.at(decision->ticket_id);
  Ticket after = next;
  after.state = TicketState::kCalled;
  after.counter = number;
  after.called_at = ctx.now;
  if (!after.first_called_at) after.first_called_at = ctx.now;
  after.recall_count = 0;
  plan.ticket_id = next.id;
  plan.change.tickets.push_back(after);
  std::string detail = std::string(Name(decision->reason));
  if (decision->reason == CallReason::kCountedRule) {
    const CountedRule& rule = counter_after.counted_rules[decision->rule];
    absl::StrAppend(&detail, " ", Name(rule.priority), ":", rule.quota);
  }
  plan.change.events.push_back(
      TicketEvent(next, after, EventType::kTicketCalled, number, ctx, std::move(detail)));
  RecordCall(counter_after, *decision);
  counter_after.current_ticket_id = next.id;
  // One row per counter in a change: the no-show's row is superseded.
  plan.change.counters = {std::move(counter_after)};
  return plan;
}

absl::StatusOr<Plan> Branch::PlanRecall(uint32_t number, const CommandContext& ctx) const {
  auto counter = CounterOrError(number);
  if (!counter.ok()) return counter.status();
  auto ticket = CurrentTicketIn(**counter, {TicketState::kCalled}, "be recalled");
  if (!ticket.ok()) return ticket.status();
  if (static_cast<int>((*ticket)->recall_count) >= info_.recall_limit) {
    return absl::FailedPreconditionError(absl::StrCat(
        "ticket ", (*ticket)->DisplayNumber(), " has been recalled ", (*ticket)->recall_count,
        " times, the branch's limit; call next to mark it no-show and call the next customer"));
  }
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
                                          std::optional<Placement> placement,
                                          const std::string& note,
                                          const CommandContext& ctx) const {
  if (auto s = ValidateServiceCode(to_service_code, "to_service_code"); !s.ok()) return s;
  if (auto s = ValidateNote(note); !s.ok()) return s;
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
  const Placement where = placement.value_or(info_.transfer_placement);
  // The customer keeps the number, the issue time and the history; where they
  // stand in the new queue is the placement's choice.
  Ticket after = **ticket;
  after.state = TicketState::kWaiting;
  after.service_code = to_service_code;
  after.called_at.reset();
  after.started_at.reset();
  after.recall_count = 0;
  // A teller may type a phone or account number into the note; it is masked
  // like the kiosk's free text and purged with it after the day.
  after.note = MaskDigitRuns(note);
  // The wait counts from the issue time (or from now, at the end), so a ticket
  // placed at the front goes before its class without passing anyone overdue.
  after.queued_at = where == Placement::kEnd ? ctx.now : after.issued_at;
  after.placed_front = where == Placement::kFront;
  Plan plan = TicketChange(
      **ticket, after, EventType::kTicketTransferred, number, ctx,
      absl::StrCat("transfer ", (*ticket)->service_code, "->", to_service_code, " ", Name(where)));
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
  Plan plan{.change = {.branch_id = info_.id}, .ticket_id = (*ticket)->id};
  AddNoShow(plan, **ticket, **counter, "", ctx);
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
  after.green_channel = config.green_channel;
  const bool rotation_changed = after.strategy != config.strategy ||
                                after.counted_rules != config.counted_rules ||
                                after.counted_fallback != config.counted_fallback;
  after.strategy = config.strategy;
  after.counted_rules = config.counted_rules;
  after.counted_fallback = config.counted_fallback;
  // New rules make old counts meaningless; a fresh rotation is the honest start.
  if (rotation_changed || after.counted_calls.size() != after.counted_rules.size()) {
    after.counted_calls.assign(after.counted_rules.size(), 0);
  }
  Plan plan;
  plan.change.branch_id = info_.id;
  plan.change.counters.push_back(after);
  Event event = NewEvent(EventType::kConfigChanged, config.number, ctx);
  event.detail =
      absl::StrCat(existing ? "counter changed, profile " : "counter added, profile ",
                   absl::StrJoin(config.service_codes, ","), ", ", Name(config.strategy));
  if (config.strategy == CallStrategy::kCounted) {
    absl::StrAppend(&event.detail, " ",
                    FormatCountedRules(config.counted_rules, config.counted_fallback));
  }
  if (config.green_channel) absl::StrAppend(&event.detail, ", green channel");
  plan.change.events.push_back(std::move(event));
  return plan;
}

absl::StatusOr<Plan> Branch::PlanUpdateBranchInfo(const BranchInfo& info,
                                                  const CommandContext& ctx) const {
  if (info.id != info_.id) {
    return absl::InvalidArgumentError(
        absl::StrCat("branch id '", info.id, "' does not match '", info_.id, "'"));
  }
  if (info.timezone != info_.timezone) {
    return absl::FailedPreconditionError(
        absl::StrCat("the time zone of branch '", info_.id, "' is ", info_.timezone,
                     " and cannot change while it has tickets; create a new branch instead"));
  }
  if (auto s = ValidateBranchInfo(info); !s.ok()) return s;
  Plan plan;
  plan.change.branch_id = info_.id;
  plan.change.branch = info;
  Event event = NewEvent(EventType::kConfigChanged, 0, ctx);
  event.detail = "branch settings changed";
  plan.change.events.push_back(std::move(event));
  return plan;
}

// --- Reinstatement ---

absl::StatusOr<Plan> Branch::PlanReinstate(uint64_t ticket_id, uint32_t counter,
                                           const CommandContext& ctx) const {
  if (counter != 0) {
    auto c = CounterOrError(counter);
    if (!c.ok()) return c.status();
  }
  const Ticket* ticket = FindTicket(ticket_id);
  if (ticket == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("ticket ", ticket_id, " does not exist in branch '", info_.id, "'"));
  }
  if (ticket->state != TicketState::kNoShow) {
    return absl::FailedPreconditionError(absl::StrCat("ticket ", ticket->DisplayNumber(), " is ",
                                                      Name(ticket->state),
                                                      "; only a no-show ticket can be reinstated"));
  }
  const absl::Time since =
      ticket->no_show_at.value_or(ticket->called_at.value_or(ticket->issued_at));
  if (ctx.now - since > info_.reinstate_grace) {
    return absl::FailedPreconditionError(absl::StrCat(
        "ticket ", ticket->DisplayNumber(), " was marked no-show at ", LocalTime(since),
        "; it can be reinstated for ", absl::FormatDuration(info_.reinstate_grace),
        " after that. Please take a new ticket"));
  }
  if (auto live = live_numbers_.find(ticket->prefix);
      live != live_numbers_.end() && live->second.contains(ticket->number)) {
    return absl::FailedPreconditionError(
        absl::StrCat("number ", ticket->DisplayNumber(),
                     " has been given to another customer since; please take a new ticket"));
  }
  Ticket after = *ticket;
  after.state = TicketState::kWaiting;
  after.called_at.reset();
  after.recall_count = 0;
  if (info_.reinstate_placement == Placement::kEnd) {
    after.queued_at = ctx.now;
    after.placed_front = false;
  }
  return TicketChange(*ticket, after, EventType::kTicketReinstated, counter, ctx,
                      absl::StrCat("reinstated ", Name(info_.reinstate_placement)));
}

// --- Timers ---

std::optional<absl::Time> Branch::NextDeadline() const {
  std::optional<absl::Time> next;
  const auto consider = [&](absl::Time t) {
    if (!next || t < *next) next = t;
  };
  if (info_.auto_no_show_after > absl::ZeroDuration()) {
    for (const auto& [number, counter] : counters_) {
      const Ticket* t = CurrentTicket(counter);
      if (t != nullptr && t->state == TicketState::kCalled && t->called_at) {
        consider(*t->called_at + info_.auto_no_show_after);
      }
    }
  }
  // Missed once the check-in window has closed, not at its last instant.
  if (!booked_by_slot_.empty()) {
    consider(booked_by_slot_.begin()->first + info_.checkin_late + absl::Microseconds(1));
  }
  // Personal data goes at the start of the next local day.
  if (!with_details_.empty()) {
    consider(absl::FromCivil(with_details_.begin()->first + 1, zone_));
  }
  if (!personal_by_slot_.empty()) {
    consider(absl::FromCivil(BusinessDay(personal_by_slot_.begin()->first) + 1, zone_));
  }
  return next;
}

absl::StatusOr<Plan> Branch::PlanTimeouts(const CommandContext& ctx) const {
  Plan plan;
  plan.change.branch_id = info_.id;
  if (info_.auto_no_show_after > absl::ZeroDuration()) {
    for (const auto& [number, counter] : counters_) {
      const Ticket* t = CurrentTicket(counter);
      if (t != nullptr && t->state == TicketState::kCalled && t->called_at &&
          ctx.now >= *t->called_at + info_.auto_no_show_after) {
        AddNoShow(plan, *t, counter,
                  absl::StrCat("no answer for ", absl::FormatDuration(info_.auto_no_show_after)),
                  ctx);
      }
    }
  }
  for (const auto& [slot, code] : booked_by_slot_) {
    if (ctx.now <= slot + info_.checkin_late) break;
    Appointment after = appointments_.at(code);
    after.state = AppointmentState::kMissed;
    after.closed_at = ctx.now;
    plan.change.events.push_back(AppointmentEvent(EventType::kAppointmentMissed, after, ctx));
    plan.change.appointments.push_back(std::move(after));
  }
  const absl::CivilDay today = BusinessDay(ctx.now);
  int purged = 0;
  for (const auto& [day, id] : with_details_) {
    if (day >= today) break;
    // A ticket this change already rewrites (an automatic no-show) is purged
    // at the next deadline, which is then immediately due.
    if (std::any_of(plan.change.tickets.begin(), plan.change.tickets.end(),
                    [id = id](const Ticket& t) { return t.id == id; })) {
      continue;
    }
    Ticket after = tickets_.at(id);
    after.details = {};
    after.note.clear();
    plan.change.tickets.push_back(std::move(after));
    ++purged;
  }
  for (const auto& [slot, code] : personal_by_slot_) {
    if (BusinessDay(slot) >= today) break;
    Appointment after = appointments_.at(code);
    after.customer_name.clear();
    after.phone.clear();
    plan.change.appointments.push_back(std::move(after));
    ++purged;
  }
  if (purged > 0) {
    Event event = NewEvent(EventType::kDetailsPurged, 0, ctx);
    event.detail = absl::StrCat("personal details of ", purged, " tickets and appointments purged");
    plan.change.events.push_back(std::move(event));
  }
  return plan;
}

}  // namespace lobbyq::domain
