// Users, devices and sessions in the store: secrets only as given (hashes),
// sessions ending with their user, and demo rows removable in one go.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/store.h"

namespace lobbyq::store {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Store::Open("");
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }
  void PutUser(const std::string& name, domain::Role role, bool demo = false) {
    ASSERT_TRUE(store_
                    ->PutUser({.name = name,
                               .role = role,
                               .branch_id = "demo",
                               .password_hash = "$argon2id$fake-" + name,
                               .demo = demo})
                    .ok());
  }
  void PutSession(const std::string& hash, const std::string& user, absl::Time expires) {
    ASSERT_TRUE(
        store_
            ->PutSession(
                {.token_hash = hash, .user_name = user, .counter = 2, .expires_at = expires})
            .ok());
  }
  std::vector<std::string> SessionHashes() {
    auto sessions = store_->LiveSessions(kNow);
    EXPECT_TRUE(sessions.ok()) << sessions.status();
    std::vector<std::string> out;
    for (const auto& s : *sessions) out.push_back(s.token_hash);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::unique_ptr<Store> store_;
};

TEST_F(CredentialsTest, UsersRoundTripAndANewPasswordEndsTheirSessions) {
  PutUser("tina", domain::Role::kTeller);
  PutUser("mark", domain::Role::kManager);
  PutSession("h-tina", "tina", kNow + absl::Hours(1));
  PutSession("h-mark", "mark", kNow + absl::Hours(1));
  auto users = store_->ListUsers();
  ASSERT_TRUE(users.ok());
  EXPECT_THAT(*users, ElementsAre(Field(&Store::UserRow::name, "mark"),
                                  Field(&Store::UserRow::name, "tina")));
  EXPECT_EQ((*users)[1].role, domain::Role::kTeller);
  EXPECT_EQ((*users)[1].password_hash, "$argon2id$fake-tina");

  PutUser("tina", domain::Role::kTeller);  // a new password
  EXPECT_THAT(SessionHashes(), ElementsAre("h-mark"));
  ASSERT_TRUE(store_->RemoveUser("mark").ok());
  EXPECT_THAT(SessionHashes(), IsEmpty());
  EXPECT_EQ(store_->RemoveUser("mark").code(), absl::StatusCode::kNotFound);
}

TEST_F(CredentialsTest, ExpiredSessionsAreDeleted) {
  PutUser("tina", domain::Role::kTeller);
  PutSession("old", "tina", kNow - absl::Seconds(1));
  PutSession("exact", "tina", kNow);
  PutSession("live", "tina", kNow + absl::Seconds(1));
  EXPECT_THAT(SessionHashes(), ElementsAre("live"));
}

TEST_F(CredentialsTest, DemoRowsGoInOneStepAndOthersStay) {
  PutUser("admin", domain::Role::kAdmin, /*demo=*/true);
  PutUser("real-admin", domain::Role::kAdmin);
  PutSession("demo-session", "admin", kNow + absl::Hours(1));
  ASSERT_TRUE(store_
                  ->PutDevice({.id = "kiosk-1",
                               .role = domain::Role::kKiosk,
                               .branch_id = "demo",
                               .token_hash = "t1",
                               .demo = true})
                  .ok());
  ASSERT_TRUE(store_
                  ->PutDevice({.id = "kiosk-9",
                               .role = domain::Role::kKiosk,
                               .branch_id = "demo",
                               .token_hash = "t9"})
                  .ok());
  auto removed = store_->RemoveDemoCredentials();
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 3);
  EXPECT_THAT(*store_->ListUsers(), ElementsAre(Field(&Store::UserRow::name, "real-admin")));
  EXPECT_THAT(*store_->ListDevices(), ElementsAre(Field(&Store::DeviceRow::id, "kiosk-9")));
  EXPECT_THAT(SessionHashes(), IsEmpty());
  EXPECT_EQ(store_->RemoveDevice("kiosk-1").code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace lobbyq::store
