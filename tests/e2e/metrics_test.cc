// GetMetrics and GetReport over real gRPC: a small day at the "north" branch
// (issue, call, finish, rate, no-show, transfer, cancel) and the figures the
// event log gives for it (docs/metrics.md), the report's shape and ranking,
// and requests that are refused.

#include "gmock/gmock.h"
#include "tests/e2e/test_server.h"

namespace lobbyq::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kNorth[] = "north";

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

google::protobuf::Timestamp Stamp(absl::Time t) {
  google::protobuf::Timestamp out;
  const int64_t nanos = absl::ToUnixNanos(t);
  out.set_seconds(nanos / 1'000'000'000);
  out.set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
  return out;
}

// hh:mm on the test day (2024-03-04), Shanghai time.
absl::Time Local(int hour, int minute) {
  return absl::FromCivil(absl::CivilMinute(2024, 3, 4, hour, minute),
                         absl::FixedTimeZone(8 * 3600));
}

class MetricsTest : public E2eTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(E2eTest::SetUp());
    v1::BranchConfig created;
    ASSERT_TRUE(
        IsOk(Call(admin_.get(), &v1::AdminService::Stub::CreateBranch, NorthBranch(), &created)));
  }

  grpc::Status Metrics(const v1::GetMetricsRequest& req, v1::MetricsResponse* resp) {
    return Call(lobby_.get(), &v1::LobbyService::Stub::GetMetrics, req, resp);
  }
  grpc::Status Report(const v1::GetReportRequest& req, v1::ReportResponse* resp) {
    return Call(lobby_.get(), &v1::LobbyService::Stub::GetReport, req, resp);
  }

  void Rate(uint32_t counter, uint64_t ticket, int score) {
    v1::SubmitRatingRequest req;
    req.set_branch_id(kNorth);
    req.set_counter(counter);
    req.set_ticket_id(ticket);
    req.set_score(score);
    v1::TicketActionResponse resp;
    EXPECT_TRUE(IsOk(Call(counter_.get(), &v1::CounterService::Stub::SubmitRating, req, &resp)));
  }

  // 09:30 to 09:40 at north (counter 1 serves X then A, counter 2 serves A):
  //   a1 (A) waits 2 min, served 4 min at counter 2, rated 5;
  //   x1 (X) waits 2 min at counter 1, no-show;
  //   a2 (A) waits 6 min, transferred by counter 2 to X, served 3 min at
  //   counter 1, rated 3; a3 (A) cancelled.
  void PlayDay() {
    Open(1, kNorth);
    Open(2, kNorth);
    const v1::Ticket a1 = Issue("A", kNorth);
    const v1::Ticket a2 = Issue("A", kNorth);
    const v1::Ticket x1 = Issue("X", kNorth);
    clock_.Advance(absl::Minutes(2));
    ASSERT_EQ(CallNext(2, kNorth).ticket().ticket_id(), a1.ticket_id());
    StartService(2, kNorth);
    ASSERT_EQ(CallNext(1, kNorth).ticket().ticket_id(), x1.ticket_id());
    clock_.Advance(absl::Minutes(4));
    Finish(2, kNorth);
    Rate(2, a1.ticket_id(), 5);
    Act(&v1::CounterService::Stub::MarkNoShow, 1, kNorth);
    ASSERT_EQ(CallNext(2, kNorth).ticket().ticket_id(), a2.ticket_id());
    StartService(2, kNorth);
    clock_.Advance(absl::Minutes(1));
    v1::TransferRequest transfer;
    transfer.set_branch_id(kNorth);
    transfer.set_counter(2);
    transfer.set_to_service_code("X");
    v1::TicketActionResponse moved;
    ASSERT_TRUE(IsOk(Call(counter_.get(), &v1::CounterService::Stub::Transfer, transfer, &moved)));
    ASSERT_EQ(CallNext(1, kNorth).ticket().ticket_id(), a2.ticket_id());
    StartService(1, kNorth);
    clock_.Advance(absl::Minutes(3));
    Finish(1, kNorth);
    Rate(1, a2.ticket_id(), 3);
    const v1::Ticket a3 = Issue("A", kNorth);
    v1::CancelTicketRequest cancel;
    cancel.set_branch_id(kNorth);
    cancel.set_ticket_id(a3.ticket_id());
    v1::TicketResponse cancelled;
    ASSERT_TRUE(
        IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::CancelTicket, cancel, &cancelled)));
    clock_.Advance(absl::Minutes(5));  // 09:45:00.123456
  }

  static const v1::ServiceMetrics* Service(const v1::MetricsResponse& m, const std::string& code) {
    for (const auto& s : m.services()) {
      if (s.service_code() == code) return &s;
    }
    return nullptr;
  }
  static const v1::CounterMetrics* Counter(const v1::MetricsResponse& m, uint32_t number) {
    for (const auto& c : m.counters()) {
      if (c.counter() == number) return &c;
    }
    return nullptr;
  }
};

TEST_F(MetricsTest, DefaultWindowIsTheBusinessDaySoFar) {
  ASSERT_NO_FATAL_FAILURE(PlayDay());
  v1::GetMetricsRequest req;
  req.set_branch_id(kNorth);
  v1::MetricsResponse m;
  ASSERT_TRUE(IsOk(Metrics(req, &m)));
  EXPECT_EQ(m.branch_id(), kNorth);
  EXPECT_EQ(FromProto(m.from()), Local(0, 0)) << "local midnight";
  EXPECT_EQ(FromProto(m.to()), clock_.Now());

  const v1::Metrics& t = m.total();
  EXPECT_EQ(t.issued(), 4);
  EXPECT_EQ(t.served(), 2);
  EXPECT_EQ(t.no_show(), 1);
  EXPECT_EQ(t.cancelled(), 1);
  EXPECT_EQ(t.transferred(), 1);
  EXPECT_EQ(t.wait().count(), 3);
  EXPECT_EQ(FromProto(t.wait().p50()), absl::Minutes(2));
  EXPECT_EQ(FromProto(t.wait().max()), absl::Minutes(6));
  EXPECT_EQ(FromProto(t.wait().mean()), absl::Minutes(10) / 3);
  EXPECT_EQ(t.service_time().count(), 2);
  EXPECT_EQ(FromProto(t.service_time().max()), absl::Minutes(4));
  EXPECT_EQ(FromProto(t.service_time().p50()), absl::Minutes(3));
  EXPECT_TRUE(t.has_service_level());
  EXPECT_DOUBLE_EQ(t.service_level(), 1.0);
  EXPECT_EQ(t.rated(), 2);
  EXPECT_DOUBLE_EQ(t.mean_rating(), 4.0);
  EXPECT_DOUBLE_EQ(t.satisfaction(), 0.5);
  EXPECT_DOUBLE_EQ(t.rating_usage(), 1.0);

  ASSERT_EQ(m.services_size(), 2);
  const v1::ServiceMetrics* a = Service(m, "A");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->name_en(), "Cash");
  EXPECT_EQ(a->metrics().issued(), 3);
  EXPECT_EQ(a->metrics().served(), 1) << "a1 only: a2 was served under X, where it finished";
  EXPECT_EQ(a->metrics().transferred(), 1);
  EXPECT_EQ(a->metrics().cancelled(), 1);
  EXPECT_EQ(a->metrics().wait().count(), 2);
  const v1::ServiceMetrics* x = Service(m, "X");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->metrics().issued(), 1);
  EXPECT_EQ(x->metrics().served(), 1);
  EXPECT_EQ(x->metrics().no_show(), 1);

  const v1::CounterMetrics* c1 = Counter(m, 1);
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ(c1->name(), "窗口 1");
  EXPECT_EQ(c1->metrics().served(), 1);
  EXPECT_EQ(c1->metrics().no_show(), 1);
  EXPECT_EQ(c1->metrics().rated(), 1);
  // Busy 09:32-09:36 calling x1, 09:37-09:40 with a2; open 09:30:00.123456 to 09:45:00.123456.
  EXPECT_EQ(FromProto(c1->busy()), absl::Minutes(7));
  EXPECT_EQ(FromProto(c1->idle()), absl::Minutes(8));
  EXPECT_EQ(FromProto(c1->paused()), absl::ZeroDuration());
  EXPECT_NEAR(c1->utilization(), 7.0 / 15, 1e-9);
  const v1::CounterMetrics* c2 = Counter(m, 2);
  ASSERT_NE(c2, nullptr);
  EXPECT_EQ(c2->metrics().served(), 1);
  EXPECT_EQ(c2->metrics().transferred(), 1);
  // Busy 09:32-09:36 with a1, 09:36-09:37 with a2 until the transfer.
  EXPECT_EQ(FromProto(c2->busy()), absl::Minutes(5));
  EXPECT_EQ(FromProto(c2->idle()), absl::Minutes(10));

  ASSERT_EQ(m.by_hour_size(), 1);
  EXPECT_EQ(m.by_hour(0).hour(), 9);
  EXPECT_EQ(m.by_hour(0).counters_open(), 2);
  EXPECT_EQ(m.by_hour(0).metrics().issued(), 4);
}

TEST_F(MetricsTest, ExplicitWindowClipsToIt) {
  ASSERT_NO_FATAL_FAILURE(PlayDay());
  v1::GetMetricsRequest req;
  req.set_branch_id(kNorth);
  *req.mutable_from() = Stamp(Local(9, 35));
  *req.mutable_to() = Stamp(Local(9, 38));
  v1::MetricsResponse m;
  ASSERT_TRUE(IsOk(Metrics(req, &m)));
  EXPECT_EQ(m.total().issued(), 0);
  EXPECT_EQ(m.total().served(), 1) << "a1 finished at 09:36";
  EXPECT_EQ(m.total().no_show(), 1);
  EXPECT_EQ(m.total().transferred(), 1);
  EXPECT_EQ(m.total().wait().count(), 1) << "a2's first call at 09:36; its call at 09:37 is not";
  const v1::CounterMetrics* c1 = Counter(m, 1);
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ(FromProto(c1->busy()) + FromProto(c1->idle()), absl::Minutes(3));

  // A window on another day has nothing in it.
  *req.mutable_from() = Stamp(Local(9, 0) - absl::Hours(24));
  *req.mutable_to() = Stamp(Local(10, 0) - absl::Hours(24));
  ASSERT_TRUE(IsOk(Metrics(req, &m)));
  EXPECT_EQ(m.total().issued(), 0);
  EXPECT_FALSE(m.total().has_service_level());
  EXPECT_EQ(m.by_hour_size(), 0);
}

TEST_F(MetricsTest, ReportHasEveryBranchStaffingAndARanking) {
  ASSERT_NO_FATAL_FAILURE(PlayDay());
  v1::GetReportRequest req;
  v1::ReportResponse r;
  ASSERT_TRUE(IsOk(Report(req, &r)));
  EXPECT_EQ(r.period(), v1::REPORT_PERIOD_DAILY);
  EXPECT_EQ(r.day(), "2024-03-04");
  ASSERT_EQ(r.branches_size(), 2);  // demo and north
  const v1::BranchReport* north = nullptr;
  for (const auto& b : r.branches()) {
    if (b.branch_id() == kNorth) north = &b;
  }
  ASSERT_NE(north, nullptr);
  EXPECT_EQ(north->branch_name(), "North 北区支行");
  EXPECT_EQ(north->metrics().total().issued(), 4);
  EXPECT_EQ(FromProto(north->metrics().from()), Local(0, 0));
  EXPECT_EQ(FromProto(north->metrics().to()), clock_.Now()) << "today: the day so far";
  // North's counters share A, so A and X are one group, advised for hour 9.
  ASSERT_EQ(north->staffing_size(), 1);
  const v1::StaffingAdvice& advice = north->staffing(0);
  EXPECT_THAT(advice.service_codes(), ElementsAre("A", "X"));
  EXPECT_EQ(advice.hour(), 9);
  EXPECT_GT(advice.arrivals_per_hour(), 0);
  EXPECT_EQ(FromProto(advice.mean_service_time()), absl::Seconds(210));
  EXPECT_EQ(FromProto(advice.target_wait()), absl::Minutes(10));
  EXPECT_EQ(advice.counters_open(), 2);
  EXPECT_EQ(advice.understaffed(), advice.counters_open() < advice.counters_needed());

  // Demo had nobody called: ranked after north and not flagged.
  ASSERT_EQ(r.ranking_size(), 2);
  EXPECT_EQ(r.ranking(0).rank(), 1);
  EXPECT_EQ(r.ranking(0).branch_id(), kNorth);
  EXPECT_DOUBLE_EQ(r.ranking(0).service_level(), 1.0);
  EXPECT_DOUBLE_EQ(r.ranking(0).satisfaction(), 0.5);
  EXPECT_FALSE(r.ranking(0).bottom()) << "a branch alone with figures is not flagged";
  EXPECT_EQ(r.ranking(1).rank(), 2);
  EXPECT_EQ(r.ranking(1).branch_id(), kDemo);
  EXPECT_FALSE(r.ranking(1).bottom());

  // One branch, weekly from an explicit day.
  req.add_branch_ids(kNorth);
  req.add_branch_ids(kNorth);  // asked twice, reported once
  req.set_period(v1::REPORT_PERIOD_WEEKLY);
  req.set_day("2024-02-28");
  ASSERT_TRUE(IsOk(Report(req, &r)));
  EXPECT_EQ(r.period(), v1::REPORT_PERIOD_WEEKLY);
  EXPECT_EQ(r.day(), "2024-02-28");
  ASSERT_EQ(r.branches_size(), 1);
  EXPECT_EQ(FromProto(r.branches(0).metrics().from()), Local(0, 0) - absl::Hours(24 * 5));
  EXPECT_EQ(FromProto(r.branches(0).metrics().to()), clock_.Now())
      << "seven days from 02-28 (a leap year) end on 03-05, which is still to come";
  EXPECT_EQ(r.branches(0).metrics().total().issued(), 4);
}

TEST_F(MetricsTest, BadRequestsAreRefusedWithAReason) {
  v1::MetricsResponse m;
  v1::GetMetricsRequest req;
  req.set_branch_id("nowhere");
  EXPECT_TRUE(HasCode(Metrics(req, &m), grpc::StatusCode::NOT_FOUND));
  req.set_branch_id("bad id!");
  EXPECT_TRUE(HasCode(Metrics(req, &m), grpc::StatusCode::INVALID_ARGUMENT));

  req.set_branch_id(kNorth);
  *req.mutable_from() = Stamp(Local(10, 0));
  grpc::Status only_from = Metrics(req, &m);
  EXPECT_TRUE(HasCode(only_from, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(only_from.error_message(), HasSubstr("both"));
  *req.mutable_to() = Stamp(Local(9, 0));
  grpc::Status backwards = Metrics(req, &m);
  EXPECT_TRUE(HasCode(backwards, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(backwards.error_message(), HasSubstr("before"));
  *req.mutable_to() = Stamp(Local(10, 0) + absl::Hours(24 * 32));
  grpc::Status too_long = Metrics(req, &m);
  EXPECT_TRUE(HasCode(too_long, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(too_long.error_message(), HasSubstr("31 days"));
  req.mutable_to()->set_nanos(-1);
  EXPECT_TRUE(HasCode(Metrics(req, &m), grpc::StatusCode::INVALID_ARGUMENT));

  v1::ReportResponse r;
  v1::GetReportRequest report;
  report.set_day("2024-3-4");
  grpc::Status bad_day = Report(report, &r);
  EXPECT_TRUE(HasCode(bad_day, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(bad_day.error_message(), HasSubstr("2024-03-04"));
  report.set_day("");
  report.add_branch_ids(kNorth);
  report.add_branch_ids("nowhere");
  grpc::Status unknown = Report(report, &r);
  EXPECT_TRUE(HasCode(unknown, grpc::StatusCode::NOT_FOUND));
  EXPECT_THAT(unknown.error_message(), HasSubstr("nowhere"));
  report.clear_branch_ids();
  report.set_period(static_cast<v1::ReportPeriod>(9));
  EXPECT_TRUE(HasCode(Report(report, &r), grpc::StatusCode::INVALID_ARGUMENT));
}

}  // namespace
}  // namespace lobbyq::e2e
