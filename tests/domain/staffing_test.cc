// Erlang C staffing against published values, its edge cases, service
// groups, and the live advice built from a branch's last hour.

#include "server/domain/staffing.h"

#include <cmath>

#include "gtest/gtest.h"
#include "tests/domain/lobby.h"

namespace lobbyq::domain {
namespace {

using testing::CounterConfig;
using testing::kOpening;
using testing::Lobby;
using testing::Service;

TEST(ErlangCTest, PublishedValues) {
  EXPECT_NEAR(ErlangC(132, 123.0), 0.3211, 5e-5);
  EXPECT_NEAR(ErlangC(12421, 12345.0), 0.3812, 5e-5);
}

TEST(ErlangCTest, SmallCasesByHand) {
  // One server: C = rho.
  EXPECT_NEAR(ErlangC(1, 0.5), 0.5, 1e-12);
  // Two servers, A = 1: C = 1/3.
  EXPECT_NEAR(ErlangC(2, 1.0), 1.0 / 3.0, 1e-12);
}

TEST(ErlangCTest, EdgeCases) {
  EXPECT_EQ(ErlangC(5, 0.0), 0.0);
  EXPECT_EQ(ErlangC(0, 1.0), 1.0);
  EXPECT_EQ(ErlangC(10, 10.0), 1.0);  // N = A: the queue grows without bound
  EXPECT_EQ(ErlangC(10, 12.5), 1.0);
  EXPECT_EQ(ServiceLevel(10, 12.5, absl::Minutes(4), absl::Seconds(20)), 0.0);
  EXPECT_EQ(ServiceLevel(3, 0.0, absl::Minutes(4), absl::Seconds(20)), 1.0);
}

TEST(ErlangCTest, HugeNStaysFiniteAndFallsWithN) {
  double previous = 1.0;
  for (int n : {100001, 100100, 100300, 101000, 200000}) {
    const double c = ErlangC(n, 100000.0);
    ASSERT_TRUE(std::isfinite(c)) << n;
    EXPECT_GE(c, 0.0) << n;
    EXPECT_LT(c, previous) << n;
    previous = c;
  }
  EXPECT_LT(previous, 1e-12);
}

TEST(ServiceLevelTest, ThreeSixtyArrivalsPerHalfHour) {
  // 720 an hour x 4 minutes = 48 Erlangs; 15-second target.
  EXPECT_NEAR(ServiceLevel(55, 48.0, absl::Minutes(4), absl::Seconds(15)), 0.846, 5e-4);
  EXPECT_LT(ServiceLevel(54, 48.0, absl::Minutes(4), absl::Seconds(15)), 0.8);
  const StaffingResult r = AdviseCounters({.arrivals_per_hour = 720,
                                           .mean_service = absl::Minutes(4),
                                           .target_wait = absl::Seconds(15)});
  EXPECT_NEAR(r.offered_load, 48.0, 1e-9);
  EXPECT_EQ(r.counters_needed, 55);
  EXPECT_NEAR(r.expected_service_level, 0.846, 5e-4);
}

TEST(AdviseCountersTest, TwentyFivePerQuarterHourAtNinetyPercent) {
  const StaffingResult r = AdviseCounters({.arrivals_per_hour = 100,
                                           .mean_service = absl::Seconds(752),
                                           .target_wait = absl::Seconds(20),
                                           .target_service_level = 0.9});
  EXPECT_NEAR(r.offered_load, 100 * 752 / 3600.0, 1e-9);
  EXPECT_EQ(r.counters_needed, 28);
  EXPECT_GE(r.expected_service_level, 0.9);
  EXPECT_LT(ServiceLevel(27, r.offered_load, absl::Seconds(752), absl::Seconds(20)), 0.9);
}

TEST(AdviseCountersTest, NoArrivalsNeedNoCounters) {
  const StaffingResult r = AdviseCounters(
      {.arrivals_per_hour = 0, .mean_service = absl::Minutes(5), .target_wait = absl::Minutes(10)});
  EXPECT_EQ(r.counters_needed, 0);
  EXPECT_EQ(r.square_root_rule, 0);
  EXPECT_EQ(r.offered_load, 0.0);
  EXPECT_EQ(r.expected_service_level, 1.0);
}

TEST(AdviseCountersTest, AlwaysMoreCountersThanLoad) {
  // A = 2 exactly: two counters can never keep up.
  const StaffingResult r = AdviseCounters(
      {.arrivals_per_hour = 24, .mean_service = absl::Minutes(5), .target_wait = absl::Hours(10)});
  EXPECT_EQ(r.counters_needed, 3);
}

TEST(AdviseCountersTest, ImpossibleTargetStillEnds) {
  const StaffingResult r = AdviseCounters({.arrivals_per_hour = 5000,
                                           .mean_service = absl::Minutes(5),
                                           .target_wait = absl::ZeroDuration(),
                                           .target_service_level = 1.0});
  EXPECT_GT(r.counters_needed, 417);
  EXPECT_LT(r.counters_needed, 2000);
}

TEST(AdviseCountersTest, LargeLoadAndSquareRootRuleAgreeRoughly) {
  const StaffingResult r = AdviseCounters({.arrivals_per_hour = 12345 * 3600.0 / 300,
                                           .mean_service = absl::Minutes(5),
                                           .target_wait = absl::ZeroDuration()});
  // With a zero target wait the service level is 1 - C, which is what the
  // Halfin-Whitt beta is chosen for: the two should nearly agree.
  EXPECT_NEAR(r.counters_needed, r.square_root_rule, 3);
  EXPECT_GE(r.expected_service_level, 0.8);
}

TEST(SquareRootBetaTest, HalfinWhittForEightyPercent) {
  const double beta = SquareRootBeta(0.8);
  EXPECT_NEAR(beta, 1.06, 0.01);
  EXPECT_GT(SquareRootBeta(0.9), beta);
  EXPECT_EQ(SquareRootBeta(0.0), 0.0);
}

TEST(ServiceGroupsTest, CountersConnectServices) {
  const std::vector<ServiceConfig> services = {
      Service("C", absl::Minutes(8)), Service("A", absl::Minutes(5)),
      Service("B", absl::Minutes(10)), Service("D", absl::Minutes(5)),
      Service("E", absl::Minutes(5))};
  std::map<uint32_t, Counter> counters;
  counters[1] = CounterConfig(1, {"A"});
  counters[2] = CounterConfig(2, {"B", "A"});
  counters[3] = CounterConfig(3, {"C"});
  counters[4] = CounterConfig(4, {"E", "Z"});  // Z is unknown: ignored
  counters[5] = CounterConfig(5, {"D", "B"});
  const auto groups = ServiceGroups(services, counters);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0], (std::vector<std::string>{"C"}));
  EXPECT_EQ(groups[1], (std::vector<std::string>{"A", "B", "D"}));
  EXPECT_EQ(groups[2], (std::vector<std::string>{"E"}));
}

TEST(ServiceGroupsTest, UnservedServiceIsAGroupAlone) {
  const auto groups =
      ServiceGroups({Service("A", absl::Minutes(5)), Service("B", absl::Minutes(5))},
                    {{1, CounterConfig(1, {"A"})}});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1], (std::vector<std::string>{"B"}));
}

// Default lobby: A (5 min) with counters 1, 2, 4; B (10 min) with counter 2;
// C (8 min) alone at counter 3. So groups {A, B} and {C}.
TEST(LiveStaffingTest, QuietMorningUsesTheMinimumWindowAndTheConfiguredTimes) {
  Lobby lobby;
  lobby.Open(1);
  for (int i = 0; i < 5; ++i) {
    lobby.Issue("A");
    lobby.Advance(absl::Minutes(1));
  }
  // Five arrivals in five minutes count over 15 minutes: 20 an hour.
  const auto advice = LiveStaffingAdvice(lobby.branch(), lobby.clock.Now());
  ASSERT_EQ(advice.size(), 2u);
  const LiveStaffing& ab = advice[0];
  EXPECT_EQ(ab.service_codes, (std::vector<std::string>{"A", "B"}));
  EXPECT_NEAR(ab.arrivals_per_hour, 20.0, 1e-9);
  EXPECT_EQ(ab.mean_service, absl::Minutes(5));
  EXPECT_EQ(ab.target_wait, absl::Minutes(10));
  EXPECT_NEAR(ab.result.offered_load, 20 * 5 / 60.0, 1e-9);
  EXPECT_EQ(ab.counters_open, 1);
  EXPECT_EQ(ab.result.counters_needed, 3);  // 2 would reach about 61%
  EXPECT_TRUE(ab.understaffed);
  const LiveStaffing& c = advice[1];
  EXPECT_EQ(c.arrivals_per_hour, 0.0);
  EXPECT_EQ(c.result.counters_needed, 0);
  EXPECT_FALSE(c.understaffed);
}

TEST(LiveStaffingTest, AWindowThatIsNotAWholeDivisorOfAnHourCountsExactly) {
  Lobby lobby;
  lobby.Open(1);
  for (int i = 0; i < 30; ++i) lobby.Issue("A");
  lobby.Advance(absl::Minutes(40));
  // 30 arrivals over the 40 minutes since the first: 45 an hour, not 30.
  const auto advice = LiveStaffingAdvice(lobby.branch(), lobby.clock.Now());
  EXPECT_NEAR(advice[0].arrivals_per_hour, 45.0, 1e-9);
}

TEST(LiveStaffingTest, ObservedServiceTimesBlendWithTheConfiguredOnes) {
  Lobby lobby;
  lobby.Open(1);
  for (int i = 0; i < 5; ++i) {
    lobby.Issue("A");
    lobby.Call(1);
    lobby.Start(1);
    lobby.Advance(absl::Minutes(1));
    lobby.Finish(1);
  }
  // Five 1-minute services against a 5-minute prior worth five: 3 minutes.
  const auto advice = LiveStaffingAdvice(lobby.branch(), lobby.clock.Now());
  EXPECT_EQ(advice[0].mean_service, absl::Minutes(3));
}

TEST(LiveStaffingTest, OnlyTheLastHourCounts) {
  Lobby lobby;
  lobby.OpenAll();
  for (int i = 0; i < 30; ++i) lobby.Issue("C");
  lobby.Advance(absl::Minutes(90));
  for (int i = 0; i < 6; ++i) lobby.Issue("C");
  const auto advice = LiveStaffingAdvice(lobby.branch(), lobby.clock.Now());
  EXPECT_NEAR(advice[1].arrivals_per_hour, 6.0, 1e-9);
  EXPECT_EQ(advice[1].target_wait, absl::Minutes(10));
  EXPECT_EQ(advice[1].counters_open, 1);
  EXPECT_EQ(advice[0].counters_open, 3);
  // Within the day but after a full hour the window is the hour, also with
  // the first ticket earlier.
  EXPECT_EQ(lobby.clock.Now() - kOpening, absl::Minutes(90));
}

TEST(LiveStaffingTest, StrictestTargetOfTheGroup) {
  Lobby lobby("main",
              {Service("A", absl::Minutes(5), absl::Minutes(10)),
               Service("B", absl::Minutes(10), absl::Minutes(3))},
              {CounterConfig(1, {"A", "B"})});
  const auto advice = LiveStaffingAdvice(lobby.branch(), lobby.clock.Now());
  ASSERT_EQ(advice.size(), 1u);
  EXPECT_EQ(advice[0].target_wait, absl::Minutes(3));
  EXPECT_EQ(advice[0].counters_open, 0);
  EXPECT_FALSE(advice[0].understaffed);  // nobody came: nothing needed
}

}  // namespace
}  // namespace lobbyq::domain
