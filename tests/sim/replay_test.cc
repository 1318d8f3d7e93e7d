// lobbyq-sim replays traces through the real Branch: its input checks, its
// bookkeeping on small hand-made traces, and the estimator's accuracy on the
// shipped trace (seeded, so the figures are reproducible).

#include "sim/replay.h"

#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sim/tracegen.h"

namespace lobbyq::sim {
namespace {

using ::testing::HasSubstr;

std::string ReadShipped(const std::string& name) {
  std::ifstream in(std::string(LOBBYQ_SOURCE_DIR) + "/sim/traces/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const PredictorScore& Find(const std::vector<std::pair<std::string, PredictorScore>>& scores,
                           const std::string& name) {
  for (const auto& [n, s] : scores) {
    if (n == name) return s;
  }
  static const PredictorScore kNone;
  return kNone;
}

TEST(ReplayParseTest, BadInputNamesTheLineAndField) {
  EXPECT_THAT(ParseTrace("arrival,service\n1,A\n").status().message(), HasSubstr("header"));
  EXPECT_THAT(ParseTrace("arrival_s,service,priority,service_s,patience_s\n1,A,GOLD,60,\n")
                  .status()
                  .message(),
              HasSubstr("priority must be NORMAL"));
  EXPECT_THAT(ParseTrace("arrival_s,service,priority,service_s,patience_s\n5,A,NORMAL,60,\n"
                         "4,A,NORMAL,60,\n")
                  .status()
                  .message(),
              HasSubstr("time order"));
  EXPECT_THAT(ParseTrace("arrival_s,service,priority,service_s,patience_s\n1,A,NORMAL,-3,\n")
                  .status()
                  .message(),
              HasSubstr("service_s"));
  EXPECT_THAT(ParseStaffing("counter,services,from_s,to_s,strategy\n1,A,100,50,in_order\n")
                  .status()
                  .message(),
              HasSubstr("to_s must be after from_s"));
  EXPECT_THAT(
      ParseStaffing("counter,services,from_s,to_s,strategy\n1,A,0,50,fastest\n").status().message(),
      HasSubstr("strategy"));
  auto ok = ParseTrace("arrival_s,service,priority,service_s,patience_s\n1,A,vip,60,120\n");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)[0].priority, domain::PriorityClass::kVip);
  EXPECT_EQ((*ok)[0].patience_s, 120);
}

TEST(ReplayTest, OneCounterServesInPolicyOrderAndCountsLeavers) {
  // One counter from t=0. At 0 a normal customer is called at once (600 s of
  // service); at 10 a normal one who gives up after 100 s; at 20 a VIP; at 30
  // an appointment. The counter frees at 600: appointment (waited 570), then
  // VIP (from 900), then the leaver, who is gone: a no-show after 60 s.
  auto trace = ParseTrace(
      "arrival_s,service,priority,service_s,patience_s\n"
      "0,A,NORMAL,600,\n10,A,NORMAL,60,100\n20,A,VIP,300,\n30,A,APPOINTMENT,300,\n");
  auto staffing = ParseStaffing("counter,services,from_s,to_s,strategy\n1,A,0,3600,in_order\n");
  ASSERT_TRUE(trace.ok() && staffing.ok());
  auto result = Replay(*trace, *staffing, {}, {});
  ASSERT_TRUE(result.ok()) << result.status();
  const auto& t = result->tickets;
  ASSERT_EQ(t.size(), 4u);
  EXPECT_TRUE(t[0].idle_counter_at_issue);
  EXPECT_DOUBLE_EQ(t[0].actual_wait_s, 0);
  EXPECT_FALSE(t[1].idle_counter_at_issue);
  EXPECT_DOUBLE_EQ(t[3].actual_wait_s, 570);
  EXPECT_DOUBLE_EQ(t[2].actual_wait_s, 880);
  EXPECT_TRUE(t[1].abandoned);
  EXPECT_FALSE(t[1].served);
  EXPECT_EQ(result->unserved, 0);
  ASSERT_EQ(result->calls.size(), 4u);
  EXPECT_EQ(result->calls[1].first, t[3].ticket_id);
  EXPECT_EQ(result->calls[2].first, t[2].ticket_id);
  EXPECT_EQ(result->calls[3].first, t[1].ticket_id);
  // Every ticket got an estimate at issue; the first one was told 0.
  ASSERT_TRUE(t[0].estimate.has_value());
  EXPECT_TRUE(t[0].estimate->counter_free_now);
  ASSERT_TRUE(t[2].estimate.has_value());
  EXPECT_GT(t[2].estimate->point, absl::ZeroDuration());
  // The leaver has no actual wait: left out of the scores.
  EXPECT_EQ(Summarize(*result).tickets, 3);
}

TEST(ReplayTest, ClosingCounterFinishesItsCustomerFirst) {
  auto trace = ParseTrace(
      "arrival_s,service,priority,service_s,patience_s\n0,A,NORMAL,500,\n10,A,NORMAL,60,\n");
  // Counter 1 closes at 100 (after its customer, at 500); counter 2 opens at 700.
  auto staffing = ParseStaffing(
      "counter,services,from_s,to_s,strategy\n1,A,0,100,in_order\n2,A,700,3600,in_order\n");
  ASSERT_TRUE(trace.ok() && staffing.ok());
  auto result = Replay(*trace, *staffing, {}, {});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_DOUBLE_EQ(result->tickets[1].actual_wait_s, 690);
  EXPECT_EQ(result->calls[1].second, 2u);
}

TEST(ReplayTest, AppointmentAtTheEndOfTheDayBooksTheNextDaysFirstSlot) {
  // The replay starts at 08:00 UTC; 15.9 hours later it is 23:54.
  auto trace =
      ParseTrace("arrival_s,service,priority,service_s,patience_s\n57240,A,APPOINTMENT,60,\n");
  auto staffing = ParseStaffing("counter,services,from_s,to_s,strategy\n1,A,0,90000,in_order\n");
  ASSERT_TRUE(trace.ok() && staffing.ok());
  auto result = Replay(*trace, *staffing, {}, {});
  ASSERT_TRUE(result.ok()) << result.status();
  // Checked in early for 00:00: callable from 23:55, 60 s after arriving.
  EXPECT_DOUBLE_EQ(result->tickets[0].actual_wait_s, 60);
}

TEST(ReplayTest, SameTraceSameResult) {
  auto staffing = ParseStaffing(ReadShipped("staffing-understaffed.csv"));
  auto trace = ParseTrace(ReadShipped("priority-mix-day.csv"));
  ASSERT_TRUE(trace.ok() && staffing.ok());
  auto first = Replay(*trace, *staffing, {}, {});
  auto second = Replay(*trace, *staffing, {}, {});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->calls, second->calls);
  EXPECT_EQ(SummaryJson(Summarize(*first)), SummaryJson(Summarize(*second)));
}

// The shipped under-staffed day (sim/traces): for customers who found no idle
// counter, the estimator beats the best classic baseline by at least 15% in
// MAE, its bias stays within 10% of their mean wait, and its 80% range holds
// between 77% and 83% of their waits.
TEST(EstimatorAccuracyTest, UnderstaffedDayQueuedTargets) {
  auto trace = ParseTrace(ReadShipped("priority-mix-day.csv"));
  auto staffing = ParseStaffing(ReadShipped("staffing-understaffed.csv"));
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_TRUE(staffing.ok()) << staffing.status();
  auto result = Replay(*trace, *staffing, {}, {});
  ASSERT_TRUE(result.ok()) << result.status();
  const Summary summary = Summarize(*result);
  ASSERT_GT(summary.queued_tickets, 200);
  const auto& q = summary.queued_predictors;
  const double best = std::min({Find(q, "QL").mae_s, Find(q, "LES").mae_s, Find(q, "HOL").mae_s});
  const PredictorScore& ours = Find(q, "lobbyq");
  EXPECT_LE(ours.mae_s, 0.85 * best);
  EXPECT_LE(std::abs(ours.bias_s), 0.10 * summary.queued_mean_wait_s);
  ASSERT_TRUE(ours.range_coverage.has_value());
  EXPECT_GE(*ours.range_coverage, 0.77);
  EXPECT_LE(*ours.range_coverage, 0.83);
}

// M/M/s, one class, first come first served: the queue-length estimate
// (n + 1) / (s mu) is the conditional mean wait, so its bias over the queued
// customers is small against their mean wait.
TEST(EstimatorAccuracyTest, QueueLengthIsUnbiasedOnMMs) {
  std::mt19937_64 rng(11);
  std::exponential_distribution<double> gap(1.0 / 40);       // 90 per hour
  std::exponential_distribution<double> service(1.0 / 150);  // 3 counters: load 0.94
  std::string csv = "arrival_s,service,priority,service_s,patience_s\n";
  for (double t = gap(rng); t < 8 * 3600; t += gap(rng)) {
    absl::StrAppend(&csv, t, ",A,NORMAL,", std::max(1.0, service(rng)), ",\n");
  }
  auto trace = ParseTrace(csv);
  auto staffing = ParseStaffing(
      "counter,services,from_s,to_s,strategy\n1,A,0,40000,in_order\n2,A,0,40000,in_order\n"
      "3,A,0,40000,in_order\n");
  auto services = ParseServices("service,target_wait_s,expected_service_s\nA,3600,150\n");
  ASSERT_TRUE(trace.ok() && staffing.ok() && services.ok());
  auto result = Replay(*trace, *staffing, *services, {});
  ASSERT_TRUE(result.ok()) << result.status();
  const Summary summary = Summarize(*result);
  ASSERT_GT(summary.queued_tickets, 100);
  EXPECT_LE(std::abs(Find(summary.queued_predictors, "QL").bias_s),
            0.15 * summary.queued_mean_wait_s);
}

TEST(TraceGenTest, SeededAndShaped) {
  TraceOptions options;
  options.seed = 3;
  const auto a = GenerateTrace(options);
  EXPECT_EQ(TraceCsv(a), TraceCsv(GenerateTrace(options)));
  EXPECT_GT(a.size(), 300u);  // 60 per hour for 8 hours
  EXPECT_LT(a.size(), 660u);
  auto parsed = ParseTrace(TraceCsv(a));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->size(), a.size());
}

}  // namespace
}  // namespace lobbyq::sim
