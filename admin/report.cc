#include "admin/report.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/client/format.h"

namespace lobbyq::admin {
namespace {

// This Abseil build has its own string_view, which std::string_view does not convert to.
absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

double Seconds(const google::protobuf::Duration& d) {
  return static_cast<double>(d.seconds()) + d.nanos() / 1e9;
}

// At most `decimals` decimals, trailing zeros dropped: "12", "12.5", "0.8333".
std::string Number(double value, int decimals) {
  std::string text = absl::StrFormat("%.*f", decimals, value);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

std::string SecondsCell(const google::protobuf::Duration& d) { return Number(Seconds(d), 3); }
std::string ShareCell(double share) { return Number(share, 4); }

// --- Words ---

struct PeriodWords {
  std::string zh;
  std::string en;
};

PeriodWords PeriodLabel(v1::ReportPeriod period) {
  if (period == v1::REPORT_PERIOD_WEEKLY) return {"周报", "Weekly report"};
  return {"日报", "Daily report"};
}

// "2024-03-04" for a day, "2024-03-04 – 2024-03-10" for the week starting then.
std::string PeriodDays(const v1::ReportResponse& report) {
  if (report.period() != v1::REPORT_PERIOD_WEEKLY) return report.day();
  const std::optional<absl::CivilDay> first = client::ParseDay(report.day());
  if (!first) return report.day();
  return absl::StrCat(report.day(), " – ", absl::FormatCivilTime(*first + 6));
}

std::string Title(const v1::ReportResponse& report) {
  const PeriodWords words = PeriodLabel(report.period());
  return absl::StrCat("网点运营", words.zh, " ", words.en, " · ", PeriodDays(report));
}

// "45 s", "4 min 05 s", "1 h 02 min": a manager reads minutes, not seconds.
std::string DurationText(const google::protobuf::Duration& d) {
  const int64_t total = std::max<int64_t>(0, std::llround(Seconds(d)));
  if (total < 60) return absl::StrCat(total, " s");
  if (total < 3600) return absl::StrFormat("%d min %02d s", total / 60, total % 60);
  return absl::StrFormat("%d h %02d min", total / 3600, total / 60 % 60);
}

std::string Percent(double share) { return absl::StrFormat("%.1f%%", share * 100); }

constexpr char kNone[] = "—";

std::string ServiceLevelText(const v1::Metrics& m) {
  return m.has_service_level() ? Percent(m.service_level()) : kNone;
}
std::string SatisfactionText(const v1::Metrics& m) {
  return m.rated() > 0 ? Percent(m.satisfaction()) : kNone;
}
std::string MeanRatingText(const v1::Metrics& m) {
  return m.rated() > 0 ? absl::StrFormat("%.2f", m.mean_rating()) : kNone;
}
std::string RatingUsageText(const v1::Metrics& m) {
  return m.served() > 0 ? Percent(m.rating_usage()) : kNone;
}
std::string WaitText(const v1::DurationStats& s, const google::protobuf::Duration& d) {
  return s.count() > 0 ? DurationText(d) : kNone;
}

std::string HourRange(int hour) { return absl::StrFormat("%02d:00–%02d:00", hour, hour + 1); }

std::string GroupName(const v1::StaffingAdvice& advice) {
  return absl::StrJoin(advice.service_codes(), ",");
}

// The hours of a branch's staffing advice with fewer counters open than needed.
int UnderstaffedHours(const v1::BranchReport& branch) {
  std::set<int> hours;
  for (const v1::StaffingAdvice& a : branch.staffing()) {
    if (a.understaffed()) hours.insert(a.hour());
  }
  return static_cast<int>(hours.size());
}

// The branch's own report, for what a ranking entry leaves out (whether a service level
// exists at all).
const v1::BranchReport* FindBranch(const v1::ReportResponse& report, const std::string& id) {
  for (const v1::BranchReport& b : report.branches()) {
    if (b.branch_id() == id) return &b;
  }
  return nullptr;
}

bool RankedWithoutServiceLevel(const v1::ReportResponse& report, const v1::RankingEntry& entry) {
  const v1::BranchReport* branch = FindBranch(report, entry.branch_id());
  return branch != nullptr && !branch->metrics().total().has_service_level();
}

// The branch's satisfaction, or a dash when it had no ratings (the entry says 0 then).
std::string RankedSatisfaction(const v1::ReportResponse& report, const v1::RankingEntry& entry) {
  const v1::BranchReport* branch = FindBranch(report, entry.branch_id());
  if (branch != nullptr && branch->metrics().total().rated() == 0) return kNone;
  return Percent(entry.satisfaction());
}

// --- CSV ---

const std::vector<std::string>& CsvHeader() {
  static const std::vector<std::string>* header = new std::vector<std::string>{
      "period",
      "day",
      "branch_id",
      "branch_name",
      "level",
      "service",
      "counter",
      "name",
      "hour",
      "issued",
      "served",
      "no_show",
      "cancelled",
      "transferred",
      "wait_count",
      "wait_mean_s",
      "wait_p50_s",
      "wait_p90_s",
      "wait_p95_s",
      "wait_max_s",
      "service_time_mean_s",
      "service_time_p50_s",
      "service_time_p90_s",
      "service_level",
      "rated",
      "mean_rating",
      "satisfaction",
      "rating_usage",
      "busy_s",
      "idle_s",
      "paused_s",
      "utilization",
      "counters_open",
  };
  return *header;
}

// issued .. rating_usage, in CsvHeader's order.
std::vector<std::string> MetricsCells(const v1::Metrics& m) {
  const v1::DurationStats& w = m.wait();
  const v1::DurationStats& s = m.service_time();
  const bool waits = w.count() > 0, services = s.count() > 0, rated = m.rated() > 0;
  return {
      absl::StrCat(m.issued()),
      absl::StrCat(m.served()),
      absl::StrCat(m.no_show()),
      absl::StrCat(m.cancelled()),
      absl::StrCat(m.transferred()),
      absl::StrCat(w.count()),
      waits ? SecondsCell(w.mean()) : "",
      waits ? SecondsCell(w.p50()) : "",
      waits ? SecondsCell(w.p90()) : "",
      waits ? SecondsCell(w.p95()) : "",
      waits ? SecondsCell(w.max()) : "",
      services ? SecondsCell(s.mean()) : "",
      services ? SecondsCell(s.p50()) : "",
      services ? SecondsCell(s.p90()) : "",
      m.has_service_level() ? ShareCell(m.service_level()) : "",
      absl::StrCat(m.rated()),
      rated ? Number(m.mean_rating(), 4) : "",
      rated ? ShareCell(m.satisfaction()) : "",
      m.served() > 0 ? ShareCell(m.rating_usage()) : "",
  };
}

struct CsvRow {
  std::string level;
  std::string service;
  std::string counter;
  std::string name;
  std::string hour;
  const v1::Metrics* metrics = nullptr;
  std::vector<std::string> counter_cells{"", "", "", ""};  // busy, idle, paused, utilization
  std::string counters_open;
};

std::string CsvLine(const std::vector<std::string>& cells) {
  std::vector<std::string> fields;
  fields.reserve(cells.size());
  for (const std::string& c : cells) fields.push_back(CsvField(c));
  // CRLF, as RFC 4180 and the spreadsheets that read it expect.
  return absl::StrCat(absl::StrJoin(fields, ","), "\r\n");
}

// --- HTML ---

constexpr char kStyle[] = R"css(
body{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em;color:#222;max-width:75em}
h1{font-size:1.6em}h2{margin-top:0}h3{margin-bottom:.3em}
table{border-collapse:collapse;margin:.4em 0 1.4em;font-size:.92em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right;white-space:nowrap}
th{background:#eef0f4}td.l,th.l{text-align:left}
tr.bottom td{background:#fde2e2}.flag{color:#b00020;font-weight:bold}
tr.under td{background:#fff1c7}
section.branch{border-top:3px solid #446;padding-top:1em;margin-top:2.5em}
.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:.8em 0 1.2em}
.card{border:1px solid #ccc;border-radius:6px;padding:.5em .9em;min-width:10em}
.card .k{font-size:.85em;color:#555}.card .v{font-size:1.5em;font-weight:bold}
.card .s{font-size:.85em}.bad{color:#b00020}.good{color:#1b7a1b}
.note{color:#555;font-size:.9em}
)css";

class Html {
 public:
  void Raw(std::string_view s) { absl::StrAppend(&out_, AbslView(s)); }
  void Text(std::string_view s) { absl::StrAppend(&out_, HtmlEscape(s)); }
  // A table; cells are already HTML. `left` columns are left-aligned (names, codes).
  void Table(const std::vector<std::string>& header,
             const std::vector<std::pair<std::string, std::vector<std::string>>>& rows,
             std::size_t left_columns) {
    Raw("<table><thead><tr>");
    for (std::size_t i = 0; i < header.size(); ++i) {
      Raw(i < left_columns ? "<th class=\"l\">" : "<th>");
      Text(header[i]);
      Raw("</th>");
    }
    Raw("</tr></thead><tbody>\n");
    for (const auto& [row_class, cells] : rows) {
      Raw(row_class.empty() ? "<tr>" : absl::StrCat("<tr class=\"", row_class, "\">"));
      for (std::size_t i = 0; i < cells.size(); ++i) {
        Raw(i < left_columns ? "<td class=\"l\">" : "<td>");
        Raw(cells[i]);
        Raw("</td>");
      }
      Raw("</tr>\n");
    }
    Raw("</tbody></table>\n");
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string E(std::string_view s) { return HtmlEscape(s); }

// In-page anchors only: a branch id is escaped, and prefixed so it cannot clash.
std::string Anchor(const std::string& branch_id) { return E(absl::StrCat("branch-", branch_id)); }

void Card(Html* html, std::string_view key, const std::string& value, const std::string& sub_html) {
  html->Raw("<div class=\"card\"><div class=\"k\">");
  html->Text(key);
  html->Raw("</div><div class=\"v\">");
  html->Text(value);
  html->Raw("</div><div class=\"s\">");
  html->Raw(sub_html);
  html->Raw("</div></div>\n");
}

void Headline(Html* html, const v1::Metrics& m) {
  html->Raw("<div class=\"cards\">\n");
  Card(html, "取号 / 办结 Issued / served", absl::StrCat(m.issued(), " / ", m.served()),
       E(absl::StrCat(m.cancelled(), " cancelled 取消 · ", m.transferred(), " transferred 转移")));
  Card(html, "服务水平 Service level", ServiceLevelText(m),
       m.has_service_level() ? "called within the target wait 目标时间内叫号"
                             : "nobody was called 无叫号");
  std::string goal;
  if (m.rated() == 0) {
    goal = "no ratings 无评价";
  } else if (m.satisfaction() >= kSatisfactionGoal) {
    goal = absl::StrCat("<span class=\"good\">✔ meets the ", Percent(kSatisfactionGoal),
                        " goal 达标</span>");
  } else {
    goal = absl::StrCat("<span class=\"bad\">✘ below the ", Percent(kSatisfactionGoal),
                        " goal 未达标</span>");
  }
  Card(html, "满意度 Satisfaction", SatisfactionText(m), goal);
  Card(html, "评价率 Rating usage", RatingUsageText(m),
       E(absl::StrCat(m.rated(), " rated 已评价 · mean 平均 ", MeanRatingText(m))));
  Card(html, "平均等候 Mean wait", WaitText(m.wait(), m.wait().mean()),
       E(absl::StrCat("P90 ", WaitText(m.wait(), m.wait().p90()), " · max 最长 ",
                      WaitText(m.wait(), m.wait().max()))));
  Card(html, "过号 No-shows", absl::StrCat(m.no_show()),
       E(absl::StrCat("of ", m.wait().count(), " called 叫号")));
  html->Raw("</div>\n");
}

// Minutes between gridlines: the smallest of a few round steps leaving at most five lines.
double GridStepSeconds(double top_seconds) {
  for (double minutes : {1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 240.0}) {
    if (top_seconds <= 5 * minutes * 60) return minutes * 60;
  }
  return std::ceil(top_seconds / 5 / 3600) * 3600;
}

// Mean and p90 wait for each hour of day from the first to the last active one, as bars.
void WaitChart(Html* html, const v1::MetricsResponse& metrics) {
  std::map<int, const v1::Metrics*> by_hour;
  double top = 0;
  for (const v1::HourMetrics& h : metrics.by_hour()) {
    if (h.hour() < 0 || h.hour() > 23) continue;
    by_hour[h.hour()] = &h.metrics();
    if (h.metrics().wait().count() > 0) {
      top = std::max({top, Seconds(h.metrics().wait().mean()), Seconds(h.metrics().wait().p90())});
    }
  }
  if (by_hour.empty()) {
    html->Raw("<p class=\"note\">No activity in this period. 本期无业务。</p>\n");
    return;
  }
  const int first = by_hour.begin()->first, last = by_hour.rbegin()->first;
  const double step = GridStepSeconds(top);
  const double scale_top = std::max(step, std::ceil(top / step) * step);
  constexpr int kLeft = 56, kTop = 28, kPlot = 180, kSlot = 40, kBar = 14, kBottom = 34;
  const int slots = last - first + 1;
  // Never narrower than the legend above the plot.
  const int width = std::max(kLeft + slots * kSlot + 16, 360), height = kTop + kPlot + kBottom;
  const auto y_of = [&](double seconds) { return kTop + kPlot - seconds / scale_top * kPlot; };

  html->Raw(
      absl::StrFormat("<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                      "role=\"img\" aria-label=\"Mean and P90 wait by hour of day\" "
                      "font-family=\"sans-serif\" font-size=\"11\">\n",
                      width, height, width, height));
  html->Raw(
      absl::StrFormat("<rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" fill=\"#4a7bd0\"/>"
                      "<text x=\"%d\" y=\"16\">平均等候 Mean wait</text>"
                      "<rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" fill=\"#e8943a\"/>"
                      "<text x=\"%d\" y=\"16\">P90 等候 P90 wait</text>\n",
                      kLeft, kLeft + 16, kLeft + 150, kLeft + 166));
  for (double g = 0; g <= scale_top + 1e-9; g += step) {
    const double y = y_of(g);
    html->Raw(
        absl::StrFormat("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                        "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s min</text>\n",
                        kLeft, y, width - 8, y, kLeft - 6, y + 4, Number(g / 60, 1)));
  }
  for (int hour = first; hour <= last; ++hour) {
    const int x = kLeft + (hour - first) * kSlot + (kSlot - 2 * kBar) / 2;
    html->Raw(absl::StrFormat("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%02d</text>\n",
                              x + kBar, kTop + kPlot + 16, hour));
    const auto it = by_hour.find(hour);
    if (it == by_hour.end() || it->second->wait().count() == 0) continue;
    const v1::DurationStats& w = it->second->wait();
    int offset = 0;
    for (const auto& [value, colour, what] :
         {std::tuple{&w.mean(), "#4a7bd0", "mean"}, std::tuple{&w.p90(), "#e8943a", "P90"}}) {
      const double y = y_of(Seconds(*value));
      html->Raw(
          absl::StrFormat("<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">"
                          "<title>%02d:00 %s wait %s (%d called)</title></rect>\n",
                          x + offset, y, kBar, kTop + kPlot - y, colour, hour, what,
                          E(DurationText(*value)), w.count()));
      offset += kBar;
    }
  }
  html->Raw(absl::StrFormat(
      "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>"
      "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">时段 Hour of day</text>\n</svg>\n",
      kLeft, kTop + kPlot, width - 8, kTop + kPlot, kLeft + slots * kSlot / 2, height - 4));
}

void HourTable(Html* html, const v1::MetricsResponse& metrics) {
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  for (const v1::HourMetrics& h : metrics.by_hour()) {
    const v1::Metrics& m = h.metrics();
    rows.push_back({"",
                    {E(HourRange(h.hour())), absl::StrCat(m.issued()), absl::StrCat(m.served()),
                     absl::StrCat(m.no_show()), E(WaitText(m.wait(), m.wait().mean())),
                     E(WaitText(m.wait(), m.wait().p90())), E(ServiceLevelText(m)),
                     absl::StrCat(h.counters_open())}});
  }
  if (rows.empty()) return;
  html->Table({"时段 Hour", "取号 Issued", "办结 Served", "过号 No-show", "平均等候 Mean wait",
               "P90 等候 P90 wait", "服务水平 Service level", "开放窗口 Counters open"},
              rows, 1);
}

void ServiceTable(Html* html, const v1::MetricsResponse& metrics) {
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  for (const v1::ServiceMetrics& s : metrics.services()) {
    const v1::Metrics& m = s.metrics();
    rows.push_back(
        {"",
         {E(s.service_code()), E(s.name_en()), absl::StrCat(m.issued()), absl::StrCat(m.served()),
          absl::StrCat(m.no_show()), absl::StrCat(m.cancelled()), absl::StrCat(m.transferred()),
          E(WaitText(m.wait(), m.wait().mean())), E(WaitText(m.wait(), m.wait().p90())),
          E(WaitText(m.wait(), m.wait().max())),
          E(WaitText(m.service_time(), m.service_time().mean())), E(ServiceLevelText(m)),
          E(SatisfactionText(m)), E(MeanRatingText(m)), E(RatingUsageText(m))}});
  }
  if (rows.empty()) {
    html->Raw("<p class=\"note\">No service had any activity. 无业务数据。</p>\n");
    return;
  }
  html->Table({"代码 Code", "业务 Service", "取号 Issued", "办结 Served", "过号 No-show",
               "取消 Cancelled", "转移 Transferred", "平均等候 Mean wait", "P90 等候",
               "最长 Max wait", "平均办理 Mean service", "服务水平 Service level",
               "满意度 Satisfaction", "平均评分 Mean rating", "评价率 Rating usage"},
              rows, 2);
}

void CounterTable(Html* html, const v1::MetricsResponse& metrics) {
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  for (const v1::CounterMetrics& c : metrics.counters()) {
    const v1::Metrics& m = c.metrics();
    rows.push_back(
        {"",
         {absl::StrCat(c.counter()), E(c.name()), absl::StrCat(m.served()),
          absl::StrCat(m.no_show()), absl::StrCat(m.transferred()),
          E(WaitText(m.service_time(), m.service_time().mean())),
          E(WaitText(m.service_time(), m.service_time().p90())), E(DurationText(c.busy())),
          E(DurationText(c.idle())), E(DurationText(c.paused())), E(Percent(c.utilization())),
          E(SatisfactionText(m)), E(MeanRatingText(m)), E(RatingUsageText(m))}});
  }
  if (rows.empty()) {
    html->Raw("<p class=\"note\">No counter was open or served anyone. 无窗口数据。</p>\n");
    return;
  }
  html->Table(
      {"窗口 Counter", "名称 Name", "办结 Served", "过号 No-show", "转移 Transferred",
       "平均办理 Mean service", "P90 办理", "忙 Busy", "闲 Idle", "暂停 Paused",
       "利用率 Utilization", "满意度 Satisfaction", "平均评分 Mean rating", "评价率 Rating usage"},
      rows, 2);
}

void StaffingTable(Html* html, const v1::BranchReport& branch) {
  std::vector<const v1::StaffingAdvice*> advice;
  for (const v1::StaffingAdvice& a : branch.staffing()) advice.push_back(&a);
  std::stable_sort(advice.begin(), advice.end(), [](const auto* a, const auto* b) {
    return std::pair(GroupName(*a), a->hour()) < std::pair(GroupName(*b), b->hour());
  });
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  for (const v1::StaffingAdvice* a : advice) {
    rows.push_back(
        {a->understaffed() ? "under" : "",
         {E(GroupName(*a)), E(a->hour() < 0 ? std::string("now 现在") : HourRange(a->hour())),
          Number(a->arrivals_per_hour(), 1), E(DurationText(a->mean_service_time())),
          Number(a->offered_load(), 2),
          E(absl::StrCat(Percent(a->target_service_level()), " within ",
                         DurationText(a->target_wait()))),
          absl::StrCat(a->counters_needed()), absl::StrCat(a->square_root_rule()),
          E(Percent(a->expected_service_level())), absl::StrCat(a->counters_open()),
          a->understaffed()
              ? absl::StrCat("<span class=\"flag\">人手不足 Understaffed (",
                             a->counters_needed() - a->counters_open(), " short)</span>")
              : "OK"}});
  }
  if (rows.empty()) {
    html->Raw("<p class=\"note\">No arrivals and no counter open: no advice. 无建议。</p>\n");
    return;
  }
  html->Raw(
      "<p class=\"note\">Counters needed by Erlang C to call the target share within the "
      "target wait, against the most counters open at once in that hour (docs/metrics.md). "
      "按 Erlang C 计算的所需窗口数与实际开放窗口数。</p>\n");
  html->Table({"业务组 Services", "时段 Hour", "到达/小时 Arrivals/h", "平均办理 Mean service",
               "负荷 Load (Erl)", "目标 Target", "需开 Needed", "平方根法 √ rule",
               "预期服务水平 Expected SL", "实开 Open", "状态 Status"},
              rows, 2);
}

void RankingTable(Html* html, const v1::ReportResponse& report) {
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  for (const v1::RankingEntry& r : report.ranking()) {
    const bool unjudged = RankedWithoutServiceLevel(report, r);
    rows.push_back(
        {r.bottom() ? "bottom" : "",
         {absl::StrCat(r.rank()),
          absl::StrCat("<a href=\"#", Anchor(r.branch_id()), "\">", E(r.branch_name()), "</a> (",
                       E(r.branch_id()), ")"),
          unjudged ? kNone : E(Percent(r.service_level())), E(RankedSatisfaction(report, r)),
          r.bottom() ? "<span class=\"flag\">▼ 末三位 Bottom three</span>"
                     : (unjudged ? "nobody called 无叫号" : "")}});
  }
  if (rows.empty()) {
    html->Raw("<p class=\"note\">No branch to rank. 无排名。</p>\n");
    return;
  }
  html->Table(
      {"排名 Rank", "网点 Branch", "服务水平 Service level", "满意度 Satisfaction", "标记 Flag"},
      rows, 2);
}

}  // namespace

std::string PeriodName(v1::ReportPeriod period) {
  return period == v1::REPORT_PERIOD_WEEKLY ? "weekly" : "daily";
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string CsvField(std::string_view text) {
  // A cell a spreadsheet would run as a formula (a branch named "=HYPERLINK(...)")
  // is kept as text. Our figures never start with these characters.
  std::string guarded;
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                        text[0] == '\t' || text[0] == '\r')) {
    guarded = absl::StrCat("'", AbslView(text));
    text = guarded;
  }
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string ReportCsv(const v1::ReportResponse& report) {
  std::string out = CsvLine(CsvHeader());
  const std::string period = PeriodName(report.period());
  for (const v1::BranchReport& b : report.branches()) {
    const v1::MetricsResponse& metrics = b.metrics();
    std::vector<CsvRow> rows;
    rows.push_back({.level = "branch", .metrics = &metrics.total()});
    for (const v1::ServiceMetrics& s : metrics.services()) {
      rows.push_back({.level = "service",
                      .service = s.service_code(),
                      .name = s.name_en(),
                      .metrics = &s.metrics()});
    }
    for (const v1::CounterMetrics& c : metrics.counters()) {
      rows.push_back({.level = "counter",
                      .counter = absl::StrCat(c.counter()),
                      .name = c.name(),
                      .metrics = &c.metrics(),
                      .counter_cells = {SecondsCell(c.busy()), SecondsCell(c.idle()),
                                        SecondsCell(c.paused()), ShareCell(c.utilization())}});
    }
    for (const v1::HourMetrics& h : metrics.by_hour()) {
      rows.push_back({.level = "hour",
                      .hour = absl::StrCat(h.hour()),
                      .metrics = &h.metrics(),
                      .counters_open = absl::StrCat(h.counters_open())});
    }
    for (const CsvRow& row : rows) {
      std::vector<std::string> cells = {period,          report.day(), b.branch_id(),
                                        b.branch_name(), row.level,    row.service,
                                        row.counter,     row.name,     row.hour};
      for (std::string& cell : MetricsCells(*row.metrics)) cells.push_back(std::move(cell));
      cells.insert(cells.end(), row.counter_cells.begin(), row.counter_cells.end());
      cells.push_back(row.counters_open);
      absl::StrAppend(&out, CsvLine(cells));
    }
  }
  return out;
}

std::string RankingCsv(const v1::ReportResponse& report) {
  std::string out = CsvLine({"period", "day", "rank", "branch_id", "branch_name", "service_level",
                             "satisfaction", "bottom"});
  const std::string period = PeriodName(report.period());
  for (const v1::RankingEntry& r : report.ranking()) {
    const v1::BranchReport* branch = FindBranch(report, r.branch_id());
    const bool rated = branch == nullptr || branch->metrics().total().rated() > 0;
    absl::StrAppend(
        &out, CsvLine({period, report.day(), absl::StrCat(r.rank()), r.branch_id(), r.branch_name(),
                       RankedWithoutServiceLevel(report, r) ? "" : ShareCell(r.service_level()),
                       rated ? ShareCell(r.satisfaction()) : "", r.bottom() ? "1" : "0"}));
  }
  return out;
}

std::string RankingCsvPath(std::string_view csv_path) {
  const std::size_t slash = csv_path.rfind('/');
  const std::size_t dot = csv_path.rfind('.');
  // A dot in a directory name, or a leading dot (".csv", a hidden file), is no extension.
  const bool has_extension = dot != std::string_view::npos && dot > 0 &&
                             (slash == std::string_view::npos || dot > slash + 1);
  if (!has_extension) return absl::StrCat(AbslView(csv_path), "-ranking");
  return absl::StrCat(AbslView(csv_path.substr(0, dot)), "-ranking",
                      AbslView(csv_path.substr(dot)));
}

std::string ReportHtml(const v1::ReportResponse& report) {
  Html html;
  const std::string title = Title(report);
  html.Raw("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
  html.Text(title);
  html.Raw("</title>\n<style>");
  html.Raw(kStyle);
  html.Raw("</style>\n</head>\n<body>\n<h1>");
  html.Text(title);
  html.Raw("</h1>\n<p class=\"note\">");
  html.Text(absl::StrCat(report.branches_size(),
                         report.branches_size() == 1 ? " branch" : " branches",
                         " 网点 · satisfaction goal 满意度目标 ", Percent(kSatisfactionGoal),
                         " · durations as mean / 90th percentile; definitions in docs/metrics.md"));
  html.Raw("</p>\n<h2>排名 Ranking</h2>\n");
  html.Raw(
      "<p class=\"note\">By service level, then satisfaction. The bottom three are flagged "
      "for head office. 按服务水平、满意度排名，末三位标红。</p>\n");
  RankingTable(&html, report);

  for (const v1::BranchReport& b : report.branches()) {
    const v1::MetricsResponse& metrics = b.metrics();
    html.Raw(absl::StrCat("<section class=\"branch\" id=\"", Anchor(b.branch_id()), "\">\n<h2>"));
    html.Text(absl::StrCat(b.branch_name(), " (", b.branch_id(), ")"));
    for (const v1::RankingEntry& r : report.ranking()) {
      if (r.branch_id() == b.branch_id() && r.bottom()) {
        html.Raw(absl::StrCat(" <span class=\"flag\">▼ 末三位 Bottom three (rank ", r.rank(),
                              ")</span>"));
      }
    }
    html.Raw("</h2>\n");
    Headline(&html, metrics.total());
    html.Raw("<h3>每小时等候 Wait by hour of day</h3>\n");
    WaitChart(&html, metrics);
    HourTable(&html, metrics);
    html.Raw("<h3>业务 Services</h3>\n");
    ServiceTable(&html, metrics);
    html.Raw("<h3>窗口 Counters</h3>\n");
    CounterTable(&html, metrics);
    html.Raw("<h3>人手建议 Staffing advice per hour</h3>\n");
    StaffingTable(&html, b);
    html.Raw("</section>\n");
  }
  html.Raw("</body>\n</html>\n");
  return html.Take();
}

std::string ReportText(const v1::ReportResponse& report) {
  std::vector<std::vector<std::string>> branches;
  for (const v1::BranchReport& b : report.branches()) {
    const v1::Metrics& m = b.metrics().total();
    branches.push_back(
        {absl::StrCat(b.branch_name(), " (", b.branch_id(), ")"), absl::StrCat(m.issued()),
         absl::StrCat(m.served()), absl::StrCat(m.no_show()), WaitText(m.wait(), m.wait().mean()),
         WaitText(m.wait(), m.wait().p90()), ServiceLevelText(m), SatisfactionText(m),
         RatingUsageText(m), absl::StrCat(UnderstaffedHours(b))});
  }
  std::vector<std::vector<std::string>> ranking;
  for (const v1::RankingEntry& r : report.ranking()) {
    ranking.push_back({absl::StrCat(r.rank()),
                       absl::StrCat(r.branch_name(), " (", r.branch_id(), ")"),
                       RankedWithoutServiceLevel(report, r) ? kNone : Percent(r.service_level()),
                       RankedSatisfaction(report, r), r.bottom() ? "▼ 末三位 bottom three" : ""});
  }
  return absl::StrCat(
      Title(report), "\n\n",
      client::RenderTable({"网点 Branch", "Issued", "Served", "No-show", "Mean wait", "P90 wait",
                           "Service level", "Satisfaction", "Rating usage", "Understaffed h"},
                          branches),
      "\n排名 Ranking\n",
      client::RenderTable({"#", "网点 Branch", "Service level", "Satisfaction", "Flag"}, ranking),
      "Satisfaction goal ", Percent(kSatisfactionGoal),
      "; write files with --csv FILE / --html FILE.\n");
}

}  // namespace lobbyq::admin
