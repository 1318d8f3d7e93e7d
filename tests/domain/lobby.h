#pragma once

// Test harness for the domain layer: a Lobby owns one Branch and drives it the
// way the runtime does. Every command is planned against the current state; a
// successful plan gets event seqs assigned (as the store would on commit) and is
// then applied. Every applied Change is kept, so a test can rebuild the branch
// from the rows "on disk" (Snapshot()).

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/branch.h"
#include "server/domain/types.h"

namespace lobbyq::domain::testing {

inline absl::TimeZone Shanghai() {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Asia/Shanghai", &zone)) {
    ADD_FAILURE() << "tzdata for Asia/Shanghai is not installed";
  }
  return zone;
}

// A wall-clock reading in the branch's zone (Asia/Shanghai, UTC+8, no DST).
inline absl::Time Local(int y, int mo, int d, int h, int mi, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), Shanghai());
}

inline absl::Time Utc(int y, int mo, int d, int h, int mi, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

// Monday 2024-03-11 09:00 in Shanghai: the lobby opens.
inline const absl::Time kOpening = Local(2024, 3, 11, 9, 0);

inline ServiceConfig Service(const std::string& code, absl::Duration expected_service_time,
                             absl::Duration target_wait = absl::Minutes(10)) {
  return ServiceConfig{.code = code,
                       .name_zh = "业务" + code,
                       .name_en = "Service " + code,
                       .target_wait = target_wait,
                       .expected_service_time = expected_service_time};
}

inline Counter CounterConfig(uint32_t number, std::vector<std::string> profile) {
  return Counter{.number = number,
                 .name = absl::StrCat("Counter ", number),
                 .service_codes = std::move(profile)};
}

inline BranchInfo Info(const std::string& id) {
  return BranchInfo{.id = id,
                    .name = "Branch " + id,
                    .timezone = "Asia/Shanghai",
                    .rating_window = absl::Minutes(10)};
}

// A: personal (5 min), B: corporate (10 min), C: wealth (8 min).
inline std::vector<ServiceConfig> DefaultServices() {
  return {Service("A", absl::Minutes(5)), Service("B", absl::Minutes(10)),
          Service("C", absl::Minutes(8))};
}

// 1: [A], 2: [B, A], 3: [C], 4: [A].
inline std::vector<Counter> DefaultCounters() {
  return {CounterConfig(1, {"A"}), CounterConfig(2, {"B", "A"}), CounterConfig(3, {"C"}),
          CounterConfig(4, {"A"})};
}

// The status of a StatusOr or a Status, for matchers.
inline const absl::Status& StatusOf(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER_P(StatusIs, code, absl::StrCat("has status code ", absl::StatusCodeToString(code))) {
  const absl::Status& status = StatusOf(arg);
  *result_listener << "status is " << status;
  return status.code() == code;
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = StatusOf(arg);
  *result_listener << "status is " << status;
  return status.ok();
}

class Lobby {
 public:
  // Creates a branch through PlanCreate, as AdminService would, and applies it.
  explicit Lobby(const std::string& branch_id = "main",
                 std::vector<ServiceConfig> services = DefaultServices(),
                 std::vector<Counter> counters = DefaultCounters(), absl::Time start = kOpening)
      : clock(start) {
    auto created = Branch::PlanCreate({Info(branch_id), services, counters}, Ctx("admin"));
    if (!created.ok()) {
      ADD_FAILURE() << "PlanCreate failed: " << created.status();
      created = Change{.branch_id = branch_id, .branch = Info(branch_id)};
    }
    branch_ = std::make_unique<Branch>(BranchSnapshot{.info = *created->branch}, Shanghai());
    Commit(*created);
  }

  // Rebuilds a branch from what `other` has committed so far, as a restart does.
  static Lobby Restored(const Lobby& other) {
    return Lobby(other.Snapshot(), other.clock.Now(), other.seq_, other.request_counter_,
                 other.committed_);
  }

  Branch& branch() { return *branch_; }
  const Branch& branch() const { return *branch_; }

  CommandContext Ctx(const std::string& actor = "test") const {
    return CommandContext{.now = clock.Now(), .actor = actor};
  }
  void Advance(absl::Duration d) { clock.Advance(d); }

  // Applies a successful plan (after numbering its events) and hands it back with
  // the seqs filled in; a failed plan is handed back untouched and applies nothing.
  absl::StatusOr<Plan> Do(absl::StatusOr<Plan> plan) {
    if (plan.ok()) Commit(plan->change);
    return plan;
  }
  // The plan of a command that is expected to have succeeded (it is not applied
  // again): Must(TryCall(1)), or Must(Do(branch().PlanUpsertCounter(...))).
  static Plan Must(absl::StatusOr<Plan> plan) {
    if (!plan.ok()) {
      ADD_FAILURE() << "command failed: " << plan.status();
      return Plan{};
    }
    return *std::move(plan);
  }

  // --- Commands that may fail: planned and, when OK, applied ---
  absl::StatusOr<Plan> TryIssue(const std::string& code, const std::string& request_id,
                                PriorityClass p = PriorityClass::kNormal,
                                const TransactionDetails& details = {}) {
    return Do(branch_->PlanIssue(code, p, request_id, details, Ctx("kiosk:k1")));
  }
  absl::StatusOr<Plan> TryCancel(uint64_t id) {
    return Do(branch_->PlanCancel(id, Ctx("kiosk:k1")));
  }
  absl::StatusOr<Plan> TryOpen(uint32_t c) { return Do(branch_->PlanOpenCounter(c, Teller(c))); }
  absl::StatusOr<Plan> TryPause(uint32_t c) { return Do(branch_->PlanPauseCounter(c, Teller(c))); }
  absl::StatusOr<Plan> TryClose(uint32_t c) { return Do(branch_->PlanCloseCounter(c, Teller(c))); }
  absl::StatusOr<Plan> TryCall(uint32_t c) { return Do(branch_->PlanCallNext(c, Teller(c))); }
  absl::StatusOr<Plan> TryRecall(uint32_t c) { return Do(branch_->PlanRecall(c, Teller(c))); }
  absl::StatusOr<Plan> TryStart(uint32_t c) { return Do(branch_->PlanStartService(c, Teller(c))); }
  absl::StatusOr<Plan> TryFinish(uint32_t c) { return Do(branch_->PlanFinish(c, Teller(c))); }
  absl::StatusOr<Plan> TryNoShow(uint32_t c) { return Do(branch_->PlanNoShow(c, Teller(c))); }
  absl::StatusOr<Plan> TryTransfer(uint32_t c, const std::string& to,
                                   std::optional<Placement> placement = std::nullopt,
                                   const std::string& note = "") {
    return Do(branch_->PlanTransfer(c, to, placement, note, Teller(c)));
  }
  absl::StatusOr<Plan> TryRate(uint32_t c, uint64_t id, int score,
                               const std::string& comment = "") {
    return Do(branch_->PlanRating(c, id, score, comment, Ctx(absl::StrCat("pad:", c))));
  }

  // A counter command under a client request id, as the RPC layer runs it:
  // TryOnce("r1", "CounterService.CallNext", 1, [&] { return PlanCallNext(1, ...); }).
  absl::StatusOr<Plan> TryOnce(const std::string& request_id, const std::string& operation,
                               uint32_t counter, const std::function<absl::StatusOr<Plan>()>& plan,
                               const std::string& subject = "") {
    return Do(branch_->PlanOnce(
        {.request_id = request_id, .operation = operation, .counter = counter, .subject = subject},
        Teller(counter), plan));
  }
  absl::StatusOr<Plan> TryCallOnce(const std::string& request_id, uint32_t c) {
    return TryOnce(request_id, "CounterService.CallNext", c,
                   [&] { return branch_->PlanCallNext(c, Teller(c)); });
  }

  // --- Commands that must succeed; they return the ticket acted on ---
  uint64_t Issue(const std::string& code, PriorityClass p = PriorityClass::kNormal) {
    return Must(TryIssue(code, absl::StrCat("req-", ++request_counter_), p)).ticket_id;
  }
  uint64_t Cancel(uint64_t id) { return Must(TryCancel(id)).ticket_id; }
  void Open(uint32_t c) { Must(TryOpen(c)); }
  void Pause(uint32_t c) { Must(TryPause(c)); }
  void Close(uint32_t c) { Must(TryClose(c)); }
  void OpenAll() {
    for (const auto& [number, counter] : branch_->counters()) Open(number);
  }
  // 0 when nobody is waiting for the counter.
  uint64_t Call(uint32_t c) { return Must(TryCall(c)).ticket_id; }
  uint64_t Recall(uint32_t c) { return Must(TryRecall(c)).ticket_id; }
  uint64_t Start(uint32_t c) { return Must(TryStart(c)).ticket_id; }
  uint64_t Finish(uint32_t c) { return Must(TryFinish(c)).ticket_id; }
  uint64_t NoShow(uint32_t c) { return Must(TryNoShow(c)).ticket_id; }
  uint64_t Transfer(uint32_t c, const std::string& to,
                    std::optional<Placement> placement = std::nullopt,
                    const std::string& note = "") {
    return Must(TryTransfer(c, to, placement, note)).ticket_id;
  }
  // Changes the branch's settings: Configure([](BranchInfo& i) { i.recall_limit = 1; }).
  template <typename Edit>
  void Configure(Edit edit) {
    BranchInfo info = branch_->info();
    edit(info);
    Must(Do(branch_->PlanUpdateBranchInfo(info, Ctx("admin"))));
  }
  // Runs whatever is due now (automatic no-shows, missed appointments, purges).
  Plan Timeouts() { return Must(Do(branch_->PlanTimeouts(Ctx("timer")))); }

  // Call, start and finish the next customer at counter c.
  uint64_t Serve(uint32_t c) {
    const uint64_t id = Call(c);
    Start(c);
    Finish(c);
    return id;
  }

  // --- Looking at the state (copies, so later commands cannot invalidate them) ---
  Ticket T(uint64_t id) const {
    const Ticket* t = branch_->FindTicket(id);
    if (t == nullptr) {
      ADD_FAILURE() << "no ticket " << id << " in branch " << branch_->info().id;
      return Ticket{};
    }
    return *t;
  }
  std::string Number(uint64_t id) const { return T(id).DisplayNumber(); }
  TicketState State(uint64_t id) const { return T(id).state; }
  Counter C(uint32_t number) const {
    const Counter* c = branch_->FindCounter(number);
    if (c == nullptr) {
      ADD_FAILURE() << "no counter " << number;
      return Counter{};
    }
    return *c;
  }
  std::vector<uint64_t> WaitingIds(const std::string& code) const {
    std::vector<uint64_t> ids;
    for (const Ticket* t : branch_->Waiting(code)) ids.push_back(t->id);
    return ids;
  }
  std::vector<std::string> WaitingNumbers(const std::string& code) const {
    std::vector<std::string> numbers;
    for (const Ticket* t : branch_->Waiting(code)) numbers.push_back(t->DisplayNumber());
    return numbers;
  }

  // Every row committed so far, last write wins per key: what the store would hand
  // back at start-up.
  BranchSnapshot Snapshot() const {
    BranchSnapshot snap;
    std::vector<ServiceConfig> services;
    std::map<uint32_t, Counter> counters;
    std::map<uint64_t, Ticket> tickets;
    std::map<std::tuple<std::string, absl::CivilDay>, NumberSequence> sequences;
    std::map<std::string, Appointment> appointments;
    std::map<std::string, RequestRecord> requests;
    for (const Change& change : committed_) {
      for (const auto& r : change.requests) requests[r.request_id] = r;
      for (const auto& a : change.appointments) appointments[a.code] = a;
      if (change.branch) snap.info = *change.branch;
      for (const auto& s : change.services) {
        auto it = std::find_if(services.begin(), services.end(),
                               [&](const ServiceConfig& x) { return x.code == s.code; });
        if (it == services.end()) {
          services.push_back(s);
        } else {
          *it = s;
        }
      }
      for (const auto& c : change.counters) counters[c.number] = c;
      for (const auto& t : change.tickets) tickets[t.id] = t;
      for (const auto& q : change.sequences) sequences[{q.service_code, q.business_day}] = q;
      for (const auto& e : change.events)
        snap.last_event_seq = std::max(snap.last_event_seq, e.seq);
    }
    snap.services = services;
    for (const auto& [n, c] : counters) snap.counters.push_back(c);
    for (const auto& [id, t] : tickets) {
      snap.tickets.push_back(t);
      snap.max_ticket_id = std::max(snap.max_ticket_id, id);
    }
    for (const auto& [key, q] : sequences) snap.sequences.push_back(q);
    for (const auto& [code, a] : appointments) snap.appointments.push_back(a);
    for (const auto& [id, r] : requests) snap.requests.push_back(r);
    return snap;
  }

  // All events committed so far, in seq order.
  std::vector<Event> Events() const {
    std::vector<Event> events;
    for (const Change& change : committed_) {
      events.insert(events.end(), change.events.begin(), change.events.end());
    }
    return events;
  }

  lobbyq::FakeClock clock;

 private:
  Lobby(BranchSnapshot snapshot, absl::Time now, uint64_t seq, int request_counter,
        std::vector<Change> committed)
      : clock(now),
        branch_(std::make_unique<Branch>(std::move(snapshot), Shanghai())),
        seq_(seq),
        request_counter_(request_counter),
        committed_(std::move(committed)) {}

  CommandContext Teller(uint32_t c) const { return Ctx(absl::StrCat("counter:", c)); }

  void Commit(Change& change) {
    for (Event& e : change.events) e.seq = ++seq_;
    branch_->Apply(change);
    committed_.push_back(change);
  }

  std::unique_ptr<Branch> branch_;
  uint64_t seq_ = 0;
  int request_counter_ = 0;
  std::vector<Change> committed_;
};

// A fixture that is a Lobby with every counter open, so tests read as the lobby's
// day: Issue("A"), Call(1), Start(1), Finish(1)...
class LobbyTest : public ::testing::Test, public Lobby {
 protected:
  LobbyTest() { OpenAll(); }
};

// Exactly one event in the plan; an empty Event (and a failure) otherwise.
inline Event OnlyEvent(const Plan& plan) {
  if (plan.change.events.size() != 1) {
    ADD_FAILURE() << "expected exactly one event, got " << plan.change.events.size();
    return Event{};
  }
  return plan.change.events.front();
}

}  // namespace lobbyq::domain::testing
