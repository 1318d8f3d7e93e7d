// Bad input for every RPC gets the status code its proto comment promises, a
// message a person can act on, and changes nothing: the lobby, the branch
// configurations and every ticket read back the same afterwards.

#include <functional>

#include "gmock/gmock.h"
#include "tests/e2e/test_server.h"

namespace lobbyq::e2e {
namespace {

using Code = grpc::StatusCode;
using Stub = v1::CounterService::Stub;

struct BadCase {
  std::string name;
  std::function<grpc::Status()> call;
  Code want;
};

// Everything a rejected call could have touched.
struct World {
  v1::LobbyStatus lobby;
  v1::ListBranchesResponse branches;
  std::vector<v1::Ticket> tickets;
};

class BadInputTest : public E2eTest {
 protected:
  // A lobby with something in every state:
  //   counter 1 OPEN, A001 CALLED        counter 2 OPEN, A002 SERVING
  //   counter 3 CLOSED                   counter 4 OPEN, finished C001 (not rated)
  //   counter 5 OPEN, finished D001 (rated 3)   counter 6 OPEN, idle
  //   waiting: B001, A003
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(E2eTest::SetUp());
    for (uint32_t c : {1, 2, 4, 5, 6}) Open(c);
    a1_ = IssueWithId("A", "setup-a1");
    a2_ = Issue("A");
    c1_ = Issue("C");
    d1_ = Issue("D");
    b1_ = Issue("B");
    a3_ = Issue("A");
    ASSERT_EQ(CallNext(1).ticket().ticket_id(), a1_.ticket_id());
    ASSERT_EQ(CallNext(2).ticket().ticket_id(), a2_.ticket_id());
    StartService(2);
    ASSERT_EQ(CallNext(4).ticket().ticket_id(), c1_.ticket_id());
    StartService(4);
    Finish(4);
    ASSERT_EQ(CallNext(5).ticket().ticket_id(), d1_.ticket_id());
    StartService(5);
    Finish(5);
    v1::TicketActionResponse rated;
    ASSERT_TRUE(IsOk(Call(counter_.get(), &Stub::SubmitRating, RatingReq(kDemo, 5, 0, 3), &rated)));
    ASSERT_EQ(rated.ticket().ticket_id(), d1_.ticket_id());
    ASSERT_EQ(Waiting("A"), 1);
    ASSERT_EQ(Waiting("B"), 1);
  }

  v1::Ticket IssueWithId(const std::string& service, const std::string& request_id) {
    v1::TicketResponse resp;
    EXPECT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::IssueTicket,
                          IssueReq(kDemo, service, request_id), &resp)));
    return resp.ticket();
  }

  World Capture() {
    World w;
    w.lobby = Lobby();
    EXPECT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::ListBranches,
                          v1::ListBranchesRequest(), &w.branches)));
    for (const auto* t : {&a1_, &a2_, &a3_, &b1_, &c1_, &d1_}) {
      w.tickets.push_back(GetTicket(t->ticket_id()));
    }
    return w;
  }

  void ExpectRejectedAndUnchanged(const std::vector<BadCase>& cases) {
    ASSERT_FALSE(cases.empty());
    for (const auto& c : cases) {
      SCOPED_TRACE(c.name);
      const World before = Capture();
      EXPECT_TRUE(HasCode(c.call(), c.want)) << c.name;
      const World after = Capture();
      EXPECT_TRUE(ProtoEqual(before.lobby, after.lobby)) << c.name << " changed the lobby";
      EXPECT_TRUE(ProtoEqual(before.branches, after.branches)) << c.name << " changed the branches";
      for (size_t i = 0; i < before.tickets.size(); ++i) {
        EXPECT_TRUE(ProtoEqual(before.tickets[i], after.tickets[i]))
            << c.name << " changed ticket " << before.tickets[i].number();
      }
    }
  }

  // Unknown, malformed and empty branch ids for a call that is otherwise fine.
  static void AddBranchCases(std::vector<BadCase>& cases, const std::string& rpc,
                             const std::function<grpc::Status(const std::string&)>& call) {
    for (const auto& [branch, code] : std::vector<std::pair<std::string, Code>>{
             {"nowhere", Code::NOT_FOUND},
             {"Bad ID!", Code::INVALID_ARGUMENT},
             {"", Code::INVALID_ARGUMENT},
             {std::string(33, 'b'), Code::INVALID_ARGUMENT}}) {
      cases.push_back({absl::StrCat(rpc, " branch '", branch, "'"),
                       [call, branch = branch] { return call(branch); }, code});
    }
  }

  static v1::IssueTicketRequest IssueReq(const std::string& branch, const std::string& service,
                                         const std::string& request_id) {
    v1::IssueTicketRequest req;
    req.set_branch_id(branch);
    req.set_service_code(service);
    req.set_request_id(request_id);
    return req;
  }

  static v1::SubmitRatingRequest RatingReq(const std::string& branch, uint32_t counter,
                                           uint64_t ticket_id, int score) {
    v1::SubmitRatingRequest req;
    req.set_branch_id(branch);
    req.set_counter(counter);
    req.set_ticket_id(ticket_id);
    req.set_score(score);
    return req;
  }

  static v1::TransferRequest TransferReq(const std::string& branch, uint32_t counter,
                                         const std::string& to) {
    v1::TransferRequest req;
    req.set_branch_id(branch);
    req.set_counter(counter);
    req.set_to_service_code(to);
    return req;
  }

  template <typename Req, typename Resp>
  std::function<grpc::Status()> KioskCall(
      grpc::Status (v1::KioskService::Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
      Req req) {
    return [this, method, req] {
      Resp resp;
      return Call(kiosk_.get(), method, req, &resp);
    };
  }

  template <typename Req, typename Resp>
  std::function<grpc::Status()> CounterCall(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                                         const Req&, Resp*),
                                            Req req) {
    return [this, method, req] {
      Resp resp;
      return Call(counter_.get(), method, req, &resp);
    };
  }

  template <typename Req, typename Resp>
  std::function<grpc::Status()> AdminCall(
      grpc::Status (v1::AdminService::Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
      Req req) {
    return [this, method, req] {
      Resp resp;
      return Call(admin_.get(), method, req, &resp);
    };
  }

  v1::Ticket a1_, a2_, a3_, b1_, c1_, d1_;
};

TEST_F(BadInputTest, KioskAndLobbyRpcs) {
  using Kiosk = v1::KioskService::Stub;
  std::vector<BadCase> cases;

  AddBranchCases(cases, "ListServices", [this](const std::string& branch) {
    v1::ListServicesRequest req;
    req.set_branch_id(branch);
    return KioskCall(&Kiosk::ListServices, req)();
  });
  AddBranchCases(cases, "GetLobbyStatus", [this](const std::string& branch) {
    v1::GetLobbyStatusRequest req;
    req.set_branch_id(branch);
    v1::LobbyStatus resp;
    return Call(lobby_.get(), &v1::LobbyService::Stub::GetLobbyStatus, req, &resp);
  });

  // IssueTicket.
  AddBranchCases(cases, "IssueTicket", [this](const std::string& branch) {
    return KioskCall(&Kiosk::IssueTicket, IssueReq(branch, "A", "fresh-request"))();
  });
  for (const auto& [service, code] :
       std::vector<std::pair<std::string, Code>>{{"Z", Code::NOT_FOUND},
                                                 {"AA", Code::INVALID_ARGUMENT},
                                                 {"a", Code::INVALID_ARGUMENT},
                                                 {"", Code::INVALID_ARGUMENT},
                                                 {"1", Code::INVALID_ARGUMENT}}) {
    cases.push_back({absl::StrCat("IssueTicket service '", service, "'"),
                     KioskCall(&Kiosk::IssueTicket, IssueReq(kDemo, service, "fresh-request")),
                     code});
  }
  for (const auto& [request_id, label] :
       std::vector<std::pair<std::string, std::string>>{{"", "empty"},
                                                        {std::string(65, 'r'), "65 bytes"},
                                                        {"has space", "with a space"},
                                                        {"tab\there", "with a tab"}}) {
    cases.push_back({absl::StrCat("IssueTicket request_id ", label),
                     KioskCall(&Kiosk::IssueTicket, IssueReq(kDemo, "A", request_id)),
                     Code::INVALID_ARGUMENT});
  }
  {
    v1::IssueTicketRequest req = IssueReq(kDemo, "A", "fresh-request");
    req.set_kiosk_id(std::string(65, 'k'));
    cases.push_back({"IssueTicket kiosk_id 65 bytes", KioskCall(&Kiosk::IssueTicket, req),
                     Code::INVALID_ARGUMENT});
    req.set_kiosk_id("kiosk-1");
    req.set_priority(v1::PRIORITY_CLASS_APPOINTMENT);
    cases.push_back({"IssueTicket priority APPOINTMENT", KioskCall(&Kiosk::IssueTicket, req),
                     Code::INVALID_ARGUMENT});
    req.set_priority(static_cast<v1::PriorityClass>(42));
    cases.push_back(
        {"IssueTicket priority 42", KioskCall(&Kiosk::IssueTicket, req), Code::INVALID_ARGUMENT});
  }
  {
    v1::IssueTicketRequest reused = IssueReq(kDemo, "B", "setup-a1");
    cases.push_back({"IssueTicket request_id reused for service B",
                     KioskCall(&Kiosk::IssueTicket, reused), Code::ALREADY_EXISTS});
    reused.set_service_code("A");
    reused.set_priority(v1::PRIORITY_CLASS_GREEN_CHANNEL);
    cases.push_back({"IssueTicket request_id reused for another priority",
                     KioskCall(&Kiosk::IssueTicket, reused), Code::ALREADY_EXISTS});
  }

  // GetTicket and CancelTicket.
  auto ticket_req = [](const std::string& branch, uint64_t id) {
    v1::GetTicketRequest req;
    req.set_branch_id(branch);
    req.set_ticket_id(id);
    return req;
  };
  auto cancel_req = [](const std::string& branch, uint64_t id) {
    v1::CancelTicketRequest req;
    req.set_branch_id(branch);
    req.set_ticket_id(id);
    return req;
  };
  AddBranchCases(cases, "GetTicket", [this, ticket_req](const std::string& branch) {
    return KioskCall(&Kiosk::GetTicket, ticket_req(branch, a3_.ticket_id()))();
  });
  cases.push_back(
      {"GetTicket id 0", KioskCall(&Kiosk::GetTicket, ticket_req(kDemo, 0)), Code::NOT_FOUND});
  cases.push_back({"GetTicket unknown id", KioskCall(&Kiosk::GetTicket, ticket_req(kDemo, 999999)),
                   Code::NOT_FOUND});
  AddBranchCases(cases, "CancelTicket", [this, cancel_req](const std::string& branch) {
    return KioskCall(&Kiosk::CancelTicket, cancel_req(branch, a3_.ticket_id()))();
  });
  cases.push_back({"CancelTicket unknown id",
                   KioskCall(&Kiosk::CancelTicket, cancel_req(kDemo, 999999)), Code::NOT_FOUND});
  cases.push_back({"CancelTicket a CALLED ticket",
                   KioskCall(&Kiosk::CancelTicket, cancel_req(kDemo, a1_.ticket_id())),
                   Code::FAILED_PRECONDITION});
  cases.push_back({"CancelTicket a SERVING ticket",
                   KioskCall(&Kiosk::CancelTicket, cancel_req(kDemo, a2_.ticket_id())),
                   Code::FAILED_PRECONDITION});
  cases.push_back({"CancelTicket a DONE ticket",
                   KioskCall(&Kiosk::CancelTicket, cancel_req(kDemo, c1_.ticket_id())),
                   Code::FAILED_PRECONDITION});

  ExpectRejectedAndUnchanged(cases);
}

TEST_F(BadInputTest, CounterRpcs) {
  std::vector<BadCase> cases;

  // The common errors, for every RPC that takes a CounterRequest.
  struct Rpc {
    std::string name;
    std::function<std::function<grpc::Status()>(v1::CounterRequest)> bind;
  };
  const std::vector<Rpc> rpcs = {
      {"OpenCounter", [this](auto r) { return CounterCall(&Stub::OpenCounter, r); }},
      {"PauseCounter", [this](auto r) { return CounterCall(&Stub::PauseCounter, r); }},
      {"CloseCounter", [this](auto r) { return CounterCall(&Stub::CloseCounter, r); }},
      {"CallNext", [this](auto r) { return CounterCall(&Stub::CallNext, r); }},
      {"Recall", [this](auto r) { return CounterCall(&Stub::Recall, r); }},
      {"StartService", [this](auto r) { return CounterCall(&Stub::StartService, r); }},
      {"MarkNoShow", [this](auto r) { return CounterCall(&Stub::MarkNoShow, r); }},
      {"Finish", [this](auto r) { return CounterCall(&Stub::Finish, r); }},
  };
  for (const auto& rpc : rpcs) {
    AddBranchCases(cases, rpc.name, [bind = rpc.bind](const std::string& branch) {
      return bind(CounterReq(6, branch))();
    });
    cases.push_back({rpc.name + " counter 0", rpc.bind(CounterReq(0)), Code::INVALID_ARGUMENT});
    cases.push_back({rpc.name + " counter 42", rpc.bind(CounterReq(42)), Code::NOT_FOUND});
    cases.push_back(
        {rpc.name + " counter 1000", rpc.bind(CounterReq(1000)), Code::INVALID_ARGUMENT});
  }
  auto by_name = [&](const std::string& name) {
    for (const auto& rpc : rpcs) {
      if (rpc.name == name) return rpc.bind;
    }
    return rpcs[0].bind;
  };

  // Wrong state.
  for (const auto& [rpc, counter, why] :
       std::vector<std::tuple<std::string, uint32_t, std::string>>{
           {"PauseCounter", 3, "closed"},
           {"PauseCounter", 1, "with a CALLED ticket"},
           {"PauseCounter", 2, "with a SERVING ticket"},
           {"CloseCounter", 1, "with a CALLED ticket"},
           {"CloseCounter", 2, "with a SERVING ticket"},
           {"CallNext", 3, "closed"},
           {"CallNext", 1, "still holding a CALLED ticket"},
           {"CallNext", 2, "still holding a SERVING ticket"},
           {"Recall", 4, "with nothing called"},
           {"Recall", 2, "with a SERVING ticket"},
           {"StartService", 4, "with nothing called"},
           {"StartService", 2, "twice"},
           {"MarkNoShow", 4, "with nothing called"},
           {"MarkNoShow", 2, "with a SERVING ticket"},
           {"Finish", 4, "with nothing served"},
           {"Finish", 1, "with a ticket only CALLED"},
           {"Finish", 3, "closed"},
       }) {
    cases.push_back({absl::StrCat(rpc, " at counter ", counter, " ", why),
                     by_name(rpc)(CounterReq(counter)), Code::FAILED_PRECONDITION});
  }

  // Transfer.
  AddBranchCases(cases, "Transfer", [this](const std::string& branch) {
    return CounterCall(&Stub::Transfer, TransferReq(branch, 1, "B"))();
  });
  cases.push_back({"Transfer counter 0", CounterCall(&Stub::Transfer, TransferReq(kDemo, 0, "B")),
                   Code::INVALID_ARGUMENT});
  cases.push_back({"Transfer counter 42", CounterCall(&Stub::Transfer, TransferReq(kDemo, 42, "B")),
                   Code::NOT_FOUND});
  cases.push_back({"Transfer to unknown service Z",
                   CounterCall(&Stub::Transfer, TransferReq(kDemo, 1, "Z")), Code::NOT_FOUND});
  for (const char* to : {"a", "AA", ""}) {
    cases.push_back({absl::StrCat("Transfer to malformed service '", to, "'"),
                     CounterCall(&Stub::Transfer, TransferReq(kDemo, 1, to)),
                     Code::INVALID_ARGUMENT});
  }
  cases.push_back({"Transfer to its own service",
                   CounterCall(&Stub::Transfer, TransferReq(kDemo, 1, "A")),
                   Code::INVALID_ARGUMENT});
  cases.push_back({"Transfer with no current ticket",
                   CounterCall(&Stub::Transfer, TransferReq(kDemo, 4, "B")),
                   Code::FAILED_PRECONDITION});

  ExpectRejectedAndUnchanged(cases);
}

TEST_F(BadInputTest, SubmitRating) {
  std::vector<BadCase> cases;
  const uint64_t c1 = c1_.ticket_id();
  AddBranchCases(cases, "SubmitRating", [this, c1](const std::string& branch) {
    return CounterCall(&Stub::SubmitRating, RatingReq(branch, 4, c1, 5))();
  });
  cases.push_back({"SubmitRating counter 0",
                   CounterCall(&Stub::SubmitRating, RatingReq(kDemo, 0, c1, 5)),
                   Code::INVALID_ARGUMENT});
  cases.push_back({"SubmitRating counter 42",
                   CounterCall(&Stub::SubmitRating, RatingReq(kDemo, 42, c1, 5)), Code::NOT_FOUND});
  for (int score : {0, 6, -1, 100}) {
    cases.push_back({absl::StrCat("SubmitRating score ", score),
                     CounterCall(&Stub::SubmitRating, RatingReq(kDemo, 4, c1, score)),
                     Code::INVALID_ARGUMENT});
  }
  {
    v1::SubmitRatingRequest req = RatingReq(kDemo, 4, c1, 5);
    req.set_comment(std::string(501, 'x'));
    cases.push_back({"SubmitRating comment 501 bytes", CounterCall(&Stub::SubmitRating, req),
                     Code::INVALID_ARGUMENT});
  }
  cases.push_back({"SubmitRating unknown ticket",
                   CounterCall(&Stub::SubmitRating, RatingReq(kDemo, 4, 999999, 5)),
                   Code::NOT_FOUND});
  cases.push_back({"SubmitRating ticket_id 0 at a counter that finished nothing",
                   CounterCall(&Stub::SubmitRating, RatingReq(kDemo, 1, 0, 5)),
                   Code::FAILED_PRECONDITION});
  cases.push_back({"SubmitRating a CALLED ticket",
                   CounterCall(&Stub::SubmitRating, RatingReq(kDemo, 1, a1_.ticket_id(), 5)),
                   Code::FAILED_PRECONDITION});
  cases.push_back({"SubmitRating a WAITING ticket",
                   CounterCall(&Stub::SubmitRating, RatingReq(kDemo, 6, b1_.ticket_id(), 5)),
                   Code::FAILED_PRECONDITION});
  cases.push_back({"SubmitRating from another counter",
                   CounterCall(&Stub::SubmitRating, RatingReq(kDemo, 6, c1, 5)),
                   Code::FAILED_PRECONDITION});
  cases.push_back({"SubmitRating twice",
                   CounterCall(&Stub::SubmitRating, RatingReq(kDemo, 5, d1_.ticket_id(), 5)),
                   Code::FAILED_PRECONDITION});
  ExpectRejectedAndUnchanged(cases);

  // The good request used above is in fact accepted: the cases were bad only in
  // the field they changed.
  v1::TicketActionResponse resp;
  v1::SubmitRatingRequest good = RatingReq(kDemo, 4, c1, 5);
  good.set_comment(std::string(500, 'x'));
  EXPECT_TRUE(IsOk(Call(counter_.get(), &Stub::SubmitRating, good, &resp)));
  EXPECT_EQ(resp.ticket().rating(), 5);
}

TEST_F(BadInputTest, AdminRpcs) {
  using Admin = v1::AdminService::Stub;
  std::vector<BadCase> cases;

  // CreateBranch: each request is the valid "north" with one thing wrong.
  auto create = [this](const std::string& name, Code code,
                       const std::function<void(v1::BranchConfig*)>& spoil) {
    v1::CreateBranchRequest req = NorthBranch();
    spoil(req.mutable_branch());
    return BadCase{"CreateBranch " + name, AdminCall(&Admin::CreateBranch, req), code};
  };
  cases.push_back(create("duplicate id demo", Code::ALREADY_EXISTS,
                         [](v1::BranchConfig* b) { b->set_id("demo"); }));
  cases.push_back(create("id 'Bad ID!'", Code::INVALID_ARGUMENT,
                         [](v1::BranchConfig* b) { b->set_id("Bad ID!"); }));
  cases.push_back(
      create("empty id", Code::INVALID_ARGUMENT, [](v1::BranchConfig* b) { b->set_id(""); }));
  cases.push_back(
      create("empty name", Code::INVALID_ARGUMENT, [](v1::BranchConfig* b) { b->set_name(""); }));
  cases.push_back(create("unknown time zone", Code::INVALID_ARGUMENT,
                         [](v1::BranchConfig* b) { b->set_timezone("Mars/Olympus_Mons"); }));
  cases.push_back(create("negative rating window", Code::INVALID_ARGUMENT, [](v1::BranchConfig* b) {
    b->mutable_rating_window()->set_seconds(-60);
  }));
  for (const char* code : {"a", "AA", "", "7"}) {
    cases.push_back(
        create(absl::StrCat("service code '", code, "'"), Code::INVALID_ARGUMENT,
               [code](v1::BranchConfig* b) { b->mutable_services(1)->set_code(code); }));
  }
  cases.push_back(create("service without a name", Code::INVALID_ARGUMENT,
                         [](v1::BranchConfig* b) { b->mutable_services(0)->set_name_en(""); }));
  cases.push_back(create(
      "service with zero target wait", Code::INVALID_ARGUMENT,
      [](v1::BranchConfig* b) { b->mutable_services(0)->mutable_target_wait()->set_seconds(0); }));
  cases.push_back(create("service defined twice", Code::INVALID_ARGUMENT, [](v1::BranchConfig* b) {
    *b->add_services() = ServiceCfg("A", "Cash again");
  }));
  cases.push_back(create("no services", Code::INVALID_ARGUMENT,
                         [](v1::BranchConfig* b) { b->clear_services(); }));
  cases.push_back(
      create("counter with empty profile", Code::INVALID_ARGUMENT,
             [](v1::BranchConfig* b) { b->mutable_counters(1)->clear_service_codes(); }));
  cases.push_back(
      create("counter with an unknown service", Code::INVALID_ARGUMENT,
             [](v1::BranchConfig* b) { b->mutable_counters(1)->add_service_codes("Z"); }));
  cases.push_back(create("counter 0", Code::INVALID_ARGUMENT,
                         [](v1::BranchConfig* b) { b->mutable_counters(0)->set_number(0); }));
  cases.push_back(create("counter defined twice", Code::INVALID_ARGUMENT,
                         [](v1::BranchConfig* b) { *b->add_counters() = CounterCfg(1, {"A"}); }));

  // GetBranch.
  AddBranchCases(cases, "GetBranch", [this](const std::string& branch) {
    v1::GetBranchRequest req;
    req.set_branch_id(branch);
    return AdminCall(&Admin::GetBranch, req)();
  });

  // UpsertService.
  auto upsert_service = [](const std::string& branch, v1::ServiceConfig service) {
    v1::UpsertServiceRequest req;
    req.set_branch_id(branch);
    *req.mutable_service() = std::move(service);
    return req;
  };
  AddBranchCases(cases, "UpsertService", [this, upsert_service](const std::string& branch) {
    return AdminCall(&Admin::UpsertService, upsert_service(branch, ServiceCfg("E", "Extra")))();
  });
  for (const char* code : {"a", "AA", ""}) {
    cases.push_back({absl::StrCat("UpsertService code '", code, "'"),
                     AdminCall(&Admin::UpsertService, upsert_service(kDemo, ServiceCfg(code, "X"))),
                     Code::INVALID_ARGUMENT});
  }
  {
    v1::ServiceConfig nameless = ServiceCfg("A", "Cash");
    nameless.set_name_zh("");
    cases.push_back({"UpsertService empty name",
                     AdminCall(&Admin::UpsertService, upsert_service(kDemo, nameless)),
                     Code::INVALID_ARGUMENT});
    v1::ServiceConfig too_long = ServiceCfg("A", "Cash");
    too_long.mutable_expected_service_time()->set_seconds(25 * 3600);
    cases.push_back({"UpsertService 25 h service time",
                     AdminCall(&Admin::UpsertService, upsert_service(kDemo, too_long)),
                     Code::INVALID_ARGUMENT});
  }

  // UpsertCounter.
  auto upsert_counter = [](const std::string& branch, v1::CounterConfig counter) {
    v1::UpsertCounterRequest req;
    req.set_branch_id(branch);
    *req.mutable_counter() = std::move(counter);
    return req;
  };
  AddBranchCases(cases, "UpsertCounter", [this, upsert_counter](const std::string& branch) {
    return AdminCall(&Admin::UpsertCounter, upsert_counter(branch, CounterCfg(7, {"A"})))();
  });
  cases.push_back(
      {"UpsertCounter with unknown service Z",
       AdminCall(&Admin::UpsertCounter, upsert_counter(kDemo, CounterCfg(7, {"A", "Z"}))),
       Code::NOT_FOUND});
  cases.push_back({"UpsertCounter changing counter 1 to unknown service Z",
                   AdminCall(&Admin::UpsertCounter, upsert_counter(kDemo, CounterCfg(1, {"Z"}))),
                   Code::NOT_FOUND});
  cases.push_back({"UpsertCounter with empty profile",
                   AdminCall(&Admin::UpsertCounter, upsert_counter(kDemo, CounterCfg(7, {}))),
                   Code::INVALID_ARGUMENT});
  cases.push_back(
      {"UpsertCounter with repeated service",
       AdminCall(&Admin::UpsertCounter, upsert_counter(kDemo, CounterCfg(7, {"A", "A"}))),
       Code::INVALID_ARGUMENT});
  cases.push_back({"UpsertCounter with malformed service",
                   AdminCall(&Admin::UpsertCounter, upsert_counter(kDemo, CounterCfg(7, {"a"}))),
                   Code::INVALID_ARGUMENT});
  cases.push_back({"UpsertCounter number 0",
                   AdminCall(&Admin::UpsertCounter, upsert_counter(kDemo, CounterCfg(0, {"A"}))),
                   Code::INVALID_ARGUMENT});
  cases.push_back({"UpsertCounter number 1000",
                   AdminCall(&Admin::UpsertCounter, upsert_counter(kDemo, CounterCfg(1000, {"A"}))),
                   Code::INVALID_ARGUMENT});
  {
    v1::CounterConfig nameless = CounterCfg(7, {"A"});
    nameless.set_name("");
    cases.push_back({"UpsertCounter without a name",
                     AdminCall(&Admin::UpsertCounter, upsert_counter(kDemo, nameless)),
                     Code::INVALID_ARGUMENT});
  }

  ExpectRejectedAndUnchanged(cases);

  // The unspoiled request is in fact fine.
  v1::BranchConfig created;
  EXPECT_TRUE(IsOk(Call(admin_.get(), &Admin::CreateBranch, NorthBranch(), &created)));
}

}  // namespace
}  // namespace lobbyq::e2e
