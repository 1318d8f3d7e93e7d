// Appointments: the slot grid, booking, cancelling, checking in (on time, early,
// late, on another day), the timers that mark missed appointments and purge
// personal details, restore, and days with a daylight-saving change.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "server/domain/validation.h"
#include "tests/domain/lobby.h"

namespace lobbyq::domain::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr auto kInvalidArgument = absl::StatusCode::kInvalidArgument;
constexpr auto kNotFound = absl::StatusCode::kNotFound;
constexpr auto kFailedPrecondition = absl::StatusCode::kFailedPrecondition;
constexpr auto kAlreadyExists = absl::StatusCode::kAlreadyExists;
constexpr auto kResourceExhausted = absl::StatusCode::kResourceExhausted;

constexpr absl::Duration kMicro = absl::Microseconds(1);

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(name, &zone)) ADD_FAILURE() << "tzdata for " << name << " is missing";
  return zone;
}

// The day most tests book for (a Tuesday in Shanghai), and the day before it,
// when the clock starts.
constexpr absl::CivilDay kDay(2024, 3, 12);
inline absl::Time At(int h, int m, int s = 0) { return Local(2024, 3, 12, h, m, s); }
const absl::Time kStart = Local(2024, 3, 11, 10, 0);

// A: two places per slot; B: no appointments; C: one place per slot.
std::vector<ServiceConfig> ApptServices() {
  ServiceConfig a = Service("A", absl::Minutes(5));
  a.appointment_capacity = 2;
  ServiceConfig b = Service("B", absl::Minutes(10));
  ServiceConfig c = Service("C", absl::Minutes(8));
  c.appointment_capacity = 1;
  return {a, b, c};
}

std::vector<Counter> ApptCounters() {
  return {CounterConfig(1, {"A"}), CounterConfig(2, {"B"}), CounterConfig(3, {"C"})};
}

// The defaults of BranchInfo: check-in from 30 min before to 10 min after the
// slot, callable 5 min before, slots of 30 min from 09:00 to 17:00, 30 days ahead.
BranchInfo ApptInfo(const std::string& timezone = "Asia/Shanghai") {
  BranchInfo info = Info("appt");
  info.timezone = timezone;
  return info;
}

// Valid codes in sequence: "22222222", "22222223", ... (base 32 over the alphabet).
std::string CodeNumber(uint64_t n) {
  std::string code(kAppointmentCodeLength, kAppointmentCodeAlphabet[0]);
  for (size_t i = code.size(); i-- > 0;) {
    code[i] = kAppointmentCodeAlphabet[n % kAppointmentCodeAlphabet.size()];
    n /= kAppointmentCodeAlphabet.size();
  }
  return code;
}

// A code source that hands out `codes` in order, then fails the test.
std::function<std::string()> Codes(std::vector<std::string> codes, int* calls) {
  return [codes = std::move(codes), calls]() -> std::string {
    const int i = (*calls)++;
    if (i >= static_cast<int>(codes.size())) return codes.empty() ? "" : codes.back();
    return codes[i];
  };
}

// Everything a failed command must leave alone.
struct Observed {
  std::vector<std::tuple<std::string, absl::Time, int, int>> slots;
  std::vector<Appointment> appointments;
  std::map<std::string, std::vector<uint64_t>> waiting;
  friend bool operator==(const Observed&, const Observed&) = default;
};

// A branch with appointments, driven like lobby.h's Lobby but with its own
// BranchInfo and time zone.
class Bank {
 public:
  explicit Bank(BranchInfo info = ApptInfo(), absl::Time start = kStart,
                std::vector<ServiceConfig> services = ApptServices(),
                std::vector<Counter> counters = ApptCounters())
      : clock(start), zone_(Zone(info.timezone)) {
    auto created = Branch::PlanCreate({info, services, counters}, Ctx("admin"));
    if (!created.ok()) {
      ADD_FAILURE() << "PlanCreate failed: " << created.status();
      created = Change{.branch_id = info.id, .branch = info};
    }
    branch_ = std::make_unique<Branch>(BranchSnapshot{.info = *created->branch}, zone_);
    Commit(*created);
  }

  Branch& branch() { return *branch_; }
  const Branch& branch() const { return *branch_; }
  absl::Time Now() const { return clock.Now(); }
  void Set(absl::Time t) { clock.Set(t); }

  CommandContext Ctx(const std::string& actor = "test") const {
    return CommandContext{.now = clock.Now(), .actor = actor};
  }
  std::function<std::string()> NewCode() {
    return [this] { return CodeNumber(next_code_++); };
  }

  absl::StatusOr<Plan> Do(absl::StatusOr<Plan> plan) {
    if (plan.ok()) Commit(plan->change);
    return plan;
  }
  absl::StatusOr<CheckIn> Do(absl::StatusOr<CheckIn> check_in) {
    if (check_in.ok()) Commit(check_in->plan.change);
    return check_in;
  }

  absl::StatusOr<Plan> TryBook(const std::string& service, absl::Time slot,
                               const std::string& phone, const std::string& request_id,
                               const std::string& name = "Li Lei",
                               std::function<std::string()> source = nullptr) {
    if (!source) source = NewCode();
    return Do(branch_->PlanBook(service, slot, name, phone, request_id, source, Ctx("web")));
  }
  // Books with a fresh request id and phone; returns the code.
  std::string Book(const std::string& service, absl::Time slot, std::string phone = "") {
    ++bookings_;
    if (phone.empty()) phone = absl::StrCat("1380013", 8000 + bookings_);
    auto plan = TryBook(service, slot, phone, absl::StrCat("book-", bookings_));
    if (!plan.ok()) {
      ADD_FAILURE() << "booking failed: " << plan.status();
      return "";
    }
    return plan->appointment_code;
  }
  absl::StatusOr<CheckIn> TryCheckIn(const std::string& code) {
    return Do(branch_->PlanCheckIn(code, Ctx("kiosk:k1")));
  }
  absl::StatusOr<Plan> TryCancel(const std::string& code) {
    return Do(branch_->PlanCancelAppointment(code, Ctx("web")));
  }
  Plan Timeouts() { return Lobby::Must(Do(branch_->PlanTimeouts(Ctx("timer")))); }

  void Open(uint32_t c) { Lobby::Must(Do(branch_->PlanOpenCounter(c, Teller(c)))); }
  uint64_t Call(uint32_t c) {
    return Lobby::Must(Do(branch_->PlanCallNext(c, Teller(c)))).ticket_id;
  }
  void Finish(uint32_t c) {
    Lobby::Must(Do(branch_->PlanStartService(c, Teller(c))));
    Lobby::Must(Do(branch_->PlanFinish(c, Teller(c))));
  }
  uint64_t Issue(const std::string& service) {
    return Lobby::Must(
               Do(branch_->PlanIssue(service, PriorityClass::kNormal,
                                     absl::StrCat("walk-in-", ++walk_ins_), {}, Ctx("kiosk:k1"))))
        .ticket_id;
  }

  Appointment A(const std::string& code) const {
    const Appointment* a = branch_->FindAppointment(code);
    if (a == nullptr) {
      ADD_FAILURE() << "no appointment " << code;
      return Appointment{};
    }
    return *a;
  }
  Ticket T(uint64_t id) const {
    const Ticket* t = branch_->FindTicket(id);
    if (t == nullptr) {
      ADD_FAILURE() << "no ticket " << id;
      return Ticket{};
    }
    return *t;
  }
  // Booked count of each slot of the day.
  std::vector<int> Booked(const std::string& service, absl::CivilDay day = kDay) const {
    std::vector<int> booked;
    auto slots = branch_->ListSlots(service, day);
    if (!slots.ok()) ADD_FAILURE() << slots.status();
    for (const SlotView& s : slots.value_or(std::vector<SlotView>{})) booked.push_back(s.booked);
    return booked;
  }
  int BookedAt(const std::string& service, absl::Time slot) const {
    auto slots = branch_->ListSlots(service, branch_->BusinessDay(slot));
    for (const SlotView& s : slots.value_or(std::vector<SlotView>{})) {
      if (s.start == slot) return s.booked;
    }
    ADD_FAILURE() << "no slot at " << slot;
    return -1;
  }
  std::vector<uint64_t> WaitingIds(const std::string& code) const {
    std::vector<uint64_t> ids;
    for (const Ticket* t : branch_->Waiting(code)) ids.push_back(t->id);
    return ids;
  }

  Observed Observe(std::vector<absl::CivilDay> days = {kDay - 1, kDay, kDay + 1}) const {
    Observed o;
    for (absl::CivilDay day : days) {
      for (const char* service : {"A", "B", "C"}) {
        for (const SlotView& s :
             branch_->ListSlots(service, day).value_or(std::vector<SlotView>{})) {
          o.slots.emplace_back(service, s.start, s.capacity, s.booked);
        }
      }
      for (const Appointment* a : branch_->AppointmentsOn(day)) o.appointments.push_back(*a);
    }
    for (const char* service : {"A", "B", "C"}) o.waiting[service] = WaitingIds(service);
    return o;
  }

  // Every row committed so far, last write wins: what a restart loads.
  BranchSnapshot Snapshot() const {
    BranchSnapshot snap;
    std::map<std::string, ServiceConfig> services;
    std::vector<std::string> service_order;
    std::map<uint32_t, Counter> counters;
    std::map<uint64_t, Ticket> tickets;
    std::map<std::pair<std::string, absl::CivilDay>, NumberSequence> sequences;
    std::map<std::string, Appointment> appointments;
    for (const Change& change : committed_) {
      if (change.branch) snap.info = *change.branch;
      for (const auto& s : change.services) {
        if (!services.contains(s.code)) service_order.push_back(s.code);
        services[s.code] = s;
      }
      for (const auto& c : change.counters) counters[c.number] = c;
      for (const auto& t : change.tickets) tickets[t.id] = t;
      for (const auto& q : change.sequences) sequences[{q.service_code, q.business_day}] = q;
      for (const auto& a : change.appointments) appointments[a.code] = a;
      for (const auto& e : change.events)
        snap.last_event_seq = std::max(snap.last_event_seq, e.seq);
    }
    for (const auto& code : service_order) snap.services.push_back(services[code]);
    for (const auto& [n, c] : counters) snap.counters.push_back(c);
    for (const auto& [id, t] : tickets) {
      snap.tickets.push_back(t);
      snap.max_ticket_id = std::max(snap.max_ticket_id, id);
    }
    for (const auto& [key, q] : sequences) snap.sequences.push_back(q);
    for (const auto& [code, a] : appointments) snap.appointments.push_back(a);
    return snap;
  }

  FakeClock clock;

 private:
  CommandContext Teller(uint32_t c) const { return Ctx(absl::StrCat("counter:", c)); }
  void Commit(Change& change) {
    for (Event& e : change.events) e.seq = ++seq_;
    branch_->Apply(change);
    committed_.push_back(change);
  }

  absl::TimeZone zone_;
  std::unique_ptr<Branch> branch_;
  uint64_t seq_ = 0;
  uint64_t next_code_ = 0;
  int bookings_ = 0;
  int walk_ins_ = 0;
  std::vector<Change> committed_;
};

std::vector<EventType> EventTypes(const Plan& plan) {
  std::vector<EventType> types;
  for (const Event& e : plan.change.events) types.push_back(e.type);
  return types;
}

std::vector<absl::Time> Starts(const std::vector<SlotView>& slots) {
  std::vector<absl::Time> starts;
  for (const SlotView& s : slots) starts.push_back(s.start);
  return starts;
}

// --- The slot grid ---

TEST(AppointmentSlotsTest, GridRunsFromOpeningToTheLastSlotThatEndsByClosing) {
  Bank bank;
  auto slots = bank.branch().ListSlots("A", kDay);
  ASSERT_THAT(slots, IsOk());
  ASSERT_THAT(*slots, SizeIs(16));
  for (size_t i = 0; i < slots->size(); ++i) {
    const SlotView& s = (*slots)[i];
    EXPECT_EQ(s.start, At(9, 0) + absl::Minutes(30) * i) << i;
    EXPECT_EQ(s.capacity, 2);
    EXPECT_EQ(s.booked, 0);
  }
  EXPECT_EQ(slots->back().start, At(16, 30));
  EXPECT_THAT(bank.Booked("C"), SizeIs(16));
  EXPECT_EQ((*bank.branch().ListSlots("C", kDay))[0].capacity, 1);
}

TEST(AppointmentSlotsTest, GridFollowsTheBranchSettings) {
  BranchInfo info = ApptInfo();
  info.opening_time = absl::Hours(8);
  info.closing_time = absl::Hours(12);
  info.slot_length = absl::Minutes(45);
  Bank bank(info);
  auto slots = bank.branch().ListSlots("A", kDay);
  ASSERT_THAT(slots, IsOk());
  // 11:45 + 45 min would end after closing.
  EXPECT_THAT(Starts(*slots), ElementsAre(At(8, 0), At(8, 45), At(9, 30), At(10, 15), At(11, 0)));
}

TEST(AppointmentSlotsTest, GridIsInTheBranchsLocalTime) {
  Bank bank;
  auto slots = bank.branch().ListSlots("A", kDay);
  ASSERT_THAT(slots, IsOk());
  // 09:00 in Shanghai is 01:00 UTC.
  EXPECT_EQ(slots->front().start, Utc(2024, 3, 12, 1, 0));
}

TEST(AppointmentSlotsTest, ServiceWithoutAppointmentsHasNoSlotsAndBadServicesAreErrors) {
  Bank bank;
  auto none = bank.branch().ListSlots("B", kDay);
  ASSERT_THAT(none, IsOk());
  EXPECT_THAT(*none, IsEmpty());
  EXPECT_THAT(bank.branch().ListSlots("Q", kDay), StatusIs(kNotFound));
  EXPECT_THAT(bank.branch().ListSlots("a", kDay), StatusIs(kInvalidArgument));
  EXPECT_THAT(bank.branch().ListSlots("", kDay), StatusIs(kInvalidArgument));
}

TEST(AppointmentSlotsTest, BookedCountsBookedAndCheckedInButNotCancelledOrMissed) {
  Bank bank;
  const std::string booked = bank.Book("A", At(10, 0));
  const std::string checked_in = bank.Book("A", At(10, 0));
  const std::string cancelled = bank.Book("A", At(11, 0));
  const std::string missed = bank.Book("A", At(9, 0));
  EXPECT_EQ(bank.BookedAt("A", At(10, 0)), 2);
  EXPECT_EQ(bank.BookedAt("A", At(11, 0)), 1);
  EXPECT_EQ(bank.BookedAt("A", At(9, 0)), 1);
  EXPECT_EQ(bank.BookedAt("C", At(10, 0)), 0);  // per service

  ASSERT_THAT(bank.TryCancel(cancelled), IsOk());
  EXPECT_EQ(bank.BookedAt("A", At(11, 0)), 0);

  bank.Set(At(9, 10) + kMicro);
  EXPECT_THAT(EventTypes(bank.Timeouts()), ElementsAre(EventType::kAppointmentMissed));
  EXPECT_EQ(bank.A(missed).state, AppointmentState::kMissed);
  EXPECT_EQ(bank.BookedAt("A", At(9, 0)), 0);

  bank.Set(At(9, 55));
  ASSERT_THAT(bank.TryCheckIn(checked_in), IsOk());
  EXPECT_EQ(bank.BookedAt("A", At(10, 0)), 2);
  EXPECT_EQ(bank.A(booked).state, AppointmentState::kBooked);
}

// --- Booking ---

TEST(AppointmentBookTest, BookingStoresTheAppointmentAndReturnsItsCode) {
  Bank bank;
  auto plan = bank.TryBook("A", At(10, 30), "+86 138-0013-8000", "web-1", "Wang Fang");
  ASSERT_THAT(plan, IsOk());
  const std::string code = plan->appointment_code;
  EXPECT_EQ(code, CodeNumber(0));
  EXPECT_THAT(NormalizeAppointmentCode(code), IsOk());
  EXPECT_EQ(*NormalizeAppointmentCode(code), code);
  const Appointment a = bank.A(code);
  EXPECT_EQ(a.service_code, "A");
  EXPECT_EQ(a.slot_start, At(10, 30));
  EXPECT_EQ(a.customer_name, "Wang Fang");
  EXPECT_EQ(a.phone, "8613800138000");
  EXPECT_EQ(a.state, AppointmentState::kBooked);
  EXPECT_EQ(a.booked_at, kStart);
  EXPECT_EQ(a.closed_at, std::nullopt);
  EXPECT_EQ(a.ticket_id, 0u);
  EXPECT_EQ(a.request_id, "web-1");
  EXPECT_EQ(plan->ticket_id, 0u);
  EXPECT_THAT(plan->change.tickets, IsEmpty());
  const Event e = OnlyEvent(*plan);
  EXPECT_EQ(e.type, EventType::kAppointmentBooked);
  EXPECT_EQ(e.service_code, "A");
  EXPECT_EQ(e.branch_id, "appt");
  EXPECT_EQ(e.actor, "web");
  EXPECT_THAT(e.detail, HasSubstr("2024-03-12 10:30"));
  // The phone is never in the event.
  EXPECT_THAT(e.detail, ::testing::Not(HasSubstr("13800138000")));
  EXPECT_EQ(bank.BookedAt("A", At(10, 30)), 1);
  EXPECT_THAT(bank.branch().AppointmentsOn(kDay), SizeIs(1));
  EXPECT_THAT(bank.branch().AppointmentsOn(kDay + 1), IsEmpty());
}

TEST(AppointmentBookTest, NameIsOptional) {
  Bank bank;
  auto plan = bank.TryBook("A", At(10, 30), "13800138000", "web-1", "");
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(bank.A(plan->appointment_code).customer_name, "");
}

struct BookCase {
  std::string name;
  std::string service;
  absl::Time slot;
  std::string phone;
  std::string request_id;
  std::string customer_name;
  absl::StatusCode code;
};

TEST(AppointmentBookTest, BadBookingsAreRefusedAndChangeNothing) {
  const std::string phone = "13800138000";
  const std::vector<BookCase> cases = {
      {"service code not a letter", "a", At(10, 0), phone, "r", "Li", kInvalidArgument},
      {"empty service code", "", At(10, 0), phone, "r", "Li", kInvalidArgument},
      {"unknown service", "Q", At(10, 0), phone, "r", "Li", kNotFound},
      {"service takes no appointments", "B", At(10, 0), phone, "r", "Li", kFailedPrecondition},
      {"between slots", "A", At(10, 15), phone, "r", "Li", kInvalidArgument},
      {"a second past a slot", "A", At(10, 0, 1), phone, "r", "Li", kInvalidArgument},
      {"a microsecond past a slot", "A", At(10, 0) + kMicro, phone, "r", "Li", kInvalidArgument},
      {"before opening", "A", At(8, 30), phone, "r", "Li", kInvalidArgument},
      {"at closing", "A", At(17, 0), phone, "r", "Li", kInvalidArgument},
      {"after closing", "A", At(17, 30), phone, "r", "Li", kInvalidArgument},
      {"slot already over", "A", Local(2024, 3, 11, 9, 30), phone, "r", "Li", kFailedPrecondition},
      {"beyond the horizon", "A", Local(2024, 4, 11, 9, 0), phone, "r", "Li", kFailedPrecondition},
      {"phone with letters", "A", At(10, 0), "1380013800x", "r", "Li", kInvalidArgument},
      {"phone too short", "A", At(10, 0), "1234", "r", "Li", kInvalidArgument},
      {"phone too long", "A", At(10, 0), "123456789012345678901", "r", "Li", kInvalidArgument},
      {"plus in the middle", "A", At(10, 0), "138+00138000", "r", "Li", kInvalidArgument},
      {"empty phone", "A", At(10, 0), "", "r", "Li", kInvalidArgument},
      {"empty request id", "A", At(10, 0), phone, "", "Li", kInvalidArgument},
      {"request id with a space", "A", At(10, 0), phone, "r 1", "Li", kInvalidArgument},
      {"name with a newline", "A", At(10, 0), phone, "r", "Li\nLei", kInvalidArgument},
      {"name too long", "A", At(10, 0), phone, "r", std::string(65, 'x'), kInvalidArgument},
  };
  for (const BookCase& c : cases) {
    SCOPED_TRACE(c.name);
    Bank bank;
    bank.Book("A", At(11, 0));  // something to leave alone
    const Observed before = bank.Observe();
    int calls = 0;
    auto plan = bank.TryBook(c.service, c.slot, c.phone, c.request_id, c.customer_name,
                             Codes({CodeNumber(100)}, &calls));
    EXPECT_THAT(plan, StatusIs(c.code));
    EXPECT_FALSE(plan.status().message().empty());
    EXPECT_TRUE(bank.Observe() == before);
    EXPECT_EQ(bank.branch().FindAppointment(CodeNumber(100)), nullptr);
    // The refused request did not reserve its request id.
    EXPECT_THAT(bank.TryBook("A", At(12, 0), "13900139000", "r"), IsOk());
  }
}

TEST(AppointmentBookTest, SlotThatHasBegunCannotBeBooked) {
  Bank bank;
  bank.Set(At(10, 0) - kMicro);
  EXPECT_THAT(bank.TryBook("A", At(10, 0), "13800138001", "r1"), IsOk());
  bank.Set(At(10, 0));
  const Observed before = bank.Observe();
  auto late = bank.TryBook("A", At(10, 0), "13800138002", "r2");
  EXPECT_THAT(late, StatusIs(kFailedPrecondition));
  EXPECT_THAT(late.status().message(), HasSubstr("already begun"));
  EXPECT_TRUE(bank.Observe() == before);
  EXPECT_THAT(bank.TryBook("A", At(10, 30), "13800138002", "r2"), IsOk());
}

TEST(AppointmentBookTest, HorizonCountsLocalDays) {
  // 23:59 local on 2024-03-11 is still 2024-03-11 in Shanghai (15:59 UTC).
  Bank bank(ApptInfo(), Local(2024, 3, 11, 23, 59));
  EXPECT_THAT(bank.TryBook("A", Local(2024, 4, 10, 16, 30), "13800138001", "r1"), IsOk());
  EXPECT_THAT(bank.TryBook("A", Local(2024, 4, 11, 9, 0), "13800138002", "r2"),
              StatusIs(kFailedPrecondition));
  // A minute later it is 2024-03-12 locally (still 2024-03-11 in UTC).
  bank.Set(Local(2024, 3, 12, 0, 0));
  EXPECT_THAT(bank.TryBook("A", Local(2024, 4, 11, 9, 0), "13800138002", "r2"), IsOk());
  EXPECT_THAT(bank.TryBook("A", Local(2024, 4, 12, 9, 0), "13800138003", "r3"),
              StatusIs(kFailedPrecondition));
}

TEST(AppointmentBookTest, HorizonOfZeroDaysAllowsTodayOnly) {
  BranchInfo info = ApptInfo();
  info.booking_horizon_days = 0;
  Bank bank(info, At(8, 0));
  EXPECT_THAT(bank.TryBook("A", At(16, 30), "13800138001", "r1"), IsOk());
  EXPECT_THAT(bank.TryBook("A", Local(2024, 3, 13, 9, 0), "13800138002", "r2"),
              StatusIs(kFailedPrecondition));
}

TEST(AppointmentBookTest, OnePhoneOneAppointmentPerServiceAndDay) {
  Bank bank;
  const std::string first =
      bank.TryBook("A", At(10, 0), "138 0013 8000", "r1").value_or(Plan{}).appointment_code;
  ASSERT_FALSE(first.empty());
  const Observed before = bank.Observe();
  // The same digits written another way are the same phone.
  auto again = bank.TryBook("A", At(14, 0), "138-0013-8000", "r2");
  EXPECT_THAT(again, StatusIs(kAlreadyExists));
  EXPECT_THAT(again.status().message(), HasSubstr("10:00"));
  EXPECT_THAT(again.status().message(), ::testing::Not(HasSubstr("13800138000")));
  EXPECT_TRUE(bank.Observe() == before);
  // Another service the same day, or the same service another day, is fine.
  EXPECT_THAT(bank.TryBook("C", At(14, 0), "13800138000", "r3"), IsOk());
  EXPECT_THAT(bank.TryBook("A", Local(2024, 3, 13, 10, 0), "13800138000", "r4"), IsOk());
  // Once the first is cancelled the customer may book another time that day.
  ASSERT_THAT(bank.TryCancel(first), IsOk());
  EXPECT_THAT(bank.TryBook("A", At(14, 0), "13800138000", "r2"), IsOk());
}

TEST(AppointmentBookTest, FullSlotIsResourceExhaustedUntilSomeoneCancels) {
  Bank bank;
  const std::string one = bank.Book("A", At(10, 0));
  bank.Book("A", At(10, 0));
  EXPECT_EQ(bank.BookedAt("A", At(10, 0)), 2);
  const Observed before = bank.Observe();
  auto full = bank.TryBook("A", At(10, 0), "13900139000", "r-full");
  EXPECT_THAT(full, StatusIs(kResourceExhausted));
  EXPECT_THAT(full.status().message(), HasSubstr("10:00"));
  EXPECT_TRUE(bank.Observe() == before);
  // The slot next to it is free.
  EXPECT_THAT(bank.TryBook("A", At(10, 30), "13900139001", "r-next"), IsOk());
  ASSERT_THAT(bank.TryCancel(one), IsOk());
  EXPECT_EQ(bank.BookedAt("A", At(10, 0)), 1);
  EXPECT_THAT(bank.TryBook("A", At(10, 0), "13900139000", "r-full"), IsOk());
  EXPECT_EQ(bank.BookedAt("A", At(10, 0)), 2);
}

TEST(AppointmentBookTest, CapacityOneTakesOneBooking) {
  Bank bank;
  bank.Book("C", At(10, 0));
  EXPECT_THAT(bank.TryBook("C", At(10, 0), "13900139000", "r"), StatusIs(kResourceExhausted));
}

TEST(AppointmentBookTest, RetriedBookingReturnsTheSameCodeAndChangesNothing) {
  Bank bank;
  const Plan first = *bank.TryBook("A", At(10, 0), "13800138000", "web-42");
  const Observed before = bank.Observe();
  bank.clock.Advance(absl::Seconds(3));
  auto retry = bank.TryBook("A", At(10, 0), "138 0013 8000", "web-42");
  ASSERT_THAT(retry, IsOk());
  EXPECT_EQ(retry->appointment_code, first.appointment_code);
  EXPECT_TRUE(retry->change.empty());
  EXPECT_TRUE(bank.Observe() == before);
  EXPECT_EQ(bank.BookedAt("A", At(10, 0)), 1);
  // Even once the slot has begun, a retry gets its answer.
  bank.Set(At(10, 5));
  auto late_retry = bank.TryBook("A", At(10, 0), "13800138000", "web-42");
  ASSERT_THAT(late_retry, IsOk());
  EXPECT_EQ(late_retry->appointment_code, first.appointment_code);
  EXPECT_TRUE(late_retry->change.empty());
}

TEST(AppointmentBookTest, SameRequestIdForAnotherBookingIsAlreadyExists) {
  Bank bank;
  const std::string code = bank.TryBook("A", At(10, 0), "13800138000", "web-42", "Li Lei")
                               .value_or(Plan{})
                               .appointment_code;
  ASSERT_FALSE(code.empty());
  const Observed before = bank.Observe();
  EXPECT_THAT(bank.TryBook("C", At(10, 0), "13800138000", "web-42", "Li Lei"),
              StatusIs(kAlreadyExists));
  EXPECT_THAT(bank.TryBook("A", At(10, 30), "13800138000", "web-42", "Li Lei"),
              StatusIs(kAlreadyExists));
  EXPECT_THAT(bank.TryBook("A", At(10, 0), "13900139000", "web-42", "Li Lei"),
              StatusIs(kAlreadyExists));
  EXPECT_TRUE(bank.Observe() == before);
}

TEST(AppointmentBookTest, SameRequestIdForAnotherCustomerNameIsAlreadyExists) {
  Bank bank;
  ASSERT_THAT(bank.TryBook("A", At(10, 0), "13800138000", "web-42", "Li Lei"), IsOk());
  // A retry repeats the whole request; another name is another booking, not a retry.
  EXPECT_THAT(bank.TryBook("A", At(10, 0), "13800138000", "web-42", "Han Meimei"),
              StatusIs(kAlreadyExists));
}

TEST(AppointmentBookTest, CollidingCodesAreDrawnAgain) {
  Bank bank;
  int calls = 0;
  auto first = bank.TryBook("A", At(10, 0), "13800138001", "r1", "Li", Codes({"ABCD2345"}, &calls));
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->appointment_code, "ABCD2345");
  calls = 0;
  auto second = bank.TryBook("A", At(10, 0), "13800138002", "r2", "Li",
                             Codes({"ABCD2345", "ABCD2345", "WXYZ6789"}, &calls));
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->appointment_code, "WXYZ6789");
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(bank.A("ABCD2345").phone, "13800138001");
  EXPECT_EQ(bank.A("WXYZ6789").phone, "13800138002");
}

TEST(AppointmentBookTest, CodeSourceThatOnlyCollidesGivesUpAndChangesNothing) {
  Bank bank;
  int calls = 0;
  ASSERT_THAT(bank.TryBook("A", At(10, 0), "13800138001", "r1", "Li", Codes({"ABCD2345"}, &calls)),
              IsOk());
  const Observed before = bank.Observe();
  calls = 0;
  auto stuck = bank.TryBook("A", At(10, 0), "13800138002", "r2", "Li", Codes({"ABCD2345"}, &calls));
  EXPECT_FALSE(stuck.ok());
  EXPECT_GT(calls, 1);    // it did retry
  EXPECT_LE(calls, 100);  // and then gave up
  EXPECT_TRUE(bank.Observe() == before);
  EXPECT_EQ(bank.A("ABCD2345").phone, "13800138001");
  EXPECT_THAT(bank.TryBook("A", At(10, 0), "13800138002", "r2"), IsOk());
}

TEST(AppointmentBookTest, MalformedCodeFromTheSourceIsNeverStored) {
  Bank bank;
  const Observed before = bank.Observe();
  for (const std::string bad : {"", "SHORT", "ABCD234O", "ABCD23451"}) {
    SCOPED_TRACE(bad);
    int calls = 0;
    EXPECT_FALSE(
        bank.TryBook("A", At(10, 0), "13800138001", "r1", "Li", Codes({bad}, &calls)).ok());
    EXPECT_TRUE(bank.Observe() == before);
  }
}

TEST(AppointmentBookTest, EveryCodeBookingReturnsCanBeCheckedIn) {
  // A source that spells a code in lower case with a dash passes
  // NormalizeAppointmentCode. Either such a code is refused (nothing stored) or
  // the code the customer is told checks in, and is stored in its canonical form.
  Bank bank;
  const Observed before = bank.Observe();
  int calls = 0;
  auto plan = bank.TryBook("A", At(10, 0), "13800138001", "r1", "Li", Codes({"abcd-2345"}, &calls));
  if (!plan.ok()) {
    EXPECT_TRUE(bank.Observe() == before);
    return;
  }
  EXPECT_EQ(plan->appointment_code, "ABCD2345");
  EXPECT_NE(bank.branch().FindAppointment("ABCD2345"), nullptr);
  bank.Set(At(10, 0));
  EXPECT_THAT(bank.TryCheckIn(plan->appointment_code), IsOk());
}

// --- Cancelling ---

TEST(AppointmentCancelTest, CancelFreesThePlace) {
  Bank bank;
  const std::string code = bank.Book("C", At(10, 0));
  bank.clock.Advance(absl::Minutes(7));
  // Customers type codes in lower case, with dashes or spaces.
  const std::string typed = absl::AsciiStrToLower(code.substr(0, 4) + "-" + code.substr(4));
  auto plan = bank.TryCancel(typed);
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->appointment_code, code);
  const Appointment a = bank.A(code);
  EXPECT_EQ(a.state, AppointmentState::kCancelled);
  EXPECT_EQ(a.closed_at, kStart + absl::Minutes(7));
  const Event e = OnlyEvent(*plan);
  EXPECT_EQ(e.type, EventType::kAppointmentCancelled);
  EXPECT_EQ(e.service_code, "C");
  EXPECT_EQ(bank.BookedAt("C", At(10, 0)), 0);
  EXPECT_THAT(bank.TryBook("C", At(10, 0), "13900139000", "r"), IsOk());
}

TEST(AppointmentCancelTest, OnlyABookedAppointmentCanBeCancelled) {
  Bank bank;
  const std::string cancelled = bank.Book("A", At(10, 0));
  const std::string checked_in = bank.Book("A", At(10, 0));
  const std::string missed = bank.Book("A", At(9, 0));
  ASSERT_THAT(bank.TryCancel(cancelled), IsOk());
  bank.Set(At(9, 10) + kMicro);
  bank.Timeouts();
  ASSERT_EQ(bank.A(missed).state, AppointmentState::kMissed);
  bank.Set(At(9, 58));
  ASSERT_THAT(bank.TryCheckIn(checked_in), IsOk());

  const Observed before = bank.Observe();
  const struct {
    std::string code;
    absl::StatusCode status;
  } cases[] = {
      {cancelled, kFailedPrecondition}, {checked_in, kFailedPrecondition},
      {missed, kFailedPrecondition},    {"ZZZZ9999", kNotFound},
      {"", kInvalidArgument},           {"ABC", kInvalidArgument},
      {"ABCD23450", kInvalidArgument},  {"ABCD2340", kInvalidArgument},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.code);
    EXPECT_THAT(bank.TryCancel(c.code), StatusIs(c.status));
    EXPECT_TRUE(bank.Observe() == before);
  }
}

// --- Checking in ---

// A check-in at `offset` from a 10:00 slot.
struct WindowCase {
  std::string name;
  absl::Duration offset;
  std::optional<CheckInOutcome> outcome;  // none: refused
  std::optional<absl::Duration> queued_offset;
};

TEST(AppointmentCheckInTest, WindowEdges) {
  const absl::Duration m = absl::Minutes(1);
  const std::vector<WindowCase> cases = {
      {"an hour early", -60 * m, std::nullopt, std::nullopt},
      {"just before check-in opens", -30 * m - kMicro, std::nullopt, std::nullopt},
      {"as check-in opens", -30 * m, CheckInOutcome::kEarly, -5 * m},
      {"early", -20 * m, CheckInOutcome::kEarly, -5 * m},
      {"just before the lead", -5 * m - kMicro, CheckInOutcome::kEarly, -5 * m},
      {"at the lead", -5 * m, CheckInOutcome::kOnTime, -5 * m},
      {"at the slot", absl::ZeroDuration(), CheckInOutcome::kOnTime, absl::ZeroDuration()},
      {"a little late", 7 * m, CheckInOutcome::kOnTime, 7 * m},
      {"at the end of the window", 10 * m, CheckInOutcome::kOnTime, 10 * m},
      {"just after the window", 10 * m + kMicro, CheckInOutcome::kLate, 10 * m + kMicro},
      {"hours late, same day", 6 * 60 * m, CheckInOutcome::kLate, 6 * 60 * m},
  };
  for (const WindowCase& c : cases) {
    SCOPED_TRACE(c.name);
    Bank bank;
    const std::string code = bank.Book("A", At(10, 0));
    const absl::Time now = At(10, 0) + c.offset;
    bank.Set(now);
    const Observed before = bank.Observe();
    auto check_in = bank.TryCheckIn(code);
    if (!c.outcome) {
      EXPECT_THAT(check_in, StatusIs(kFailedPrecondition));
      EXPECT_THAT(check_in.status().message(), HasSubstr("09:30"));  // when it opens
      EXPECT_TRUE(bank.Observe() == before);
      EXPECT_EQ(bank.A(code).state, AppointmentState::kBooked);
      continue;
    }
    ASSERT_THAT(check_in, IsOk());
    EXPECT_EQ(check_in->outcome, *c.outcome);
    const Ticket t = bank.T(check_in->plan.ticket_id);
    EXPECT_EQ(t.priority, *c.outcome == CheckInOutcome::kLate ? PriorityClass::kNormal
                                                              : PriorityClass::kAppointment);
    EXPECT_EQ(t.issued_at, now);
    EXPECT_EQ(t.queued_at, At(10, 0) + *c.queued_offset);
    EXPECT_EQ(t.state, TicketState::kWaiting);
    EXPECT_EQ(t.service_code, "A");
    EXPECT_EQ(t.appointment_code, code);
    EXPECT_EQ(t.business_day, kDay);
    const Appointment a = bank.A(code);
    EXPECT_EQ(a.state, AppointmentState::kCheckedIn);
    EXPECT_EQ(a.ticket_id, t.id);
    EXPECT_EQ(a.closed_at, now);
  }
}

TEST(AppointmentCheckInTest, CheckInIssuesATicketAndRecordsBoth) {
  Bank bank;
  const std::string code = bank.Book("A", At(10, 0));
  bank.Set(At(9, 57));
  auto check_in = bank.TryCheckIn(code);
  ASSERT_THAT(check_in, IsOk());
  EXPECT_EQ(check_in->outcome, CheckInOutcome::kOnTime);
  const Plan& plan = check_in->plan;
  ASSERT_THAT(plan.change.tickets, SizeIs(1));
  EXPECT_EQ(plan.change.tickets[0].id, plan.ticket_id);
  EXPECT_EQ(bank.T(plan.ticket_id).DisplayNumber(), "A001");
  ASSERT_THAT(plan.change.appointments, SizeIs(1));
  EXPECT_EQ(plan.change.appointments[0].code, code);
  EXPECT_THAT(EventTypes(plan),
              ElementsAre(EventType::kTicketIssued, EventType::kAppointmentCheckedIn));
  EXPECT_EQ(plan.change.events[1].ticket_id, plan.ticket_id);
  EXPECT_EQ(plan.change.events[1].service_code, "A");
  EXPECT_THAT(plan.change.events[1].detail, HasSubstr("on time"));
  EXPECT_EQ(bank.WaitingIds("A"), std::vector<uint64_t>{plan.ticket_id});
}

TEST(AppointmentCheckInTest, CodesAreNormalized) {
  for (const auto& typed : {std::function<std::string(std::string)>(
                                [](std::string c) { return absl::AsciiStrToLower(c); }),
                            std::function<std::string(std::string)>(
                                [](std::string c) { return c.substr(0, 4) + "-" + c.substr(4); }),
                            std::function<std::string(std::string)>([](std::string c) {
                              return " " + c.substr(0, 4) + " " + c.substr(4) + " ";
                            })}) {
    Bank bank;
    const std::string code = bank.Book("A", At(10, 0));
    bank.Set(At(10, 0));
    SCOPED_TRACE(typed(code));
    auto check_in = bank.TryCheckIn(typed(code));
    ASSERT_THAT(check_in, IsOk());
    EXPECT_EQ(bank.A(code).state, AppointmentState::kCheckedIn);
    EXPECT_EQ(bank.T(check_in->plan.ticket_id).appointment_code, code);
  }
}

TEST(AppointmentCheckInTest, BadCodesAndClosedAppointmentsAreRefusedAndChangeNothing) {
  Bank bank;
  const std::string cancelled = bank.Book("A", At(10, 0));
  bank.Book("A", At(10, 0));
  ASSERT_THAT(bank.TryCancel(cancelled), IsOk());
  bank.Set(At(10, 0));
  const Observed before = bank.Observe();
  const struct {
    std::string code;
    absl::StatusCode status;
  } cases[] = {
      {cancelled, kFailedPrecondition}, {"ZZZZ9999", kNotFound},
      {"", kInvalidArgument},           {"ABCD234", kInvalidArgument},  // too short
      {"ABCD23456", kInvalidArgument},                                  // too long
      {"ABCD2340", kInvalidArgument},                                   // 0 is not in the alphabet
      {"ABCD234O", kInvalidArgument},                                   // nor O
      {"ABCD2341", kInvalidArgument},                                   // nor 1
      {"ABCD234I", kInvalidArgument},                                   // nor I
      {"ABCD_2345", kInvalidArgument},   // only spaces and dashes are dropped
      {"ABCD\n2345", kInvalidArgument},  //
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.code);
    auto check_in = bank.TryCheckIn(c.code);
    EXPECT_THAT(check_in, StatusIs(c.status));
    EXPECT_FALSE(check_in.status().message().empty());
    EXPECT_TRUE(bank.Observe() == before);
  }
  EXPECT_THAT(bank.WaitingIds("A"), IsEmpty());
}

TEST(AppointmentCheckInTest, SecondCheckInReturnsTheSameTicketAndOutcome) {
  const struct {
    std::string name;
    absl::Duration offset;
    CheckInOutcome outcome;
  } cases[] = {
      {"early", -absl::Minutes(20), CheckInOutcome::kEarly},
      {"at the lead", -absl::Minutes(5), CheckInOutcome::kOnTime},
      {"on time", absl::Minutes(2), CheckInOutcome::kOnTime},
      {"late", absl::Minutes(40), CheckInOutcome::kLate},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Bank bank;
    const std::string code = bank.Book("A", At(10, 0));
    bank.Set(At(10, 0) + c.offset);
    auto first = bank.TryCheckIn(code);
    ASSERT_THAT(first, IsOk());
    EXPECT_EQ(first->outcome, c.outcome);
    const Observed before = bank.Observe();
    bank.clock.Advance(absl::Seconds(30));
    auto second = bank.TryCheckIn(code);
    ASSERT_THAT(second, IsOk());
    EXPECT_EQ(second->plan.ticket_id, first->plan.ticket_id);
    EXPECT_EQ(second->outcome, c.outcome);
    EXPECT_TRUE(second->plan.change.empty());
    EXPECT_TRUE(bank.Observe() == before);
  }
}

TEST(AppointmentCheckInTest, RetryWithItsRequestIdGetsTheFirstAnswerAlsoOnALaterDay) {
  Bank bank;
  const std::string code = bank.Book("A", At(10, 0));
  const std::string other = bank.Book("A", At(10, 30));
  const ClientRequest request{
      .request_id = "kiosk-1/9", .operation = "KioskService.CheckInAppointment", .subject = code};
  bank.Set(At(9, 40));
  auto first = bank.Do(bank.branch().PlanCheckIn(code, request, bank.Ctx("kiosk:k1")));
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->outcome, CheckInOutcome::kEarly);
  EXPECT_THAT(first->plan.change.requests, SizeIs(1));
  const Observed before = bank.Observe();

  bank.Set(At(10, 0) + absl::Hours(20));  // the next morning
  auto retry = bank.Do(bank.branch().PlanCheckIn(code, request, bank.Ctx("kiosk:k1")));
  ASSERT_THAT(retry, IsOk());
  EXPECT_EQ(retry->plan.ticket_id, first->plan.ticket_id);
  EXPECT_EQ(retry->outcome, CheckInOutcome::kEarly);
  EXPECT_TRUE(retry->plan.change.empty());
  EXPECT_TRUE(bank.Observe() == before);
  // Without the id, a code typed again on a later day is refused, as before.
  EXPECT_THAT(bank.TryCheckIn(code), StatusIs(kFailedPrecondition));
  // The same id for another code is not a retry.
  ClientRequest reused = request;
  reused.subject = other;
  EXPECT_THAT(bank.branch().PlanCheckIn(other, reused, bank.Ctx("kiosk:k1")),
              StatusIs(kAlreadyExists));
}

TEST(AppointmentCheckInTest, SecondCheckInAfterTheTicketWasServedStillReturnsIt) {
  Bank bank;
  bank.Open(1);
  const std::string code = bank.Book("A", At(10, 0));
  bank.Set(At(10, 0));
  const uint64_t id = bank.TryCheckIn(code).value_or(CheckIn{}).plan.ticket_id;
  ASSERT_NE(id, 0u);
  EXPECT_EQ(bank.Call(1), id);
  bank.Finish(1);
  bank.Set(At(10, 20));
  auto again = bank.TryCheckIn(code);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->plan.ticket_id, id);
  EXPECT_EQ(again->outcome, CheckInOutcome::kOnTime);
  EXPECT_TRUE(again->plan.change.empty());
  EXPECT_THAT(bank.WaitingIds("A"), IsEmpty());
}

TEST(AppointmentCheckInTest, SecondCheckInKeepsItsOutcomeAfterTheTicketWasRequeued) {
  // An on-time customer called, marked no-show and reinstated at the end of the
  // queue presses check-in again: the kiosk must still say "on time".
  BranchInfo info = ApptInfo();
  info.reinstate_placement = Placement::kEnd;
  Bank bank(info);
  bank.Open(1);
  const std::string code = bank.Book("A", At(10, 0));
  bank.Set(At(10, 0));
  auto first = bank.TryCheckIn(code);
  ASSERT_THAT(first, IsOk());
  ASSERT_EQ(first->outcome, CheckInOutcome::kOnTime);
  const uint64_t id = first->plan.ticket_id;
  EXPECT_EQ(bank.Call(1), id);
  bank.Set(At(10, 2));
  ASSERT_THAT(bank.Do(bank.branch().PlanNoShow(1, bank.Ctx("counter:1"))), IsOk());
  bank.Set(At(10, 4));
  ASSERT_THAT(bank.Do(bank.branch().PlanReinstate(id, 0, bank.Ctx("kiosk:k1"))), IsOk());
  ASSERT_EQ(bank.T(id).state, TicketState::kWaiting);
  auto again = bank.TryCheckIn(code);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->plan.ticket_id, id);
  EXPECT_EQ(again->outcome, CheckInOutcome::kOnTime);
  EXPECT_TRUE(again->plan.change.empty());
}

TEST(AppointmentCheckInTest, EarlyTicketIsNotCallableBeforeTheLead) {
  Bank bank;
  bank.Open(1);
  const std::string code = bank.Book("A", At(10, 0));
  bank.Set(At(9, 30));
  auto check_in = bank.TryCheckIn(code);
  ASSERT_THAT(check_in, IsOk());
  ASSERT_EQ(check_in->outcome, CheckInOutcome::kEarly);
  const uint64_t appointment = check_in->plan.ticket_id;

  EXPECT_EQ(bank.T(appointment).queued_at, At(9, 55));

  bank.Set(At(9, 31));
  const uint64_t walk_in = bank.Issue("A");
  bank.Set(At(9, 40));
  // The counter calls the walk-in, not the appointment that is not due yet.
  EXPECT_EQ(bank.Call(1), walk_in);
  bank.Finish(1);
  // With only the early appointment waiting, there is nobody to call.
  bank.Set(At(9, 45));
  EXPECT_EQ(bank.Call(1), 0u);
  EXPECT_EQ(bank.T(appointment).state, TicketState::kWaiting);

  bank.Set(At(9, 50));
  const uint64_t second_walk_in = bank.Issue("A");
  const uint64_t third_walk_in = bank.Issue("A");
  // A microsecond before slot - lead it is still not due.
  bank.Set(At(9, 55) - kMicro);
  EXPECT_EQ(bank.Call(1), second_walk_in);
  bank.Finish(1);
  // From slot - lead it is called, ahead of the normal ticket waiting since 09:50.
  bank.Set(At(9, 55));
  EXPECT_EQ(bank.Call(1), appointment);
  bank.Finish(1);
  EXPECT_EQ(bank.Call(1), third_walk_in);
}

TEST(AppointmentCheckInTest, OnTimeTicketGoesAheadOfNormalTickets) {
  Bank bank;
  bank.Open(1);
  const std::string code = bank.Book("A", At(10, 0));
  // Waiting 13 min at 10:03: under the service's max_wait (20 min), so not overdue.
  bank.Set(At(9, 50));
  const uint64_t walk_in = bank.Issue("A");
  bank.Set(At(10, 3));
  const uint64_t appointment = bank.TryCheckIn(code).value_or(CheckIn{}).plan.ticket_id;
  EXPECT_EQ(bank.Call(1), appointment);
  bank.Finish(1);
  EXPECT_EQ(bank.Call(1), walk_in);
}

TEST(AppointmentCheckInTest, LateTicketIsNormalAndQueuesByItsIssueTime) {
  Bank bank;
  bank.Open(1);
  const std::string code = bank.Book("A", At(10, 0));
  bank.Set(At(10, 5));
  const uint64_t walk_in = bank.Issue("A");
  bank.Set(At(10, 30));
  auto check_in = bank.TryCheckIn(code);
  ASSERT_THAT(check_in, IsOk());
  EXPECT_EQ(check_in->outcome, CheckInOutcome::kLate);
  EXPECT_THAT(check_in->plan.change.events[1].detail, HasSubstr("late"));
  const uint64_t late = check_in->plan.ticket_id;
  EXPECT_EQ(bank.T(late).priority, PriorityClass::kNormal);
  EXPECT_EQ(bank.T(late).appointment_code, code);
  EXPECT_EQ(bank.WaitingIds("A"), (std::vector<uint64_t>{walk_in, late}));
  EXPECT_EQ(bank.Call(1), walk_in);
}

TEST(AppointmentCheckInTest, MissedAppointmentCanStillCheckInLateThatDay) {
  Bank bank;
  const std::string code = bank.Book("A", At(10, 0));
  bank.Set(At(10, 10) + kMicro);
  bank.Timeouts();
  ASSERT_EQ(bank.A(code).state, AppointmentState::kMissed);
  bank.Set(At(11, 0));
  auto check_in = bank.TryCheckIn(code);
  ASSERT_THAT(check_in, IsOk());
  EXPECT_EQ(check_in->outcome, CheckInOutcome::kLate);
  EXPECT_EQ(bank.T(check_in->plan.ticket_id).priority, PriorityClass::kNormal);
  EXPECT_EQ(bank.A(code).state, AppointmentState::kCheckedIn);
}

TEST(AppointmentCheckInTest, CodeUsedYesterdayIsRefusedTodayAndChangesNothing) {
  Bank bank;
  bank.Open(1);
  const std::string code = bank.Book("A", At(10, 0));
  bank.Set(At(10, 0));
  ASSERT_THAT(bank.TryCheckIn(code), IsOk());
  bank.Call(1);
  bank.Finish(1);
  bank.Set(Local(2024, 3, 13, 10, 0));
  const Observed before = bank.Observe();
  auto again = bank.TryCheckIn(code);
  EXPECT_THAT(again, StatusIs(kFailedPrecondition));
  EXPECT_THAT(again.status().message(), HasSubstr("already used to check in on 2024-03-12"));
  EXPECT_TRUE(bank.Observe() == before);
}

TEST(AppointmentCheckInTest, NextDayIsRefusedAndChangesNothing) {
  Bank bank;
  const std::string code = bank.Book("A", At(16, 30));
  bank.Set(Local(2024, 3, 13, 9, 0));
  const Observed before = bank.Observe();
  auto check_in = bank.TryCheckIn(code);
  EXPECT_THAT(check_in, StatusIs(kFailedPrecondition));
  EXPECT_THAT(check_in.status().message(), HasSubstr("2024-03-12 16:30"));
  EXPECT_TRUE(bank.Observe() == before);
  EXPECT_THAT(bank.WaitingIds("A"), IsEmpty());
}

// A branch open until midnight: the last slot is 23:30, its window ends 23:40.
BranchInfo LateNightInfo() {
  BranchInfo info = ApptInfo();
  info.closing_time = absl::Hours(24);
  return info;
}

TEST(AppointmentCheckInTest, LateCheckInJustBeforeMidnightIsLate) {
  Bank bank(LateNightInfo());
  const std::string code = bank.Book("A", At(23, 30));
  bank.Set(Local(2024, 3, 13, 0, 0) - kMicro);
  auto check_in = bank.TryCheckIn(code);
  ASSERT_THAT(check_in, IsOk());
  EXPECT_EQ(check_in->outcome, CheckInOutcome::kLate);
  EXPECT_EQ(bank.T(check_in->plan.ticket_id).business_day, kDay);
}

TEST(AppointmentCheckInTest, LateCheckInAtMidnightIsAnotherDay) {
  Bank bank(LateNightInfo());
  const std::string code = bank.Book("A", At(23, 30));
  bank.Set(Local(2024, 3, 13, 0, 0));
  const Observed before = bank.Observe();
  EXPECT_THAT(bank.TryCheckIn(code), StatusIs(kFailedPrecondition));
  EXPECT_TRUE(bank.Observe() == before);
  EXPECT_EQ(bank.A(code).state, AppointmentState::kBooked);
}

TEST(AppointmentCheckInTest, WindowThatCrossesMidnightIsStillOnTime) {
  // Slots of 5 min until midnight: the 23:55 slot's window runs to 00:05.
  BranchInfo info = LateNightInfo();
  info.slot_length = absl::Minutes(5);
  Bank bank(info);
  const std::string code = bank.Book("A", At(23, 55));
  bank.Set(Local(2024, 3, 13, 0, 5));
  auto check_in = bank.TryCheckIn(code);
  ASSERT_THAT(check_in, IsOk());
  EXPECT_EQ(check_in->outcome, CheckInOutcome::kOnTime);
}

// --- Timers ---

TEST(AppointmentTimerTest, NothingPendingMeansNoDeadline) {
  Bank bank;
  EXPECT_EQ(bank.branch().NextDeadline(), std::nullopt);
  EXPECT_TRUE(bank.Timeouts().change.empty());
}

TEST(AppointmentTimerTest, EarliestBookedAppointmentIsMissedJustAfterItsWindow) {
  Bank bank;
  const std::string at11 = bank.Book("A", At(11, 0));
  const std::string at10 = bank.Book("C", At(10, 0));
  EXPECT_EQ(bank.branch().NextDeadline(), At(10, 10) + kMicro);

  // Before it: nothing, and the last instant of the window still checks in on time.
  bank.Set(At(10, 10));
  EXPECT_TRUE(bank.Timeouts().change.empty());
  EXPECT_EQ(bank.A(at10).state, AppointmentState::kBooked);

  bank.Set(At(10, 10) + kMicro);
  const Plan plan = bank.Timeouts();
  ASSERT_THAT(plan.change.appointments, SizeIs(1));
  EXPECT_EQ(plan.change.appointments[0].code, at10);
  const Event e = OnlyEvent(plan);
  EXPECT_EQ(e.type, EventType::kAppointmentMissed);
  EXPECT_EQ(e.service_code, "C");
  EXPECT_EQ(e.actor, "timer");
  const Appointment missed = bank.A(at10);
  EXPECT_EQ(missed.state, AppointmentState::kMissed);
  EXPECT_EQ(missed.closed_at, At(10, 10) + kMicro);
  EXPECT_EQ(missed.phone, bank.A(at10).phone);
  EXPECT_FALSE(missed.phone.empty());  // kept until the day is over
  EXPECT_EQ(bank.A(at11).state, AppointmentState::kBooked);
  EXPECT_EQ(bank.branch().NextDeadline(), At(11, 10) + kMicro);
  // Running again changes nothing.
  EXPECT_TRUE(bank.Timeouts().change.empty());
}

TEST(AppointmentTimerTest, AppointmentsOfTheSameSlotAreMissedTogether) {
  Bank bank;
  const std::string a = bank.Book("A", At(10, 0));
  const std::string b = bank.Book("A", At(10, 0));
  const std::string c = bank.Book("C", At(10, 0));
  bank.Set(At(12, 0));  // the timer ran late
  const Plan plan = bank.Timeouts();
  EXPECT_THAT(EventTypes(plan),
              ElementsAre(EventType::kAppointmentMissed, EventType::kAppointmentMissed,
                          EventType::kAppointmentMissed));
  for (const std::string& code : {a, b, c}) {
    EXPECT_EQ(bank.A(code).state, AppointmentState::kMissed) << code;
  }
}

TEST(AppointmentTimerTest, CheckedInAndCancelledAppointmentsAreNotMissed) {
  Bank bank;
  const std::string checked_in = bank.Book("A", At(10, 0));
  const std::string cancelled = bank.Book("A", At(10, 0));
  ASSERT_THAT(bank.TryCancel(cancelled), IsOk());
  bank.Set(At(9, 45));
  ASSERT_THAT(bank.TryCheckIn(checked_in), IsOk());
  // Nothing booked is left: the next thing to do is the purge at midnight.
  EXPECT_EQ(bank.branch().NextDeadline(), Local(2024, 3, 13, 0, 0));
  bank.Set(At(12, 0));
  EXPECT_TRUE(bank.Timeouts().change.empty());
  EXPECT_EQ(bank.A(checked_in).state, AppointmentState::kCheckedIn);
  EXPECT_EQ(bank.A(cancelled).state, AppointmentState::kCancelled);
}

TEST(AppointmentTimerTest, PersonalDetailsArePurgedAfterTheLocalDay) {
  Bank bank;
  const std::string missed = bank.Book("A", At(10, 0));
  const std::string checked_in = bank.Book("A", At(11, 0));
  const std::string cancelled = bank.Book("C", At(15, 0));
  const std::string tomorrow = bank.Book("A", Local(2024, 3, 13, 10, 0));
  ASSERT_THAT(bank.TryCancel(cancelled), IsOk());
  bank.Set(At(10, 30));
  bank.Timeouts();
  bank.Set(At(10, 55));
  ASSERT_THAT(bank.TryCheckIn(checked_in), IsOk());

  const absl::Time midnight = Local(2024, 3, 13, 0, 0);
  EXPECT_EQ(bank.branch().NextDeadline(), midnight);
  bank.Set(midnight - kMicro);
  EXPECT_TRUE(bank.Timeouts().change.empty());
  for (const std::string& code : {missed, checked_in, cancelled}) {
    EXPECT_FALSE(bank.A(code).phone.empty()) << code;
  }

  bank.Set(midnight);
  const Plan plan = bank.Timeouts();
  EXPECT_THAT(plan.change.appointments, SizeIs(3));
  const Event e = OnlyEvent(plan);
  EXPECT_EQ(e.type, EventType::kDetailsPurged);
  EXPECT_THAT(e.detail, HasSubstr("3"));
  const struct {
    std::string code;
    AppointmentState state;
  } closed[] = {{missed, AppointmentState::kMissed},
                {checked_in, AppointmentState::kCheckedIn},
                {cancelled, AppointmentState::kCancelled}};
  for (const auto& c : closed) {
    SCOPED_TRACE(c.code);
    const Appointment a = bank.A(c.code);
    EXPECT_EQ(a.state, c.state);
    EXPECT_EQ(a.customer_name, "");
    EXPECT_EQ(a.phone, "");
    EXPECT_EQ(a.service_code.empty(), false);
  }
  EXPECT_FALSE(bank.A(tomorrow).phone.empty());
  EXPECT_FALSE(bank.A(tomorrow).customer_name.empty());
  EXPECT_EQ(bank.branch().NextDeadline(), Local(2024, 3, 13, 10, 10) + kMicro);
  EXPECT_TRUE(bank.Timeouts().change.empty());
  // A purged code still answers, with the same refusal as before.
  EXPECT_THAT(bank.TryCheckIn(missed), StatusIs(kFailedPrecondition));
}

TEST(AppointmentTimerTest, MissedAndPurgedTogetherWhenTheTimerRunsAfterMidnight) {
  Bank bank;
  const std::string code = bank.Book("A", At(16, 30));
  bank.Set(Local(2024, 3, 13, 8, 0));
  bank.Timeouts();
  EXPECT_EQ(bank.A(code).state, AppointmentState::kMissed);
  // Whatever the first run left, the deadline is now and the next run purges.
  ASSERT_NE(bank.branch().NextDeadline(), std::nullopt);
  EXPECT_LE(*bank.branch().NextDeadline(), bank.Now());
  bank.Timeouts();
  EXPECT_EQ(bank.A(code).phone, "");
  EXPECT_EQ(bank.A(code).state, AppointmentState::kMissed);
  EXPECT_EQ(bank.branch().NextDeadline(), std::nullopt);
}

// --- Restore ---

TEST(AppointmentRestoreTest, RestartKeepsAppointments) {
  Bank bank;
  const std::string booked = bank.Book("C", At(10, 0));
  const std::string checked_in = bank.Book("A", At(9, 0));
  bank.Set(At(8, 50));
  ASSERT_THAT(bank.TryCheckIn(checked_in), IsOk());

  Branch restored(bank.Snapshot(), Shanghai());
  ASSERT_NE(restored.FindAppointment(booked), nullptr);
  ASSERT_NE(restored.FindAppointment(checked_in), nullptr);
  EXPECT_TRUE(*restored.FindAppointment(booked) == bank.A(booked));
  EXPECT_EQ(restored.NextDeadline(), bank.branch().NextDeadline());
  auto slots = restored.ListSlots("C", kDay);
  ASSERT_THAT(slots, IsOk());
  EXPECT_EQ((*slots)[2].booked, 1);
  // The full slot is still full, and a retried booking still gets its code.
  int calls = 0;
  EXPECT_THAT(restored.PlanBook("C", At(10, 0), "", "13900139000", "r-new",
                                Codes({CodeNumber(50)}, &calls), bank.Ctx()),
              StatusIs(kResourceExhausted));
  auto retry = restored.PlanBook("C", At(10, 0), "Li Lei", bank.A(booked).phone, "book-1",
                                 Codes({CodeNumber(51)}, &calls), bank.Ctx());
  ASSERT_THAT(retry, IsOk());
  EXPECT_EQ(retry->appointment_code, booked);
  auto again = restored.PlanCheckIn(checked_in, bank.Ctx());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->plan.ticket_id, bank.A(checked_in).ticket_id);
}

// --- Daylight saving time (America/New_York) ---

// 2026-03-08: at 02:00 EST the clocks jump to 03:00 EDT (07:00 UTC).
BranchInfo NewYorkInfo(absl::Duration opening, absl::Duration closing) {
  BranchInfo info = ApptInfo("America/New_York");
  info.opening_time = opening;
  info.closing_time = closing;
  return info;
}

TEST(AppointmentDstTest, SpringForwardSlotsAreDistinctAndIncreasing) {
  Bank bank(NewYorkInfo(absl::Hours(1), absl::Hours(5)), Utc(2026, 3, 7, 15, 0));
  auto slots = bank.branch().ListSlots("A", absl::CivilDay(2026, 3, 8));
  ASSERT_THAT(slots, IsOk());
  const std::vector<absl::Time> starts = Starts(*slots);
  ASSERT_FALSE(starts.empty());
  for (size_t i = 1; i < starts.size(); ++i) {
    EXPECT_LT(starts[i - 1], starts[i])
        << "slot " << i << " at " << absl::FormatTime(starts[i], bank.branch().zone());
  }
  // 01:00 and 01:30 EST, then 03:00 EDT onwards; no slot is listed twice.
  EXPECT_THAT(starts, ::testing::Contains(Utc(2026, 3, 8, 6, 0)));
  EXPECT_THAT(starts, ::testing::Contains(Utc(2026, 3, 8, 6, 30)));
  EXPECT_THAT(starts, ::testing::Contains(Utc(2026, 3, 8, 7, 0)));
  EXPECT_THAT(starts, ::testing::Contains(Utc(2026, 3, 8, 8, 30)));  // 04:30 EDT
  EXPECT_EQ(std::count(starts.begin(), starts.end(), Utc(2026, 3, 8, 7, 0)), 1);
}

TEST(AppointmentDstTest, SpringForwardBookingFillsOneListedSlot) {
  Bank bank(NewYorkInfo(absl::Hours(1), absl::Hours(5)), Utc(2026, 3, 7, 15, 0));
  const absl::Time three_edt = Utc(2026, 3, 8, 7, 0);
  bank.Book("C", three_edt);
  int listed_full = 0;
  for (const SlotView& s :
       bank.branch().ListSlots("C", absl::CivilDay(2026, 3, 8)).value_or(std::vector<SlotView>{})) {
    listed_full += s.booked;
  }
  EXPECT_EQ(listed_full, 1);
}

TEST(AppointmentDstTest, SpringForwardCheckInWindowIsRealTime) {
  const absl::Time slot = Utc(2026, 3, 8, 7, 0);  // 03:00 EDT
  const struct {
    std::string name;
    absl::Time now;
    std::optional<CheckInOutcome> outcome;
  } cases[] = {
      // 01:29:59.999999 EST is 30 real minutes (less a microsecond) before 03:00 EDT.
      {"just before opening", Utc(2026, 3, 8, 6, 30) - kMicro, std::nullopt},
      {"01:30 EST", Utc(2026, 3, 8, 6, 30), CheckInOutcome::kEarly},
      {"01:54:59 EST", Utc(2026, 3, 8, 6, 55) - kMicro, CheckInOutcome::kEarly},
      {"01:55 EST", Utc(2026, 3, 8, 6, 55), CheckInOutcome::kOnTime},
      {"03:10 EDT", Utc(2026, 3, 8, 7, 10), CheckInOutcome::kOnTime},
      {"just after 03:10 EDT", Utc(2026, 3, 8, 7, 10) + kMicro, CheckInOutcome::kLate},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Bank bank(NewYorkInfo(absl::Hours(1), absl::Hours(5)), Utc(2026, 3, 7, 15, 0));
    const std::string code = bank.Book("A", slot);
    bank.Set(c.now);
    auto check_in = bank.TryCheckIn(code);
    if (!c.outcome) {
      EXPECT_THAT(check_in, StatusIs(kFailedPrecondition));
      EXPECT_THAT(check_in.status().message(), HasSubstr("01:30"));
      continue;
    }
    ASSERT_THAT(check_in, IsOk());
    EXPECT_EQ(check_in->outcome, *c.outcome);
    if (*c.outcome == CheckInOutcome::kEarly) {
      EXPECT_EQ(bank.T(check_in->plan.ticket_id).queued_at, Utc(2026, 3, 8, 6, 55));
    }
  }
  // The missed-timer counts real time too.
  Bank bank(NewYorkInfo(absl::Hours(1), absl::Hours(5)), Utc(2026, 3, 7, 15, 0));
  bank.Book("A", slot);
  EXPECT_EQ(bank.branch().NextDeadline(), Utc(2026, 3, 8, 7, 10) + kMicro);
}

// 2026-11-01: at 02:00 EDT the clocks go back to 01:00 EST (06:00 UTC).
TEST(AppointmentDstTest, FallBackSlotsAreDistinctAndIncreasing) {
  Bank bank(NewYorkInfo(absl::ZeroDuration(), absl::Hours(4)), Utc(2026, 10, 31, 15, 0));
  auto slots = bank.branch().ListSlots("A", absl::CivilDay(2026, 11, 1));
  ASSERT_THAT(slots, IsOk());
  // Every local half hour once; the repeated 01:00-02:00 is offered the first time.
  EXPECT_THAT(Starts(*slots),
              ElementsAre(Utc(2026, 11, 1, 4, 0), Utc(2026, 11, 1, 4, 30), Utc(2026, 11, 1, 5, 0),
                          Utc(2026, 11, 1, 5, 30), Utc(2026, 11, 1, 7, 0), Utc(2026, 11, 1, 7, 30),
                          Utc(2026, 11, 1, 8, 0), Utc(2026, 11, 1, 8, 30)));
  // 01:30 EST (the second one) is not a slot.
  EXPECT_THAT(bank.TryBook("A", Utc(2026, 11, 1, 6, 30), "12125550100", "r"),
              StatusIs(kInvalidArgument));
}

TEST(AppointmentDstTest, FallBackCheckInWindowIsRealTime) {
  const absl::Time two_est = Utc(2026, 11, 1, 7, 0);
  const struct {
    std::string name;
    absl::Time now;
    std::optional<CheckInOutcome> outcome;
  } cases[] = {
      // The first 01:30 (EDT) is 90 real minutes before 02:00 EST.
      {"01:30 EDT", Utc(2026, 11, 1, 5, 30), std::nullopt},
      {"01:29:59 EST", Utc(2026, 11, 1, 6, 30) - kMicro, std::nullopt},
      {"01:30 EST", Utc(2026, 11, 1, 6, 30), CheckInOutcome::kEarly},
      {"01:55 EST", Utc(2026, 11, 1, 6, 55), CheckInOutcome::kOnTime},
      {"02:10 EST", Utc(2026, 11, 1, 7, 10), CheckInOutcome::kOnTime},
      {"02:10:00.000001 EST", Utc(2026, 11, 1, 7, 10) + kMicro, CheckInOutcome::kLate},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Bank bank(NewYorkInfo(absl::ZeroDuration(), absl::Hours(4)), Utc(2026, 10, 31, 15, 0));
    const std::string code = bank.Book("A", two_est);
    bank.Set(c.now);
    auto check_in = bank.TryCheckIn(code);
    if (!c.outcome) {
      EXPECT_THAT(check_in, StatusIs(kFailedPrecondition));
      EXPECT_EQ(bank.A(code).state, AppointmentState::kBooked);
      continue;
    }
    ASSERT_THAT(check_in, IsOk());
    EXPECT_EQ(check_in->outcome, *c.outcome);
    if (*c.outcome == CheckInOutcome::kEarly) {
      EXPECT_EQ(bank.T(check_in->plan.ticket_id).queued_at, Utc(2026, 11, 1, 6, 55));
    }
  }
}

TEST(AppointmentDstTest, FallBackLateIsMeasuredInRealTimeNotOnTheWallClock) {
  // The 01:30 EDT slot's window ends at 01:40 EDT. At 01:35 EST the wall clock
  // reads earlier than that, but an hour has passed: the customer is late.
  Bank bank(NewYorkInfo(absl::ZeroDuration(), absl::Hours(4)), Utc(2026, 10, 31, 15, 0));
  const std::string code = bank.Book("A", Utc(2026, 11, 1, 5, 30));
  bank.Set(Utc(2026, 11, 1, 6, 35));
  auto check_in = bank.TryCheckIn(code);
  ASSERT_THAT(check_in, IsOk());
  EXPECT_EQ(check_in->outcome, CheckInOutcome::kLate);
}

TEST(AppointmentDstTest, PurgeWaitsForLocalMidnightOnA25HourDay) {
  Bank bank(NewYorkInfo(absl::ZeroDuration(), absl::Hours(4)), Utc(2026, 10, 31, 15, 0));
  const std::string code = bank.Book("A", Utc(2026, 11, 1, 4, 0));
  ASSERT_THAT(bank.TryCancel(code), IsOk());
  // Midnight after 2026-11-01 in New York is 05:00 UTC (EST).
  EXPECT_EQ(bank.branch().NextDeadline(), Utc(2026, 11, 2, 5, 0));
  bank.Set(Utc(2026, 11, 2, 5, 0) - kMicro);
  EXPECT_TRUE(bank.Timeouts().change.empty());
  bank.Set(Utc(2026, 11, 2, 5, 0));
  EXPECT_THAT(EventTypes(bank.Timeouts()), ElementsAre(EventType::kDetailsPurged));
  EXPECT_EQ(bank.A(code).phone, "");
}

TEST(AppointmentDstTest, LocalDayDecidesTheNextDayRuleInNewYork) {
  // 23:30 EST on 2026-11-01 is already 2026-11-02 in UTC; it is still the same
  // local day, so a late check-in is a late ticket.
  BranchInfo info = NewYorkInfo(absl::Hours(9), absl::Hours(17));
  Bank bank(info, Utc(2026, 10, 31, 15, 0));
  const std::string code = bank.Book("A", Utc(2026, 11, 1, 21, 30));  // 16:30 EST
  bank.Set(Utc(2026, 11, 2, 4, 30));                                  // 23:30 EST
  auto check_in = bank.TryCheckIn(code);
  ASSERT_THAT(check_in, IsOk());
  EXPECT_EQ(check_in->outcome, CheckInOutcome::kLate);
  EXPECT_EQ(bank.T(check_in->plan.ticket_id).business_day, absl::CivilDay(2026, 11, 1));
  Bank next(info, Utc(2026, 10, 31, 15, 0));
  const std::string other = next.Book("A", Utc(2026, 11, 1, 21, 30));
  next.Set(Utc(2026, 11, 2, 5, 0));  // 00:00 EST
  EXPECT_THAT(next.TryCheckIn(other), StatusIs(kFailedPrecondition));
}

}  // namespace
}  // namespace lobbyq::domain::testing
