// Durability setting, corruption detected at open, and online backups.

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/backup.h"
#include "server/store/store.h"

namespace lobbyq::store {
namespace {

using domain::BranchSnapshot;
using domain::Change;
using domain::Event;
using domain::EventType;
using domain::Ticket;
using domain::TicketState;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixMicros(1'700'000'000'123'456);
const absl::CivilDay kToday(2023, 11, 15);

Change NewBranch(const std::string& id) {
  Change change;
  change.branch_id = id;
  change.branch = domain::BranchInfo{.id = id, .name = "Branch " + id};
  change.services = {{.code = "A", .name_zh = "现金", .name_en = "Cash"}};
  change.counters = {{.number = 1, .name = "Window 1", .service_codes = {"A"}}};
  Event created{.at = kNow, .branch_id = id, .type = EventType::kConfigChanged};
  change.events = {created};
  return change;
}

// Ticket `id` issued, with its number sequence and its event, as the domain
// would plan it: the three rows belong together.
Change Issue(const std::string& branch_id, uint64_t id) {
  Ticket t;
  t.id = id;
  t.number = static_cast<int>(id % 999) + 1;
  t.prefix = "A";
  t.service_code = "A";
  t.origin_service_code = "A";
  t.business_day = kToday;
  t.issued_at = kNow + absl::Seconds(static_cast<int64_t>(id));
  t.queued_at = t.issued_at;
  t.request_id = absl::StrCat("kiosk-1/", id);
  t.details.text = std::string(200, 'x');  // fills pages faster
  Change change;
  change.branch_id = branch_id;
  change.tickets = {t};
  change.sequences = {{.service_code = "A", .business_day = kToday, .last_number = t.number}};
  change.events = {Event{.at = t.issued_at,
                         .branch_id = branch_id,
                         .type = EventType::kTicketIssued,
                         .ticket_id = id,
                         .to_state = TicketState::kWaiting,
                         .service_code = "A",
                         .detail = "A issued"}};
  return change;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class CrashSafetyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat("crash_safety_test_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name(), "_",
                        getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "lobbyq.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A closed database file holding branch "b1" with `tickets` tickets: many
  // pages, none of them free.
  void WriteDatabase(int tickets) {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    Change branch = NewBranch("b1");
    ASSERT_TRUE((*store)->Commit(branch).ok());
    for (int id = 1; id <= tickets; ++id) {
      Change issue = Issue("b1", id);
      ASSERT_TRUE((*store)->Commit(issue).ok());
    }
  }

  // The first column of each row of `sql` on the file at `path`, read-only.
  static std::vector<std::string> Query(const std::string& path, const std::string& sql) {
    std::vector<std::string> values;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      values.emplace_back(text != nullptr ? text : "NULL");
    }
    EXPECT_EQ(rc, SQLITE_DONE) << sql;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return values;
  }

  // Opening must fail with DataLoss and a message that names the file, says it
  // is corrupt and what to do; and the refused file must be left as it was.
  void ExpectRefusedAsCorrupt() {
    const std::string before = ReadFile(path_);
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
    const std::string message(store.status().message());
    EXPECT_THAT(message, HasSubstr(absl::StrCat("database '", path_, "' is corrupt")));
    EXPECT_THAT(message, HasSubstr("copy the latest backup"));
    EXPECT_THAT(message, HasSubstr("lobbyq-server --backup"));
    EXPECT_EQ(ReadFile(path_), before) << "a refused file was written to";
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(CrashSafetyTest, DurabilityIsFullUnlessAskedForNormal) {
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ(*(*store)->CurrentDurability(), Durability::kFull);
  }
  {
    absl::StatusOr<std::unique_ptr<Store>> store =
        Store::Open(path_, {.durability = Durability::kNormal});
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ(*(*store)->CurrentDurability(), Durability::kNormal);
    Change change = NewBranch("b1");
    ASSERT_TRUE((*store)->Commit(change).ok());
  }
  // The setting belongs to the connection, not the file: the next open is
  // back to the default, and what was written under normal is all there.
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(*(*store)->CurrentDurability(), Durability::kFull);
  EXPECT_TRUE((*store)->LoadBranch("b1", kNow).ok());
}

TEST_F(CrashSafetyTest, DurabilityNamesRoundTrip) {
  for (Durability d : {Durability::kFull, Durability::kNormal}) {
    EXPECT_EQ(ParseDurability(DurabilityName(d)), d);
  }
  EXPECT_EQ(ParseDurability("FULL"), std::nullopt);
  EXPECT_EQ(ParseDurability("off"), std::nullopt);
}

TEST_F(CrashSafetyTest, TruncatedFileIsRefusedAtOpen) {
  ASSERT_NO_FATAL_FAILURE(WriteDatabase(300));
  ASSERT_FALSE(std::filesystem::exists(path_ + "-wal")) << "closing should checkpoint the log";
  const auto size = std::filesystem::file_size(path_);
  ASSERT_GT(size, 20u * 4096) << "too small to lose half of it meaningfully";
  std::filesystem::resize_file(path_, size / 2);
  ExpectRefusedAsCorrupt();
}

TEST_F(CrashSafetyTest, FileCutAtAnOddLengthIsRefusedAtOpen) {
  ASSERT_NO_FATAL_FAILURE(WriteDatabase(300));
  std::filesystem::resize_file(path_, std::filesystem::file_size(path_) - 1000);
  ExpectRefusedAsCorrupt();
}

TEST_F(CrashSafetyTest, GarbageInTheMiddleIsRefusedAtOpen) {
  ASSERT_NO_FATAL_FAILURE(WriteDatabase(300));
  const std::vector<std::string> page_size = Query(path_, "PRAGMA page_size");
  const std::vector<std::string> page_count = Query(path_, "PRAGMA page_count");
  ASSERT_EQ(page_size.size(), 1u);
  ASSERT_EQ(page_count.size(), 1u);
  const long page = std::stol(page_size[0]);
  const long pages = std::stol(page_count[0]);
  ASSERT_EQ(Query(path_, "PRAGMA freelist_count").at(0), "0")
      << "a free page could take the garbage unnoticed";
  {
    // One whole page in the middle, pseudo-random bytes (fixed, so every run
    // corrupts the same way).
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(page * (pages / 2));
    uint32_t x = 2463534242u;
    for (long i = 0; i < page; ++i) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      file.put(static_cast<char>(x & 0xff));
    }
    ASSERT_TRUE(file.good());
  }
  ExpectRefusedAsCorrupt();
}

TEST_F(CrashSafetyTest, FileThatIsNoDatabaseIsRefusedAtOpen) {
  {
    std::ofstream out(path_);
    out << "branches:\n  - id: north\n" << std::string(8000, '#') << "\n";
  }
  ExpectRefusedAsCorrupt();
}

TEST_F(CrashSafetyTest, BackupOfAnOpenStoreRestoresItsTicketsAndEvents) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  Change branch = NewBranch("b1");
  ASSERT_TRUE((*store)->Commit(branch).ok());
  for (uint64_t id = 1; id <= 40; ++id) {
    Change issue = Issue("b1", id);
    ASSERT_TRUE((*store)->Commit(issue).ok());
  }
  absl::StatusOr<BranchSnapshot> before = (*store)->LoadBranch("b1", kNow - absl::Hours(1));
  absl::StatusOr<std::vector<Event>> events_before = (*store)->ReadEvents("b1", 0, 1000);
  ASSERT_TRUE(before.ok() && events_before.ok());
  ASSERT_EQ(before->tickets.size(), 40u);

  // The store holds the lock file and its log is not checkpointed: the backup
  // must read through the log without the lock.
  const std::string backup = (dir_ / "backup.db").string();
  ASSERT_TRUE(BackupDatabase(path_, backup).ok());
  // Later commits are not in it.
  Change later = Issue("b1", 41);
  ASSERT_TRUE((*store)->Commit(later).ok());

  EXPECT_FALSE(std::filesystem::exists(backup + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(backup + ".partial"));
  EXPECT_EQ(Query(backup, "PRAGMA journal_mode").at(0), "delete") << "a backup is one file";

  absl::StatusOr<std::unique_ptr<Store>> restored = Store::Open(backup);
  ASSERT_TRUE(restored.ok()) << restored.status();
  absl::StatusOr<BranchSnapshot> after = (*restored)->LoadBranch("b1", kNow - absl::Hours(1));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->tickets, before->tickets);
  EXPECT_EQ(after->sequences, before->sequences);
  EXPECT_EQ(after->counters, before->counters);
  EXPECT_EQ(after->max_ticket_id, 40u);
  absl::StatusOr<std::vector<Event>> events_after = (*restored)->ReadEvents("b1", 0, 1000);
  ASSERT_TRUE(events_after.ok()) << events_after.status();
  EXPECT_EQ(*events_after, *events_before);
}

TEST_F(CrashSafetyTest, BackupDuringCommitsIsOneConsistentSnapshot) {
  absl::StatusOr<std::unique_ptr<Store>> store =
      Store::Open(path_, {.durability = Durability::kNormal});
  ASSERT_TRUE(store.ok()) << store.status();
  Change branch = NewBranch("b1");
  ASSERT_TRUE((*store)->Commit(branch).ok());
  Change first = Issue("b1", 1);
  ASSERT_TRUE((*store)->Commit(first).ok());

  // A writer commits ticket + sequence + event together, as fast as it can,
  // while backups are taken. Whatever the interleaving, each backup must hold
  // whole commits only: as many tickets as issue events, numbered 1..n.
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> committed{1};
  std::thread writer([&] {
    for (uint64_t id = 2; !stop && id < 100'000; ++id) {
      Change issue = Issue("b1", id);
      if (!(*store)->Commit(issue).ok()) return;
      committed = id;
    }
  });
  std::vector<std::string> backups;
  for (int i = 0; i < 5; ++i) {
    backups.push_back((dir_ / absl::StrCat("backup-", i, ".db")).string());
    const absl::Status s = BackupDatabase(path_, backups.back());
    EXPECT_TRUE(s.ok()) << s;
  }
  stop = true;
  writer.join();

  uint64_t previous = 0;
  for (const std::string& b : backups) {
    SCOPED_TRACE(b);
    const std::vector<std::string> tickets = Query(b, "SELECT COUNT(*) FROM tickets");
    const std::vector<std::string> issued =
        Query(b, "SELECT COUNT(*) FROM events WHERE type = 'ticket_issued'");
    const std::vector<std::string> max_id = Query(b, "SELECT MAX(ticket_id) FROM tickets");
    const std::vector<std::string> sequence = Query(b, "SELECT last_number FROM number_sequences");
    ASSERT_EQ(tickets.size(), 1u);
    EXPECT_EQ(tickets, issued);
    EXPECT_EQ(tickets, max_id);
    const uint64_t n = std::stoull(tickets[0]);
    EXPECT_EQ(sequence.at(0), absl::StrCat(n % 999 + 1));
    EXPECT_GE(n, previous) << "backups are taken one after the other";
    EXPECT_LE(n, committed.load());
    previous = n;
  }
}

TEST_F(CrashSafetyTest, BackupNeverOverwritesAFile) {
  ASSERT_NO_FATAL_FAILURE(WriteDatabase(3));
  const std::string backup = (dir_ / "backup.db").string();
  {
    std::ofstream out(backup);
    out << "last week's backup";
  }
  const absl::Status s = BackupDatabase(path_, backup);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(backup));
  EXPECT_THAT(std::string(s.message()), HasSubstr("already exists"));
  EXPECT_EQ(ReadFile(backup), "last week's backup");
}

TEST_F(CrashSafetyTest, BackupOfAMissingDatabaseSaysSo) {
  const std::string backup = (dir_ / "backup.db").string();
  const absl::Status s = BackupDatabase((dir_ / "nothing-here.db").string(), backup);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("nothing-here.db"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("--data"));
  EXPECT_FALSE(std::filesystem::exists(backup));
}

TEST_F(CrashSafetyTest, BackupOfACorruptDatabaseWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(WriteDatabase(300));
  std::filesystem::resize_file(path_, std::filesystem::file_size(path_) / 2);
  const std::string backup = (dir_ / "backup.db").string();
  const absl::Status s = BackupDatabase(path_, backup);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(path_));
  EXPECT_THAT(std::string(s.message()), HasSubstr("is corrupt"));
  EXPECT_FALSE(std::filesystem::exists(backup));
  EXPECT_FALSE(std::filesystem::exists(backup + ".partial"));
}

}  // namespace
}  // namespace lobbyq::store
