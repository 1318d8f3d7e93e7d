// Client request ids of counter actions (Branch::PlanOnce): a retry gets the
// first answer and changes nothing; a reused id for something else is refused.

#include <string>

#include "tests/domain/lobby.h"

namespace lobbyq::domain::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr auto kAlreadyExists = absl::StatusCode::kAlreadyExists;
constexpr char kCallNext[] = "CounterService.CallNext";

using CounterIdempotencyTest = LobbyTest;

TEST_F(CounterIdempotencyTest, RetriedCallNextReturnsTheSameTicketAndCallsNobodyElse) {
  const uint64_t a1 = Issue("A");
  const uint64_t a2 = Issue("A");
  const Plan first = Must(TryCallOnce("teller-1/7", 1));
  ASSERT_EQ(first.ticket_id, a1);
  ASSERT_THAT(first.change.requests, SizeIs(1));
  EXPECT_EQ(first.change.requests[0].ticket_id, a1);
  EXPECT_EQ(first.change.requests[0].operation, kCallNext);
  EXPECT_FALSE(first.change.requests[0].detail.empty());  // the reason
  const size_t events = Events().size();

  Advance(absl::Seconds(3));
  const Plan retry = Must(TryCallOnce("teller-1/7", 1));
  EXPECT_EQ(retry.ticket_id, a1);
  EXPECT_TRUE(retry.change.empty());
  ASSERT_TRUE(retry.replay.has_value());
  EXPECT_EQ(retry.replay->detail, first.change.requests[0].detail);
  EXPECT_EQ(Events().size(), events);
  EXPECT_EQ(C(1).current_ticket_id, a1);
  EXPECT_EQ(T(a1).called_at, kOpening);  // not called again
  EXPECT_THAT(WaitingIds("A"), ElementsAre(a2));

  // A new id is a new action: once A001 is done, it calls A002.
  Start(1);
  Finish(1);
  EXPECT_EQ(Must(TryCallOnce("teller-1/8", 1)).ticket_id, a2);
  // And the old id still answers with A001, whatever happened since.
  EXPECT_EQ(Must(TryCallOnce("teller-1/7", 1)).ticket_id, a1);
}

TEST_F(CounterIdempotencyTest, EveryCounterActionAnswersARetryWithoutActingAgain) {
  const uint64_t a1 = Issue("A");
  Must(TryCallOnce("c1", 1));
  auto once = [&](const std::string& id, const std::string& op, auto plan) {
    return Must(TryOnce(id, op, 1, plan));
  };
  const auto recall = [&] { return branch().PlanRecall(1, Ctx()); };
  EXPECT_EQ(once("r1", "CounterService.Recall", recall).ticket_id, a1);
  EXPECT_TRUE(once("r1", "CounterService.Recall", recall).change.empty());
  EXPECT_EQ(T(a1).recall_count, 1u);  // recalled once, not twice

  const auto start = [&] { return branch().PlanStartService(1, Ctx()); };
  const auto finish = [&] { return branch().PlanFinish(1, Ctx()); };
  once("s1", "CounterService.StartService", start);
  once("f1", "CounterService.Finish", finish);
  // Finish retried after the ticket is DONE: the first answer, not FAILED_PRECONDITION.
  const Plan again = once("f1", "CounterService.Finish", finish);
  EXPECT_EQ(again.ticket_id, a1);
  EXPECT_TRUE(again.change.empty());
  EXPECT_EQ(State(a1), TicketState::kDone);

  const auto pause = [&] { return branch().PlanPauseCounter(1, Ctx()); };
  once("p1", "CounterService.PauseCounter", pause);
  Open(1);
  // A retried pause after the counter was opened again does not pause it.
  EXPECT_TRUE(once("p1", "CounterService.PauseCounter", pause).change.empty());
  EXPECT_EQ(C(1).state, CounterState::kOpen);
}

TEST_F(CounterIdempotencyTest, SameIdForAnotherOperationCounterOrSubjectIsRefused) {
  const uint64_t a1 = Issue("A");  // request id "req-1"
  Issue("A");
  Must(TryCallOnce("x", 1));
  const size_t events = Events().size();

  auto recall =
      TryOnce("x", "CounterService.Recall", 1, [&] { return branch().PlanRecall(1, Ctx()); });
  EXPECT_THAT(recall, StatusIs(kAlreadyExists));
  EXPECT_THAT(recall.status().message(), HasSubstr("CounterService.CallNext at counter 1"));
  EXPECT_THAT(recall.status().message(), HasSubstr("use a new request_id"));
  EXPECT_THAT(TryCallOnce("x", 4), StatusIs(kAlreadyExists));
  EXPECT_EQ(C(4).current_ticket_id, 0u);

  auto transfer = [&](const std::string& to) {
    return TryOnce(
        "t", "CounterService.Transfer", 1,
        [&] { return branch().PlanTransfer(1, to, {}, "", Ctx()); }, "to " + to);
  };
  Must(transfer("B"));
  auto other = transfer("C");
  EXPECT_THAT(other, StatusIs(kAlreadyExists));
  EXPECT_THAT(other.status().message(), HasSubstr("with other details"));
  EXPECT_THAT(WaitingIds("C"), ::testing::IsEmpty());

  // Ids are one namespace with IssueTicket's, both ways.
  auto issued = TryCallOnce("req-1", 4);
  EXPECT_THAT(issued, StatusIs(kAlreadyExists));
  EXPECT_THAT(issued.status().message(), HasSubstr(Number(a1)));
  EXPECT_THAT(TryIssue("A", "x"), StatusIs(kAlreadyExists));
  EXPECT_EQ(Events().size(), events + 1);  // only the transfer
}

TEST_F(CounterIdempotencyTest, MalformedIdsAreRefusedAndAnEmptyIdIsNoKey) {
  Issue("A");
  Issue("A");
  EXPECT_THAT(TryCallOnce("has space", 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(TryCallOnce(std::string(65, 'x'), 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(C(1).current_ticket_id, 0u);
  const Plan plain = Must(TryCallOnce("", 1));
  EXPECT_NE(plain.ticket_id, 0u);
  EXPECT_TRUE(plain.change.requests.empty());
}

TEST_F(CounterIdempotencyTest, AnActionThatChangedNothingIsNotRemembered) {
  const Plan nobody = Must(TryCallOnce("n", 1));
  EXPECT_EQ(nobody.ticket_id, 0u);
  EXPECT_TRUE(nobody.change.empty());
  const uint64_t a1 = Issue("A");
  // Nothing was done under "n", so running it now is the first time.
  EXPECT_EQ(Must(TryCallOnce("n", 1)).ticket_id, a1);
}

TEST_F(CounterIdempotencyTest, IdsAreForgottenAfterTheRetention) {
  const uint64_t a1 = Issue("A");
  Must(TryCallOnce("x", 1));
  Start(1);
  Finish(1);
  Advance(kRequestIdRetention);
  EXPECT_EQ(Must(TryCallOnce("x", 1)).ticket_id, a1);  // still remembered at the edge
  Advance(absl::Seconds(1));
  const uint64_t later = Issue("A");
  EXPECT_EQ(Must(TryCallOnce("x", 1)).ticket_id, later);  // a new action now
  EXPECT_EQ(State(later), TicketState::kCalled);
}

TEST_F(CounterIdempotencyTest, RetryAfterARestartGetsTheFirstAnswer) {
  const uint64_t a1 = Issue("A");
  const uint64_t a2 = Issue("A");
  const Plan first = Must(TryCallOnce("x", 1));
  Lobby restored = Lobby::Restored(*this);
  const Plan retry = Must(restored.TryCallOnce("x", 1));
  EXPECT_EQ(retry.ticket_id, a1);
  EXPECT_TRUE(retry.change.empty());
  ASSERT_TRUE(retry.replay.has_value());
  EXPECT_EQ(*retry.replay, first.change.requests[0]);
  EXPECT_EQ(restored.WaitingIds("A"), std::vector<uint64_t>{a2});
  EXPECT_THAT(restored.TryCallOnce("x", 4), StatusIs(kAlreadyExists));
}

}  // namespace
}  // namespace lobbyq::domain::testing
