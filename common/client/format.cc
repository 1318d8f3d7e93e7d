#include "common/client/format.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace lobbyq::client {
namespace {

// This Abseil build has its own string_view, which std::string_view does not convert to.
absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Whole minutes, rounded to the nearest; never negative.
int64_t RoundedMinutes(absl::Duration d) {
  if (d < absl::ZeroDuration()) return 0;
  return absl::ToInt64Minutes(d + absl::Seconds(30));
}

// Decodes one UTF-8 sequence at `s[*i]` and advances `*i`; a malformed byte decodes as
// itself so a bad name still takes some space instead of vanishing.
char32_t NextCodePoint(std::string_view s, std::size_t* i) {
  const auto b0 = static_cast<unsigned char>(s[*i]);
  int len = 1;
  char32_t cp = b0;
  if (b0 >= 0xF0 && b0 < 0xF8) {
    len = 4;
    cp = b0 & 0x07;
  } else if (b0 >= 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  }
  if (len > 1 && *i + len <= s.size()) {
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[*i + k]);
      if ((b & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (ok) {
      *i += len;
      return cp;
    }
  }
  *i += 1;
  return b0;
}

// Colour codes ("\x1b[31m") take no columns. Skips one at `s[*i]` if there is one.
bool SkipEscapeSequence(std::string_view s, std::size_t* i) {
  if (s[*i] != '\x1b' || *i + 1 >= s.size() || s[*i + 1] != '[') return false;
  std::size_t j = *i + 2;
  while (j < s.size() && !(s[j] >= 0x40 && s[j] <= 0x7e)) ++j;
  *i = std::min(j + 1, s.size());
  return true;
}

// East Asian Wide/Fullwidth ranges (the ones a bank's names and our labels use) and the
// zero-width combining marks; box drawing and block characters count as narrow, as
// terminals outside CJK legacy locales draw them.
int CodePointWidth(char32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;
  if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F)) return 0;
  struct Range {
    char32_t lo, hi;
  };
  static constexpr std::array<Range, 14> kWide = {{
      {0x1100, 0x115F},
      {0x2E80, 0x303E},
      {0x3041, 0x33FF},
      {0x3400, 0x4DBF},
      {0x4E00, 0x9FFF},
      {0xA000, 0xA4CF},
      {0xAC00, 0xD7A3},
      {0xF900, 0xFAFF},
      {0xFE30, 0xFE4F},
      {0xFF00, 0xFF60},
      {0xFFE0, 0xFFE6},
      {0x1F300, 0x1F64F},
      {0x1F900, 0x1F9FF},
      {0x20000, 0x3FFFD},
  }};
  for (const Range& r : kWide) {
    if (cp >= r.lo && cp <= r.hi) return 2;
  }
  return 1;
}

// 5x5 glyphs; '#' is ink.
using Glyph = std::array<const char*, 5>;

std::optional<Glyph> GlyphFor(char c) {
  static constexpr std::array<Glyph, 26> kLetters = {{
      {" ### ", "#   #", "#####", "#   #", "#   #"},  // A
      {"#### ", "#   #", "#### ", "#   #", "#### "},  // B
      {" ####", "#    ", "#    ", "#    ", " ####"},  // C
      {"#### ", "#   #", "#   #", "#   #", "#### "},  // D
      {"#####", "#    ", "#### ", "#    ", "#####"},  // E
      {"#####", "#    ", "#### ", "#    ", "#    "},  // F
      {" ####", "#    ", "#  ##", "#   #", " ####"},  // G
      {"#   #", "#   #", "#####", "#   #", "#   #"},  // H
      {"#####", "  #  ", "  #  ", "  #  ", "#####"},  // I
      {"#####", "   # ", "   # ", "#  # ", " ##  "},  // J
      {"#   #", "#  # ", "###  ", "#  # ", "#   #"},  // K
      {"#    ", "#    ", "#    ", "#    ", "#####"},  // L
      {"#   #", "## ##", "# # #", "#   #", "#   #"},  // M
      {"#   #", "##  #", "# # #", "#  ##", "#   #"},  // N
      {" ### ", "#   #", "#   #", "#   #", " ### "},  // O
      {"#### ", "#   #", "#### ", "#    ", "#    "},  // P
      {" ### ", "#   #", "# # #", "#  # ", " ## #"},  // Q
      {"#### ", "#   #", "#### ", "#  # ", "#   #"},  // R
      {" ####", "#    ", " ### ", "    #", "#### "},  // S
      {"#####", "  #  ", "  #  ", "  #  ", "  #  "},  // T
      {"#   #", "#   #", "#   #", "#   #", " ### "},  // U
      {"#   #", "#   #", "#   #", " # # ", "  #  "},  // V
      {"#   #", "#   #", "# # #", "## ##", "#   #"},  // W
      {"#   #", " # # ", "  #  ", " # # ", "#   #"},  // X
      {"#   #", " # # ", "  #  ", "  #  ", "  #  "},  // Y
      {"#####", "   # ", "  #  ", " #   ", "#####"},  // Z
  }};
  static constexpr std::array<Glyph, 10> kDigits = {{
      {" ### ", "#  ##", "# # #", "##  #", " ### "},  // 0
      {"  #  ", " ##  ", "  #  ", "  #  ", " ### "},  // 1
      {" ### ", "#   #", "  ## ", " #   ", "#####"},  // 2
      {"#### ", "    #", " ### ", "    #", "#### "},  // 3
      {"#   #", "#   #", "#####", "    #", "    #"},  // 4
      {"#####", "#    ", "#### ", "    #", "#### "},  // 5
      {" ### ", "#    ", "#### ", "#   #", " ### "},  // 6
      {"#####", "    #", "   # ", "  #  ", "  #  "},  // 7
      {" ### ", "#   #", " ### ", "#   #", " ### "},  // 8
      {" ### ", "#   #", " ####", "    #", " ### "},  // 9
  }};
  if (c >= 'A' && c <= 'Z') return kLetters[c - 'A'];
  if (c >= 'a' && c <= 'z') return kLetters[c - 'a'];
  if (c >= '0' && c <= '9') return kDigits[c - '0'];
  return std::nullopt;
}

}  // namespace

Label TicketStateLabel(v1::TicketState state) {
  switch (state) {
    case v1::TICKET_STATE_WAITING:
      return {"等待", "Waiting"};
    case v1::TICKET_STATE_CALLED:
      return {"已呼叫", "Called"};
    case v1::TICKET_STATE_SERVING:
      return {"办理中", "Serving"};
    case v1::TICKET_STATE_DONE:
      return {"已完成", "Done"};
    case v1::TICKET_STATE_NO_SHOW:
      return {"过号", "No-show"};
    case v1::TICKET_STATE_CANCELLED:
      return {"已取消", "Cancelled"};
    default:
      return {"未知", "Unknown"};
  }
}

Label PriorityLabel(v1::PriorityClass priority) {
  switch (priority) {
    case v1::PRIORITY_CLASS_VIP:
      return {"贵宾", "VIP"};
    case v1::PRIORITY_CLASS_GREEN_CHANNEL:
      return {"爱心通道", "Green channel"};
    case v1::PRIORITY_CLASS_APPOINTMENT:
      return {"预约", "Appointment"};
    default:
      return {"普通", "Normal"};
  }
}

Label CounterStateLabel(v1::CounterState state) {
  switch (state) {
    case v1::COUNTER_STATE_OPEN:
      return {"开放", "Open"};
    case v1::COUNTER_STATE_PAUSED:
      return {"暂停", "Paused"};
    case v1::COUNTER_STATE_CLOSED:
      return {"关闭", "Closed"};
    default:
      return {"未知", "Unknown"};
  }
}

std::string Bilingual(Label label, std::string_view separator) {
  return absl::StrCat(AbslView(label.zh), AbslView(separator), AbslView(label.en));
}

std::string ServiceLabel(std::string_view code, std::string_view name_zh,
                         std::string_view name_en) {
  if (name_zh.empty() && name_en.empty()) return std::string(code);
  if (name_zh.empty()) return std::string(name_en);
  if (name_en.empty()) return std::string(name_zh);
  return absl::StrCat(AbslView(name_zh), " ", AbslView(name_en));
}

absl::Duration ToAbslDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

absl::Time ToAbslTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

bool IsSet(const google::protobuf::Timestamp& t) { return t.seconds() != 0 || t.nanos() != 0; }

std::string ApproxDurationEn(absl::Duration d) {
  const int64_t minutes = RoundedMinutes(d);
  if (minutes < 1) return "under 1 min";
  if (minutes < 60) return absl::StrCat("about ", minutes, " min");
  if (minutes % 60 == 0) return absl::StrCat("about ", minutes / 60, " h");
  return absl::StrCat("about ", minutes / 60, " h ", minutes % 60, " min");
}

std::string ApproxDurationZh(absl::Duration d) {
  const int64_t minutes = RoundedMinutes(d);
  if (minutes < 1) return "不到 1 分钟";
  if (minutes < 60) return absl::StrCat("约 ", minutes, " 分钟");
  if (minutes % 60 == 0) return absl::StrCat("约 ", minutes / 60, " 小时");
  return absl::StrCat("约 ", minutes / 60, " 小时 ", minutes % 60, " 分钟");
}

std::string ElapsedClock(absl::Duration d) {
  const int64_t total = std::max<int64_t>(0, absl::ToInt64Seconds(d));
  const int64_t h = total / 3600, m = total / 60 % 60, s = total % 60;
  auto two = [](int64_t v) { return absl::StrCat(v < 10 ? "0" : "", v); };
  if (h > 0) return absl::StrCat(h, ":", two(m), ":", two(s));
  return absl::StrCat(m, ":", two(s));
}

std::string LocalHhMm(absl::Time t) { return absl::FormatTime("%H:%M", t, absl::LocalTimeZone()); }

std::string LocalHhMm(const google::protobuf::Timestamp& t) {
  if (!IsSet(t)) return "--:--";
  return LocalHhMm(ToAbslTime(t));
}

std::string PeopleAhead(int people_ahead) {
  if (people_ahead <= 0) return "您是下一位 / You are next";
  return absl::StrCat("前面还有 ", people_ahead, " 人 / ", people_ahead,
                      people_ahead == 1 ? " person ahead" : " people ahead");
}

std::size_t DisplayWidth(std::string_view utf8) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    if (SkipEscapeSequence(utf8, &i)) continue;
    width += CodePointWidth(NextCodePoint(utf8, &i));
  }
  return width;
}

std::string PadRight(std::string_view utf8, std::size_t width) {
  std::string out(utf8);
  const std::size_t w = DisplayWidth(utf8);
  if (w < width) out.append(width - w, ' ');
  return out;
}

std::string Center(std::string_view utf8, std::size_t width) {
  const std::size_t w = DisplayWidth(utf8);
  if (w >= width) return std::string(utf8);
  const std::size_t left = (width - w) / 2;
  return absl::StrCat(std::string(left, ' '), AbslView(utf8), std::string(width - w - left, ' '));
}

namespace {

// Lines in a box drawn with box characters; nullopt draws a divider. At least
// 52 columns wide, so slips come out the same size.
std::string Boxed(const std::vector<std::optional<std::string>>& lines) {
  std::size_t inner = 52;
  for (const auto& l : lines) {
    if (l) inner = std::max(inner, DisplayWidth(*l) + 4);
  }
  std::string rule;
  for (std::size_t i = 0; i < inner; ++i) rule += "─";
  std::string out = absl::StrCat("┌", rule, "┐\n");
  for (const auto& l : lines) {
    if (l) {
      absl::StrAppend(&out, "│", Center(*l, inner), "│\n");
    } else {
      absl::StrAppend(&out, "├", rule, "┤\n");
    }
  }
  absl::StrAppend(&out, "└", rule, "┘\n");
  return out;
}

}  // namespace

std::string TruncateToWidth(std::string_view utf8, std::size_t width) {
  std::size_t used = 0;
  std::size_t i = 0;
  while (i < utf8.size()) {
    std::size_t next = i;
    if (SkipEscapeSequence(utf8, &next)) {
      i = next;
      continue;
    }
    const int w = CodePointWidth(NextCodePoint(utf8, &next));
    if (used + w > width) break;
    used += w;
    i = next;
  }
  return std::string(utf8.substr(0, i));
}

std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(header.size(), 0);
  auto widen = [&widths](const std::vector<std::string>& cells) {
    if (widths.size() < cells.size()) widths.resize(cells.size(), 0);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(cells[i]));
    }
  };
  widen(header);
  for (const auto& row : rows) widen(row);

  auto line = [&widths](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      // The last cell is not padded: no trailing blanks for terminals to wrap on.
      absl::StrAppend(&out, i == 0 ? "" : "  ",
                      i + 1 == cells.size() ? cells[i] : PadRight(cells[i], widths[i]));
    }
    return out;
  };
  std::string out = absl::StrCat(line(header), "\n");
  std::vector<std::string> rules;
  for (std::size_t i = 0; i < header.size(); ++i) rules.emplace_back(widths[i], '-');
  absl::StrAppend(&out, line(rules), "\n");
  for (const auto& row : rows) absl::StrAppend(&out, line(row), "\n");
  return out;
}

std::vector<std::string> BigText(std::string_view text) {
  std::vector<std::string> rows(5);
  bool first = true;
  for (char c : text) {
    const std::optional<Glyph> glyph = GlyphFor(c);
    if (!glyph) continue;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (!first) rows[r] += ' ';
      for (const char* p = (*glyph)[r]; *p != '\0'; ++p) rows[r] += (*p == '#') ? "█" : " ";
    }
    first = false;
  }
  if (first) return {};
  return rows;
}

std::string EstimatedWaitLine(const v1::Ticket& ticket) {
  if (!ticket.has_estimated_wait()) return "暂无窗口开放，请稍候 / No counter is open yet";
  const absl::Duration ewt = ToAbslDuration(ticket.estimated_wait());
  return absl::StrCat("预计等待", ApproxDurationZh(ewt), " / Estimated wait ",
                      ApproxDurationEn(ewt));
}

std::string TicketSlip(const v1::Ticket& ticket, const std::string& service_name_zh,
                       const std::string& service_name_en) {
  // nullopt marks a rule across the box.
  std::vector<std::optional<std::string>> lines;
  lines.emplace_back("排队取号 · Queue ticket");
  lines.emplace_back("");
  for (std::string& row : BigText(ticket.number())) lines.emplace_back(std::move(row));
  lines.emplace_back("");
  lines.emplace_back(ServiceLabel(ticket.service_code(), service_name_zh, service_name_en));
  if (ticket.priority() != v1::PRIORITY_CLASS_NORMAL &&
      ticket.priority() != v1::PRIORITY_CLASS_UNSPECIFIED) {
    lines.emplace_back(Bilingual(PriorityLabel(ticket.priority()), " / "));
  }
  {
    // The details on one line, the free text (which can be long) cut on the next, so the
    // slip keeps its size.
    v1::TransactionDetails details = ticket.details();
    const std::string text = details.text();
    details.clear_text();
    if (const std::string line = DetailsLine(details); !line.empty()) lines.emplace_back(line);
    if (!text.empty()) {
      const std::string quoted = absl::StrCat("\"", text, "\"");
      const std::string cut = TruncateToWidth(quoted, 44);
      lines.emplace_back(cut.size() < quoted.size() ? absl::StrCat(cut, "…") : cut);
    }
  }
  lines.emplace_back("");
  switch (ticket.state()) {
    case v1::TICKET_STATE_WAITING: {
      // People ahead and the estimate only mean something while the ticket waits.
      lines.emplace_back(PeopleAhead(ticket.people_ahead()));
      lines.emplace_back(EstimatedWaitLine(ticket));
      break;
    }
    case v1::TICKET_STATE_CALLED:
    case v1::TICKET_STATE_SERVING:
      // A retried request can return a ticket that was called in the meantime.
      lines.emplace_back(absl::StrCat("请到 ", ticket.counter(), " 号窗口 / Please go to counter ",
                                      ticket.counter()));
      break;
    default:
      lines.emplace_back(absl::StrCat("状态 ", Bilingual(TicketStateLabel(ticket.state()), " / ")));
      break;
  }
  lines.emplace_back(absl::StrCat("取号时间 ", LocalHhMm(ticket.issued_at()), " / Issued at ",
                                  LocalHhMm(ticket.issued_at())));
  lines.emplace_back(std::nullopt);
  lines.emplace_back("请留意叫号 / Please listen for your number");
  lines.emplace_back(absl::StrCat(ticket.number(), " · 查询编号 Ticket ID ", ticket.ticket_id()));

  return Boxed(lines);
}

}  // namespace lobbyq::client

// --- Calling policy ---

namespace lobbyq::client {
namespace {

template <typename E, std::size_t N>
std::optional<E> Lookup(const std::array<std::pair<E, std::string_view>, N>& table,
                        std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(AbslView(name));
  for (const auto& [value, n] : table) {
    if (n == lower) return value;
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
std::string NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value,
                   std::string_view otherwise) {
  for (const auto& [v, n] : table) {
    if (v == value) return std::string(n);
  }
  return std::string(otherwise);
}

constexpr std::array<std::pair<v1::CallStrategy, std::string_view>, 3> kStrategies{{
    {v1::CALL_STRATEGY_IN_ORDER, "in_order"},
    {v1::CALL_STRATEGY_LONGEST_WAIT, "longest_wait"},
    {v1::CALL_STRATEGY_COUNTED, "counted"},
}};

constexpr std::array<std::pair<v1::Placement, std::string_view>, 3> kPlacements{{
    {v1::PLACEMENT_BY_ISSUE_TIME, "by_issue_time"},
    {v1::PLACEMENT_FRONT, "front"},
    {v1::PLACEMENT_END, "end"},
}};

constexpr std::array<std::pair<v1::PriorityClass, std::string_view>, 5> kPriorities{{
    {v1::PRIORITY_CLASS_APPOINTMENT, "appointment"},
    {v1::PRIORITY_CLASS_GREEN_CHANNEL, "green_channel"},
    {v1::PRIORITY_CLASS_GREEN_CHANNEL, "green"},
    {v1::PRIORITY_CLASS_VIP, "vip"},
    {v1::PRIORITY_CLASS_NORMAL, "normal"},
}};

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

absl::Duration DayOffset(const google::protobuf::Duration& d) { return ToAbslDuration(d); }

}  // namespace

std::string StrategyName(v1::CallStrategy strategy) {
  return NameOf(kStrategies, strategy, "in_order");
}

std::optional<v1::CallStrategy> ParseStrategy(std::string_view name) {
  return Lookup(kStrategies, name);
}

std::string PlacementName(v1::Placement placement) {
  return NameOf(kPlacements, placement, "default");
}

std::optional<v1::Placement> ParsePlacement(std::string_view name) {
  return Lookup(kPlacements, name);
}

std::string PriorityName(v1::PriorityClass priority) {
  return NameOf(kPriorities, priority, "normal");
}

std::optional<v1::PriorityClass> ParsePriorityName(std::string_view name) {
  return Lookup(kPriorities, name);
}

absl::Status ParseCountedRules(std::string_view text, v1::CounterConfig* counter) {
  const auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(
        absl::StrCat("rules '", AbslView(text), "': ", why,
                     "; write them like green_channel:2,vip:1,normal (class:quota rules, then "
                     "the fallback class)"));
  };
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(AbslView(text), ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) parts.emplace_back(part);
  }
  if (parts.empty()) return bad("no rules");
  google::protobuf::RepeatedPtrField<v1::CountedRule> rules;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::size_t colon = parts[i].find(':');
    const std::string name(
        absl::StripAsciiWhitespace(absl::string_view(parts[i]).substr(0, colon)));
    const std::optional<v1::PriorityClass> priority = ParsePriorityName(name);
    if (!priority) {
      return bad(
          absl::StrCat("unknown class '", name, "' (appointment, green_channel, vip, normal)"));
    }
    const bool last = i + 1 == parts.size();
    if (colon == std::string::npos) {
      if (!last) return bad(absl::StrCat(name, " needs a quota, e.g. ", name, ":1"));
      counter->set_counted_fallback(*priority);
      *counter->mutable_counted_rules() = std::move(rules);
      return absl::OkStatus();
    }
    const std::string quota(
        absl::StripAsciiWhitespace(absl::string_view(parts[i]).substr(colon + 1)));
    int value = 0;
    if (!AllDigits(quota) || quota.size() > 3 || (value = std::stoi(quota)) < 1) {
      return bad(absl::StrCat("the quota of ", name, " must be a whole number from 1"));
    }
    v1::CountedRule* rule = rules.Add();
    rule->set_priority(*priority);
    rule->set_quota(value);
  }
  return bad("the last entry must be the fallback class, without a quota");
}

std::string CountedRulesText(const v1::CounterConfig& counter) {
  if (counter.counted_rules().empty()) return "";
  std::vector<std::string> parts;
  for (const v1::CountedRule& rule : counter.counted_rules()) {
    parts.push_back(absl::StrCat(PriorityName(rule.priority()), ":", rule.quota()));
  }
  parts.push_back(PriorityName(counter.counted_fallback()));
  return absl::StrJoin(parts, ",");
}

std::string CounterPolicyText(const v1::CounterConfig& counter) {
  std::string text = StrategyName(counter.strategy());
  if (counter.strategy() == v1::CALL_STRATEGY_COUNTED && !counter.counted_rules().empty()) {
    absl::StrAppend(&text, " ", CountedRulesText(counter));
  }
  if (counter.green_channel()) absl::StrAppend(&text, " · 爱心窗口 green channel");
  return text;
}

std::string TimeOfDayText(absl::Duration since_midnight) {
  const int64_t minutes = std::clamp<int64_t>(absl::ToInt64Minutes(since_midnight), 0, 24 * 60);
  return absl::StrFormat("%02d:%02d", minutes / 60, minutes % 60);
}

std::optional<absl::Duration> ParseTimeOfDay(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view h = text.substr(0, colon), m = text.substr(colon + 1);
  if (!AllDigits(h) || h.size() > 2 || !AllDigits(m) || m.size() != 2) return std::nullopt;
  const int hours = std::stoi(std::string(h)), minutes = std::stoi(std::string(m));
  if (minutes >= 60 || hours > 24 || (hours == 24 && minutes != 0)) return std::nullopt;
  return absl::Hours(hours) + absl::Minutes(minutes);
}

std::optional<absl::CivilDay> ParseDay(std::string_view text) {
  absl::CivilDay day;
  if (text.size() != 10 || !absl::ParseCivilTime(AbslView(text), &day)) return std::nullopt;
  return day;
}

std::string HhMmIn(const google::protobuf::Timestamp& t, absl::TimeZone zone) {
  if (!IsSet(t)) return "--:--";
  return absl::FormatTime("%H:%M", ToAbslTime(t), zone);
}

std::string SettingDuration(const google::protobuf::Duration& d) {
  return absl::FormatDuration(ToAbslDuration(d));
}

std::string PolicyTable(const v1::BranchPolicy& p) {
  const auto never_if_zero = [](const google::protobuf::Duration& d) {
    return ToAbslDuration(d) == absl::ZeroDuration() ? std::string("0 (never)")
                                                     : SettingDuration(d);
  };
  std::vector<std::vector<std::string>> rows = {
      {"recall_limit", absl::StrCat(p.recall_limit()),
       "recalls per call; then the next call marks a no-show"},
      {"auto_no_show_after", never_if_zero(p.auto_no_show_after()),
       "an unanswered call becomes a no-show after this"},
      {"reinstate_grace", SettingDuration(p.reinstate_grace()),
       "a no-show can be reinstated for this long"},
      {"reinstate_placement", PlacementName(p.reinstate_placement()),
       "where a reinstated ticket goes back"},
      {"transfer_placement", PlacementName(p.transfer_placement()),
       "where a transferred ticket goes by default"},
      {"opening_time", TimeOfDayText(DayOffset(p.opening_time())), "first appointment slot"},
      {"closing_time", TimeOfDayText(DayOffset(p.closing_time())), "end of the last slot"},
      {"slot_length", SettingDuration(p.slot_length()), "length of an appointment slot"},
      {"booking_horizon_days", absl::StrCat(p.booking_horizon_days()),
       "days ahead a slot can be booked"},
      {"checkin_early", SettingDuration(p.checkin_early()), "check-in opens before the slot"},
      {"checkin_late", SettingDuration(p.checkin_late()),
       "check-in closes after the slot (later: a normal ticket)"},
      {"appointment_lead", SettingDuration(p.appointment_lead()),
       "an early check-in is called from slot - lead"},
  };
  return RenderTable({"Setting", "Value", "Meaning"}, rows);
}

std::string DetailsLine(const v1::TransactionDetails& d) {
  std::vector<std::string> parts;
  if (!d.type().empty()) parts.push_back(d.type());
  if (!d.amount().empty()) parts.push_back(absl::StrCat("amount ", d.amount()));
  if (!d.account_tail().empty()) parts.push_back(absl::StrCat("account ", d.account_tail()));
  if (!d.text().empty()) parts.push_back(absl::StrCat("\"", d.text(), "\""));
  if (parts.empty()) return "";
  return absl::StrCat("免填单 Details: ", absl::StrJoin(parts, " · "));
}

Label AppointmentStateLabel(v1::AppointmentState state) {
  switch (state) {
    case v1::APPOINTMENT_STATE_BOOKED:
      return {"已预约", "Booked"};
    case v1::APPOINTMENT_STATE_CHECKED_IN:
      return {"已签到", "Checked in"};
    case v1::APPOINTMENT_STATE_CANCELLED:
      return {"已取消", "Cancelled"};
    case v1::APPOINTMENT_STATE_MISSED:
      return {"未到", "Missed"};
    default:
      return {"未知", "Unknown"};
  }
}

std::string AppointmentSlip(const v1::Appointment& a, const std::string& service_label,
                            absl::TimeZone zone) {
  std::vector<std::optional<std::string>> lines;
  lines.emplace_back("预约成功 · Appointment booked");
  lines.emplace_back("");
  for (std::string& row : BigText(a.code())) lines.emplace_back(std::move(row));
  lines.emplace_back("");
  lines.emplace_back(absl::StrCat("预约码 Appointment code: ", a.code()));
  lines.emplace_back(std::nullopt);
  lines.emplace_back(service_label);
  lines.emplace_back(absl::StrCat(
      IsSet(a.slot_start()) ? absl::FormatTime("%Y-%m-%d %H:%M", ToAbslTime(a.slot_start()), zone)
                            : "-",
      " ", Bilingual(AppointmentStateLabel(a.state()), " / ")));
  lines.emplace_back(absl::StrCat(a.customer_name(), "  ", a.phone()));
  lines.emplace_back(std::nullopt);
  lines.emplace_back("到店后在取号机输入预约码签到");
  lines.emplace_back("Check in at the kiosk with this code when you arrive");

  return Boxed(lines);
}

std::string SlotsTable(const v1::ListSlotsResponse& slots, absl::TimeZone zone) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::Slot& s : slots.slots()) {
    rows.push_back({absl::StrCat(HhMmIn(s.start(), zone), "-", HhMmIn(s.end(), zone)),
                    absl::StrCat(s.capacity()), absl::StrCat(s.booked()),
                    s.available() > 0 ? absl::StrCat(s.available()) : "full 已满"});
  }
  return RenderTable({"Slot 时段", "Capacity", "Booked", "Available"}, rows);
}

std::string AppointmentsTable(const v1::ListAppointmentsResponse& list, absl::TimeZone zone) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::Appointment& a : list.appointments()) {
    rows.push_back({HhMmIn(a.slot_start(), zone), a.code(), a.service_code(), a.customer_name(),
                    a.phone(), Bilingual(AppointmentStateLabel(a.state())),
                    a.ticket_id() == 0 ? "-" : absl::StrCat(a.ticket_id())});
  }
  return absl::StrCat(
      RenderTable({"Slot", "Code", "Service", "Name", "Phone", "State 状态", "Ticket ID"}, rows),
      list.appointments_size(), " appointments; ", list.missed_count(),
      " never checked in (missed or cancelled)\n");
}

std::string PreviewTable(const v1::PreviewOrderResponse& preview, absl::TimeZone zone) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::PreviewEntry& e : preview.entries()) {
    const v1::Ticket& t = e.ticket();
    rows.push_back({absl::StrCat(e.position()), t.number(), t.service_code(),
                    Bilingual(PriorityLabel(t.priority())), HhMmIn(t.issued_at(), zone),
                    absl::StrCat(e.counter()), e.reason()});
  }
  if (rows.empty()) return "Nobody waiting can be called by an open counter now.\n";
  return RenderTable({"#", "Ticket", "Queue", "Class 类别", "Issued", "Counter", "Reason"}, rows);
}

Label AlertSeverityLabel(v1::AlertSeverity severity) {
  switch (severity) {
    case v1::ALERT_SEVERITY_CRITICAL:
      return {"严重", "Critical"};
    case v1::ALERT_SEVERITY_WARNING:
      return {"警告", "Warning"};
    case v1::ALERT_SEVERITY_INFO:
      return {"提示", "Info"};
    default:
      return {"未知", "Unknown"};
  }
}

Label AlertKindLabel(v1::AlertKind kind) {
  switch (kind) {
    case v1::ALERT_KIND_WAIT_OVER_TARGET:
      return {"等候超时", "Wait over target"};
    case v1::ALERT_KIND_IDLE_COUNTER:
      return {"窗口空闲", "Idle counter"};
    case v1::ALERT_KIND_LOW_RATING:
      return {"差评", "Low rating"};
    case v1::ALERT_KIND_UNDERSTAFFED:
      return {"人手不足", "Understaffed"};
    default:
      return {"告警", "Alert"};
  }
}

std::string AlertsTable(const google::protobuf::RepeatedPtrField<v1::Alert>& alerts) {
  if (alerts.empty()) return "无告警 No active alerts\n";
  std::vector<const v1::Alert*> sorted;
  for (const v1::Alert& a : alerts) sorted.push_back(&a);
  // The server's order within a severity (by kind, then service or counter) is kept.
  std::stable_sort(sorted.begin(), sorted.end(), [](const v1::Alert* a, const v1::Alert* b) {
    return a->severity() > b->severity();
  });
  std::vector<std::vector<std::string>> rows;
  for (const v1::Alert* a : sorted) {
    rows.push_back({Bilingual(AlertSeverityLabel(a->severity())),
                    Bilingual(AlertKindLabel(a->kind())), LocalHhMm(a->since()), a->reason()});
  }
  return RenderTable({"级别 Severity", "告警 Alert", "Since", "Reason"}, rows);
}

std::string StaffingTable(const google::protobuf::RepeatedPtrField<v1::StaffingAdvice>& advice) {
  if (advice.empty()) return "无人手建议 No staffing advice (no arrivals and no counter open)\n";
  std::vector<std::vector<std::string>> rows;
  for (const v1::StaffingAdvice& a : advice) {
    rows.push_back(
        {absl::StrJoin(a.service_codes(), ","), absl::StrFormat("%.1f", a.arrivals_per_hour()),
         ApproxDurationEn(ToAbslDuration(a.mean_service_time())), absl::StrCat(a.counters_needed()),
         absl::StrCat(a.counters_open()),
         a.understaffed() ? absl::StrCat("人手不足 Understaffed (",
                                         a.counters_needed() - a.counters_open(), " short)")
                          : "OK"});
  }
  return RenderTable(
      {"业务组 Services", "Arrivals/h", "Mean service", "需开 Needed", "实开 Open", "Status"},
      rows);
}

}  // namespace lobbyq::client
