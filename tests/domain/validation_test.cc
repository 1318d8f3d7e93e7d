// What a well-formed id, code, name or setting is; every error is INVALID_ARGUMENT
// and names the field.

#include "server/domain/validation.h"

#include <string>

#include "server/domain/types.h"
#include "tests/domain/lobby.h"

namespace lobbyq::domain::testing {
namespace {

using ::testing::HasSubstr;

constexpr auto kInvalidArgument = absl::StatusCode::kInvalidArgument;

TEST(ValidateBranchIdTest, LowerCaseDigitsAndDashes) {
  EXPECT_THAT(ValidateBranchId("main"), IsOk());
  EXPECT_THAT(ValidateBranchId("sh-pudong-01"), IsOk());
  EXPECT_THAT(ValidateBranchId(std::string(32, 'a')), IsOk());
  EXPECT_THAT(ValidateBranchId(""), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateBranchId(std::string(33, 'a')), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateBranchId("Main"), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateBranchId("main_1"), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateBranchId("main 1"), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateBranchId("浦东"), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateBranchId("Main").message(), HasSubstr("branch_id"));
}

TEST(ValidateServiceCodeTest, OneUpperCaseLetter) {
  EXPECT_THAT(ValidateServiceCode("A"), IsOk());
  EXPECT_THAT(ValidateServiceCode("Z"), IsOk());
  EXPECT_THAT(ValidateServiceCode(""), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateServiceCode("a"), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateServiceCode("AB"), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateServiceCode("1"), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateServiceCode("-"), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateServiceCode("a").message(), HasSubstr("service_code"));
  EXPECT_THAT(ValidateServiceCode("a", "to_service_code").message(), HasSubstr("to_service_code"));
}

TEST(ValidateCounterNumberTest, OneTo999) {
  EXPECT_THAT(ValidateCounterNumber(1), IsOk());
  EXPECT_THAT(ValidateCounterNumber(999), IsOk());
  EXPECT_THAT(ValidateCounterNumber(0), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateCounterNumber(1000), StatusIs(kInvalidArgument));
}

TEST(ValidateRequestIdTest, RequiredPrintableAsciiUpTo64Bytes) {
  EXPECT_THAT(ValidateRequestId("kiosk-1:0001"), IsOk());
  EXPECT_THAT(ValidateRequestId(std::string(64, 'r')), IsOk());
  EXPECT_THAT(ValidateRequestId("~!"), IsOk());
  EXPECT_THAT(ValidateRequestId(""), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateRequestId(std::string(65, 'r')), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateRequestId("two words"), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateRequestId("tab\there"), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateRequestId("del\x7f"), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateRequestId("请求"), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateRequestId("").message(), HasSubstr("request_id"));
}

// --- Names (branch, service, counter) ---

ServiceConfig NamedService(const std::string& name_zh, const std::string& name_en = "Personal") {
  ServiceConfig s = Service("A", absl::Minutes(5));
  s.name_zh = name_zh;
  s.name_en = name_en;
  return s;
}

TEST(ValidateNameTest, RequiredUpTo64BytesNoControlCharacters) {
  EXPECT_THAT(ValidateService(NamedService("个人业务")), IsOk());
  EXPECT_THAT(ValidateService(NamedService(std::string(64, 'n'))), IsOk());
  EXPECT_THAT(ValidateService(NamedService("Cash & cheques (ATM)")), IsOk());

  EXPECT_THAT(ValidateService(NamedService("")), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateService(NamedService(std::string(65, 'n'))), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateService(NamedService("line\nbreak")), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateService(NamedService("tab\t")), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateService(NamedService(std::string("nul\0", 4))), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateService(NamedService("esc\x1b[31m")), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateService(NamedService("ok", "")), StatusIs(kInvalidArgument));
}

TEST(ValidateNameTest, LimitIsInBytesNotCharacters) {
  std::string twenty_one, twenty_two;
  for (int i = 0; i < 21; ++i) twenty_one += "业";  // 3 bytes each
  twenty_two = twenty_one + "业";
  EXPECT_THAT(ValidateService(NamedService(twenty_one)), IsOk());                      // 63 bytes
  EXPECT_THAT(ValidateService(NamedService(twenty_two)), StatusIs(kInvalidArgument));  // 66
}

TEST(ValidateNameTest, DeleteIsAControlCharacterToo) {
  // U+007F DELETE is an ASCII control character (iscntrl), like those below 0x20.
  EXPECT_THAT(ValidateService(NamedService("del\x7f")), StatusIs(kInvalidArgument));
  BranchInfo info = Info("main");
  info.name = "\x7f";
  EXPECT_THAT(ValidateBranchInfo(info), StatusIs(kInvalidArgument));
}

TEST(ValidateNameTest, ErrorsNameTheField) {
  EXPECT_THAT(ValidateService(NamedService("")).message(), HasSubstr("name_zh"));
  EXPECT_THAT(ValidateService(NamedService("ok", "")).message(), HasSubstr("name_en"));
  EXPECT_THAT(ValidateService(NamedService("ok", "")).message(), HasSubstr("service A"));
  Counter counter = CounterConfig(7, {"A"});
  counter.name = "";
  EXPECT_THAT(ValidateCounterConfig(counter).message(), HasSubstr("counter 7"));
  BranchInfo info = Info("main");
  info.name = "";
  EXPECT_THAT(ValidateBranchInfo(info).message(), HasSubstr("branch name"));
}

// --- Durations ---

TEST(ValidateDurationTest, ServiceTimesAreBetweenOneSecondAnd24Hours) {
  auto with_target = [](absl::Duration d) {
    return ValidateService(Service("A", absl::Minutes(5), d));
  };
  auto with_expected = [](absl::Duration d) { return ValidateService(Service("A", d)); };
  for (auto validate : {+with_target, +with_expected}) {
    EXPECT_THAT(validate(absl::Seconds(1)), IsOk());
    EXPECT_THAT(validate(absl::Hours(24)), IsOk());
    EXPECT_THAT(validate(absl::ZeroDuration()), StatusIs(kInvalidArgument));
    EXPECT_THAT(validate(-absl::Minutes(5)), StatusIs(kInvalidArgument));
    EXPECT_THAT(validate(absl::Hours(24) + absl::Seconds(1)), StatusIs(kInvalidArgument));
    EXPECT_THAT(validate(absl::InfiniteDuration()), StatusIs(kInvalidArgument));
  }
  EXPECT_THAT(with_target(absl::ZeroDuration()).message(), HasSubstr("target_wait"));
  EXPECT_THAT(with_expected(absl::ZeroDuration()).message(), HasSubstr("expected_service_time"));
}

TEST(ValidateDurationTest, RatingWindowIsBetweenOneSecondAnd24Hours) {
  BranchInfo info = Info("main");
  info.rating_window = absl::Hours(24);
  EXPECT_THAT(ValidateBranchInfo(info), IsOk());
  info.rating_window = absl::ZeroDuration();
  EXPECT_THAT(ValidateBranchInfo(info), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateBranchInfo(info).message(), HasSubstr("rating_window"));
  info.rating_window = absl::Hours(25);
  EXPECT_THAT(ValidateBranchInfo(info), StatusIs(kInvalidArgument));
}

TEST(ValidateDurationTest, LessThanOneSecondIsRefusedAsTheMessageSays) {
  // The error text promises "between 1 s and 24 h"; half a second is outside that.
  EXPECT_THAT(ValidateService(Service("A", absl::Milliseconds(500))), StatusIs(kInvalidArgument));
  BranchInfo info = Info("main");
  info.rating_window = absl::Milliseconds(1);
  EXPECT_THAT(ValidateBranchInfo(info), StatusIs(kInvalidArgument));
}

// --- Branch info and counters ---

TEST(ValidateBranchInfoTest, IdNameAndTimezoneAreRequired) {
  EXPECT_THAT(ValidateBranchInfo(Info("main")), IsOk());
  BranchInfo info = Info("main");
  info.id = "";
  EXPECT_THAT(ValidateBranchInfo(info), StatusIs(kInvalidArgument));
  info = Info("main");
  info.name = "";
  EXPECT_THAT(ValidateBranchInfo(info), StatusIs(kInvalidArgument));
  info = Info("main");
  info.timezone = "";
  EXPECT_THAT(ValidateBranchInfo(info), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateBranchInfo(info).message(), HasSubstr("timezone"));
}

TEST(ValidateCounterConfigTest, NumberNameAndProfile) {
  EXPECT_THAT(ValidateCounterConfig(CounterConfig(1, {"A"})), IsOk());
  EXPECT_THAT(ValidateCounterConfig(CounterConfig(999, {"B", "A", "C"})), IsOk());
  EXPECT_THAT(ValidateCounterConfig(CounterConfig(0, {"A"})), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateCounterConfig(CounterConfig(1000, {"A"})), StatusIs(kInvalidArgument));

  const absl::Status empty = ValidateCounterConfig(CounterConfig(3, {}));
  EXPECT_THAT(empty, StatusIs(kInvalidArgument));
  EXPECT_THAT(empty.message(), HasSubstr("profile"));

  const absl::Status twice = ValidateCounterConfig(CounterConfig(3, {"A", "B", "A"}));
  EXPECT_THAT(twice, StatusIs(kInvalidArgument));
  EXPECT_THAT(twice.message(), HasSubstr("twice"));

  EXPECT_THAT(ValidateCounterConfig(CounterConfig(3, {"A", "b"})), StatusIs(kInvalidArgument));
  EXPECT_THAT(ValidateCounterConfig(CounterConfig(3, {""})), StatusIs(kInvalidArgument));
  // Whether the services exist is the branch's call, not the counter's.
  EXPECT_THAT(ValidateCounterConfig(CounterConfig(3, {"Q"})), IsOk());

  Counter counter = CounterConfig(3, {"A"});
  counter.name = std::string(65, 'c');
  EXPECT_THAT(ValidateCounterConfig(counter), StatusIs(kInvalidArgument));
}

// --- Names of enum values, as used in the event log ---

TEST(EnumNamesTest, RoundTrip) {
  for (TicketState s : {TicketState::kWaiting, TicketState::kCalled, TicketState::kServing,
                        TicketState::kDone, TicketState::kNoShow, TicketState::kCancelled}) {
    EXPECT_NE(Name(s), "unknown");
    EXPECT_EQ(ParseTicketState(Name(s)), s) << Name(s);
  }
  for (CounterState s : {CounterState::kClosed, CounterState::kOpen, CounterState::kPaused}) {
    EXPECT_EQ(ParseCounterState(Name(s)), s) << Name(s);
  }
  for (PriorityClass p : {PriorityClass::kNormal, PriorityClass::kVip, PriorityClass::kGreenChannel,
                          PriorityClass::kAppointment}) {
    EXPECT_EQ(ParsePriorityClass(Name(p)), p) << Name(p);
  }
  for (int i = static_cast<int>(EventType::kTicketIssued);
       i <= static_cast<int>(EventType::kConfigChanged); ++i) {
    const auto t = static_cast<EventType>(i);
    EXPECT_NE(Name(t), "unknown") << i;
    EXPECT_EQ(ParseEventType(Name(t)), t) << Name(t);
  }
  EXPECT_EQ(Name(TicketState::kNoShow), "no_show");
  EXPECT_EQ(ParseTicketState("bogus"), std::nullopt);
  EXPECT_EQ(ParseEventType(""), std::nullopt);
}

TEST(EnumNamesTest, LiveMeansStillNeedsACounter) {
  EXPECT_TRUE(IsLive(TicketState::kWaiting));
  EXPECT_TRUE(IsLive(TicketState::kCalled));
  EXPECT_TRUE(IsLive(TicketState::kServing));
  EXPECT_FALSE(IsLive(TicketState::kDone));
  EXPECT_FALSE(IsLive(TicketState::kNoShow));
  EXPECT_FALSE(IsLive(TicketState::kCancelled));
}

}  // namespace
}  // namespace lobbyq::domain::testing
