#include "server/store/store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/migrations.h"

namespace lobbyq::store {
namespace {

using domain::Appointment;
using domain::AppointmentState;
using domain::BranchInfo;
using domain::BranchSnapshot;
using domain::CallStrategy;
using domain::Change;
using domain::CountedRule;
using domain::Counter;
using domain::CounterState;
using domain::Event;
using domain::EventType;
using domain::NumberSequence;
using domain::Placement;
using domain::PriorityClass;
using domain::RequestRecord;
using domain::ServiceConfig;
using domain::Ticket;
using domain::TicketState;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Microsecond precision on purpose: that is what the store keeps.
const absl::Time kNow = absl::FromUnixMicros(1'700'000'000'123'456);
const absl::CivilDay kToday(2023, 11, 15);

BranchInfo Branch(const std::string& id) {
  return {.id = id,
          .name = "Branch " + id,
          .timezone = "Asia/Shanghai",
          .rating_window = absl::Minutes(7)};
}

ServiceConfig Service(const std::string& code, absl::Duration target) {
  return {.code = code,
          .name_zh = "业务" + code,
          .name_en = "Service " + code,
          .target_wait = target,
          .expected_service_time = absl::Seconds(250)};
}

Ticket WaitingTicket(uint64_t id, const std::string& service, absl::Time issued_at) {
  Ticket t;
  t.id = id;
  t.number = static_cast<int>(id);
  t.prefix = service;
  t.service_code = service;
  t.origin_service_code = service;
  t.business_day = kToday;
  t.issued_at = issued_at;
  return t;
}

// Every optional field set, every field away from its default.
Ticket RatedTicket(uint64_t id, absl::Time issued_at) {
  Ticket t = WaitingTicket(id, "A", issued_at);
  t.service_code = "B";
  t.priority = PriorityClass::kGreenChannel;
  t.state = TicketState::kDone;
  t.business_day = absl::CivilDay(2023, 11, 12);
  t.first_called_at = issued_at + absl::Minutes(3);
  t.called_at = issued_at + absl::Minutes(5);
  t.started_at = issued_at + absl::Minutes(6);
  t.finished_at = issued_at + absl::Minutes(9);
  t.counter = 2;
  t.recall_count = 1;
  t.request_id = absl::StrCat("req-", id);
  t.rating = 4;
  t.rating_comment = "快，谢谢";
  t.rated_at = issued_at + absl::Minutes(10);
  return t;
}

// Every v2 setting away from its default.
BranchInfo TunedBranch(const std::string& id) {
  BranchInfo b = Branch(id);
  b.recall_limit = 3;
  b.auto_no_show_after = absl::Seconds(150);
  b.reinstate_grace = absl::Minutes(45);
  b.reinstate_placement = Placement::kEnd;
  b.transfer_placement = Placement::kFront;
  b.checkin_early = absl::Minutes(20);
  b.checkin_late = absl::Minutes(15);
  b.appointment_lead = absl::Minutes(2);
  b.opening_time = absl::Hours(8) + absl::Minutes(30);
  b.closing_time = absl::Hours(16) + absl::Minutes(45);
  b.slot_length = absl::Minutes(20);
  b.booking_horizon_days = 14;
  return b;
}

Appointment MakeAppointment(const std::string& code, absl::Time slot_start,
                            AppointmentState state) {
  Appointment a;
  a.code = code;
  a.service_code = "A";
  a.slot_start = slot_start;
  a.customer_name = "王芳";
  a.phone = "13800001234";
  a.state = state;
  a.booked_at = slot_start - absl::Hours(30);
  a.request_id = "book-" + code;
  if (state != AppointmentState::kBooked) a.closed_at = slot_start + absl::Minutes(1);
  if (state == AppointmentState::kCheckedIn) a.ticket_id = 77;
  return a;
}

Event MakeEvent(const std::string& branch_id, EventType type, uint64_t ticket_id) {
  Event e;
  e.at = kNow;
  e.branch_id = branch_id;
  e.type = type;
  e.ticket_id = ticket_id;
  e.service_code = "A";
  return e;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::path(::testing::TempDir()) /
        absl::StrCat("store_test_", ::testing::UnitTest::GetInstance()->current_test_info()->name(),
                     "_", getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "lobbyq.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `sql` on the file through a connection of its own, as an operator would.
  void RawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  // The first column of every row `sql` returns, as text.
  std::vector<std::string> RawQuery(const std::string& sql) {
    std::vector<std::string> values;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      values.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    EXPECT_EQ(rc, SQLITE_DONE);
    sqlite3_finalize(stmt);
    EXPECT_EQ(sqlite3_close(db), SQLITE_OK);
    return values;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(StoreTest, MigratesEmptyFileToLatestSchema) {
  ASSERT_GE(Store::LatestSchemaVersion(), 1);
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    absl::StatusOr<int> version = (*store)->SchemaVersion();
    ASSERT_TRUE(version.ok()) << version.status();
    EXPECT_EQ(*version, Store::LatestSchemaVersion());
    absl::StatusOr<std::vector<std::string>> ids = (*store)->ListBranchIds();
    ASSERT_TRUE(ids.ok()) << ids.status();
    EXPECT_THAT(*ids, IsEmpty());
  }
  EXPECT_THAT(
      RawQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
               "'sqlite_%' ORDER BY name"),
      ElementsAre("appointments", "branches", "counters", "devices", "events", "number_sequences",
                  "requests", "services", "sessions", "tickets", "users"));
  EXPECT_THAT(RawQuery("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE "
                       "'sqlite_%' ORDER BY name"),
              ElementsAre("appointments_by_request_id", "appointments_by_slot", "events_by_actor",
                          "events_by_branch", "events_by_branch_at", "events_by_ticket",
                          "events_counter_states", "requests_by_at", "sessions_by_user",
                          "tickets_by_issued_at", "tickets_by_request_id", "tickets_by_state"));
  // Every table is STRICT, the v2 one included.
  EXPECT_THAT(RawQuery("SELECT name FROM pragma_table_list WHERE schema = 'main' AND strict = 0 "
                       "AND name NOT LIKE 'sqlite_%'"),
              IsEmpty());
  EXPECT_THAT(RawQuery("PRAGMA journal_mode"), ElementsAre("wal"));
  EXPECT_THAT(RawQuery("PRAGMA user_version"),
              ElementsAre(absl::StrCat(Store::LatestSchemaVersion())));

  // A second open finds nothing to migrate.
  absl::StatusOr<std::unique_ptr<Store>> again = Store::Open(path_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*(*again)->SchemaVersion(), Store::LatestSchemaVersion());
}

TEST_F(StoreTest, ReopenRestoresCommittedState) {
  const absl::Time closed_since = kNow - absl::Hours(24);
  Change b1;
  b1.branch_id = "b1";
  b1.branch = Branch("b1");
  // Created in this order, which is not alphabetical.
  b1.services = {Service("V", absl::Minutes(3)), Service("A", absl::Minutes(8)),
                 Service("B", absl::Seconds(90))};
  Counter open_counter{.number = 2,
                       .name = "Window 2 (爱心窗口)",
                       .service_codes = {"V", "A"},
                       .state = CounterState::kOpen,
                       .state_since = kNow - absl::Minutes(30),
                       .current_ticket_id = 3,
                       .last_finished_ticket_id = 4};
  Counter closed_counter{.number = 1, .name = "Window 1"};
  b1.counters = {open_counter, closed_counter};
  Ticket old_done = RatedTicket(1, closed_since - absl::Hours(48));
  Ticket waiting = WaitingTicket(2, "A", kNow - absl::Minutes(2));
  Ticket serving = RatedTicket(3, kNow - absl::Minutes(20));
  serving.state = TicketState::kServing;
  serving.finished_at.reset();
  serving.rating = 0;
  serving.rating_comment.clear();
  serving.rated_at.reset();
  Ticket recent_done = RatedTicket(4, closed_since);  // exactly at the boundary: kept
  Ticket old_no_show = WaitingTicket(5, "B", closed_since - absl::Microseconds(1));
  old_no_show.state = TicketState::kNoShow;
  Ticket old_waiting = WaitingTicket(6, "V", closed_since - absl::Hours(72));
  b1.tickets = {old_no_show, recent_done, old_done, waiting, serving, old_waiting};
  b1.sequences = {{.service_code = "B", .business_day = kToday, .last_number = 5},
                  {.service_code = "A", .business_day = kToday, .last_number = 4},
                  {.service_code = "A", .business_day = kToday - 1, .last_number = 999}};
  b1.events = {MakeEvent("b1", EventType::kConfigChanged, 0),
               MakeEvent("b1", EventType::kTicketIssued, 2)};

  Change b2;
  b2.branch_id = "b2";
  b2.branch = Branch("b2");
  b2.tickets = {WaitingTicket(9, "A", kNow)};
  b2.events = {MakeEvent("b2", EventType::kTicketIssued, 9)};
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->Commit(b1).ok());
    ASSERT_TRUE((*store)->Commit(b2).ok());
  }

  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<std::vector<std::string>> ids = (*store)->ListBranchIds();
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, ElementsAre("b1", "b2"));

  absl::StatusOr<BranchSnapshot> snap = (*store)->LoadBranch("b1", closed_since);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->info, *b1.branch);
  EXPECT_EQ(snap->services, b1.services);
  EXPECT_THAT(snap->counters, ElementsAre(closed_counter, open_counter));
  EXPECT_THAT(snap->tickets, ElementsAre(waiting, serving, recent_done, old_waiting));
  EXPECT_THAT(snap->sequences, ElementsAre(b1.sequences[2], b1.sequences[1], b1.sequences[0]));
  // Ticket 6 is excluded but still counts, so no id is ever handed out twice.
  EXPECT_EQ(snap->max_ticket_id, 6u);
  EXPECT_EQ(snap->last_event_seq, b1.events.back().seq);
  EXPECT_NE(snap->last_event_seq, 0u);

  absl::StatusOr<BranchSnapshot> other = (*store)->LoadBranch("b2", closed_since);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_THAT(other->services, IsEmpty());
  EXPECT_THAT(other->counters, IsEmpty());
  EXPECT_THAT(other->tickets, ElementsAre(b2.tickets[0]));
  EXPECT_EQ(other->max_ticket_id, 9u);
  EXPECT_EQ(other->last_event_seq, b2.events[0].seq);

  // With closed_since in the past, everything comes back.
  absl::StatusOr<BranchSnapshot> all = (*store)->LoadBranch("b1", absl::InfinitePast());
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_THAT(all->tickets,
              ElementsAre(old_done, waiting, serving, recent_done, old_no_show, old_waiting));
}

TEST_F(StoreTest, LaterCommitsReplaceRowsAndServicesKeepCreationOrder) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  Change first;
  first.branch_id = "b1";
  first.branch = Branch("b1");
  first.services = {Service("C", absl::Minutes(5)), Service("A", absl::Minutes(5))};
  first.counters = {{.number = 1, .name = "Window 1", .service_codes = {"C"}}};
  first.tickets = {WaitingTicket(1, "C", kNow)};
  first.sequences = {{.service_code = "C", .business_day = kToday, .last_number = 1}};
  ASSERT_TRUE((*store)->Commit(first).ok());

  Change second;
  second.branch_id = "b1";
  second.branch = Branch("b1");
  second.branch->name = "Renamed";
  ServiceConfig renamed = Service("C", absl::Minutes(12));
  renamed.name_en = "Cash";
  second.services = {Service("B", absl::Minutes(5)), renamed};
  second.counters = {{.number = 1,
                      .name = "Window 1",
                      .service_codes = {"C", "B"},
                      .state = CounterState::kPaused,
                      .state_since = kNow}};
  Ticket called = first.tickets[0];
  called.state = TicketState::kCalled;
  called.first_called_at = called.called_at = kNow + absl::Minutes(1);
  called.counter = 1;
  second.tickets = {called};
  second.sequences = {{.service_code = "C", .business_day = kToday, .last_number = 2}};
  ASSERT_TRUE((*store)->Commit(second).ok());

  absl::StatusOr<BranchSnapshot> snap = (*store)->LoadBranch("b1", kNow);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->info, *second.branch);
  EXPECT_THAT(snap->services, ElementsAre(renamed, first.services[1], second.services[0]));
  EXPECT_THAT(snap->counters, ElementsAre(second.counters[0]));
  EXPECT_THAT(snap->tickets, ElementsAre(called));
  EXPECT_THAT(snap->sequences, ElementsAre(second.sequences[0]));
}

TEST_F(StoreTest, AssignsIncreasingEventSeqsAndPagesEvents) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  Change setup;
  setup.branch_id = "b1";
  setup.branch = Branch("b1");
  ASSERT_TRUE((*store)->Commit(setup).ok());
  setup.branch_id = "b2";
  setup.branch = Branch("b2");
  ASSERT_TRUE((*store)->Commit(setup).ok());

  Change first;
  first.branch_id = "b1";
  first.events = {MakeEvent("b1", EventType::kTicketIssued, 1),
                  MakeEvent("b1", EventType::kTicketCalled, 1),
                  MakeEvent("b1", EventType::kCounterOpened, 0)};
  first.events[1].from_state = TicketState::kWaiting;
  first.events[1].to_state = TicketState::kCalled;
  first.events[1].counter = 3;
  first.events[1].actor = "teller-7";
  first.events[1].detail = "call A001";
  first.events[2].counter_state = CounterState::kOpen;
  Change other;
  other.branch_id = "b2";
  other.events = {MakeEvent("b2", EventType::kTicketIssued, 1)};
  Change second;
  second.branch_id = "b1";
  second.events = {MakeEvent("b1", EventType::kTicketRated, 1),
                   MakeEvent("b1", EventType::kTicketFinished, 1)};
  for (Change* change : {&first, &other, &second}) {
    absl::Status status = (*store)->Commit(*change);
    ASSERT_TRUE(status.ok()) << status;
  }

  std::vector<Event> b1_events = first.events;
  b1_events.insert(b1_events.end(), second.events.begin(), second.events.end());
  uint64_t previous = 0;
  for (const Event& e : b1_events) {
    EXPECT_GT(e.seq, previous);
    previous = e.seq;
  }
  EXPECT_GT(other.events[0].seq, first.events.back().seq);
  EXPECT_LT(other.events[0].seq, second.events.front().seq);

  absl::StatusOr<std::vector<Event>> page = (*store)->ReadEvents("b1", 0, 2);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_THAT(*page, ElementsAre(b1_events[0], b1_events[1]));
  page = (*store)->ReadEvents("b1", page->back().seq, 2);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_THAT(*page, ElementsAre(b1_events[2], b1_events[3]));
  page = (*store)->ReadEvents("b1", page->back().seq, 2);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_THAT(*page, ElementsAre(b1_events[4]));
  page = (*store)->ReadEvents("b1", page->back().seq, 2);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(*page, IsEmpty());

  page = (*store)->ReadEvents("b2", 0, 100);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(*page, ElementsAre(other.events[0]));
  page = (*store)->ReadEvents("b1", 0, 0);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(*page, IsEmpty());
}

TEST_F(StoreTest, FailedCommitWritesNothing) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  Change setup;
  setup.branch_id = "b1";
  setup.branch = Branch("b1");
  // Empty request ids never clash.
  setup.tickets = {WaitingTicket(1, "A", kNow), WaitingTicket(2, "A", kNow), RatedTicket(3, kNow)};
  setup.tickets[2].state = TicketState::kWaiting;
  setup.events = {MakeEvent("b1", EventType::kTicketIssued, 1)};
  ASSERT_TRUE((*store)->Commit(setup).ok());
  absl::StatusOr<BranchSnapshot> before = (*store)->LoadBranch("b1", kNow);
  ASSERT_TRUE(before.ok()) << before.status();

  Change duplicate;
  duplicate.branch_id = "b1";
  duplicate.branch = Branch("b1");
  duplicate.branch->name = "Should not be written";
  duplicate.services = {Service("A", absl::Minutes(5))};
  duplicate.counters = {{.number = 1, .name = "Window 1"}};
  duplicate.tickets = {WaitingTicket(4, "A", kNow), WaitingTicket(5, "A", kNow)};
  duplicate.tickets[0].request_id = "kiosk-1/42";
  duplicate.tickets[1].request_id = "kiosk-1/42";
  duplicate.sequences = {{.service_code = "A", .business_day = kToday, .last_number = 5}};
  duplicate.events = {MakeEvent("b1", EventType::kTicketIssued, 4),
                      MakeEvent("b1", EventType::kTicketIssued, 5)};
  // Seqs left over from an earlier attempt must not survive a failed one.
  for (Event& e : duplicate.events) e.seq = 99;
  absl::Status status = (*store)->Commit(duplicate);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(path_));
  EXPECT_THAT(status.message(), HasSubstr("UNIQUE constraint failed"));
  for (const Event& e : duplicate.events) EXPECT_EQ(e.seq, 0u);

  // A clash with a ticket already on disk must fail too, not replace that ticket.
  Change retried;
  retried.branch_id = "b1";
  retried.tickets = {WaitingTicket(6, "A", kNow)};
  retried.tickets[0].request_id = setup.tickets[2].request_id;
  retried.tickets[0].business_day = setup.tickets[2].business_day;
  retried.events = {MakeEvent("b1", EventType::kTicketIssued, 6)};
  EXPECT_FALSE((*store)->Commit(retried).ok());
  EXPECT_EQ(retried.events[0].seq, 0u);

  absl::StatusOr<BranchSnapshot> after = (*store)->LoadBranch("b1", kNow);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->info, before->info);
  EXPECT_EQ(after->services, before->services);
  EXPECT_EQ(after->counters, before->counters);
  EXPECT_EQ(after->tickets, before->tickets);
  EXPECT_EQ(after->sequences, before->sequences);
  EXPECT_EQ(after->max_ticket_id, 3u);
  EXPECT_EQ(after->last_event_seq, setup.events[0].seq);
  absl::StatusOr<std::vector<Event>> events = (*store)->ReadEvents("b1", 0, 100);
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_THAT(*events, ElementsAre(setup.events[0]));

  // The store is still usable: the transaction was rolled back, not left open.
  duplicate.tickets[1].request_id = "kiosk-1/43";
  status = (*store)->Commit(duplicate);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_GT(duplicate.events[0].seq, setup.events[0].seq);
  EXPECT_GT(duplicate.events[1].seq, duplicate.events[0].seq);
  absl::StatusOr<BranchSnapshot> fixed = (*store)->LoadBranch("b1", kNow);
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  EXPECT_EQ(fixed->tickets.size(), 5u);
  EXPECT_EQ(fixed->info, *duplicate.branch);
}

// Group commit: the changes of several branches go to disk in one transaction,
// and a change the database refuses fails alone.
TEST_F(StoreTest, CommitAllWritesEveryGoodChangeAndRefusesOnlyTheBadOne) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  Change first;
  first.branch_id = "b1";
  first.branch = Branch("b1");
  first.tickets = {WaitingTicket(1, "A", kNow)};
  first.events = {MakeEvent("b1", EventType::kTicketIssued, 1)};
  Change second;
  second.branch_id = "b2";
  second.branch = Branch("b2");
  second.tickets = {WaitingTicket(1, "A", kNow), WaitingTicket(2, "A", kNow)};
  second.events = {MakeEvent("b2", EventType::kTicketIssued, 1),
                   MakeEvent("b2", EventType::kTicketIssued, 2)};
  Change nothing;  // a plan that changed nothing is fine in a batch
  std::vector<Change*> batch = {&first, &nothing, &second};
  std::vector<absl::Status> statuses = (*store)->CommitAll(batch);
  ASSERT_EQ(statuses.size(), 3u);
  for (const absl::Status& s : statuses) EXPECT_TRUE(s.ok()) << s;
  // Seqs follow the order of the batch.
  EXPECT_GT(first.events[0].seq, 0u);
  EXPECT_GT(second.events[0].seq, first.events[0].seq);
  EXPECT_GT(second.events[1].seq, second.events[0].seq);

  Change later;
  later.branch_id = "b1";
  later.tickets = {WaitingTicket(2, "A", kNow)};
  later.events = {MakeEvent("b1", EventType::kTicketIssued, 2)};
  Change orphan;
  orphan.branch_id = "nowhere";
  orphan.tickets = {WaitingTicket(1, "A", kNow)};
  orphan.events = {MakeEvent("nowhere", EventType::kTicketIssued, 1)};
  orphan.events[0].seq = 99;  // from an earlier attempt; must not survive
  Change also_later;
  also_later.branch_id = "b2";
  also_later.tickets = {WaitingTicket(3, "A", kNow)};
  also_later.events = {MakeEvent("b2", EventType::kTicketIssued, 3)};
  batch = {&later, &orphan, &also_later};
  statuses = (*store)->CommitAll(batch);
  ASSERT_EQ(statuses.size(), 3u);
  EXPECT_TRUE(statuses[0].ok()) << statuses[0];
  EXPECT_THAT(statuses[1].message(), HasSubstr("FOREIGN KEY"));
  EXPECT_TRUE(statuses[2].ok()) << statuses[2];
  EXPECT_EQ(orphan.events[0].seq, 0u);
  EXPECT_GT(later.events[0].seq, second.events[1].seq);
  EXPECT_GT(also_later.events[0].seq, later.events[0].seq);

  absl::StatusOr<BranchSnapshot> b1 = (*store)->LoadBranch("b1", kNow);
  ASSERT_TRUE(b1.ok()) << b1.status();
  EXPECT_EQ(b1->tickets.size(), 2u);
  absl::StatusOr<BranchSnapshot> b2 = (*store)->LoadBranch("b2", kNow);
  ASSERT_TRUE(b2.ok()) << b2.status();
  EXPECT_EQ(b2->tickets.size(), 3u);
  absl::StatusOr<std::vector<std::string>> ids = (*store)->ListBranchIds();
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, ElementsAre("b1", "b2"));
  absl::StatusOr<std::vector<Event>> events = (*store)->ReadEvents("b2", 0, 100);
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_EQ(events->size(), 3u);
}

// A counter action's request id is committed with the change it acknowledges
// and comes back after a restart for as long as a retry is answered from it.
TEST_F(StoreTest, RequestRecordsRoundTripAndAreDroppedAfterTheRetention) {
  const RequestRecord old{.request_id = "teller-1/1",
                          .operation = "CounterService.CallNext",
                          .counter = 1,
                          .ticket_id = 1,
                          .detail = "strategy",
                          .at = kNow - domain::kRequestIdRetention - absl::Minutes(2)};
  const RequestRecord recent{.request_id = "teller-1/2",
                             .operation = "CounterService.Transfer",
                             .counter = 2,
                             .subject = "to B",
                             .ticket_id = 3,
                             .detail = "transfer A->B by_issue_time",
                             .at = kNow - absl::Minutes(1)};
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    Change setup;
    setup.branch_id = "b1";
    setup.branch = Branch("b1");
    setup.requests = {old};
    ASSERT_TRUE((*store)->Commit(setup).ok());
    Change next;
    next.branch_id = "b1";
    next.requests = {recent};
    next.events = {MakeEvent("b1", EventType::kTicketTransferred, 3)};
    ASSERT_TRUE((*store)->Commit(next).ok());
    // The same id again while remembered fails the whole commit.
    Change twice;
    twice.branch_id = "b1";
    twice.requests = {recent};
    twice.requests[0].at = kNow;
    twice.events = {MakeEvent("b1", EventType::kTicketCalled, 4)};
    absl::Status status = (*store)->Commit(twice);
    EXPECT_THAT(status.message(), HasSubstr("UNIQUE constraint failed"));
    EXPECT_EQ(twice.events[0].seq, 0u);
  }
  // The expired one went in the same transaction as the recent one came.
  EXPECT_THAT(RawQuery("SELECT request_id FROM requests"), ElementsAre("teller-1/2"));

  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<BranchSnapshot> snap =
      (*store)->LoadBranch("b1", kNow - domain::kRequestIdRetention);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_THAT(snap->requests, ElementsAre(recent));
  absl::StatusOr<BranchSnapshot> later = (*store)->LoadBranch("b1", kNow);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_THAT(later->requests, IsEmpty());
}

TEST_F(StoreTest, RowsOfUnknownBranchAreRejected) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  Change orphan;
  orphan.branch_id = "nowhere";
  orphan.tickets = {WaitingTicket(1, "A", kNow)};
  absl::Status status = (*store)->Commit(orphan);
  EXPECT_THAT(status.message(), HasSubstr("FOREIGN KEY"));
  Change orphan_appointment;
  orphan_appointment.branch_id = "nowhere";
  orphan_appointment.appointments = {MakeAppointment("X1", kNow, AppointmentState::kBooked)};
  status = (*store)->Commit(orphan_appointment);
  EXPECT_THAT(status.message(), HasSubstr("FOREIGN KEY"));

  Change mismatched;
  mismatched.branch_id = "b1";
  mismatched.branch = Branch("b2");
  EXPECT_EQ((*store)->Commit(mismatched).code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::vector<std::string>> ids = (*store)->ListBranchIds();
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, IsEmpty());
}

TEST_F(StoreTest, RefusesDatabaseFromNewerVersion) {
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  const int newer = Store::LatestSchemaVersion() + 1;
  RawExec(absl::StrCat("PRAGMA user_version = ", newer));
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(),
              HasSubstr(absl::StrCat("was written by a newer lobbyq (schema ", newer,
                                     ", this build knows ", Store::LatestSchemaVersion(), ")")));
  EXPECT_THAT(store.status().message(), HasSubstr(path_));
  // Refusing left the file alone.
  EXPECT_THAT(RawQuery("PRAGMA user_version"), ElementsAre(absl::StrCat(newer)));
}

TEST_F(StoreTest, LoadUnknownBranchIsNotFound) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<BranchSnapshot> snap = (*store)->LoadBranch("nope", kNow);
  EXPECT_EQ(snap.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(snap.status().message(), "branch 'nope' does not exist");
}

TEST_F(StoreTest, UnreadableValuesAreDataLoss) {
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    Change change;
    change.branch_id = "b1";
    change.branch = Branch("b1");
    change.counters = {{.number = 4, .name = "Window 4"}};
    change.tickets = {WaitingTicket(7, "A", kNow)};
    change.appointments = {MakeAppointment("Q7", kNow, AppointmentState::kBooked)};
    change.events = {MakeEvent("b1", EventType::kTicketIssued, 7)};
    ASSERT_TRUE((*store)->Commit(change).ok());
  }
  struct Case {
    std::string sql;
    std::vector<std::string> mentions;
  };
  const std::vector<Case> cases = {
      {"UPDATE tickets SET state = 'lost'", {"tickets", "ticket_id 7", "state", "'lost'"}},
      {"UPDATE tickets SET priority = 'VIP'", {"tickets", "ticket_id 7", "priority", "'VIP'"}},
      {"UPDATE tickets SET business_day = '2023-13-45'",
       {"tickets", "ticket_id 7", "business_day", "'2023-13-45'"}},
      {"UPDATE counters SET state = 'open '", {"counters", "number 4", "state", "'open '"}},
      {"UPDATE events SET to_state = 'gone'", {"events", "to_state", "'gone'"}},
      {"UPDATE branches SET reinstate_placement = 'back'",
       {"branches", "'b1'", "reinstate_placement", "'back'"}},
      {"UPDATE branches SET transfer_placement = ''", {"branches", "transfer_placement", "''"}},
      {"UPDATE counters SET strategy = 'random'", {"counters", "number 4", "strategy", "'random'"}},
      {"UPDATE counters SET counted_fallback = 'gold'",
       {"counters", "number 4", "counted_fallback", "'gold'"}},
      {"UPDATE counters SET counted_rules = 'vip:1,gold:2'",
       {"counters", "number 4", "counted_rules", "'vip:1,gold:2'"}},
      {"UPDATE counters SET counted_rules = 'vip'", {"counters", "counted_rules", "'vip'"}},
      {"UPDATE counters SET counted_rules = 'vip:x'", {"counters", "counted_rules", "'vip:x'"}},
      {"UPDATE counters SET counted_rules = 'vip:1:2'", {"counters", "counted_rules", "'vip:1:2'"}},
      {"UPDATE counters SET counted_calls = '1,two'",
       {"counters", "number 4", "counted_calls", "'1,two'"}},
      {"UPDATE appointments SET state = 'lost'", {"appointments", "code 'Q7'", "state", "'lost'"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    // Each case starts from good rows: undo the previous corruption.
    RawExec(
        "UPDATE tickets SET state = 'waiting', priority = 'normal', business_day = '2023-11-15';"
        "UPDATE counters SET state = 'closed', strategy = 'in_order', counted_fallback = 'normal', "
        "counted_rules = '', counted_calls = ''; UPDATE events SET to_state = NULL;"
        "UPDATE branches SET reinstate_placement = 'front', transfer_placement = 'end';"
        "UPDATE appointments SET state = 'booked';");
    RawExec(c.sql);
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    absl::Status status = (*store)->LoadBranch("b1", kNow).status();
    if (c.sql.find("events") != std::string::npos) {
      EXPECT_TRUE(status.ok()) << status;
      status = (*store)->ReadEvents("b1", 0, 10).status();
    }
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
    for (const std::string& m : c.mentions) EXPECT_THAT(status.message(), HasSubstr(m));
  }
}

TEST_F(StoreTest, InMemoryDatabaseIsPrivateAndWorks) {
  for (const std::string path : {"", ":memory:"}) {
    SCOPED_TRACE(path);
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    Change change;
    change.branch_id = "demo";
    change.branch = Branch("demo");
    change.tickets = {WaitingTicket(1, "A", kNow)};
    ASSERT_TRUE((*store)->Commit(change).ok());
    absl::StatusOr<BranchSnapshot> snap = (*store)->LoadBranch("demo", kNow);
    ASSERT_TRUE(snap.ok()) << snap.status();
    EXPECT_THAT(snap->tickets, ElementsAre(change.tickets[0]));

    absl::StatusOr<std::unique_ptr<Store>> other = Store::Open(path);
    ASSERT_TRUE(other.ok()) << other.status();
    EXPECT_EQ((*other)->LoadBranch("demo", kNow).status().code(), absl::StatusCode::kNotFound);
  }
}

}  // namespace
}  // namespace lobbyq::store

namespace lobbyq::store {
namespace {

// Regression: two servers on one data directory both handed out ticket 1.
TEST_F(StoreTest, SecondOpenOfTheSameFileIsRefusedUntilTheFirstCloses) {
  absl::StatusOr<std::unique_ptr<Store>> first = Store::Open(path_);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<Store>> second = Store::Open(path_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("in use by another lobbyq-server"));
  first->reset();
  absl::StatusOr<std::unique_ptr<Store>> third = Store::Open(path_);
  EXPECT_TRUE(third.ok()) << third.status();
}

}  // namespace
}  // namespace lobbyq::store

namespace lobbyq::store {
namespace {

TEST_F(StoreTest, RoundTripsEveryV2Field) {
  Change change;
  change.branch_id = "b1";
  change.branch = TunedBranch("b1");
  ServiceConfig tuned = Service("A", absl::Minutes(6));
  tuned.max_wait = absl::Seconds(900) + absl::Microseconds(7);
  tuned.appointment_capacity = 4;
  ServiceConfig plain = Service("B", absl::Minutes(5));  // v2 fields at their defaults
  change.services = {tuned, plain};
  Counter counted{.number = 1,
                  .name = "Window 1",
                  .service_codes = {"A", "B"},
                  .strategy = CallStrategy::kCounted,
                  .counted_rules = {{.priority = PriorityClass::kGreenChannel, .quota = 2},
                                    {.priority = PriorityClass::kVip, .quota = 1},
                                    {.priority = PriorityClass::kAppointment, .quota = 12}},
                  .counted_fallback = PriorityClass::kVip,
                  .green_channel = true,
                  .counted_calls = {1, 0, 12},
                  .state = CounterState::kOpen,
                  .state_since = kNow,
                  .current_ticket_id = 1};
  Counter longest{.number = 2,
                  .name = "Window 2",
                  .service_codes = {"B"},
                  .strategy = CallStrategy::kLongestWait,
                  .counted_fallback = PriorityClass::kAppointment};
  Counter in_order{.number = 3, .name = "Window 3", .service_codes = {"A"}};
  change.counters = {counted, longest, in_order};

  Ticket called = RatedTicket(1, kNow - absl::Minutes(30));
  called.state = TicketState::kCalled;
  called.queued_at = kNow - absl::Minutes(12);
  called.no_show_at = kNow - absl::Minutes(20);  // no-show once, reinstated since
  called.note = "客户要换外币 / needs FX";
  called.details = {.type = "transfer",
                    .amount = "5000.00",
                    .account_tail = "****1234",
                    .text = "to ****5678, rent"};
  called.appointment_code = "K7Q2-M9";
  called.priority = PriorityClass::kAppointment;
  Ticket early = WaitingTicket(2, "A", kNow);
  early.queued_at = kNow + absl::Minutes(25);  // an early appointment: queued in the future
  early.appointment_code = "ZZ11";
  Ticket only_type = WaitingTicket(3, "B", kNow);
  only_type.queued_at = kNow;
  only_type.details.type = "deposit";
  only_type.placed_front = true;  // transferred to the front of B
  change.tickets = {called, early, only_type};

  // Slots sort the snapshot; the codes do not.
  change.appointments = {
      MakeAppointment("c-checked", kNow - absl::Minutes(30), AppointmentState::kCheckedIn),
      MakeAppointment("d-missed", kNow - absl::Hours(1), AppointmentState::kMissed),
      MakeAppointment("a-booked", kNow + absl::Hours(2), AppointmentState::kBooked),
      MakeAppointment("b-cancelled", kNow + absl::Hours(1), AppointmentState::kCancelled),
  };
  change.appointments[0].ticket_id = 1;
  change.appointments[2].request_id.clear();  // no idempotency key
  change.appointments[3].request_id.clear();  // two empty keys do not clash
  change.events = {MakeEvent("b1", EventType::kAppointmentBooked, 0),
                   MakeEvent("b1", EventType::kTicketReinstated, 1),
                   MakeEvent("b1", EventType::kDetailsPurged, 3)};
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    absl::Status status = (*store)->Commit(change);
    ASSERT_TRUE(status.ok()) << status;
  }

  // Stored as the documented text forms.
  EXPECT_THAT(RawQuery("SELECT counted_rules || '|' || counted_calls || '|' || counted_fallback || "
                       "'|' || strategy || '|' || green_channel FROM counters ORDER BY number"),
              ElementsAre("green_channel:2,vip:1,appointment:12|1,0,12|vip|counted|1",
                          "||appointment|longest_wait|0", "||normal|in_order|0"));
  EXPECT_THAT(RawQuery("SELECT reinstate_placement || '|' || transfer_placement FROM branches"),
              ElementsAre("end|front"));

  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<BranchSnapshot> snap = (*store)->LoadBranch("b1", kNow - absl::Hours(24));
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->info, *change.branch);
  EXPECT_THAT(snap->services, ElementsAre(tuned, plain));
  EXPECT_THAT(snap->counters, ElementsAre(counted, longest, in_order));
  EXPECT_THAT(snap->tickets, ElementsAre(called, early, only_type));
  EXPECT_THAT(snap->appointments, ElementsAre(change.appointments[1], change.appointments[0],
                                              change.appointments[3], change.appointments[2]));
  absl::StatusOr<std::vector<Event>> events = (*store)->ReadEvents("b1", 0, 10);
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_EQ(*events, change.events);

  // A later commit replaces each row by its key, v2 columns included.
  Change later;
  later.branch_id = "b1";
  later.branch = Branch("b1");  // back to the defaults
  ServiceConfig retuned = tuned;
  retuned.max_wait = absl::ZeroDuration();
  retuned.appointment_capacity = 0;
  later.services = {retuned};
  Counter reset = counted;
  reset.counted_calls = {0, 0, 0};
  reset.counted_rules.pop_back();
  reset.green_channel = false;
  reset.strategy = CallStrategy::kLongestWait;
  later.counters = {reset};
  Ticket no_show = called;
  no_show.state = TicketState::kNoShow;
  no_show.no_show_at = kNow;
  no_show.note.clear();
  no_show.details = {};
  later.tickets = {no_show};
  Appointment checked_in = change.appointments[2];
  checked_in.state = AppointmentState::kCheckedIn;
  checked_in.closed_at = kNow;
  checked_in.ticket_id = 2;
  checked_in.request_id = "late-key";
  later.appointments = {checked_in};
  absl::Status status = (*store)->Commit(later);
  ASSERT_TRUE(status.ok()) << status;

  snap = (*store)->LoadBranch("b1", kNow - absl::Hours(24));
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->info, *later.branch);
  EXPECT_THAT(snap->services, ElementsAre(retuned, plain));
  EXPECT_THAT(snap->counters, ElementsAre(reset, longest, in_order));
  EXPECT_THAT(snap->tickets, ElementsAre(no_show, early, only_type));
  EXPECT_THAT(snap->appointments, ElementsAre(change.appointments[1], change.appointments[0],
                                              change.appointments[3], checked_in));
}

TEST_F(StoreTest, LoadsRecentNoShowsAndOldBookedAppointments) {
  const absl::Time closed_since = kNow - absl::Hours(24);
  Change change;
  change.branch_id = "b1";
  change.branch = Branch("b1");
  // Issued long ago, so only their no-show time can bring them back.
  Ticket recent_no_show = WaitingTicket(1, "A", closed_since - absl::Hours(5));
  recent_no_show.state = TicketState::kNoShow;
  recent_no_show.no_show_at = closed_since;  // exactly at the boundary: kept
  Ticket old_no_show = recent_no_show;
  old_no_show.id = 2;
  old_no_show.no_show_at = closed_since - absl::Microseconds(1);
  // Was a no-show lately, then reinstated and cancelled: nothing to reinstate.
  Ticket cancelled = recent_no_show;
  cancelled.id = 3;
  cancelled.state = TicketState::kCancelled;
  cancelled.no_show_at = kNow;
  Ticket no_show_without_time = recent_no_show;
  no_show_without_time.id = 4;
  no_show_without_time.no_show_at.reset();
  // Old and done, but its form-free details were never purged (the server was
  // down at midnight): loaded so the domain purges them.
  Ticket old_with_details = WaitingTicket(5, "A", closed_since - absl::Hours(50));
  old_with_details.state = TicketState::kDone;
  old_with_details.details.text = "****5678";
  change.tickets = {recent_no_show, old_no_show, cancelled, no_show_without_time, old_with_details};

  const absl::Time old_slot = closed_since - absl::Hours(3);
  Appointment old_booked = MakeAppointment("old-booked", old_slot, AppointmentState::kBooked);
  Appointment old_checked = MakeAppointment("old-checked", old_slot, AppointmentState::kCheckedIn);
  Appointment old_missed = MakeAppointment("old-missed", old_slot, AppointmentState::kMissed);
  Appointment old_cancelled =
      MakeAppointment("old-cancelled", old_slot, AppointmentState::kCancelled);
  Appointment boundary_missed =
      MakeAppointment("boundary", closed_since, AppointmentState::kMissed);
  Appointment future_cancelled =
      MakeAppointment("future", kNow + absl::Hours(48), AppointmentState::kCancelled);
  // Old closed appointments whose name and phone were purged stay on disk only;
  // one still holding them is loaded so the domain purges it.
  for (Appointment* purged : {&old_checked, &old_missed, &old_cancelled}) {
    purged->customer_name.clear();
    purged->phone.clear();
  }
  Appointment old_unpurged =
      MakeAppointment("old-unpurged", old_slot, AppointmentState::kCheckedIn);
  change.appointments = {future_cancelled, old_checked,   old_missed,  boundary_missed,
                         old_booked,       old_cancelled, old_unpurged};

  Change other;
  other.branch_id = "b2";
  other.branch = Branch("b2");
  other.appointments = {MakeAppointment("old-booked", old_slot, AppointmentState::kBooked)};
  other.appointments[0].service_code = "Z";

  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Commit(change).ok());
  // Codes and request ids are per branch.
  absl::Status status = (*store)->Commit(other);
  ASSERT_TRUE(status.ok()) << status;

  absl::StatusOr<BranchSnapshot> snap = (*store)->LoadBranch("b1", closed_since);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_THAT(snap->tickets, ElementsAre(recent_no_show, old_with_details));
  EXPECT_THAT(snap->appointments,
              ElementsAre(old_booked, old_unpurged, boundary_missed, future_cancelled));
  EXPECT_EQ(snap->max_ticket_id, 5u);

  snap = (*store)->LoadBranch("b2", closed_since);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_THAT(snap->appointments, ElementsAre(other.appointments[0]));

  snap = (*store)->LoadBranch("b1", absl::InfinitePast());
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->tickets.size(), 5u);
  // Same slot: by code.
  EXPECT_THAT(snap->appointments, ElementsAre(old_booked, old_cancelled, old_checked, old_missed,
                                              old_unpurged, boundary_missed, future_cancelled));
}

TEST_F(StoreTest, FailedCommitWritesNoAppointments) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  Change setup;
  setup.branch_id = "b1";
  setup.branch = Branch("b1");
  setup.appointments = {MakeAppointment("A1", kNow, AppointmentState::kBooked)};
  ASSERT_TRUE((*store)->Commit(setup).ok());

  // Two bookings with one request id in one change.
  Change duplicate;
  duplicate.branch_id = "b1";
  duplicate.appointments = {MakeAppointment("A2", kNow, AppointmentState::kBooked),
                            MakeAppointment("A3", kNow, AppointmentState::kBooked)};
  duplicate.appointments[1].request_id = duplicate.appointments[0].request_id;
  duplicate.events = {MakeEvent("b1", EventType::kAppointmentBooked, 0)};
  absl::Status status = (*store)->Commit(duplicate);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("UNIQUE constraint failed"));
  EXPECT_EQ(duplicate.events[0].seq, 0u);

  // A retried booking under a new code clashes with the one on disk: it fails
  // rather than replacing it.
  Change retried;
  retried.branch_id = "b1";
  retried.appointments = {MakeAppointment("A4", kNow, AppointmentState::kBooked)};
  retried.appointments[0].request_id = setup.appointments[0].request_id;
  EXPECT_FALSE((*store)->Commit(retried).ok());

  // A check-in that fails after its appointment row was written (the events go
  // last, and this one names an unknown branch) leaves the appointment booked
  // and issues no ticket.
  Change check_in;
  check_in.branch_id = "b1";
  Appointment checked = setup.appointments[0];
  checked.state = AppointmentState::kCheckedIn;
  checked.closed_at = kNow;
  checked.ticket_id = 1;
  check_in.appointments = {checked};
  check_in.tickets = {WaitingTicket(1, "A", kNow)};
  check_in.events = {MakeEvent("b1", EventType::kAppointmentCheckedIn, 1),
                     MakeEvent("nowhere", EventType::kTicketIssued, 1)};
  status = (*store)->Commit(check_in);
  EXPECT_THAT(status.message(), HasSubstr("FOREIGN KEY"));
  for (const Event& e : check_in.events) EXPECT_EQ(e.seq, 0u);

  absl::StatusOr<BranchSnapshot> snap = (*store)->LoadBranch("b1", absl::InfinitePast());
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_THAT(snap->appointments, ElementsAre(setup.appointments[0]));
  EXPECT_THAT(snap->tickets, IsEmpty());
  EXPECT_THAT(RawQuery("SELECT code FROM appointments"), ElementsAre("A1"));
}

// A file written by the v1 schema, with every kind of row, opens at the latest
// version with the v2 fields at their C++ defaults.
TEST_F(StoreTest, MigratesV1DatabaseWithDefaults) {
  ASSERT_GE(Store::LatestSchemaVersion(), 2);
  RawExec(absl::StrCat(Migrations()[0], "PRAGMA user_version = 1;"));
  const int64_t issued_us = absl::ToUnixMicros(kNow - absl::Minutes(40));
  const int64_t no_show_us = absl::ToUnixMicros(kNow - absl::Minutes(10));
  RawExec(absl::StrCat(
      "INSERT INTO branches VALUES ('b1', 'Branch b1', 'Asia/Shanghai', 420000000);"
      "INSERT INTO services VALUES ('b1', 'A', '业务A', 'Service A', 480000000, 250000000, 1);"
      "INSERT INTO counters VALUES ('b1', 1, 'Window 1', 'A', 'open', ",
      absl::ToUnixMicros(kNow), ", 2, 0);",
      "INSERT INTO tickets VALUES ('b1', 1, 1, 'A', 'A', 'A', 'vip', 'no_show', '2023-11-15', ",
      issued_us, ", ", issued_us + 1, ", ", issued_us + 1,
      ", NULL, NULL, 1, 2, 'kiosk/1', 0, '', NULL);",
      "INSERT INTO tickets VALUES ('b1', 2, 2, 'A', 'A', 'A', 'normal', 'called', '2023-11-15', ",
      issued_us + 5, ", ", issued_us + 6, ", ", issued_us + 6,
      ", NULL, NULL, 1, 0, '', 0, '', NULL);",
      // An older no-show of ticket 1 (it was reinstated once), then the last one.
      "INSERT INTO events (branch_id, at_us, type, counter, actor, ticket_id, from_state, "
      "to_state, counter_state, service_code, detail) VALUES "
      "('b1', ",
      no_show_us - 600000000,
      ", 'ticket_no_show', 1, 't', 1, 'called', 'no_show', NULL, 'A', ''),"
      "('b1', ",
      no_show_us, ", 'ticket_no_show', 1, 't', 1, 'called', 'no_show', NULL, 'A', ''),", "('b1', ",
      no_show_us + 1, ", 'ticket_no_show', 1, 't', 2, 'called', 'no_show', NULL, 'A', '');"));

  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(*(*store)->SchemaVersion(), Store::LatestSchemaVersion());

  absl::StatusOr<BranchSnapshot> snap = (*store)->LoadBranch("b1", kNow - absl::Hours(24));
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->info, Branch("b1"));  // defaults for every v2 setting
  ServiceConfig service = Service("A", absl::Minutes(8));
  EXPECT_THAT(snap->services, ElementsAre(service));
  EXPECT_EQ(snap->services[0].EffectiveMaxWait(), absl::Minutes(16));
  EXPECT_THAT(snap->counters, ElementsAre(Counter{.number = 1,
                                                  .name = "Window 1",
                                                  .service_codes = {"A"},
                                                  .state = CounterState::kOpen,
                                                  .state_since = kNow,
                                                  .current_ticket_id = 2}));
  ASSERT_EQ(snap->tickets.size(), 2u);
  const Ticket& no_show = snap->tickets[0];
  EXPECT_EQ(no_show.state, TicketState::kNoShow);
  EXPECT_EQ(no_show.queued_at, no_show.issued_at);
  EXPECT_EQ(no_show.issued_at, absl::FromUnixMicros(issued_us));
  // Its last no-show, from the event log.
  EXPECT_EQ(no_show.no_show_at, absl::FromUnixMicros(no_show_us));
  EXPECT_EQ(no_show.note, "");
  EXPECT_TRUE(no_show.details.empty());
  EXPECT_EQ(no_show.appointment_code, "");
  EXPECT_EQ(no_show.request_id, "kiosk/1");
  const Ticket& called = snap->tickets[1];
  EXPECT_EQ(called.state, TicketState::kCalled);
  EXPECT_EQ(called.queued_at, absl::FromUnixMicros(issued_us + 5));
  // Not a no-show now, so its stray no-show event is not taken as one.
  EXPECT_EQ(called.no_show_at, std::nullopt);
  EXPECT_THAT(snap->appointments, IsEmpty());

  // The migrated file takes v2 rows.
  Change change;
  change.branch_id = "b1";
  change.branch = TunedBranch("b1");
  change.appointments = {MakeAppointment("M1", kNow, AppointmentState::kBooked)};
  absl::Status status = (*store)->Commit(change);
  ASSERT_TRUE(status.ok()) << status;
  snap = (*store)->LoadBranch("b1", kNow);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->info, *change.branch);
  EXPECT_THAT(snap->appointments, ElementsAre(change.appointments[0]));
}

}  // namespace
}  // namespace lobbyq::store
