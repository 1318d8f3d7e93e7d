// Recall limits, automatic no-shows, reinstatement, transfer placement and
// notes, and form-free details: the rules around a call, through Branch.

#include "tests/domain/lobby.h"

namespace lobbyq::domain::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class RulesTest : public LobbyTest {};

// --- Recall limit ---

TEST_F(RulesTest, RecallIsRefusedOnceTheLimitIsUsedUp) {
  const uint64_t a1 = Issue("A");
  Call(1);
  Recall(1);
  Recall(1);
  const auto third = TryRecall(1);
  EXPECT_THAT(third, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(third.status().message(), HasSubstr("call next to mark it no-show"));
  EXPECT_EQ(T(a1).recall_count, 2u);
  EXPECT_EQ(State(a1), TicketState::kCalled);
}

TEST_F(RulesTest, NextCallAfterTheLimitMarksNoShowAndCallsTheNextInOneChange) {
  const uint64_t a1 = Issue("A");
  const uint64_t a2 = Issue("A");
  Call(1);
  Recall(1);
  Recall(1);
  Advance(absl::Seconds(30));
  const Plan plan = Must(TryCall(1));
  EXPECT_EQ(plan.ticket_id, a2);
  ASSERT_EQ(plan.change.events.size(), 2u);
  EXPECT_EQ(plan.change.events[0].type, EventType::kTicketNoShow);
  EXPECT_EQ(plan.change.events[0].ticket_id, a1);
  EXPECT_EQ(plan.change.events[1].type, EventType::kTicketCalled);
  ASSERT_EQ(plan.change.counters.size(), 1u);
  EXPECT_EQ(plan.change.counters[0].current_ticket_id, a2);
  EXPECT_EQ(State(a1), TicketState::kNoShow);
  EXPECT_EQ(T(a1).no_show_at, clock.Now());
  EXPECT_EQ(State(a2), TicketState::kCalled);
}

TEST_F(RulesTest, NextCallAfterTheLimitWithNobodyWaitingStillEndsTheTicket) {
  const uint64_t a1 = Issue("A");
  Call(1);
  Recall(1);
  Recall(1);
  EXPECT_EQ(Call(1), 0u);
  EXPECT_EQ(State(a1), TicketState::kNoShow);
  EXPECT_EQ(C(1).current_ticket_id, 0u);
}

TEST_F(RulesTest, CallWithRecallsLeftIsRefused) {
  const uint64_t a1 = Issue("A");
  Issue("A");
  Call(1);
  Recall(1);
  EXPECT_THAT(TryCall(1), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(State(a1), TicketState::kCalled);
}

TEST_F(RulesTest, RecallLimitZeroMeansTheNextCallEndsAnUnansweredTicket) {
  Configure([](BranchInfo& info) { info.recall_limit = 0; });
  const uint64_t a1 = Issue("A");
  const uint64_t a2 = Issue("A");
  Call(1);
  EXPECT_THAT(TryRecall(1), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Call(1), a2);
  EXPECT_EQ(State(a1), TicketState::kNoShow);
}

// --- Automatic no-show ---

TEST_F(RulesTest, NoDeadlineWhileAutomaticNoShowIsOff) {
  Issue("A");
  Call(1);
  EXPECT_EQ(branch().NextDeadline(), std::nullopt);
  Advance(absl::Hours(2));
  EXPECT_TRUE(Timeouts().change.empty());
}

TEST_F(RulesTest, AutomaticNoShowFiresExactlyAfterTheConfiguredTimeSinceTheLastCall) {
  Configure([](BranchInfo& info) { info.auto_no_show_after = absl::Minutes(3); });
  const uint64_t a1 = Issue("A");
  Call(1);
  const absl::Time called = clock.Now();
  EXPECT_EQ(branch().NextDeadline(), called + absl::Minutes(3));

  Advance(absl::Minutes(2));
  Recall(1);  // a recall restarts the wait
  EXPECT_EQ(branch().NextDeadline(), clock.Now() + absl::Minutes(3));
  Advance(absl::Minutes(3) - absl::Microseconds(1));
  EXPECT_TRUE(Timeouts().change.empty());
  EXPECT_EQ(State(a1), TicketState::kCalled);

  Advance(absl::Microseconds(1));
  const Plan plan = Timeouts();
  ASSERT_EQ(plan.change.events.size(), 1u);
  EXPECT_EQ(plan.change.events[0].type, EventType::kTicketNoShow);
  EXPECT_EQ(plan.change.events[0].actor, "timer");
  EXPECT_EQ(State(a1), TicketState::kNoShow);
  EXPECT_EQ(C(1).current_ticket_id, 0u);
  EXPECT_EQ(branch().NextDeadline(), std::nullopt);
}

TEST_F(RulesTest, AutomaticNoShowLeavesServedTicketsAlone) {
  Configure([](BranchInfo& info) { info.auto_no_show_after = absl::Minutes(1); });
  const uint64_t a1 = Issue("A");
  Call(1);
  Start(1);
  EXPECT_EQ(branch().NextDeadline(), std::nullopt);
  Advance(absl::Minutes(5));
  EXPECT_TRUE(Timeouts().change.empty());
  EXPECT_EQ(State(a1), TicketState::kServing);
}

TEST_F(RulesTest, AutomaticNoShowEndsEveryOverdueCounterInOneChange) {
  Configure([](BranchInfo& info) { info.auto_no_show_after = absl::Minutes(1); });
  const uint64_t a1 = Issue("A");
  const uint64_t a2 = Issue("A");
  Call(1);
  Call(4);
  Advance(absl::Minutes(1));
  const Plan plan = Timeouts();
  EXPECT_EQ(plan.change.events.size(), 2u);
  EXPECT_EQ(State(a1), TicketState::kNoShow);
  EXPECT_EQ(State(a2), TicketState::kNoShow);
}

// --- Reinstatement ---

TEST_F(RulesTest, ReinstatedTicketGoesBackToItsOriginalPlace) {
  const uint64_t a1 = Issue("A");
  Advance(absl::Minutes(1));
  const uint64_t a2 = Issue("A");
  const uint64_t a3 = Issue("A");
  Call(1);
  NoShow(1);
  Advance(absl::Minutes(5));
  const Plan plan = Must(Do(branch().PlanReinstate(a1, 0, Ctx("kiosk:k1"))));
  EXPECT_EQ(OnlyEvent(plan).type, EventType::kTicketReinstated);
  EXPECT_EQ(State(a1), TicketState::kWaiting);
  EXPECT_EQ(T(a1).recall_count, 0u);
  EXPECT_THAT(WaitingIds("A"), ElementsAre(a1, a2, a3));
  EXPECT_EQ(Call(4), a1);
}

TEST_F(RulesTest, ReinstatedTicketGoesToTheEndWhenConfigured) {
  Configure([](BranchInfo& info) { info.reinstate_placement = Placement::kEnd; });
  const uint64_t a1 = Issue("A");
  const uint64_t a2 = Issue("A");
  Call(1);
  NoShow(1);
  Advance(absl::Minutes(1));
  const uint64_t a3 = Issue("A");
  Advance(absl::Minutes(1));
  Must(Do(branch().PlanReinstate(a1, 1, Ctx("counter:1"))));
  EXPECT_THAT(WaitingIds("A"), ElementsAre(a2, a3, a1));
  EXPECT_EQ(T(a1).queued_at, clock.Now());
  EXPECT_EQ(T(a1).issued_at, kOpening);
}

TEST_F(RulesTest, ReinstatementWindowIsInclusiveAndThenCloses) {
  const uint64_t a1 = Issue("A");
  Call(1);
  NoShow(1);
  Advance(absl::Minutes(30));
  const Lobby before = Lobby::Restored(*this);
  EXPECT_THAT(branch().PlanReinstate(a1, 0, Ctx()), IsOk());
  Advance(absl::Microseconds(1));
  const auto late = Do(branch().PlanReinstate(a1, 0, Ctx()));
  EXPECT_THAT(late, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(late.status().message(), HasSubstr("take a new ticket"));
  EXPECT_EQ(State(a1), TicketState::kNoShow);
  EXPECT_EQ(Events().size(), before.Events().size());
}

TEST_F(RulesTest, OnlyANoShowTicketCanBeReinstated) {
  const uint64_t a1 = Issue("A");
  EXPECT_THAT(Do(branch().PlanReinstate(a1, 0, Ctx())),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(Do(branch().PlanReinstate(999, 0, Ctx())), StatusIs(absl::StatusCode::kNotFound));
  Call(1);
  NoShow(1);
  EXPECT_THAT(Do(branch().PlanReinstate(a1, 77, Ctx())), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(State(a1), TicketState::kNoShow);
}

TEST_F(RulesTest, ReinstatementSurvivesARestart) {
  const uint64_t a1 = Issue("A");
  Call(1);
  NoShow(1);
  Lobby restored = Lobby::Restored(*this);
  restored.Advance(absl::Minutes(10));
  EXPECT_THAT(restored.Do(restored.branch().PlanReinstate(a1, 0, restored.Ctx())), IsOk());
  EXPECT_EQ(restored.State(a1), TicketState::kWaiting);
}

// --- Transfer placement and notes ---

class TransferPlacementTest : public LobbyTest {
 protected:
  // B has two tickets waiting (b1 at 09:01, b2 at 09:02); an A ticket issued at
  // 09:00 is being served at counter 1 at 09:10 when it is transferred to B.
  void SetUp() override {
    a1 = Issue("A");
    Advance(absl::Minutes(1));
    b1 = Issue("B");
    Advance(absl::Minutes(1));
    b2 = Issue("B");
    Call(1);
    Start(1);
    Advance(absl::Minutes(8));
  }
  uint64_t a1 = 0, b1 = 0, b2 = 0;
};

TEST_F(TransferPlacementTest, ByIssueTimeKeepsTheOriginalPlace) {
  Transfer(1, "B", Placement::kByIssueTime);
  EXPECT_THAT(WaitingIds("B"), ElementsAre(a1, b1, b2));
  EXPECT_EQ(T(a1).queued_at, T(a1).issued_at);
}

TEST_F(TransferPlacementTest, FrontGoesBeforeEveryone) {
  Transfer(1, "B", Placement::kFront);
  EXPECT_THAT(WaitingIds("B"), ElementsAre(a1, b1, b2));
  Must(TryCall(2));
  EXPECT_EQ(C(2).current_ticket_id, a1);
}

TEST_F(TransferPlacementTest, EndGoesAfterEveryone) {
  Transfer(1, "B", Placement::kEnd);
  EXPECT_THAT(WaitingIds("B"), ElementsAre(b1, b2, a1));
  EXPECT_EQ(T(a1).queued_at, clock.Now());
  EXPECT_EQ(T(a1).issued_at, kOpening);
  EXPECT_EQ(Number(a1), "A001");
}

TEST_F(TransferPlacementTest, BranchDefaultAppliesWhenTheTellerDoesNotSay) {
  Configure([](BranchInfo& info) { info.transfer_placement = Placement::kEnd; });
  Transfer(1, "B");
  EXPECT_THAT(WaitingIds("B"), ElementsAre(b1, b2, a1));
}

TEST_F(RulesTest, FrontGoesBeforeTicketsIssuedEarlierThanTheTransferredOne) {
  const uint64_t b0 = Issue("B");
  Advance(absl::Minutes(1));
  const uint64_t a1 = Issue("A");
  Call(1);
  Start(1);
  Transfer(1, "B", Placement::kFront);
  EXPECT_THAT(WaitingIds("B"), ElementsAre(a1, b0));
  EXPECT_EQ(Call(2), a1);
}

TEST_F(RulesTest, FrontNeverPassesATicketThatIsAlreadyOverdue) {
  // B's max_wait is 20 min (target 10). B001 waits from 09:00; A005 is issued
  // at 09:25 and sent to the front of B at 09:30, when B001 is overdue.
  const uint64_t b1 = Issue("B");
  Advance(absl::Minutes(25));
  const uint64_t a5 = Issue("A");
  Call(1);
  Start(1);
  Advance(absl::Minutes(5));
  Transfer(1, "B", Placement::kFront);
  EXPECT_EQ(T(a5).queued_at, T(a5).issued_at);
  EXPECT_THAT(WaitingIds("B"), ElementsAre(a5, b1));  // front of its class...
  EXPECT_EQ(Call(2), b1);                             // ...but the overdue one first
  EXPECT_EQ(Call(4), 0u);  // counter 4 serves A only: B is out of its reach
}

TEST_F(TransferPlacementTest, NoteReachesTheNextTellerAndTheHistoryIsKept) {
  const Plan plan = Must(TryTransfer(1, "B", Placement::kFront, "needs a corporate seal"));
  EXPECT_THAT(OnlyEvent(plan).detail, HasSubstr("transfer A->B front"));
  Must(TryCall(2));
  EXPECT_EQ(T(a1).note, "needs a corporate seal");
  EXPECT_EQ(T(a1).origin_service_code, "A");
  std::vector<EventType> history;
  for (const Event& e : Events()) {
    if (e.ticket_id == a1) history.push_back(e.type);
  }
  EXPECT_THAT(history, ElementsAre(EventType::kTicketIssued, EventType::kTicketCalled,
                                   EventType::kServiceStarted, EventType::kTicketTransferred,
                                   EventType::kTicketCalled));
}

TEST_F(TransferPlacementTest, NoteIsMaskedLikeFreeTextAndPurgedAfterTheDay) {
  Transfer(1, "B", Placement::kByIssueTime, "客户手机13812345678, acct 6222-0212-3456-7890");
  EXPECT_EQ(T(a1).note, "客户手机****5678, acct ****7890");
  const absl::Time midnight = Local(2024, 3, 12, 0, 0);
  EXPECT_EQ(branch().NextDeadline(), midnight);
  Advance(midnight - clock.Now());
  Timeouts();
  EXPECT_EQ(T(a1).note, "");
  EXPECT_EQ(State(a1), TicketState::kWaiting);
}

TEST_F(TransferPlacementTest, NoteWithControlCharactersChangesNothing) {
  EXPECT_THAT(TryTransfer(1, "B", Placement::kFront, "line\nbreak"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(State(a1), TicketState::kServing);
}

TEST_F(TransferPlacementTest, TooLongANoteChangesNothing) {
  const auto plan = TryTransfer(1, "B", Placement::kFront, std::string(201, 'x'));
  EXPECT_THAT(plan, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(State(a1), TicketState::kServing);
  EXPECT_THAT(WaitingIds("B"), ElementsAre(b1, b2));
}

// --- Form-free details ---

TEST_F(RulesTest, DetailsAreMaskedBeforeTheyAreKept) {
  const Plan plan = Must(TryIssue("A", "r-details", PriorityClass::kNormal,
                                  TransactionDetails{.type = "transfer",
                                                     .amount = "5000.00",
                                                     .account_tail = "6222021234567890",
                                                     .text = "call me on 138 1234 5678 please"}));
  const Ticket t = T(plan.ticket_id);
  EXPECT_EQ(t.details.type, "transfer");
  EXPECT_EQ(t.details.amount, "5000.00");
  EXPECT_EQ(t.details.account_tail, "****7890");
  EXPECT_EQ(t.details.text, "call me on ****5678 please");
  // The event log never carries them.
  for (const Event& e : plan.change.events) {
    EXPECT_THAT(e.detail, ::testing::Not(HasSubstr("7890")));
  }
}

TEST_F(RulesTest, MaskingCatchesFullWidthDigitsOtherSeparatorsAndKeepsAShortTail) {
  const Plan plan = Must(
      TryIssue("A", "r-mask", PriorityClass::kNormal,
               TransactionDetails{
                   .account_tail = "1234",
                   .text = "１３８１２３４５６７８ / 138.1234.5678 / (0755)  8123-4567 / 2024"}));
  const Ticket t = T(plan.ticket_id);
  EXPECT_EQ(t.details.account_tail, "****1234");
  // The area code stands apart (three separators) and alone says nothing.
  EXPECT_EQ(t.details.text, "****5678 / ****5678 / (0755)  ****4567 / 2024");
}

TEST_F(RulesTest, BadDetailsAreRefusedAndIssueNothing) {
  for (const TransactionDetails& bad :
       {TransactionDetails{.amount = "12,50"}, TransactionDetails{.amount = "1.234"},
        TransactionDetails{.account_tail = "12a4"}, TransactionDetails{.account_tail = "123"},
        TransactionDetails{.text = std::string(201, 'x')},
        TransactionDetails{.type = "bad\ntype"}}) {
    EXPECT_THAT(TryIssue("A", "r-bad", PriorityClass::kNormal, bad),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
  EXPECT_THAT(WaitingIds("A"), IsEmpty());
}

TEST_F(RulesTest, DetailsArePurgedAfterTheBusinessDay) {
  const Plan plan = Must(TryIssue("A", "r-1", PriorityClass::kNormal,
                                  TransactionDetails{.type = "deposit", .amount = "100"}));
  const uint64_t id = plan.ticket_id;
  const absl::Time midnight = Local(2024, 3, 12, 0, 0);
  EXPECT_EQ(branch().NextDeadline(), midnight);
  Advance(midnight - clock.Now() - absl::Microseconds(1));
  EXPECT_TRUE(Timeouts().change.empty());
  Advance(absl::Microseconds(1));
  const Plan purge = Timeouts();
  ASSERT_EQ(purge.change.events.size(), 1u);
  EXPECT_EQ(purge.change.events[0].type, EventType::kDetailsPurged);
  EXPECT_TRUE(T(id).details.empty());
  EXPECT_EQ(State(id), TicketState::kWaiting);
  EXPECT_EQ(branch().NextDeadline(), std::nullopt);
}

TEST_F(RulesTest, PurgeAndAutomaticNoShowOfOneTicketDoNotOverwriteEachOther) {
  Configure([](BranchInfo& info) { info.auto_no_show_after = absl::Minutes(5); });
  Advance(Local(2024, 3, 11, 23, 58) - clock.Now());
  const uint64_t id =
      Must(TryIssue("A", "r-1", PriorityClass::kNormal, TransactionDetails{.type = "deposit"}))
          .ticket_id;
  Call(1);
  Advance(absl::Minutes(10));  // past midnight and past the no-show time
  Timeouts();
  EXPECT_EQ(State(id), TicketState::kNoShow);
  EXPECT_EQ(branch().NextDeadline(), Local(2024, 3, 12, 0, 0));  // the purge, still due
  Timeouts();
  EXPECT_TRUE(T(id).details.empty());
  EXPECT_EQ(State(id), TicketState::kNoShow);
}

// --- Counter configuration at run time ---

TEST_F(RulesTest, ChangingTheStrategyRestartsTheCountedRotation) {
  Counter counted = C(1);
  counted.strategy = CallStrategy::kCounted;
  counted.counted_rules = {{PriorityClass::kGreenChannel, 2}};
  Must(Do(branch().PlanUpsertCounter(counted, Ctx("admin"))));
  Issue("A", PriorityClass::kGreenChannel);
  Call(1);
  EXPECT_THAT(C(1).counted_calls, ElementsAre(1));
  counted.counted_rules = {{PriorityClass::kGreenChannel, 3}};
  Must(Do(branch().PlanUpsertCounter(counted, Ctx("admin"))));
  EXPECT_THAT(C(1).counted_calls, ElementsAre(0));
  EXPECT_EQ(C(1).state, CounterState::kOpen);
}

TEST_F(RulesTest, CountedWithoutRulesIsRefused) {
  Counter counted = C(1);
  counted.strategy = CallStrategy::kCounted;
  EXPECT_THAT(branch().PlanUpsertCounter(counted, Ctx("admin")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(C(1).strategy, CallStrategy::kInOrder);
}

TEST_F(RulesTest, BranchSettingsAreValidatedAndTheTimeZoneCannotChange) {
  BranchInfo info = branch().info();
  info.timezone = "Europe/Berlin";
  EXPECT_THAT(branch().PlanUpdateBranchInfo(info, Ctx()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  info = branch().info();
  info.recall_limit = -1;
  EXPECT_THAT(branch().PlanUpdateBranchInfo(info, Ctx()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  info = branch().info();
  info.reinstate_placement = Placement::kFront;
  EXPECT_THAT(branch().PlanUpdateBranchInfo(info, Ctx()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  info = branch().info();
  info.closing_time = info.opening_time;
  EXPECT_THAT(branch().PlanUpdateBranchInfo(info, Ctx()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(branch().info().recall_limit, 2);
}

// --- Classes in the lobby's own words ---

TEST_F(RulesTest, GreenChannelIsCalledBeforeEarlierNormalTickets) {
  const uint64_t normal = Issue("A");
  Advance(absl::Minutes(1));
  const uint64_t green = Issue("A", PriorityClass::kGreenChannel);
  EXPECT_EQ(Call(1), green);
  EXPECT_EQ(Call(4), normal);
}

TEST_F(RulesTest, PeopleAheadCountsHigherClassesFirst) {
  const uint64_t normal = Issue("A");
  Advance(absl::Minutes(1));
  const uint64_t vip = Issue("A", PriorityClass::kVip);
  const uint64_t green = Issue("A", PriorityClass::kGreenChannel);
  EXPECT_EQ(branch().PeopleAhead(T(green)), 0);
  EXPECT_EQ(branch().PeopleAhead(T(vip)), 1);
  EXPECT_EQ(branch().PeopleAhead(T(normal)), 2);
}

TEST_F(RulesTest, AnOverdueNormalTicketIsCalledBeforeNewerGreenChannelOnes) {
  const uint64_t normal = Issue("A");  // target 10 min: max_wait 20 min
  Advance(absl::Minutes(20));
  const uint64_t green = Issue("A", PriorityClass::kGreenChannel);
  Advance(absl::Microseconds(1));
  const Plan plan = Must(TryCall(1));
  EXPECT_EQ(plan.ticket_id, normal);
  EXPECT_THAT(plan.change.events.back().detail, HasSubstr("max_wait"));
  EXPECT_EQ(Call(4), green);
}

}  // namespace
}  // namespace lobbyq::domain::testing
