// Properties of calling through the real Branch, under random lobby days.
//
// Each day (one seed) makes a branch with 2-4 services and 2-4 counters of
// random profiles, strategies, counted rules and green-channel flags, then runs
// 20-60 random commands: issue, appointment check-in, call next, recall, start,
// finish, no-show, transfer, cancel, reinstate, pause/open and advancing time.
// Every command is planned, checked against a model of the tickets kept here
// from the applied rows, and applied (as the runtime does after the commit).
//
// Checked on every command:
//  (a) a ticket is only ever called from WAITING and no two counters hold the
//      same ticket; the branch's waiting lists match the model;
//  (c) when a counter calls X, no WAITING ticket T of its profile that is past
//      its service's max_wait was queued before X;
//  and every call is what the calling policy (ChooseNext over the model's
//  waiting tickets, with the counter's counts) says it must be.
// After the commands:
//  (b) the open counters keep calling and finishing while time moves on (a
//      minute per round, or straight to the next held ticket's time): every
//      waiting ticket they serve is called within a bounded number of rounds.
// Plus: (d) a long counted run keeps its quotas exactly, and PreviewOrder is
// what successive CallNext calls at one instant really do.
//
// A failure prints the seed; LOBBYQ_POLICY_SEED=<seed> reruns just that day.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/branch.h"
#include "server/domain/calling_policy.h"
#include "server/domain/types.h"
#include "server/domain/validation.h"

namespace lobbyq::domain {
namespace {

constexpr uint64_t kBaseSeed = 20240311;
constexpr int kRandomDays = 10000;

absl::TimeZone Shanghai() {
  static const absl::TimeZone* const zone = [] {
    auto* z = new absl::TimeZone;
    if (!absl::LoadTimeZone("Asia/Shanghai", z)) *z = absl::FixedTimeZone(8 * 3600);
    return z;
  }();
  return *zone;
}

// Monday 2024-03-11 09:00 in Shanghai.
absl::Time Opening() {
  return absl::FromCivil(absl::CivilSecond(2024, 3, 11, 9, 0, 0), Shanghai());
}

std::optional<uint64_t> SeedFromEnv() {
  const char* text = std::getenv("LOBBYQ_POLICY_SEED");
  if (text == nullptr || *text == '\0') return std::nullopt;
  return std::strtoull(text, nullptr, 10);
}

bool InProfile(const Counter& c, const std::string& code) {
  return std::find(c.service_codes.begin(), c.service_codes.end(), code) != c.service_codes.end();
}

std::vector<int> Counts(const Counter& c) {
  std::vector<int> counts = c.counted_calls;
  counts.resize(c.counted_rules.size(), 0);
  return counts;
}

QueueIndex::Key KeyOf(const Ticket& t) {
  return QueueIndex::Key{.rank = ClassRank(t.priority),
                         .lane = t.placed_front ? QueueIndex::kFrontLane : QueueIndex::kNormalLane,
                         .queued_at = t.queued_at,
                         .id = t.id};
}

// A Branch driven the way the runtime drives it: plan, then (as if committed)
// number the events and apply. Keeps every ticket row it applied: the model
// the properties are checked against.
class Sim {
 public:
  Sim(const BranchDefinition& def, absl::Time start) : now(start) {
    auto created = Branch::PlanCreate(def, Ctx("admin"));
    if (!created.ok()) {
      error = created.status();
      return;
    }
    // These days check the calling rules, not the estimates: one simulated
    // future per issued ticket keeps thousands of days fast under sanitizers.
    branch = std::make_unique<Branch>(BranchSnapshot{.info = *created->branch}, Shanghai(),
                                      EstimatorSettings{.runs = 1});
    Commit(*created);
  }

  CommandContext Ctx(std::string actor) const {
    return CommandContext{.now = now, .actor = std::move(actor)};
  }
  void Commit(Change& change) {
    for (Event& e : change.events) e.seq = ++seq;
    branch->Apply(change);
    for (const Ticket& t : change.tickets) {
      Ticket& row = tickets[t.id];
      if (row.id != 0 && row.state == TicketState::kWaiting)
        waiting.Erase(row.service_code, KeyOf(row));
      row = t;
      if (row.state == TicketState::kWaiting) waiting.Insert(row.service_code, KeyOf(row));
    }
  }
  const Counter& counter(uint32_t number) const { return *branch->FindCounter(number); }
  const Ticket* Current(uint32_t number) const {
    const uint64_t id = counter(number).current_ticket_id;
    if (id == 0) return nullptr;
    auto it = tickets.find(id);
    return it == tickets.end() ? nullptr : &it->second;
  }
  MaxWaits MaxWaitsNow() const {
    MaxWaits result;
    for (const ServiceConfig& s : branch->services()) result[s.code] = s.EffectiveMaxWait();
    return result;
  }
  // The model's WAITING tickets, kept up to date by Commit.
  const QueueIndex& WaitingIndex() const { return waiting; }

  absl::Time now;
  absl::Status error;
  std::unique_ptr<Branch> branch;
  std::map<uint64_t, Ticket> tickets;  // every ticket row applied, by id
  QueueIndex waiting;                  // the WAITING ones among them
  uint64_t seq = 0;
};

// What a command must answer, according to the model.
struct Want {
  bool ok = true;
  absl::StatusCode code = absl::StatusCode::kOk;  // when !ok
  bool either = false;                            // either answer is fine
};
Want Ok() { return Want{}; }
Want Fails(absl::StatusCode code = absl::StatusCode::kFailedPrecondition) {
  return Want{.ok = false, .code = code};
}

// One random lobby day. Run() returns "" when every property held, otherwise
// what broke first followed by the commands up to there.
class RandomDay {
 public:
  explicit RandomDay(uint64_t seed) : rng_(seed) {}

  struct Options {
    int min_ops = 20;
    int max_ops = 60;
    bool check_preview = false;  // compare PreviewOrder with real calls at the end
    bool drain = true;           // then check liveness
  };

  std::string Run(const Options& options) {
    sim_ = std::make_unique<Sim>(MakeDefinition(), opening_);
    if (!sim_->error.ok()) return absl::StrCat("PlanCreate failed: ", sim_->error.ToString());
    max_waits_ = sim_->MaxWaitsNow();  // the services do not change during a day
    for (const auto& [number, c] : sim_->branch->counters()) {
      if (Chance(85)) {
        Expect(absl::StrCat("open ", number), sim_->branch->PlanOpenCounter(number, Teller(number)),
               Ok());
      }
    }
    const int ops = Uniform(options.min_ops, options.max_ops);
    for (int i = 0; i < ops && !failed(); ++i) {
      applied_ = false;
      touched_.clear();
      RandomOp();
      if (applied_ && !failed()) CheckState();  // a refused command changed nothing
    }
    if (!failed() && options.check_preview) CheckPreviewAgainstCalls();
    if (!failed() && options.drain) Drain();
    if (!failed()) return "";
    return absl::StrCat(failure_, "\n--- branch: ", config_, "\n--- commands:\n",
                        absl::StrJoin(log_, "\n"));
  }

  // How many calls the day made (to show the test did something), and how
  // many previews it checked.
  int calls() const { return calls_; }
  int previews() const { return previews_; }

 private:
  // --- Randomness ---
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Uniform(1, 100) <= percent; }
  template <typename T>
  T Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Uniform(0, static_cast<int>(v.size()) - 1))];
  }

  BranchDefinition MakeDefinition() {
    BranchDefinition def;
    def.info = BranchInfo{.id = "prop", .name = "Property branch"};
    def.info.recall_limit = Uniform(0, 3);
    def.info.transfer_placement =
        Pick<Placement>({Placement::kByIssueTime, Placement::kFront, Placement::kEnd});
    def.info.reinstate_placement = Pick<Placement>({Placement::kByIssueTime, Placement::kEnd});
    const int services = Uniform(2, 4);
    std::vector<std::string> codes;
    for (int i = 0; i < services; ++i) {
      const std::string code(1, static_cast<char>('A' + i));
      codes.push_back(code);
      ServiceConfig s{.code = code,
                      .name_zh = "业务" + code,
                      .name_en = "Service " + code,
                      .target_wait = absl::Minutes(Pick<int>({2, 5, 10})),
                      .expected_service_time = absl::Minutes(5)};
      if (Chance(50)) s.max_wait = s.target_wait * Pick<int>({1, 2, 3});
      s.appointment_capacity = Chance(50) ? Uniform(1, 3) : 0;
      absl::StrAppend(&config_, s.code, "(max_wait ", absl::FormatDuration(s.EffectiveMaxWait()),
                      s.appointment_capacity > 0 ? ", appointments" : "", ") ");
      def.services.push_back(std::move(s));
    }
    const int counters = Uniform(2, 4);
    const std::vector<PriorityClass> classes = {PriorityClass::kAppointment,
                                                PriorityClass::kGreenChannel, PriorityClass::kVip,
                                                PriorityClass::kNormal};
    for (int n = 1; n <= counters; ++n) {
      std::vector<std::string> profile = codes;
      std::shuffle(profile.begin(), profile.end(), rng_);
      profile.resize(static_cast<size_t>(Uniform(1, std::min(3, services))));
      Counter c{.number = static_cast<uint32_t>(n),
                .name = absl::StrCat("Counter ", n),
                .service_codes = profile,
                .strategy = Pick<CallStrategy>(
                    {CallStrategy::kInOrder, CallStrategy::kLongestWait, CallStrategy::kCounted}),
                .green_channel = Chance(30)};
      if (c.strategy == CallStrategy::kCounted) {
        std::vector<PriorityClass> pool = classes;
        std::shuffle(pool.begin(), pool.end(), rng_);
        const int rules = Uniform(1, 3);
        for (int r = 0; r < rules; ++r) {
          c.counted_rules.push_back(
              CountedRule{.priority = pool[static_cast<size_t>(r)], .quota = Uniform(1, 3)});
        }
        c.counted_fallback = Pick(classes);
      }
      absl::StrAppend(&config_, "| counter ", n, " [", absl::StrJoin(profile, ","), "] ",
                      Name(c.strategy));
      if (c.strategy == CallStrategy::kCounted) {
        absl::StrAppend(&config_, " ", FormatCountedRules(c.counted_rules, c.counted_fallback));
      }
      if (c.green_channel) absl::StrAppend(&config_, " green");
      def.counters.push_back(std::move(c));
    }
    absl::StrAppend(&config_, "| recall_limit ", def.info.recall_limit, ", transfer ",
                    Name(def.info.transfer_placement), ", reinstate ",
                    Name(def.info.reinstate_placement));
    return def;
  }

  // --- Bookkeeping ---
  bool failed() const { return !failure_.empty(); }
  void Fail(const std::string& what) {
    if (failure_.empty()) failure_ = absl::StrCat("[", Clock(), "] ", what);
  }
  // Times in messages: since the lobby opened at 09:00.
  std::string Since(absl::Time t) const {
    const int64_t s = absl::ToInt64Seconds(t - opening_);
    return absl::StrCat(s < 0 ? "-" : "+", std::abs(s) / 60, "m", std::abs(s) % 60, "s");
  }
  std::string Clock() const { return Since(sim_->now); }
  void Log(const std::string& line) { log_.push_back(absl::StrCat(Clock(), " ", line)); }
  CommandContext Teller(uint32_t c) const { return sim_->Ctx(absl::StrCat("counter:", c)); }
  std::string Describe(uint64_t id) const {
    auto it = sim_->tickets.find(id);
    if (it == sim_->tickets.end()) return absl::StrCat("#", id);
    const Ticket& t = it->second;
    return absl::StrCat("#", id, " ", t.DisplayNumber(), "/", t.service_code, " ", Name(t.priority),
                        " queued ", Since(t.queued_at));
  }
  std::vector<uint32_t> CounterNumbers() const {
    std::vector<uint32_t> numbers;
    for (const auto& [number, c] : sim_->branch->counters()) numbers.push_back(number);
    return numbers;
  }

  // Checks a plan's answer against `want`; a successful plan's rows are checked
  // and applied. Returns the applied plan, or nullopt.
  std::optional<Plan> Expect(const std::string& what, absl::StatusOr<Plan> plan, Want want) {
    Log(absl::StrCat(what, " -> ", plan.ok() ? "ok" : plan.status().ToString()));
    if (plan.ok() && !want.ok && !want.either) {
      Fail(absl::StrCat(what, ": succeeded, but the model says it must fail with ",
                        absl::StatusCodeToString(want.code)));
      return std::nullopt;
    }
    if (!plan.ok()) {
      if (want.ok && !want.either) {
        Fail(absl::StrCat(what, ": failed but must succeed: ", plan.status().ToString()));
      } else if (!want.either && plan.status().code() != want.code) {
        Fail(absl::StrCat(what, ": failed with ", plan.status().ToString(), ", expected ",
                          absl::StatusCodeToString(want.code)));
      }
      return std::nullopt;
    }
    CheckRows(what, plan->change);
    for (const Ticket& row : plan->change.tickets) {
      touched_.insert(row.service_code);
      if (auto it = sim_->tickets.find(row.id); it != sim_->tickets.end()) {
        touched_.insert(it->second.service_code);
      }
    }
    sim_->Commit(plan->change);
    applied_ = true;
    for (const Ticket& row : plan->change.tickets) {
      const Ticket* stored = sim_->branch->FindTicket(row.id);
      if (stored == nullptr || !(*stored == row)) {
        Fail(absl::StrCat(what, ": the branch's ticket ", row.id, " differs from the applied row"));
      }
    }
    return *std::move(plan);
  }

  // Every ticket row of a change is a legal step from the model's state.
  void CheckRows(const std::string& what, const Change& change) {
    std::set<uint64_t> seen;
    for (const Ticket& after : change.tickets) {
      if (!seen.insert(after.id).second) {
        Fail(absl::StrCat(what, ": ticket ", after.id, " appears twice in one change"));
      }
      auto it = sim_->tickets.find(after.id);
      if (it == sim_->tickets.end()) {
        if (after.state != TicketState::kWaiting) {
          Fail(absl::StrCat(what, ": new ticket ", after.id, " is ", Name(after.state)));
        }
        continue;
      }
      const Ticket& before = it->second;
      using S = TicketState;
      static const std::set<std::pair<S, S>> kLegal = {
          {S::kWaiting, S::kCalled}, {S::kCalled, S::kCalled},     {S::kCalled, S::kServing},
          {S::kCalled, S::kNoShow},  {S::kCalled, S::kWaiting},    {S::kServing, S::kWaiting},
          {S::kServing, S::kDone},   {S::kWaiting, S::kCancelled}, {S::kNoShow, S::kWaiting}};
      if (!kLegal.contains({before.state, after.state})) {
        Fail(absl::StrCat(what, ": illegal step ", Name(before.state), " -> ", Name(after.state),
                          " of ", Describe(after.id)));
      }
      if (before.state == S::kCalled && after.state == S::kCalled &&
          after.recall_count != before.recall_count + 1) {
        Fail(absl::StrCat(
            what, ": a CALLED ticket stayed CALLED without one more recall: ", Describe(after.id)));
      }
    }
    for (const Event& e : change.events) {
      if (e.type == EventType::kTicketCalled &&
          (e.from_state != TicketState::kWaiting || e.to_state != TicketState::kCalled)) {
        Fail(absl::StrCat(what, ": a call event not from WAITING to CALLED, ticket ", e.ticket_id));
      }
    }
  }

  // The whole state agrees with the model: (a) and the waiting lists.
  void CheckState() {
    std::map<uint64_t, uint32_t> held;  // ticket -> counter
    for (const auto& [number, c] : sim_->branch->counters()) {
      if (c.current_ticket_id == 0) continue;
      if (auto [it, inserted] = held.emplace(c.current_ticket_id, number); !inserted) {
        return Fail(absl::StrCat("counters ", it->second, " and ", number, " both hold ticket ",
                                 Describe(c.current_ticket_id)));
      }
      auto t = sim_->tickets.find(c.current_ticket_id);
      if (t == sim_->tickets.end() ||
          (t->second.state != TicketState::kCalled && t->second.state != TicketState::kServing) ||
          t->second.counter != number) {
        return Fail(absl::StrCat("counter ", number, " holds ", Describe(c.current_ticket_id),
                                 " which is not CALLED/SERVING there"));
      }
      if (c.state != CounterState::kOpen) {
        return Fail(absl::StrCat("counter ", number, " is ", Name(c.state), " with a ticket"));
      }
    }
    std::map<std::string, std::vector<QueueIndex::Key>> waiting;
    for (const auto& [id, t] : sim_->tickets) {
      if ((t.state == TicketState::kCalled || t.state == TicketState::kServing) &&
          !held.contains(id)) {
        return Fail(absl::StrCat(Describe(id), " is ", Name(t.state), " at no counter"));
      }
      if (t.state == TicketState::kWaiting) waiting[t.service_code].push_back(KeyOf(t));
    }
    // The queues the last command touched (the others cannot have changed).
    for (const std::string& code : touched_) {
      std::vector<QueueIndex::Key>& keys = waiting[code];
      std::sort(keys.begin(), keys.end());
      std::vector<uint64_t> want;
      for (const auto& k : keys) want.push_back(k.id);
      std::vector<uint64_t> got;
      for (const Ticket* t : sim_->branch->Waiting(code)) got.push_back(t->id);
      if (got != want) {
        return Fail(absl::StrCat("Waiting(", code, ") is [", absl::StrJoin(got, ","),
                                 "], the model says [", absl::StrJoin(want, ","), "]"));
      }
    }
  }

  // --- Commands ---
  void RandomOp() {
    const std::vector<uint32_t> counters = CounterNumbers();
    const uint32_t c = Pick(counters);
    const int r = Uniform(0, 99);
    if (r < 28) return Issue();
    if (r < 33) return Appointment();
    if (r < 53) return static_cast<void>(Call(c));
    if (r < 61) return Start(c);
    if (r < 69) return Finish(c);
    if (r < 73) return NoShow(c);
    if (r < 78) return Recall(c);
    if (r < 83) return Transfer(c);
    if (r < 86) return Cancel();
    if (r < 88) return Reinstate(c);
    if (r < 90) return PauseOrOpen(c);
    const absl::Duration step = absl::Seconds(Uniform(0, 240));
    sim_->now += step;
    Log(absl::StrCat("advance ", absl::FormatDuration(step)));
  }

  void Issue() {
    const std::string code = Pick(sim_->branch->services()).code;
    const PriorityClass p =
        Pick<PriorityClass>({PriorityClass::kNormal, PriorityClass::kNormal, PriorityClass::kVip,
                             PriorityClass::kGreenChannel});
    auto plan = Expect(absl::StrCat("issue ", code, " ", Name(p)),
                       sim_->branch->PlanIssue(code, p, absl::StrCat("req-", ++requests_), {},
                                               sim_->Ctx("kiosk:k1")),
                       Ok());
    if (!plan) return;
    const Ticket& t = sim_->tickets[plan->ticket_id];
    if (t.state != TicketState::kWaiting || t.queued_at != sim_->now || t.priority != p ||
        t.service_code != code) {
      Fail(absl::StrCat("issued ticket is not a WAITING ", code, " ", Name(p),
                        " queued now: ", Describe(t.id)));
    }
  }

  // Books the next slot of a service that takes appointments and checks in at
  // once: early (held until slot - lead) or on time.
  void Appointment() {
    std::vector<const ServiceConfig*> bookable;
    for (const ServiceConfig& s : sim_->branch->services()) {
      if (s.appointment_capacity > 0) bookable.push_back(&s);
    }
    if (bookable.empty()) return Issue();
    const ServiceConfig& service = *Pick(bookable);
    const BranchInfo& info = sim_->branch->info();
    const absl::CivilSecond local = absl::ToCivilSecond(sim_->now, Shanghai());
    const int64_t minute = local.hour() * 60 + local.minute();
    const int64_t open = absl::ToInt64Minutes(info.opening_time);
    const int64_t step = absl::ToInt64Minutes(info.slot_length);
    const int64_t next = minute < open ? open : open + ((minute - open) / step + 1) * step;
    if (next + step > absl::ToInt64Minutes(info.closing_time)) return Issue();
    const absl::Time slot =
        absl::FromCivil(absl::CivilMinute(absl::CivilDay(local)) + next, Shanghai());
    if (slot - sim_->now > info.checkin_early) return Issue();
    int& booked = slot_bookings_[{service.code, slot}];
    if (booked >= service.appointment_capacity) return Issue();
    ++booked;
    const std::string request = absl::StrCat("book-", ++requests_);
    auto book = Expect(
        absl::StrCat("book ", service.code, " ", absl::FormatTime("%H:%M", slot, Shanghai())),
        sim_->branch->PlanBook(
            service.code, slot, "Guest", absl::StrCat("13800", 100000 + requests_), request,
            [this] { return NewCode(); }, sim_->Ctx("kiosk:k1")),
        Ok());
    if (!book) return;
    absl::StatusOr<CheckIn> checkin =
        sim_->branch->PlanCheckIn(book->appointment_code, sim_->Ctx("kiosk:k1"));
    const absl::Time callable = slot - info.appointment_lead;
    auto plan = Expect(
        absl::StrCat("check in ", book->appointment_code),
        checkin.ok() ? absl::StatusOr<Plan>(checkin->plan) : absl::StatusOr<Plan>(checkin.status()),
        Ok());
    if (!plan) return;
    const Ticket& t = sim_->tickets[plan->ticket_id];
    const bool early = sim_->now < callable;
    if (checkin->outcome != (early ? CheckInOutcome::kEarly : CheckInOutcome::kOnTime) ||
        t.priority != PriorityClass::kAppointment || t.state != TicketState::kWaiting ||
        t.queued_at != std::max(sim_->now, callable)) {
      Fail(absl::StrCat("check-in for slot ", absl::FormatTime("%H:%M", slot, Shanghai()), " gave ",
                        Describe(t.id), ", expected an APPOINTMENT ticket queued at ",
                        Since(std::max(sim_->now, callable))));
    }
  }
  std::string NewCode() {
    std::string code;
    for (size_t i = 0; i < kAppointmentCodeLength; ++i) {
      code.push_back(kAppointmentCodeAlphabet[static_cast<size_t>(
          Uniform(0, static_cast<int>(kAppointmentCodeAlphabet.size()) - 1))]);
    }
    return code;
  }

  // CallNext at counter `c`, checked against the model and the policy. The
  // ticket called (0 for none); `reason` says why.
  uint64_t Call(uint32_t c, CallReason* reason = nullptr) {
    const Counter before = sim_->counter(c);
    const Ticket* current = sim_->Current(c);
    const bool open = before.state == CounterState::kOpen;
    const bool skips = open && current != nullptr && current->state == TicketState::kCalled &&
                       static_cast<int>(current->recall_count) >= sim_->branch->info().recall_limit;
    const uint64_t skipped = skips ? current->id : 0;
    const Want want = !open ? Fails() : (current != nullptr && !skips) ? Fails() : Ok();

    // What the policy says, over the model's waiting tickets.
    Counter free = before;
    free.current_ticket_id = 0;
    const std::optional<CallDecision> decision =
        want.ok ? ChooseNext(sim_->WaitingIndex(), free, max_waits_, sim_->now) : std::nullopt;
    absl::StatusOr<Plan> planned = sim_->branch->PlanCallNext(c, Teller(c));
    // Checked against the model before the plan is applied to it.
    if (planned.ok() && want.ok) CheckCall(c, before, planned->ticket_id, decision);
    auto plan = Expect(absl::StrCat("call ", c), std::move(planned), want);
    if (!plan) return 0;
    const uint64_t id = plan->ticket_id;
    log_.back() += absl::StrCat(" ", id == 0 ? "nobody" : Describe(id));
    if (skipped != 0 && sim_->tickets[skipped].state != TicketState::kNoShow) {
      Fail(absl::StrCat("call ", c, ": ", Describe(skipped),
                        " used up its recalls but is not NO_SHOW after the next call"));
    }
    if (failed()) return id;
    if (reason != nullptr && decision) *reason = decision->reason;
    if (id != 0) {
      const Ticket& after = sim_->tickets[id];
      if (after.state != TicketState::kCalled || after.counter != c || after.recall_count != 0 ||
          after.called_at != sim_->now || sim_->counter(c).current_ticket_id != id) {
        Fail(absl::StrCat("call ", c, ": ", Describe(id), " is not CALLED at counter ", c));
      }
      // The call event says why (calling_policy.h: written into the call event).
      const auto called =
          std::find_if(plan->change.events.begin(), plan->change.events.end(),
                       [](const Event& e) { return e.type == EventType::kTicketCalled; });
      if (called == plan->change.events.end() || called->ticket_id != id ||
          !absl::StartsWith(called->detail, Name(decision->reason))) {
        Fail(absl::StrCat("call ", c, ": the call event does not say '", Name(decision->reason),
                          "'"));
      }
      ++calls_;
    }
    // The counted rotation moved on as RecordCall says.
    Counter expected = free;
    if (decision) RecordCall(expected, *decision);
    if (Counts(sim_->counter(c)) != Counts(expected)) {
      Fail(absl::StrCat("call ", c, ": counts are [", absl::StrJoin(Counts(sim_->counter(c)), ","),
                        "], expected [", absl::StrJoin(Counts(expected), ","), "]"));
    }
    return id;
  }

  // Counter `c` (as it was before the call) calls ticket `id` (0: nobody); the
  // model is still as before the call.
  void CheckCall(uint32_t c, const Counter& before, uint64_t id,
                 const std::optional<CallDecision>& decision) {
    // The policy's choice.
    const uint64_t want_id = decision ? decision->ticket_id : 0;
    if (id != want_id) {
      return Fail(absl::StrCat("call ", c, ": called ", id == 0 ? "nobody" : Describe(id),
                               ", the policy says ", want_id == 0 ? "nobody" : Describe(want_id)));
    }
    // Properties that do not lean on the policy's code.
    if (id == 0) {
      for (const auto& [tid, t] : sim_->tickets) {
        if (t.state == TicketState::kWaiting && InProfile(before, t.service_code) &&
            t.queued_at <= sim_->now) {
          return Fail(absl::StrCat("call ", c, " called nobody while ", Describe(tid),
                                   " was waiting and callable in its profile"));
        }
      }
      return;
    }
    const Ticket& x = sim_->tickets.at(id);
    if (x.state != TicketState::kWaiting) {
      Fail(absl::StrCat("call ", c, ": ", Describe(id), " was ", Name(x.state), ", not WAITING"));
    }
    for (const auto& [number, other] : sim_->branch->counters()) {
      if (other.current_ticket_id == id) {
        Fail(absl::StrCat("call ", c, ": ", Describe(id), " is held by counter ", number));
      }
    }
    if (!InProfile(before, x.service_code)) {
      Fail(absl::StrCat("call ", c, ": ", Describe(id), " is outside the counter's profile"));
    }
    if (x.queued_at > sim_->now) {
      Fail(absl::StrCat("call ", c, ": ", Describe(id), " is held until its queued_at"));
    }
    // (c) max_wait: nobody overdue in the profile was queued before x.
    for (const auto& [tid, t] : sim_->tickets) {
      if (tid == id || t.state != TicketState::kWaiting || !InProfile(before, t.service_code)) {
        continue;
      }
      const absl::Duration max_wait = max_waits_.at(t.service_code);
      if (sim_->now - t.queued_at > max_wait && t.queued_at < x.queued_at) {
        Fail(absl::StrCat("max_wait: counter ", c, " called ", Describe(id), " while ",
                          Describe(tid), " has waited past its max_wait of ",
                          absl::FormatDuration(max_wait)));
      }
    }
  }

  const Ticket* CurrentIn(uint32_t c, std::initializer_list<TicketState> states) const {
    const Ticket* t = sim_->Current(c);
    if (t == nullptr) return nullptr;
    return std::find(states.begin(), states.end(), t->state) != states.end() ? t : nullptr;
  }

  void Start(uint32_t c) {
    const Ticket* t = CurrentIn(c, {TicketState::kCalled});
    const uint64_t id = t ? t->id : 0;
    auto plan = Expect(absl::StrCat("start ", c), sim_->branch->PlanStartService(c, Teller(c)),
                       t ? Ok() : Fails());
    if (plan && sim_->tickets[id].state != TicketState::kServing) {
      Fail(absl::StrCat("start ", c, ": ", Describe(id), " is not SERVING"));
    }
  }
  void Finish(uint32_t c) {
    const Ticket* t = CurrentIn(c, {TicketState::kServing});
    const uint64_t id = t ? t->id : 0;
    auto plan = Expect(absl::StrCat("finish ", c), sim_->branch->PlanFinish(c, Teller(c)),
                       t ? Ok() : Fails());
    if (plan && (sim_->tickets[id].state != TicketState::kDone ||
                 sim_->counter(c).current_ticket_id != 0)) {
      Fail(absl::StrCat("finish ", c, ": ", Describe(id), " is not DONE and off the counter"));
    }
  }
  void NoShow(uint32_t c) {
    const Ticket* t = CurrentIn(c, {TicketState::kCalled});
    const uint64_t id = t ? t->id : 0;
    auto plan = Expect(absl::StrCat("no-show ", c), sim_->branch->PlanNoShow(c, Teller(c)),
                       t ? Ok() : Fails());
    if (plan && sim_->tickets[id].state != TicketState::kNoShow) {
      Fail(absl::StrCat("no-show ", c, ": ", Describe(id), " is not NO_SHOW"));
    }
  }
  void Recall(uint32_t c) {
    const Ticket* t = CurrentIn(c, {TicketState::kCalled});
    const bool allowed =
        t != nullptr && static_cast<int>(t->recall_count) < sim_->branch->info().recall_limit;
    Expect(absl::StrCat("recall ", c), sim_->branch->PlanRecall(c, Teller(c)),
           allowed ? Ok() : Fails());
  }
  void Transfer(uint32_t c) {
    const Ticket* t = CurrentIn(c, {TicketState::kCalled, TicketState::kServing});
    const std::string to = Pick(sim_->branch->services()).code;
    const std::optional<Placement> placement = Pick<std::optional<Placement>>(
        {std::nullopt, Placement::kByIssueTime, Placement::kFront, Placement::kEnd});
    const Want want = t == nullptr            ? Fails()
                      : t->service_code == to ? Fails(absl::StatusCode::kInvalidArgument)
                                              : Ok();
    const uint64_t id = t ? t->id : 0;
    // The queue it joins, before it joins: at the front, only higher classes
    // and earlier front placements of its class may stand ahead of it.
    int front_bound = 0;
    for (const auto& [tid, other] : sim_->tickets) {
      if (t == nullptr || other.state != TicketState::kWaiting || other.service_code != to) {
        continue;
      }
      const int rank = ClassRank(other.priority), own = ClassRank(t->priority);
      if (rank < own || (rank == own && other.placed_front)) ++front_bound;
    }
    auto plan =
        Expect(absl::StrCat("transfer ", c, " to ", to, " ",
                            placement ? std::string(Name(*placement)) : std::string("(default)")),
               sim_->branch->PlanTransfer(c, to, placement, "see the passport", Teller(c)), want);
    if (!plan) return;
    const Ticket& after = sim_->tickets[id];
    const Placement where = placement.value_or(sim_->branch->info().transfer_placement);
    bool placed = false;
    switch (where) {
      case Placement::kByIssueTime:
        placed = after.queued_at == after.issued_at;
        break;
      case Placement::kEnd:
        placed = after.queued_at == sim_->now;
        break;
      case Placement::kFront:
        // First of its class in the new queue, its wait still from its issue.
        placed = after.placed_front && after.queued_at == after.issued_at &&
                 sim_->branch->PeopleAhead(after) <= front_bound;
        break;
    }
    if (after.state != TicketState::kWaiting || after.service_code != to || !placed ||
        after.note != "see the passport") {
      Fail(absl::StrCat("transfer ", c, ": ", Describe(id), " is not WAITING in ", to, " placed ",
                        Name(where)));
    }
  }
  void Cancel() {
    if (sim_->tickets.empty()) return;
    auto it = sim_->tickets.begin();
    std::advance(it, Uniform(0, static_cast<int>(sim_->tickets.size()) - 1));
    const uint64_t id = it->first;
    const bool waiting = it->second.state == TicketState::kWaiting;
    Expect(absl::StrCat("cancel ", Describe(id)),
           sim_->branch->PlanCancel(id, sim_->Ctx("kiosk:k1")), waiting ? Ok() : Fails());
  }
  void Reinstate(uint32_t c) {
    std::vector<uint64_t> no_shows;
    for (const auto& [id, t] : sim_->tickets) {
      if (t.state == TicketState::kNoShow) no_shows.push_back(id);
    }
    if (no_shows.empty()) return;
    const uint64_t id = Pick(no_shows);
    const Ticket before = sim_->tickets[id];
    const BranchInfo& info = sim_->branch->info();
    bool number_taken = false;
    for (const auto& [tid, t] : sim_->tickets) {
      number_taken |=
          tid != id && IsLive(t.state) && t.prefix == before.prefix && t.number == before.number;
    }
    const bool in_grace =
        before.no_show_at && sim_->now - *before.no_show_at <= info.reinstate_grace;
    auto plan = Expect(absl::StrCat("reinstate ", Describe(id)),
                       sim_->branch->PlanReinstate(id, c, Teller(c)),
                       in_grace && !number_taken ? Ok() : Fails());
    if (!plan) return;
    const Ticket& after = sim_->tickets[id];
    const absl::Time queued =
        info.reinstate_placement == Placement::kEnd ? sim_->now : before.queued_at;
    if (after.state != TicketState::kWaiting || after.queued_at != queued) {
      Fail(absl::StrCat("reinstate: ", Describe(id), " is not WAITING where it belongs"));
    }
  }
  void PauseOrOpen(uint32_t c) {
    const Counter& counter = sim_->counter(c);
    if (counter.state == CounterState::kOpen) {
      Expect(absl::StrCat("pause ", c), sim_->branch->PlanPauseCounter(c, Teller(c)),
             counter.current_ticket_id == 0 ? Ok() : Fails());
    } else {
      Expect(absl::StrCat("open ", c), sim_->branch->PlanOpenCounter(c, Teller(c)), Ok());
    }
  }

  // Every open counter finishes what it has (start + finish).
  void FinishAll(const std::vector<uint32_t>& counters) {
    for (uint32_t c : counters) {
      if (const Ticket* t = sim_->Current(c)) {
        if (t->state == TicketState::kCalled) Start(c);
        Finish(c);
      }
    }
  }
  std::vector<uint32_t> OpenCounters() const {
    std::vector<uint32_t> open;
    for (const auto& [number, c] : sim_->branch->counters()) {
      if (c.state == CounterState::kOpen) open.push_back(number);
    }
    return open;
  }

  // Test 3: with every open counter free, PreviewOrder(now) is exactly what
  // CallNext does when the counters take turns by number at that instant.
  void CheckPreviewAgainstCalls() {
    const std::vector<uint32_t> open = OpenCounters();
    FinishAll(open);
    if (failed()) return;
    Log("preview");
    const std::vector<PreviewEntry> preview = sim_->branch->PreviewOrder(sim_->now);
    std::vector<std::string> predicted;
    for (const PreviewEntry& e : preview) {
      predicted.push_back(absl::StrCat(e.ticket_id, "@", e.counter, " ", Name(e.reason)));
    }
    std::vector<std::string> actual;
    for (bool anyone = true; anyone && !failed();) {
      anyone = false;
      for (uint32_t c : open) {
        CallReason reason = CallReason::kStrategy;
        const uint64_t id = Call(c, &reason);
        if (failed()) return;
        if (id == 0) continue;
        anyone = true;
        actual.push_back(absl::StrCat(id, "@", c, " ", Name(reason)));
        Start(c);
        Finish(c);
      }
    }
    if (actual != predicted) {
      Fail(absl::StrCat("PreviewOrder said [", absl::StrJoin(predicted, ", "),
                        "] but the counters called [", absl::StrJoin(actual, ", "), "]"));
    }
    ++previews_;
  }

  // (b): the open counters keep calling and finishing, a minute passing per
  // round; when only held tickets are left, time jumps to the next one's
  // queued_at. Every waiting ticket they serve must be called within a bounded
  // number of rounds: one per such ticket, plus one per distinct held time.
  void Drain() {
    const std::vector<uint32_t> open = OpenCounters();
    std::set<std::string> served;
    for (uint32_t c : open) {
      for (const auto& code : sim_->counter(c).service_codes) served.insert(code);
    }
    std::vector<uint64_t> waiting;
    std::set<absl::Time> held;
    for (const auto& [id, t] : sim_->tickets) {
      if (t.state != TicketState::kWaiting || !served.contains(t.service_code)) continue;
      waiting.push_back(id);
      if (t.queued_at > sim_->now) held.insert(t.queued_at);
    }
    const size_t bound = waiting.size() + held.size() + 2;
    Log(absl::StrCat("drain: ", waiting.size(), " waiting, bound ", bound, " rounds"));
    for (size_t round = 0; round < bound; ++round) {
      for (uint32_t c : open) {
        FinishAll({c});
        Call(c);
        if (failed()) return;
      }
      // What is left, and when the next of it becomes callable.
      bool left = false;
      std::optional<absl::Time> next_callable;
      for (uint64_t id : waiting) {
        const Ticket& t = sim_->tickets[id];
        if (t.state != TicketState::kWaiting) continue;
        left = true;
        if (!next_callable || t.queued_at < *next_callable) next_callable = t.queued_at;
      }
      if (!left) return;
      sim_->now = std::max(sim_->now + absl::Minutes(1), *next_callable);
    }
    std::vector<std::string> left;
    for (uint64_t id : waiting) {
      if (sim_->tickets[id].state == TicketState::kWaiting) left.push_back(Describe(id));
    }
    Fail(absl::StrCat("liveness: after ", bound,
                      " rounds still waiting: ", absl::StrJoin(left, "; ")));
  }

  std::mt19937_64 rng_;
  const absl::Time opening_ = Opening();
  std::unique_ptr<Sim> sim_;
  MaxWaits max_waits_;
  std::string config_;
  std::vector<std::string> log_;
  std::string failure_;
  bool applied_ = false;           // the last command changed the branch
  std::set<std::string> touched_;  // queues whose tickets it changed
  int requests_ = 0;
  int calls_ = 0;
  int previews_ = 0;
  std::map<std::pair<std::string, absl::Time>, int> slot_bookings_;
};

// Runs `days` random days from kBaseSeed (or the one in LOBBYQ_POLICY_SEED),
// reporting the first few that break a property.
void RunDays(int days, const RandomDay::Options& options, int* calls, int* previews = nullptr) {
  std::vector<uint64_t> seeds;
  if (auto seed = SeedFromEnv()) {
    seeds.push_back(*seed);
  } else {
    for (int i = 0; i < days; ++i) seeds.push_back(kBaseSeed + static_cast<uint64_t>(i));
  }
  int failures = 0;
  for (uint64_t seed : seeds) {
    RandomDay day(seed);
    const std::string failure = day.Run(options);
    *calls += day.calls();
    if (previews != nullptr) *previews += day.previews();
    if (!failure.empty()) {
      ADD_FAILURE() << "seed " << seed << " (rerun alone with LOBBYQ_POLICY_SEED=" << seed
                    << "): " << failure;
      if (++failures >= 3) return;
    }
  }
}

TEST(PolicyPropertyTest, RandomDaysKeepEveryCallingRuleAndDrain) {
  absl::TimeZone zone;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &zone)) << "tzdata for Asia/Shanghai is missing";
  int calls = 0;
  RunDays(kRandomDays, RandomDay::Options{}, &calls);
  // The days really called people (a generator that never calls proves nothing).
  if (!SeedFromEnv()) {
    EXPECT_GT(calls, kRandomDays * 10);
  }
}

TEST(PolicyPropertyTest, PreviewOrderIsWhatTheCountersThenCall) {
  int calls = 0;
  int previews = 0;
  constexpr int kDays = 1000;
  RunDays(kDays, RandomDay::Options{.check_preview = true, .drain = false}, &calls, &previews);
  if (!SeedFromEnv()) {
    EXPECT_EQ(previews, kDays);
    EXPECT_GT(calls, kDays * 5);
  }
}

// --- A deterministic preview -------------------------------------------------

TEST(PreviewOrderBranchTest, ThreeCountersAtOneInstant) {
  const ServiceConfig a{.code = "A", .name_zh = "个人", .name_en = "Personal"};
  const ServiceConfig b{.code = "B", .name_zh = "对公", .name_en = "Corporate"};
  BranchDefinition def{.info = BranchInfo{.id = "preview", .name = "Preview"}, .services = {a, b}};
  def.counters.push_back(
      Counter{.number = 1,
              .name = "Counter 1",
              .service_codes = {"A", "B"},
              .strategy = CallStrategy::kCounted,
              .counted_rules = {{PriorityClass::kGreenChannel, 1}, {PriorityClass::kVip, 1}},
              .counted_fallback = PriorityClass::kNormal});
  def.counters.push_back(
      Counter{.number = 2, .name = "Counter 2", .service_codes = {"B"}, .green_channel = true});
  def.counters.push_back(Counter{.number = 3,
                                 .name = "Counter 3",
                                 .service_codes = {"A"},
                                 .strategy = CallStrategy::kLongestWait});
  Sim sim(def, Opening());
  ASSERT_TRUE(sim.error.ok()) << sim.error;
  for (uint32_t c : {1u, 2u, 3u}) {
    auto open = sim.branch->PlanOpenCounter(c, sim.Ctx("t"));
    ASSERT_TRUE(open.ok()) << open.status();
    sim.Commit(open->change);
  }
  std::map<std::string, uint64_t> id;  // by a name the test gives the ticket
  int request = 0;
  for (const auto& [name, code, p] :
       std::vector<std::tuple<std::string, std::string, PriorityClass>>{
           {"aN1", "A", PriorityClass::kNormal},
           {"aV", "A", PriorityClass::kVip},
           {"bG", "B", PriorityClass::kGreenChannel},
           {"aG", "A", PriorityClass::kGreenChannel},
           {"bN", "B", PriorityClass::kNormal},
           {"aN2", "A", PriorityClass::kNormal},
           {"bV", "B", PriorityClass::kVip}}) {
    auto plan = sim.branch->PlanIssue(code, p, absl::StrCat("r", ++request), {}, sim.Ctx("kiosk"));
    ASSERT_TRUE(plan.ok()) << plan.status();
    sim.Commit(plan->change);
    id[name] = plan->ticket_id;
  }
  sim.now += absl::Minutes(1);

  std::vector<std::tuple<uint64_t, uint32_t, CallReason>> preview;
  for (const PreviewEntry& e : sim.branch->PreviewOrder(sim.now)) {
    preview.emplace_back(e.ticket_id, e.counter, e.reason);
  }
  // Round 1: counter 1's green rule takes bG (issued before aG), counter 2 (a
  // green counter, but no green left in B) takes B's VIP, counter 3 the green
  // aG. Round 2: counter 1's VIP rule, then B's and A's normals. Round 3: both
  // of counter 1's rules are used up: its fallback, which resets the counts.
  using R = CallReason;
  const std::vector<std::tuple<uint64_t, uint32_t, CallReason>> expected = {
      {id["bG"], 1, R::kCountedRule},     {id["bV"], 2, R::kStrategy}, {id["aG"], 3, R::kStrategy},
      {id["aV"], 1, R::kCountedRule},     {id["bN"], 2, R::kStrategy}, {id["aN1"], 3, R::kStrategy},
      {id["aN2"], 1, R::kCountedFallback}};
  EXPECT_EQ(preview, expected);

  // And the counters, calling in number order at the same instant, do that.
  std::vector<std::tuple<uint64_t, uint32_t, CallReason>> actual;
  for (int round = 0; round < 5; ++round) {
    for (uint32_t c : {1u, 2u, 3u}) {
      auto call = sim.branch->PlanCallNext(c, sim.Ctx("counter"));
      ASSERT_TRUE(call.ok()) << call.status();
      if (call->ticket_id == 0) continue;
      const Event& event = call->change.events.front();
      std::optional<CallReason> reason;
      for (R r : {R::kOverdue, R::kGreenChannelCounter, R::kStrategy, R::kCountedRule,
                  R::kCountedFallback}) {
        if (absl::StartsWith(event.detail, Name(r))) reason = r;
      }
      ASSERT_TRUE(reason.has_value()) << "call event detail: " << event.detail;
      actual.emplace_back(call->ticket_id, c, *reason);
      sim.Commit(call->change);
      for (auto next : {&Branch::PlanStartService, &Branch::PlanFinish}) {
        auto step = (sim.branch.get()->*next)(c, sim.Ctx("counter"));
        ASSERT_TRUE(step.ok()) << step.status();
        sim.Commit(step->change);
      }
    }
  }
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(sim.counter(1).counted_calls, (std::vector<int>{0, 0}));
}

// --- (d) counted quotas over a long run ---------------------------------------

// Two counted counters share one queue in which every class always has
// people; max_wait is far away. Each counter's calls must repeat its cycle
// exactly (every rule's quota, then one fallback call), so over the run each
// class gets its quota per cycle, give or take one unfinished cycle.
TEST(PolicyPropertyTest, CountedQuotasHoldOverALongRun) {
  const ServiceConfig a{.code = "A",
                        .name_zh = "个人",
                        .name_en = "Personal",
                        .target_wait = absl::Hours(6),
                        .max_wait = absl::Hours(12)};
  using P = PriorityClass;
  struct Rotation {
    std::vector<CountedRule> rules;
    P fallback;
  };
  const std::vector<Rotation> rotations = {
      {{{P::kGreenChannel, 2}, {P::kVip, 1}}, P::kNormal},
      {{{P::kNormal, 3}, {P::kGreenChannel, 1}}, P::kVip},
      {{{P::kVip, 2}}, P::kNormal},
  };
  BranchDefinition def{.info = BranchInfo{.id = "counted", .name = "Counted"}, .services = {a}};
  for (size_t i = 0; i < rotations.size(); ++i) {
    def.counters.push_back(Counter{.number = static_cast<uint32_t>(i + 1),
                                   .name = absl::StrCat("Counter ", i + 1),
                                   .service_codes = {"A"},
                                   .strategy = CallStrategy::kCounted,
                                   .counted_rules = rotations[i].rules,
                                   .counted_fallback = rotations[i].fallback});
  }
  Sim sim(def, Opening());
  ASSERT_TRUE(sim.error.ok()) << sim.error;
  for (uint32_t c = 1; c <= rotations.size(); ++c) {
    auto open = sim.branch->PlanOpenCounter(c, sim.Ctx("t"));
    ASSERT_TRUE(open.ok()) << open.status();
    sim.Commit(open->change);
  }

  std::map<P, int> waiting;  // by class, kept at >= 2 each
  int request = 0;
  std::vector<std::vector<P>> called(rotations.size());
  constexpr int kCalls = 6000;
  for (int i = 0; i < kCalls; ++i) {
    for (P p : {P::kNormal, P::kVip, P::kGreenChannel}) {
      while (waiting[p] < 2) {
        auto plan =
            sim.branch->PlanIssue("A", p, absl::StrCat("r", ++request), {}, sim.Ctx("kiosk"));
        ASSERT_TRUE(plan.ok()) << plan.status();
        sim.Commit(plan->change);
        ++waiting[p];
      }
    }
    const uint32_t c = static_cast<uint32_t>(i % rotations.size()) + 1;
    auto call = sim.branch->PlanCallNext(c, sim.Ctx("counter"));
    ASSERT_TRUE(call.ok()) << call.status();
    ASSERT_NE(call->ticket_id, 0u) << "call " << i;
    sim.Commit(call->change);
    const P p = sim.tickets[call->ticket_id].priority;
    --waiting[p];
    called[c - 1].push_back(p);
    for (auto next : {&Branch::PlanStartService, &Branch::PlanFinish}) {
      auto step = (sim.branch.get()->*next)(c, sim.Ctx("counter"));
      ASSERT_TRUE(step.ok()) << step.status();
      sim.Commit(step->change);
    }
    sim.now += absl::Seconds(1);
  }

  for (size_t k = 0; k < rotations.size(); ++k) {
    SCOPED_TRACE(absl::StrCat("counter ", k + 1, " rules ",
                              FormatCountedRules(rotations[k].rules, rotations[k].fallback)));
    std::vector<P> cycle;
    for (const CountedRule& r : rotations[k].rules) cycle.insert(cycle.end(), r.quota, r.priority);
    cycle.push_back(rotations[k].fallback);
    const std::vector<P>& calls = called[k];
    ASSERT_GE(calls.size(), 100 * cycle.size());
    // Every full cycle is the rules' quotas in order, then the fallback.
    const size_t cycles = calls.size() / cycle.size();
    int broken = 0;
    for (size_t n = 0; n < cycles && broken < 3; ++n) {
      std::vector<P> got(calls.begin() + static_cast<std::ptrdiff_t>(n * cycle.size()),
                         calls.begin() + static_cast<std::ptrdiff_t>((n + 1) * cycle.size()));
      if (got != cycle) {
        ++broken;
        ADD_FAILURE() << "cycle " << n << " is not the rules' quotas then the fallback";
      }
    }
    // Overall: each class within one cycle's worth of its share.
    std::map<P, int> per_cycle;
    for (P p : cycle) ++per_cycle[p];
    std::map<P, int> total;
    for (P p : calls) ++total[p];
    for (const auto& [p, quota] : per_cycle) {
      const double share = static_cast<double>(calls.size()) * quota / cycle.size();
      EXPECT_LE(std::abs(total[p] - share), quota)
          << Name(p) << ": " << total[p] << " of " << calls.size() << " calls";
    }
    for (const auto& [p, n] : total) {
      EXPECT_TRUE(per_cycle.contains(p)) << Name(p) << " called " << n << " times";
    }
  }
}

}  // namespace
}  // namespace lobbyq::domain
