// Metrics from hand-built event logs with known answers (docs/metrics.md), and
// one day driven through a real Branch so the event formats stay in step.

#include "server/domain/metrics.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/domain/lobby.h"

namespace lobbyq::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(name, &zone)) ADD_FAILURE() << "tzdata for " << name << " is missing";
  return zone;
}

// hh:mm on Monday 2024-03-04, Shanghai time.
absl::Time At(int hour, int minute, int second = 0) {
  return absl::FromCivil(absl::CivilSecond(2024, 3, 4, hour, minute, second),
                         Zone("Asia/Shanghai"));
}

// An event log written the way Branch writes it.
class Log {
 public:
  void Issue(absl::Time at, uint64_t id, const std::string& service) {
    Add(EventType::kTicketIssued, at, id, 0, service, absl::StrCat(service, "001 normal"));
  }
  void Call(absl::Time at, uint64_t id, uint32_t counter, const std::string& service) {
    Add(EventType::kTicketCalled, at, id, counter, service, "strategy");
  }
  void Recall(absl::Time at, uint64_t id, uint32_t counter, const std::string& service) {
    Add(EventType::kTicketRecalled, at, id, counter, service, "recall 1");
  }
  void Start(absl::Time at, uint64_t id, uint32_t counter, const std::string& service) {
    Add(EventType::kServiceStarted, at, id, counter, service);
  }
  void Finish(absl::Time at, uint64_t id, uint32_t counter, const std::string& service) {
    Add(EventType::kTicketFinished, at, id, counter, service);
  }
  void Rate(absl::Time at, uint64_t id, uint32_t counter, const std::string& service, int score) {
    Add(EventType::kTicketRated, at, id, counter, service, absl::StrCat("score ", score));
  }
  void Transfer(absl::Time at, uint64_t id, uint32_t counter, const std::string& from,
                const std::string& to) {
    Add(EventType::kTicketTransferred, at, id, counter, to,
        absl::StrCat("transfer ", from, "->", to, " by_issue_time"));
  }
  void NoShow(absl::Time at, uint64_t id, uint32_t counter, const std::string& service) {
    Add(EventType::kTicketNoShow, at, id, counter, service);
  }
  void Reinstate(absl::Time at, uint64_t id, const std::string& service) {
    Add(EventType::kTicketReinstated, at, id, 0, service, "reinstated by_issue_time");
  }
  void Cancel(absl::Time at, uint64_t id, const std::string& service) {
    Add(EventType::kTicketCancelled, at, id, 0, service);
  }
  void Open(absl::Time at, uint32_t counter) {
    CounterEvent(EventType::kCounterOpened, at, counter, CounterState::kOpen);
  }
  void Pause(absl::Time at, uint32_t counter) {
    CounterEvent(EventType::kCounterPaused, at, counter, CounterState::kPaused);
  }
  void Close(absl::Time at, uint32_t counter) {
    CounterEvent(EventType::kCounterClosed, at, counter, CounterState::kClosed);
  }

  std::vector<Event> events;

 private:
  Event& Add(EventType type, absl::Time at, uint64_t id, uint32_t counter,
             const std::string& service, std::string detail = "") {
    return events.emplace_back(Event{.seq = events.size() + 1,
                                     .at = at,
                                     .branch_id = "b",
                                     .type = type,
                                     .counter = counter,
                                     .ticket_id = id,
                                     .service_code = service,
                                     .detail = std::move(detail)});
  }
  void CounterEvent(EventType type, absl::Time at, uint32_t counter, CounterState state) {
    Add(type, at, 0, counter, "").counter_state = state;
  }
};

ServiceConfig Service(const std::string& code, absl::Duration target,
                      absl::Duration expected = absl::Minutes(5)) {
  return ServiceConfig{.code = code,
                       .name_en = "Service " + code,
                       .target_wait = target,
                       .expected_service_time = expected};
}

Counter CounterOf(uint32_t number, std::vector<std::string> profile) {
  return Counter{.number = number,
                 .name = absl::StrCat("Window ", number),
                 .service_codes = std::move(profile)};
}

// A {1, 2}, B {1, 2}: target 10 min; C {3}: target 5 min.
MetricsInput Input(absl::Time from, absl::Time to, const std::string& zone = "Asia/Shanghai") {
  MetricsInput input;
  input.from = from;
  input.to = to;
  input.zone = Zone(zone);
  input.services = {Service("A", absl::Minutes(10)), Service("B", absl::Minutes(10)),
                    Service("C", absl::Minutes(5), absl::Minutes(8))};
  input.counters = {
      {1, CounterOf(1, {"A", "B"})}, {2, CounterOf(2, {"B", "A"})}, {3, CounterOf(3, {"C"})}};
  return input;
}

const ServiceSlice& ServiceOf(const BranchMetrics& m, const std::string& code) {
  for (const ServiceSlice& s : m.services) {
    if (s.code == code) return s;
  }
  ADD_FAILURE() << "no service " << code;
  static const ServiceSlice none;
  return none;
}

const CounterSlice& CounterSliceOf(const BranchMetrics& m, uint32_t number) {
  for (const CounterSlice& c : m.counters) {
    if (c.number == number) return c;
  }
  ADD_FAILURE() << "no counter " << number;
  static const CounterSlice none;
  return none;
}

const HourSlice* HourOf(const BranchMetrics& m, int hour) {
  for (const HourSlice& h : m.by_hour) {
    if (h.hour == hour) return &h;
  }
  return nullptr;
}

std::vector<int> Hours(const BranchMetrics& m) {
  std::vector<int> hours;
  for (const HourSlice& h : m.by_hour) hours.push_back(h.hour);
  return hours;
}

TEST(NearestRankTest, PicksTheValueAtTheCeilingRank) {
  std::vector<absl::Duration> ten;
  for (int i = 1; i <= 10; ++i) ten.push_back(absl::Seconds(i));
  EXPECT_EQ(NearestRank(ten, 50), absl::Seconds(5));
  EXPECT_EQ(NearestRank(ten, 90), absl::Seconds(9));
  EXPECT_EQ(NearestRank(ten, 95), absl::Seconds(10));
  EXPECT_EQ(NearestRank(ten, 100), absl::Seconds(10));
  EXPECT_EQ(NearestRank({absl::Seconds(7)}, 50), absl::Seconds(7));
  EXPECT_EQ(NearestRank({}, 50), absl::ZeroDuration());

  std::vector<absl::Duration> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(absl::Seconds(i));
  EXPECT_EQ(NearestRank(twenty, 95), absl::Seconds(19));
}

TEST(SummarizeTest, SortsAndSummarizes) {
  const DurationSummary s =
      Summarize({absl::Minutes(13), absl::Minutes(5), absl::Minutes(3), absl::Minutes(7)});
  EXPECT_EQ(s.count, 4);
  EXPECT_EQ(s.mean, absl::Minutes(7));
  EXPECT_EQ(s.p50, absl::Minutes(5));
  EXPECT_EQ(s.p90, absl::Minutes(13));
  EXPECT_EQ(s.p95, absl::Minutes(13));
  EXPECT_EQ(s.max, absl::Minutes(13));
  EXPECT_EQ(Summarize({}), DurationSummary{});
}

TEST(MetricsTest, EmptyWindowHasZerosAndNoServiceLevel) {
  const BranchMetrics m = ComputeMetrics({}, Input(At(9, 0), At(10, 0)));
  EXPECT_EQ(m.total.issued, 0);
  EXPECT_EQ(m.total.wait.count, 0);
  EXPECT_FALSE(m.total.service_level.has_value());
  EXPECT_EQ(m.total.rating_usage, 0);
  ASSERT_EQ(m.services.size(), 3u) << "every configured service is listed";
  EXPECT_EQ(m.services[0].code, "A");
  EXPECT_EQ(m.services[0].name_en, "Service A");
  ASSERT_EQ(m.counters.size(), 3u);
  EXPECT_EQ(m.counters[0].name, "Window 1");
  EXPECT_EQ(m.counters[0].idle, absl::ZeroDuration()) << "closed is neither idle nor busy";
  EXPECT_EQ(m.counters[0].utilization, 0);
  EXPECT_THAT(m.by_hour, IsEmpty());

  // A zero-length window, and one whose end is before its start, are empty too.
  Log log;
  log.Issue(At(9, 0), 1, "A");
  EXPECT_EQ(ComputeMetrics(log.events, Input(At(9, 0), At(9, 0))).total.issued, 0);
  EXPECT_EQ(ComputeMetrics(log.events, Input(At(9, 0), At(8, 0))).total.issued, 0);
}

TEST(MetricsTest, ServedTicketsWaitsServiceTimesAndRatings) {
  Log log;
  log.Open(At(9, 0), 1);
  log.Issue(At(9, 0), 1, "A");
  log.Issue(At(9, 2), 2, "A");
  log.Call(At(9, 5), 1, 1, "A");  // waited 5 min
  log.Start(At(9, 6), 1, 1, "A");
  log.Finish(At(9, 15), 1, 1, "A");  // served 10 min: from the call, not the start
  log.Call(At(9, 15), 2, 1, "A");    // waited 13 min: over the 10 min target
  log.Rate(At(9, 15, 30), 1, 1, "A", 5);
  log.Recall(At(9, 17), 2, 1, "A");  // does not restart service time
  log.Start(At(9, 18), 2, 1, "A");
  log.Finish(At(9, 25), 2, 1, "A");  // served 10 min from the call
  log.Rate(At(9, 26), 2, 1, "A", 3);
  log.Issue(At(9, 10), 3, "B");
  log.Cancel(At(9, 12), 3, "B");

  const BranchMetrics m = ComputeMetrics(log.events, Input(At(9, 0), At(10, 0)));
  const SliceMetrics& t = m.total;
  EXPECT_EQ(t.issued, 3);
  EXPECT_EQ(t.served, 2);
  EXPECT_EQ(t.cancelled, 1);
  EXPECT_EQ(t.no_show, 0);
  EXPECT_EQ(t.wait.count, 2);
  EXPECT_EQ(t.wait.mean, absl::Minutes(9));
  EXPECT_EQ(t.wait.p50, absl::Minutes(5));
  EXPECT_EQ(t.wait.p90, absl::Minutes(13));
  EXPECT_EQ(t.wait.max, absl::Minutes(13));
  EXPECT_EQ(t.service_time.count, 2);
  EXPECT_EQ(t.service_time.mean, absl::Minutes(10));
  ASSERT_TRUE(t.service_level.has_value());
  EXPECT_DOUBLE_EQ(*t.service_level, 0.5);
  EXPECT_EQ(t.rated, 2);
  EXPECT_DOUBLE_EQ(t.mean_rating, 4.0);
  EXPECT_DOUBLE_EQ(t.satisfaction, 0.5);
  EXPECT_DOUBLE_EQ(t.rating_usage, 1.0);

  EXPECT_EQ(ServiceOf(m, "A").metrics.served, 2);
  EXPECT_EQ(ServiceOf(m, "B").metrics.issued, 1);
  EXPECT_EQ(ServiceOf(m, "B").metrics.cancelled, 1);
  EXPECT_FALSE(ServiceOf(m, "B").metrics.service_level.has_value());

  const CounterSlice& c1 = CounterSliceOf(m, 1);
  EXPECT_EQ(c1.metrics.served, 2);
  EXPECT_EQ(c1.metrics.issued, 0) << "issuing happens at the kiosk, not a counter";
  EXPECT_EQ(c1.busy, absl::Minutes(20));  // 9:05 - 9:25, recall included
  EXPECT_EQ(c1.idle, absl::Minutes(40));
  EXPECT_EQ(c1.paused, absl::ZeroDuration());
  EXPECT_NEAR(c1.utilization, 1.0 / 3, 1e-12);

  EXPECT_THAT(Hours(m), ElementsAre(9));
  EXPECT_EQ(m.by_hour[0].counters_open, 1);
  EXPECT_EQ(m.by_hour[0].covered, absl::Hours(1));
  EXPECT_EQ(m.by_hour[0].issued_by_service.at("A"), 2);
}

TEST(MetricsTest, TransferKeepsTheFirstWaitAndServesWhereItFinished) {
  Log log;
  log.Open(At(9, 0), 1);
  log.Open(At(9, 0), 2);
  log.Issue(At(9, 0), 1, "A");
  log.Call(At(9, 4), 1, 1, "A");
  log.Start(At(9, 5), 1, 1, "A");
  log.Transfer(At(9, 8), 1, 1, "A", "B");
  log.Call(At(9, 20), 1, 2, "B");  // not a new wait
  log.Start(At(9, 21), 1, 2, "B");
  log.Finish(At(9, 30), 1, 2, "B");
  log.Rate(At(9, 31), 1, 2, "B", 4);

  const BranchMetrics m = ComputeMetrics(log.events, Input(At(9, 0), At(10, 0)));
  EXPECT_EQ(m.total.issued, 1);
  EXPECT_EQ(m.total.served, 1);
  EXPECT_EQ(m.total.transferred, 1);
  EXPECT_EQ(m.total.wait.count, 1);
  EXPECT_EQ(m.total.wait.max, absl::Minutes(4));
  EXPECT_EQ(m.total.service_time.max, absl::Minutes(10)) << "the finishing call to the finish";

  const SliceMetrics& a = ServiceOf(m, "A").metrics;
  EXPECT_EQ(a.issued, 1);
  EXPECT_EQ(a.transferred, 1);
  EXPECT_EQ(a.wait.count, 1);
  EXPECT_EQ(a.served, 0);
  const SliceMetrics& b = ServiceOf(m, "B").metrics;
  EXPECT_EQ(b.issued, 0);
  EXPECT_EQ(b.wait.count, 0);
  EXPECT_EQ(b.served, 1);
  EXPECT_EQ(b.service_time.max, absl::Minutes(10));
  EXPECT_EQ(b.rated, 1);

  const CounterSlice& c1 = CounterSliceOf(m, 1);
  EXPECT_EQ(c1.metrics.transferred, 1);
  EXPECT_EQ(c1.metrics.wait.count, 1) << "the counter that made the first call";
  EXPECT_EQ(c1.metrics.served, 0);
  EXPECT_EQ(c1.busy, absl::Minutes(4));
  const CounterSlice& c2 = CounterSliceOf(m, 2);
  EXPECT_EQ(c2.metrics.served, 1);
  EXPECT_EQ(c2.metrics.rated, 1);
  EXPECT_EQ(c2.busy, absl::Minutes(10));
}

TEST(MetricsTest, NoShowHasAWaitButNoServiceTimeUnlessReinstated) {
  Log log;
  log.Open(At(9, 0), 1);
  log.Issue(At(9, 0), 1, "A");
  log.Issue(At(9, 1), 2, "A");
  log.Call(At(9, 3), 1, 1, "A");
  log.Recall(At(9, 5), 1, 1, "A");
  log.NoShow(At(9, 8), 1, 1, "A");
  log.Call(At(9, 8), 2, 1, "A");
  log.NoShow(At(9, 10), 2, 1, "A");
  log.Reinstate(At(9, 20), 2, "A");
  log.Call(At(9, 25), 2, 1, "A");
  log.Start(At(9, 26), 2, 1, "A");
  log.Finish(At(9, 30), 2, 1, "A");

  const BranchMetrics m = ComputeMetrics(log.events, Input(At(9, 0), At(10, 0)));
  EXPECT_EQ(m.total.no_show, 1) << "the reinstated ticket is not a no-show";
  EXPECT_EQ(m.total.served, 1);
  // Waits: 3 min (ticket 1) and 7 min (ticket 2's first call, not 24).
  EXPECT_EQ(m.total.wait.count, 2);
  EXPECT_EQ(m.total.wait.max, absl::Minutes(7));
  EXPECT_EQ(m.total.service_time.count, 1);
  EXPECT_EQ(m.total.service_time.max, absl::Minutes(5)) << "from the call after reinstatement";
  EXPECT_EQ(CounterSliceOf(m, 1).metrics.no_show, 1);
  // Busy: 9:03-9:10 calling (recall included), 9:25-9:30 serving.
  EXPECT_EQ(CounterSliceOf(m, 1).busy, absl::Minutes(12));

  // A window that ends before the reinstatement sees two no-shows.
  const BranchMetrics early = ComputeMetrics(log.events, Input(At(9, 0), At(9, 15)));
  EXPECT_EQ(early.total.no_show, 2);
  EXPECT_EQ(early.total.served, 0);
}

TEST(MetricsTest, RatingEdgeCases) {
  Log log;
  log.Open(At(8, 0), 1);
  // Finished before the window: its rating inside the window does not count.
  log.Issue(At(8, 40), 1, "A");
  log.Call(At(8, 45), 1, 1, "A");
  log.Start(At(8, 45), 1, 1, "A");
  log.Finish(At(8, 58), 1, 1, "A");
  log.Rate(At(9, 1), 1, 1, "A", 1);
  // Rated twice (the domain refuses it; a log that has it keeps the last).
  log.Issue(At(9, 0), 2, "A");
  log.Call(At(9, 2), 2, 1, "A");
  log.Start(At(9, 2), 2, 1, "A");
  log.Finish(At(9, 10), 2, 1, "A");
  log.Rate(At(9, 11), 2, 1, "A", 2);
  log.Rate(At(9, 12), 2, 1, "A", 5);
  // Not rated.
  log.Issue(At(9, 1), 3, "A");
  log.Call(At(9, 10), 3, 1, "A");
  log.Start(At(9, 10), 3, 1, "A");
  log.Finish(At(9, 20), 3, 1, "A");
  // Finished inside, rated after the window ends: not counted.
  log.Issue(At(9, 2), 4, "A");
  log.Call(At(9, 20), 4, 1, "A");
  log.Start(At(9, 20), 4, 1, "A");
  log.Finish(At(9, 59), 4, 1, "A");
  log.Rate(At(10, 1), 4, 1, "A", 5);

  const BranchMetrics m = ComputeMetrics(log.events, Input(At(9, 0), At(10, 0)));
  EXPECT_EQ(m.total.served, 3);
  EXPECT_EQ(m.total.rated, 1);
  EXPECT_DOUBLE_EQ(m.total.mean_rating, 5.0);
  EXPECT_DOUBLE_EQ(m.total.satisfaction, 1.0);
  EXPECT_DOUBLE_EQ(m.total.rating_usage, 1.0 / 3);

  // The longer window sees every rating, each under its finish.
  const BranchMetrics day = ComputeMetrics(log.events, Input(At(8, 0), At(11, 0)));
  EXPECT_EQ(day.total.rated, 3);
  EXPECT_DOUBLE_EQ(day.total.mean_rating, (1 + 5 + 5) / 3.0);
  EXPECT_DOUBLE_EQ(day.total.rating_usage, 3.0 / 4);
  ASSERT_NE(HourOf(day, 8), nullptr);
  EXPECT_EQ(HourOf(day, 8)->metrics.rated, 1) << "a rating counts in its finish's hour";
  EXPECT_DOUBLE_EQ(HourOf(day, 8)->metrics.satisfaction, 0.0);
}

TEST(MetricsTest, ClipsCounterStatesAndTicketsToTheWindow) {
  Log log;
  log.Open(At(8, 0), 1);
  log.Issue(At(8, 50), 1, "A");   // before the window: not issued in it...
  log.Call(At(9, 5), 1, 1, "A");  // ...but its wait (15 min) is
  log.Start(At(9, 6), 1, 1, "A");
  log.Finish(At(9, 10), 1, 1, "A");
  log.Pause(At(9, 30), 1);
  log.Open(At(9, 40), 1);
  log.Issue(At(9, 55), 2, "A");    // issued inside...
  log.Call(At(10, 5), 2, 1, "A");  // ...called after: no wait in this window
  log.Close(At(10, 30), 1);

  MetricsInput input = Input(At(9, 0), At(10, 0));
  // Counter 2 was open before the first event and never changed; counter 3 paused.
  input.counter_states = {{2, CounterState::kOpen}, {3, CounterState::kPaused}};
  const BranchMetrics m = ComputeMetrics(log.events, input);
  EXPECT_EQ(m.total.issued, 1);
  EXPECT_EQ(m.total.wait.count, 1);
  EXPECT_EQ(m.total.wait.max, absl::Minutes(15));
  ASSERT_TRUE(m.total.service_level.has_value());
  EXPECT_EQ(*m.total.service_level, 0) << "15 min is over the 10 min target";

  const CounterSlice& c1 = CounterSliceOf(m, 1);
  EXPECT_EQ(c1.busy, absl::Minutes(5));
  EXPECT_EQ(c1.idle, absl::Minutes(45));  // 9:00-9:05, 9:10-9:30, 9:40-10:00
  EXPECT_EQ(c1.paused, absl::Minutes(10));
  EXPECT_EQ(CounterSliceOf(m, 2).idle, absl::Hours(1));
  EXPECT_EQ(CounterSliceOf(m, 3).paused, absl::Hours(1));
  EXPECT_EQ(CounterSliceOf(m, 3).utilization, 0);

  for (const CounterInterval& i : m.intervals) {
    EXPECT_GE(i.start, At(9, 0));
    EXPECT_LE(i.end, At(10, 0));
    EXPECT_LT(i.start, i.end);
  }
  EXPECT_THAT(Hours(m), ElementsAre(9));
  EXPECT_EQ(m.by_hour[0].counters_open, 2);
}

TEST(MetricsTest, HoursAreLocalInTheBranchZone) {
  // Kolkata is UTC+5:30: 03:45 UTC is 09:15 there, 04:31 UTC is 10:01.
  const auto utc = [](int h, int m) {
    return absl::FromCivil(absl::CivilMinute(2024, 3, 4, h, m), absl::UTCTimeZone());
  };
  Log log;
  log.Open(utc(3, 40), 1);
  log.Issue(utc(3, 45), 1, "A");
  log.Issue(utc(4, 15), 2, "A");
  log.Call(utc(4, 31), 1, 1, "A");
  log.Close(utc(4, 32), 3);  // already closed: nothing

  const BranchMetrics m = ComputeMetrics(log.events, Input(utc(3, 30), utc(5, 30), "Asia/Kolkata"));
  EXPECT_THAT(Hours(m), ElementsAre(9, 10));
  EXPECT_EQ(HourOf(m, 9)->metrics.issued, 2);
  EXPECT_EQ(HourOf(m, 10)->metrics.issued, 0);
  EXPECT_EQ(HourOf(m, 10)->metrics.wait.count, 1) << "a wait counts in the hour of its call";
  EXPECT_EQ(HourOf(m, 9)->counters_open, 1);
  EXPECT_EQ(HourOf(m, 9)->covered, absl::Hours(1));  // 09:00-10:00 local
  EXPECT_EQ(HourOf(m, 10)->covered, absl::Hours(1));

  // The same log in UTC hours: 3 and 4.
  const BranchMetrics in_utc = ComputeMetrics(log.events, Input(utc(3, 30), utc(5, 30), "UTC"));
  EXPECT_THAT(Hours(in_utc), ElementsAre(3, 4, 5)) << "5: counter 1 still open";
  EXPECT_EQ(HourOf(in_utc, 3)->covered, absl::Minutes(30));
}

TEST(MetricsTest, HoursAcrossDaysAddUpAndSkipTheDaylightSavingGap) {
  // New York skips 02:00-03:00 on 2024-03-10.
  const absl::TimeZone ny = Zone("America/New_York");
  const auto local = [&](int d, int h, int m) {
    return absl::FromCivil(absl::CivilMinute(2024, 3, d, h, m), ny);
  };
  Log log;
  log.Open(local(10, 0, 30), 1);
  log.Issue(local(9, 1, 10), 1, "A");
  log.Issue(local(10, 1, 20), 2, "A");
  log.Close(local(10, 4, 0), 1);

  const BranchMetrics m =
      ComputeMetrics(log.events, Input(local(9, 0, 0), local(11, 0, 0), "America/New_York"));
  EXPECT_THAT(Hours(m), ElementsAre(0, 1, 3)) << "no 02:00 on the 10th";
  EXPECT_EQ(HourOf(m, 1)->metrics.issued, 2) << "hour 1 of both days";
  EXPECT_EQ(HourOf(m, 1)->covered, absl::Hours(2));
  EXPECT_EQ(HourOf(m, 0)->counters_open, 1);
  EXPECT_EQ(HourOf(m, 3)->counters_open, 1);
  EXPECT_EQ(CounterSliceOf(m, 1).idle, absl::Minutes(150)) << "00:30 to 04:00 is 2.5 real hours";
}

TEST(MetricsTest, MostOpenAtOnceCountsOverlapsNotSums) {
  Log log;
  log.Open(At(9, 0), 1);
  log.Close(At(9, 20), 1);
  log.Open(At(9, 30), 2);  // never open together with 1
  log.Open(At(10, 10), 1);
  log.Open(At(10, 10), 3);
  log.Pause(At(10, 20), 3);  // paused is not open
  MetricsInput input = Input(At(9, 0), At(11, 0));
  const BranchMetrics m = ComputeMetrics(log.events, input);
  EXPECT_EQ(HourOf(m, 9)->counters_open, 1);
  EXPECT_EQ(HourOf(m, 10)->counters_open, 3);
  const std::array<int, 24> only_1_and_3 = MostOpenAtOnce(m, input.zone, {1, 3});
  EXPECT_EQ(only_1_and_3[9], 1);
  EXPECT_EQ(only_1_and_3[10], 2);
  EXPECT_EQ(only_1_and_3[11], 0);
}

TEST(MetricsTest, CounterNotConfiguredAndServiceNotConfiguredStillShow) {
  Log log;
  log.Open(At(9, 0), 7);
  log.Issue(At(9, 0), 1, "Z");
  log.Call(At(9, 1), 1, 7, "Z");
  const BranchMetrics m = ComputeMetrics(log.events, Input(At(9, 0), At(10, 0)));
  EXPECT_EQ(ServiceOf(m, "Z").metrics.issued, 1);
  EXPECT_FALSE(ServiceOf(m, "Z").metrics.service_level.has_value()) << "no target known";
  EXPECT_EQ(CounterSliceOf(m, 7).busy, absl::Minutes(59));
  EXPECT_EQ(CounterSliceOf(m, 7).name, "");
}

TEST(StaffingByHourTest, GroupsHoursAndCountersOpen) {
  Log log;
  log.Open(At(9, 0), 1);
  log.Open(At(9, 0), 2);
  uint64_t id = 0;
  // Twelve arrivals in A and B in hour 9 of a one-hour window, each served 6
  // minutes; two in C.
  for (int i = 0; i < 12; ++i) {
    const std::string service = i % 2 ? "B" : "A";
    const uint32_t counter = i % 2 ? 2 : 1;
    const absl::Time t = At(9, 0) + absl::Minutes(5 * i);
    log.Issue(t, ++id, service);
    log.Call(t, id, counter, service);
    log.Finish(t + absl::Minutes(6), id, counter, service);
  }
  log.Issue(At(9, 10), ++id, "C");
  log.Issue(At(9, 20), ++id, "C");
  MetricsInput input = Input(At(9, 0), At(10, 0));
  input.services[1].target_wait = absl::Minutes(4);  // B is stricter than A
  const BranchMetrics m = ComputeMetrics(log.events, input);
  const std::vector<HourStaffing> advice = StaffingByHour(m, input);
  ASSERT_EQ(advice.size(), 2u);

  const HourStaffing& ab = advice[0];
  EXPECT_THAT(ab.service_codes, ElementsAre("A", "B"));
  EXPECT_EQ(ab.hour, 9);
  EXPECT_DOUBLE_EQ(ab.input.arrivals_per_hour, 12);
  EXPECT_EQ(ab.input.mean_service, absl::Minutes(6));
  EXPECT_EQ(ab.input.target_wait, absl::Minutes(4));
  EXPECT_EQ(ab.counters_open, 2);
  const StaffingResult expected = AdviseCounters(ab.input);
  EXPECT_EQ(ab.result.counters_needed, expected.counters_needed);
  EXPECT_EQ(ab.understaffed, ab.counters_open < expected.counters_needed);

  const HourStaffing& c = advice[1];
  EXPECT_THAT(c.service_codes, ElementsAre("C"));
  EXPECT_DOUBLE_EQ(c.input.arrivals_per_hour, 2);
  EXPECT_EQ(c.input.mean_service, absl::Minutes(8)) << "nobody served: the configured time";
  EXPECT_EQ(c.counters_open, 0);
  EXPECT_TRUE(c.understaffed);

  // Half an hour of window: twelve arrivals are 24 an hour.
  MetricsInput half = input;
  half.to = At(9, 30);
  const BranchMetrics mh = ComputeMetrics(log.events, half);
  const std::vector<HourStaffing> advice_half = StaffingByHour(mh, half);
  ASSERT_FALSE(advice_half.empty());
  EXPECT_DOUBLE_EQ(advice_half[0].input.arrivals_per_hour, 12);  // 6 issued in 30 min
}

TEST(RankBranchesTest, BestFirstAndBottomThreeOfMoreThanThree) {
  const std::vector<Ranked> ranked = RankBranches({
      {.branch_id = "a", .service_level = 0.9, .satisfaction = 0.5},
      {.branch_id = "b", .service_level = 0.7, .satisfaction = 0.9},
      {.branch_id = "c", .service_level = 0.9, .satisfaction = 0.8},
      {.branch_id = "d", .service_level = 0.5},
      {.branch_id = "e", .service_level = std::nullopt, .satisfaction = 1.0},
      {.branch_id = "f", .service_level = 0.7, .satisfaction = 0.9},
  });
  std::vector<std::string> order;
  std::vector<bool> bottom;
  for (const Ranked& r : ranked) {
    order.push_back(r.branch.branch_id);
    bottom.push_back(r.bottom);
    EXPECT_EQ(r.rank, static_cast<int>(order.size()));
  }
  EXPECT_THAT(order, ElementsAre("c", "a", "b", "f", "d", "e"));
  EXPECT_THAT(bottom, ElementsAre(false, false, true, true, true, false));
}

TEST(RankBranchesTest, FewBranchesFlagOnlyTheLast) {
  std::vector<Ranked> three = RankBranches({{.branch_id = "a", .service_level = 0.9},
                                            {.branch_id = "b", .service_level = 0.8},
                                            {.branch_id = "c", .service_level = 0.95}});
  ASSERT_EQ(three.size(), 3u);
  EXPECT_EQ(three[2].branch.branch_id, "b");
  EXPECT_TRUE(three[2].bottom);
  EXPECT_FALSE(three[0].bottom);
  EXPECT_FALSE(three[1].bottom);

  std::vector<Ranked> one = RankBranches({{.branch_id = "a", .service_level = 0.1}});
  EXPECT_FALSE(one[0].bottom);
  EXPECT_THAT(RankBranches({}), IsEmpty());
  std::vector<Ranked> idle = RankBranches({{.branch_id = "a"}, {.branch_id = "b"}});
  EXPECT_FALSE(idle[0].bottom);
  EXPECT_FALSE(idle[1].bottom);
}

// The event formats Branch writes (rating score, transfer source) are what
// the metrics read.
TEST(MetricsFromBranchTest, ADayThroughTheRealBranch) {
  using domain::testing::Lobby;
  Lobby lobby;
  const absl::Time start = lobby.clock.Now();
  lobby.Open(1);
  lobby.Open(2);
  const uint64_t t1 = lobby.Issue("A");
  const uint64_t t2 = lobby.Issue("A");
  lobby.Advance(absl::Minutes(2));
  EXPECT_EQ(lobby.Call(1), t1);
  lobby.Start(1);
  lobby.Advance(absl::Minutes(4));
  lobby.Finish(1);
  ASSERT_TRUE(lobby.TryRate(1, t1, 4).ok());
  EXPECT_EQ(lobby.Call(2), t2);
  lobby.Start(2);
  lobby.Advance(absl::Minutes(1));
  lobby.Transfer(2, "B");
  lobby.Advance(absl::Minutes(1));
  EXPECT_EQ(lobby.Call(2), t2);
  lobby.Start(2);
  lobby.Advance(absl::Minutes(3));
  lobby.Finish(2);
  ASSERT_TRUE(lobby.TryRate(2, t2, 2).ok());
  const uint64_t t3 = lobby.Issue("C");
  lobby.Cancel(t3);

  MetricsInput input;
  input.from = start;
  input.to = lobby.clock.Now() + absl::Minutes(1);
  input.zone = domain::testing::Shanghai();
  input.services = lobby.branch().services();
  input.counters = lobby.branch().counters();
  const BranchMetrics m = ComputeMetrics(lobby.Events(), input);
  EXPECT_EQ(m.total.issued, 3);
  EXPECT_EQ(m.total.served, 2);
  EXPECT_EQ(m.total.cancelled, 1);
  EXPECT_EQ(m.total.transferred, 1);
  EXPECT_EQ(m.total.rated, 2);
  EXPECT_DOUBLE_EQ(m.total.mean_rating, 3.0);
  EXPECT_DOUBLE_EQ(m.total.satisfaction, 0.5);
  EXPECT_EQ(ServiceOf(m, "A").metrics.transferred, 1);
  EXPECT_EQ(ServiceOf(m, "B").metrics.served, 1);
  EXPECT_EQ(ServiceOf(m, "B").metrics.service_time.max, absl::Minutes(3));
  EXPECT_EQ(m.total.wait.max, absl::Minutes(6));
}

}  // namespace
}  // namespace lobbyq::domain
