// Branch-wide behaviour: idempotent issuing, ratings, isolation between branches,
// restore from stored rows, and configuration changes.

#include <string>
#include <vector>

#include "tests/domain/lobby.h"

namespace lobbyq::domain::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr auto kFailedPrecondition = absl::StatusCode::kFailedPrecondition;
constexpr auto kInvalidArgument = absl::StatusCode::kInvalidArgument;

// --- Idempotency ---

using IdempotencyTest = LobbyTest;

TEST_F(IdempotencyTest, RetriedRequestReturnsTheSameTicketAndChangesNothing) {
  const Plan first = Must(TryIssue("A", "kiosk-7-42"));
  const size_t events = Events().size();
  Advance(absl::Seconds(5));
  const Plan retry = Must(TryIssue("A", "kiosk-7-42"));
  EXPECT_EQ(retry.ticket_id, first.ticket_id);
  EXPECT_TRUE(retry.change.empty());
  EXPECT_EQ(Events().size(), events);
  EXPECT_THAT(WaitingIds("A"), ElementsAre(first.ticket_id));
  EXPECT_EQ(T(first.ticket_id).issued_at, kOpening);
  // The next real ticket is the next number: the retry used none up.
  EXPECT_EQ(Number(Issue("A")), "A002");
}

TEST_F(IdempotencyTest, RetryAfterTheTicketMovedOnStillReturnsIt) {
  const uint64_t id = Must(TryIssue("A", "kiosk-7-42")).ticket_id;
  Serve(1);
  const Plan retry = Must(TryIssue("A", "kiosk-7-42"));
  EXPECT_EQ(retry.ticket_id, id);
  EXPECT_TRUE(retry.change.empty());
  EXPECT_EQ(State(id), TicketState::kDone);
}

TEST_F(IdempotencyTest, SameRequestIdForAnotherServiceOrPriorityIsAlreadyExists) {
  const uint64_t id = Must(TryIssue("A", "kiosk-7-42")).ticket_id;
  const auto other_service = TryIssue("B", "kiosk-7-42");
  EXPECT_THAT(other_service, StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(other_service.status().message(), HasSubstr("A001"));
  EXPECT_THAT(TryIssue("A", "kiosk-7-42", PriorityClass::kGreenChannel),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(WaitingIds("B"), IsEmpty());
  EXPECT_THAT(WaitingIds("A"), ElementsAre(id));
}

TEST_F(IdempotencyTest, TransferDoesNotChangeWhatTheRequestWasFor) {
  const uint64_t id = Must(TryIssue("A", "kiosk-7-42")).ticket_id;
  Call(1);
  Transfer(1, "B");
  EXPECT_EQ(Must(TryIssue("A", "kiosk-7-42")).ticket_id, id);
  EXPECT_THAT(TryIssue("B", "kiosk-7-42"), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(IdempotencyTest, IssueRejectsBadInput) {
  EXPECT_THAT(TryIssue("A", ""), StatusIs(kInvalidArgument));
  EXPECT_THAT(TryIssue("A", "has space"), StatusIs(kInvalidArgument));
  EXPECT_THAT(TryIssue("a", "r1"), StatusIs(kInvalidArgument));
  EXPECT_THAT(TryIssue("", "r1"), StatusIs(kInvalidArgument));
  EXPECT_THAT(TryIssue("Q", "r1"), StatusIs(absl::StatusCode::kNotFound));
  // Appointment tickets come from checking in an appointment, never from IssueTicket.
  EXPECT_THAT(TryIssue("A", "r1", PriorityClass::kAppointment), StatusIs(kInvalidArgument));
  EXPECT_THAT(WaitingIds("A"), IsEmpty());
  // None of the refused requests reserved its request id.
  EXPECT_EQ(Number(Must(TryIssue("A", "r1")).ticket_id), "A001");
}

// --- Ratings ---

class RatingTest : public LobbyTest {
 protected:
  // A001 served at counter 1, finished at kOpening + 6 min.
  RatingTest() {
    served_ = Issue("A");
    Call(1);
    Start(1);
    Advance(absl::Minutes(6));
    Finish(1);
  }
  uint64_t served_ = 0;
};

TEST_F(RatingTest, EveryScoreFromOneToFiveIsAccepted) {
  for (int score = 1; score <= 5; ++score) {
    SCOPED_TRACE(score);
    const uint64_t t = Issue("A");
    ASSERT_EQ(Serve(4), t);
    const Plan plan = Must(TryRate(4, t, score, "ok"));
    EXPECT_EQ(plan.ticket_id, t);
    EXPECT_EQ(T(t).rating, score);
  }
}

TEST_F(RatingTest, RatingRecordsScoreCommentAndTime) {
  Advance(absl::Minutes(1));
  const Plan plan = Must(TryRate(1, served_, 5, "很好 very kind"));
  EXPECT_EQ(plan.ticket_id, served_);
  const Ticket t = T(served_);
  EXPECT_EQ(t.rating, 5);
  EXPECT_EQ(t.rating_comment, "很好 very kind");
  EXPECT_EQ(t.rated_at, clock.Now());
  EXPECT_EQ(t.state, TicketState::kDone);
}

TEST_F(RatingTest, ZeroOrSixIsInvalid) {
  EXPECT_THAT(TryRate(1, served_, 0), StatusIs(kInvalidArgument));
  EXPECT_THAT(TryRate(1, served_, 6), StatusIs(kInvalidArgument));
  EXPECT_THAT(TryRate(1, served_, -1), StatusIs(kInvalidArgument));
  EXPECT_EQ(T(served_).rating, 0);
  EXPECT_THAT(TryRate(1, served_, 4), IsOk());
}

TEST_F(RatingTest, OnlyFromTheCounterThatServedIt) {
  const auto wrong = TryRate(4, served_, 5);
  EXPECT_THAT(wrong, StatusIs(kFailedPrecondition));
  EXPECT_THAT(wrong.status().message(), HasSubstr("counter 1"));
  EXPECT_EQ(T(served_).rating, 0);
  EXPECT_THAT(TryRate(1, served_, 5), IsOk());
}

TEST_F(RatingTest, OnlyOnce) {
  ASSERT_THAT(TryRate(1, served_, 2), IsOk());
  EXPECT_THAT(TryRate(1, served_, 5), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryRate(1, 0, 5), StatusIs(kFailedPrecondition));
  EXPECT_EQ(T(served_).rating, 2);
}

TEST_F(RatingTest, OnlyWithinTheRatingWindow) {
  Advance(absl::Minutes(10));  // exactly the window: still fine
  EXPECT_THAT(branch().PlanRating(1, served_, 3, "", Ctx()), IsOk());
  Advance(absl::Seconds(1));
  EXPECT_THAT(TryRate(1, served_, 3), StatusIs(kFailedPrecondition));
  EXPECT_EQ(T(served_).rating, 0);
}

TEST_F(RatingTest, OnlyAfterDone) {
  const uint64_t id = Issue("A");
  Call(4);
  EXPECT_THAT(TryRate(4, id, 5), StatusIs(kFailedPrecondition));
  Start(4);
  EXPECT_THAT(TryRate(4, id, 5), StatusIs(kFailedPrecondition));
  EXPECT_EQ(T(id).rating, 0);
  Finish(4);
  EXPECT_THAT(TryRate(4, id, 5), IsOk());
}

TEST_F(RatingTest, NoShowAndWaitingTicketsCannotBeRated) {
  const uint64_t no_show = Issue("A");
  const uint64_t waiting = Issue("A");
  Call(4);
  NoShow(4);
  EXPECT_THAT(TryRate(4, no_show, 5), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryRate(4, waiting, 5), StatusIs(kFailedPrecondition));
  EXPECT_THAT(TryRate(4, 999, 5), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(RatingTest, TicketIdZeroRatesTheCountersLastFinishedTicket) {
  const uint64_t second = Issue("A");
  Serve(1);
  ASSERT_EQ(C(1).last_finished_ticket_id, second);
  const Plan plan = Must(TryRate(1, 0, 4));
  EXPECT_EQ(plan.ticket_id, second);
  EXPECT_EQ(T(second).rating, 4);
  EXPECT_EQ(T(served_).rating, 0);
  // The earlier ticket can still be rated by its id, within its window.
  EXPECT_THAT(TryRate(1, served_, 3), IsOk());
}

TEST_F(RatingTest, TicketIdZeroAtACounterThatFinishedNothingFails) {
  EXPECT_THAT(TryRate(4, 0, 5), StatusIs(kFailedPrecondition));
}

TEST_F(RatingTest, CommentUpTo500Bytes) {
  EXPECT_THAT(TryRate(1, served_, 5, std::string(501, 'x')), StatusIs(kInvalidArgument));
  EXPECT_EQ(T(served_).rating, 0);
  EXPECT_THAT(TryRate(1, served_, 5, std::string(500, 'x')), IsOk());
}

// --- Branches are separate ---

TEST(BranchIsolationTest, BranchesNeverSeeEachOthersTickets) {
  Lobby east("east");
  Lobby west("west");
  east.OpenAll();
  west.OpenAll();
  const uint64_t east_ticket = east.Issue("A");
  const uint64_t west_ticket = west.Issue("A");
  ASSERT_EQ(east_ticket, west_ticket);  // ids are per branch
  EXPECT_EQ(east.Number(east_ticket), "A001");
  EXPECT_EQ(west.Number(west_ticket), "A001");

  east.Cancel(east_ticket);
  EXPECT_EQ(east.State(east_ticket), TicketState::kCancelled);
  EXPECT_EQ(west.State(west_ticket), TicketState::kWaiting);
  EXPECT_EQ(east.Call(1), 0u);  // east has nobody waiting
  EXPECT_EQ(west.Call(1), west_ticket);
  EXPECT_EQ(east.State(east_ticket), TicketState::kCancelled);

  const uint64_t east_b = east.Issue("B");
  EXPECT_EQ(east.Number(east_b), "B001");
  EXPECT_EQ(west.branch().FindTicket(east_b), nullptr);
  EXPECT_THAT(west.TryCancel(east_b), StatusIs(absl::StatusCode::kNotFound));
  for (const Event& e : east.Events()) EXPECT_EQ(e.branch_id, "east");
  for (const Event& e : west.Events()) EXPECT_EQ(e.branch_id, "west");
}

TEST(BranchIsolationTest, SameRequestIdInTwoBranchesIssuesTwoTickets) {
  Lobby east("east");
  Lobby west("west");
  const Plan e = east.Must(east.TryIssue("A", "kiosk-1"));
  const Plan w = west.Must(west.TryIssue("B", "kiosk-1"));
  EXPECT_FALSE(e.change.empty());
  EXPECT_FALSE(w.change.empty());
  EXPECT_EQ(west.Number(w.ticket_id), "B001");
}

// --- Restore ---

void ExpectSameState(const Lobby& original, const Lobby& restored) {
  const Branch& a = original.branch();
  const Branch& b = restored.branch();
  EXPECT_EQ(b.info(), a.info());
  EXPECT_EQ(b.services(), a.services());
  EXPECT_EQ(b.counters(), a.counters());
  EXPECT_EQ(b.last_event_seq(), a.last_event_seq());
  for (const auto& service : a.services()) {
    SCOPED_TRACE(service.code);
    EXPECT_THAT(restored.WaitingIds(service.code),
                ElementsAreArray(original.WaitingIds(service.code)));
    for (const Ticket* t : a.Waiting(service.code)) {
      EXPECT_EQ(b.PeopleAhead(*t), a.PeopleAhead(*t));
      // The queue-length baseline depends only on state and finished tickets,
      // which a restore brings back; the simulation also learns from the order
      // of what happened, which it does not.
      const absl::Time now = t->issued_at;
      ASSERT_EQ(b.EstimateWait(*t, now).has_value(), a.EstimateWait(*t, now).has_value());
      if (auto e = a.EstimateWait(*t, now)) {
        EXPECT_EQ(b.EstimateWait(*t, now)->ql, e->ql);
      }
    }
  }
  for (uint64_t id = 1; a.FindTicket(id) != nullptr; ++id) {
    ASSERT_NE(b.FindTicket(id), nullptr) << "ticket " << id;
    EXPECT_EQ(*b.FindTicket(id), *a.FindTicket(id));
  }
}

void ExpectSamePlan(const absl::StatusOr<Plan>& a, const absl::StatusOr<Plan>& b) {
  ASSERT_EQ(a.status(), b.status());
  if (!a.ok()) return;
  EXPECT_EQ(a->ticket_id, b->ticket_id);
  EXPECT_EQ(a->change.branch_id, b->change.branch_id);
  EXPECT_EQ(a->change.tickets, b->change.tickets);
  EXPECT_EQ(a->change.counters, b->change.counters);
  EXPECT_EQ(a->change.sequences, b->change.sequences);
  EXPECT_EQ(a->change.events, b->change.events);
}

// A morning at the branch, leaving every kind of ticket and counter state behind.
void BusyMorning(Lobby& lobby) {
  lobby.OpenAll();
  for (int i = 0; i < 5; ++i) {
    lobby.Issue("A");
    lobby.Advance(absl::Minutes(1));
    lobby.Issue("B");
    lobby.Advance(absl::Minutes(1));
  }
  lobby.Issue("C");
  lobby.Serve(1);                      // A001 done
  lobby.Must(lobby.TryRate(1, 0, 5));  // ... and rated
  lobby.Call(4);                       // A002 called
  lobby.Recall(4);
  lobby.Call(2);           // B001 called ...
  lobby.Transfer(2, "A");  // ... and transferred into A ahead of A003
  lobby.Call(3);           // C001 ...
  lobby.Start(3);          // ... serving
  lobby.Call(1);           // B001 (oldest in A now) called at counter 1
  lobby.NoShow(1);
  lobby.Cancel(lobby.branch().Waiting("A").back()->id);  // A005 leaves
  lobby.Pause(1);
  lobby.Advance(absl::Minutes(3));
}

TEST(RestoreTest, RebuiltBranchHasTheSameState) {
  Lobby original;
  BusyMorning(original);
  const Lobby restored = Lobby::Restored(original);
  ExpectSameState(original, restored);
  // And that state is the morning's, not an empty branch's.
  EXPECT_EQ(restored.C(1).state, CounterState::kPaused);
  EXPECT_EQ(restored.C(4).current_ticket_id, 3u);  // A002, recalled once
  EXPECT_EQ(restored.T(3).recall_count, 1u);
  EXPECT_EQ(restored.C(3).current_ticket_id, 11u);  // C001
  EXPECT_EQ(restored.State(11), TicketState::kServing);
  EXPECT_EQ(restored.State(2), TicketState::kNoShow);  // B001, after its transfer to A
  EXPECT_EQ(restored.T(1).rating, 5);
  EXPECT_EQ(restored.C(1).last_finished_ticket_id, 1u);
  EXPECT_THAT(restored.WaitingNumbers("A"), ElementsAre("A003", "A004"));
  EXPECT_THAT(restored.WaitingNumbers("B"), ElementsAre("B002", "B003", "B004", "B005"));
  EXPECT_THAT(restored.WaitingNumbers("C"), IsEmpty());
}

TEST(RestoreTest, RebuiltBranchContinuesExactlyLikeTheOriginal) {
  Lobby original;
  BusyMorning(original);
  Lobby restored = Lobby::Restored(original);

  // Drive both with the same commands; every plan must be the same, row for row.
  auto both = [&](auto command) {
    SCOPED_TRACE(::testing::Message() << "step at " << original.clock.Now());
    const absl::StatusOr<Plan> a = command(original);
    const absl::StatusOr<Plan> b = command(restored);
    ExpectSamePlan(a, b);
    original.Advance(absl::Seconds(30));
    restored.Advance(absl::Seconds(30));
  };
  both([](Lobby& l) { return l.TryIssue("A", "after-restart-1"); });  // next number, next id
  both([](Lobby& l) { return l.TryIssue("B", "after-restart-2"); });
  both([](Lobby& l) { return l.TryIssue("A", "req-1"); });  // a request from before the restart
  both([](Lobby& l) { return l.TryIssue("B", "req-1"); });  // AlreadyExists in both
  both([](Lobby& l) { return l.TryCall(1); });              // paused in both
  both([](Lobby& l) { return l.TryOpen(1); });
  both([](Lobby& l) { return l.TryFinish(4); });  // A002 is only called
  both([](Lobby& l) { return l.TryRecall(4); });
  both([](Lobby& l) { return l.TryNoShow(4); });
  both([](Lobby& l) { return l.TryFinish(3); });  // C001 serving
  both([](Lobby& l) { return l.TryRate(3, 0, 1, "slow"); });
  for (int i = 0; i < 6; ++i) {
    both([](Lobby& l) { return l.TryCall(1); });
    both([](Lobby& l) { return l.TryNoShow(1); });
    both([](Lobby& l) { return l.TryCall(2); });
    both([](Lobby& l) { return l.TryStart(2); });
    both([](Lobby& l) { return l.TryFinish(2); });
  }
  ExpectSameState(original, restored);
}

TEST(RestoreTest, RebuiltBranchKeepsTheNumberSequenceOfTheDay) {
  Lobby original;
  original.OpenAll();
  for (int i = 0; i < 3; ++i) original.Cancel(original.Issue("A"));
  Lobby restored = Lobby::Restored(original);
  // All three A tickets are closed: only the stored sequence says the next is A004.
  EXPECT_EQ(restored.Number(restored.Issue("A")), "A004");
  EXPECT_EQ(restored.Issue("B"), 5u);  // and ticket ids are never reused
}

TEST(RestoreTest, IdsAndSeqsContinueAfterTheStoredMaximum) {
  // The store keeps only live and recent tickets, but remembers the highest id and seq.
  Lobby original;
  BranchSnapshot snap = original.Snapshot();
  snap.max_ticket_id = 41;
  snap.last_event_seq = 100;
  Branch restored(snap, Shanghai());
  EXPECT_EQ(restored.last_event_seq(), 100u);
  const CommandContext ctx{.now = kOpening, .actor = "kiosk:k1"};
  const auto plan = restored.PlanIssue("A", PriorityClass::kNormal, "r-1", {}, ctx);
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->ticket_id, 42u);
}

TEST(RestoreTest, ApplyingTheSameRowsTwiceIsHarmless) {
  Lobby lobby;
  lobby.OpenAll();
  const uint64_t a1 = lobby.Issue("A");
  const Plan issue = Lobby::Must(lobby.TryIssue("A", "twice"));
  const Plan call = Lobby::Must(lobby.TryCall(1));
  lobby.branch().Apply(issue.change);
  lobby.branch().Apply(call.change);
  EXPECT_THAT(lobby.WaitingIds("A"), ElementsAre(issue.ticket_id));
  EXPECT_EQ(lobby.State(a1), TicketState::kCalled);
  EXPECT_EQ(lobby.Number(lobby.Issue("A")), "A003");
}

// --- Configuration ---

TEST(CreateTest, PlanCreateMakesOneChangeWithEverythingAndOneEvent) {
  const CommandContext ctx{.now = kOpening, .actor = "admin"};
  Counter open_in_config = CounterConfig(1, {"A"});
  open_in_config.state = CounterState::kOpen;
  open_in_config.current_ticket_id = 7;
  auto change = Branch::PlanCreate({Info("main"), DefaultServices(), {open_in_config}}, ctx);
  ASSERT_THAT(change, IsOk());
  EXPECT_EQ(change->branch_id, "main");
  EXPECT_EQ(change->branch, Info("main"));
  EXPECT_EQ(change->services, DefaultServices());
  ASSERT_THAT(change->counters, SizeIs(1));
  EXPECT_EQ(change->counters[0].state, CounterState::kClosed);
  EXPECT_EQ(change->counters[0].current_ticket_id, 0u);
  EXPECT_EQ(change->counters[0].state_since, kOpening);
  ASSERT_THAT(change->events, SizeIs(1));
  EXPECT_EQ(change->events[0].type, EventType::kConfigChanged);
  EXPECT_EQ(change->events[0].actor, "admin");
  EXPECT_EQ(change->events[0].branch_id, "main");
}

TEST(CreateTest, PlanCreateRejectsABadDefinition) {
  const CommandContext ctx{.now = kOpening, .actor = "admin"};
  auto create = [&](BranchInfo info, std::vector<ServiceConfig> services,
                    std::vector<Counter> counters) {
    return Branch::PlanCreate({info, services, counters}, ctx).status();
  };
  const auto services = DefaultServices();
  EXPECT_THAT(create(Info("Main"), services, {}), StatusIs(kInvalidArgument));
  EXPECT_THAT(create(Info("main"), {}, {}), StatusIs(kInvalidArgument));
  EXPECT_THAT(
      create(Info("main"), {Service("A", absl::Minutes(5)), Service("A", absl::Minutes(6))}, {}),
      StatusIs(kInvalidArgument));
  EXPECT_THAT(create(Info("main"), {Service("AA", absl::Minutes(5))}, {}),
              StatusIs(kInvalidArgument));
  EXPECT_THAT(create(Info("main"), services, {CounterConfig(1, {"A"}), CounterConfig(1, {"B"})}),
              StatusIs(kInvalidArgument));
  EXPECT_THAT(create(Info("main"), services, {CounterConfig(1, {})}), StatusIs(kInvalidArgument));
  EXPECT_THAT(create(Info("main"), services, {CounterConfig(1, {"A", "A"})}),
              StatusIs(kInvalidArgument));
  // An unknown service in a profile is a mistake in the definition itself.
  const absl::Status unknown = create(Info("main"), services, {CounterConfig(1, {"A", "Q"})});
  EXPECT_THAT(unknown, StatusIs(kInvalidArgument));
  EXPECT_THAT(unknown.message(), HasSubstr("Q"));
  EXPECT_THAT(create(Info("main"), services, {CounterConfig(0, {"A"})}),
              StatusIs(kInvalidArgument));
}

using ConfigTest = LobbyTest;

TEST_F(ConfigTest, UpsertCounterChecksItsProfile) {
  auto upsert = [&](Counter c) { return branch().PlanUpsertCounter(c, Ctx("admin")).status(); };
  EXPECT_THAT(upsert(CounterConfig(5, {"A", "Q"})), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(upsert(CounterConfig(5, {})), StatusIs(kInvalidArgument));
  EXPECT_THAT(upsert(CounterConfig(5, {"B", "B"})), StatusIs(kInvalidArgument));
  EXPECT_THAT(upsert(CounterConfig(5, {"b"})), StatusIs(kInvalidArgument));
  EXPECT_THAT(upsert(CounterConfig(1000, {"A"})), StatusIs(kInvalidArgument));
  Counter unnamed = CounterConfig(5, {"A"});
  unnamed.name = "";
  EXPECT_THAT(upsert(unnamed), StatusIs(kInvalidArgument));
  EXPECT_EQ(branch().FindCounter(5), nullptr);
}

TEST_F(ConfigTest, NewCounterStartsClosed) {
  Counter config = CounterConfig(5, {"C", "A"});
  config.state = CounterState::kOpen;  // runtime state is not configuration
  const Plan plan = Must(Do(branch().PlanUpsertCounter(config, Ctx("admin"))));
  EXPECT_EQ(OnlyEvent(plan).type, EventType::kConfigChanged);
  EXPECT_EQ(OnlyEvent(plan).counter, 5u);
  EXPECT_EQ(C(5).state, CounterState::kClosed);
  EXPECT_THAT(C(5).service_codes, ElementsAre("C", "A"));
  EXPECT_THAT(TryCall(5), StatusIs(kFailedPrecondition));
}

TEST_F(ConfigTest, ChangingAProfileKeepsTheCountersRuntimeState) {
  const uint64_t id = Issue("A");
  Call(1);
  Must(Do(branch().PlanUpsertCounter(CounterConfig(1, {"C"}), Ctx("admin"))));
  EXPECT_EQ(C(1).state, CounterState::kOpen);
  EXPECT_EQ(C(1).current_ticket_id, id);
  EXPECT_EQ(C(1).state_since, kOpening);
  EXPECT_THAT(C(1).service_codes, ElementsAre("C"));
  Start(1);
  Finish(1);
  Issue("A");
  const uint64_t c = Issue("C");
  EXPECT_EQ(Call(1), c);  // the new profile applies to the next call
}

TEST_F(ConfigTest, UpsertServiceAddsOrChangesAService) {
  EXPECT_THAT(branch().PlanUpsertService(Service("ab", absl::Minutes(3)), Ctx("admin")),
              StatusIs(kInvalidArgument));
  EXPECT_THAT(branch().PlanUpsertService(Service("D", absl::ZeroDuration()), Ctx("admin")),
              StatusIs(kInvalidArgument));
  Must(Do(branch().PlanUpsertService(Service("D", absl::Minutes(3)), Ctx("admin"))));
  ASSERT_NE(branch().FindService("D"), nullptr);
  EXPECT_EQ(Number(Issue("D")), "D001");
  Must(Do(branch().PlanUpsertService(Service("A", absl::Minutes(7)), Ctx("admin"))));
  EXPECT_EQ(branch().FindService("A")->expected_service_time, absl::Minutes(7));
  EXPECT_EQ(branch().services().size(), 4u);
  EXPECT_EQ(branch().services()[0].code, "A");  // changed in place, order kept
}

}  // namespace
}  // namespace lobbyq::domain::testing
