#include "server/domain/permissions.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lobbyq::domain {
namespace {

using ::testing::HasSubstr;

Principal Caller(Role role, std::string branch = "demo", uint32_t counter = 0) {
  return Principal{.name = "user:someone",
                   .role = role,
                   .branch_id = role == Role::kAdmin ? "" : std::move(branch),
                   .counter = counter};
}

TEST(PermissionsTest, TableHasOneRowPerOperationInOrderWithDistinctRpcs) {
  std::set<std::string> rpcs;
  size_t index = 0;
  for (const PermissionRow& row : PermissionTable()) {
    EXPECT_EQ(static_cast<size_t>(row.operation), index) << row.rpc;
    EXPECT_TRUE(rpcs.insert(std::string(row.rpc)).second) << "twice: " << row.rpc;
    ++index;
  }
  EXPECT_EQ(index, static_cast<size_t>(Operation::kWhoAmI) + 1);
}

TEST(PermissionsTest, AdminMayDoEverythingEverywhere) {
  for (const PermissionRow& row : PermissionTable()) {
    EXPECT_TRUE(Authorize(Caller(Role::kAdmin), row.operation, {"other", 7}).ok()) << row.rpc;
  }
}

TEST(PermissionsTest, DisplayOnlyReads) {
  const Principal display = Caller(Role::kDisplay);
  EXPECT_TRUE(Authorize(display, Operation::kWatchLobby, {"demo"}).ok());
  EXPECT_TRUE(Authorize(display, Operation::kGetLobbyStatus, {"demo"}).ok());
  for (Operation op : {Operation::kIssueTicket, Operation::kCallNext, Operation::kCancelTicket,
                       Operation::kBookAppointment, Operation::kUpsertService,
                       Operation::kSubmitRating, Operation::kGetMetrics}) {
    const absl::Status s = Authorize(display, op, {"demo", 1});
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << PermissionOf(op).rpc;
    EXPECT_THAT(s.message(), HasSubstr("display")) << s;
  }
}

TEST(PermissionsTest, KioskIssuesOnlyForItsOwnBranch) {
  const Principal kiosk = Caller(Role::kKiosk, "bj-001");
  EXPECT_TRUE(Authorize(kiosk, Operation::kIssueTicket, {"bj-001"}).ok());
  const absl::Status other = Authorize(kiosk, Operation::kIssueTicket, {"sh-002"});
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(other.message(), HasSubstr("'bj-001'"));
  EXPECT_THAT(other.message(), HasSubstr("'sh-002'"));
  EXPECT_EQ(Authorize(kiosk, Operation::kCallNext, {"bj-001", 1}).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Authorize(kiosk, Operation::kGetMetrics, {"bj-001"}).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(PermissionsTest, TellerActsOnlyAtTheCounterSignedInTo) {
  const Principal teller = Caller(Role::kTeller, "demo", 3);
  EXPECT_TRUE(Authorize(teller, Operation::kCallNext, {"demo", 3}).ok());
  EXPECT_TRUE(Authorize(teller, Operation::kSubmitRating, {"demo", 3}).ok());
  const absl::Status other = Authorize(teller, Operation::kCallNext, {"demo", 4});
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(other.message(), HasSubstr("counter 3"));
  EXPECT_EQ(Authorize(teller, Operation::kIssueTicket, {"demo"}).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Authorize(teller, Operation::kCallNext, {"other", 3}).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(PermissionsTest, ManagerRunsTheBranchButNotItsConfiguration) {
  const Principal manager = Caller(Role::kManager);
  for (Operation op : {Operation::kCallNext, Operation::kIssueTicket, Operation::kGetMetrics,
                       Operation::kListAudit, Operation::kListAppointments}) {
    EXPECT_TRUE(Authorize(manager, op, {"demo", 5}).ok()) << PermissionOf(op).rpc;
  }
  for (Operation op :
       {Operation::kUpsertService, Operation::kUpsertCounter, Operation::kUpdateBranch,
        Operation::kCreateBranch, Operation::kPutUser, Operation::kPutDevice}) {
    EXPECT_EQ(Authorize(manager, op, {"demo"}).code(), absl::StatusCode::kPermissionDenied)
        << PermissionOf(op).rpc;
  }
  EXPECT_EQ(Authorize(manager, Operation::kGetMetrics, {"other"}).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(PermissionsTest, RolesRoundTripByName) {
  for (Role role : {Role::kKiosk, Role::kDisplay, Role::kTeller, Role::kManager, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_FALSE(ParseRole("root").has_value());
  EXPECT_TRUE(IsPersonRole(Role::kTeller));
  EXPECT_FALSE(IsPersonRole(Role::kKiosk));
}

// docs/security.md shows the table to people; it must say what the code does.
TEST(PermissionsTest, SecurityDocMatchesTheTable) {
  std::ifstream in(LOBBYQ_SOURCE_DIR "/docs/security.md");
  ASSERT_TRUE(in) << "cannot read docs/security.md";
  std::map<std::string, std::vector<std::string>> documented;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells = absl::StrSplit(line, '|');
    if (cells.size() != 9) continue;  // "| rpc | scope | 5 roles |" and the empty ends
    for (auto& cell : cells) cell = std::string(absl::StripAsciiWhitespace(cell));
    if (cells[1].find("Service.") == std::string::npos) continue;
    documented[cells[1]] = {cells[3], cells[4], cells[5], cells[6], cells[7]};
  }
  EXPECT_EQ(documented.size(), PermissionTable().size());
  for (const PermissionRow& row : PermissionTable()) {
    auto it = documented.find(std::string(row.rpc));
    ASSERT_NE(it, documented.end()) << row.rpc << " is missing from docs/security.md";
    const bool allowed[] = {row.kiosk, row.display, row.teller, row.manager, row.admin};
    for (int role = 0; role < 5; ++role) {
      EXPECT_EQ(it->second[role], allowed[role] ? "yes" : "—")
          << row.rpc << ", role " << RoleName(static_cast<Role>(role));
    }
  }
}

}  // namespace
}  // namespace lobbyq::domain
