// Who a counter calls next (its profile, then issue time), and what a waiting
// customer is told: people ahead and the estimated wait.

#include <string>
#include <vector>

#include "tests/domain/lobby.h"

namespace lobbyq::domain::testing {
namespace {

using ::testing::ElementsAre;

using CallingTest = LobbyTest;

TEST_F(CallingTest, ProfileOrderBeatsIssueTime) {
  const uint64_t a1 = Issue("A");
  Advance(absl::Minutes(1));
  const uint64_t a2 = Issue("A");
  Advance(absl::Minutes(10));
  const uint64_t b1 = Issue("B");
  Advance(absl::Minutes(1));
  const uint64_t b2 = Issue("B");
  // Counter 2 is [B, A]: both B tickets first, though the A tickets are older.
  EXPECT_EQ(Serve(2), b1);
  EXPECT_EQ(Serve(2), b2);
  EXPECT_EQ(Serve(2), a1);
  EXPECT_EQ(Serve(2), a2);
  EXPECT_EQ(Call(2), 0u);
}

TEST_F(CallingTest, ProfileOrderIsTheCountersNotTheServicesOrder) {
  // The branch defines A before B; a [B, A] counter still prefers B, and an
  // [A, B] counter prefers A, for the same two waiting tickets.
  Must(Do(branch().PlanUpsertCounter(CounterConfig(4, {"A", "B"}), Ctx("admin"))));
  const uint64_t b = Issue("B");
  Advance(absl::Minutes(1));
  const uint64_t a = Issue("A");
  EXPECT_EQ(Call(4), a);
  EXPECT_EQ(Call(2), b);
}

TEST_F(CallingTest, FirstInFirstOutWithinAService) {
  std::vector<uint64_t> issued;
  for (int i = 0; i < 4; ++i) {
    issued.push_back(Issue("A"));
    Advance(absl::Seconds(20));
  }
  EXPECT_THAT(WaitingIds("A"), ElementsAre(issued[0], issued[1], issued[2], issued[3]));
  EXPECT_EQ(Call(1), issued[0]);
  EXPECT_EQ(Call(4), issued[1]);
  NoShow(1);
  EXPECT_EQ(Call(1), issued[2]);
  EXPECT_THAT(WaitingIds("A"), ElementsAre(issued[3]));
}

TEST_F(CallingTest, ACounterNeverCallsAServiceOutsideItsProfile) {
  const uint64_t b = Issue("B");
  const uint64_t c = Issue("C");
  const Plan plan = Must(TryCall(1));  // counter 1 serves A only
  EXPECT_EQ(plan.ticket_id, 0u);
  EXPECT_TRUE(plan.change.empty());
  EXPECT_EQ(State(b), TicketState::kWaiting);
  EXPECT_EQ(State(c), TicketState::kWaiting);
  EXPECT_EQ(C(1).current_ticket_id, 0u);
  EXPECT_EQ(Call(3), c);
}

TEST_F(CallingTest, CallNextWithNobodyWaitingIsAnEmptyPlan) {
  const size_t events_before = Events().size();
  const Plan plan = Must(TryCall(2));
  EXPECT_EQ(plan.ticket_id, 0u);
  EXPECT_TRUE(plan.change.empty());
  EXPECT_EQ(Events().size(), events_before);
  EXPECT_EQ(C(2).current_ticket_id, 0u);
  // With the counter still free, the next customer can be called at once.
  const uint64_t id = Issue("A");
  EXPECT_EQ(Call(2), id);
}

TEST_F(CallingTest, TicketsIssuedAtTheSameInstantGoByTicketId) {
  const uint64_t first = Issue("A");
  const uint64_t second = Issue("A");
  const uint64_t third = Issue("A");
  EXPECT_THAT(WaitingIds("A"), ElementsAre(first, second, third));
  EXPECT_EQ(Call(4), first);
  EXPECT_EQ(Call(1), second);
}

TEST_F(CallingTest, TwoCountersNeverGetTheSameTicket) {
  const uint64_t a1 = Issue("A");
  const uint64_t a2 = Issue("A");
  EXPECT_EQ(Call(1), a1);
  EXPECT_EQ(Call(4), a2);
  EXPECT_EQ(Call(2), 0u);
  EXPECT_EQ(T(a1).counter, 1u);
  EXPECT_EQ(T(a2).counter, 4u);
}

// --- People ahead and estimated wait ---

TEST_F(CallingTest, PeopleAheadCountsEarlierWaitingTicketsOfTheSameQueue) {
  const uint64_t a1 = Issue("A");
  const uint64_t b1 = Issue("B");
  Advance(absl::Minutes(1));
  const uint64_t a2 = Issue("A");
  Advance(absl::Minutes(1));
  const uint64_t a3 = Issue("A");
  EXPECT_EQ(branch().PeopleAhead(T(a1)), 0);
  EXPECT_EQ(branch().PeopleAhead(T(a2)), 1);
  EXPECT_EQ(branch().PeopleAhead(T(a3)), 2);
  EXPECT_EQ(branch().PeopleAhead(T(b1)), 0);  // other queues do not count

  Call(1);
  EXPECT_EQ(branch().PeopleAhead(T(a1)), 0);  // called: not waiting any more
  EXPECT_EQ(branch().PeopleAhead(T(a3)), 1);
  Cancel(a2);
  EXPECT_EQ(branch().PeopleAhead(T(a3)), 0);
  EXPECT_EQ(branch().PeopleAhead(T(a2)), 0);
}

// The queue-length baseline QL: (people ahead + 1) x mean service time /
// open counters serving the queue; with nothing served yet the mean is the
// configured expected time.
absl::Duration Ql(const Branch& branch, const Ticket& ticket, absl::Time now) {
  auto estimate = branch.EstimateWait(ticket, now);
  return estimate ? estimate->ql : absl::InfiniteDuration();
}

TEST_F(CallingTest, QueueLengthBaselineCountsOpenCountersServingTheQueue) {
  // A: 5 min expected service; served by counters 1, 2 and 4, all open.
  for (int i = 0; i < 6; ++i) Issue("A");
  const Ticket sixth = T(6);
  ASSERT_EQ(branch().PeopleAhead(sixth), 5);
  EXPECT_EQ(Ql(branch(), sixth, clock.Now()), absl::Minutes(5) * 6 / 3);
  // Ticket 1 is called at once by an idle counter: every predictor says 0.
  auto first = branch().EstimateWait(T(1), clock.Now());
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->counter_free_now);
  EXPECT_EQ(first->point, absl::ZeroDuration());
  EXPECT_EQ(first->ql, absl::ZeroDuration());

  Close(4);
  EXPECT_EQ(Ql(branch(), sixth, clock.Now()), absl::Minutes(5) * 6 / 2);
  Pause(2);  // a paused counter serves nobody
  EXPECT_EQ(Ql(branch(), sixth, clock.Now()), absl::Minutes(30));
  Close(3);  // counter 3 serves C only, so it never counted for A
  EXPECT_EQ(Ql(branch(), sixth, clock.Now()), absl::Minutes(30));
  Close(1);  // nobody serving A is open: no honest estimate exists
  EXPECT_EQ(branch().EstimateWait(sixth, clock.Now()), std::nullopt);
}

TEST_F(CallingTest, EstimateUsesTheQueueTheTicketIsInNow) {
  // B: 10 min expected service; only counter 2 serves it.
  const uint64_t b1 = Issue("B");
  const uint64_t b2 = Issue("B");
  Advance(absl::Minutes(1));
  const uint64_t a1 = Issue("A");
  const uint64_t b3 = Issue("B");
  EXPECT_EQ(Ql(branch(), T(b3), clock.Now()), absl::Minutes(30));
  ASSERT_EQ(Call(1), a1);
  Transfer(1, "B");
  EXPECT_EQ(branch().PeopleAhead(T(a1)), 2);
  EXPECT_EQ(Ql(branch(), T(a1), clock.Now()), absl::Minutes(30));
  EXPECT_EQ(Ql(branch(), T(b3), clock.Now()), absl::Minutes(40));
  EXPECT_THAT(WaitingIds("B"), ElementsAre(b1, b2, a1, b3));
  // The simulated point lies in its range, and later tickets wait longer.
  const auto a = branch().EstimateWait(T(a1), clock.Now());
  const auto b = branch().EstimateWait(T(b3), clock.Now());
  ASSERT_TRUE(a && b);
  EXPECT_LE(a->low, a->point);
  EXPECT_LE(a->point, a->high);
  EXPECT_GT(a->point, absl::ZeroDuration());
  EXPECT_GT(b->point, a->point);
}

TEST_F(CallingTest, OnlyWaitingTicketsHaveAnEstimate) {
  Issue("A");
  const uint64_t id = Issue("A");
  Call(1);
  EXPECT_EQ(Call(4), id);
  EXPECT_EQ(branch().EstimateWait(T(id), clock.Now()), std::nullopt);
  Start(4);
  Finish(4);
  EXPECT_EQ(branch().PeopleAhead(T(id)), 0);
  EXPECT_EQ(branch().EstimateWait(T(id), clock.Now()), std::nullopt);
}

TEST_F(CallingTest, ServiceViewsShowQueuesLongestWaitAndEstimate) {
  Issue("A");
  Advance(absl::Minutes(2));
  Issue("A");
  Issue("C");
  Advance(absl::Minutes(3));
  const std::vector<ServiceView> views = branch().ServiceViews(clock.Now());
  ASSERT_EQ(views.size(), 3u);
  EXPECT_EQ(views[0].config->code, "A");
  EXPECT_EQ(views[0].waiting_count, 2);
  EXPECT_EQ(views[0].open_counters, 3);
  EXPECT_EQ(views[0].longest_wait, absl::Minutes(5));
  // Three idle counters for two waiting: a new A ticket is called at once.
  EXPECT_EQ(views[0].estimated_wait, absl::ZeroDuration());
  EXPECT_TRUE(views[0].estimate->counter_free_now);
  EXPECT_EQ(views[1].config->code, "B");
  EXPECT_EQ(views[1].waiting_count, 0);
  EXPECT_EQ(views[1].longest_wait, absl::ZeroDuration());
  EXPECT_EQ(views[1].estimated_wait, absl::ZeroDuration());
  EXPECT_EQ(views[2].config->code, "C");
  EXPECT_EQ(views[2].waiting_count, 1);
  EXPECT_EQ(views[2].longest_wait, absl::Minutes(3));
  // C: one counter, one waiting, 8 min expected: a new ticket waits about one
  // service (the point is the median of a log-normal around 8 min).
  EXPECT_EQ(views[2].estimate->ql, absl::Minutes(16));
  EXPECT_GT(views[2].estimated_wait, absl::Minutes(4));
  EXPECT_LT(views[2].estimated_wait, absl::Minutes(12));
}

}  // namespace
}  // namespace lobbyq::domain::testing
