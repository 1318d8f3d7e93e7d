// ParseConfig: a valid file becomes branches, services and counters; a bad one
// is refused with "<file>:<line>: <field>: <what>".

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
                   5,
                   {"branches[0].services[0]", "target_wait"}});
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

}  // namespace
}  // namespace lobbyq::server
