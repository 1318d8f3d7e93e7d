// Unit tests of the clients' shared rendering: display widths, bilingual wording, the
// ticket slip and the one-line error texts.

#include <cstddef>
#include <string>
#include <vector>

#include <grpcpp/support/status.h>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/client/format.h"
#include "common/client/status_text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lobbyq/v1/types.pb.h"

namespace lobbyq::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// --- DisplayWidth ---

TEST(DisplayWidthTest, AsciiTakesOneColumnEach) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("A001"), 4u);
  EXPECT_EQ(DisplayWidth("Cash & VIP"), 10u);
}

TEST(DisplayWidthTest, CjkTakesTwoColumnsEach) {
  EXPECT_EQ(DisplayWidth("现金业务"), 8u);
  EXPECT_EQ(DisplayWidth("现金业务 Cash"), 13u);
  EXPECT_EQ(DisplayWidth("，"), 2u);  // fullwidth comma
}

TEST(DisplayWidthTest, ColourEscapeSequencesTakeNoColumns) {
  EXPECT_EQ(DisplayWidth("\x1b[31m"), 0u);
  EXPECT_EQ(DisplayWidth("\x1b[31m! error\x1b[0m"), 7u);
  EXPECT_EQ(DisplayWidth("\x1b[1;33m现金\x1b[0m"), 4u);
}

TEST(DisplayWidthTest, BoxDrawingAndBlocksAreNarrow) {
  EXPECT_EQ(DisplayWidth("┌──┐"), 4u);
  EXPECT_EQ(DisplayWidth("███"), 3u);
}

// --- PadRight / Center / TruncateToWidth ---

TEST(PadRightTest, PadsToDisplayWidthNotBytes) {
  EXPECT_EQ(PadRight("现金", 6), "现金  ");
  EXPECT_EQ(DisplayWidth(PadRight("现金", 6)), 6u);
  EXPECT_EQ(PadRight("Cash", 6), "Cash  ");
  EXPECT_EQ(PadRight("\x1b[31mA\x1b[0m", 3), "\x1b[31mA\x1b[0m  ");
}

TEST(PadRightTest, NeverCutsAWiderString) {
  EXPECT_EQ(PadRight("现金业务", 3), "现金业务");
  EXPECT_EQ(PadRight("", 0), "");
}

TEST(CenterTest, CentresByDisplayWidth) {
  EXPECT_EQ(Center("现", 6), "  现  ");
  // An odd remainder goes to the right.
  EXPECT_EQ(Center("现", 5), " 现  ");
  EXPECT_EQ(Center("ab", 5), " ab  ");
  EXPECT_EQ(DisplayWidth(Center("现金业务 Cash", 30)), 30u);
}

TEST(CenterTest, LeavesAWiderStringAlone) {
  EXPECT_EQ(Center("现金业务", 4), "现金业务");
  EXPECT_EQ(Center("现金业务", 8), "现金业务");
}

TEST(TruncateToWidthTest, CutsBetweenCharacters) {
  EXPECT_EQ(TruncateToWidth("现金业务", 8), "现金业务");
  EXPECT_EQ(TruncateToWidth("现金业务", 5), "现金");
  EXPECT_EQ(TruncateToWidth("现金业务", 1), "");
  EXPECT_EQ(TruncateToWidth("ab现金", 3), "ab");
  EXPECT_EQ(TruncateToWidth("ab现金", 4), "ab现");
  EXPECT_EQ(TruncateToWidth("Cash", 0), "");
  EXPECT_EQ(TruncateToWidth("Cash", 10), "Cash");
}

TEST(TruncateToWidthTest, NeverCutsInsideAUtf8CharacterAtAnyWidth) {
  const std::string text = "A001 现金业务 Cash · 理财/贵宾 Wealth ★☆ 请到 3 号窗口";
  const std::size_t full = DisplayWidth(text);
  for (std::size_t width = 0; width <= full + 2; ++width) {
    SCOPED_TRACE(width);
    const std::string cut = TruncateToWidth(text, width);
    ASSERT_EQ(text.compare(0, cut.size(), cut), 0) << "not a prefix: " << cut;
    if (cut.size() < text.size()) {
      EXPECT_FALSE(IsContinuationByte(text[cut.size()])) << "cut inside a character: " << cut;
    }
    EXPECT_LE(DisplayWidth(cut), width);
    // The longest prefix that fits: at most one wide character short.
    EXPECT_GE(DisplayWidth(cut) + 1, std::min(width, full));
  }
}

TEST(TruncateToWidthTest, KeepsEscapeSequencesWhole) {
  const std::string red = "\x1b[31m";
  const std::string cut = TruncateToWidth(red + "现金业务", 3);
  EXPECT_EQ(cut, red + "现");
  EXPECT_EQ(DisplayWidth(cut), 2u);
  // Width 0 still never splits the sequence.
  const std::string none = TruncateToWidth(red + "Cash", 0);
  EXPECT_TRUE(none.empty() || none == red) << none;
}

// --- Durations ---

TEST(ApproxDurationTest, English) {
  EXPECT_EQ(ApproxDurationEn(absl::ZeroDuration()), "under 1 min");
  EXPECT_EQ(ApproxDurationEn(absl::Seconds(29)), "under 1 min");
  EXPECT_EQ(ApproxDurationEn(absl::Seconds(30)), "about 1 min");
  EXPECT_EQ(ApproxDurationEn(absl::Minutes(12)), "about 12 min");
  EXPECT_EQ(ApproxDurationEn(absl::Minutes(12) + absl::Seconds(29)), "about 12 min");
  EXPECT_EQ(ApproxDurationEn(absl::Minutes(12) + absl::Seconds(30)), "about 13 min");
  EXPECT_EQ(ApproxDurationEn(absl::Minutes(60)), "about 1 h");
  EXPECT_EQ(ApproxDurationEn(absl::Minutes(65)), "about 1 h 5 min");
  EXPECT_EQ(ApproxDurationEn(absl::Hours(2) + absl::Minutes(1)), "about 2 h 1 min");
}

TEST(ApproxDurationTest, Chinese) {
  EXPECT_EQ(ApproxDurationZh(absl::ZeroDuration()), "不到 1 分钟");
  EXPECT_EQ(ApproxDurationZh(absl::Minutes(12)), "约 12 分钟");
  EXPECT_EQ(ApproxDurationZh(absl::Minutes(60)), "约 1 小时");
  EXPECT_EQ(ApproxDurationZh(absl::Minutes(65)), "约 1 小时 5 分钟");
}

TEST(ApproxDurationTest, NegativeCountsAsZero) {
  EXPECT_EQ(ApproxDurationEn(absl::Minutes(-5)), "under 1 min");
  EXPECT_EQ(ApproxDurationEn(absl::Seconds(-1)), "under 1 min");
  EXPECT_EQ(ApproxDurationZh(absl::Minutes(-5)), "不到 1 分钟");
  EXPECT_EQ(ApproxDurationEn(-absl::InfiniteDuration()), "under 1 min");
}

// --- Words ---

TEST(BilingualTest, JoinsBothLanguages) {
  EXPECT_EQ(Bilingual({"等待", "Waiting"}), "等待 Waiting");
  EXPECT_EQ(Bilingual({"等待", "Waiting"}, " / "), "等待 / Waiting");
  EXPECT_EQ(Bilingual(PriorityLabel(v1::PRIORITY_CLASS_GREEN_CHANNEL), " / "),
            "爱心通道 / Green channel");
  EXPECT_EQ(Bilingual(PriorityLabel(v1::PRIORITY_CLASS_UNSPECIFIED)), "普通 Normal");
  EXPECT_EQ(Bilingual(TicketStateLabel(v1::TICKET_STATE_CALLED)), "已呼叫 Called");
  EXPECT_EQ(Bilingual(CounterStateLabel(v1::COUNTER_STATE_CLOSED)), "关闭 Closed");
}

TEST(PeopleAheadTest, CountsOrSaysNext) {
  EXPECT_EQ(PeopleAhead(3), "前面还有 3 人 / 3 people ahead");
  EXPECT_EQ(PeopleAhead(1), "前面还有 1 人 / 1 person ahead");
  EXPECT_EQ(PeopleAhead(0), "您是下一位 / You are next");
}

// --- EstimatedWaitLine / TicketSlip ---

v1::Ticket WaitingTicket() {
  v1::Ticket t;
  t.set_branch_id("demo");
  t.set_ticket_id(42);
  t.set_number("A012");
  t.set_service_code("A");
  t.set_origin_service_code("A");
  t.set_priority(v1::PRIORITY_CLASS_NORMAL);
  t.set_state(v1::TICKET_STATE_WAITING);
  t.mutable_issued_at()->set_seconds(1709515800);  // 2024-03-04 01:30 UTC
  t.set_people_ahead(3);
  t.mutable_estimated_wait()->set_seconds(12 * 60);
  return t;
}

TEST(EstimatedWaitLineTest, WithAnEstimate) {
  EXPECT_EQ(EstimatedWaitLine(WaitingTicket()), "预计等待约 12 分钟 / Estimated wait about 12 min");
  v1::Ticket t = WaitingTicket();
  t.mutable_estimated_wait()->set_seconds(65 * 60);
  EXPECT_EQ(EstimatedWaitLine(t), "预计等待约 1 小时 5 分钟 / Estimated wait about 1 h 5 min");
  t.mutable_estimated_wait()->set_seconds(0);
  EXPECT_EQ(EstimatedWaitLine(t), "预计等待不到 1 分钟 / Estimated wait under 1 min");
}

TEST(EstimatedWaitLineTest, NoCounterOpen) {
  v1::Ticket t = WaitingTicket();
  t.clear_estimated_wait();
  EXPECT_EQ(EstimatedWaitLine(t), "暂无窗口开放，请稍候 / No counter is open yet");
}

// Every line of the slip's box takes the same number of columns, CJK included.
void ExpectRectangularBox(const std::string& slip) {
  std::vector<std::string> lines = absl::StrSplit(slip, '\n', absl::SkipEmpty());
  ASSERT_GE(lines.size(), 5u) << slip;
  EXPECT_EQ(lines.front().rfind("┌", 0), 0u) << lines.front();
  EXPECT_EQ(lines.back().rfind("└", 0), 0u) << lines.back();
  const std::size_t width = DisplayWidth(lines.front());
  for (const std::string& line : lines) {
    EXPECT_EQ(DisplayWidth(line), width) << "line '" << line << "' in\n" << slip;
  }
}

TEST(TicketSlipTest, WaitingTicketWithEstimate) {
  const std::string slip = TicketSlip(WaitingTicket(), "现金业务", "Cash");
  EXPECT_THAT(slip, HasSubstr("现金业务 Cash"));
  EXPECT_THAT(slip, HasSubstr("前面还有 3 人 / 3 people ahead"));
  EXPECT_THAT(slip, HasSubstr("预计等待约 12 分钟 / Estimated wait about 12 min"));
  EXPECT_THAT(slip, HasSubstr("A012 · 查询编号 Ticket ID 42"));
  EXPECT_THAT(slip, HasSubstr("取号时间 "));
  EXPECT_THAT(slip, Not(HasSubstr("Green channel")));
  EXPECT_THAT(slip, Not(HasSubstr("No counter is open")));
  ExpectRectangularBox(slip);
}

TEST(TicketSlipTest, NextInLineWithoutOpenCounter) {
  v1::Ticket t = WaitingTicket();
  t.set_people_ahead(0);
  t.clear_estimated_wait();
  const std::string slip = TicketSlip(t, "现金业务", "Cash");
  EXPECT_THAT(slip, HasSubstr("您是下一位 / You are next"));
  EXPECT_THAT(slip, HasSubstr("暂无窗口开放，请稍候 / No counter is open yet"));
  EXPECT_THAT(slip, Not(HasSubstr("people ahead")));
  ExpectRectangularBox(slip);
}

TEST(TicketSlipTest, GreenChannelIsNamed) {
  v1::Ticket t = WaitingTicket();
  t.set_priority(v1::PRIORITY_CLASS_GREEN_CHANNEL);
  const std::string slip = TicketSlip(t, "现金业务", "Cash");
  EXPECT_THAT(slip, HasSubstr("爱心通道 / Green channel"));
  ExpectRectangularBox(slip);
}

TEST(TicketSlipTest, UnknownNamesShowTheCode) {
  v1::Ticket t = WaitingTicket();
  t.set_number("D007");
  t.set_service_code("D");
  const std::string slip = TicketSlip(t, "", "");
  EXPECT_THAT(slip, HasSubstr("D007 · 查询编号 Ticket ID 42"));
  std::vector<std::string> lines = absl::StrSplit(slip, '\n', absl::SkipEmpty());
  bool code_line = false;
  for (const std::string& line : lines) {
    if (line.find("│") == 0 && line.find(" D ") != std::string::npos) code_line = true;
  }
  EXPECT_TRUE(code_line) << slip;
  ExpectRectangularBox(slip);
}

TEST(TicketSlipTest, CalledTicketSaysWhereToGo) {
  v1::Ticket t = WaitingTicket();
  t.set_state(v1::TICKET_STATE_CALLED);
  t.set_counter(3);
  t.clear_estimated_wait();
  const std::string slip = TicketSlip(t, "现金业务", "Cash");
  EXPECT_THAT(slip, HasSubstr("请到 3 号窗口 / Please go to counter 3"));
  EXPECT_THAT(slip, Not(HasSubstr("people ahead")));
  EXPECT_THAT(slip, Not(HasSubstr("Estimated wait")));
  ExpectRectangularBox(slip);
}

TEST(TicketSlipTest, LongNamesWidenTheBoxEvenly) {
  std::string long_zh;
  for (int i = 0; i < 30; ++i) long_zh += "理";
  const std::string slip = TicketSlip(WaitingTicket(), long_zh, "A very long English service name");
  EXPECT_THAT(slip, HasSubstr(long_zh));
  ExpectRectangularBox(slip);
}

TEST(TicketSlipTest, FormFreeDetailsAreShownAsTheServerMaskedThem) {
  v1::Ticket t = WaitingTicket();
  t.mutable_details()->set_type("deposit");
  t.mutable_details()->set_amount("5000.00");
  t.mutable_details()->set_account_tail("****7890");
  const std::string slip = TicketSlip(t, "现金业务", "Cash");
  EXPECT_THAT(slip, HasSubstr("免填单 Details: deposit · amount 5000.00 · account ****7890"));
  ExpectRectangularBox(slip);
}

TEST(TicketSlipTest, LongDetailsTextIsCutNotWidened) {
  v1::Ticket t = WaitingTicket();
  t.mutable_details()->set_text(std::string(200, 'x'));
  const std::string slip = TicketSlip(t, "现金业务", "Cash");
  EXPECT_THAT(slip, HasSubstr("…"));
  EXPECT_THAT(slip, Not(HasSubstr(std::string(100, 'x'))));
  ExpectRectangularBox(slip);
  // As wide as a slip without details.
  const std::string plain = TicketSlip(WaitingTicket(), "现金业务", "Cash");
  EXPECT_EQ(DisplayWidth(slip.substr(0, slip.find('\n'))),
            DisplayWidth(plain.substr(0, plain.find('\n'))));
}

// --- Calling policy words ---

TEST(PolicyWordsTest, StrategiesRoundTrip) {
  for (auto s :
       {v1::CALL_STRATEGY_IN_ORDER, v1::CALL_STRATEGY_LONGEST_WAIT, v1::CALL_STRATEGY_COUNTED}) {
    EXPECT_EQ(ParseStrategy(StrategyName(s)), s);
  }
  EXPECT_EQ(StrategyName(v1::CALL_STRATEGY_UNSPECIFIED), "in_order");
  EXPECT_EQ(ParseStrategy("Longest_Wait"), v1::CALL_STRATEGY_LONGEST_WAIT);
  EXPECT_EQ(ParseStrategy("fastest"), std::nullopt);
}

TEST(PolicyWordsTest, PlacementsRoundTrip) {
  for (auto p : {v1::PLACEMENT_BY_ISSUE_TIME, v1::PLACEMENT_FRONT, v1::PLACEMENT_END}) {
    EXPECT_EQ(ParsePlacement(PlacementName(p)), p);
  }
  EXPECT_EQ(PlacementName(v1::PLACEMENT_UNSPECIFIED), "default");
  EXPECT_EQ(ParsePlacement("FRONT"), v1::PLACEMENT_FRONT);
  EXPECT_EQ(ParsePlacement("start"), std::nullopt);
}

TEST(PolicyWordsTest, PriorityNames) {
  EXPECT_EQ(PriorityName(v1::PRIORITY_CLASS_GREEN_CHANNEL), "green_channel");
  EXPECT_EQ(PriorityName(v1::PRIORITY_CLASS_UNSPECIFIED), "normal");
  EXPECT_EQ(ParsePriorityName("green"), v1::PRIORITY_CLASS_GREEN_CHANNEL);
  EXPECT_EQ(ParsePriorityName("VIP"), v1::PRIORITY_CLASS_VIP);
  EXPECT_EQ(ParsePriorityName("gold"), std::nullopt);
}

TEST(CountedRulesTest, ParsesRulesAndFallback) {
  v1::CounterConfig c;
  ASSERT_TRUE(ParseCountedRules("appointment:1, green_channel:2,vip:1,normal", &c).ok());
  ASSERT_EQ(c.counted_rules_size(), 3);
  EXPECT_EQ(c.counted_rules(0).priority(), v1::PRIORITY_CLASS_APPOINTMENT);
  EXPECT_EQ(c.counted_rules(0).quota(), 1);
  EXPECT_EQ(c.counted_rules(1).priority(), v1::PRIORITY_CLASS_GREEN_CHANNEL);
  EXPECT_EQ(c.counted_rules(1).quota(), 2);
  EXPECT_EQ(c.counted_rules(2).priority(), v1::PRIORITY_CLASS_VIP);
  EXPECT_EQ(c.counted_fallback(), v1::PRIORITY_CLASS_NORMAL);
  EXPECT_EQ(CountedRulesText(c), "appointment:1,green_channel:2,vip:1,normal");

  // Parsing again replaces the rules.
  ASSERT_TRUE(ParseCountedRules("vip:3,green", &c).ok());
  EXPECT_EQ(CountedRulesText(c), "vip:3,green_channel");
}

TEST(CountedRulesTest, RejectsMalformedRulesSayingWhy) {
  struct Case {
    const char* text;
    const char* why;
  };
  for (const Case& c : {Case{"", "no rules"}, Case{"vip:x,normal", "quota of vip"},
                        Case{"vip:0,normal", "quota of vip"}, Case{"gold:1,normal", "'gold'"},
                        Case{"vip:1", "fallback"}, Case{"vip,normal", "vip needs a quota"}}) {
    v1::CounterConfig config;
    const absl::Status s = ParseCountedRules(c.text, &config);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.why)) << c.text;
    EXPECT_EQ(config.counted_rules_size(), 0) << c.text;
  }
}

TEST(CounterPolicyTextTest, NamesStrategyRulesAndGreenChannel) {
  v1::CounterConfig c;
  EXPECT_EQ(CounterPolicyText(c), "in_order");
  c.set_green_channel(true);
  EXPECT_EQ(CounterPolicyText(c), "in_order · 爱心窗口 green channel");
  c.set_green_channel(false);
  c.set_strategy(v1::CALL_STRATEGY_COUNTED);
  ASSERT_TRUE(ParseCountedRules("vip:1,normal", &c).ok());
  EXPECT_EQ(CounterPolicyText(c), "counted vip:1,normal");
  c.set_strategy(v1::CALL_STRATEGY_LONGEST_WAIT);  // rules kept but not in force
  EXPECT_EQ(CounterPolicyText(c), "longest_wait");
}

TEST(TimeOfDayTest, ParsesAndFormats) {
  EXPECT_EQ(ParseTimeOfDay("09:00"), absl::Hours(9));
  EXPECT_EQ(ParseTimeOfDay("9:30"), absl::Hours(9) + absl::Minutes(30));
  EXPECT_EQ(ParseTimeOfDay("24:00"), absl::Hours(24));
  for (const char* bad : {"25:00", "24:01", "9", "9:5", "09:60", "ab:cd", "-1:00", "09:00:00"}) {
    EXPECT_EQ(ParseTimeOfDay(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(TimeOfDayText(absl::Hours(9)), "09:00");
  EXPECT_EQ(TimeOfDayText(absl::Hours(17) + absl::Minutes(5)), "17:05");
}

TEST(TimeOfDayTest, Days) {
  EXPECT_EQ(ParseDay("2024-03-04"), absl::CivilDay(2024, 3, 4));
  EXPECT_EQ(ParseDay("2024-3-4"), std::nullopt);
  EXPECT_EQ(ParseDay("tomorrow"), std::nullopt);
}

TEST(PolicyTableTest, ShowsEverySetting) {
  v1::BranchPolicy p;
  p.set_recall_limit(2);
  p.mutable_reinstate_grace()->set_seconds(30 * 60);
  p.set_transfer_placement(v1::PLACEMENT_FRONT);
  p.mutable_opening_time()->set_seconds(9 * 3600);
  p.mutable_closing_time()->set_seconds(17 * 3600 + 30 * 60);
  const std::string table = PolicyTable(p);
  for (const char* expected :
       {"recall_limit", "auto_no_show_after", "0 (never)", "reinstate_grace", "30m",
        "reinstate_placement", "transfer_placement", "front", "opening_time", "09:00",
        "closing_time", "17:30", "slot_length", "booking_horizon_days", "checkin_early",
        "checkin_late", "appointment_lead"}) {
    EXPECT_THAT(table, HasSubstr(expected));
  }
}

// --- Details, appointments, preview ---

TEST(DetailsLineTest, EmptyDetailsSayNothing) {
  EXPECT_EQ(DetailsLine(v1::TransactionDetails()), "");
  v1::TransactionDetails d;
  d.set_text("open a deposit account for ****4321");
  EXPECT_EQ(DetailsLine(d), "免填单 Details: \"open a deposit account for ****4321\"");
}

TEST(AppointmentSlipTest, TheCodeIsProminent) {
  v1::Appointment a;
  a.set_code("AB3K9XQ2");
  a.set_service_code("A");
  a.set_customer_name("王小明");
  a.set_phone("138****5678");
  a.set_state(v1::APPOINTMENT_STATE_BOOKED);
  // 2024-03-04 10:00 in Shanghai.
  a.mutable_slot_start()->set_seconds(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilMinute(2024, 3, 4, 2, 0), absl::UTCTimeZone())));
  absl::TimeZone shanghai;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  const std::string slip = AppointmentSlip(a, "现金业务 Cash", shanghai);
  EXPECT_THAT(slip, HasSubstr("预约码 Appointment code: AB3K9XQ2"));
  EXPECT_THAT(slip, HasSubstr("2024-03-04 10:00"));
  EXPECT_THAT(slip, HasSubstr("现金业务 Cash"));
  EXPECT_THAT(slip, HasSubstr("138****5678"));
  EXPECT_THAT(slip, HasSubstr("█"));  // the block letters
  EXPECT_THAT(slip, HasSubstr("已预约 / Booked"));
  ExpectRectangularBox(slip);
}

TEST(SlotsTableTest, ShowsTimesInTheBranchZoneAndFullSlots) {
  absl::TimeZone shanghai;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  v1::ListSlotsResponse slots;
  for (int i = 0; i < 2; ++i) {
    v1::Slot* s = slots.add_slots();
    const absl::Time start = absl::FromCivil(absl::CivilMinute(2024, 3, 4, 9, 30 * i), shanghai);
    s->mutable_start()->set_seconds(absl::ToUnixSeconds(start));
    s->mutable_end()->set_seconds(absl::ToUnixSeconds(start + absl::Minutes(30)));
    s->set_capacity(2);
    s->set_booked(2 * i);
    s->set_available(2 - 2 * i);
  }
  const std::string table = SlotsTable(slots, shanghai);
  EXPECT_THAT(table, HasSubstr("09:00-09:30"));
  EXPECT_THAT(table, HasSubstr("09:30-10:00"));
  EXPECT_THAT(table, HasSubstr("full"));
}

TEST(PreviewTableTest, OneRowPerEntryWithCounterAndReason) {
  v1::PreviewOrderResponse preview;
  EXPECT_THAT(PreviewTable(preview, absl::UTCTimeZone()), HasSubstr("Nobody waiting"));
  v1::PreviewEntry* e = preview.add_entries();
  e->set_position(1);
  e->mutable_ticket()->set_number("A002");
  e->mutable_ticket()->set_service_code("A");
  e->mutable_ticket()->set_priority(v1::PRIORITY_CLASS_GREEN_CHANNEL);
  e->set_counter(1);
  e->set_reason("green-channel counter");
  const std::string table = PreviewTable(preview, absl::UTCTimeZone());
  EXPECT_THAT(table, HasSubstr("A002"));
  EXPECT_THAT(table, HasSubstr("爱心通道 Green channel"));
  EXPECT_THAT(table, HasSubstr("green-channel counter"));
  EXPECT_THAT(table, HasSubstr("Counter"));
}

// --- DescribeStatus ---

TEST(DescribeStatusTest, UnavailableNamesTheServer) {
  const std::string text = DescribeStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                                       "failed to connect to all "
                                                       "addresses; last error: ..."),
                                          "127.0.0.1:1");
  EXPECT_THAT(text, HasSubstr("cannot reach"));
  EXPECT_THAT(text, HasSubstr("127.0.0.1:1"));
  EXPECT_THAT(text, Not(HasSubstr("\n")));
}

// gRPC 1.51's words for failed TLS connections, as the clients get them.
TEST(DescribeStatusTest, TlsFailuresNameTheFlagThatFixesThem) {
  auto describe = [](const std::string& last_error) {
    return DescribeStatus(
        grpc::Status(grpc::StatusCode::UNAVAILABLE,
                     "failed to connect to all addresses; last error: " + last_error),
        "10.1.2.3:50051");
  };
  const std::string wrong_ca = describe(
      "UNKNOWN: ipv4:10.1.2.3:50051: Ssl handshake failed: SSL_ERROR_SSL: "
      "error:0A000086:SSL routines::certificate verify failed");
  EXPECT_THAT(wrong_ca, StartsWith("cannot reach the lobbyq server at 10.1.2.3:50051: "));
  EXPECT_THAT(wrong_ca, HasSubstr("not signed by the CA of --tls-ca"));

  const std::string wrong_name =
      describe("UNKNOWN: ipv4:10.1.2.3:50051: Peer name 10.1.2.3 is not in peer certificate");
  EXPECT_THAT(wrong_name, HasSubstr("does not name 10.1.2.3;"));
  EXPECT_THAT(wrong_name, HasSubstr("--tls-server-name"));

  const std::string closed = describe("UNAVAILABLE: ipv4:10.1.2.3:50051: Socket closed");
  EXPECT_THAT(closed, HasSubstr("closed the connection"));
  EXPECT_THAT(closed, HasSubstr("--tls-ca"));
  EXPECT_THAT(closed, HasSubstr("--tls-cert"));

  const std::string other = describe(
      "UNKNOWN: ipv4:10.1.2.3:50051: Ssl handshake failed: SSL_ERROR_SSL: "
      "error:0A00010B:SSL routines::wrong version number");
  EXPECT_THAT(other, HasSubstr("the TLS handshake failed (Ssl handshake failed: "));
  EXPECT_THAT(other, HasSubstr("wrong version number)"));

  const std::string refused = describe(
      "UNKNOWN: ipv4:10.1.2.3:50051: Failed to connect to remote host: Connection refused");
  EXPECT_EQ(refused, "cannot reach the lobbyq server at 10.1.2.3:50051 (is it running?)");
  for (const std::string& text : {wrong_ca, wrong_name, closed, other, refused}) {
    EXPECT_THAT(text, Not(HasSubstr("\n")));
  }
}

TEST(DescribeStatusTest, FailedPreconditionIsNotAllowedNow) {
  EXPECT_EQ(DescribeStatus(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                        "counter 1 is closed; open it first"),
                           "127.0.0.1:50051"),
            "not allowed now: counter 1 is closed; open it first");
}

TEST(DescribeStatusTest, NotFoundAndInvalidArgument) {
  EXPECT_EQ(DescribeStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "service Z"), "s:1"),
            "not found: service Z");
  EXPECT_EQ(DescribeStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, ""), "s:1"), "not found");
  EXPECT_EQ(DescribeStatus(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                        "service_code: 'a1' is not one letter"),
                           "s:1"),
            "invalid: service_code: 'a1' is not one letter");
}

TEST(DescribeStatusTest, AlwaysOneLine) {
  EXPECT_EQ(DescribeStatus(
                grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "line one\nline two"), "s:1"),
            "not allowed now: line one line two");
}

}  // namespace
}  // namespace lobbyq::client
