// The fairness simulation runs the real calling policy; these check that it is
// reproducible and that max_wait promotion bounds what the normal class waits.

#include "sim/fairness.h"

#include "gtest/gtest.h"

namespace lobbyq::sim {
namespace {

FairnessOptions Busy(domain::CallStrategy strategy) {
  return FairnessOptions{
      .seed = 7, .days = 5, .load = 0.9, .green_share = 0.5, .strategy = strategy};
}

TEST(FairnessTest, SameSeedSameWaits) {
  const auto first = RunFairness(Busy(domain::CallStrategy::kCounted));
  const auto second = RunFairness(Busy(domain::CallStrategy::kCounted));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->normal.max, second->normal.max);
  EXPECT_EQ(first->green.p95, second->green.p95);
  EXPECT_EQ(first->all.count, second->all.count);
}

TEST(FairnessTest, EveryTicketIsCalledAndGreenGoesFirst) {
  for (auto strategy : {domain::CallStrategy::kInOrder, domain::CallStrategy::kLongestWait,
                        domain::CallStrategy::kCounted}) {
    const auto result = RunFairness(Busy(strategy));
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->unserved, 0);
    EXPECT_GT(result->normal.count, 100);
    EXPECT_GT(result->green.count, 100);
    EXPECT_LT(result->green.p50, result->normal.p50) << domain::Name(strategy);
  }
}

TEST(FairnessTest, MaxWaitPromotionShortensTheLongestNormalWait) {
  FairnessOptions unbounded = Busy(domain::CallStrategy::kInOrder);
  unbounded.max_wait = absl::Hours(24);
  const auto without = RunFairness(unbounded);
  const auto with = RunFairness(Busy(domain::CallStrategy::kInOrder));
  ASSERT_TRUE(without.ok() && with.ok());
  EXPECT_LT(with->normal.max, without->normal.max);
  EXPECT_LT(with->normal.p95, without->normal.p95);
}

TEST(FairnessTest, BadOptionsAreRefused) {
  FairnessOptions bad;
  bad.counters = 0;
  EXPECT_EQ(RunFairness(bad).status().code(), absl::StatusCode::kInvalidArgument);
  bad = FairnessOptions{};
  bad.counted_rules = "green:x";
  bad.strategy = domain::CallStrategy::kCounted;
  EXPECT_EQ(RunFairness(bad).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lobbyq::sim
