// The replay simulator and the server make the same calls for the same day:
// lobbyq-sim drives the domain directly; here the commands it gave are sent
// to a running server (fake clock, gRPC, store, runtime) at the same instants,
// and every CallNext must answer the ticket the simulator's branch called.

#include <map>

#include "gmock/gmock.h"
#include "sim/replay.h"
#include "sim/tracegen.h"
#include "tests/e2e/policy_fixture.h"

namespace lobbyq::e2e {
namespace {

using sim::ReplayCommand;

class ReplayOrderTest : public E2eTest {
 protected:
  void SetUp() override {}  // the server starts with the replay's branch

  // Replays `result` against a server holding the same branch; returns the
  // number of calls compared.
  int DriveServer(const sim::ReplayResult& result) {
    const std::string branch = result.branch.info.id;
    clock_.Set(result.commands.front().at - absl::Minutes(1));
    StartServer("", 2, {result.branch});
    std::map<uint64_t, uint64_t> server_id;  // replay ticket id -> server ticket id
    int compared = 0;
    int request = 0;
    for (const ReplayCommand& c : result.commands) {
      clock_.Set(c.at);
      SCOPED_TRACE(absl::StrCat("command at ", absl::FormatTime(c.at), " counter ", c.counter));
      switch (c.kind) {
        case ReplayCommand::Kind::kUpsertCounter: {
          v1::UpsertCounterRequest req;
          req.set_branch_id(branch);
          v1::CounterConfig* counter = req.mutable_counter();
          counter->set_number(c.counter);
          counter->set_name(absl::StrCat("Counter ", c.counter));
          for (const auto& code : c.services) counter->add_service_codes(code);
          counter->set_strategy(c.strategy == domain::CallStrategy::kLongestWait
                                    ? v1::CALL_STRATEGY_LONGEST_WAIT
                                    : v1::CALL_STRATEGY_IN_ORDER);
          v1::CounterStatus out;
          EXPECT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::UpsertCounter, req, &out)));
          break;
        }
        case ReplayCommand::Kind::kOpen:
          Open(c.counter, branch);
          break;
        case ReplayCommand::Kind::kClose: {
          v1::CounterResponse out;
          EXPECT_TRUE(IsOk(Call(counter_.get(), &v1::CounterService::Stub::CloseCounter,
                                CounterReq(c.counter, branch), &out)));
          break;
        }
        case ReplayCommand::Kind::kIssue: {
          const v1::Ticket t =
              Issue(c.service, branch,
                    c.priority == domain::PriorityClass::kVip ? v1::PRIORITY_CLASS_VIP
                    : c.priority == domain::PriorityClass::kGreenChannel
                        ? v1::PRIORITY_CLASS_GREEN_CHANNEL
                        : v1::PRIORITY_CLASS_NORMAL);
          server_id[c.ticket_id] = t.ticket_id();
          break;
        }
        case ReplayCommand::Kind::kAppointment: {
          v1::BookAppointmentRequest book;
          book.set_branch_id(branch);
          book.set_service_code(c.service);
          *book.mutable_slot_start() = ToTimestamp(c.slot);
          book.set_phone(absl::StrCat("139", 10000000 + request));
          book.set_request_id(absl::StrCat("book-", request++));
          v1::Appointment booked;
          EXPECT_TRUE(IsOk(Call(appointments_.get(), &v1::AppointmentService::Stub::BookAppointment,
                                book, &booked)));
          v1::CheckInAppointmentRequest check_in;
          check_in.set_branch_id(branch);
          check_in.set_code(booked.code());
          v1::CheckInAppointmentResponse checked_in;
          EXPECT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::CheckInAppointment, check_in,
                                &checked_in)));
          server_id[c.ticket_id] = checked_in.ticket().ticket_id();
          break;
        }
        case ReplayCommand::Kind::kCallNext: {
          const v1::CallNextResponse called = CallNext(c.counter, branch);
          EXPECT_EQ(called.ticket().ticket_id(), server_id[c.ticket_id]);
          ++compared;
          break;
        }
        case ReplayCommand::Kind::kStart:
          StartService(c.counter, branch);
          break;
        case ReplayCommand::Kind::kFinish:
          Finish(c.counter, branch);
          break;
        case ReplayCommand::Kind::kNoShow: {
          v1::TicketActionResponse out;
          EXPECT_TRUE(
              IsOk(CounterAct(&v1::CounterService::Stub::MarkNoShow, c.counter, &out, branch)));
          break;
        }
      }
      if (HasFailure()) break;  // one divergence makes every later line noise
    }
    return compared;
  }
};

TEST_F(ReplayOrderTest, ServerCallsWhatTheSimulatorCalled) {
  // Two hours of a busy priority mix: VIP, green channel, appointments,
  // leavers, two counter profiles and a shift change with a strategy change.
  sim::TraceOptions options;
  options.seed = 5;
  options.open_hours = 2;
  options.arrivals_per_hour = 40;
  const auto trace = sim::GenerateTrace(options);
  auto staffing = sim::ParseStaffing(
      "counter,services,from_s,to_s,strategy\n1,A|B,0,7200,in_order\n2,B|A,0,3600,in_order\n"
      "2,B|A,3600,7200,longest_wait\n3,A,1800,5400,in_order\n");
  ASSERT_TRUE(staffing.ok()) << staffing.status();
  auto result = sim::Replay(trace, *staffing, {}, {});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_GT(result->calls.size(), 50u);
  EXPECT_EQ(DriveServer(*result), static_cast<int>(result->calls.size()));
}

}  // namespace
}  // namespace lobbyq::e2e
