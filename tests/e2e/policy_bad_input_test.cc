// Bad input for every RPC and field the calling-policy work added gets the
// status its proto comment promises, with a message, and changes nothing: the
// lobby, the branches, the appointments, the slots and the tickets read back
// the same afterwards.

#include <functional>

#include "gmock/gmock.h"
#include "tests/e2e/policy_fixture.h"

namespace lobbyq::e2e {
namespace {

using Code = grpc::StatusCode;

struct BadCase {
  std::string name;
  std::function<grpc::Status()> call;
  Code want;
};

struct World {
  v1::LobbyStatus lobby;
  v1::ListBranchesResponse branches;
  v1::ListAppointmentsResponse appointments;
  v1::ListSlotsResponse slots;
  std::vector<v1::Ticket> tickets;
};

class PolicyBadInputTest : public PolicyTest {
 protected:
  // At 10:01 in branch "calling":
  //   A001 NO_SHOW since 09:30 (past the 30-minute reinstate grace)
  //   A002 CALLED at counter 1 (open)      B001 WAITING
  //   appointments: alice and bob at 10:30 (the slot is full), carol at 11:00
  //   cancelled, dave at 12:00 (check-in opens at 11:30)
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(PolicyTest::SetUp());
    Open(1, kCalling);
    old_ = IssueIn("A");
    ASSERT_EQ(CallNext(1, kCalling).ticket().ticket_id(), old_.ticket_id());
    Act(&v1::CounterService::Stub::MarkNoShow, 1, kCalling);

    alice_req_ = BookReq(Local(10, 30), "Alice", "13812345678");
    ASSERT_TRUE(IsOk(Book(alice_req_, &alice_)));
    bob_ = BookOk(Local(10, 30), "Bob", "13900001111");
    carol_ = BookOk(Local(11, 0), "Carol", "13700002222");
    v1::Appointment cancelled;
    ASSERT_TRUE(IsOk(CancelAppointment(carol_.code(), &cancelled)));
    dave_ = BookOk(Local(12, 0), "Dave", "13600003333");

    clock_.Advance(absl::Minutes(31));
    called_ = IssueIn("A");
    ASSERT_EQ(CallNext(1, kCalling).ticket().ticket_id(), called_.ticket_id());
    waiting_ = IssueIn("B");
  }

  World Capture() {
    World w;
    w.lobby = Lobby(kCalling);
    EXPECT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::ListBranches,
                          v1::ListBranchesRequest(), &w.branches)));
    w.appointments = ListAppointments();
    w.slots = ListSlots("A");
    for (const auto* t : {&old_, &called_, &waiting_}) {
      w.tickets.push_back(GetTicket(t->ticket_id(), kCalling));
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
      EXPECT_TRUE(ProtoEqual(before.branches, after.branches)) << c.name << " changed a branch";
      EXPECT_TRUE(ProtoEqual(before.appointments, after.appointments))
          << c.name << " changed the appointments";
      EXPECT_TRUE(ProtoEqual(before.slots, after.slots)) << c.name << " changed the slots";
      for (size_t i = 0; i < before.tickets.size(); ++i) {
        EXPECT_TRUE(ProtoEqual(before.tickets[i], after.tickets[i]))
            << c.name << " changed ticket " << before.tickets[i].number();
      }
    }
  }

  // A call with an unknown, a malformed and an empty branch id.
  static void AddBranchCases(std::vector<BadCase>& cases, const std::string& rpc,
                             const std::function<grpc::Status(const std::string&)>& call) {
    for (const auto& [branch, code] :
         std::vector<std::pair<std::string, Code>>{{"nowhere", Code::NOT_FOUND},
                                                   {"Bad ID!", Code::INVALID_ARGUMENT},
                                                   {"", Code::INVALID_ARGUMENT}}) {
      cases.push_back({absl::StrCat(rpc, " branch '", branch, "'"),
                       [call, branch = branch] { return call(branch); }, code});
    }
  }

  template <typename Stub, typename Req, typename Resp>
  static std::function<grpc::Status()> Bind(
      Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*), Req req) {
    return [stub, method, req] {
      Resp resp;
      return Call(stub, method, req, &resp);
    };
  }

  v1::CheckInAppointmentRequest CheckInReq(const std::string& code,
                                           const std::string& branch = kCalling) {
    v1::CheckInAppointmentRequest req;
    req.set_branch_id(branch);
    req.set_code(code);
    return req;
  }

  v1::CancelAppointmentRequest CancelReq(const std::string& code,
                                         const std::string& branch = kCalling) {
    v1::CancelAppointmentRequest req;
    req.set_branch_id(branch);
    req.set_code(code);
    return req;
  }

  static v1::ListSlotsRequest SlotsReq(const std::string& service, const std::string& day,
                                       const std::string& branch = kCalling) {
    v1::ListSlotsRequest req;
    req.set_branch_id(branch);
    req.set_service_code(service);
    req.set_day(day);
    return req;
  }

  static v1::ReinstateTicketRequest KioskReinstateReq(uint64_t id, const std::string& number,
                                                      const std::string& branch = kCalling) {
    v1::ReinstateTicketRequest req;
    req.set_branch_id(branch);
    if (id != 0) req.set_ticket_id(id);
    if (!number.empty()) req.set_number(number);
    return req;
  }

  static v1::CounterReinstateRequest CounterReinstateReq(uint32_t counter, uint64_t id,
                                                         const std::string& number = "") {
    v1::CounterReinstateRequest req;
    req.set_branch_id(kCalling);
    req.set_counter(counter);
    if (id != 0) req.set_ticket_id(id);
    if (!number.empty()) req.set_number(number);
    return req;
  }

  v1::Ticket old_, called_, waiting_;
  v1::BookAppointmentRequest alice_req_;
  v1::Appointment alice_, bob_, carol_, dave_;
};

TEST_F(PolicyBadInputTest, AppointmentRpcs) {
  using Appointments = v1::AppointmentService::Stub;
  using Kiosk = v1::KioskService::Stub;
  auto* appointments = appointments_.get();
  auto* kiosk = kiosk_.get();
  std::vector<BadCase> cases;

  // CheckInAppointment.
  AddBranchCases(cases, "CheckInAppointment", [this, kiosk](const std::string& branch) {
    return Bind(kiosk, &Kiosk::CheckInAppointment, CheckInReq(alice_.code(), branch))();
  });
  cases.push_back({"CheckInAppointment unknown code",
                   Bind(kiosk, &Kiosk::CheckInAppointment, CheckInReq("ZZZZ2222")),
                   Code::NOT_FOUND});
  for (const char* code : {"abc", "", "OOOO0000", "ZZZZ22223"}) {
    cases.push_back({absl::StrCat("CheckInAppointment malformed code '", code, "'"),
                     Bind(kiosk, &Kiosk::CheckInAppointment, CheckInReq(code)),
                     Code::INVALID_ARGUMENT});
  }
  cases.push_back({"CheckInAppointment cancelled",
                   Bind(kiosk, &Kiosk::CheckInAppointment, CheckInReq(carol_.code())),
                   Code::FAILED_PRECONDITION});
  cases.push_back({"CheckInAppointment before check-in opens",
                   Bind(kiosk, &Kiosk::CheckInAppointment, CheckInReq(dave_.code())),
                   Code::FAILED_PRECONDITION});
  {
    v1::CheckInAppointmentRequest req = CheckInReq(alice_.code());
    req.set_kiosk_id(std::string(65, 'k'));
    cases.push_back({"CheckInAppointment kiosk_id 65 bytes",
                     Bind(kiosk, &Kiosk::CheckInAppointment, req), Code::INVALID_ARGUMENT});
  }

  // BookAppointment: each is a good booking (11:30, a new phone) with one thing wrong.
  auto book = [&](const std::string& name, Code code,
                  const std::function<void(v1::BookAppointmentRequest*)>& spoil) {
    v1::BookAppointmentRequest req = BookReq(Local(11, 30), "Erin", "13500004444");
    spoil(&req);
    cases.push_back(
        {"BookAppointment " + name, Bind(appointments, &Appointments::BookAppointment, req), code});
  };
  AddBranchCases(cases, "BookAppointment", [this, appointments](const std::string& branch) {
    v1::BookAppointmentRequest req = BookReq(Local(11, 30), "Erin", "13500004444");
    req.set_branch_id(branch);
    return Bind(appointments, &Appointments::BookAppointment, req)();
  });
  book("full slot", Code::RESOURCE_EXHAUSTED,
       [](auto* r) { *r->mutable_slot_start() = ToTimestamp(Local(10, 30)); });
  book("double booking: the phone already has one that day", Code::ALREADY_EXISTS,
       [](auto* r) { r->set_phone("138-1234-5678"); });
  book("request_id reused for another slot", Code::ALREADY_EXISTS,
       [this](auto* r) { r->set_request_id(alice_req_.request_id()); });
  book("slot 10:15, not on the grid", Code::INVALID_ARGUMENT,
       [](auto* r) { *r->mutable_slot_start() = ToTimestamp(Local(10, 15)); });
  book("slot a microsecond off the grid", Code::INVALID_ARGUMENT, [](auto* r) {
    *r->mutable_slot_start() = ToTimestamp(Local(11, 30) + absl::Microseconds(1));
  });
  book("slot 17:00, after the last one", Code::INVALID_ARGUMENT,
       [](auto* r) { *r->mutable_slot_start() = ToTimestamp(Local(17, 0)); });
  book("slot 08:30, before opening", Code::INVALID_ARGUMENT,
       [](auto* r) { *r->mutable_slot_start() = ToTimestamp(Local(8, 30)); });
  book("no slot_start", Code::INVALID_ARGUMENT, [](auto* r) { r->clear_slot_start(); });
  book("slot that has begun", Code::FAILED_PRECONDITION,
       [](auto* r) { *r->mutable_slot_start() = ToTimestamp(Local(10, 0)); });
  book("slot beyond the 30-day horizon", Code::FAILED_PRECONDITION,
       [](auto* r) { *r->mutable_slot_start() = ToTimestamp(Local(11, 30, 4 + 40)); });
  book("service B, which takes no appointments", Code::FAILED_PRECONDITION,
       [](auto* r) { r->set_service_code("B"); });
  book("unknown service Z", Code::NOT_FOUND, [](auto* r) { r->set_service_code("Z"); });
  book("malformed service 'a'", Code::INVALID_ARGUMENT, [](auto* r) { r->set_service_code("a"); });
  for (const char* phone : {"12", "", "phone me", "1234567890123456789012"}) {
    book(absl::StrCat("phone '", phone, "'"), Code::INVALID_ARGUMENT,
         [phone](auto* r) { r->set_phone(phone); });
  }
  book("name 65 bytes", Code::INVALID_ARGUMENT,
       [](auto* r) { r->set_customer_name(std::string(65, 'n')); });
  book("name with a newline", Code::INVALID_ARGUMENT,
       [](auto* r) { r->set_customer_name("Erin\nDrop table"); });
  book("empty request_id", Code::INVALID_ARGUMENT, [](auto* r) { r->set_request_id(""); });

  // CancelAppointment.
  AddBranchCases(cases, "CancelAppointment", [this, appointments](const std::string& branch) {
    return Bind(appointments, &Appointments::CancelAppointment, CancelReq(dave_.code(), branch))();
  });
  cases.push_back({"CancelAppointment unknown code",
                   Bind(appointments, &Appointments::CancelAppointment, CancelReq("ZZZZ2222")),
                   Code::NOT_FOUND});
  cases.push_back({"CancelAppointment malformed code",
                   Bind(appointments, &Appointments::CancelAppointment, CancelReq("nope")),
                   Code::INVALID_ARGUMENT});
  cases.push_back({"CancelAppointment already cancelled",
                   Bind(appointments, &Appointments::CancelAppointment, CancelReq(carol_.code())),
                   Code::FAILED_PRECONDITION});

  // ListSlots and ListAppointments.
  AddBranchCases(cases, "ListSlots", [appointments](const std::string& branch) {
    return Bind(appointments, &Appointments::ListSlots, SlotsReq("A", kToday, branch))();
  });
  for (const char* day : {"2024-3-4", "tomorrow", "2024-02-30", "2024-03-04T10:00"}) {
    cases.push_back({absl::StrCat("ListSlots day '", day, "'"),
                     Bind(appointments, &Appointments::ListSlots, SlotsReq("A", day)),
                     Code::INVALID_ARGUMENT});
    v1::ListAppointmentsRequest req;
    req.set_branch_id(kCalling);
    req.set_day(day);
    cases.push_back({absl::StrCat("ListAppointments day '", day, "'"),
                     Bind(appointments, &Appointments::ListAppointments, req),
                     Code::INVALID_ARGUMENT});
  }
  cases.push_back({"ListSlots unknown service",
                   Bind(appointments, &Appointments::ListSlots, SlotsReq("Z", kToday)),
                   Code::NOT_FOUND});
  cases.push_back({"ListSlots malformed service",
                   Bind(appointments, &Appointments::ListSlots, SlotsReq("AB", kToday)),
                   Code::INVALID_ARGUMENT});
  AddBranchCases(cases, "ListAppointments", [appointments](const std::string& branch) {
    v1::ListAppointmentsRequest req;
    req.set_branch_id(branch);
    req.set_day(kToday);
    return Bind(appointments, &Appointments::ListAppointments, req)();
  });

  ExpectRejectedAndUnchanged(cases);

  // The good booking the cases spoiled is in fact accepted.
  v1::Appointment erin;
  EXPECT_TRUE(IsOk(Book(BookReq(Local(11, 30), "Erin", "13500004444"), &erin)));
  EXPECT_EQ(erin.state(), v1::APPOINTMENT_STATE_BOOKED);
}

TEST_F(PolicyBadInputTest, ReinstateTransferAndDetails) {
  using Kiosk = v1::KioskService::Stub;
  using Counter = v1::CounterService::Stub;
  auto* kiosk = kiosk_.get();
  auto* counter = counter_.get();
  std::vector<BadCase> cases;

  // Kiosk ReinstateTicket.
  AddBranchCases(cases, "kiosk ReinstateTicket", [kiosk, this](const std::string& branch) {
    return Bind(kiosk, &Kiosk::ReinstateTicket, KioskReinstateReq(old_.ticket_id(), "", branch))();
  });
  const std::vector<std::tuple<std::string, uint64_t, std::string, Code>> reinstates = {
      {"neither id nor number", 0, "", Code::INVALID_ARGUMENT},
      {"number A12", 0, "A12", Code::INVALID_ARGUMENT},
      {"number AB12", 0, "AB12", Code::INVALID_ARGUMENT},
      {"number 1234", 0, "1234", Code::INVALID_ARGUMENT},
      {"unknown number A999", 0, "A999", Code::NOT_FOUND},
      {"unknown id", 999999, "", Code::NOT_FOUND},
      {"a WAITING ticket", waiting_.ticket_id(), "", Code::FAILED_PRECONDITION},
      {"a CALLED ticket", called_.ticket_id(), "", Code::FAILED_PRECONDITION},
      {"outside the grace, by id", old_.ticket_id(), "", Code::FAILED_PRECONDITION},
      {"outside the grace, by number", 0, "A001", Code::FAILED_PRECONDITION},
  };
  for (const auto& [name, id, number, code] : reinstates) {
    cases.push_back({"kiosk ReinstateTicket " + name,
                     Bind(kiosk, &Kiosk::ReinstateTicket, KioskReinstateReq(id, number)), code});
    cases.push_back({"counter ReinstateTicket " + name,
                     Bind(counter, &Counter::ReinstateTicket, CounterReinstateReq(1, id, number)),
                     code});
  }
  cases.push_back(
      {"counter ReinstateTicket counter 0",
       Bind(counter, &Counter::ReinstateTicket, CounterReinstateReq(0, old_.ticket_id())),
       Code::INVALID_ARGUMENT});
  cases.push_back(
      {"counter ReinstateTicket counter 42",
       Bind(counter, &Counter::ReinstateTicket, CounterReinstateReq(42, old_.ticket_id())),
       Code::NOT_FOUND});

  // Transfer: placement and note.
  auto transfer = [](v1::Placement placement, const std::string& note) {
    v1::TransferRequest req;
    req.set_branch_id(kCalling);
    req.set_counter(1);
    req.set_to_service_code("B");
    req.set_placement(placement);
    req.set_note(note);
    return req;
  };
  for (int placement : {4, 9, -1}) {
    cases.push_back(
        {absl::StrCat("Transfer placement ", placement),
         Bind(counter, &Counter::Transfer, transfer(static_cast<v1::Placement>(placement), "")),
         Code::INVALID_ARGUMENT});
  }
  cases.push_back(
      {"Transfer note 201 bytes",
       Bind(counter, &Counter::Transfer, transfer(v1::PLACEMENT_FRONT, std::string(201, 'n'))),
       Code::INVALID_ARGUMENT});

  // IssueTicket with bad form-free details.
  auto issue = [&](const std::string& name,
                   const std::function<void(v1::TransactionDetails*)>& spoil) {
    v1::IssueTicketRequest req = IssueReq("A");
    req.mutable_details()->set_type("deposit");
    req.mutable_details()->set_amount("100.50");
    req.mutable_details()->set_account_tail("1234");
    spoil(req.mutable_details());
    cases.push_back({"IssueTicket details " + name, Bind(kiosk, &Kiosk::IssueTicket, req),
                     Code::INVALID_ARGUMENT});
  };
  for (const char* amount : {"12.345", "abc", "-5", "1,000", ".5"}) {
    issue(absl::StrCat("amount '", amount, "'"), [amount](auto* d) { d->set_amount(amount); });
  }
  for (const char* account : {"12ab", "123", "1234 5678"}) {
    issue(absl::StrCat("account '", account, "'"),
          [account](auto* d) { d->set_account_tail(account); });
  }
  issue("type 33 bytes", [](auto* d) { d->set_type(std::string(33, 't')); });
  issue("text 201 bytes", [](auto* d) { d->set_text(std::string(201, 'x')); });
  issue("text with a control character", [](auto* d) { d->set_text("a\x01z"); });

  // PreviewOrder.
  AddBranchCases(cases, "PreviewOrder", [this](const std::string& branch) {
    v1::PreviewOrderRequest req;
    req.set_branch_id(branch);
    return Bind(lobby_.get(), &v1::LobbyService::Stub::PreviewOrder, req)();
  });

  ExpectRejectedAndUnchanged(cases);

  // The requests the cases spoiled are in fact accepted.
  v1::TicketActionResponse moved;
  ASSERT_TRUE(IsOk(Call(counter, &Counter::Transfer, transfer(v1::PLACEMENT_END, "ok"), &moved)));
  EXPECT_EQ(moved.ticket().note(), "ok");
  v1::IssueTicketRequest with_details = IssueReq("A");
  with_details.mutable_details()->set_amount("100.50");
  v1::TicketResponse issued;
  EXPECT_TRUE(IsOk(Call(kiosk, &Kiosk::IssueTicket, with_details, &issued)));
}

TEST_F(PolicyBadInputTest, AdminPolicySettings) {
  using Admin = v1::AdminService::Stub;
  auto* admin = admin_.get();
  std::vector<BadCase> cases;

  // UpsertCounter.
  auto counter = [&](const std::string& name,
                     const std::function<void(v1::CounterConfig*)>& spoil) {
    v1::UpsertCounterRequest req;
    req.set_branch_id(kCalling);
    *req.mutable_counter() = CountedCounter();
    spoil(req.mutable_counter());
    cases.push_back(
        {"UpsertCounter " + name, Bind(admin, &Admin::UpsertCounter, req), Code::INVALID_ARGUMENT});
  };
  counter("strategy 7", [](auto* c) { c->set_strategy(static_cast<v1::CallStrategy>(7)); });
  counter("rule priority 9", [](auto* c) {
    c->mutable_counted_rules(1)->set_priority(static_cast<v1::PriorityClass>(9));
  });
  counter("fallback 9",
          [](auto* c) { c->set_counted_fallback(static_cast<v1::PriorityClass>(9)); });
  counter("quota 0", [](auto* c) { c->mutable_counted_rules(0)->set_quota(0); });
  counter("quota 101", [](auto* c) { c->mutable_counted_rules(0)->set_quota(101); });
  counter("counted without rules", [](auto* c) { c->clear_counted_rules(); });

  // UpsertService.
  auto service = [&](const std::string& name,
                     const std::function<void(v1::ServiceConfig*)>& spoil) {
    v1::UpsertServiceRequest req;
    req.set_branch_id(kCalling);
    *req.mutable_service() = ServiceCfg("A", "Cash");
    req.mutable_service()->set_appointment_capacity(2);
    spoil(req.mutable_service());
    cases.push_back(
        {"UpsertService " + name, Bind(admin, &Admin::UpsertService, req), Code::INVALID_ARGUMENT});
  };
  service("appointment_capacity -1", [](auto* s) { s->set_appointment_capacity(-1); });
  service("appointment_capacity 101", [](auto* s) { s->set_appointment_capacity(101); });
  service("max_wait below target_wait", [](auto* s) { *s->mutable_max_wait() = Minutes(5); });
  service("max_wait negative", [](auto* s) { *s->mutable_max_wait() = Minutes(-5); });

  // UpdateBranch.
  auto update = [&](const std::string& name, Code code,
                    const std::function<void(v1::UpdateBranchRequest*)>& spoil) {
    v1::UpdateBranchRequest req;
    req.set_branch_id(kCalling);
    req.set_name("Renamed");
    spoil(&req);
    cases.push_back({"UpdateBranch " + name, Bind(admin, &Admin::UpdateBranch, req), code});
  };
  update("unknown branch", Code::NOT_FOUND, [](auto* r) { r->set_branch_id("nowhere"); });
  update("malformed branch", Code::INVALID_ARGUMENT, [](auto* r) { r->set_branch_id("Bad!"); });
  update("name 65 bytes", Code::INVALID_ARGUMENT,
         [](auto* r) { r->set_name(std::string(65, 'n')); });
  update("reinstate_placement 9", Code::INVALID_ARGUMENT, [](auto* r) {
    r->mutable_policy()->set_reinstate_placement(static_cast<v1::Placement>(9));
  });
  update("transfer_placement 9", Code::INVALID_ARGUMENT, [](auto* r) {
    r->mutable_policy()->set_transfer_placement(static_cast<v1::Placement>(9));
  });
  update("reinstate_placement FRONT", Code::INVALID_ARGUMENT,
         [](auto* r) { r->mutable_policy()->set_reinstate_placement(v1::PLACEMENT_FRONT); });
  update("recall_limit 11", Code::INVALID_ARGUMENT,
         [](auto* r) { r->mutable_policy()->set_recall_limit(11); });
  update("recall_limit -1", Code::INVALID_ARGUMENT,
         [](auto* r) { r->mutable_policy()->set_recall_limit(-1); });
  update("closing before opening", Code::INVALID_ARGUMENT,
         [](auto* r) { *r->mutable_policy()->mutable_closing_time() = Minutes(8 * 60); });
  update("slot_length 7 seconds", Code::INVALID_ARGUMENT,
         [](auto* r) { r->mutable_policy()->mutable_slot_length()->set_seconds(7); });
  update("booking_horizon_days 400", Code::INVALID_ARGUMENT,
         [](auto* r) { r->mutable_policy()->set_booking_horizon_days(400); });
  update("negative reinstate_grace", Code::INVALID_ARGUMENT,
         [](auto* r) { *r->mutable_policy()->mutable_reinstate_grace() = Minutes(-1); });

  // CreateBranch with a bad policy or counter: nothing is created.
  auto create = [&](const std::string& name, const std::function<void(v1::BranchConfig*)>& spoil) {
    v1::CreateBranchRequest req = NorthBranch();
    spoil(req.mutable_branch());
    cases.push_back(
        {"CreateBranch " + name, Bind(admin, &Admin::CreateBranch, req), Code::INVALID_ARGUMENT});
  };
  create("transfer_placement 9", [](auto* b) {
    b->mutable_policy()->set_transfer_placement(static_cast<v1::Placement>(9));
  });
  create("recall_limit 11", [](auto* b) { b->mutable_policy()->set_recall_limit(11); });
  create("counter strategy 9",
         [](auto* b) { b->mutable_counters(0)->set_strategy(static_cast<v1::CallStrategy>(9)); });

  ExpectRejectedAndUnchanged(cases);
}

}  // namespace
}  // namespace lobbyq::e2e
