// Unit tests of the admin report's rendering (admin/report.h) on a hand-built
// GetReport answer: the CSV layout, the ranking file, and an HTML page that stands alone.

#include "admin/report.h"

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "common/client/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lobbyq/v1/insight.pb.h"

namespace lobbyq::admin {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

void SetSeconds(google::protobuf::Duration* d, int64_t seconds) { d->set_seconds(seconds); }

void FillWaits(v1::DurationStats* s, int64_t count, int64_t mean, int64_t p50, int64_t p90,
               int64_t p95, int64_t max) {
  s->set_count(count);
  SetSeconds(s->mutable_mean(), mean);
  SetSeconds(s->mutable_p50(), p50);
  SetSeconds(s->mutable_p90(), p90);
  SetSeconds(s->mutable_p95(), p95);
  SetSeconds(s->mutable_max(), max);
}

void FillMetrics(v1::Metrics* m, int64_t issued, int64_t served) {
  m->set_issued(issued);
  m->set_served(served);
  m->set_no_show(1);
  m->set_cancelled(2);
  FillWaits(m->mutable_wait(), served + 1, 300, 240, 600, 660, 900);
  FillWaits(m->mutable_service_time(), served, 180, 150, 400, 420, 500);
  m->set_service_level(0.75);
  m->set_has_service_level(true);
  m->set_rated(served / 2);
  m->set_mean_rating(4.5);
  m->set_satisfaction(0.9);
  m->set_rating_usage(0.5);
}

void AddBranch(v1::ReportResponse* report, const std::string& id, const std::string& name) {
  v1::BranchReport* b = report->add_branches();
  b->set_branch_id(id);
  b->set_branch_name(name);
  v1::MetricsResponse* m = b->mutable_metrics();
  m->set_branch_id(id);
  FillMetrics(m->mutable_total(), 40, 30);
  v1::ServiceMetrics* cash = m->add_services();
  cash->set_service_code("A");
  cash->set_name_en("Cash, coins");  // the comma must be quoted in CSV
  FillMetrics(cash->mutable_metrics(), 25, 20);
  v1::ServiceMetrics* noncash = m->add_services();
  noncash->set_service_code("B");
  noncash->set_name_en("Non-cash");
  FillMetrics(noncash->mutable_metrics(), 15, 10);
  v1::CounterMetrics* counter = m->add_counters();
  counter->set_counter(1);
  counter->set_name("窗口 1");
  FillMetrics(counter->mutable_metrics(), 0, 30);
  SetSeconds(counter->mutable_busy(), 3 * 3600);
  SetSeconds(counter->mutable_idle(), 3600);
  SetSeconds(counter->mutable_paused(), 600);
  counter->set_utilization(0.75);
  for (int hour : {9, 10, 12}) {
    v1::HourMetrics* h = m->add_by_hour();
    h->set_hour(hour);
    h->set_counters_open(2);
    FillMetrics(h->mutable_metrics(), 10, 8);
  }
  for (int hour : {9, 10}) {
    v1::StaffingAdvice* a = b->add_staffing();
    a->add_service_codes("A");
    a->add_service_codes("B");
    a->set_hour(hour);
    a->set_arrivals_per_hour(12);
    SetSeconds(a->mutable_mean_service_time(), 180);
    a->set_offered_load(0.6);
    SetSeconds(a->mutable_target_wait(), 600);
    a->set_target_service_level(0.8);
    a->set_counters_needed(hour == 10 ? 3 : 2);
    a->set_square_root_rule(2);
    a->set_expected_service_level(0.85);
    a->set_counters_open(2);
    a->set_understaffed(hour == 10);
  }
}

void AddRank(v1::ReportResponse* report, int rank, const std::string& id, const std::string& name,
             bool bottom) {
  v1::RankingEntry* r = report->add_ranking();
  r->set_rank(rank);
  r->set_branch_id(id);
  r->set_branch_name(name);
  r->set_service_level(1.0 - rank * 0.1);
  r->set_satisfaction(0.8);
  r->set_bottom(bottom);
}

v1::ReportResponse Report() {
  v1::ReportResponse report;
  report.set_period(v1::REPORT_PERIOD_DAILY);
  report.set_day("2024-03-04");
  AddBranch(&report, "north", "North 北区支行");
  AddBranch(&report, "evil", "<script>alert(1)</script> & Co");
  AddRank(&report, 1, "north", "North 北区支行", false);
  AddRank(&report, 2, "evil", "<script>alert(1)</script> & Co", true);
  return report;
}

std::vector<std::string> CsvLines(const std::string& csv) {
  std::vector<std::string> lines = absl::StrSplit(csv, "\r\n", absl::SkipEmpty());
  return lines;
}

std::size_t CountOf(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

TEST(ReportCsvTest, HeaderNamesEveryFigureInPlainUnits) {
  const std::vector<std::string> lines = CsvLines(ReportCsv(Report()));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0],
            "period,day,branch_id,branch_name,level,service,counter,name,hour,issued,served,"
            "no_show,cancelled,transferred,wait_count,wait_mean_s,wait_p50_s,wait_p90_s,"
            "wait_p95_s,wait_max_s,service_time_mean_s,service_time_p50_s,service_time_p90_s,"
            "service_level,rated,mean_rating,satisfaction,rating_usage,busy_s,idle_s,paused_s,"
            "utilization,counters_open");
}

TEST(ReportCsvTest, OneRowPerBranchServiceCounterAndHour) {
  const std::vector<std::string> lines = CsvLines(ReportCsv(Report()));
  // Per branch: itself, two services, one counter, three hours.
  ASSERT_EQ(lines.size(), 1u + 2 * 7) << ReportCsv(Report());
  const std::size_t columns = std::vector<std::string>(absl::StrSplit(lines[0], ',')).size();
  for (const std::string& line : lines) {
    if (line.find('"') != std::string::npos) continue;  // a quoted comma splits wrongly
    EXPECT_EQ(std::vector<std::string>(absl::StrSplit(line, ',')).size(), columns) << line;
  }
  EXPECT_EQ(lines[1],
            "daily,2024-03-04,north,North 北区支行,branch,,,,,40,30,1,2,0,31,300,240,600,660,900,"
            "180,150,400,0.75,15,4.5,0.9,0.5,,,,,");
  EXPECT_EQ(lines[2],
            "daily,2024-03-04,north,North 北区支行,service,A,,\"Cash, coins\",,25,20,1,2,0,21,300,"
            "240,600,660,900,180,150,400,0.75,10,4.5,0.9,0.5,,,,,");
  EXPECT_THAT(lines[4], StartsWith("daily,2024-03-04,north,North 北区支行,counter,,1,窗口 1,,"));
  EXPECT_THAT(lines[4], testing::EndsWith(",10800,3600,600,0.75,"));
  EXPECT_THAT(lines[5], StartsWith("daily,2024-03-04,north,North 北区支行,hour,,,,9,10,8,"));
  EXPECT_THAT(lines[5], testing::EndsWith(",,,,,2"));
}

TEST(ReportCsvTest, UndefinedFiguresAreEmptyNotZero) {
  v1::ReportResponse report;
  report.set_day("2024-03-04");
  v1::BranchReport* b = report.add_branches();
  b->set_branch_id("quiet");
  b->mutable_metrics()->mutable_total()->set_issued(3);
  const std::vector<std::string> lines = CsvLines(ReportCsv(report));
  ASSERT_EQ(lines.size(), 2u);
  // Nobody called, served or rated: no waits, no service level, no satisfaction.
  EXPECT_EQ(lines[1], "daily,2024-03-04,quiet,,branch,,,,,3,0,0,0,0,0,,,,,,,,,,0,,,,,,,,");
}

TEST(ReportCsvTest, RankingGoesToItsOwnFile) {
  const std::vector<std::string> lines = CsvLines(RankingCsv(Report()));
  EXPECT_THAT(lines,
              ElementsAre("period,day,rank,branch_id,branch_name,service_level,satisfaction,bottom",
                          "daily,2024-03-04,1,north,North 北区支行,0.9,0.8,0",
                          "daily,2024-03-04,2,evil,<script>alert(1)</script> & Co,0.8,0.8,1"));
  EXPECT_EQ(RankingCsvPath("/tmp/report.csv"), "/tmp/report-ranking.csv");
  EXPECT_EQ(RankingCsvPath("report"), "report-ranking");
  EXPECT_EQ(RankingCsvPath("./out.d/report"), "./out.d/report-ranking");
  EXPECT_EQ(RankingCsvPath(".csv"), ".csv-ranking");
}

TEST(ReportCsvTest, FieldsAreQuotedOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  // Formula injection: kept as text.
  EXPECT_EQ(CsvField("=1+2"), "'=1+2");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("+x,y"), "\"'+x,y\"");
}

TEST(ReportHtmlTest, IsOneSelfContainedPage) {
  const std::string html = ReportHtml(Report());
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html, HasSubstr("<style>"));
  EXPECT_THAT(html, HasSubstr("</html>"));
  // Nothing fetched and nothing run: it opens the same offline.
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr(" src=")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  // One wait chart per branch.
  EXPECT_EQ(CountOf(html, "<svg "), 2u);
  EXPECT_EQ(CountOf(html, "</svg>"), 2u);
}

TEST(ReportHtmlTest, EscapesWhatTheServerSent) {
  const std::string html = ReportHtml(Report());
  EXPECT_THAT(html, Not(HasSubstr("<script>alert(1)</script>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(ReportHtmlTest, TitleRankingAndBottomFlag) {
  const std::string html = ReportHtml(Report());
  EXPECT_THAT(html, HasSubstr("<title>网点运营日报 Daily report · 2024-03-04</title>"));
  EXPECT_THAT(html, HasSubstr("排名 Ranking"));
  EXPECT_EQ(CountOf(html, "<tr class=\"bottom\">"), 1u);
  // In the ranking and on the branch's own heading.
  EXPECT_EQ(CountOf(html, "末三位 Bottom three"), 2u);
  EXPECT_THAT(html,
              HasSubstr("&amp; Co (evil) <span class=\"flag\">▼ 末三位 Bottom three (rank 2)"));
  // The flagged row is the evil branch's.
  const std::size_t flagged = html.find("<tr class=\"bottom\">");
  ASSERT_NE(flagged, std::string::npos);
  EXPECT_NE(html.substr(flagged, 400).find("&lt;script&gt;"), std::string::npos);
}

TEST(ReportHtmlTest, HeadlinesTablesAndStaffing) {
  const std::string html = ReportHtml(Report());
  for (const char* expected : {"服务水平 Service level",
                               "75.0%",
                               "满意度 Satisfaction",
                               "90.0%",
                               "meets the 85.0% goal",
                               "评价率 Rating usage",
                               "50.0%",
                               "平均等候 Mean wait",
                               "5 min 00 s",
                               "P90 10 min 00 s",
                               "过号 No-shows",
                               "Cash, coins",
                               "Non-cash",
                               "窗口 1",
                               "利用率 Utilization",
                               "3 h 00 min",
                               "人手建议 Staffing advice per hour",
                               "A,B",
                               "09:00–10:00",
                               "10:00–11:00"}) {
    EXPECT_THAT(html, HasSubstr(expected)) << expected;
  }
  // Only 10:00 is under-staffed (3 needed, 2 open).
  EXPECT_EQ(CountOf(html, "<tr class=\"under\">"), 2u);  // one per branch
  EXPECT_THAT(html, HasSubstr("人手不足 Understaffed (1 short)"));
}

TEST(ReportHtmlTest, BelowTheSatisfactionGoalIsMarked) {
  v1::ReportResponse report = Report();
  report.mutable_branches(0)->mutable_metrics()->mutable_total()->set_satisfaction(0.6);
  EXPECT_THAT(ReportHtml(report), HasSubstr("below the 85.0% goal"));
}

TEST(ReportHtmlTest, WeeklyTitleNamesTheWeek) {
  v1::ReportResponse report = Report();
  report.set_period(v1::REPORT_PERIOD_WEEKLY);
  EXPECT_THAT(ReportHtml(report), HasSubstr("周报 Weekly report · 2024-03-04 – 2024-03-10"));
  EXPECT_THAT(ReportCsv(report), HasSubstr("\r\nweekly,2024-03-04,north,"));
}

TEST(ReportHtmlTest, EmptyReportStillRenders) {
  v1::ReportResponse report;
  report.set_day("2024-03-09");
  const std::string html = ReportHtml(report);
  EXPECT_THAT(html, HasSubstr("No branch to rank"));
  EXPECT_THAT(html, HasSubstr("</html>"));
  EXPECT_EQ(CsvLines(ReportCsv(report)).size(), 1u);
}

TEST(ReportTextTest, OneLinePerBranchThenTheRanking) {
  const std::string text = ReportText(Report());
  EXPECT_THAT(text, StartsWith("网点运营日报 Daily report · 2024-03-04\n"));
  EXPECT_THAT(text, HasSubstr("North 北区支行 (north)"));
  EXPECT_THAT(text, HasSubstr("Understaffed h"));
  EXPECT_THAT(text, HasSubstr("排名 Ranking"));
  EXPECT_EQ(CountOf(text, "▼ 末三位 bottom three"), 1u);
}

// The watch's alerts and staffing (common/client/format.h), tested here beside the report
// that shares their words.
TEST(WatchRenderingTest, AlertsMostSevereFirstWithReason) {
  google::protobuf::RepeatedPtrField<v1::Alert> alerts;
  v1::Alert* idle = alerts.Add();
  idle->set_id("idle_counter:3");
  idle->set_kind(v1::ALERT_KIND_IDLE_COUNTER);
  idle->set_severity(v1::ALERT_SEVERITY_WARNING);
  idle->set_reason("counter 3 idle while 4 wait");
  v1::Alert* under = alerts.Add();
  under->set_id("understaffed:A,B");
  under->set_kind(v1::ALERT_KIND_UNDERSTAFFED);
  under->set_severity(v1::ALERT_SEVERITY_CRITICAL);
  under->set_reason("no counter open");
  const std::string table = client::AlertsTable(alerts);
  const std::size_t critical = table.find("严重 Critical  人手不足 Understaffed");
  const std::size_t warning = table.find("警告 Warning   窗口空闲 Idle counter");
  ASSERT_NE(critical, std::string::npos) << table;
  ASSERT_NE(warning, std::string::npos) << table;
  EXPECT_LT(critical, warning) << table;
  EXPECT_THAT(table, HasSubstr("counter 3 idle while 4 wait"));
  EXPECT_EQ(client::AlertsTable({}), "无告警 No active alerts\n");
}

TEST(WatchRenderingTest, StaffingNeededAgainstOpen) {
  google::protobuf::RepeatedPtrField<v1::StaffingAdvice> advice;
  v1::StaffingAdvice* a = advice.Add();
  a->add_service_codes("A");
  a->add_service_codes("B");
  a->set_hour(-1);
  a->set_arrivals_per_hour(24);
  SetSeconds(a->mutable_mean_service_time(), 300);
  a->set_counters_needed(3);
  a->set_counters_open(1);
  a->set_understaffed(true);
  const std::string table = client::StaffingTable(advice);
  EXPECT_THAT(table, HasSubstr("需开 Needed"));
  EXPECT_THAT(table, HasSubstr("A,B"));
  EXPECT_THAT(table, HasSubstr("24.0"));
  EXPECT_THAT(table, HasSubstr("人手不足 Understaffed (2 short)"));
  EXPECT_THAT(client::StaffingTable({}), HasSubstr("No staffing advice"));
}

}  // namespace
}  // namespace lobbyq::admin
