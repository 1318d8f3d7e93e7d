// Alerts derived from a branch's state, and when they change by time alone.

#include "server/domain/alerts.h"

#include <optional>

#include "gtest/gtest.h"
#include "server/domain/staffing.h"
#include "tests/domain/lobby.h"

namespace lobbyq::domain {
namespace {

using testing::CounterConfig;
using testing::kOpening;
using testing::Lobby;
using testing::Service;

// A copy: the list it comes from is often a temporary.
std::optional<Alert> Find(const std::vector<Alert>& alerts, const std::string& id) {
  for (const Alert& a : alerts) {
    if (a.id == id) return a;
  }
  return std::nullopt;
}

std::vector<Alert> Active(const Lobby& lobby) {
  return ActiveAlerts(lobby.branch(), lobby.clock.Now());
}

std::optional<absl::Time> Next(const Lobby& lobby) {
  return NextAlertChange(lobby.branch(), lobby.clock.Now());
}

// A alone at counter 1, target 10 min, max wait 20 min (the default 2x).
Lobby OneQueue() {
  return Lobby("main", {Service("A", absl::Minutes(5), absl::Minutes(10))},
               {CounterConfig(1, {"A"}), CounterConfig(2, {"A"})});
}

TEST(AlertsTest, QuietBranchHasNoAlertsAndNothingPending) {
  Lobby lobby = OneQueue();
  EXPECT_TRUE(Active(lobby).empty());
  EXPECT_EQ(Next(lobby), std::nullopt);
}

TEST(AlertsTest, WaitOverTargetWarnsThenTurnsCriticalThenClears) {
  Lobby lobby = OneQueue();
  lobby.Open(1);
  lobby.Open(2);
  lobby.Call(1);  // nobody yet
  lobby.Issue("A");
  const uint64_t a2 = lobby.Issue("A");
  lobby.Call(1);
  lobby.Call(2);
  lobby.Advance(absl::Minutes(1));
  lobby.Issue("A");  // A003 waits while both counters serve
  const absl::Time queued = lobby.clock.Now();
  EXPECT_EQ(Find(Active(lobby), "wait_over_target:A"), std::nullopt);
  EXPECT_EQ(Next(lobby), queued + absl::Minutes(10));

  lobby.Advance(absl::Minutes(10));
  const std::vector<Alert> warning = Active(lobby);
  std::optional<Alert> wait = Find(warning, "wait_over_target:A");
  ASSERT_NE(wait, std::nullopt);
  EXPECT_EQ(wait->kind, AlertKind::kWaitOverTarget);
  EXPECT_EQ(wait->severity, AlertSeverity::kWarning);
  EXPECT_EQ(wait->since, queued + absl::Minutes(10));
  EXPECT_EQ(wait->service_code, "A");
  EXPECT_NE(wait->reason.find("A003"), std::string::npos) << wait->reason;
  EXPECT_EQ(Next(lobby), queued + absl::Minutes(20));

  lobby.Advance(absl::Minutes(10));
  wait = Find(Active(lobby), "wait_over_target:A");
  ASSERT_NE(wait, std::nullopt);
  EXPECT_EQ(wait->severity, AlertSeverity::kCritical);
  EXPECT_EQ(wait->since, queued + absl::Minutes(10));

  lobby.Start(2);
  EXPECT_EQ(lobby.Finish(2), a2);
  lobby.Call(2);
  EXPECT_EQ(Find(Active(lobby), "wait_over_target:A"), std::nullopt);
}

TEST(AlertsTest, IdleCounterAfterTheGraceWithSomeoneWaiting) {
  Lobby lobby = OneQueue();
  lobby.Open(1);
  lobby.Advance(absl::Minutes(5));  // idle, but nobody waits: fine
  EXPECT_TRUE(Active(lobby).empty());
  lobby.Issue("A");
  const absl::Time issued = lobby.clock.Now();
  EXPECT_EQ(Next(lobby), issued + kIdleCounterGrace);
  lobby.Advance(kIdleCounterGrace - absl::Seconds(1));
  EXPECT_EQ(Find(Active(lobby), "idle_counter:1"), std::nullopt);
  lobby.Advance(absl::Seconds(1));
  const std::vector<Alert> alerts = Active(lobby);
  std::optional<Alert> idle = Find(alerts, "idle_counter:1");
  ASSERT_NE(idle, std::nullopt);
  EXPECT_EQ(idle->kind, AlertKind::kIdleCounter);
  EXPECT_EQ(idle->severity, AlertSeverity::kWarning);
  EXPECT_EQ(idle->since, issued);
  EXPECT_EQ(idle->counter, 1u);
  EXPECT_EQ(Find(alerts, "idle_counter:2"), std::nullopt);  // closed: not idle

  lobby.Call(1);
  EXPECT_EQ(Find(Active(lobby), "idle_counter:1"), std::nullopt);
}

TEST(AlertsTest, IdleCountsFromTheLastFinishNotFromOpening) {
  Lobby lobby = OneQueue();
  lobby.Open(1);
  lobby.Issue("A");
  lobby.Call(1);
  lobby.Start(1);
  lobby.Advance(absl::Minutes(10));
  lobby.Issue("A");  // waits while counter 1 serves
  lobby.Advance(absl::Minutes(1));
  lobby.Finish(1);
  const absl::Time finished = lobby.clock.Now();
  lobby.Advance(absl::Minutes(1));
  EXPECT_EQ(Find(Active(lobby), "idle_counter:1"), std::nullopt);
  EXPECT_EQ(Next(lobby), finished + kIdleCounterGrace);
  lobby.Advance(absl::Minutes(1));
  std::optional<Alert> idle = Find(Active(lobby), "idle_counter:1");
  ASSERT_NE(idle, std::nullopt);
  EXPECT_EQ(idle->since, finished);
}

TEST(AlertsTest, EarlyAppointmentIsNotCallableYet) {
  ServiceConfig a = Service("A", absl::Minutes(5), absl::Minutes(10));
  a.appointment_capacity = 2;
  Lobby lobby("main", {a}, {CounterConfig(1, {"A"})});
  lobby.Open(1);
  const absl::Time slot = kOpening + absl::Hours(1);
  auto booked = lobby.Do(lobby.branch().PlanBook(
      "A", slot, "Li Lei", "13800138000", "book-1", [] { return std::string("22222222"); },
      lobby.Ctx("web")));
  ASSERT_TRUE(booked.ok()) << booked.status();
  lobby.clock.Set(slot - absl::Minutes(20));
  auto check_in = lobby.branch().PlanCheckIn(booked->appointment_code, lobby.Ctx("kiosk:k1"));
  ASSERT_TRUE(check_in.ok()) << check_in.status();
  ASSERT_TRUE(lobby.Do(check_in->plan).ok());
  const absl::Time callable = lobby.T(check_in->plan.ticket_id).queued_at;
  ASSERT_GT(callable, lobby.clock.Now());

  lobby.Advance(absl::Minutes(5));
  EXPECT_EQ(Find(Active(lobby), "idle_counter:1"), std::nullopt);
  EXPECT_EQ(Next(lobby), callable + kIdleCounterGrace);
  lobby.clock.Set(callable + kIdleCounterGrace);
  std::optional<Alert> idle = Find(Active(lobby), "idle_counter:1");
  ASSERT_NE(idle, std::nullopt);
  EXPECT_EQ(idle->since, callable);
}

TEST(AlertsTest, LowRatingLastsHalfAnHour) {
  Lobby lobby = OneQueue();
  lobby.Open(1);
  const uint64_t a1 = lobby.Issue("A");
  lobby.Serve(1);
  const uint64_t a2 = lobby.Issue("A");
  lobby.Serve(1);
  lobby.Must(lobby.TryRate(1, a1, 4));
  lobby.Must(lobby.TryRate(1, a2, 1, "waited too long"));
  const absl::Time rated = lobby.clock.Now();
  std::vector<Alert> alerts = Active(lobby);
  EXPECT_EQ(Find(alerts, absl::StrCat("low_rating:", a1)), std::nullopt);
  std::optional<Alert> low = Find(alerts, absl::StrCat("low_rating:", a2));
  ASSERT_NE(low, std::nullopt);
  EXPECT_EQ(low->kind, AlertKind::kLowRating);
  EXPECT_EQ(low->ticket_id, a2);
  EXPECT_EQ(low->counter, 1u);
  EXPECT_EQ(low->since, rated);
  EXPECT_NE(low->reason.find("waited too long"), std::string::npos) << low->reason;

  lobby.Advance(kLowRatingAlertFor - absl::Seconds(1));
  EXPECT_NE(Find(Active(lobby), absl::StrCat("low_rating:", a2)), std::nullopt);
  EXPECT_EQ(Next(lobby), rated + kLowRatingAlertFor);
  lobby.Advance(absl::Seconds(1));
  EXPECT_EQ(Find(Active(lobby), absl::StrCat("low_rating:", a2)), std::nullopt);
}

TEST(AlertsTest, UnderstaffedWhileWorkingOnly) {
  Lobby lobby = OneQueue();
  for (int i = 0; i < 8; ++i) lobby.Issue("A");
  // 8 in the minimum 15-minute window: 32 an hour, 2.7 Erlangs, nobody open.
  std::optional<Alert> under = Find(Active(lobby), "understaffed:A");
  ASSERT_NE(under, std::nullopt);
  EXPECT_EQ(under->kind, AlertKind::kUnderstaffed);
  EXPECT_EQ(under->severity, AlertSeverity::kCritical);
  EXPECT_EQ(under->service_code, "A");

  lobby.Open(1);
  under = Find(Active(lobby), "understaffed:A");
  ASSERT_NE(under, std::nullopt);
  EXPECT_EQ(under->severity, AlertSeverity::kWarning);
  EXPECT_EQ(under->since, lobby.clock.Now());  // when counter 1 opened

  // Everyone cancels and the counter closes: the lobby is not working.
  for (uint64_t id : lobby.WaitingIds("A")) lobby.Cancel(id);
  lobby.Close(1);
  EXPECT_EQ(Find(Active(lobby), "understaffed:A"), std::nullopt);
}

TEST(AlertsTest, NextChangeIsStrictlyLaterAndIncludesTheStaffingWindow) {
  Lobby lobby = OneQueue();
  const uint64_t a1 = lobby.Issue("A");
  lobby.Cancel(a1);
  // Nothing waits; only the ticket leaving the staffing window is pending.
  EXPECT_EQ(Next(lobby), kOpening + kLiveWindow);
  lobby.clock.Set(kOpening + kLiveWindow);
  EXPECT_EQ(Next(lobby), std::nullopt);
}

}  // namespace
}  // namespace lobbyq::domain
