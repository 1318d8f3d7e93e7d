// ParseConfig: a valid file becomes branches, services and counters; a bad one
// is refused with "<file>:<line>: <field>: <what>".

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/config.h"

namespace lobbyq::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kValid[] = R"yaml(# lobbyq test config
listen: 0.0.0.0:7000
data: /var/lib/lobbyq
log_level: debug
branches:
  - id: north
    name: North 北区支行
    timezone: Europe/Berlin
    rating_window: 15m
    services:
      - code: A
        name_zh: 现金业务
        name_en: Cash
        target_wait: 10m
        expected_service_time: 90s
      - code: B
        name_zh: 非现金业务
        name_en: Non-cash
        target_wait: 1h30m
        expected_service_time: 8m
    counters:
      - number: 1
        services: [A, B]
      - number: 7
        name: VIP room
        services:
          - B
  - id: south
    name: South
    services:
      - code: Z
        name_zh: 对公
        name_en: Corporate
)yaml";

TEST(ConfigTest, ParsesAValidFile) {
  auto config = ParseConfig(kValid, "lobbyq.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen, "0.0.0.0:7000");
  EXPECT_EQ(config->data_dir, "/var/lib/lobbyq");
  EXPECT_EQ(config->log_level, "debug");
  ASSERT_EQ(config->branches.size(), 2u);

  const domain::BranchDefinition& north = config->branches[0];
  EXPECT_EQ(north.info.id, "north");
  EXPECT_EQ(north.info.name, "North 北区支行");
  EXPECT_EQ(north.info.timezone, "Europe/Berlin");
  EXPECT_EQ(north.info.rating_window, absl::Minutes(15));
  ASSERT_EQ(north.services.size(), 2u);
  EXPECT_EQ(north.services[0], (domain::ServiceConfig{.code = "A",
                                                      .name_zh = "现金业务",
                                                      .name_en = "Cash",
                                                      .target_wait = absl::Minutes(10),
                                                      .expected_service_time = absl::Seconds(90)}));
  EXPECT_EQ(north.services[1].code, "B");
  EXPECT_EQ(north.services[1].target_wait, absl::Minutes(90));
  EXPECT_EQ(north.services[1].expected_service_time, absl::Minutes(8));
  ASSERT_EQ(north.counters.size(), 2u);
  EXPECT_EQ(north.counters[0].number, 1u);
  EXPECT_EQ(north.counters[0].name, "窗口 1");  // the default name
  EXPECT_THAT(north.counters[0].service_codes, ElementsAre("A", "B"));
  EXPECT_EQ(north.counters[0].state, domain::CounterState::kClosed);
  EXPECT_EQ(north.counters[1].number, 7u);
  EXPECT_EQ(north.counters[1].name, "VIP room");
  EXPECT_THAT(north.counters[1].service_codes, ElementsAre("B"));

  // Defaults where the file is silent.
  const domain::BranchDefinition& south = config->branches[1];
  EXPECT_EQ(south.info.id, "south");
  EXPECT_EQ(south.info.timezone, "Asia/Shanghai");
  EXPECT_EQ(south.info.rating_window, absl::Minutes(10));
  ASSERT_EQ(south.services.size(), 1u);
  EXPECT_EQ(south.services[0].target_wait, absl::Minutes(10));
  EXPECT_EQ(south.services[0].expected_service_time, absl::Minutes(5));
  EXPECT_TRUE(south.counters.empty());
}

TEST(ConfigTest, EmptyFileIsAnEmptyConfig) {
  auto config = ParseConfig("", "empty.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->listen.has_value());
  EXPECT_TRUE(config->branches.empty());
  config = ParseConfig("# only a comment\n", "empty.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->branches.empty());
}

TEST(ConfigTest, ReadsDurability) {
  auto config = ParseConfig("durability: normal\n", "lobbyq.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->durability, store::Durability::kNormal);
  config = ParseConfig("durability: full\n", "lobbyq.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->durability, store::Durability::kFull);
  // Absent: the server's default (full) applies, and a flag may still set it.
  config = ParseConfig("listen: x\n", "lobbyq.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->durability, std::nullopt);

  config = ParseConfig("listen: x\ndurability: fast\n", "lobbyq.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(),
            "lobbyq.yaml:2: durability: 'fast' is not a durability setting; use full or normal");
}

TEST(ConfigTest, LoadConfigFileReadsTheFileAndNamesIt) {
  const std::string path = absl::StrCat(::testing::TempDir(), "lobbyq-config-test.yaml");
  {
    std::ofstream out(path);
    out << kValid;
  }
  auto config = LoadConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->branches.size(), 2u);
  {
    std::ofstream out(path);
    out << "listen: x\nbogus: 1\n";
  }
  config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), StartsWith(path + ":2:"));
  std::remove(path.c_str());

  config = LoadConfigFile(path + ".missing");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(config.status().message()), HasSubstr(".missing"));
}

// One bad thing per case: the message must start "<file>:<line>:" and name the
// field (and the problem).
struct BadConfig {
  std::string name;
  std::vector<std::string> lines;
  int line;                           // where the error is, 1-based
  std::vector<std::string> mentions;  // substrings of the message
};

// A valid branch (lines 1-14) with `tail` appended.
std::vector<std::string> Branch(std::vector<std::string> tail = {}) {
  std::vector<std::string> lines = {
      "branches:",                  // 1
      "  - id: north",              // 2
      "    name: North",            // 3
      "    services:",              // 4
      "      - code: A",            // 5
      "        name_zh: 现金",      // 6
      "        name_en: Cash",      // 7
      "        target_wait: 10m",   // 8
      "      - code: B",            // 9
      "        name_zh: 非现金",    // 10
      "        name_en: Non-cash",  // 11
      "    counters:",              // 12
      "      - number: 1",          // 13
      "        services: [A, B]",   // 14
  };
  lines.insert(lines.end(), tail.begin(), tail.end());
  return lines;
}

void ExpectRejected(const std::vector<BadConfig>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string text = absl::StrJoin(c.lines, "\n") + "\n";
    auto config = ParseConfig(text, "name.yaml");
    if (config.ok()) {
      ADD_FAILURE() << c.name << " was accepted:\n" << text;
      continue;
    }
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message(config.status().message());
    EXPECT_THAT(message, StartsWith(absl::StrCat("name.yaml:", c.line, ":"))) << text;
    for (const auto& m : c.mentions) EXPECT_THAT(message, HasSubstr(m)) << text;
  }
}

TEST(ConfigTest, ErrorsNameFileLineAndField) {
  std::vector<BadConfig> cases;

  auto with = [](std::vector<std::string> lines, size_t index, std::string replacement) {
    lines[index - 1] = std::move(replacement);
    return lines;
  };
  auto insert = [](std::vector<std::string> lines, size_t index, std::string line) {
    lines.insert(lines.begin() + static_cast<long>(index - 1), std::move(line));
    return lines;
  };
  cases.push_back({"bad duration",
                   with(Branch(), 8, "        target_wait: 10 minutes"),
                   8,
                   {"branches[0].services[0].target_wait", "10 minutes", "not a duration"}});
  cases.push_back(
      {"bad duration on a later service",
       Branch({"  - id: south", "    name: South", "    services:", "      - code: C",
               "        name_zh: c", "        name_en: c", "        expected_service_time: soon"}),
       21,
       {"branches[1].services[0].expected_service_time", "soon"}});
  cases.push_back({"duration out of range",
                   with(Branch(), 8, "        target_wait: 25h"),
                   8,  // the domain's message names target_wait, so its line
                   {"branches[0].services[0].target_wait", "between 1 s and 24 h"}});
  cases.push_back({"bad rating window",
                   insert(Branch(), 4, "    rating_window: 5 min"),
                   4,
                   {"branches[0].rating_window", "5 min"}});
  cases.push_back({"unknown key in a service",
                   with(Branch(), 8, "        colour: red"),
                   8,
                   {"branches[0].services[0].colour", "unknown setting"}});
  cases.push_back(
      {"unknown top-level key", {"listen: x", "", "lisen: y"}, 3, {"lisen", "unknown setting"}});
  cases.push_back({"unknown key in a counter",
                   Branch({"        window: 3"}),
                   15,
                   {"branches[0].counters[0].window", "unknown setting"}});
  cases.push_back({"invalid YAML",
                   {"listen: a", "branches:", "  - id: [north", "    name: x"},
                   4,  // yaml-cpp notices the unclosed list on the next line
                   {"not valid YAML"}});
  cases.push_back({"invalid YAML: bad indentation",
                   {"listen: a", "log_level: b", "  oops: c"},
                   3,
                   {"not valid YAML"}});
  cases.push_back({"duplicate branch id",
                   Branch({"  - id: north", "    name: North again", "    services:",
                           "      - code: A", "        name_zh: a", "        name_en: a"}),
                   15,
                   {"branches[1]", "north", "repeats"}});
  cases.push_back({"counter with empty services",
                   with(Branch(), 14, "        services: []"),
                   13,
                   {"branches[0].counters[0]", "at least one service"}});
  cases.push_back({"counter without services",
                   with(Branch(), 14, "        name: Lonely"),
                   13,
                   {"branches[0].counters[0].services"}});
  cases.push_back({"counter number not a number",
                   with(Branch(), 13, "      - number: one"),
                   13,
                   {"branches[0].counters[0].number", "one"}});
  cases.push_back({"unknown log level",
                   {"listen: 127.0.0.1:1", "log_level: verbose"},
                   2,
                   {"log_level", "verbose", "not a log level"}});
  cases.push_back({"counter number 0",
                   with(Branch(), 13, "      - number: 0"),
                   13,
                   {"branches[0].counters[0]", "counter 0"}});
  cases.push_back({"bad branch id",
                   with(Branch(), 2, "  - id: North Branch"),
                   2,
                   {"branches[0]", "branch_id"}});
  cases.push_back({"branch without a name",
                   with(Branch(), 3, "    timezone: Asia/Shanghai"),
                   2,
                   {"branches[0].name", "required"}});
  cases.push_back({"bad service code",
                   with(Branch(), 9, "      - code: b"),
                   9,
                   {"branches[0].services[1]", "one letter"}});
  cases.push_back({"service without a name",
                   with(Branch(), 7, "        expected_service_time: 5m"),
                   5,
                   {"branches[0].services[0].name_en", "required"}});
  cases.push_back({"branch without services",
                   {"branches:", "  - id: x", "    name: X"},
                   2,
                   {"branches[0].services"}});
  cases.push_back({"branches not a list", {"listen: a", "branches: north"}, 2, {"branches"}});
  ExpectRejected(cases);
}

// Mistakes that only show when the branch is looked at as a whole. ParseConfig
// promises to check the file and name the line; today these pass it and only
// fail later, at server start-up, without file or line.
TEST(ConfigTest, BranchLevelMistakesNameFileLineAndField) {
  std::vector<BadConfig> cases;
  cases.push_back({"counter serving a service the branch does not have",
                   Branch({"      - number: 2", "        services: [A, Z]"}),
                   15,
                   {"branches[0].counters[1]", "Z"}});
  cases.push_back({"unknown time zone",
                   [] {
                     auto lines = Branch();
                     lines.insert(lines.begin() + 3, "    timezone: Mars/Olympus_Mons");
                     return lines;
                   }(),
                   4,
                   {"branches[0].timezone", "Mars/Olympus_Mons"}});
  cases.push_back({"service code defined twice",
                   Branch({"  - id: south", "    name: South", "    services:", "      - code: C",
                           "        name_zh: c", "        name_en: c", "      - code: C",
                           "        name_zh: c2", "        name_en: c2"}),
                   21,
                   {"branches[1].services[1]", "C"}});
  cases.push_back({"counter number defined twice",
                   Branch({"      - number: 1", "        services: [B]"}),
                   15,
                   {"branches[0].counters[1]", "1"}});
  ExpectRejected(cases);
}

// Every calling-policy setting is read from where it belongs: the branch's
// recall, placement and appointment rules, each service's max_wait and
// appointment capacity, each counter's strategy, rules and green channel.
constexpr char kPolicy[] = R"yaml(branches:
  - id: east
    name: East
    recall_limit: 3
    auto_no_show_after: 3m
    reinstate_grace: 45m
    reinstate_placement: end
    transfer_placement: front
    checkin_early: 20m
    checkin_late: 15m
    appointment_lead: 2m
    opening_time: "08:30"
    closing_time: 18:15
    slot_length: 20m
    booking_horizon_days: 14
    services:
      - {code: A, name_zh: 现金, name_en: Cash, target_wait: 10m, max_wait: 25m,
         appointment_capacity: 3}
      - {code: B, name_zh: 非现金, name_en: Non-cash}
    counters:
      - {number: 1, services: [A, B], green_channel: true}
      - {number: 2, services: [B, A], strategy: longest_wait, green_channel: false}
      - number: 3
        services: [A, B]
        strategy: counted
        rules: "appointment:1, green_channel:2,vip:1,normal"
      - {number: 4, services: [B], strategy: in_order}
)yaml";

TEST(ConfigTest, ReadsCallingPolicySettings) {
  auto config = ParseConfig(kPolicy, "policy.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->branches.size(), 1u);
  const domain::BranchDefinition& east = config->branches[0];
  const domain::BranchInfo& info = east.info;
  EXPECT_EQ(info.recall_limit, 3);
  EXPECT_EQ(info.auto_no_show_after, absl::Minutes(3));
  EXPECT_EQ(info.reinstate_grace, absl::Minutes(45));
  EXPECT_EQ(info.reinstate_placement, domain::Placement::kEnd);
  EXPECT_EQ(info.transfer_placement, domain::Placement::kFront);
  EXPECT_EQ(info.checkin_early, absl::Minutes(20));
  EXPECT_EQ(info.checkin_late, absl::Minutes(15));
  EXPECT_EQ(info.appointment_lead, absl::Minutes(2));
  EXPECT_EQ(info.opening_time, absl::Hours(8) + absl::Minutes(30));
  EXPECT_EQ(info.closing_time, absl::Hours(18) + absl::Minutes(15));  // unquoted works too
  EXPECT_EQ(info.slot_length, absl::Minutes(20));
  EXPECT_EQ(info.booking_horizon_days, 14);

  ASSERT_EQ(east.services.size(), 2u);
  EXPECT_EQ(east.services[0].max_wait, absl::Minutes(25));
  EXPECT_EQ(east.services[0].appointment_capacity, 3);
  EXPECT_EQ(east.services[1].max_wait, absl::ZeroDuration());  // i.e. 2 x target_wait
  EXPECT_EQ(east.services[1].EffectiveMaxWait(), absl::Minutes(20));
  EXPECT_EQ(east.services[1].appointment_capacity, 0);

  ASSERT_EQ(east.counters.size(), 4u);
  EXPECT_TRUE(east.counters[0].green_channel);
  EXPECT_EQ(east.counters[0].strategy, domain::CallStrategy::kInOrder);
  EXPECT_FALSE(east.counters[1].green_channel);
  EXPECT_EQ(east.counters[1].strategy, domain::CallStrategy::kLongestWait);
  const domain::Counter& counted = east.counters[2];
  EXPECT_EQ(counted.strategy, domain::CallStrategy::kCounted);
  EXPECT_FALSE(counted.green_channel);
  using enum domain::PriorityClass;
  EXPECT_THAT(counted.counted_rules,
              ElementsAre(domain::CountedRule{.priority = kAppointment, .quota = 1},
                          domain::CountedRule{.priority = kGreenChannel, .quota = 2},
                          domain::CountedRule{.priority = kVip, .quota = 1}));
  EXPECT_EQ(counted.counted_fallback, kNormal);
  EXPECT_THAT(counted.counted_calls, ElementsAre(0, 0, 0));
  EXPECT_EQ(east.counters[3].strategy, domain::CallStrategy::kInOrder);
  EXPECT_TRUE(east.counters[3].counted_rules.empty());
}

TEST(ConfigTest, PolicyDefaultsWhereTheFileIsSilent) {
  auto config = ParseConfig(absl::StrJoin(Branch(), "\n"), "defaults.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const domain::BranchDefinition& def = config->branches[0];
  EXPECT_EQ(def.info, (domain::BranchInfo{.id = "north", .name = "North"}));
  EXPECT_EQ(def.info.recall_limit, 2);
  EXPECT_EQ(def.info.auto_no_show_after, absl::ZeroDuration());
  EXPECT_EQ(def.info.transfer_placement, domain::Placement::kByIssueTime);
  EXPECT_EQ(def.info.opening_time, absl::Hours(9));
  EXPECT_EQ(def.services[0].max_wait, absl::ZeroDuration());
  EXPECT_EQ(def.services[0].appointment_capacity, 0);
  EXPECT_EQ(def.counters[0].strategy, domain::CallStrategy::kInOrder);
  EXPECT_TRUE(def.counters[0].counted_rules.empty());
  EXPECT_FALSE(def.counters[0].green_channel);
}

// A wrong policy value names its own line and field, whether the loader
// cannot read it (a strategy or time it does not know) or the domain refuses
// it (a negative duration, a quota out of range).
TEST(ConfigTest, PolicyMistakesNameFileLineAndField) {
  // A branch setting on line 4, before "services:".
  auto branch_setting = [](std::string line) {
    auto lines = Branch();
    lines.insert(lines.begin() + 3, std::move(line));
    return lines;
  };
  // A setting of service A on line 9.
  auto service_setting = [](std::string line) {
    auto lines = Branch();
    lines.insert(lines.begin() + 8, std::move(line));
    return lines;
  };
  // Settings of counter 1 from line 15 on.
  auto counter_settings = [](std::vector<std::string> lines) { return Branch(std::move(lines)); };

  std::vector<BadConfig> cases;
  // Counters.
  cases.push_back(
      {"unknown strategy",
       counter_settings({"        strategy: fastest"}),
       15,
       {"branches[0].counters[0].strategy", "'fastest'", "in_order, longest_wait or counted"}});
  cases.push_back({"rules with a bad quota",
                   counter_settings({"        strategy: counted", "        rules: vip:x,normal"}),
                   16,
                   {"branches[0].counters[0].rules", "vip:x,normal", "quota"}});
  cases.push_back({"rules with an unknown class",
                   counter_settings({"        strategy: counted", "        rules: gold:2,normal"}),
                   16,
                   {"branches[0].counters[0].rules", "gold"}});
  cases.push_back({"rules without a fallback class",
                   counter_settings({"        strategy: counted", "        rules: vip:1"}),
                   16,
                   {"branches[0].counters[0].rules", "fallback"}});
  cases.push_back({"rules not a single value",
                   counter_settings({"        strategy: counted", "        rules: [vip, normal]"}),
                   16,
                   {"branches[0].counters[0].rules", "single value"}});
  cases.push_back({"counted without rules",
                   counter_settings({"        strategy: counted"}),
                   15,
                   {"branches[0].counters[0].strategy", "needs rules"}});
  cases.push_back({"green_channel not a bool",
                   counter_settings({"        green_channel: maybe"}),
                   15,
                   {"branches[0].counters[0].green_channel", "'maybe'", "true or false"}});
  cases.push_back({"misspelt counter setting",
                   counter_settings({"        strategie: counted"}),
                   15,
                   {"branches[0].counters[0].strategie", "unknown setting"}});
  // Services.
  cases.push_back({"negative max_wait",
                   service_setting("        max_wait: -5m"),
                   9,
                   {"branches[0].services[0].max_wait", "-5m"}});
  cases.push_back({"max_wait shorter than the target",
                   service_setting("        max_wait: 5m"),
                   9,
                   {"branches[0].services[0].max_wait", "target_wait"}});
  cases.push_back({"max_wait not a duration",
                   service_setting("        max_wait: forever"),
                   9,
                   {"branches[0].services[0].max_wait", "'forever'", "not a duration"}});
  cases.push_back({"negative appointment capacity",
                   service_setting("        appointment_capacity: -1"),
                   9,
                   {"branches[0].services[0].appointment_capacity", "between 0"}});
  cases.push_back({"appointment capacity not a number",
                   service_setting("        appointment_capacity: lots"),
                   9,
                   {"branches[0].services[0].appointment_capacity", "'lots'", "whole number"}});
  // Branch: times of day.
  cases.push_back({"opening time 25:00",
                   branch_setting("    opening_time: \"25:00\""),
                   4,
                   {"branches[0].opening_time", "'25:00'", "HH:MM"}});
  cases.push_back({"opening time 9am",
                   branch_setting("    opening_time: 9am"),
                   4,
                   {"branches[0].opening_time", "'9am'", "HH:MM"}});
  cases.push_back({"closing time with seconds",
                   branch_setting("    closing_time: 17:00:00"),
                   4,
                   {"branches[0].closing_time", "HH:MM"}});
  cases.push_back({"closing before opening",
                   branch_setting("    opening_time: \"18:00\""),
                   4,
                   {"branches[0].opening_time", "closing_time must be after opening_time"}});
  // Branch: durations.
  cases.push_back({"negative auto no-show",
                   branch_setting("    auto_no_show_after: -5m"),
                   4,
                   {"branches[0].auto_no_show_after", "-5m"}});
  cases.push_back({"negative reinstate grace",
                   branch_setting("    reinstate_grace: -1h"),
                   4,
                   {"branches[0].reinstate_grace", "-1h"}});
  cases.push_back({"checkin_late not a duration",
                   branch_setting("    checkin_late: ten minutes"),
                   4,
                   {"branches[0].checkin_late", "'ten minutes'", "not a duration"}});
  cases.push_back({"negative checkin_early",
                   branch_setting("    checkin_early: -30m"),
                   4,
                   {"branches[0].checkin_early"}});
  cases.push_back({"lead longer than early check-in",
                   branch_setting("    appointment_lead: 45m"),
                   4,
                   {"branches[0].appointment_lead", "checkin_early"}});
  cases.push_back(
      {"slot too short", branch_setting("    slot_length: 1m"), 4, {"branches[0].slot_length"}});
  // Branch: numbers and placements.
  cases.push_back({"recall limit out of range",
                   branch_setting("    recall_limit: 11"),
                   4,
                   {"branches[0].recall_limit", "between 0 and 10"}});
  cases.push_back({"negative recall limit",
                   branch_setting("    recall_limit: -1"),
                   4,
                   {"branches[0].recall_limit"}});
  cases.push_back({"recall limit not a number",
                   branch_setting("    recall_limit: two"),
                   4,
                   {"branches[0].recall_limit", "'two'"}});
  cases.push_back({"negative booking horizon",
                   branch_setting("    booking_horizon_days: -1"),
                   4,
                   {"branches[0].booking_horizon_days"}});
  cases.push_back(
      {"unknown transfer placement",
       branch_setting("    transfer_placement: sideways"),
       4,
       {"branches[0].transfer_placement", "'sideways'", "by_issue_time, front or end"}});
  cases.push_back({"unknown reinstate placement",
                   branch_setting("    reinstate_placement: start"),
                   4,
                   {"branches[0].reinstate_placement", "'start'", "by_issue_time or end"}});
  cases.push_back({"reinstating at the front",
                   branch_setting("    reinstate_placement: front"),
                   4,
                   {"branches[0].reinstate_placement", "front"}});
  cases.push_back({"misspelt branch setting",
                   branch_setting("    recal_limit: 3"),
                   4,
                   {"branches[0].recal_limit", "unknown setting"}});
  ExpectRejected(cases);
}

TEST(ConfigTest, ReadsTlsSettings) {
  auto config = ParseConfig(
      "listen: 10.1.2.3:50051\n"
      "tls:\n"
      "  cert: /etc/lobbyq/tls/server.crt\n"
      "  key: /etc/lobbyq/tls/server.key\n"
      "  client_ca: /etc/lobbyq/tls/ca.crt\n"
      "allow_plaintext: false\n",
      "tls.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->tls, (TlsSettings{.cert_file = "/etc/lobbyq/tls/server.crt",
                                      .key_file = "/etc/lobbyq/tls/server.key",
                                      .client_ca_file = "/etc/lobbyq/tls/ca.crt"}));
  EXPECT_EQ(config->allow_plaintext, false);

  // Without the block: plaintext, and the command line decides about plaintext.
  config = ParseConfig("listen: 127.0.0.1:50051\n", "plain.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->tls.enabled());
  EXPECT_FALSE(config->allow_plaintext.has_value());
}

// A half-written `tls:` block must not quietly leave the port in plaintext.
TEST(ConfigTest, TlsMistakesNameFileLineAndField) {
  std::vector<BadConfig> cases;
  cases.push_back({"certificate without key",
                   {"listen: 10.1.2.3:1", "tls:", "  cert: /tls/server.crt"},
                   3,
                   {"tls.key", "required"}});
  cases.push_back({"key without certificate",
                   {"tls:", "  key: /tls/server.key", "  client_ca: /tls/ca.crt"},
                   2,
                   {"tls.cert", "required"}});
  cases.push_back({"empty path",
                   {"tls:", "  cert: ''", "  key: /tls/server.key"},
                   2,
                   {"tls.cert", "must name a PEM file"}});
  cases.push_back({"misspelt setting",
                   {"tls:", "  cert: a", "  key: b", "  client-ca: c"},
                   4,
                   {"tls.client-ca", "unknown setting"}});
  cases.push_back({"tls not a mapping", {"tls: /tls/server.crt"}, 1, {"tls", "must be a mapping"}});
  cases.push_back({"allow_plaintext not a boolean",
                   {"listen: 0.0.0.0:1", "allow_plaintext: sometimes"},
                   2,
                   {"allow_plaintext", "sometimes", "not true or false"}});
  ExpectRejected(cases);
}

TEST(ConfigTest, ReadsLimits) {
  auto config = ParseConfig(
      "limits:\n"
      "  live_tickets_per_branch: 500\n"
      "  kiosk_burst: 4\n"
      "  kiosk_tickets_per_minute: 6\n"
      "  max_request_kib: 32\n",
      "limits.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->limits.max_live_tickets_per_branch, 500);
  EXPECT_EQ(config->limits.issue_burst, 4);
  EXPECT_EQ(config->limits.issues_per_minute, 6);
  EXPECT_EQ(config->limits.max_message_bytes, 32 * 1024);

  // What the file leaves out keeps its default.
  config = ParseConfig("limits:\n  kiosk_burst: 3\n", "some.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const rpc::Limits defaults;
  EXPECT_EQ(config->limits.issue_burst, 3);
  EXPECT_EQ(config->limits.max_live_tickets_per_branch, defaults.max_live_tickets_per_branch);
  EXPECT_EQ(config->limits.issues_per_minute, defaults.issues_per_minute);
  EXPECT_EQ(config->limits.max_message_bytes, defaults.max_message_bytes);
}

TEST(ConfigTest, LimitMistakesNameFileLineAndField) {
  std::vector<BadConfig> cases;
  cases.push_back({"zero turns the cap off",
                   {"limits:", "  live_tickets_per_branch: 0"},
                   2,
                   {"limits.live_tickets_per_branch", "from 1 to"}});
  cases.push_back({"negative rate",
                   {"limits:", "  kiosk_tickets_per_minute: -5"},
                   2,
                   {"limits.kiosk_tickets_per_minute", "from 1 to"}});
  cases.push_back({"request size too small for a branch",
                   {"limits:", "  max_request_kib: 1"},
                   2,
                   {"limits.max_request_kib", "from 16 to"}});
  cases.push_back({"not a number",
                   {"limits:", "  kiosk_burst: lots"},
                   2,
                   {"limits.kiosk_burst", "lots", "not a whole number"}});
  cases.push_back({"misspelt setting",
                   {"limits:", "  kiosk_rate: 5"},
                   2,
                   {"limits.kiosk_rate", "unknown setting"}});
  ExpectRejected(cases);
}

// The shipped example documents every setting; it must stay a valid file.
TEST(ConfigTest, TheExampleConfigIsValid) {
  const std::filesystem::path example =
      std::filesystem::path(__FILE__).parent_path() / "../../deploy/lobbyq.example.yaml";
  auto config = LoadConfigFile(example.string());
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->branches.size(), 1u);
  const domain::BranchDefinition& def = config->branches[0];
  EXPECT_EQ(def.info.recall_limit, 2);
  EXPECT_EQ(def.info.opening_time, absl::Hours(9));
  EXPECT_EQ(def.services[0].appointment_capacity, 2);
  EXPECT_TRUE(def.counters[0].green_channel);
  EXPECT_EQ(def.counters[1].strategy, domain::CallStrategy::kLongestWait);
  EXPECT_EQ(def.counters[2].strategy, domain::CallStrategy::kCounted);
  EXPECT_EQ(def.counters[2].counted_rules.size(), 2u);
  EXPECT_EQ(config->durability, store::Durability::kFull);
  EXPECT_EQ(config->limits.max_live_tickets_per_branch, 2000);
}

}  // namespace
}  // namespace lobbyq::server
