#pragma once

// The daily or weekly branch report (LobbyService.GetReport) rendered for head office: CSV
// for spreadsheets, one self-contained HTML page to mail around, and a text summary for the
// terminal. Pure functions of the response, so every format is tested without a server.
// The figures are defined in docs/metrics.md.

#include <string>
#include <string_view>

#include "lobbyq/v1/insight.pb.h"

namespace lobbyq::admin {

// The satisfaction the branches are held to (share of ratings of 4 or 5).
inline constexpr double kSatisfactionGoal = 0.85;

// "daily" / "weekly"; UNSPECIFIED is daily, as the server reads it.
std::string PeriodName(v1::ReportPeriod period);

// One row per branch, service, counter and hour of day (the `level` column says which),
// under a header row. Durations are in seconds, shares in 0..1, so a spreadsheet can
// compute with them; a figure that does not apply to the level (a counter's busy time on
// a service row) or is undefined (the service level when nobody was called) is empty.
std::string ReportCsv(const v1::ReportResponse& report);

// The ranking: one row per ranked branch, best first, with the bottom-three flag as 0/1.
// Kept out of ReportCsv because its columns differ: one table per file stays loadable.
std::string RankingCsv(const v1::ReportResponse& report);

// Where the ranking goes when the report goes to `csv_path`: "-ranking" before the
// extension ("/tmp/r.csv" -> "/tmp/r-ranking.csv"; "r" -> "r-ranking").
std::string RankingCsvPath(std::string_view csv_path);

// One HTML page with inline CSS and inline SVG charts: no script, nothing fetched, so it
// opens the same from a mail attachment or an offline laptop. Everything the server sent as
// text (names, ids) is escaped.
std::string ReportHtml(const v1::ReportResponse& report);

// The terminal summary: one line per branch with its headline figures, then the ranking.
std::string ReportText(const v1::ReportResponse& report);

// `text` safe inside an HTML element or a quoted attribute.
std::string HtmlEscape(std::string_view text);

// `text` as one CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
std::string CsvField(std::string_view text);

}  // namespace lobbyq::admin
