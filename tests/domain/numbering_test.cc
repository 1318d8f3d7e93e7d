// Ticket numbers: prefix + three digits, per branch, per service, per business day
// in the branch's local time; after 999 they wrap, skipping numbers still live.

#include <string>
#include <vector>

#include "tests/domain/lobby.h"

namespace lobbyq::domain::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

using NumberingTest = LobbyTest;

// Issues `n` tickets of `code` and returns their ids in issue order.
std::vector<uint64_t> IssueMany(Lobby& lobby, const std::string& code, int n) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < n; ++i) ids.push_back(lobby.Issue(code));
  return ids;
}

TEST(DisplayNumberTest, PrefixAndThreeDigits) {
  EXPECT_EQ((Ticket{.number = 1, .prefix = "A"}).DisplayNumber(), "A001");
  EXPECT_EQ((Ticket{.number = 42, .prefix = "B"}).DisplayNumber(), "B042");
  EXPECT_EQ((Ticket{.number = 999, .prefix = "Z"}).DisplayNumber(), "Z999");
}

TEST_F(NumberingTest, FirstTicketIsA001ThenA002) {
  const uint64_t first = Issue("A");
  const uint64_t second = Issue("A");
  EXPECT_EQ(Number(first), "A001");
  EXPECT_EQ(T(first).number, 1);
  EXPECT_EQ(T(first).prefix, "A");
  EXPECT_EQ(Number(second), "A002");
  EXPECT_EQ(T(second).number, 2);
}

TEST_F(NumberingTest, IssuePlanRecordsTheSequence) {
  Issue("A");
  const Plan plan = Must(TryIssue("A", "req-seq"));
  ASSERT_THAT(plan.change.sequences, SizeIs(1));
  EXPECT_EQ(plan.change.sequences[0], (NumberSequence{.service_code = "A",
                                                      .business_day = absl::CivilDay(2024, 3, 11),
                                                      .last_number = 2}));
}

TEST_F(NumberingTest, EachServiceHasItsOwnSequence) {
  const uint64_t a1 = Issue("A");
  const uint64_t b1 = Issue("B");
  const uint64_t a2 = Issue("A");
  const uint64_t c1 = Issue("C");
  const uint64_t b2 = Issue("B");
  EXPECT_EQ(Number(a1), "A001");
  EXPECT_EQ(Number(b1), "B001");
  EXPECT_EQ(Number(a2), "A002");
  EXPECT_EQ(Number(c1), "C001");
  EXPECT_EQ(Number(b2), "B002");
  // Ticket ids, unlike numbers, are one sequence for the whole branch.
  EXPECT_THAT((std::vector<uint64_t>{a1, b1, a2, c1, b2}), ElementsAre(1, 2, 3, 4, 5));
}

TEST_F(NumberingTest, NewLocalDayRestartsAtOneWhileTheUtcDateIsUnchanged) {
  const absl::Time late = Local(2024, 3, 11, 23, 59);          // 15:59 UTC on the 11th
  const absl::Time after_midnight = Local(2024, 3, 12, 0, 1);  // 16:01 UTC on the 11th
  // The two instants share a UTC date, so only the local date can tell them apart.
  ASSERT_EQ(absl::ToCivilDay(late, absl::UTCTimeZone()),
            absl::ToCivilDay(after_midnight, absl::UTCTimeZone()));

  clock.Set(late);
  const uint64_t a1 = Issue("A");
  const uint64_t a2 = Issue("A");
  EXPECT_EQ(Number(a2), "A002");
  EXPECT_EQ(T(a2).business_day, absl::CivilDay(2024, 3, 11));
  Cancel(a1);
  Cancel(a2);

  clock.Set(after_midnight);
  const uint64_t next_day = Issue("A");
  EXPECT_EQ(Number(next_day), "A001");
  EXPECT_EQ(T(next_day).business_day, absl::CivilDay(2024, 3, 12));
  EXPECT_EQ(branch().BusinessDay(after_midnight), absl::CivilDay(2024, 3, 12));
}

TEST_F(NumberingTest, SameLocalDayContinuesAcrossUtcMidnight) {
  const absl::Time before = Local(2024, 3, 12, 7, 59);  // 23:59 UTC on the 11th
  const absl::Time after = Local(2024, 3, 12, 8, 1);    // 00:01 UTC on the 12th
  ASSERT_NE(absl::ToCivilDay(before, absl::UTCTimeZone()),
            absl::ToCivilDay(after, absl::UTCTimeZone()));

  clock.Set(before);
  const uint64_t first = Issue("A");
  Cancel(first);  // not live: only the sequence can make the next one A002
  clock.Set(after);
  const uint64_t second = Issue("A");
  EXPECT_EQ(Number(first), "A001");
  EXPECT_EQ(Number(second), "A002");
  EXPECT_EQ(T(second).business_day, absl::CivilDay(2024, 3, 12));
}

TEST_F(NumberingTest, TicketStillWaitingFromYesterdayKeepsItsNumberOnTheNewDay) {
  clock.Set(Local(2024, 3, 11, 23, 50));
  const uint64_t yesterday = Issue("A");
  clock.Set(Local(2024, 3, 12, 0, 10));
  const uint64_t today = Issue("A");
  EXPECT_EQ(Number(yesterday), "A001");
  EXPECT_EQ(Number(today), "A002");  // A001 is still live, so it is not handed out twice
  EXPECT_EQ(T(today).business_day, absl::CivilDay(2024, 3, 12));
}

TEST_F(NumberingTest, WrapsAfter999BackTo001) {
  uint64_t last = 0;
  for (int i = 0; i < 999; ++i) {
    last = Issue("A");
    Cancel(last);
  }
  EXPECT_EQ(Number(last), "A999");
  const uint64_t wrapped = Issue("A");
  EXPECT_EQ(Number(wrapped), "A001");
  EXPECT_EQ(Number(Issue("A")), "A002");
}

TEST_F(NumberingTest, WrapSkipsNumbersThatAreWaitingCalledOrServing) {
  const std::vector<uint64_t> ids = IssueMany(*this, "A", 999);
  EXPECT_EQ(Number(ids.back()), "A999");
  EXPECT_EQ(Serve(1), ids[0]);  // A001 DONE: free again
  EXPECT_EQ(Call(4), ids[1]);   // A002 CALLED
  EXPECT_EQ(Call(2), ids[2]);   // A003 ...
  Start(2);                     // ... SERVING
  Cancel(ids[5]);               // A006 CANCELLED: free again
  ASSERT_EQ(State(ids[1]), TicketState::kCalled);
  ASSERT_EQ(State(ids[2]), TicketState::kServing);

  EXPECT_EQ(Number(Issue("A")), "A001");
  // A002 called, A003 serving, A004 and A005 waiting: all skipped.
  EXPECT_EQ(Number(Issue("A")), "A006");
  EXPECT_THAT(TryIssue("A", "one-too-many"), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST_F(NumberingTest, AllNumbersLiveIsResourceExhaustedAndChangesNothing) {
  const std::vector<uint64_t> ids = IssueMany(*this, "A", 999);
  const size_t events_before = Events().size();
  const uint64_t last_seq_before = branch().last_event_seq();

  const auto full = TryIssue("A", "req-full");
  EXPECT_THAT(full, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(full.status().message(), HasSubstr("A"));
  EXPECT_THAT(WaitingIds("A"), SizeIs(999));
  EXPECT_EQ(Events().size(), events_before);
  EXPECT_EQ(branch().last_event_seq(), last_seq_before);

  // Other services are unaffected, and no ticket id was used up.
  const uint64_t b = Issue("B");
  EXPECT_EQ(b, 1000u);
  EXPECT_EQ(Number(b), "B001");

  // The refused request id was not remembered: once a number is free the same
  // request gets a ticket, and it gets the freed number.
  Cancel(ids[499]);
  const Plan retry = Must(TryIssue("A", "req-full"));
  EXPECT_NE(retry.ticket_id, 0u);
  EXPECT_FALSE(retry.change.empty());
  EXPECT_EQ(Number(retry.ticket_id), "A500");
}

TEST_F(NumberingTest, TransferKeepsTheNumberAndUsesNoNumberOfTheNewService) {
  const uint64_t a1 = Issue("A");
  Call(1);
  Transfer(1, "B");
  EXPECT_EQ(Number(a1), "A001");
  EXPECT_EQ(T(a1).prefix, "A");
  EXPECT_EQ(T(a1).service_code, "B");
  EXPECT_EQ(Number(Issue("B")), "B001");
  EXPECT_EQ(Number(Issue("A")), "A002");
}

}  // namespace
}  // namespace lobbyq::domain::testing
