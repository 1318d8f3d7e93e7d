// lobbyq-server --backup against a running server, restoring the backup into
// a fresh server, and a start on a damaged database: the real binary, as an
// operator runs it.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lobbyq/v1/counter.grpc.pb.h"
#include "lobbyq/v1/kiosk.grpc.pb.h"
#include "tests/crash/lobby_db.h"
#include "tests/crash/server_process.h"

namespace lobbyq::crash {
namespace {

using ::testing::HasSubstr;

constexpr char kBranch[] = "demo";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class Client {
 public:
  Client(std::shared_ptr<grpc::Channel> channel, std::string data_dir)
      : kiosk_(v1::KioskService::NewStub(channel)),
        counter_(v1::CounterService::NewStub(channel)),
        data_dir_(std::move(data_dir)) {}

  v1::Ticket Issue(const std::string& service, const std::string& request_id) {
    v1::IssueTicketRequest req;
    req.set_branch_id(kBranch);
    req.set_service_code(service);
    req.set_request_id(request_id);
    v1::TicketResponse resp;
    grpc::Status s = kiosk_->IssueTicket(NewContext(data_dir_).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.ticket();
  }

  grpc::Status Get(uint64_t id, v1::Ticket* ticket) {
    v1::GetTicketRequest req;
    req.set_branch_id(kBranch);
    req.set_ticket_id(id);
    v1::TicketResponse resp;
    grpc::Status s = kiosk_->GetTicket(NewContext(data_dir_).get(), req, &resp);
    *ticket = resp.ticket();
    return s;
  }

  // Opens counter 2, calls, serves and finishes the next ticket; its id.
  uint64_t ServeOne() {
    v1::CounterRequest req;
    req.set_branch_id(kBranch);
    req.set_counter(2);
    v1::CounterResponse opened;
    EXPECT_TRUE(counter_->OpenCounter(NewContext(data_dir_).get(), req, &opened).ok());
    v1::CallNextResponse called;
    EXPECT_TRUE(counter_->CallNext(NewContext(data_dir_).get(), req, &called).ok());
    v1::TicketActionResponse action;
    EXPECT_TRUE(counter_->StartService(NewContext(data_dir_).get(), req, &action).ok());
    EXPECT_TRUE(counter_->Finish(NewContext(data_dir_).get(), req, &action).ok());
    EXPECT_EQ(action.ticket().state(), v1::TICKET_STATE_DONE);
    return action.ticket().ticket_id();
  }

 private:
  std::unique_ptr<v1::KioskService::Stub> kiosk_;
  std::unique_ptr<v1::CounterService::Stub> counter_;
  std::string data_dir_;
};

TEST(BackupCliTest, BackupOfARunningServerRestoresItsTicketsAndEvents) {
  TempDir live("backup-live");
  TempDir restored("backup-restored");
  const std::string backup = restored.path() + "/lobbyq.db";
  auto server = ServerProcess::Spawn(live.path());
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->WaitUntilListening().ok()) << (*server)->LogTail();
  auto client = std::make_unique<Client>((*server)->Channel(), live.path());
  std::vector<v1::Ticket> tickets;
  for (int i = 0; i < 12; ++i) {
    tickets.push_back(client->Issue(i % 3 == 0 ? "B" : "A", absl::StrCat("before-", i)));
  }
  const uint64_t served = client->ServeOne();

  // The server keeps running and keeps its lock file throughout.
  const std::string log = live.path() + "/backup.log";
  absl::StatusOr<int> code =
      ServerProcess::Run({"--data", live.path(), "--backup", backup}, log, kStartTimeout);
  ASSERT_TRUE(code.ok()) << code.status();
  ASSERT_EQ(*code, 0) << ReadFile(log);
  EXPECT_THAT(ReadFile(log), HasSubstr(absl::StrCat("written to ", backup)));
  const v1::Ticket after_backup = client->Issue("A", "after-backup");
  client.reset();  // a connected client holds up a clean stop for 5 s

  // A second backup to the same name is refused, and leaves the first alone.
  const std::string first_copy = ReadFile(backup);
  code = ServerProcess::Run({"--data", live.path(), "--backup", backup}, log, kStartTimeout);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 1);
  EXPECT_THAT(ReadFile(log), HasSubstr("already exists"));
  EXPECT_EQ(ReadFile(backup), first_copy);

  // Restore: a fresh server on a directory holding only the backup.
  auto fresh = ServerProcess::Spawn(restored.path());
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  ASSERT_TRUE((*fresh)->WaitUntilListening().ok()) << (*fresh)->LogTail();
  {
    Client restored_client((*fresh)->Channel(), restored.path());
    for (const v1::Ticket& t : tickets) {
      v1::Ticket got;
      ASSERT_TRUE(restored_client.Get(t.ticket_id(), &got).ok()) << t.number();
      EXPECT_EQ(got.number(), t.number());
      EXPECT_EQ(got.issued_at().seconds(), t.issued_at().seconds());
      EXPECT_EQ(got.issued_at().nanos(), t.issued_at().nanos());
      EXPECT_EQ(got.state(),
                t.ticket_id() == served ? v1::TICKET_STATE_DONE : v1::TICKET_STATE_WAITING);
    }
    v1::Ticket missing;
    EXPECT_EQ(restored_client.Get(after_backup.ticket_id(), &missing).error_code(),
              grpc::StatusCode::NOT_FOUND)
        << "a ticket issued after the backup is not in it";
  }

  // The events too: the backup's log is the live log up to the backup, row for row.
  ASSERT_TRUE((*fresh)->Terminate(absl::Seconds(30)).ok());
  ASSERT_TRUE((*server)->Terminate(absl::Seconds(30)).ok());
  absl::StatusOr<DbSnapshot> copy = ReadDatabase(backup, kBranch);
  absl::StatusOr<DbSnapshot> original = ReadDatabase(live.path() + "/lobbyq.db", kBranch);
  ASSERT_TRUE(copy.ok()) << copy.status();
  ASSERT_TRUE(original.ok()) << original.status();
  EXPECT_THAT(CheckInvariants(*copy), ::testing::IsEmpty());
  ASSERT_LT(copy->events.size(), original->events.size());
  for (size_t i = 0; i < copy->events.size(); ++i) {
    const EventRow& a = copy->events[i];
    const EventRow& b = original->events[i];
    EXPECT_TRUE(a.seq == b.seq && a.at == b.at && a.type == b.type && a.ticket_id == b.ticket_id &&
                a.counter == b.counter && a.detail == b.detail)
        << "event " << i << ": " << a.seq << " " << a.type << " vs " << b.seq << " " << b.type;
  }
  EXPECT_EQ(copy->events.back().type, "ticket_finished");
  EXPECT_EQ(copy->events.back().ticket_id, served);
  EXPECT_EQ(original->events[copy->events.size()].type, "ticket_issued");
}

TEST(CorruptStartTest, ServerRefusesADamagedDatabaseAndSaysWhatToDo) {
  TempDir dir("corrupt");
  const std::string db = dir.path() + "/lobbyq.db";
  {
    auto server = ServerProcess::Spawn(dir.path());
    ASSERT_TRUE(server.ok()) << server.status();
    ASSERT_TRUE((*server)->WaitUntilListening().ok()) << (*server)->LogTail();
    {
      Client client((*server)->Channel(), dir.path());
      for (int i = 0; i < 20; ++i) client.Issue("A", absl::StrCat("r", i));
    }  // disconnected: a connected client holds up a clean stop for 5 s
    absl::StatusOr<int> code = (*server)->Terminate(absl::Seconds(30));
    ASSERT_TRUE(code.ok()) << code.status();
    ASSERT_EQ(*code, 0);
  }
  // A disk or a copy gone wrong: the second half of the file is lost.
  const auto size = std::filesystem::file_size(db);
  ASSERT_GT(size, 8u * 4096);
  std::filesystem::resize_file(db, size / 2);

  auto server = ServerProcess::Spawn(dir.path());
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<int> code = (*server)->WaitForExit(kStartTimeout);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 1);
  const std::string log = ReadFile((*server)->log_path());
  EXPECT_THAT(log, HasSubstr(absl::StrCat("database '", db, "' is corrupt")));
  EXPECT_THAT(log, HasSubstr("lobbyq-server --backup"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/port")) << "it must not serve";
  EXPECT_EQ(std::filesystem::file_size(db), size / 2) << "the damaged file is left as it was";
}

}  // namespace
}  // namespace lobbyq::crash
