#pragma once

// A fixture for the calling-policy and appointment tests: on top of the demo
// branch, a branch "calling" created over AdminService with every kind of
// counter, so the tests do not depend on how the demo happens to be set up.
//
//   services  A Cash      target 10 min, 4 min service, 2 appointments per slot
//             B Non-cash  target 15 min, 8 min service
//             C Wealth    target 10 min, no appointments
//   counters  1 {A,B} in_order            2 {A,B} in_order, green channel
//             3 {B,A} longest_wait        4 {A} counted: normal:2, vip:1, fallback normal
//             5 {B}   in_order
//   policy    recall limit 2, reinstate grace 30 min, appointment slots of
//             30 min from 9:00 to 17:00, check-in 30 min early to 10 min late,
//             called 5 min ahead; everything else default.
//
// The clock starts on Monday 2024-03-04 09:30:00.123456 Asia/Shanghai.

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/e2e/test_server.h"

namespace lobbyq::e2e {

inline constexpr char kCalling[] = "calling";
inline constexpr char kToday[] = "2024-03-04";

inline absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

inline google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp out;
  const int64_t nanos = absl::ToUnixNanos(t);
  out.set_seconds(nanos / 1'000'000'000);
  out.set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
  return out;
}

inline google::protobuf::Duration Minutes(int64_t m) {
  google::protobuf::Duration d;
  d.set_seconds(m * 60);
  return d;
}

// hh:mm on the test day, Shanghai time.
inline absl::Time Local(int hour, int minute, int day = 4) {
  static const absl::TimeZone zone = [] {
    absl::TimeZone z;
    absl::LoadTimeZone("Asia/Shanghai", &z);
    return z;
  }();
  return absl::FromCivil(absl::CivilMinute(2024, 3, day, hour, minute), zone);
}

// One WatchLobby stream with a deadline, cancelled on the way out.
class LobbyWatch {
 public:
  LobbyWatch(const std::shared_ptr<grpc::Channel>& channel, const std::string& branch)
      : stub_(v1::LobbyService::NewStub(channel)) {
    SetDeadline(&ctx_, absl::Seconds(30));
    v1::WatchLobbyRequest req;
    req.set_branch_id(branch);
    reader_ = stub_->WatchLobby(&ctx_, req);
  }
  ~LobbyWatch() {
    ctx_.TryCancel();
    v1::LobbyUpdate ignored;
    while (reader_->Read(&ignored)) {
    }
    reader_->Finish();
  }
  // The next update; an empty one (and a test failure) if the stream ended.
  v1::LobbyUpdate Next() {
    v1::LobbyUpdate update;
    if (!reader_->Read(&update)) ADD_FAILURE() << "watch stream ended early";
    return update;
  }

 private:
  std::unique_ptr<v1::LobbyService::Stub> stub_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<v1::LobbyUpdate>> reader_;
};

class PolicyTest : public E2eTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(E2eTest::SetUp());
    v1::BranchConfig created;
    ASSERT_TRUE(
        IsOk(Call(admin_.get(), &v1::AdminService::Stub::CreateBranch, CallingBranch(), &created)));
    ASSERT_EQ(created.counters_size(), 5);
  }

  static v1::CreateBranchRequest CallingBranch() {
    v1::CreateBranchRequest req;
    v1::BranchConfig* b = req.mutable_branch();
    b->set_id(kCalling);
    b->set_name("Calling 叫号支行");
    b->set_timezone("Asia/Shanghai");
    v1::ServiceConfig a = ServiceCfg("A", "Cash");
    a.set_appointment_capacity(2);
    *b->add_services() = a;
    v1::ServiceConfig nb = ServiceCfg("B", "Non-cash");
    nb.mutable_target_wait()->set_seconds(15 * 60);
    nb.mutable_expected_service_time()->set_seconds(8 * 60);
    *b->add_services() = nb;
    *b->add_services() = ServiceCfg("C", "Wealth");
    *b->add_counters() = CounterCfg(1, {"A", "B"});
    v1::CounterConfig green = CounterCfg(2, {"A", "B"});
    green.set_green_channel(true);
    *b->add_counters() = green;
    v1::CounterConfig longest = CounterCfg(3, {"B", "A"});
    longest.set_strategy(v1::CALL_STRATEGY_LONGEST_WAIT);
    *b->add_counters() = longest;
    *b->add_counters() = CountedCounter();
    *b->add_counters() = CounterCfg(5, {"B"});
    v1::BranchPolicy* p = b->mutable_policy();
    p->set_recall_limit(2);
    *p->mutable_reinstate_grace() = Minutes(30);
    *p->mutable_checkin_early() = Minutes(30);
    *p->mutable_checkin_late() = Minutes(10);
    *p->mutable_appointment_lead() = Minutes(5);
    *p->mutable_opening_time() = Minutes(9 * 60);
    *p->mutable_closing_time() = Minutes(17 * 60);
    *p->mutable_slot_length() = Minutes(30);
    return req;
  }

  // Counter 4: {A}, counted "normal:2, vip:1", fallback normal.
  static v1::CounterConfig CountedCounter() {
    v1::CounterConfig c = CounterCfg(4, {"A"});
    c.set_strategy(v1::CALL_STRATEGY_COUNTED);
    v1::CountedRule* normal = c.add_counted_rules();
    normal->set_priority(v1::PRIORITY_CLASS_NORMAL);
    normal->set_quota(2);
    v1::CountedRule* vip = c.add_counted_rules();
    vip->set_priority(v1::PRIORITY_CLASS_VIP);
    vip->set_quota(1);
    c.set_counted_fallback(v1::PRIORITY_CLASS_NORMAL);
    return c;
  }

  v1::Ticket IssueIn(const std::string& service,
                     v1::PriorityClass priority = v1::PRIORITY_CLASS_NORMAL) {
    return Issue(service, kCalling, priority);
  }

  v1::IssueTicketRequest IssueReq(const std::string& service) {
    v1::IssueTicketRequest req;
    req.set_branch_id(kCalling);
    req.set_service_code(service);
    req.set_request_id(NextRequestId());
    req.set_kiosk_id("kiosk-1");
    return req;
  }

  grpc::Status UpsertCounter(const v1::CounterConfig& counter, v1::CounterStatus* out) {
    v1::UpsertCounterRequest req;
    req.set_branch_id(kCalling);
    *req.mutable_counter() = counter;
    return Call(admin_.get(), &v1::AdminService::Stub::UpsertCounter, req, out);
  }

  v1::BranchConfig GetBranch(const std::string& branch = kCalling) {
    v1::GetBranchRequest req;
    req.set_branch_id(branch);
    v1::BranchConfig resp;
    EXPECT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::GetBranch, req, &resp)));
    return resp;
  }

  v1::PreviewOrderResponse Preview(const std::string& branch = kCalling) {
    v1::PreviewOrderRequest req;
    req.set_branch_id(branch);
    v1::PreviewOrderResponse resp;
    EXPECT_TRUE(IsOk(Call(lobby_.get(), &v1::LobbyService::Stub::PreviewOrder, req, &resp)));
    return resp;
  }

  // Calls, starts and finishes: the counter is free again afterwards.
  v1::Ticket Serve(uint32_t counter) {
    v1::CallNextResponse called = CallNext(counter, kCalling);
    EXPECT_TRUE(called.has_ticket()) << "counter " << counter << " found nobody";
    if (called.has_ticket()) {
      StartService(counter, kCalling);
      Finish(counter, kCalling);
    }
    return called.ticket();
  }

  v1::TicketActionResponse Transfer(uint32_t counter, const std::string& to,
                                    v1::Placement placement, const std::string& note = "") {
    v1::TransferRequest req;
    req.set_branch_id(kCalling);
    req.set_counter(counter);
    req.set_to_service_code(to);
    req.set_placement(placement);
    req.set_note(note);
    v1::TicketActionResponse resp;
    EXPECT_TRUE(IsOk(Call(counter_.get(), &v1::CounterService::Stub::Transfer, req, &resp)))
        << "Transfer at " << counter << " to " << to;
    return resp;
  }

  // --- Appointments ---

  v1::BookAppointmentRequest BookReq(absl::Time slot, const std::string& name,
                                     const std::string& phone, const std::string& service = "A") {
    v1::BookAppointmentRequest req;
    req.set_branch_id(kCalling);
    req.set_service_code(service);
    *req.mutable_slot_start() = ToTimestamp(slot);
    req.set_customer_name(name);
    req.set_phone(phone);
    req.set_request_id(NextRequestId());
    return req;
  }

  grpc::Status Book(const v1::BookAppointmentRequest& req, v1::Appointment* out) {
    return Call(appointments_.get(), &v1::AppointmentService::Stub::BookAppointment, req, out);
  }

  v1::Appointment BookOk(absl::Time slot, const std::string& name, const std::string& phone) {
    v1::Appointment out;
    EXPECT_TRUE(IsOk(Book(BookReq(slot, name, phone), &out))) << "booking for " << name;
    return out;
  }

  grpc::Status CheckIn(const std::string& code, v1::CheckInAppointmentResponse* out) {
    v1::CheckInAppointmentRequest req;
    req.set_branch_id(kCalling);
    req.set_code(code);
    req.set_kiosk_id("kiosk-1");
    return Call(kiosk_.get(), &v1::KioskService::Stub::CheckInAppointment, req, out);
  }

  grpc::Status CancelAppointment(const std::string& code, v1::Appointment* out) {
    v1::CancelAppointmentRequest req;
    req.set_branch_id(kCalling);
    req.set_code(code);
    return Call(appointments_.get(), &v1::AppointmentService::Stub::CancelAppointment, req, out);
  }

  v1::ListSlotsResponse ListSlots(const std::string& service = "A",
                                  const std::string& day = kToday) {
    v1::ListSlotsRequest req;
    req.set_branch_id(kCalling);
    req.set_service_code(service);
    req.set_day(day);
    v1::ListSlotsResponse resp;
    EXPECT_TRUE(
        IsOk(Call(appointments_.get(), &v1::AppointmentService::Stub::ListSlots, req, &resp)));
    return resp;
  }

  // The slot starting at `start`; a default one (and a failure) if not listed.
  v1::Slot SlotAt(absl::Time start, const std::string& service = "A") {
    const v1::ListSlotsResponse listed = ListSlots(service);
    for (const auto& slot : listed.slots()) {
      if (FromProto(slot.start()) == start) return slot;
    }
    ADD_FAILURE() << "no slot at " << absl::FormatTime(start);
    return {};
  }

  v1::ListAppointmentsResponse ListAppointments(const std::string& day = kToday) {
    v1::ListAppointmentsRequest req;
    req.set_branch_id(kCalling);
    req.set_day(day);
    v1::ListAppointmentsResponse resp;
    EXPECT_TRUE(IsOk(
        Call(appointments_.get(), &v1::AppointmentService::Stub::ListAppointments, req, &resp)));
    return resp;
  }

  // --- Reinstatement ---

  grpc::Status KioskReinstate(uint64_t ticket_id, const std::string& number, v1::Ticket* out) {
    v1::ReinstateTicketRequest req;
    req.set_branch_id(kCalling);
    if (!number.empty()) {
      req.set_number(number);
    } else {
      req.set_ticket_id(ticket_id);
    }
    v1::TicketResponse resp;
    grpc::Status s = Call(kiosk_.get(), &v1::KioskService::Stub::ReinstateTicket, req, &resp);
    *out = resp.ticket();
    return s;
  }

  grpc::Status CounterReinstate(uint32_t counter, uint64_t ticket_id, const std::string& number,
                                v1::TicketActionResponse* out) {
    v1::CounterReinstateRequest req;
    req.set_branch_id(kCalling);
    req.set_counter(counter);
    if (!number.empty()) {
      req.set_number(number);
    } else {
      req.set_ticket_id(ticket_id);
    }
    return Call(counter_.get(), &v1::CounterService::Stub::ReinstateTicket, req, out);
  }
};

}  // namespace lobbyq::e2e
