#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lobbyq/v1/appointment.pb.h"
#include "lobbyq/v1/lobby.pb.h"
#include "lobbyq/v1/types.pb.h"

// Bilingual (zh/en) rendering shared by the kiosk and the counter client, so a customer
// reads the same words on the slip, the status query and the teller's screen.
namespace lobbyq::client {

// A word in both languages, e.g. {"等待", "Waiting"}.
struct Label {
  std::string_view zh;
  std::string_view en;
};

Label TicketStateLabel(v1::TicketState state);
// UNSPECIFIED is NORMAL: that is what the server issues for it.
Label PriorityLabel(v1::PriorityClass priority);
Label CounterStateLabel(v1::CounterState state);

// "等待 Waiting" with the default separator, "等待 / Waiting" with " / ".
std::string Bilingual(Label label, std::string_view separator = " ");

// "现金业务 Cash"; the bare code when the names are unknown (e.g. the lookup failed).
std::string ServiceLabel(std::string_view code, std::string_view name_zh, std::string_view name_en);

absl::Duration ToAbslDuration(const google::protobuf::Duration& d);
absl::Time ToAbslTime(const google::protobuf::Timestamp& t);
bool IsSet(const google::protobuf::Timestamp& t);

// Waits are estimates, so they are rounded to the minute: "about 12 min", "about 1 h 5 min",
// "under 1 min"; negative durations count as zero.
std::string ApproxDurationEn(absl::Duration d);
// "约 12 分钟", "约 1 小时 5 分钟", "不到 1 分钟".
std::string ApproxDurationZh(absl::Duration d);
// A running timer for the teller: "2:05", "1:02:05".
std::string ElapsedClock(absl::Duration d);

// "HH:MM" in this machine's local time zone (a kiosk stands in the branch it serves);
// "--:--" when the timestamp is unset.
std::string LocalHhMm(absl::Time t);
std::string LocalHhMm(const google::protobuf::Timestamp& t);

// "前面还有 3 人 / 3 people ahead"; "您是下一位 / You are next" when nobody is ahead.
std::string PeopleAhead(int people_ahead);

// Terminal columns a UTF-8 string takes: CJK characters take two, so padding by byte or
// code point count misaligns every table with a Chinese name in it. Colour escape
// sequences take none.
std::size_t DisplayWidth(std::string_view utf8);
std::string PadRight(std::string_view utf8, std::size_t width);
std::string Center(std::string_view utf8, std::size_t width);
// The longest prefix that fits in `width` columns, cut between characters, never inside one;
// escape sequences are kept.
std::string TruncateToWidth(std::string_view utf8, std::size_t width);

// Left-aligned columns separated by two spaces, header underlined; rows may be ragged.
std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// The number in 5-line block letters (A-Z, 0-9; anything else is left out).
std::vector<std::string> BigText(std::string_view text);

// "预计等待约 4 分钟 / Estimated wait about 4 min", or that no counter is open yet
// (the server gives no estimate then).
std::string EstimatedWaitLine(const v1::Ticket& ticket);

// What the kiosk prints for the customer: a box with the number big and centred, the
// service in both languages, the people ahead, the estimated wait, the time issued, the
// priority when it is not normal, and the ticket id to ask about it later. With both names
// empty the service code is shown instead.
std::string TicketSlip(const v1::Ticket& ticket, const std::string& service_name_zh,
                       const std::string& service_name_en);

// --- Calling policy: the words the command line takes and shows ---

// "in_order", "longest_wait", "counted"; UNSPECIFIED is in_order (what the server makes of it).
std::string StrategyName(v1::CallStrategy strategy);
std::optional<v1::CallStrategy> ParseStrategy(std::string_view name);
// "by_issue_time", "front", "end"; UNSPECIFIED is "default" (the branch's setting).
std::string PlacementName(v1::Placement placement);
std::optional<v1::Placement> ParsePlacement(std::string_view name);
// "appointment", "green_channel", "vip", "normal", as in counted rules; UNSPECIFIED is normal.
std::string PriorityName(v1::PriorityClass priority);
// Also takes "green" for green_channel, as `take --priority` does; any case.
std::optional<v1::PriorityClass> ParsePriorityName(std::string_view name);

// Counted rules as text, "green_channel:2,vip:1,normal": "class:quota" rules in the order
// they are tried, then the fallback class. Sets counted_rules and counted_fallback of
// `counter`; InvalidArgument saying what is wrong otherwise (the server checks the
// quotas' range again).
absl::Status ParseCountedRules(std::string_view text, v1::CounterConfig* counter);
// The inverse: "appointment:1,green_channel:2,vip:1,normal"; "" without rules.
std::string CountedRulesText(const v1::CounterConfig& counter);
// A counter's calling policy in one line: "in_order", "counted appointment:1,vip:1,normal",
// with " · 爱心窗口 green channel" for a green-channel counter.
std::string CounterPolicyText(const v1::CounterConfig& counter);

// "09:00" for 9 h since midnight; "24:00" at most.
std::string TimeOfDayText(absl::Duration since_midnight);
// "9:00" or "09:00" -> 9 h; nullopt unless HH:MM within 00:00..24:00.
std::optional<absl::Duration> ParseTimeOfDay(std::string_view text);
// "YYYY-MM-DD" -> the day; nullopt if malformed.
std::optional<absl::CivilDay> ParseDay(std::string_view text);
// "HH:MM" of `t` in `zone` (appointment times are the branch's local time); "--:--" unset.
std::string HhMmIn(const google::protobuf::Timestamp& t, absl::TimeZone zone);
// A setting's duration as it is written in a config file: "30m", "1h30m", "0".
std::string SettingDuration(const google::protobuf::Duration& d);

// Every branch setting with its value and what it means, as a table.
std::string PolicyTable(const v1::BranchPolicy& policy);

// --- Form-free details, appointments, preview ---

// "免填单 Details: deposit · 5000.00 · account ****1234 · <text>", as the server sent them
// (already masked); "" when there are none.
std::string DetailsLine(const v1::TransactionDetails& details);

Label AppointmentStateLabel(v1::AppointmentState state);

// What the customer keeps after booking: the code in block letters and as text (they type
// it at the kiosk), the service, the day and time in the branch's zone, name and the
// masked phone.
std::string AppointmentSlip(const v1::Appointment& appointment, const std::string& service_label,
                            absl::TimeZone zone);

// A service's slots of one day: time, capacity, booked, available ("full" when none).
std::string SlotsTable(const v1::ListSlotsResponse& slots, absl::TimeZone zone);

// Every appointment of a day, by slot: time, code, service, name, masked phone, state, ticket.
std::string AppointmentsTable(const v1::ListAppointmentsResponse& appointments,
                              absl::TimeZone zone);

// The ordering preview: position, ticket, service, class, issued at, counter and why.
std::string PreviewTable(const v1::PreviewOrderResponse& preview, absl::TimeZone zone);

// --- Alerts and staffing (the lobby manager's watch) ---

Label AlertSeverityLabel(v1::AlertSeverity severity);
Label AlertKindLabel(v1::AlertKind kind);

// The active alerts, most severe first: severity, kind, since (HH:MM here, as the watch's
// events), the server's reason; a line saying there are none otherwise.
std::string AlertsTable(const google::protobuf::RepeatedPtrField<v1::Alert>& alerts);

// Counters needed now against those open, per group of services sharing counters; a line
// saying there is no advice when the server gave none.
std::string StaffingTable(const google::protobuf::RepeatedPtrField<v1::StaffingAdvice>& advice);

}  // namespace lobbyq::client
