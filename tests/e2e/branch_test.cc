// Branches created through AdminService are separate worlds: their own
// services, counters, numbers, ticket ids, rating window and watch stream. And
// configuration changes show up where they should.

#include "gmock/gmock.h"
#include "tests/e2e/test_server.h"

namespace lobbyq::e2e {
namespace {

using ::testing::ElementsAre;

constexpr char kNorth[] = "north";

class BranchTest : public E2eTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(E2eTest::SetUp());
    ASSERT_TRUE(
        IsOk(Call(admin_.get(), &v1::AdminService::Stub::CreateBranch, NorthBranch(), &north_)));
  }

  grpc::Status TryIssue(const std::string& branch, const std::string& service) {
    v1::IssueTicketRequest req;
    req.set_branch_id(branch);
    req.set_service_code(service);
    req.set_request_id(NextRequestId());
    v1::TicketResponse resp;
    return Call(kiosk_.get(), &v1::KioskService::Stub::IssueTicket, req, &resp);
  }

  v1::BranchConfig north_;
};

TEST_F(BranchTest, CreateBranchReturnsAndStoresItsConfiguration) {
  EXPECT_EQ(north_.id(), kNorth);
  EXPECT_EQ(north_.name(), "North 北区支行");
  EXPECT_EQ(north_.timezone(), "Asia/Shanghai");
  EXPECT_EQ(north_.rating_window().seconds(), 300);
  ASSERT_EQ(north_.services_size(), 2);
  EXPECT_TRUE(ProtoEqual(ServiceCfg("A", "Cash"), north_.services(0)));
  EXPECT_TRUE(ProtoEqual(ServiceCfg("X", "Exchange"), north_.services(1)));
  ASSERT_EQ(north_.counters_size(), 2);
  // The reply spells out the defaults the request left unset.
  auto with_defaults = [](v1::CounterConfig c) {
    c.set_strategy(v1::CALL_STRATEGY_IN_ORDER);
    c.set_counted_fallback(v1::PRIORITY_CLASS_NORMAL);
    return c;
  };
  EXPECT_TRUE(ProtoEqual(with_defaults(CounterCfg(1, {"X", "A"})), north_.counters(0)));
  EXPECT_TRUE(ProtoEqual(with_defaults(CounterCfg(2, {"A"})), north_.counters(1)));
  EXPECT_EQ(north_.policy().recall_limit(), 2);
  EXPECT_EQ(north_.policy().slot_length().seconds(), 30 * 60);

  v1::GetBranchRequest get;
  get.set_branch_id(kNorth);
  v1::BranchConfig got;
  ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::GetBranch, get, &got)));
  EXPECT_TRUE(ProtoEqual(north_, got));

  v1::ListBranchesResponse list;
  ASSERT_TRUE(IsOk(
      Call(admin_.get(), &v1::AdminService::Stub::ListBranches, v1::ListBranchesRequest(), &list)));
  std::vector<std::string> ids;
  for (const auto& b : list.branches()) ids.push_back(b.id());
  EXPECT_THAT(ids, ElementsAre("demo", "north"));

  const v1::LobbyStatus lobby = Lobby(kNorth);
  EXPECT_EQ(lobby.branch_name(), "North 北区支行");
  ASSERT_EQ(lobby.counters_size(), 2);
  for (const auto& c : lobby.counters()) EXPECT_EQ(c.state(), v1::COUNTER_STATE_CLOSED);
  for (const auto& s : lobby.services()) EXPECT_EQ(s.waiting_count(), 0);

  // Creating it again is refused.
  v1::BranchConfig again;
  EXPECT_TRUE(
      HasCode(Call(admin_.get(), &v1::AdminService::Stub::CreateBranch, NorthBranch(), &again),
              grpc::StatusCode::ALREADY_EXISTS));
}

TEST_F(BranchTest, TicketsStayInTheirBranch) {
  const v1::Ticket north_a = Issue("A", kNorth);
  const v1::Ticket north_x = Issue("X", kNorth);
  const v1::Ticket demo_a = Issue("A");
  // Numbers are per branch: both branches start at A001.
  EXPECT_EQ(north_a.number(), "A001");
  EXPECT_EQ(north_a.branch_id(), kNorth);
  EXPECT_EQ(north_x.number(), "X001");
  EXPECT_EQ(demo_a.number(), "A001");
  EXPECT_EQ(demo_a.branch_id(), kDemo);
  // Demo has no service X; north has no B.
  EXPECT_TRUE(HasCode(TryIssue(kDemo, "X"), grpc::StatusCode::NOT_FOUND));
  EXPECT_TRUE(HasCode(TryIssue(kNorth, "B"), grpc::StatusCode::NOT_FOUND));

  EXPECT_EQ(Waiting("A"), 1);
  EXPECT_EQ(Waiting("A", kNorth), 1);
  EXPECT_EQ(Waiting("X", kNorth), 1);

  // Demo's counter 1 calls only demo's ticket.
  Open(1);
  v1::CallNextResponse called = CallNext(1);
  EXPECT_EQ(called.ticket().branch_id(), kDemo);
  EXPECT_EQ(called.ticket().ticket_id(), demo_a.ticket_id());
  StartService(1);
  Finish(1);
  EXPECT_FALSE(CallNext(1).has_ticket()) << "demo called a north ticket";
  EXPECT_EQ(Waiting("A", kNorth), 1);

  // North's counter 1 (X, A) calls north's, X first.
  Open(1, kNorth);
  called = CallNext(1, kNorth);
  EXPECT_EQ(called.ticket().branch_id(), kNorth);
  EXPECT_EQ(called.ticket().number(), "X001");
  StartService(1, kNorth);
  Finish(1, kNorth);
  called = CallNext(1, kNorth);
  EXPECT_EQ(called.ticket().ticket_id(), north_a.ticket_id());
  EXPECT_EQ(called.ticket().number(), "A001");
  StartService(1, kNorth);
  Finish(1, kNorth);
  EXPECT_FALSE(CallNext(1, kNorth).has_ticket());

  // North has no counter 3.
  v1::CallNextResponse resp;
  EXPECT_TRUE(HasCode(CounterAct(&v1::CounterService::Stub::CallNext, 3, &resp, kNorth),
                      grpc::StatusCode::NOT_FOUND));

  // Ticket ids are per branch: an id from one branch asked of the other is
  // unknown there, or that branch's own ticket with that id - never the other's.
  auto ask = [&](const std::string& branch, uint64_t id, v1::Ticket* out) {
    v1::GetTicketRequest get;
    get.set_branch_id(branch);
    get.set_ticket_id(id);
    v1::TicketResponse got;
    const grpc::Status s = Call(kiosk_.get(), &v1::KioskService::Stub::GetTicket, get, &got);
    *out = got.ticket();
    return s;
  };
  v1::Ticket got;
  grpc::Status s = ask(kDemo, north_x.ticket_id(), &got);
  if (s.ok()) {
    // Demo's only ticket is its A001.
    EXPECT_EQ(got.branch_id(), kDemo);
    EXPECT_EQ(got.ticket_id(), demo_a.ticket_id());
    EXPECT_EQ(got.number(), "A001");
    EXPECT_EQ(got.service_code(), "A");
  } else {
    EXPECT_TRUE(HasCode(s, grpc::StatusCode::NOT_FOUND));
  }
  s = ask(kNorth, demo_a.ticket_id(), &got);
  if (s.ok()) {
    EXPECT_EQ(got.branch_id(), kNorth);
    const bool north_own = (got.ticket_id() == north_a.ticket_id() && got.number() == "A001") ||
                           (got.ticket_id() == north_x.ticket_id() && got.number() == "X001");
    EXPECT_TRUE(north_own) << got.ShortDebugString();
  } else {
    EXPECT_TRUE(HasCode(s, grpc::StatusCode::NOT_FOUND));
  }
}

TEST_F(BranchTest, EachBranchHasItsOwnRatingWindowAndWatchStream) {
  Open(1);
  Open(2, kNorth);
  Issue("A");
  Issue("A", kNorth);
  CallNext(1);
  CallNext(2, kNorth);
  StartService(1);
  StartService(2, kNorth);
  Finish(1);
  Finish(2, kNorth);

  // Six minutes later: past north's 5-minute window, inside demo's 10.
  clock_.Advance(absl::Minutes(6));
  v1::SubmitRatingRequest rating;
  rating.set_score(5);
  rating.set_branch_id(kNorth);
  rating.set_counter(2);
  v1::TicketActionResponse resp;
  EXPECT_TRUE(HasCode(Call(counter_.get(), &v1::CounterService::Stub::SubmitRating, rating, &resp),
                      grpc::StatusCode::FAILED_PRECONDITION));
  rating.set_branch_id(kDemo);
  rating.set_counter(1);
  EXPECT_TRUE(IsOk(Call(counter_.get(), &v1::CounterService::Stub::SubmitRating, rating, &resp)));

  // A north display sees north's events only.
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  v1::WatchLobbyRequest req;
  req.set_branch_id(kNorth);
  auto reader = lobby_->WatchLobby(&ctx, req);
  v1::LobbyUpdate update;
  ASSERT_TRUE(reader->Read(&update));
  ASSERT_TRUE(update.has_snapshot());
  EXPECT_EQ(update.snapshot().branch_id(), kNorth);
  Issue("B");
  const v1::Ticket x = Issue("X", kNorth);
  ASSERT_TRUE(reader->Read(&update));
  ASSERT_TRUE(update.has_event());
  EXPECT_EQ(update.event().branch_id(), kNorth);
  EXPECT_EQ(update.event().ticket().ticket_id(), x.ticket_id());
  EXPECT_EQ(update.event().ticket().number(), "X001");
  ctx.TryCancel();
  while (reader->Read(&update)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(BranchTest, UpsertServiceAndCounterChangeOnlyTheirBranch) {
  const v1::LobbyStatus north_before = Lobby(kNorth);

  // A new service goes last in demo's list.
  v1::UpsertServiceRequest add;
  add.set_branch_id(kDemo);
  *add.mutable_service() = ServiceCfg("E", "Exchange");
  v1::ServiceConfig added;
  ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::UpsertService, add, &added)));
  EXPECT_TRUE(ProtoEqual(add.service(), added));
  std::vector<std::string> codes;
  const v1::ListServicesResponse listed = ListServices();
  for (const auto& s : listed.services()) codes.push_back(s.service().code());
  EXPECT_THAT(codes, ElementsAre("A", "B", "C", "D", "E"));
  EXPECT_EQ(Issue("E").number(), "E001");

  // Changing a service keeps its place.
  v1::UpsertServiceRequest change;
  change.set_branch_id(kDemo);
  *change.mutable_service() = ServiceCfg("A", "Cash desk");
  change.mutable_service()->mutable_target_wait()->set_seconds(300);
  ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::UpsertService, change, &added)));
  const v1::ListServicesResponse services = ListServices();
  EXPECT_EQ(services.services(0).service().name_en(), "Cash desk");
  EXPECT_EQ(services.services(0).service().target_wait().seconds(), 300);

  // A counter's new profile takes effect while it stays open.
  Open(2);
  v1::UpsertCounterRequest profile;
  profile.set_branch_id(kDemo);
  *profile.mutable_counter() = CounterCfg(2, {"E", "A"});
  v1::CounterStatus counter;
  ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::UpsertCounter, profile, &counter)));
  EXPECT_EQ(counter.state(), v1::COUNTER_STATE_OPEN);
  EXPECT_THAT(counter.counter().service_codes(), ElementsAre("E", "A"));
  Issue("A");
  EXPECT_EQ(CallNext(2).ticket().number(), "E001");

  // North saw none of this.
  EXPECT_TRUE(ProtoEqual(north_before, Lobby(kNorth)));
}

}  // namespace
}  // namespace lobbyq::e2e
