// Appointments over real gRPC: slots, booking, check-in at the kiosk (on
// time, early, late, twice), cancellation, the day's list, and how an early
// appointment's ticket is held until its lead time and then called first.

#include <cctype>
#include <set>

#include "gmock/gmock.h"
#include "server/domain/validation.h"
#include "tests/e2e/policy_fixture.h"

namespace lobbyq::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(PolicyTest, ListSlotsShowsTheDaysGridWithCapacity) {
  const v1::ListSlotsResponse slots = ListSlots("A");
  ASSERT_EQ(slots.slots_size(), 16);  // 9:00 .. 16:30, every 30 minutes
  for (int i = 0; i < slots.slots_size(); ++i) {
    const v1::Slot& slot = slots.slots(i);
    EXPECT_EQ(FromProto(slot.start()), Local(9, 0) + absl::Minutes(30 * i));
    EXPECT_EQ(FromProto(slot.end()) - FromProto(slot.start()), absl::Minutes(30));
    EXPECT_EQ(slot.capacity(), 2);
    EXPECT_EQ(slot.booked(), 0);
    EXPECT_EQ(slot.available(), 2);
  }
  // Another day has the same grid in local time.
  const v1::ListSlotsResponse tomorrow = ListSlots("A", "2024-03-05");
  ASSERT_EQ(tomorrow.slots_size(), 16);
  EXPECT_EQ(FromProto(tomorrow.slots(0).start()), Local(9, 0, 5));
  // A service without appointments has no slots.
  EXPECT_EQ(ListSlots("B").slots_size(), 0);
  // No day means the branch's today, so a kiosk need not know the time zone.
  const v1::ListSlotsResponse today = ListSlots("A", "");
  ASSERT_EQ(today.slots_size(), 16);
  EXPECT_EQ(FromProto(today.slots(0).start()), Local(9, 0));
  EXPECT_EQ(ListAppointments("").missed_count(), ListAppointments().missed_count());
}

TEST_F(PolicyTest, CheckInRetriedWithItsRequestIdReturnsTheSameTicket) {
  const v1::Appointment alice = BookOk(Local(10, 30), "Alice", "13800001111");
  const v1::Appointment bob = BookOk(Local(11, 0), "Bob", "13900002222");
  clock_.Advance(Local(10, 30) - clock_.Now());
  v1::CheckInAppointmentRequest req;
  req.set_branch_id(kCalling);
  req.set_code(alice.code());
  req.set_kiosk_id("kiosk-1");
  req.set_request_id("kiosk-1/checkin-1");
  v1::CheckInAppointmentResponse first;
  ASSERT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::CheckInAppointment, req, &first)));
  EXPECT_EQ(first.outcome(), v1::CHECK_IN_OUTCOME_ON_TIME);
  const int waiting = Waiting("A", kCalling);

  // The next morning the code alone is refused, but the retry gets its answer.
  clock_.Advance(absl::Hours(20));
  v1::CheckInAppointmentResponse retry;
  ASSERT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::CheckInAppointment, req, &retry)));
  EXPECT_EQ(retry.ticket().ticket_id(), first.ticket().ticket_id());
  EXPECT_EQ(retry.outcome(), v1::CHECK_IN_OUTCOME_ON_TIME);
  EXPECT_EQ(Waiting("A", kCalling), waiting);
  v1::CheckInAppointmentResponse plain;
  EXPECT_TRUE(HasCode(CheckIn(alice.code(), &plain), grpc::StatusCode::FAILED_PRECONDITION));

  // The same id for another code is refused, and checks nothing in.
  req.set_code(bob.code());
  EXPECT_TRUE(HasCode(Call(kiosk_.get(), &v1::KioskService::Stub::CheckInAppointment, req, &plain),
                      grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_EQ(Waiting("A", kCalling), waiting);
}

TEST_F(PolicyTest, BookListCheckInOnTimeEarlyLateTwiceAndCancel) {
  LobbyWatch watch(channel_, kCalling);
  ASSERT_TRUE(watch.Next().has_snapshot());

  // Alice books 10:30; a retry of the same request books nothing new.
  const v1::BookAppointmentRequest alice_req = BookReq(Local(10, 30), "Alice 王", "138 1234-5678");
  v1::Appointment alice;
  ASSERT_TRUE(IsOk(Book(alice_req, &alice)));
  ASSERT_EQ(alice.code().size(), domain::kAppointmentCodeLength);
  for (char c : alice.code()) {
    EXPECT_NE(domain::kAppointmentCodeAlphabet.find(c), absl::string_view::npos) << alice.code();
  }
  EXPECT_EQ(alice.branch_id(), kCalling);
  EXPECT_EQ(alice.service_code(), "A");
  EXPECT_EQ(FromProto(alice.slot_start()), Local(10, 30));
  EXPECT_EQ(alice.customer_name(), "Alice 王");
  EXPECT_EQ(alice.phone(), "138****5678");
  EXPECT_EQ(alice.state(), v1::APPOINTMENT_STATE_BOOKED);
  EXPECT_EQ(alice.ticket_id(), 0u);
  v1::Appointment retried;
  ASSERT_TRUE(IsOk(Book(alice_req, &retried)));
  EXPECT_TRUE(ProtoEqual(alice, retried));

  v1::Slot slot = SlotAt(Local(10, 30));
  EXPECT_EQ(slot.booked(), 1);
  EXPECT_EQ(slot.available(), 1);

  const v1::Appointment bob = BookOk(Local(10, 30), "Bob", "13900001111");
  EXPECT_NE(bob.code(), alice.code());
  slot = SlotAt(Local(10, 30));
  EXPECT_EQ(slot.booked(), 2);
  EXPECT_EQ(slot.available(), 0);
  const v1::Appointment carol = BookOk(Local(11, 0), "Carol", "13700002222");
  const v1::Appointment dave = BookOk(Local(11, 30), "Dave", "13600003333");
  const std::set<std::string> codes = {alice.code(), bob.code(), carol.code(), dave.code()};
  EXPECT_EQ(codes.size(), 4u);

  // 09:30: check-in for 10:30 opens only at 10:00.
  v1::CheckInAppointmentResponse checked;
  EXPECT_TRUE(HasCode(CheckIn(alice.code(), &checked), grpc::StatusCode::FAILED_PRECONDITION));

  // 10:05: early. An APPOINTMENT ticket, callable from 10:25. The code may be
  // typed in lower case with a dash.
  clock_.Advance(Local(10, 5) - clock_.Now());
  std::string typed = alice.code();
  for (char& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  typed.insert(4, "-");
  ASSERT_TRUE(IsOk(CheckIn(typed, &checked)));
  EXPECT_EQ(checked.outcome(), v1::CHECK_IN_OUTCOME_EARLY);
  EXPECT_EQ(checked.ticket().priority(), v1::PRIORITY_CLASS_APPOINTMENT);
  EXPECT_EQ(checked.ticket().state(), v1::TICKET_STATE_WAITING);
  EXPECT_EQ(checked.ticket().service_code(), "A");
  EXPECT_TRUE(checked.ticket().from_appointment());
  EXPECT_EQ(FromProto(checked.callable_from()), Local(10, 25));
  EXPECT_EQ(FromProto(checked.ticket().queued_at()), Local(10, 25));
  EXPECT_EQ(checked.message(), "Your appointment is at 10:30; you will be called from 10:25");
  const uint64_t alice_ticket = checked.ticket().ticket_id();

  // Twice: the same ticket, nothing new.
  const v1::LobbyStatus before_again = Lobby(kCalling);
  v1::CheckInAppointmentResponse again;
  ASSERT_TRUE(IsOk(CheckIn(alice.code(), &again)));
  EXPECT_EQ(again.ticket().ticket_id(), alice_ticket);
  EXPECT_EQ(again.outcome(), v1::CHECK_IN_OUTCOME_EARLY);
  EXPECT_TRUE(ProtoEqual(before_again, Lobby(kCalling)));

  // 10:30: on time, callable at once.
  clock_.Advance(Local(10, 30) - clock_.Now());
  ASSERT_TRUE(IsOk(CheckIn(bob.code(), &checked)));
  EXPECT_EQ(checked.outcome(), v1::CHECK_IN_OUTCOME_ON_TIME);
  EXPECT_EQ(checked.ticket().priority(), v1::PRIORITY_CLASS_APPOINTMENT);
  EXPECT_LE(FromProto(checked.callable_from()), clock_.Now());
  EXPECT_THAT(checked.message(), HasSubstr("10:30"));
  EXPECT_NE(checked.ticket().ticket_id(), alice_ticket);

  // 11:15: Carol's 11:00 window closed at 11:10: a normal ticket, and she is told.
  clock_.Advance(Local(11, 15) - clock_.Now());
  ASSERT_TRUE(IsOk(CheckIn(carol.code(), &checked)));
  EXPECT_EQ(checked.outcome(), v1::CHECK_IN_OUTCOME_LATE);
  EXPECT_EQ(checked.ticket().priority(), v1::PRIORITY_CLASS_NORMAL);
  EXPECT_EQ(checked.message(),
            "Your appointment time (11:00) has passed; you have a normal ticket");
  const uint64_t carol_ticket = checked.ticket().ticket_id();

  // Dave cancels; his place is free again, and the code no longer checks in.
  v1::Appointment cancelled;
  ASSERT_TRUE(IsOk(CancelAppointment(dave.code(), &cancelled)));
  EXPECT_EQ(cancelled.code(), dave.code());
  EXPECT_EQ(cancelled.state(), v1::APPOINTMENT_STATE_CANCELLED);
  EXPECT_EQ(cancelled.phone(), "136****3333");
  EXPECT_EQ(SlotAt(Local(11, 30)).booked(), 0);
  EXPECT_TRUE(
      HasCode(CancelAppointment(dave.code(), &cancelled), grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_TRUE(HasCode(CheckIn(dave.code(), &checked), grpc::StatusCode::FAILED_PRECONDITION));

  // The day's list, by slot then code, phones masked; the cancelled one counts
  // as an appointment no-show.
  const v1::ListAppointmentsResponse listed = ListAppointments();
  ASSERT_EQ(listed.appointments_size(), 4);
  EXPECT_EQ(listed.missed_count(), 1);
  EXPECT_EQ(FromProto(listed.appointments(0).slot_start()), Local(10, 30));
  EXPECT_EQ(FromProto(listed.appointments(1).slot_start()), Local(10, 30));
  // Codes are keys: staff see only their last two characters.
  const auto masked = [](const std::string& code) { return "******" + code.substr(6); };
  EXPECT_EQ(listed.appointments(2).code(), masked(carol.code()));
  EXPECT_EQ(listed.appointments(2).state(), v1::APPOINTMENT_STATE_CHECKED_IN);
  EXPECT_EQ(listed.appointments(2).ticket_id(), carol_ticket);
  EXPECT_EQ(listed.appointments(3).code(), masked(dave.code()));
  EXPECT_EQ(listed.appointments(3).state(), v1::APPOINTMENT_STATE_CANCELLED);
  for (const auto& a : listed.appointments()) {
    EXPECT_THAT(a.phone(), HasSubstr("****")) << a.code();
    EXPECT_EQ(a.branch_id(), kCalling);
  }
  EXPECT_EQ(ListAppointments("2024-03-05").appointments_size(), 0);

  // Codes are secrets: no lobby update ever shows one.
  for (int i = 0; i < 50; ++i) {
    const v1::LobbyUpdate update = watch.Next();
    const std::string text = update.DebugString();
    for (const auto& code : codes) EXPECT_THAT(text, Not(HasSubstr(code)));
    EXPECT_THAT(text, Not(HasSubstr("13812345678")));
    if (update.event().type() == v1::EVENT_TYPE_APPOINTMENT_CANCELLED) break;
    if (update.update_case() == v1::LobbyUpdate::UPDATE_NOT_SET) break;
  }
}

TEST_F(PolicyTest, EarlyAppointmentIsHeldUntilItsLeadTimeThenCalledFirst) {
  const v1::Appointment alice = BookOk(Local(10, 30), "Alice", "13812345678");
  clock_.Advance(Local(10, 5) - clock_.Now());
  v1::CheckInAppointmentResponse checked;
  ASSERT_TRUE(IsOk(CheckIn(alice.code(), &checked)));
  ASSERT_EQ(checked.outcome(), v1::CHECK_IN_OUTCOME_EARLY);
  const uint64_t appointment_ticket = checked.ticket().ticket_id();

  Open(1, kCalling);  // {A,B}
  const v1::Ticket n1 = IssueIn("A");
  clock_.Advance(absl::Minutes(5));  // 10:10
  const v1::Ticket n2 = IssueIn("A");

  // Not callable yet: not in the preview, and the counter calls the others.
  v1::PreviewOrderResponse preview = Preview();
  ASSERT_EQ(preview.entries_size(), 2);
  EXPECT_EQ(preview.entries(0).ticket().ticket_id(), n1.ticket_id());
  EXPECT_EQ(Serve(1).ticket_id(), n1.ticket_id());
  EXPECT_EQ(GetTicket(appointment_ticket, kCalling).state(), v1::TICKET_STATE_WAITING);

  // 10:25: callable, and the APPOINTMENT class goes before n2.
  clock_.Advance(Local(10, 25) - clock_.Now());
  preview = Preview();
  ASSERT_EQ(preview.entries_size(), 2);
  EXPECT_EQ(preview.entries(0).ticket().ticket_id(), appointment_ticket);
  EXPECT_TRUE(preview.entries(0).ticket().from_appointment());
  const v1::CallNextResponse called = CallNext(1, kCalling);
  EXPECT_EQ(called.ticket().ticket_id(), appointment_ticket);
  EXPECT_EQ(called.ticket().priority(), v1::PRIORITY_CLASS_APPOINTMENT);
  StartService(1, kCalling);
  Finish(1, kCalling);
  EXPECT_EQ(Serve(1).ticket_id(), n2.ticket_id());

  const v1::ListAppointmentsResponse listed = ListAppointments();
  ASSERT_EQ(listed.appointments_size(), 1);
  EXPECT_EQ(listed.appointments(0).state(), v1::APPOINTMENT_STATE_CHECKED_IN);
  EXPECT_EQ(listed.appointments(0).ticket_id(), appointment_ticket);
  EXPECT_EQ(listed.missed_count(), 0);
}

}  // namespace
}  // namespace lobbyq::e2e
