// Every input the fuzzers were seeded with or crashed on, run through the same
// targets in the normal test suite: a finding, once fixed, stays fixed.
// Inputs live in tests/fuzz/corpus/<target>/ and tests/fuzz/regressions/<target>/;
// a target stops the process on a finding, which fails this test.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness.h"
#include "server/domain/validation.h"

namespace lobbyq::fuzz {
namespace {

using RunFn = int (*)(const uint8_t*, size_t);

struct Target {
  const char* name;
  RunFn run;
};

constexpr Target kTargets[] = {
    {"kiosk", RunKiosk},   {"counter", RunCounter}, {"appointment", RunAppointment},
    {"admin", RunAdmin},   {"lobby", RunLobby},     {"config", RunConfig},
    {"fields", RunFields},
};

std::vector<std::filesystem::path> Inputs(const std::string& kind, const std::string& target) {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path dir = std::filesystem::path(LOBBYQ_FUZZ_DIR) / kind / target;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  return files;
}

void RunAll(const Target& target, const std::vector<std::filesystem::path>& files) {
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << file;
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(target.run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
  }
}

class FuzzInputs : public ::testing::TestWithParam<Target> {};

TEST_P(FuzzInputs, SeedCorpusRunsClean) {
  const auto files = Inputs("corpus", GetParam().name);
  // A target without seeds starts from nothing and finds little in CI's time.
  EXPECT_GE(files.size(), 3u) << "tests/fuzz/corpus/" << GetParam().name;
  RunAll(GetParam(), files);
}

TEST_P(FuzzInputs, EarlierFindingsStayFixed) {
  RunAll(GetParam(), Inputs("regressions", GetParam().name));
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzInputs, ::testing::ValuesIn(kTargets),
                         [](const auto& info) { return std::string(info.param.name); });

// fuzz_admin: CreateBranch took "Eur\0e/Berlin" as a time zone. The zone is
// loaded by name from the zoneinfo directory, and a NUL, "..", or a leading
// '/' would have the server open a file the caller chose.
TEST(FuzzFindings, TimeZoneMustBeAnIanaName) {
  domain::BranchInfo info{.id = "main", .name = "Main"};
  for (const char* good : {"Asia/Shanghai", "America/Port-au-Prince", "Etc/GMT+8", "UTC"}) {
    info.timezone = good;
    EXPECT_TRUE(domain::ValidateBranchInfo(info).ok()) << good;
  }
  for (const std::string& bad :
       {std::string("Eur\0e/Berlin", 12), std::string("Europe/Berlin\0junk", 18),
        std::string("/etc/localtime"), std::string("../../../etc/passwd"),
        std::string("Asia/../Asia/Shanghai"), std::string("Asia/Shang hai"),
        std::string(65, 'A')}) {
    info.timezone = bad;
    const absl::Status s = domain::ValidateBranchInfo(info);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("IANA"), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace lobbyq::fuzz
