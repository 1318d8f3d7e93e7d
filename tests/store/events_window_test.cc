// The event-log reads behind metrics: a branch's events in a time window, and
// each counter's state before a time (schema v3 indexes both).

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/store.h"

namespace lobbyq::store {
namespace {

using domain::Change;
using domain::CounterState;
using domain::Event;
using domain::EventType;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kNine = absl::FromUnixSeconds(1'709'514'000);  // 2024-03-04 09:00 +08

Event TicketEvent(const std::string& branch, absl::Time at, uint64_t ticket) {
  return Event{.at = at,
               .branch_id = branch,
               .type = EventType::kTicketIssued,
               .ticket_id = ticket,
               .service_code = "A"};
}

Event CounterEvent(const std::string& branch, absl::Time at, uint32_t counter, CounterState to) {
  const EventType type = to == CounterState::kOpen     ? EventType::kCounterOpened
                         : to == CounterState::kPaused ? EventType::kCounterPaused
                                                       : EventType::kCounterClosed;
  return Event{
      .at = at, .branch_id = branch, .type = type, .counter = counter, .counter_state = to};
}

class EventsWindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat("events_window_test_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name(), "_",
                        getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = Store::Open((dir_ / "lobbyq.db").string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    for (const std::string id : {"b1", "b2"}) {
      Change created{.branch_id = id, .branch = domain::BranchInfo{.id = id, .name = id}};
      ASSERT_TRUE(store_->Commit(created).ok());
    }
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Commits each event in its own change, as commands do.
  std::vector<Event> CommitEach(std::vector<Event> events) {
    for (Event& e : events) {
      Change change{.branch_id = e.branch_id, .events = {e}};
      EXPECT_TRUE(store_->Commit(change).ok());
      e.seq = change.events[0].seq;
    }
    return events;
  }

  // How SQLite plans `sql`, one line per step.
  std::string QueryPlan(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ / "lobbyq.db").string().c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    const std::string explain = "EXPLAIN QUERY PLAN " + sql;
    EXPECT_EQ(sqlite3_prepare_v2(db, explain.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    std::string plan;
    while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
      absl::StrAppend(&plan, reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3)), "\n");
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return plan;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(EventsWindowTest, ReadsOneBranchsEventsFromInclusiveToExclusiveInLogOrder) {
  const std::vector<Event> events = CommitEach({
      TicketEvent("b1", kNine - absl::Microseconds(1), 1),
      TicketEvent("b1", kNine, 2),
      TicketEvent("b2", kNine + absl::Minutes(1), 3),
      TicketEvent("b1", kNine + absl::Minutes(30), 4),
      // The clock stepped back: log order, not time order, comes out.
      TicketEvent("b1", kNine + absl::Minutes(20), 5),
      TicketEvent("b1", kNine + absl::Hours(1), 6),
  });
  absl::StatusOr<std::vector<Event>> read =
      store_->ReadEventsBetween("b1", kNine, kNine + absl::Hours(1));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(*read, ElementsAre(events[1], events[3], events[4]));

  read = store_->ReadEventsBetween("b2", kNine, kNine + absl::Hours(1));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(*read, ElementsAre(events[2]));

  read = store_->ReadEventsBetween("b1", kNine, kNine);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(*read, IsEmpty());
  read = store_->ReadEventsBetween("b1", absl::InfinitePast(), absl::InfiniteFuture());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->size(), 5u);
  read = store_->ReadEventsBetween("nowhere", absl::InfinitePast(), absl::InfiniteFuture());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(*read, IsEmpty());
}

TEST_F(EventsWindowTest, CounterStatesAtTakesEachCountersLastChangeBefore) {
  CommitEach({
      CounterEvent("b1", kNine - absl::Hours(30), 1, CounterState::kOpen),
      CounterEvent("b1", kNine - absl::Hours(2), 2, CounterState::kOpen),
      CounterEvent("b1", kNine - absl::Hours(1), 2, CounterState::kPaused),
      TicketEvent("b1", kNine - absl::Minutes(30), 1),
      CounterEvent("b1", kNine - absl::Minutes(10), 3, CounterState::kOpen),
      CounterEvent("b1", kNine - absl::Minutes(5), 3, CounterState::kClosed),
      CounterEvent("b1", kNine, 1, CounterState::kClosed),  // at `t`: not before it
      CounterEvent("b2", kNine - absl::Hours(1), 1, CounterState::kPaused),
  });
  absl::StatusOr<std::map<uint32_t, CounterState>> states = store_->CounterStatesAt("b1", kNine);
  ASSERT_TRUE(states.ok()) << states.status();
  EXPECT_EQ(*states,
            (std::map<uint32_t, CounterState>{
                {1, CounterState::kOpen}, {2, CounterState::kPaused}, {3, CounterState::kClosed}}));

  states = store_->CounterStatesAt("b1", kNine + absl::Seconds(1));
  ASSERT_TRUE(states.ok()) << states.status();
  EXPECT_EQ(states->at(1), CounterState::kClosed);

  states = store_->CounterStatesAt("b1", kNine - absl::Hours(40));
  ASSERT_TRUE(states.ok()) << states.status();
  EXPECT_THAT(*states, IsEmpty());
}

TEST_F(EventsWindowTest, BothReadsUseAnIndex) {
  EXPECT_THAT(QueryPlan("SELECT seq FROM events WHERE branch_id = 'b1' AND at_us >= 0 AND "
                        "at_us < 10 ORDER BY seq"),
              HasSubstr("events_by_branch_at"));
  EXPECT_THAT(QueryPlan("SELECT MAX(seq) FROM events INDEXED BY events_counter_states WHERE "
                        "branch_id = 'b1' AND counter_state "
                        "IS NOT NULL AND at_us < 10 GROUP BY counter"),
              HasSubstr("events_counter_states"));
}

}  // namespace
}  // namespace lobbyq::store
