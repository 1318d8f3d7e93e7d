// Ticket and counter state machines: every legal transition does exactly what it
// says and records one event; every illegal one is FAILED_PRECONDITION and
// changes nothing.

#include <optional>
#include <string>

#include "tests/domain/lobby.h"

namespace lobbyq::domain::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

using TransitionTest = LobbyTest;

constexpr auto kFailedPrecondition = absl::StatusCode::kFailedPrecondition;

// --- Legal ticket transitions ---

TEST_F(TransitionTest, IssueCreatesAWaitingTicket) {
  const Plan plan = Must(TryIssue("A", "kiosk-1-0001", PriorityClass::kVip));
  const Ticket t = T(plan.ticket_id);
  EXPECT_EQ(t.id, 1u);
  EXPECT_EQ(t.state, TicketState::kWaiting);
  EXPECT_EQ(t.service_code, "A");
  EXPECT_EQ(t.origin_service_code, "A");
  EXPECT_EQ(t.priority, PriorityClass::kVip);
  EXPECT_EQ(t.issued_at, kOpening);
  EXPECT_EQ(t.business_day, absl::CivilDay(2024, 3, 11));
  EXPECT_EQ(t.request_id, "kiosk-1-0001");
  EXPECT_EQ(t.counter, 0u);
  EXPECT_FALSE(t.first_called_at.has_value());
  EXPECT_FALSE(t.called_at.has_value());
  EXPECT_THAT(WaitingIds("A"), ElementsAre(t.id));
}

TEST_F(TransitionTest, CallNextCallsTheTicketToTheCounter) {
  const uint64_t id = Issue("A");
  Advance(absl::Minutes(3));
  EXPECT_EQ(Call(1), id);
  const Ticket t = T(id);
  EXPECT_EQ(t.state, TicketState::kCalled);
  EXPECT_EQ(t.counter, 1u);
  EXPECT_EQ(t.first_called_at, kOpening + absl::Minutes(3));
  EXPECT_EQ(t.called_at, kOpening + absl::Minutes(3));
  EXPECT_EQ(t.recall_count, 0u);
  EXPECT_EQ(C(1).current_ticket_id, id);
  EXPECT_EQ(C(1).state, CounterState::kOpen);
  EXPECT_THAT(WaitingIds("A"), IsEmpty());
  EXPECT_EQ(branch().CurrentTicket(C(1))->id, id);
}

TEST_F(TransitionTest, RecallCountsAndRestampsTheCallButStaysCalled) {
  const uint64_t id = Issue("A");
  Call(1);
  Advance(absl::Seconds(30));
  EXPECT_EQ(Recall(1), id);
  Advance(absl::Seconds(30));
  Recall(1);
  const Ticket t = T(id);
  EXPECT_EQ(t.state, TicketState::kCalled);
  EXPECT_EQ(t.recall_count, 2u);
  EXPECT_EQ(t.called_at, kOpening + absl::Minutes(1));
  EXPECT_EQ(t.first_called_at, kOpening);  // the wait ended at the first call
  EXPECT_EQ(C(1).current_ticket_id, id);
}

TEST_F(TransitionTest, StartServiceMovesCalledToServing) {
  const uint64_t id = Issue("A");
  Call(1);
  Advance(absl::Seconds(40));
  EXPECT_EQ(Start(1), id);
  EXPECT_EQ(State(id), TicketState::kServing);
  EXPECT_EQ(T(id).started_at, kOpening + absl::Seconds(40));
  EXPECT_EQ(C(1).current_ticket_id, id);
}

TEST_F(TransitionTest, FinishMovesServingToDoneAndFreesTheCounter) {
  const uint64_t id = Issue("A");
  Call(1);
  Start(1);
  Advance(absl::Minutes(6));
  EXPECT_EQ(Finish(1), id);
  const Ticket t = T(id);
  EXPECT_EQ(t.state, TicketState::kDone);
  EXPECT_EQ(t.finished_at, kOpening + absl::Minutes(6));
  EXPECT_EQ(C(1).current_ticket_id, 0u);
  EXPECT_EQ(C(1).last_finished_ticket_id, id);
  EXPECT_EQ(branch().CurrentTicket(C(1)), nullptr);
}

TEST_F(TransitionTest, NoShowFromCalledFreesTheCounter) {
  const uint64_t id = Issue("A");
  const uint64_t next = Issue("A");
  Call(1);
  EXPECT_EQ(NoShow(1), id);
  EXPECT_EQ(State(id), TicketState::kNoShow);
  EXPECT_EQ(C(1).current_ticket_id, 0u);
  EXPECT_EQ(C(1).last_finished_ticket_id, 0u);  // a no-show is nothing to rate
  EXPECT_EQ(Call(1), next);
}

TEST_F(TransitionTest, CancelFromWaitingLeavesTheQueue) {
  const uint64_t first = Issue("A");
  const uint64_t second = Issue("A");
  EXPECT_EQ(Cancel(first), first);
  EXPECT_EQ(State(first), TicketState::kCancelled);
  EXPECT_THAT(WaitingIds("A"), ElementsAre(second));
  EXPECT_EQ(Call(1), second);
}

TEST_F(TransitionTest, TransferFromCalledWaitsInTheNewQueueWithNumberAndIssueTime) {
  const uint64_t b1 = Issue("B");
  Advance(absl::Minutes(1));
  const uint64_t a1 = Issue("A");
  const absl::Time a1_issued = clock.Now();
  Advance(absl::Minutes(1));
  const uint64_t b2 = Issue("B");
  Advance(absl::Minutes(1));
  ASSERT_EQ(Call(1), a1);  // counter 1 serves A only
  const absl::Time a1_called = clock.Now();
  Recall(1);
  Advance(absl::Minutes(1));

  EXPECT_EQ(Transfer(1, "B"), a1);

  const Ticket t = T(a1);
  EXPECT_EQ(t.state, TicketState::kWaiting);
  EXPECT_EQ(t.service_code, "B");
  EXPECT_EQ(t.origin_service_code, "A");
  EXPECT_EQ(t.DisplayNumber(), "A001");
  EXPECT_EQ(t.issued_at, a1_issued);
  EXPECT_EQ(t.first_called_at, a1_called);  // its wait is still measured to the first call
  EXPECT_FALSE(t.called_at.has_value());
  EXPECT_EQ(t.recall_count, 0u);
  EXPECT_EQ(C(1).current_ticket_id, 0u);
  // Its original issue time puts it between the B tickets issued before and after it.
  EXPECT_THAT(WaitingIds("B"), ElementsAre(b1, a1, b2));
  EXPECT_THAT(WaitingIds("A"), IsEmpty());

  // Counter 2 ([B, A]) takes them in that order.
  EXPECT_EQ(Serve(2), b1);
  EXPECT_EQ(Call(2), a1);
  EXPECT_EQ(T(a1).counter, 2u);
  EXPECT_EQ(T(a1).first_called_at, a1_called);
  EXPECT_EQ(T(a1).called_at, clock.Now());
  Start(2);
  Finish(2);
  EXPECT_EQ(Call(2), b2);
}

TEST_F(TransitionTest, TransferFromServingGoesBackToWaiting) {
  const uint64_t a1 = Issue("A");
  Advance(absl::Minutes(1));
  const uint64_t c1 = Issue("C");
  Call(1);
  Start(1);
  Advance(absl::Minutes(2));
  EXPECT_EQ(Transfer(1, "C"), a1);
  const Ticket t = T(a1);
  EXPECT_EQ(t.state, TicketState::kWaiting);
  EXPECT_EQ(t.service_code, "C");
  EXPECT_FALSE(t.started_at.has_value());
  EXPECT_EQ(t.first_called_at, kOpening + absl::Minutes(1));
  EXPECT_EQ(C(1).current_ticket_id, 0u);
  EXPECT_THAT(WaitingIds("C"), ElementsAre(a1, c1));  // issued before C001
  EXPECT_EQ(Call(3), a1);
  EXPECT_EQ(Number(a1), "A001");
}

TEST_F(TransitionTest, TransferToTheSameOrAnUnknownServiceIsRefused) {
  const uint64_t id = Issue("A");
  Call(1);
  EXPECT_THAT(TryTransfer(1, "A"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(TryTransfer(1, "Q"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(TryTransfer(1, "bb"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(State(id), TicketState::kCalled);
  EXPECT_EQ(C(1).current_ticket_id, id);
}

// --- Illegal ticket transitions: FAILED_PRECONDITION, nothing changes ---

TEST_F(TransitionTest, CounterActionsWithoutACurrentTicketFail) {
  Issue("A");  // waiting, but not called
  EXPECT_THAT(TryStart(1), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryFinish(1), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryRecall(1), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryNoShow(1), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryTransfer(1, "B"), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryStart(1).status().message(), HasSubstr("no current ticket"));
  EXPECT_EQ(State(1), TicketState::kWaiting);
  EXPECT_THAT(Events(), SizeIs(1 + 4 + 1));  // create, 4 opens, 1 issue
}

TEST_F(TransitionTest, FinishWhileCalledFails) {
  const uint64_t id = Issue("A");
  Call(1);
  const auto finish = TryFinish(1);
  EXPECT_THAT(finish, StatusIs(kFailedPrecondition));
  EXPECT_THAT(finish.status().message(), HasSubstr("A001"));
  EXPECT_EQ(State(id), TicketState::kCalled);
  EXPECT_EQ(C(1).current_ticket_id, id);
  EXPECT_EQ(C(1).last_finished_ticket_id, 0u);
}

TEST_F(TransitionTest, NoShowRecallAndStartWhileServingFail) {
  const uint64_t id = Issue("A");
  Call(1);
  Start(1);
  const Ticket before = T(id);
  EXPECT_THAT(TryNoShow(1), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryRecall(1), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryStart(1), StatusIs(kFailedPrecondition));
  EXPECT_EQ(T(id), before);
  EXPECT_EQ(C(1).current_ticket_id, id);
}

TEST_F(TransitionTest, CancelOnlyAWaitingTicket) {
  const uint64_t called = Issue("A");
  const uint64_t serving = Issue("B");
  const uint64_t done = Issue("C");
  const uint64_t no_show = Issue("A");
  const uint64_t cancelled = Issue("A");
  Call(1);
  Call(2);
  Start(2);
  Serve(3);
  Call(4);
  NoShow(4);
  Cancel(cancelled);
  ASSERT_EQ(State(called), TicketState::kCalled);
  ASSERT_EQ(State(serving), TicketState::kServing);
  ASSERT_EQ(State(done), TicketState::kDone);
  ASSERT_EQ(State(no_show), TicketState::kNoShow);

  EXPECT_THAT(TryCancel(called), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryCancel(serving), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryCancel(done), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryCancel(no_show), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryCancel(cancelled), StatusIs(kFailedPrecondition));
  EXPECT_EQ(State(called), TicketState::kCalled);
  EXPECT_EQ(C(1).current_ticket_id, called);
  EXPECT_EQ(State(done), TicketState::kDone);
  EXPECT_THAT(TryCancel(999), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(TransitionTest, CallNextWhileTheCounterStillHasATicketFails) {
  const uint64_t first = Issue("A");
  const uint64_t second = Issue("A");
  Call(1);
  EXPECT_THAT(TryCall(1), StatusIs(kFailedPrecondition));
  Start(1);
  EXPECT_THAT(TryCall(1), StatusIs(kFailedPrecondition));
  EXPECT_EQ(C(1).current_ticket_id, first);
  EXPECT_EQ(State(second), TicketState::kWaiting);
  EXPECT_THAT(WaitingIds("A"), ElementsAre(second));
}

TEST_F(TransitionTest, CallNextNeedsAnOpenCounter) {
  const uint64_t id = Issue("A");
  Close(1);
  const auto closed = TryCall(1);
  EXPECT_THAT(closed, StatusIs(kFailedPrecondition));
  EXPECT_THAT(closed.status().message(), HasSubstr("closed"));
  Open(4);
  Pause(4);
  const auto paused = TryCall(4);
  EXPECT_THAT(paused, StatusIs(kFailedPrecondition));
  EXPECT_THAT(paused.status().message(), HasSubstr("paused"));
  EXPECT_EQ(State(id), TicketState::kWaiting);
  EXPECT_EQ(C(1).current_ticket_id, 0u);
  EXPECT_EQ(C(4).current_ticket_id, 0u);
}

TEST_F(TransitionTest, TicketActionsOnAClosedOrPausedCounterFail) {
  Issue("A");
  Close(1);
  Pause(4);
  for (uint32_t c : {1u, 4u}) {
    SCOPED_TRACE(c);
    EXPECT_THAT(TryRecall(c), StatusIs(kFailedPrecondition));
    EXPECT_THAT(TryStart(c), StatusIs(kFailedPrecondition));
    EXPECT_THAT(TryFinish(c), StatusIs(kFailedPrecondition));
    EXPECT_THAT(TryNoShow(c), StatusIs(kFailedPrecondition));
    EXPECT_THAT(TryTransfer(c, "B"), StatusIs(kFailedPrecondition));
  }
  EXPECT_EQ(State(1), TicketState::kWaiting);
}

TEST_F(TransitionTest, UnknownOrInvalidCounterIsNotAPrecondition) {
  EXPECT_THAT(TryCall(42), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(TryOpen(42), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(TryFinish(42), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(TryCall(0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(TryOpen(1000), StatusIs(absl::StatusCode::kInvalidArgument));
}

// --- Counter state ---

TEST_F(TransitionTest, PauseOrCloseWithACurrentTicketFails) {
  const uint64_t id = Issue("A");
  Call(1);
  EXPECT_THAT(TryPause(1), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryClose(1), StatusIs(kFailedPrecondition));
  Start(1);
  EXPECT_THAT(TryPause(1), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryClose(1), StatusIs(kFailedPrecondition));
  EXPECT_EQ(C(1).state, CounterState::kOpen);
  EXPECT_EQ(C(1).current_ticket_id, id);
  Finish(1);
  Pause(1);
  EXPECT_EQ(C(1).state, CounterState::kPaused);
}

TEST_F(TransitionTest, PauseAClosedCounterFails) {
  Close(1);
  EXPECT_THAT(TryPause(1), StatusIs(kFailedPrecondition));
  EXPECT_EQ(C(1).state, CounterState::kClosed);
}

TEST_F(TransitionTest, CounterOpensPausesResumesAndCloses) {
  Close(1);
  Advance(absl::Minutes(1));
  Open(1);
  EXPECT_EQ(C(1).state, CounterState::kOpen);
  EXPECT_EQ(C(1).state_since, kOpening + absl::Minutes(1));
  Advance(absl::Minutes(1));
  Pause(1);
  EXPECT_EQ(C(1).state, CounterState::kPaused);
  EXPECT_EQ(C(1).state_since, kOpening + absl::Minutes(2));
  Open(1);
  EXPECT_EQ(C(1).state, CounterState::kOpen);
  Pause(1);
  Close(1);  // a paused counter can close
  EXPECT_EQ(C(1).state, CounterState::kClosed);
}

TEST_F(TransitionTest, RequestingTheStateACounterIsAlreadyInChangesNothing) {
  Advance(absl::Minutes(5));
  const Plan open = Must(TryOpen(1));
  EXPECT_TRUE(open.change.empty());
  EXPECT_EQ(C(1).state_since, kOpening);  // not restamped
  Pause(1);
  EXPECT_TRUE(Must(TryPause(1)).change.empty());
  Close(1);
  EXPECT_TRUE(Must(TryClose(1)).change.empty());
}

TEST(CreateTest, CountersStartClosed) {
  Lobby lobby;
  for (const auto& [number, counter] : lobby.branch().counters()) {
    EXPECT_EQ(counter.state, CounterState::kClosed) << "counter " << number;
    EXPECT_EQ(counter.current_ticket_id, 0u);
  }
  EXPECT_THAT(lobby.TryCall(1), StatusIs(absl::StatusCode::kFailedPrecondition));
}

// --- Events: one per command, saying what happened, where, by whom, when ---

TEST_F(TransitionTest, EachTicketCommandRecordsOneEvent) {
  struct Expected {
    EventType type;
    uint32_t counter;
    std::string actor;
    std::optional<TicketState> from;
    std::optional<TicketState> to;
    std::string service;
  };
  auto check = [&](const Plan& plan, const Expected& want) {
    const Event e = OnlyEvent(plan);
    EXPECT_EQ(e.type, want.type) << Name(e.type);
    EXPECT_EQ(e.branch_id, "main");
    EXPECT_EQ(e.at, clock.Now());
    EXPECT_EQ(e.counter, want.counter);
    EXPECT_EQ(e.actor, want.actor);
    EXPECT_EQ(e.ticket_id, plan.ticket_id);
    EXPECT_NE(e.ticket_id, 0u);
    EXPECT_EQ(e.from_state, want.from);
    EXPECT_EQ(e.to_state, want.to);
    EXPECT_EQ(e.service_code, want.service);
    EXPECT_FALSE(e.counter_state.has_value());
    EXPECT_EQ(e.seq, branch().last_event_seq());  // numbered and applied
  };
  using S = TicketState;
  const std::string teller = "counter:1";

  Advance(absl::Seconds(1));
  check(Must(TryIssue("A", "r1")), {EventType::kTicketIssued, 0, "kiosk:k1", {}, S::kWaiting, "A"});
  Advance(absl::Seconds(1));
  check(Must(TryCall(1)), {EventType::kTicketCalled, 1, teller, S::kWaiting, S::kCalled, "A"});
  Advance(absl::Seconds(1));
  const Plan recall = Must(TryRecall(1));
  check(recall, {EventType::kTicketRecalled, 1, teller, S::kCalled, S::kCalled, "A"});
  EXPECT_THAT(OnlyEvent(recall).detail, HasSubstr("1"));
  Advance(absl::Seconds(1));
  check(Must(TryStart(1)), {EventType::kServiceStarted, 1, teller, S::kCalled, S::kServing, "A"});
  Advance(absl::Seconds(1));
  const Plan transfer = Must(TryTransfer(1, "B"));
  check(transfer, {EventType::kTicketTransferred, 1, teller, S::kServing, S::kWaiting, "B"});
  EXPECT_THAT(OnlyEvent(transfer).detail, HasSubstr("A->B"));
  Advance(absl::Seconds(1));
  check(Must(TryCall(2)), {EventType::kTicketCalled, 2, "counter:2", S::kWaiting, S::kCalled, "B"});
  Advance(absl::Seconds(1));
  check(Must(TryStart(2)),
        {EventType::kServiceStarted, 2, "counter:2", S::kCalled, S::kServing, "B"});
  Advance(absl::Seconds(1));
  check(Must(TryFinish(2)),
        {EventType::kTicketFinished, 2, "counter:2", S::kServing, S::kDone, "B"});
  Advance(absl::Seconds(1));
  const Plan rating = Must(TryRate(2, 0, 5));
  check(rating, {EventType::kTicketRated, 2, "pad:2", S::kDone, S::kDone, "B"});
  EXPECT_THAT(OnlyEvent(rating).detail, HasSubstr("5"));

  Advance(absl::Seconds(1));
  Issue("A");
  Advance(absl::Seconds(1));
  check(Must(TryCall(1)), {EventType::kTicketCalled, 1, teller, S::kWaiting, S::kCalled, "A"});
  Advance(absl::Seconds(1));
  check(Must(TryNoShow(1)), {EventType::kTicketNoShow, 1, teller, S::kCalled, S::kNoShow, "A"});
  Advance(absl::Seconds(1));
  const uint64_t later = Issue("C");
  Advance(absl::Seconds(1));
  const Plan cancel = Must(TryCancel(later));
  check(cancel, {EventType::kTicketCancelled, 0, "kiosk:k1", S::kWaiting, S::kCancelled, "C"});
}

TEST_F(TransitionTest, EventSeqsIncreaseAndLastEventSeqFollowsThem) {
  const uint64_t before = branch().last_event_seq();
  Issue("A");
  Call(1);
  Start(1);
  Finish(1);
  EXPECT_EQ(branch().last_event_seq(), before + 4);
  const std::vector<Event> events = Events();
  for (size_t i = 1; i < events.size(); ++i) EXPECT_EQ(events[i].seq, events[i - 1].seq + 1);
}

TEST_F(TransitionTest, CounterCommandsRecordOneCounterEvent) {
  auto check = [&](const Plan& plan, EventType type, CounterState state) {
    const Event e = OnlyEvent(plan);
    EXPECT_EQ(e.type, type) << Name(e.type);
    EXPECT_EQ(e.counter_state, state);
    EXPECT_EQ(e.counter, 3u);
    EXPECT_EQ(e.actor, "counter:3");
    EXPECT_EQ(e.branch_id, "main");
    EXPECT_EQ(e.at, clock.Now());
    EXPECT_EQ(e.ticket_id, 0u);
    EXPECT_FALSE(e.from_state.has_value());
    EXPECT_FALSE(e.to_state.has_value());
    ASSERT_THAT(plan.change.counters, SizeIs(1));
    EXPECT_EQ(plan.change.counters[0].state, state);
    EXPECT_EQ(plan.change.counters[0].state_since, clock.Now());
    EXPECT_TRUE(plan.change.tickets.empty());
  };
  Advance(absl::Minutes(1));
  check(Must(TryPause(3)), EventType::kCounterPaused, CounterState::kPaused);
  Advance(absl::Minutes(1));
  check(Must(TryOpen(3)), EventType::kCounterOpened, CounterState::kOpen);
  Advance(absl::Minutes(1));
  check(Must(TryClose(3)), EventType::kCounterClosed, CounterState::kClosed);
  Advance(absl::Minutes(1));
  check(Must(TryOpen(3)), EventType::kCounterOpened, CounterState::kOpen);
}

TEST_F(TransitionTest, CallRowsCarryTheTicketAndTheCounter) {
  const uint64_t id = Issue("A");
  const Plan call = Must(TryCall(1));
  ASSERT_THAT(call.change.tickets, SizeIs(1));
  ASSERT_THAT(call.change.counters, SizeIs(1));
  EXPECT_EQ(call.change.branch_id, "main");
  EXPECT_EQ(call.change.tickets[0], T(id));
  EXPECT_EQ(call.change.counters[0], C(1));
  EXPECT_EQ(call.change.counters[0].current_ticket_id, id);
}

}  // namespace
}  // namespace lobbyq::domain::testing
