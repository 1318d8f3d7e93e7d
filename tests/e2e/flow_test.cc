// The customer's and the teller's everyday paths over real gRPC: issue, call,
// serve, finish, rate; idempotent retries; transfer; the rating window;
// numbering; teller actions; and the health service.

#include <google/protobuf/io/coded_stream.h>
#include <grpcpp/generic/generic_stub.h>

#include <future>
#include <thread>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "tests/e2e/test_server.h"

namespace lobbyq::e2e {
namespace {

using ::testing::ElementsAre;

int64_t Seconds(const google::protobuf::Duration& d) { return d.seconds(); }

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

const v1::ServiceStatus* FindService(const v1::ListServicesResponse& list,
                                     const std::string& code) {
  for (const auto& s : list.services()) {
    if (s.service().code() == code) return &s;
  }
  return nullptr;
}

v1::SubmitRatingRequest Rating(uint32_t counter, uint64_t ticket_id, int score,
                               const std::string& comment = "") {
  v1::SubmitRatingRequest req;
  req.set_branch_id(kDemo);
  req.set_counter(counter);
  req.set_ticket_id(ticket_id);
  req.set_score(score);
  req.set_comment(comment);
  return req;
}

TEST_F(E2eTest, Walkthrough) {
  // The lobby opens: four services, nobody waiting, no counter open.
  v1::ListServicesResponse services = ListServices();
  std::vector<std::string> codes;
  for (const auto& s : services.services()) {
    codes.push_back(s.service().code());
    EXPECT_EQ(s.waiting_count(), 0) << s.service().code();
    EXPECT_EQ(s.open_counters(), 0) << s.service().code();
  }
  EXPECT_THAT(codes, ElementsAre("A", "B", "C", "D"));
  EXPECT_EQ(services.services(0).service().name_en(), "Cash");
  EXPECT_EQ(services.services(0).service().name_zh(), "现金业务");
  EXPECT_EQ(Seconds(services.services(0).service().target_wait()), 600);

  // Two customers take cash tickets.
  const v1::Ticket a1 = Issue("A");
  EXPECT_EQ(a1.number(), "A001");
  EXPECT_EQ(a1.people_ahead(), 0);
  EXPECT_EQ(a1.state(), v1::TICKET_STATE_WAITING);
  EXPECT_EQ(a1.branch_id(), kDemo);
  EXPECT_EQ(a1.service_code(), "A");
  EXPECT_EQ(a1.origin_service_code(), "A");
  EXPECT_EQ(a1.priority(), v1::PRIORITY_CLASS_NORMAL);
  EXPECT_EQ(a1.business_day(), "2024-03-04");
  EXPECT_EQ(FromProto(a1.issued_at()), StartTime());
  EXPECT_FALSE(a1.has_first_called_at());
  EXPECT_EQ(a1.counter(), 0u);
  EXPECT_NE(a1.ticket_id(), 0u);

  const v1::Ticket a2 = Issue("A");
  EXPECT_EQ(a2.number(), "A002");
  EXPECT_EQ(a2.people_ahead(), 1);
  EXPECT_NE(a2.ticket_id(), a1.ticket_id());
  // Every counter is still closed: no estimate rather than a made-up one.
  EXPECT_FALSE(a2.has_estimated_wait());

  services = ListServices();
  EXPECT_EQ(FindService(services, "A")->waiting_count(), 2);
  EXPECT_EQ(FindService(services, "B")->waiting_count(), 0);
  EXPECT_FALSE(FindService(services, "A")->has_estimated_wait());

  clock_.Advance(absl::Minutes(3));
  services = ListServices();
  EXPECT_EQ(Seconds(FindService(services, "A")->longest_wait()), 180);

  // The teller opens counter 1 (profile A, B) and calls.
  const v1::CounterStatus opened = Open(1);
  EXPECT_EQ(opened.state(), v1::COUNTER_STATE_OPEN);
  EXPECT_EQ(FromProto(opened.state_since()), clock_.Now());
  EXPECT_THAT(opened.counter().service_codes(), ElementsAre("A", "B"));
  services = ListServices();
  EXPECT_EQ(FindService(services, "A")->open_counters(), 1);
  EXPECT_EQ(FindService(services, "B")->open_counters(), 1);
  EXPECT_EQ(FindService(services, "C")->open_counters(), 0);
  // Two waiting, 4 min of cash service, one open counter: the queue-length
  // baseline says (2 + 1) x 4 min; the simulated point lies in its range.
  const v1::WaitEstimate& a_estimate = FindService(services, "A")->wait_estimate();
  EXPECT_EQ(Seconds(a_estimate.ql()), 720);
  EXPECT_GT(Seconds(FindService(services, "A")->estimated_wait()), 0);
  EXPECT_LE(Seconds(a_estimate.low()), Seconds(a_estimate.point()));
  EXPECT_LE(Seconds(a_estimate.point()), Seconds(a_estimate.high()));
  EXPECT_FALSE(FindService(services, "C")->has_estimated_wait());
  v1::GetTicketRequest get;
  get.set_branch_id(kDemo);
  get.set_ticket_id(a2.ticket_id());
  v1::TicketResponse a2_now;
  ASSERT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::GetTicket, get, &a2_now)));
  // One ahead x 4 min / 1 counter: QL (1 + 1) x 4 min; the point about one service.
  EXPECT_EQ(Seconds(a2_now.ticket().wait_estimate().ql()), 480);
  EXPECT_GT(Seconds(a2_now.ticket().estimated_wait()), 60);
  EXPECT_LT(Seconds(a2_now.ticket().estimated_wait()), 480);

  v1::CallNextResponse called = CallNext(1);
  ASSERT_TRUE(called.has_ticket());
  EXPECT_EQ(called.ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(called.ticket().number(), "A001");
  EXPECT_EQ(called.ticket().state(), v1::TICKET_STATE_CALLED);
  EXPECT_EQ(called.ticket().counter(), 1u);
  EXPECT_EQ(FromProto(called.ticket().called_at()), clock_.Now());
  EXPECT_EQ(FromProto(called.ticket().first_called_at()), clock_.Now());
  EXPECT_EQ(called.counter().current_ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(GetTicket(a2.ticket_id()).people_ahead(), 0);
  EXPECT_EQ(Waiting("A"), 1);

  clock_.Advance(absl::Minutes(1));
  v1::TicketActionResponse started = StartService(1);
  EXPECT_EQ(started.ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(started.ticket().state(), v1::TICKET_STATE_SERVING);
  EXPECT_EQ(FromProto(started.ticket().started_at()), clock_.Now());

  clock_.Advance(absl::Minutes(4));
  v1::TicketActionResponse finished = Finish(1);
  EXPECT_EQ(finished.ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(finished.ticket().state(), v1::TICKET_STATE_DONE);
  EXPECT_EQ(FromProto(finished.ticket().finished_at()), clock_.Now());
  EXPECT_FALSE(finished.counter().has_current_ticket());
  EXPECT_EQ(finished.counter().last_finished_ticket_id(), a1.ticket_id());

  // The rating pad rates "the ticket last finished here".
  v1::TicketActionResponse rated;
  ASSERT_TRUE(IsOk(Call(counter_.get(), &v1::CounterService::Stub::SubmitRating,
                        Rating(1, 0, 5, "很快 quick"), &rated)));
  EXPECT_EQ(rated.ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(rated.ticket().rating(), 5);

  const v1::Ticket after = GetTicket(a1.ticket_id());
  EXPECT_EQ(after.state(), v1::TICKET_STATE_DONE);
  EXPECT_EQ(after.rating(), 5);
  EXPECT_EQ(after.rating_comment(), "很快 quick");
  EXPECT_EQ(after.number(), "A001");
  EXPECT_EQ(after.counter(), 1u);

  // The second customer, then nobody: CallNext is OK with no ticket.
  EXPECT_EQ(CallNext(1).ticket().ticket_id(), a2.ticket_id());
  StartService(1);
  EXPECT_EQ(Finish(1).ticket().state(), v1::TICKET_STATE_DONE);
  const v1::CallNextResponse empty = CallNext(1);
  EXPECT_FALSE(empty.has_ticket());
  EXPECT_EQ(empty.counter().state(), v1::COUNTER_STATE_OPEN);
  EXPECT_FALSE(empty.counter().has_current_ticket());

  // A counter whose whole profile (C, B) is empty says the same.
  Open(4);
  EXPECT_FALSE(CallNext(4).has_ticket());

  const v1::LobbyStatus lobby = Lobby();
  for (const auto& s : lobby.services()) EXPECT_EQ(s.waiting_count(), 0);
}

TEST_F(E2eTest, IssueTicketIsIdempotentPerRequestId) {
  v1::IssueTicketRequest req;
  req.set_branch_id(kDemo);
  req.set_service_code("A");
  req.set_request_id("kiosk-1/0001");
  v1::TicketResponse first;
  ASSERT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::IssueTicket, req, &first)));
  EXPECT_EQ(first.ticket().number(), "A001");
  EXPECT_EQ(Waiting("A"), 1);
  const v1::LobbyStatus before = Lobby();

  // A retry (say the kiosk lost the reply) gets the same ticket, and nothing is recorded.
  clock_.Advance(absl::Seconds(5));
  v1::TicketResponse retry;
  ASSERT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::IssueTicket, req, &retry)));
  EXPECT_EQ(retry.ticket().ticket_id(), first.ticket().ticket_id());
  EXPECT_EQ(retry.ticket().number(), "A001");
  EXPECT_TRUE(ProtoEqual(first.ticket().issued_at(), retry.ticket().issued_at()));
  EXPECT_EQ(Waiting("A"), 1);
  clock_.Advance(absl::Seconds(-5));
  EXPECT_TRUE(ProtoEqual(before, Lobby()));

  // UNSPECIFIED priority means NORMAL, so an explicit NORMAL is the same request.
  v1::IssueTicketRequest normal = req;
  normal.set_priority(v1::PRIORITY_CLASS_NORMAL);
  v1::TicketResponse same;
  ASSERT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::IssueTicket, normal, &same)));
  EXPECT_EQ(same.ticket().ticket_id(), first.ticket().ticket_id());

  // The same request_id for another service or priority is a client bug.
  v1::IssueTicketRequest other_service = req;
  other_service.set_service_code("B");
  v1::TicketResponse rejected;
  EXPECT_TRUE(
      HasCode(Call(kiosk_.get(), &v1::KioskService::Stub::IssueTicket, other_service, &rejected),
              grpc::StatusCode::ALREADY_EXISTS));
  v1::IssueTicketRequest other_priority = req;
  other_priority.set_priority(v1::PRIORITY_CLASS_VIP);
  EXPECT_TRUE(
      HasCode(Call(kiosk_.get(), &v1::KioskService::Stub::IssueTicket, other_priority, &rejected),
              grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_TRUE(ProtoEqual(before, Lobby()));
  EXPECT_EQ(Waiting("B"), 0);

  // A new request_id is a new ticket.
  EXPECT_EQ(Issue("A").number(), "A002");

  // Retries racing each other still issue one ticket.
  v1::IssueTicketRequest burst;
  burst.set_branch_id(kDemo);
  burst.set_service_code("B");
  burst.set_request_id("kiosk-2/0001");
  constexpr int kRetries = 8;
  std::vector<uint64_t> ids(kRetries);
  std::vector<grpc::Status> statuses(kRetries);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRetries; ++i) {
    threads.emplace_back([&, i] {
      v1::TicketResponse resp;
      statuses[i] = Call(kiosk_.get(), &v1::KioskService::Stub::IssueTicket, burst, &resp);
      ids[i] = resp.ticket().ticket_id();
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kRetries; ++i) {
    EXPECT_TRUE(IsOk(statuses[i]));
    EXPECT_EQ(ids[i], ids[0]);
  }
  EXPECT_EQ(Waiting("B"), 1);

  // A retry after the ticket was called returns that ticket as it is now.
  Open(5);  // profile D, B, in order
  ASSERT_EQ(CallNext(5).ticket().ticket_id(), ids[0]);
  v1::TicketResponse late;
  ASSERT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::IssueTicket, burst, &late)));
  EXPECT_EQ(late.ticket().ticket_id(), ids[0]);
  EXPECT_EQ(late.ticket().state(), v1::TICKET_STATE_CALLED);
  EXPECT_EQ(Waiting("B"), 0);
}

TEST_F(E2eTest, TransferKeepsNumberAndIssueTimeAndMovesQueue) {
  const v1::Ticket a1 = Issue("A");
  clock_.Advance(absl::Minutes(1));
  const v1::Ticket b1 = Issue("B");
  clock_.Advance(absl::Minutes(1));

  Open(1);
  ASSERT_EQ(CallNext(1).ticket().ticket_id(), a1.ticket_id());
  clock_.Advance(absl::Minutes(1));

  v1::TransferRequest req;
  req.set_branch_id(kDemo);
  req.set_counter(1);
  req.set_to_service_code("B");
  v1::TicketActionResponse moved;
  ASSERT_TRUE(IsOk(Call(counter_.get(), &v1::CounterService::Stub::Transfer, req, &moved)));
  EXPECT_EQ(moved.ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(moved.ticket().number(), "A001");
  EXPECT_EQ(moved.ticket().state(), v1::TICKET_STATE_WAITING);
  EXPECT_EQ(moved.ticket().service_code(), "B");
  EXPECT_EQ(moved.ticket().origin_service_code(), "A");
  EXPECT_TRUE(ProtoEqual(a1.issued_at(), moved.ticket().issued_at()));
  EXPECT_FALSE(moved.counter().has_current_ticket());

  // It waits in B now, ahead of B001 because it was issued first.
  const v1::Ticket now = GetTicket(a1.ticket_id());
  EXPECT_EQ(now.state(), v1::TICKET_STATE_WAITING);
  EXPECT_EQ(now.service_code(), "B");
  EXPECT_EQ(now.number(), "A001");
  EXPECT_TRUE(ProtoEqual(a1.issued_at(), now.issued_at()));
  EXPECT_EQ(now.people_ahead(), 0);
  EXPECT_EQ(GetTicket(b1.ticket_id()).people_ahead(), 1);
  EXPECT_EQ(Waiting("A"), 0);
  EXPECT_EQ(Waiting("B"), 2);

  // Counter 4 (C, B) serves B: it gets A001 first, by its original issue time.
  Open(4);
  v1::CallNextResponse again = CallNext(4);
  EXPECT_EQ(again.ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(again.ticket().number(), "A001");
  EXPECT_EQ(again.ticket().counter(), 4u);

  // A SERVING ticket can be transferred too.
  StartService(4);
  req.set_counter(4);
  req.set_to_service_code("C");
  ASSERT_TRUE(IsOk(Call(counter_.get(), &v1::CounterService::Stub::Transfer, req, &moved)));
  EXPECT_EQ(moved.ticket().service_code(), "C");
  EXPECT_EQ(moved.ticket().state(), v1::TICKET_STATE_WAITING);
  EXPECT_EQ(Waiting("C"), 1);
  EXPECT_EQ(Waiting("B"), 1);
  EXPECT_EQ(CallNext(4).ticket().number(), "A001");  // C comes first in counter 4's profile
}

TEST_F(E2eTest, RatingWindowIsEnforcedWithTheInjectedClock) {
  Open(1);
  const v1::Ticket t1 = Issue("A");
  const v1::Ticket t2 = Issue("A");
  CallNext(1);
  StartService(1);
  Finish(1);  // t1 done now
  CallNext(1);
  StartService(1);
  clock_.Advance(absl::Minutes(2));
  Finish(1);  // t2 done two minutes later

  // The demo branch's window is 10 minutes: t2 at 9m59s is in time ...
  clock_.Advance(absl::Minutes(10) - absl::Seconds(1));
  v1::TicketActionResponse resp;
  ASSERT_TRUE(IsOk(Call(counter_.get(), &v1::CounterService::Stub::SubmitRating,
                        Rating(1, t2.ticket_id(), 4), &resp)));
  EXPECT_EQ(resp.ticket().rating(), 4);

  // ... t1, finished 11m59s ago, is not, and nothing changes.
  const v1::LobbyStatus before = Lobby();
  EXPECT_TRUE(HasCode(Call(counter_.get(), &v1::CounterService::Stub::SubmitRating,
                           Rating(1, t1.ticket_id(), 5), &resp),
                      grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_TRUE(ProtoEqual(before, Lobby()));
  EXPECT_EQ(GetTicket(t1.ticket_id()).rating(), 0);

  // And a second rating of t2 is refused: one per ticket.
  EXPECT_TRUE(HasCode(Call(counter_.get(), &v1::CounterService::Stub::SubmitRating,
                           Rating(1, t2.ticket_id(), 1), &resp),
                      grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(GetTicket(t2.ticket_id()).rating(), 4);
}

TEST_F(E2eTest, CancelledTicketLeavesTheQueue) {
  const v1::Ticket a1 = Issue("A");
  const v1::Ticket a2 = Issue("A");
  v1::CancelTicketRequest req;
  req.set_branch_id(kDemo);
  req.set_ticket_id(a1.ticket_id());
  v1::TicketResponse resp;
  ASSERT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::CancelTicket, req, &resp)));
  EXPECT_EQ(resp.ticket().state(), v1::TICKET_STATE_CANCELLED);
  EXPECT_EQ(GetTicket(a1.ticket_id()).state(), v1::TICKET_STATE_CANCELLED);
  EXPECT_EQ(GetTicket(a2.ticket_id()).people_ahead(), 0);
  EXPECT_EQ(Waiting("A"), 1);
  Open(1);
  EXPECT_EQ(CallNext(1).ticket().ticket_id(), a2.ticket_id());
}

TEST_F(E2eTest, TellerRecallNoShowPauseAndClose) {
  const v1::Ticket a1 = Issue("A");
  Open(2);
  CallNext(2);
  clock_.Advance(absl::Seconds(30));
  v1::TicketActionResponse recalled = Act(&v1::CounterService::Stub::Recall, 2);
  EXPECT_EQ(recalled.ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(recalled.ticket().state(), v1::TICKET_STATE_CALLED);
  EXPECT_EQ(recalled.ticket().recall_count(), 1u);
  EXPECT_EQ(FromProto(recalled.ticket().called_at()), clock_.Now());
  EXPECT_EQ(FromProto(recalled.ticket().first_called_at()), StartTime());

  v1::TicketActionResponse gone = Act(&v1::CounterService::Stub::MarkNoShow, 2);
  EXPECT_EQ(gone.ticket().state(), v1::TICKET_STATE_NO_SHOW);
  EXPECT_FALSE(gone.counter().has_current_ticket());
  EXPECT_EQ(GetTicket(a1.ticket_id()).state(), v1::TICKET_STATE_NO_SHOW);

  v1::CounterResponse resp;
  ASSERT_TRUE(
      IsOk(Call(counter_.get(), &v1::CounterService::Stub::PauseCounter, CounterReq(2), &resp)));
  EXPECT_EQ(resp.counter().state(), v1::COUNTER_STATE_PAUSED);
  Issue("A");
  v1::CallNextResponse action;
  EXPECT_TRUE(HasCode(CounterAct(&v1::CounterService::Stub::CallNext, 2, &action),
                      grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(Open(2).state(), v1::COUNTER_STATE_OPEN);
  // Opening an open counter returns it unchanged.
  const v1::LobbyStatus before = Lobby();
  EXPECT_EQ(Open(2).state(), v1::COUNTER_STATE_OPEN);
  EXPECT_TRUE(ProtoEqual(before, Lobby()));

  ASSERT_TRUE(
      IsOk(Call(counter_.get(), &v1::CounterService::Stub::CloseCounter, CounterReq(2), &resp)));
  EXPECT_EQ(resp.counter().state(), v1::COUNTER_STATE_CLOSED);
  EXPECT_EQ(FindCounter(Lobby(), 2)->state(), v1::COUNTER_STATE_CLOSED);
}

TEST_F(E2eTest, NumbersRunOutAt999LiveAndWrapPastFreedOnes) {
  for (int i = 1; i <= 999; ++i) {
    const v1::Ticket t = Issue("D");
    ASSERT_EQ(t.number(), absl::StrFormat("D%03d", i));
  }
  const v1::LobbyStatus before = Lobby();
  v1::IssueTicketRequest req;
  req.set_branch_id(kDemo);
  req.set_service_code("D");
  req.set_request_id("one-too-many");
  v1::TicketResponse resp;
  EXPECT_TRUE(HasCode(Call(kiosk_.get(), &v1::KioskService::Stub::IssueTicket, req, &resp),
                      grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_TRUE(ProtoEqual(before, Lobby()));

  // Serving D001 frees its number: the next ticket wraps to it.
  Open(5);  // profile D, B
  EXPECT_EQ(CallNext(5).ticket().number(), "D001");
  StartService(5);
  Finish(5);
  EXPECT_EQ(Issue("D").number(), "D001");
  // D002 leaves as a no-show: the next one takes D002, skipping nothing else.
  EXPECT_EQ(CallNext(5).ticket().number(), "D002");
  Act(&v1::CounterService::Stub::MarkNoShow, 5);
  EXPECT_EQ(Issue("D").number(), "D002");
}

TEST_F(E2eTest, NumbersRestartEachBusinessDaySkippingLiveOnes) {
  EXPECT_EQ(Issue("A").number(), "A001");
  EXPECT_EQ(Issue("A").number(), "A002");
  EXPECT_EQ(Issue("B").number(), "B001");
  Open(5);  // D, B, in order
  EXPECT_EQ(CallNext(5).ticket().number(), "B001");
  StartService(5);
  Finish(5);

  // The next morning in Shanghai. A001 and A002 are still waiting (live), B001 is done.
  clock_.Advance(absl::Hours(24));
  const v1::Ticket a = Issue("A");
  EXPECT_EQ(a.number(), "A003");
  EXPECT_EQ(a.business_day(), "2024-03-05");
  const v1::Ticket b = Issue("B");
  EXPECT_EQ(b.number(), "B001");
  EXPECT_EQ(b.business_day(), "2024-03-05");
  EXPECT_EQ(Lobby().business_day(), "2024-03-05");
}

TEST_F(E2eTest, BusinessDayFollowsTheBranchTimeZone) {
  const absl::TimeZone shanghai = [] {
    absl::TimeZone zone;
    EXPECT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &zone));
    return zone;
  }();
  // One second before midnight in Shanghai (15:59:59 UTC).
  clock_.Set(absl::FromCivil(absl::CivilSecond(2024, 3, 4, 23, 59, 59), shanghai));
  const v1::Ticket late = Issue("A");
  EXPECT_EQ(late.number(), "A001");
  EXPECT_EQ(late.business_day(), "2024-03-04");
  Open(1);
  CallNext(1);
  StartService(1);
  Finish(1);

  // Two seconds later it is the 5th in Shanghai (still the 4th in UTC): numbers restart.
  clock_.Advance(absl::Seconds(2));
  const v1::Ticket early = Issue("A");
  EXPECT_EQ(early.business_day(), "2024-03-05");
  EXPECT_EQ(early.number(), "A001");
  EXPECT_EQ(Lobby().business_day(), "2024-03-05");

  // A branch in New York is still on the 4th.
  v1::CreateBranchRequest ny = NorthBranch();
  ny.mutable_branch()->set_id("new-york");
  ny.mutable_branch()->set_timezone("America/New_York");
  v1::BranchConfig created;
  ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::CreateBranch, ny, &created)));
  EXPECT_EQ(created.timezone(), "America/New_York");
  EXPECT_EQ(Issue("A", "new-york").business_day(), "2024-03-04");
  EXPECT_EQ(Lobby("new-york").business_day(), "2024-03-04");
}

// grpc.health.v1 has no generated C++ code on this system, so the check is made
// generically: HealthCheckRequest{service=""} encodes as no bytes, and
// HealthCheckResponse{status=SERVING} as field 1 varint 1.
TEST_F(E2eTest, HealthServiceReportsServing) {
  grpc::GenericStub stub(channel_);
  auto check = [&](const std::string& request_bytes, std::string* response_bytes) {
    grpc::Slice slice(request_bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                   [&](grpc::Status s) { done.set_value(std::move(s)); });
    grpc::Status status = done.get_future().get();
    std::vector<grpc::Slice> slices;
    if (status.ok() && response.Dump(&slices).ok()) {
      for (const auto& s : slices) {
        response_bytes->append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
    return status;
  };

  std::string bytes;
  ASSERT_TRUE(IsOk(check("", &bytes)));
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  uint32_t status = 0;
  ASSERT_EQ(in.ReadTag(), (1u << 3) | 0u) << "response bytes: " << bytes.size();
  ASSERT_TRUE(in.ReadVarint32(&status));
  EXPECT_EQ(status, 1u);  // SERVING

  // A service name the server does not know: NOT_FOUND, per the health protocol.
  const std::string unknown = "nope.Service";
  std::string request = std::string(1, static_cast<char>((1 << 3) | 2)) +
                        std::string(1, static_cast<char>(unknown.size())) + unknown;
  std::string ignored;
  EXPECT_EQ(check(request, &ignored).error_code(), grpc::StatusCode::NOT_FOUND);
}

// Server reflection (what grpcurl and other tools use) has no generated C++ code
// here either: one ServerReflectionInfo exchange asking list_services (field 7,
// an empty string) over a generic bidi stream, and the answer must name our API.
TEST_F(E2eTest, ServerReflectionListsTheLobbyqServices) {
  grpc::GenericStub stub(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  auto call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  auto step = [&](void* tag) {
    void* got = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&got, &ok));
    EXPECT_EQ(got, tag);
    return ok;
  };
  int tags[5];
  call->StartCall(&tags[0]);
  ASSERT_TRUE(step(&tags[0]));
  const std::string list_services("\x3a\x00", 2);
  grpc::Slice slice(list_services);
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, &tags[1]);
  ASSERT_TRUE(step(&tags[1]));
  grpc::ByteBuffer response;
  call->Read(&response, &tags[2]);
  ASSERT_TRUE(step(&tags[2]));
  call->WritesDone(&tags[3]);
  step(&tags[3]);
  grpc::Status status;
  call->Finish(&status, &tags[4]);
  step(&tags[4]);
  EXPECT_TRUE(status.ok()) << status.error_message();
  cq.Shutdown();

  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  for (const char* service :
       {"lobbyq.v1.KioskService", "lobbyq.v1.CounterService", "lobbyq.v1.LobbyService",
        "lobbyq.v1.AdminService", "grpc.health.v1.Health"}) {
    EXPECT_NE(bytes.find(service), std::string::npos) << service << " not listed";
  }
}

}  // namespace
}  // namespace lobbyq::e2e
