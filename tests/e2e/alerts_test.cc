// Staffing advice and alerts over real gRPC: GetLobbyStatus shows them, and
// WatchLobby sends the alert set whenever it changes, by a command or by time
// alone on the branch's timer.
//
// The clock is fake, so the timer sleeps for "change - fake now" of real time.
// After moving the fake clock on, any command on the branch re-arms the timer
// against the moved clock, here due at once (see timer_test.cc).

#include "gmock/gmock.h"
#include "tests/e2e/policy_fixture.h"

namespace lobbyq::e2e {
namespace {

// The demo branch has one service group: counter 6 serves A, B, C and D.
class AlertsTest : public E2eTest {
 protected:
  static const v1::Alert* FindAlert(const google::protobuf::RepeatedPtrField<v1::Alert>& alerts,
                                    const std::string& id) {
    for (const auto& a : alerts) {
      if (a.id() == id) return &a;
    }
    return nullptr;
  }

  // Reads updates until an alerts update holding `id` (at most 50).
  static v1::AlertList NextAlertsWith(LobbyWatch& watch, const std::string& id) {
    for (int i = 0; i < 50; ++i) {
      const v1::LobbyUpdate update = watch.Next();
      if (update.has_alerts() && FindAlert(update.alerts().alerts(), id) != nullptr) {
        return update.alerts();
      }
      if (update.update_case() == v1::LobbyUpdate::UPDATE_NOT_SET) break;
    }
    ADD_FAILURE() << "no alerts update with " << id;
    return {};
  }

  grpc::Status Rate(uint32_t counter, uint64_t ticket_id, int score) {
    v1::SubmitRatingRequest req;
    req.set_branch_id(kDemo);
    req.set_counter(counter);
    req.set_ticket_id(ticket_id);
    req.set_score(score);
    v1::TicketActionResponse resp;
    return Call(counter_.get(), &v1::CounterService::Stub::SubmitRating, req, &resp);
  }
};

TEST_F(AlertsTest, LobbyStatusShowsStaffingAndAWaitOverTarget) {
  const v1::Ticket a1 = Issue("A");
  v1::LobbyStatus status = Lobby();
  ASSERT_EQ(status.staffing_size(), 1);
  const v1::StaffingAdvice& advice = status.staffing(0);
  EXPECT_EQ(std::vector<std::string>(advice.service_codes().begin(), advice.service_codes().end()),
            (std::vector<std::string>{"A", "B", "C", "D"}));
  EXPECT_EQ(advice.hour(), -1);
  // One arrival counts over the minimum 15-minute window.
  EXPECT_DOUBLE_EQ(advice.arrivals_per_hour(), 4.0);
  EXPECT_EQ(advice.mean_service_time().seconds(), 4 * 60);  // A's configured time
  EXPECT_EQ(advice.target_wait().seconds(), 5 * 60);        // C's, the strictest
  EXPECT_DOUBLE_EQ(advice.target_service_level(), 0.8);
  EXPECT_EQ(advice.counters_needed(), 1);
  EXPECT_GE(advice.square_root_rule(), 1);
  EXPECT_GE(advice.expected_service_level(), 0.8);
  EXPECT_EQ(advice.counters_open(), 0);
  EXPECT_TRUE(advice.understaffed());
  const v1::Alert* under = FindAlert(status.alerts(), "understaffed:A,B,C,D");
  ASSERT_NE(under, nullptr);
  EXPECT_EQ(under->kind(), v1::ALERT_KIND_UNDERSTAFFED);
  EXPECT_EQ(under->severity(), v1::ALERT_SEVERITY_CRITICAL);
  EXPECT_EQ(FindAlert(status.alerts(), "wait_over_target:A"), nullptr);

  clock_.Advance(absl::Minutes(10));  // A's target
  status = Lobby();
  const v1::Alert* wait = FindAlert(status.alerts(), "wait_over_target:A");
  ASSERT_NE(wait, nullptr);
  EXPECT_EQ(wait->kind(), v1::ALERT_KIND_WAIT_OVER_TARGET);
  EXPECT_EQ(wait->severity(), v1::ALERT_SEVERITY_WARNING);
  EXPECT_EQ(wait->service_code(), "A");
  EXPECT_THAT(wait->reason(), ::testing::HasSubstr(a1.number()));
  // Since the ticket reached the target: now.
  EXPECT_EQ(wait->since().seconds(), absl::ToUnixSeconds(clock_.Now()));
  EXPECT_EQ(wait->since().nanos(), 123456000);

  // Called: the alert clears itself.
  Open(2);
  ASSERT_EQ(CallNext(2).ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(FindAlert(Lobby().alerts(), "wait_over_target:A"), nullptr);
}

TEST_F(AlertsTest, WatchLobbySendsAlertsOnALowRating) {
  Open(2);
  const v1::Ticket a1 = Issue("A");
  ASSERT_EQ(CallNext(2).ticket().ticket_id(), a1.ticket_id());
  StartService(2);
  Finish(2);

  LobbyWatch watch(channel_, kDemo);
  const v1::LobbyUpdate first = watch.Next();
  ASSERT_TRUE(first.has_snapshot());
  EXPECT_EQ(first.snapshot().staffing_size(), 1);
  const std::string id = absl::StrCat("low_rating:", a1.ticket_id());
  EXPECT_EQ(FindAlert(first.snapshot().alerts(), id), nullptr);

  ASSERT_TRUE(IsOk(Rate(2, a1.ticket_id(), 1)));
  const v1::AlertList alerts = NextAlertsWith(watch, id);
  const v1::Alert* low = FindAlert(alerts.alerts(), id);
  ASSERT_NE(low, nullptr);
  EXPECT_EQ(low->kind(), v1::ALERT_KIND_LOW_RATING);
  EXPECT_EQ(low->ticket_id(), a1.ticket_id());
  EXPECT_EQ(low->counter(), 2u);
  EXPECT_NE(FindAlert(Lobby().alerts(), id), nullptr);
}

TEST_F(AlertsTest, WatchLobbySendsAlertsWhenAWaitPassesItsTarget) {
  const v1::Ticket a1 = Issue("A");
  LobbyWatch watch(channel_, kDemo);
  const v1::LobbyUpdate first = watch.Next();
  ASSERT_TRUE(first.has_snapshot());
  EXPECT_EQ(FindAlert(first.snapshot().alerts(), "wait_over_target:A"), nullptr);

  // No command changes anything: only time passes.
  clock_.Advance(absl::Minutes(10));
  Lobby();  // re-arms the timer against the moved clock
  const v1::AlertList alerts = NextAlertsWith(watch, "wait_over_target:A");
  EXPECT_EQ(FindAlert(alerts.alerts(), "wait_over_target:A")->severity(),
            v1::ALERT_SEVERITY_WARNING);
  // The set is sent whole: the understaffing is still in it.
  EXPECT_NE(FindAlert(alerts.alerts(), "understaffed:A,B,C,D"), nullptr);

  clock_.Advance(absl::Minutes(10));  // A's max wait, twice the target
  Lobby();
  for (int i = 0; i < 50; ++i) {
    const v1::LobbyUpdate update = watch.Next();
    if (!update.has_alerts()) {
      if (update.update_case() == v1::LobbyUpdate::UPDATE_NOT_SET) break;
      continue;
    }
    const v1::Alert* wait = FindAlert(update.alerts().alerts(), "wait_over_target:A");
    ASSERT_NE(wait, nullptr);
    EXPECT_EQ(wait->severity(), v1::ALERT_SEVERITY_CRITICAL);
    break;
  }
  EXPECT_EQ(GetTicket(a1.ticket_id()).state(), v1::TICKET_STATE_WAITING);
}

}  // namespace
}  // namespace lobbyq::e2e
