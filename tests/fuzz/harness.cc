#include "harness.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "server/domain/validation.h"

namespace lobbyq::fuzz {
namespace {

using domain::Ticket;
using domain::TicketState;

// The domain never sees an unbounded jump: the server's clock moves in real
// time, and two days covers a day rollover with everything that hangs on it.
constexpr uint32_t kMaxAdvanceSeconds = 2 * 24 * 3600;

// Monday 2024-03-11 09:20 in Shanghai: the branch opened 20 minutes ago.
absl::Time Start(const absl::TimeZone& zone) {
  return absl::FromCivil(absl::CivilMinute(2024, 3, 11, 9, 20), zone);
}

absl::TimeZone Shanghai() {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Asia/Shanghai", &zone)) {
    Fail("tzdata for Asia/Shanghai is not installed (apt-get install tzdata)");
  }
  return zone;
}

domain::BranchDefinition Definition() {
  domain::BranchDefinition def;
  def.info = domain::BranchInfo{.id = kBranchId,
                                .name = "Fuzz branch",
                                .timezone = "Asia/Shanghai",
                                .auto_no_show_after = absl::Minutes(10)};
  def.services = {
      {.code = "A",
       .name_zh = "个人业务",
       .name_en = "Personal",
       .expected_service_time = absl::Minutes(5),
       .appointment_capacity = 2},
      {.code = "B",
       .name_zh = "对公业务",
       .name_en = "Corporate",
       .expected_service_time = absl::Minutes(10),
       .max_wait = absl::Minutes(30)},
      {.code = "C",
       .name_zh = "理财",
       .name_en = "Wealth",
       .expected_service_time = absl::Minutes(8),
       .appointment_capacity = 1},
  };
  auto rules = domain::ParseCountedRules("green_channel:2,vip:1,normal");
  if (!rules.ok()) Fail(rules.status().ToString());
  def.counters = {
      {.number = 1, .name = "Counter 1", .service_codes = {"A"}},
      {.number = 2,
       .name = "Counter 2",
       .service_codes = {"B", "A"},
       .strategy = domain::CallStrategy::kLongestWait},
      {.number = 3,
       .name = "Counter 3",
       .service_codes = {"C", "A"},
       .strategy = domain::CallStrategy::kCounted,
       .counted_rules = rules->rules,
       .counted_fallback = rules->fallback,
       .counted_calls = std::vector<int>(rules->rules.size(), 0)},
      {.number = 4, .name = "Counter 4", .service_codes = {"A", "B", "C"}, .green_channel = true},
  };
  return def;
}

bool Held(TicketState s) { return s == TicketState::kCalled || s == TicketState::kServing; }

}  // namespace

void Fail(absl::string_view what) {
  std::fprintf(stderr, "lobbyq fuzz finding: %.*s\n", static_cast<int>(what.size()), what.data());
  std::fflush(stderr);
  std::abort();
}

void CheckRefusal(const absl::Status& status, absl::string_view method) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      break;
    default:
      Fail(absl::StrCat(method, " refused with ", status.ToString(),
                        ": not a status a client can act on"));
  }
  if (status.message().empty()) Fail(absl::StrCat(method, " refused with an empty message"));
}

void CheckInvariants(const domain::Branch& branch) {
  for (const auto& [number, counter] : branch.counters()) {
    if (counter.number != number) Fail(absl::StrCat("counter ", number, " is filed wrongly"));
    if (counter.current_ticket_id == 0) continue;
    const Ticket* ticket = branch.FindTicket(counter.current_ticket_id);
    if (ticket == nullptr) {
      Fail(absl::StrCat("counter ", number, " holds ticket ", counter.current_ticket_id,
                        " which does not exist"));
    }
    if (!Held(ticket->state) || ticket->counter != number) {
      Fail(absl::StrCat("counter ", number, " holds ticket ", ticket->DisplayNumber(), " in state ",
                        domain::Name(ticket->state), " at counter ", ticket->counter));
    }
  }
  std::map<std::string, size_t> waiting;
  std::set<std::pair<std::string, int>> live_numbers;
  for (const auto& [id, ticket] : branch.tickets()) {
    const std::string name = absl::StrCat("ticket ", id, " (", ticket.DisplayNumber(), ")");
    if (ticket.id != id) Fail(absl::StrCat(name, " is filed under another id"));
    if (ticket.number < 1 || ticket.number > 999) Fail(absl::StrCat(name, " has no valid number"));
    if (ticket.rating < 0 || ticket.rating > 5) Fail(absl::StrCat(name, " has rating out of 0-5"));
    if (Held(ticket.state)) {
      const domain::Counter* counter = branch.FindCounter(ticket.counter);
      if (counter == nullptr || counter->current_ticket_id != id) {
        Fail(absl::StrCat(name, " is ", domain::Name(ticket.state), " at counter ", ticket.counter,
                          ", which does not hold it"));
      }
    }
    if (ticket.state == TicketState::kWaiting) {
      if (branch.FindService(ticket.service_code) == nullptr) {
        Fail(absl::StrCat(name, " waits for unknown service '", ticket.service_code, "'"));
      }
      ++waiting[ticket.service_code];
    }
    if (domain::IsLive(ticket.state) &&
        !live_numbers.insert({ticket.prefix, ticket.number}).second) {
      Fail(absl::StrCat("two live tickets are numbered ", ticket.DisplayNumber()));
    }
  }
  for (const auto& service : branch.services()) {
    const std::vector<const Ticket*> queue = branch.Waiting(service.code);
    if (queue.size() != waiting[service.code]) {
      Fail(absl::StrCat("queue ", service.code, " lists ", queue.size(), " tickets but ",
                        waiting[service.code], " wait for it"));
    }
    for (const Ticket* ticket : queue) {
      if (ticket->state != TicketState::kWaiting || ticket->service_code != service.code) {
        Fail(absl::StrCat("queue ", service.code, " lists ", ticket->DisplayNumber(), " in state ",
                          domain::Name(ticket->state), " for service ", ticket->service_code));
      }
      const int ahead = branch.PeopleAhead(*ticket);
      if (ahead < 0 || static_cast<size_t>(ahead) >= queue.size()) {
        Fail(absl::StrCat(ticket->DisplayNumber(), " has ", ahead, " people ahead in a queue of ",
                          queue.size()));
      }
    }
  }
}

FuzzLobby FuzzLobby::Prepared() {
  static const FuzzLobby* const prepared = [] {
    const absl::TimeZone zone = Shanghai();
    const domain::BranchDefinition def = Definition();
    const absl::Time start = Start(zone);
    auto created = domain::Branch::PlanCreate(def, {.now = start, .actor = "admin"});
    if (!created.ok()) Fail(absl::StrCat("prepared lobby: ", created.status().ToString()));
    // One simulated future per estimate: fuzzing needs the estimator's code
    // paths, not its precision, and thousands of inputs a second.
    auto* lobby = new FuzzLobby(domain::Branch(domain::BranchSnapshot{.info = *created->branch},
                                               zone, domain::EstimatorSettings{.runs = 1}),
                                start);
    lobby->Must("create", domain::Plan{.change = *std::move(created)});
    auto ctx = [&](const char* actor) { return lobby->Ctx(actor); };
    const domain::Branch& b = lobby->branch_;
    for (uint32_t counter : {1, 2, 3}) {
      lobby->Must("open", b.PlanOpenCounter(counter, ctx("teller")));
    }
    const std::pair<const char*, domain::PriorityClass> tickets[] = {
        {"A", domain::PriorityClass::kNormal},       {"A", domain::PriorityClass::kVip},
        {"B", domain::PriorityClass::kNormal},       {"C", domain::PriorityClass::kGreenChannel},
        {"A", domain::PriorityClass::kGreenChannel}, {"A", domain::PriorityClass::kNormal},
        {"B", domain::PriorityClass::kVip},          {"C", domain::PriorityClass::kNormal},
        {"A", domain::PriorityClass::kNormal}};
    int request = 0;
    for (const auto& [service, priority] : tickets) {
      lobby->Must("issue", b.PlanIssue(service, priority, absl::StrCat("seed-", ++request),
                                       {.type = "deposit", .amount = "100.00"}, ctx("kiosk")));
      lobby->now_ += absl::Seconds(30);
    }
    // Counter 2: one done (its rating pad can rate it), one no-show (it can be
    // reinstated); counter 3 serving; counter 1 calling.
    lobby->Must("call", b.PlanCallNext(2, ctx("teller")));
    lobby->Must("start", b.PlanStartService(2, ctx("teller")));
    lobby->Must("finish", b.PlanFinish(2, ctx("teller")));
    lobby->Must("call", b.PlanCallNext(2, ctx("teller")));
    lobby->Must("no-show", b.PlanNoShow(2, ctx("teller")));
    lobby->Must("call", b.PlanCallNext(3, ctx("teller")));
    lobby->Must("start", b.PlanStartService(3, ctx("teller")));
    lobby->Must("call", b.PlanCallNext(1, ctx("teller")));
    lobby->Must("cancel", b.PlanCancel(b.Waiting("A").back()->id, ctx("kiosk")));
    for (int hour : {10, 11}) {
      const absl::Time slot = absl::FromCivil(absl::CivilMinute(2024, 3, 11, hour, 0), zone);
      const domain::Plan booked =
          lobby->Must("book", b.PlanBook(
                                  "A", slot, "Li Lei", absl::StrCat("138 0013 80", hour),
                                  absl::StrCat("book-", hour),
                                  [&] { return lobby->NewAppointmentCode(); }, ctx("booking")));
      lobby->codes_.push_back(booked.appointment_code);
    }
    lobby->kiosk_.branch_id = kBranchId;
    return lobby;
  }();
  FuzzLobby copy = *prepared;
  copy.issue_rate_ = std::make_shared<rpc::IssueRateLimiter>(copy.limits_);
  return copy;
}

domain::CommandContext FuzzLobby::Ctx(std::string actor) const {
  return domain::CommandContext{.now = now_, .actor = std::move(actor)};
}

void FuzzLobby::Advance(uint32_t seconds) {
  if (seconds == 0) return;
  now_ += absl::Seconds(std::min(seconds, kMaxAdvanceSeconds));
  RunTimers();
}

void FuzzLobby::RunTimers() {
  // The runtime retries a timer that found nothing to do a second later; a
  // few rounds show whether the work converges.
  for (int round = 0; round < 4; ++round) {
    const std::optional<absl::Time> deadline = branch_.NextDeadline();
    if (!deadline || *deadline > now_) return;
    auto plan = Commit(branch_.PlanTimeouts(Ctx("timer")));
    if (!plan.ok()) {
      CheckRefusal(plan.status(), "timer");
      return;
    }
    if (plan->change.empty()) return;
  }
}

absl::StatusOr<domain::Plan> FuzzLobby::Commit(absl::StatusOr<domain::Plan> plan) {
  if (!plan.ok() || plan->change.empty()) return plan;
  domain::Change& change = plan->change;
  if (change.branch_id != branch_.info().id) {
    Fail(absl::StrCat("a change for branch '", change.branch_id, "' was planned in branch '",
                      branch_.info().id, "'"));
  }
  for (domain::Event& event : change.events) {
    if (event.branch_id != branch_.info().id) {
      Fail(absl::StrCat("event ", domain::Name(event.type), " names branch '", event.branch_id,
                        "'"));
    }
    event.seq = ++seq_;
    events_.push_back(event);
  }
  if (change.branch) info_row_ = *change.branch;
  for (const auto& service : change.services) {
    auto it =
        std::find_if(service_rows_.begin(), service_rows_.end(),
                     [&](const domain::ServiceConfig& row) { return row.code == service.code; });
    if (it == service_rows_.end()) {
      service_rows_.push_back(service);
    } else {
      *it = service;
    }
  }
  for (const auto& counter : change.counters) counter_rows_[counter.number] = counter;
  for (const auto& ticket : change.tickets) ticket_rows_[ticket.id] = ticket;
  for (const auto& sequence : change.sequences) {
    sequence_rows_[{sequence.service_code, sequence.business_day}] = sequence;
  }
  for (const auto& appointment : change.appointments) {
    appointment_rows_[appointment.code] = appointment;
  }
  for (const auto& request : change.requests) request_rows_.push_back(request);
  branch_.Apply(change);
  CheckInvariants(branch_);
  return plan;
}

domain::Plan FuzzLobby::Must(absl::string_view what, absl::StatusOr<domain::Plan> plan) {
  auto committed = Commit(std::move(plan));
  if (!committed.ok())
    Fail(absl::StrCat("prepared lobby: ", what, ": ", committed.status().ToString()));
  return *std::move(committed);
}

void FuzzLobby::CheckRestart() const {
  domain::BranchSnapshot snapshot{
      .info = info_row_,
      .services = service_rows_,
      .max_ticket_id = ticket_rows_.empty() ? 0 : ticket_rows_.rbegin()->first,
      .last_event_seq = seq_};
  for (const auto& [number, counter] : counter_rows_) snapshot.counters.push_back(counter);
  for (const auto& [id, ticket] : ticket_rows_) snapshot.tickets.push_back(ticket);
  for (const auto& [key, sequence] : sequence_rows_) snapshot.sequences.push_back(sequence);
  for (const auto& [code, appointment] : appointment_rows_) {
    snapshot.appointments.push_back(appointment);
  }
  snapshot.requests = request_rows_;
  const domain::Branch restored(std::move(snapshot), branch_.zone(),
                                domain::EstimatorSettings{.runs = 1});
  const auto differs = [](absl::string_view what) {
    Fail(absl::StrCat("after a restart the branch differs: ", what));
  };
  if (!(restored.info() == branch_.info())) differs("settings");
  if (restored.services() != branch_.services()) differs("services");
  if (restored.counters() != branch_.counters()) differs("counters");
  if (restored.tickets().size() != branch_.tickets().size()) differs("number of tickets");
  for (const auto& [id, ticket] : branch_.tickets()) {
    const domain::Ticket* other = restored.FindTicket(id);
    if (other == nullptr || !(*other == ticket)) {
      differs(absl::StrCat("ticket ", ticket.DisplayNumber()));
    }
  }
  for (const auto& [code, row] : appointment_rows_) {
    const domain::Appointment* mine = branch_.FindAppointment(code);
    const domain::Appointment* other = restored.FindAppointment(code);
    if ((mine == nullptr) != (other == nullptr) || (mine && !(*mine == *other))) {
      differs(absl::StrCat("appointment for ", absl::FormatTime(row.slot_start)));
    }
  }
  for (const auto& service : branch_.services()) {
    const auto mine = branch_.Waiting(service.code);
    const auto other = restored.Waiting(service.code);
    if (mine.size() != other.size()) differs(absl::StrCat("queue ", service.code));
    for (size_t i = 0; i < mine.size() && i < other.size(); ++i) {
      if (mine[i]->id != other[i]->id) differs(absl::StrCat("order of queue ", service.code));
    }
  }
  const auto preview = branch_.PreviewOrder(now_);
  const auto restored_preview = restored.PreviewOrder(now_);
  if (preview.size() != restored_preview.size()) differs("calling order");
  for (size_t i = 0; i < preview.size() && i < restored_preview.size(); ++i) {
    if (preview[i].ticket_id != restored_preview[i].ticket_id ||
        preview[i].counter != restored_preview[i].counter ||
        preview[i].reason != restored_preview[i].reason) {
      differs(absl::StrCat("calling order at position ", i + 1));
    }
  }
  if (restored.NextDeadline() != branch_.NextDeadline()) differs("next deadline");
}

std::optional<domain::Plan> FuzzLobby::Run(absl::string_view method, const std::string& branch_id,
                                           const PlanFn& plan) {
  return RunCommand(method, branch_id, rpc::Command{.plan = plan, .reply = nullptr});
}

std::optional<domain::Plan> FuzzLobby::RunCommand(absl::string_view method,
                                                  const std::string& branch_id,
                                                  absl::StatusOr<rpc::Command> command) {
  if (!command.ok()) {
    CheckRefusal(command.status(), method);
    return std::nullopt;
  }
  if (absl::Status s = domain::ValidateBranchId(branch_id); !s.ok()) {
    CheckRefusal(s, method);
    return std::nullopt;
  }
  // Another well-formed id: the engine's NotFound, which depends on nothing fuzzed.
  if (branch_id != kBranchId) return std::nullopt;
  auto result = Commit(command->plan(branch_, Ctx(absl::StrCat("fuzz:", method))));
  if (!result.ok()) {
    CheckRefusal(result.status(), method);
    return std::nullopt;
  }
  // As on the branch's strand: the reply right after the change, timers later.
  if (command->reply) command->reply(branch_, *result);
  RunTimers();
  return *std::move(result);
}

void FuzzLobby::Drive(const fuzz::Drive& drive) {
  const uint32_t counter = 1 + drive.index() % 4;
  const domain::Branch& b = branch_;
  absl::StatusOr<domain::Plan> plan = absl::InvalidArgumentError("no drive op");
  switch (drive.op()) {
    case fuzz::Drive::OP_ISSUE: {
      static constexpr domain::PriorityClass kClasses[] = {domain::PriorityClass::kNormal,
                                                           domain::PriorityClass::kVip,
                                                           domain::PriorityClass::kGreenChannel};
      const std::string service(1, "ABC"[drive.index() % 3]);
      plan = b.PlanIssue(service, kClasses[(drive.index() / 3) % 3],
                         absl::StrCat("drive-", events_.size(), "-", seq_), {}, Ctx("kiosk"));
      break;
    }
    case fuzz::Drive::OP_CALL_NEXT:
      plan = b.PlanCallNext(counter, Ctx("teller"));
      break;
    case fuzz::Drive::OP_START:
      plan = b.PlanStartService(counter, Ctx("teller"));
      break;
    case fuzz::Drive::OP_FINISH:
      plan = b.PlanFinish(counter, Ctx("teller"));
      break;
    case fuzz::Drive::OP_NO_SHOW:
      plan = b.PlanNoShow(counter, Ctx("teller"));
      break;
    case fuzz::Drive::OP_OPEN:
      plan = b.PlanOpenCounter(counter, Ctx("teller"));
      break;
    case fuzz::Drive::OP_PAUSE:
      plan = b.PlanPauseCounter(counter, Ctx("teller"));
      break;
    case fuzz::Drive::OP_CLOSE:
      plan = b.PlanCloseCounter(counter, Ctx("teller"));
      break;
    case fuzz::Drive::OP_RECALL:
      plan = b.PlanRecall(counter, Ctx("teller"));
      break;
    default:
      return;
  }
  Run("drive", kBranchId,
      [&](const domain::Branch&, const domain::CommandContext&) { return plan; });
}

std::string FuzzLobby::NewAppointmentCode() {
  const absl::string_view alphabet = domain::kAppointmentCodeAlphabet;
  std::string code;
  uint64_t n = ++next_code_ * 2654435761u;
  for (size_t i = 0; i < domain::kAppointmentCodeLength; ++i) {
    code += alphabet[n % alphabet.size()];
    n /= alphabet.size();
  }
  return code;
}

}  // namespace lobbyq::fuzz
