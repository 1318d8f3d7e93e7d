// Limits: a kiosk issuing too fast and a branch at its cap of live tickets are
// refused with RESOURCE_EXHAUSTED in words a kiosk can show, an oversized
// request is refused by gRPC, and none of them changes anything.

#include "gmock/gmock.h"
#include "tests/e2e/test_server.h"

namespace lobbyq::e2e {
namespace {

using ::testing::HasSubstr;

class LimitsTest : public E2eTest {
 protected:
  // Each test starts the server with the limits it tests.
  void SetUp() override {}
  void Start(rpc::Limits limits) {
    limits_ = limits;
    ASSERT_NO_FATAL_FAILURE(StartServer());
  }

  grpc::Status TryIssue(v1::KioskService::Stub* stub, const std::string& request_id,
                        v1::TicketResponse* resp, const std::string& text = "") {
    v1::IssueTicketRequest req;
    req.set_branch_id(kDemo);
    req.set_service_code("A");
    req.set_request_id(request_id);
    if (!text.empty()) req.mutable_details()->set_text(text);
    return Call(stub, &v1::KioskService::Stub::IssueTicket, req, resp);
  }

  std::unique_ptr<v1::KioskService::Stub> KioskStub(const std::string& id) {
    v1::PutDeviceRequest req;
    req.mutable_device()->set_id(id);
    req.mutable_device()->set_role(v1::ROLE_KIOSK);
    req.mutable_device()->set_branch_id(kDemo);
    v1::PutDeviceResponse resp;
    EXPECT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::PutDevice, req, &resp)));
    return v1::KioskService::NewStub(client::MakeChannel(address(), security(), resp.token()));
  }
};

TEST_F(LimitsTest, AKioskIssuingTooFastWaitsAndOthersDoNot) {
  ASSERT_NO_FATAL_FAILURE(Start({.issue_burst = 3, .issues_per_minute = 6}));
  auto kiosk = KioskStub("kiosk-1");
  v1::TicketResponse resp;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(IsOk(TryIssue(kiosk.get(), absl::StrCat("r", i), &resp)));
  const uint64_t before = Lobby().last_event_seq();
  const grpc::Status refused = TryIssue(kiosk.get(), "r3", &resp);
  EXPECT_TRUE(HasCode(refused, grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_THAT(refused.error_message(), HasSubstr("try again in 10 s"));
  EXPECT_THAT(refused.error_message(), HasSubstr("请 10 秒后再试"));
  EXPECT_EQ(Lobby().last_event_seq(), before);

  // Another kiosk has its own allowance.
  auto other = KioskStub("kiosk-2");
  EXPECT_TRUE(IsOk(TryIssue(other.get(), "o1", &resp)));

  // Six a minute: one more every 10 s.
  clock_.Advance(absl::Seconds(9));
  EXPECT_TRUE(HasCode(TryIssue(kiosk.get(), "r3", &resp), grpc::StatusCode::RESOURCE_EXHAUSTED));
  clock_.Advance(absl::Seconds(1));
  v1::TicketResponse fourth;
  EXPECT_TRUE(IsOk(TryIssue(kiosk.get(), "r3", &fourth)));

  // A retry whose reply was lost always gets its ticket, however fast.
  v1::TicketResponse again;
  ASSERT_TRUE(IsOk(TryIssue(kiosk.get(), "r3", &again)));
  EXPECT_EQ(again.ticket().ticket_id(), fourth.ticket().ticket_id());
}

TEST_F(LimitsTest, ABranchAtItsCapRefusesNewTicketsButNotRetries) {
  ASSERT_NO_FATAL_FAILURE(Start({.max_live_tickets_per_branch = 4}));
  auto first = KioskStub("kiosk-1");
  auto second = KioskStub("kiosk-2");
  v1::TicketResponse resp;
  ASSERT_TRUE(IsOk(TryIssue(first.get(), "a1", &resp)));
  ASSERT_TRUE(IsOk(TryIssue(first.get(), "a2", &resp)));
  ASSERT_TRUE(IsOk(TryIssue(second.get(), "b1", &resp)));
  v1::TicketResponse fourth;
  ASSERT_TRUE(IsOk(TryIssue(second.get(), "b2", &fourth)));
  const uint64_t before = Lobby().last_event_seq();
  const grpc::Status full = TryIssue(second.get(), "b3", &resp);
  EXPECT_TRUE(HasCode(full, grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_THAT(full.error_message(), HasSubstr("queues are full"));
  EXPECT_EQ(Lobby().last_event_seq(), before);

  // The kiosk whose reply was lost gets its ticket again.
  v1::TicketResponse again;
  ASSERT_TRUE(IsOk(TryIssue(second.get(), "b2", &again)));
  EXPECT_EQ(again.ticket().ticket_id(), fourth.ticket().ticket_id());

  // A customer served frees a place.
  Open(1);
  CallNext(1);
  StartService(1);
  Finish(1);
  EXPECT_TRUE(IsOk(TryIssue(first.get(), "a3", &resp)));
}

TEST_F(LimitsTest, AnOversizedRequestIsRefusedByGrpc) {
  ASSERT_NO_FATAL_FAILURE(Start({.max_message_bytes = 16 * 1024}));
  const uint64_t before = Lobby().last_event_seq();
  v1::TicketResponse resp;
  const grpc::Status s = TryIssue(kiosk_.get(), "big", &resp, std::string(32 * 1024, 'x'));
  EXPECT_TRUE(HasCode(s, grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(Lobby().last_event_seq(), before);
}

}  // namespace
}  // namespace lobbyq::e2e
