// The calling policy over real gRPC: the green-channel counter, strategies and
// counted rules configured through AdminService, max_wait, transfer placement
// and notes, form-free details (masked, never on lobby displays), the ordering
// preview, the recall limit and reinstatement.

#include "gmock/gmock.h"
#include "tests/e2e/policy_fixture.h"

namespace lobbyq::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<int> Counts(const v1::CounterStatus& status) {
  return {status.counted_calls().begin(), status.counted_calls().end()};
}

TEST_F(PolicyTest, CreateBranchKeepsEveryPolicySettingAndCounterProfile) {
  const v1::BranchConfig branch = GetBranch();
  const v1::BranchPolicy& p = branch.policy();
  EXPECT_EQ(p.recall_limit(), 2);
  EXPECT_EQ(p.reinstate_grace().seconds(), 30 * 60);
  EXPECT_EQ(p.checkin_early().seconds(), 30 * 60);
  EXPECT_EQ(p.checkin_late().seconds(), 10 * 60);
  EXPECT_EQ(p.appointment_lead().seconds(), 5 * 60);
  EXPECT_EQ(p.opening_time().seconds(), 9 * 3600);
  EXPECT_EQ(p.closing_time().seconds(), 17 * 3600);
  EXPECT_EQ(p.slot_length().seconds(), 30 * 60);
  // Not given: the defaults.
  EXPECT_EQ(p.reinstate_placement(), v1::PLACEMENT_BY_ISSUE_TIME);
  EXPECT_EQ(p.transfer_placement(), v1::PLACEMENT_BY_ISSUE_TIME);
  EXPECT_EQ(p.auto_no_show_after().seconds(), 0);
  EXPECT_EQ(p.booking_horizon_days(), 30);

  ASSERT_EQ(branch.services_size(), 3);
  EXPECT_EQ(branch.services(0).appointment_capacity(), 2);
  EXPECT_EQ(branch.services(1).appointment_capacity(), 0);
  EXPECT_FALSE(branch.services(0).has_max_wait()) << "defaulted max_wait is shown unset";

  ASSERT_EQ(branch.counters_size(), 5);
  EXPECT_EQ(branch.counters(0).strategy(), v1::CALL_STRATEGY_IN_ORDER);
  EXPECT_FALSE(branch.counters(0).green_channel());
  EXPECT_TRUE(branch.counters(1).green_channel());
  EXPECT_EQ(branch.counters(2).strategy(), v1::CALL_STRATEGY_LONGEST_WAIT);
  const v1::CounterConfig& counted = branch.counters(3);
  EXPECT_EQ(counted.strategy(), v1::CALL_STRATEGY_COUNTED);
  ASSERT_EQ(counted.counted_rules_size(), 2);
  EXPECT_EQ(counted.counted_rules(0).priority(), v1::PRIORITY_CLASS_NORMAL);
  EXPECT_EQ(counted.counted_rules(0).quota(), 2);
  EXPECT_EQ(counted.counted_rules(1).priority(), v1::PRIORITY_CLASS_VIP);
  EXPECT_EQ(counted.counted_rules(1).quota(), 1);
  EXPECT_EQ(counted.counted_fallback(), v1::PRIORITY_CLASS_NORMAL);
}

TEST_F(PolicyTest, GreenChannelCounterCallsGreenTicketBeforeEarlierNormalOnes) {
  Open(1, kCalling);  // {A,B}, in order
  Open(2, kCalling);  // {A,B}, green channel
  const v1::Ticket n1 = IssueIn("A");
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket n2 = IssueIn("A");
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket green_b = IssueIn("B", v1::PRIORITY_CLASS_GREEN_CHANNEL);
  EXPECT_EQ(green_b.priority(), v1::PRIORITY_CLASS_GREEN_CHANNEL);

  // The green-channel counter takes the green ticket, though it is in its
  // second service and two normal tickets came earlier.
  const v1::CallNextResponse green_call = CallNext(2, kCalling);
  ASSERT_TRUE(green_call.has_ticket());
  EXPECT_EQ(green_call.ticket().ticket_id(), green_b.ticket_id());
  EXPECT_THAT(green_call.reason(), HasSubstr("green-channel counter"));
  EXPECT_FALSE(green_call.has_marked_no_show());

  // An ordinary counter in order: its first service, earliest first.
  const v1::CallNextResponse normal_call = CallNext(1, kCalling);
  EXPECT_EQ(normal_call.ticket().ticket_id(), n1.ticket_id());
  EXPECT_THAT(normal_call.reason(), HasSubstr("strategy"));

  // With nobody green waiting, the green-channel counter calls like any other.
  StartService(2, kCalling);
  Finish(2, kCalling);
  EXPECT_EQ(CallNext(2, kCalling).ticket().ticket_id(), n2.ticket_id());
}

TEST_F(PolicyTest, HigherClassGoesFirstWithinTheCountersService) {
  Open(1, kCalling);  // {A,B}, in order
  const v1::Ticket normal = IssueIn("A");
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket vip = IssueIn("A", v1::PRIORITY_CLASS_VIP);
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket green = IssueIn("A", v1::PRIORITY_CLASS_GREEN_CHANNEL);
  EXPECT_EQ(Serve(1).ticket_id(), green.ticket_id());
  EXPECT_EQ(Serve(1).ticket_id(), vip.ticket_id());
  EXPECT_EQ(Serve(1).ticket_id(), normal.ticket_id());
}

TEST_F(PolicyTest, StrategyChangeThroughUpsertCounterTakesEffectAtTheNextCall) {
  const v1::Ticket b1 = IssueIn("B");
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket b2 = IssueIn("B");
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket a1 = IssueIn("A");
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket a2 = IssueIn("A");
  Open(1, kCalling);

  // In order: service A first, though B's tickets waited longer.
  EXPECT_EQ(Serve(1).ticket_id(), a1.ticket_id());

  v1::CounterConfig longest = CounterCfg(1, {"A", "B"});
  longest.set_strategy(v1::CALL_STRATEGY_LONGEST_WAIT);
  v1::CounterStatus upserted;
  ASSERT_TRUE(IsOk(UpsertCounter(longest, &upserted)));
  EXPECT_EQ(upserted.counter().strategy(), v1::CALL_STRATEGY_LONGEST_WAIT);
  EXPECT_EQ(upserted.state(), v1::COUNTER_STATE_OPEN) << "an upsert keeps the counter open";
  EXPECT_EQ(GetBranch().counters(0).strategy(), v1::CALL_STRATEGY_LONGEST_WAIT);

  // Longest wait: B's oldest ticket.
  EXPECT_EQ(Serve(1).ticket_id(), b1.ticket_id());

  // And back: UNSPECIFIED means in order.
  ASSERT_TRUE(IsOk(UpsertCounter(CounterCfg(1, {"A", "B"}), &upserted)));
  EXPECT_EQ(upserted.counter().strategy(), v1::CALL_STRATEGY_IN_ORDER);
  EXPECT_EQ(Serve(1).ticket_id(), a2.ticket_id());
  EXPECT_EQ(Serve(1).ticket_id(), b2.ticket_id());
}

TEST_F(PolicyTest, CountedRulesRotateClassesAndReportTheirCounts) {
  std::vector<v1::Ticket> normal;
  for (int i = 0; i < 4; ++i) {
    normal.push_back(IssueIn("A"));
    clock_.Advance(absl::Seconds(30));
  }
  const v1::Ticket vip1 = IssueIn("A", v1::PRIORITY_CLASS_VIP);
  clock_.Advance(absl::Seconds(30));
  const v1::Ticket vip2 = IssueIn("A", v1::PRIORITY_CLASS_VIP);
  EXPECT_THAT(Counts(Open(4, kCalling)), ::testing::AnyOf(ElementsAre(), ElementsAre(0, 0)));

  // normal:2, vip:1, fallback normal.
  struct Step {
    uint64_t ticket;
    std::string reason;
    std::vector<int> counts;
  };
  const std::vector<Step> steps = {
      {normal[0].ticket_id(), "counted rule", {1, 0}},
      {normal[1].ticket_id(), "counted rule", {2, 0}},
      {vip1.ticket_id(), "counted rule", {2, 1}},
      {normal[2].ticket_id(), "counted fallback", {0, 0}},  // every rule used up: reset
      {normal[3].ticket_id(), "counted rule", {1, 0}},
      {vip2.ticket_id(), "counted rule", {1, 1}},  // no normal left: the next rule
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("call ", i + 1));
    const v1::CallNextResponse called = CallNext(4, kCalling);
    EXPECT_EQ(called.ticket().ticket_id(), steps[i].ticket);
    EXPECT_THAT(called.reason(), HasSubstr(steps[i].reason));
    EXPECT_EQ(Counts(called.counter()), steps[i].counts);
    StartService(4, kCalling);
    Finish(4, kCalling);
  }

  // New rules over the wire restart the counts.
  v1::CounterConfig vip_first = CountedCounter();
  vip_first.clear_counted_rules();
  v1::CountedRule* rule = vip_first.add_counted_rules();
  rule->set_priority(v1::PRIORITY_CLASS_VIP);
  rule->set_quota(3);
  vip_first.set_counted_fallback(v1::PRIORITY_CLASS_UNSPECIFIED);  // means NORMAL
  v1::CounterStatus upserted;
  ASSERT_TRUE(IsOk(UpsertCounter(vip_first, &upserted)));
  ASSERT_EQ(upserted.counter().counted_rules_size(), 1);
  EXPECT_EQ(upserted.counter().counted_rules(0).priority(), v1::PRIORITY_CLASS_VIP);
  EXPECT_EQ(upserted.counter().counted_rules(0).quota(), 3);
  EXPECT_EQ(upserted.counter().counted_fallback(), v1::PRIORITY_CLASS_NORMAL);
  EXPECT_THAT(Counts(upserted), ::testing::AnyOf(ElementsAre(), ElementsAre(0)));
}

TEST_F(PolicyTest, TicketPastMaxWaitIsCalledBeforeEveryPriorityClass) {
  // B's max_wait down to 5 minutes over AdminService.
  v1::UpsertServiceRequest upsert;
  upsert.set_branch_id(kCalling);
  *upsert.mutable_service() = ServiceCfg("B", "Non-cash");
  *upsert.mutable_service()->mutable_target_wait() = Minutes(3);
  *upsert.mutable_service()->mutable_max_wait() = Minutes(5);
  v1::ServiceConfig service;
  ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::UpsertService, upsert, &service)));
  EXPECT_EQ(service.max_wait().seconds(), 300);

  Open(1, kCalling);  // {A,B}, in order: A first
  const v1::Ticket b_old = IssueIn("B");
  clock_.Advance(absl::Minutes(4));
  const v1::Ticket green_a = IssueIn("A", v1::PRIORITY_CLASS_GREEN_CHANNEL);
  // Not yet overdue: A's green ticket.
  EXPECT_EQ(Serve(1).ticket_id(), green_a.ticket_id());

  const v1::Ticket green_a2 = IssueIn("A", v1::PRIORITY_CLASS_GREEN_CHANNEL);
  clock_.Advance(absl::Minutes(2));  // b_old has waited 6 minutes
  const v1::CallNextResponse called = CallNext(1, kCalling);
  EXPECT_EQ(called.ticket().ticket_id(), b_old.ticket_id());
  EXPECT_THAT(called.reason(), HasSubstr("max_wait"));
  StartService(1, kCalling);
  Finish(1, kCalling);
  EXPECT_EQ(Serve(1).ticket_id(), green_a2.ticket_id());
}

TEST_F(PolicyTest, TransferPlacesFrontOrEndAndCarriesTheNote) {
  Open(1, kCalling);  // {A,B}
  Open(5, kCalling);  // {B}
  const v1::Ticket a_old = IssueIn("A");
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket b1 = IssueIn("B");
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket b2 = IssueIn("B");
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket a_new = IssueIn("A");

  // END: behind both B tickets, though by issue time it would go first.
  ASSERT_EQ(CallNext(1, kCalling).ticket().ticket_id(), a_old.ticket_id());
  const v1::TicketActionResponse to_end = Transfer(1, "B", v1::PLACEMENT_END);
  EXPECT_EQ(to_end.ticket().ticket_id(), a_old.ticket_id());
  EXPECT_EQ(to_end.ticket().state(), v1::TICKET_STATE_WAITING);
  EXPECT_EQ(to_end.ticket().service_code(), "B");
  EXPECT_EQ(to_end.ticket().people_ahead(), 2);
  EXPECT_EQ(to_end.ticket().note(), "");
  EXPECT_FALSE(to_end.counter().has_current_ticket());

  // FRONT: ahead of the B tickets, though issued after them.
  ASSERT_EQ(CallNext(1, kCalling).ticket().ticket_id(), a_new.ticket_id());
  const std::string note = "needs a new passbook 补存折";
  const v1::TicketActionResponse to_front = Transfer(1, "B", v1::PLACEMENT_FRONT, note);
  EXPECT_EQ(to_front.ticket().ticket_id(), a_new.ticket_id());
  EXPECT_EQ(to_front.ticket().note(), note);
  EXPECT_EQ(to_front.ticket().people_ahead(), 0);
  EXPECT_EQ(to_front.ticket().number(), a_new.number()) << "a transfer keeps the number";

  const v1::Ticket b3 = IssueIn("B");  // after both transfers: last
  const v1::CallNextResponse next = CallNext(5, kCalling);
  EXPECT_EQ(next.ticket().ticket_id(), a_new.ticket_id());
  EXPECT_EQ(next.ticket().note(), note) << "the next teller sees the note";
  EXPECT_EQ(next.counter().current_ticket().note(), note);
  StartService(5, kCalling);
  Finish(5, kCalling);
  EXPECT_EQ(Serve(5).ticket_id(), b1.ticket_id());
  EXPECT_EQ(Serve(5).ticket_id(), b2.ticket_id());
  EXPECT_EQ(Serve(5).ticket_id(), a_old.ticket_id());
  EXPECT_EQ(Serve(5).ticket_id(), b3.ticket_id());
}

TEST_F(PolicyTest, TransferWithoutPlacementUsesTheBranchDefault) {
  Open(1, kCalling);  // {A,B}
  Open(5, kCalling);  // {B}
  const v1::Ticket a1 = IssueIn("A");
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket b1 = IssueIn("B");
  ASSERT_EQ(CallNext(1, kCalling).ticket().ticket_id(), a1.ticket_id());
  // BY_ISSUE_TIME (the branch's default): a1 came before b1.
  const v1::TicketActionResponse moved = Transfer(1, "B", v1::PLACEMENT_UNSPECIFIED);
  EXPECT_EQ(moved.ticket().people_ahead(), 0);
  EXPECT_EQ(Serve(5).ticket_id(), a1.ticket_id());
  EXPECT_EQ(Serve(5).ticket_id(), b1.ticket_id());
}

// Reads updates until an event of `type` (at most 50), checking each with `check`.
v1::LobbyEvent NextEventOfType(LobbyWatch& watch, v1::EventType type,
                               const std::function<void(const v1::LobbyUpdate&)>& check) {
  for (int i = 0; i < 50; ++i) {
    const v1::LobbyUpdate update = watch.Next();
    check(update);
    if (update.has_event() && update.event().type() == type) return update.event();
    if (update.update_case() == v1::LobbyUpdate::UPDATE_NOT_SET) break;
  }
  ADD_FAILURE() << "no event of type " << v1::EventType_Name(type);
  return {};
}

TEST_F(PolicyTest, DetailsAreMaskedForTellersAndNeverShownOnLobbyDisplays) {
  LobbyWatch watch(channel_, kCalling);
  auto no_details = [](const v1::LobbyUpdate& update) {
    const std::string text = update.DebugString();
    EXPECT_THAT(text, Not(HasSubstr("deposit"))) << text;
    EXPECT_THAT(text, Not(HasSubstr("7890"))) << text;
    EXPECT_THAT(text, Not(HasSubstr("5000.00"))) << text;
  };
  ASSERT_TRUE(watch.Next().has_snapshot());

  v1::IssueTicketRequest req = IssueReq("A");
  v1::TransactionDetails* details = req.mutable_details();
  details->set_type("deposit");
  details->set_amount("5000.00");
  details->set_account_tail("6222021234567890");
  details->set_text("call me on 13812345678 please");
  v1::TicketResponse issued;
  ASSERT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::IssueTicket, req, &issued)));
  const v1::TransactionDetails& shown = issued.ticket().details();
  EXPECT_EQ(shown.type(), "deposit");
  EXPECT_EQ(shown.amount(), "5000.00");
  EXPECT_EQ(shown.account_tail(), "****7890");
  EXPECT_THAT(shown.text(), Not(HasSubstr("13812345678")));
  EXPECT_THAT(shown.text(), Not(HasSubstr("1381234")));
  EXPECT_THAT(shown.text(), HasSubstr("5678"));
  EXPECT_THAT(shown.text(), HasSubstr("call me on"));

  // GetTicket by id (ids are sequential, anyone can ask) never shows them.
  const v1::Ticket got = GetTicket(issued.ticket().ticket_id(), kCalling);
  EXPECT_FALSE(got.has_details());

  // A display never sees them: not in the event, not in the lobby, not in the preview.
  const v1::LobbyEvent issued_event =
      NextEventOfType(watch, v1::EVENT_TYPE_TICKET_ISSUED, no_details);
  EXPECT_EQ(issued_event.ticket().ticket_id(), issued.ticket().ticket_id());
  EXPECT_FALSE(issued_event.ticket().has_details());
  Open(1, kCalling);
  const v1::PreviewOrderResponse preview = Preview();
  ASSERT_EQ(preview.entries_size(), 1);
  EXPECT_FALSE(preview.entries(0).ticket().has_details());
  {
    v1::LobbyUpdate as_update;
    *as_update.mutable_snapshot() = Lobby(kCalling);
    no_details(as_update);
  }

  // The teller who calls it sees them, masked, in the ticket and the counter.
  const v1::CallNextResponse called = CallNext(1, kCalling);
  EXPECT_TRUE(ProtoEqual(shown, called.ticket().details()));
  EXPECT_TRUE(ProtoEqual(shown, called.counter().current_ticket().details()));
  const v1::LobbyEvent called_event =
      NextEventOfType(watch, v1::EVENT_TYPE_TICKET_CALLED, no_details);
  EXPECT_EQ(called_event.ticket().ticket_id(), issued.ticket().ticket_id());
  EXPECT_FALSE(called_event.ticket().has_details());
  const v1::LobbyStatus lobby = Lobby(kCalling);
  const v1::CounterStatus* counter = FindCounter(lobby, 1);
  ASSERT_NE(counter, nullptr);
  EXPECT_EQ(counter->current_ticket().ticket_id(), issued.ticket().ticket_id());
  EXPECT_FALSE(counter->current_ticket().has_details());
  const v1::TicketActionResponse started = StartService(1, kCalling);
  EXPECT_TRUE(ProtoEqual(shown, started.ticket().details()));
  NextEventOfType(watch, v1::EVENT_TYPE_SERVICE_STARTED, no_details);

  // A ticket without details has none.
  EXPECT_FALSE(IssueIn("A").has_details());
}

TEST_F(PolicyTest, PreviewOrderIsTheOrderCallNextThenFollows) {
  for (uint32_t c : {1, 2, 3}) Open(c, kCalling);
  const std::vector<std::pair<std::string, v1::PriorityClass>> arrivals = {
      {"A", v1::PRIORITY_CLASS_NORMAL},        {"B", v1::PRIORITY_CLASS_NORMAL},
      {"A", v1::PRIORITY_CLASS_GREEN_CHANNEL}, {"B", v1::PRIORITY_CLASS_VIP},
      {"A", v1::PRIORITY_CLASS_NORMAL},        {"B", v1::PRIORITY_CLASS_GREEN_CHANNEL},
      {"A", v1::PRIORITY_CLASS_VIP},           {"B", v1::PRIORITY_CLASS_NORMAL},
  };
  for (const auto& [service, priority] : arrivals) {
    IssueIn(service, priority);
    clock_.Advance(absl::Seconds(40));
  }
  const v1::Ticket wealth = IssueIn("C");  // no open counter serves C

  const v1::LobbyStatus before = Lobby(kCalling);
  const v1::PreviewOrderResponse preview = Preview();
  EXPECT_TRUE(ProtoEqual(before, Lobby(kCalling))) << "a preview changes nothing";
  ASSERT_EQ(preview.entries_size(), static_cast<int>(arrivals.size()));
  for (int i = 0; i < preview.entries_size(); ++i) {
    const v1::PreviewEntry& entry = preview.entries(i);
    EXPECT_EQ(entry.position(), i + 1);
    EXPECT_NE(entry.ticket().ticket_id(), wealth.ticket_id());
    EXPECT_FALSE(entry.reason().empty());
    EXPECT_THAT(entry.counter(), ::testing::AnyOf(1u, 2u, 3u));
  }
  // The green-channel counter's first pick is a green ticket.
  for (const auto& entry : preview.entries()) {
    if (entry.counter() == 2) {
      EXPECT_EQ(entry.ticket().priority(), v1::PRIORITY_CLASS_GREEN_CHANNEL);
      EXPECT_EQ(entry.reason(), "green-channel counter");
      break;
    }
  }

  // Now the counters call, each when its turn in the preview comes.
  for (const auto& entry : preview.entries()) {
    SCOPED_TRACE(absl::StrCat("position ", entry.position(), " at counter ", entry.counter()));
    const v1::LobbyStatus lobby = Lobby(kCalling);
    const v1::CounterStatus* counter = FindCounter(lobby, entry.counter());
    ASSERT_NE(counter, nullptr);
    if (counter->has_current_ticket()) {
      StartService(entry.counter(), kCalling);
      Finish(entry.counter(), kCalling);
    }
    const v1::CallNextResponse called = CallNext(entry.counter(), kCalling);
    EXPECT_EQ(called.ticket().ticket_id(), entry.ticket().ticket_id())
        << "preview said " << entry.ticket().number() << ", CallNext gave "
        << called.ticket().number();
    EXPECT_THAT(called.reason(), HasSubstr(entry.reason()));
  }
  EXPECT_EQ(Preview().entries_size(), 0);
}

TEST_F(PolicyTest, RecallLimitUsedUpNextCallMarksNoShowAndCallsTheNext) {
  Open(1, kCalling);
  const v1::Ticket a1 = IssueIn("A");
  const v1::Ticket a2 = IssueIn("A");
  ASSERT_EQ(CallNext(1, kCalling).ticket().ticket_id(), a1.ticket_id());

  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(Act(&v1::CounterService::Stub::Recall, 1, kCalling).ticket().recall_count(), 1u);
  // A recall left: the customer may still come, so no next call yet.
  v1::CallNextResponse refused;
  EXPECT_TRUE(HasCode(CounterAct(&v1::CounterService::Stub::CallNext, 1, &refused, kCalling),
                      grpc::StatusCode::FAILED_PRECONDITION));
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(Act(&v1::CounterService::Stub::Recall, 1, kCalling).ticket().recall_count(), 2u);
  // The limit is used up: no third recall.
  v1::TicketActionResponse third;
  EXPECT_TRUE(HasCode(CounterAct(&v1::CounterService::Stub::Recall, 1, &third, kCalling),
                      grpc::StatusCode::FAILED_PRECONDITION));

  clock_.Advance(absl::Minutes(1));
  const v1::CallNextResponse next = CallNext(1, kCalling);
  ASSERT_TRUE(next.has_marked_no_show());
  EXPECT_EQ(next.marked_no_show().ticket_id(), a1.ticket_id());
  EXPECT_EQ(next.marked_no_show().state(), v1::TICKET_STATE_NO_SHOW);
  EXPECT_EQ(FromProto(next.marked_no_show().no_show_at()), clock_.Now());
  EXPECT_EQ(next.ticket().ticket_id(), a2.ticket_id());
  EXPECT_EQ(next.ticket().state(), v1::TICKET_STATE_CALLED);
  EXPECT_EQ(next.counter().current_ticket().ticket_id(), a2.ticket_id());
  EXPECT_EQ(GetTicket(a1.ticket_id(), kCalling).state(), v1::TICKET_STATE_NO_SHOW);
}

TEST_F(PolicyTest, ReinstateFromTheKioskAndFromTheCounter) {
  Open(1, kCalling);
  const v1::Ticket a1 = IssueIn("A");
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket a2 = IssueIn("A");
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket a3 = IssueIn("A");
  ASSERT_EQ(CallNext(1, kCalling).ticket().ticket_id(), a1.ticket_id());
  ASSERT_EQ(Act(&v1::CounterService::Stub::MarkNoShow, 1, kCalling).ticket().state(),
            v1::TICKET_STATE_NO_SHOW);

  // The customer comes back and types the number at the kiosk (any case).
  clock_.Advance(absl::Minutes(5));
  v1::Ticket back;
  ASSERT_TRUE(IsOk(KioskReinstate(0, "a001", &back)));
  EXPECT_EQ(back.ticket_id(), a1.ticket_id());
  EXPECT_EQ(back.state(), v1::TICKET_STATE_WAITING);
  EXPECT_EQ(back.people_ahead(), 0) << "by issue time: back at its old place";
  EXPECT_EQ(GetTicket(a2.ticket_id(), kCalling).people_ahead(), 1);

  // Called again, gone again; this time the teller reinstates it by id.
  ASSERT_EQ(CallNext(1, kCalling).ticket().ticket_id(), a1.ticket_id());
  Act(&v1::CounterService::Stub::MarkNoShow, 1, kCalling);
  clock_.Advance(absl::Minutes(2));
  v1::TicketActionResponse at_counter;
  ASSERT_TRUE(IsOk(CounterReinstate(1, a1.ticket_id(), "", &at_counter)));
  EXPECT_EQ(at_counter.ticket().state(), v1::TICKET_STATE_WAITING);
  EXPECT_FALSE(at_counter.counter().has_current_ticket()) << "reinstating calls nobody";
  // ... and by number.
  ASSERT_EQ(CallNext(1, kCalling).ticket().ticket_id(), a1.ticket_id());
  Act(&v1::CounterService::Stub::MarkNoShow, 1, kCalling);
  ASSERT_TRUE(IsOk(CounterReinstate(1, 0, "A001", &at_counter)));
  EXPECT_EQ(at_counter.ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(Serve(1).ticket_id(), a1.ticket_id());
  EXPECT_EQ(Serve(1).ticket_id(), a2.ticket_id());
  EXPECT_EQ(Serve(1).ticket_id(), a3.ticket_id());
}

TEST_F(PolicyTest, UpdateBranchChangesNameAndPolicyButNotIdOrTimeZone) {
  v1::UpdateBranchRequest req;
  req.set_branch_id(kCalling);
  req.set_name("Calling renamed 改名");
  req.mutable_policy()->set_recall_limit(1);
  req.mutable_policy()->set_reinstate_placement(v1::PLACEMENT_END);
  v1::BranchConfig updated;
  ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::UpdateBranch, req, &updated)));
  EXPECT_EQ(updated.id(), kCalling);
  EXPECT_EQ(updated.name(), "Calling renamed 改名");
  EXPECT_EQ(updated.timezone(), "Asia/Shanghai");
  EXPECT_EQ(updated.policy().recall_limit(), 1);
  EXPECT_EQ(updated.policy().reinstate_placement(), v1::PLACEMENT_END);
  // Unset fields kept their values.
  EXPECT_EQ(updated.policy().checkin_late().seconds(), 10 * 60);
  EXPECT_EQ(updated.policy().transfer_placement(), v1::PLACEMENT_BY_ISSUE_TIME);
  EXPECT_EQ(updated.services_size(), 3);
  EXPECT_TRUE(ProtoEqual(updated, GetBranch()));

  // An empty name keeps the name; recall limit 0 is a value, not "unset".
  v1::UpdateBranchRequest zero;
  zero.set_branch_id(kCalling);
  zero.mutable_policy()->set_recall_limit(0);
  ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::UpdateBranch, zero, &updated)));
  EXPECT_EQ(updated.name(), "Calling renamed 改名");
  EXPECT_EQ(updated.policy().recall_limit(), 0);
  EXPECT_EQ(updated.policy().reinstate_placement(), v1::PLACEMENT_END);

  // Back to 1 recall, and it takes effect.
  ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::UpdateBranch, req, &updated)));
  Open(1, kCalling);
  const v1::Ticket a1 = IssueIn("A");
  const v1::Ticket a2 = IssueIn("A");
  const v1::Ticket a3 = IssueIn("A");
  ASSERT_EQ(CallNext(1, kCalling).ticket().ticket_id(), a1.ticket_id());
  Act(&v1::CounterService::Stub::Recall, 1, kCalling);
  const v1::CallNextResponse next = CallNext(1, kCalling);
  EXPECT_EQ(next.marked_no_show().ticket_id(), a1.ticket_id());
  EXPECT_EQ(next.ticket().ticket_id(), a2.ticket_id());
  // Reinstated at the END now: behind a3.
  clock_.Advance(absl::Minutes(1));
  v1::Ticket back;
  ASSERT_TRUE(IsOk(KioskReinstate(a1.ticket_id(), "", &back)));
  EXPECT_EQ(back.people_ahead(), 1);
  StartService(1, kCalling);
  Finish(1, kCalling);
  EXPECT_EQ(Serve(1).ticket_id(), a3.ticket_id());
  EXPECT_EQ(Serve(1).ticket_id(), a1.ticket_id());
}

}  // namespace
}  // namespace lobbyq::e2e
