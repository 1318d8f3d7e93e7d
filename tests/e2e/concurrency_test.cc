// Many counters calling at once must never take the same ticket twice, nor
// leave one behind: 2,000 tickets, 8 counters, one thread each, over real gRPC.

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "tests/e2e/test_server.h"

namespace lobbyq::e2e {
namespace {

constexpr int kTickets = 2000;
constexpr uint32_t kCounters = 8;

// Mostly cash (A) and non-cash (B). A service has at most 999 live numbers, so
// 2,000 tickets waiting at once cannot all be A or B: a fifth go to C and D,
// which counters 4, 5 and 6 also serve.
std::string ServiceFor(int i) {
  static constexpr char kMix[] = "AAAABBBBCD";
  return std::string(1, kMix[i % 10]);
}

struct Issued {
  uint64_t id = 0;
  std::string number;
  std::string service;
};

struct Served {
  std::vector<uint64_t> tickets;  // in the order this counter called them
  std::vector<std::string> errors;
};

class ConcurrencyTest : public E2eTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(E2eTest::SetUp());
    // Counters 7 and 8 join the demo's six, both serving A and B.
    for (auto [number, profile] : {std::pair<uint32_t, std::vector<std::string>>{7, {"A", "B"}},
                                   std::pair<uint32_t, std::vector<std::string>>{8, {"B", "A"}}}) {
      v1::UpsertCounterRequest req;
      req.set_branch_id(kDemo);
      req.mutable_counter()->set_number(number);
      req.mutable_counter()->set_name(absl::StrCat("窗口 ", number));
      for (const auto& code : profile) req.mutable_counter()->add_service_codes(code);
      v1::CounterStatus resp;
      ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::UpsertCounter, req, &resp)));
      EXPECT_EQ(resp.state(), v1::COUNTER_STATE_CLOSED);
      EXPECT_THAT(resp.counter().service_codes(), ::testing::ElementsAreArray(profile));
    }
    for (uint32_t c = 1; c <= kCounters; ++c) {
      ASSERT_EQ(Open(c).state(), v1::COUNTER_STATE_OPEN) << "counter " << c;
    }
  }

  // Issues tickets [begin, end) of the mix; records them by index.
  void IssueRange(int begin, int end, std::vector<Issued>* out, std::vector<std::string>* errors) {
    for (int i = begin; i < end; ++i) {
      v1::IssueTicketRequest req;
      req.set_branch_id(kDemo);
      req.set_service_code(ServiceFor(i));
      req.set_request_id(absl::StrCat("conc-", i));
      v1::TicketResponse resp;
      grpc::Status s = Call(kiosk_.get(), &v1::KioskService::Stub::IssueTicket, req, &resp);
      if (!s.ok()) {
        errors->push_back(absl::StrCat("IssueTicket #", i, ": ", Describe(s)));
        return;
      }
      (*out)[i] = Issued{resp.ticket().ticket_id(), resp.ticket().number(), ServiceFor(i)};
    }
  }

  // One teller: call, start, finish until nobody is waiting. With
  // `issuing_done`, an empty queue only ends the loop once issuing had
  // finished before the call was made.
  void Serve(uint32_t counter, const std::atomic<bool>* issuing_done, Served* out) {
    while (true) {
      const bool done_before = issuing_done == nullptr || issuing_done->load();
      v1::CallNextResponse called;
      grpc::Status s = CounterAct(&v1::CounterService::Stub::CallNext, counter, &called);
      if (!s.ok()) {
        out->errors.push_back(absl::StrCat("CallNext ", counter, ": ", Describe(s)));
        return;
      }
      if (!called.has_ticket()) {
        if (done_before) return;
        std::this_thread::yield();
        continue;
      }
      const uint64_t id = called.ticket().ticket_id();
      if (called.ticket().state() != v1::TICKET_STATE_CALLED ||
          called.ticket().counter() != counter) {
        out->errors.push_back(absl::StrCat("counter ", counter, " called ticket ", id,
                                           " but it says ", called.ShortDebugString()));
      }
      out->tickets.push_back(id);
      if (out->tickets.size() > static_cast<size_t>(kTickets)) {
        out->errors.push_back(absl::StrCat("counter ", counter, " called more tickets than exist"));
        return;
      }
      v1::TicketActionResponse step;
      s = CounterAct(&v1::CounterService::Stub::StartService, counter, &step);
      if (!s.ok() || step.ticket().ticket_id() != id) {
        out->errors.push_back(absl::StrCat("StartService ", counter, " for ", id, ": ", Describe(s),
                                           " ", step.ShortDebugString()));
        return;
      }
      s = CounterAct(&v1::CounterService::Stub::Finish, counter, &step);
      if (!s.ok() || step.ticket().ticket_id() != id ||
          step.ticket().state() != v1::TICKET_STATE_DONE) {
        out->errors.push_back(absl::StrCat("Finish ", counter, " for ", id, ": ", Describe(s), " ",
                                           step.ShortDebugString()));
        return;
      }
    }
  }

  // Every issued ticket called exactly once across all counters, all DONE,
  // nobody waiting, no counter holding a ticket.
  void ExpectEachCalledExactlyOnce(const std::vector<Issued>& issued,
                                   const std::vector<Served>& served) {
    std::set<uint64_t> issued_ids;
    std::map<std::string, std::set<std::string>> numbers;  // by service
    for (const auto& t : issued) {
      ASSERT_NE(t.id, 0u);
      EXPECT_TRUE(issued_ids.insert(t.id).second) << "ticket id " << t.id << " issued twice";
      EXPECT_TRUE(numbers[t.service].insert(t.number).second)
          << "number " << t.number << " handed out twice";
    }
    ASSERT_EQ(issued_ids.size(), static_cast<size_t>(kTickets));

    std::map<uint64_t, std::vector<uint32_t>> calls;  // ticket -> counters that called it
    for (uint32_t c = 1; c <= kCounters; ++c) {
      const Served& s = served[c - 1];
      EXPECT_THAT(s.errors, ::testing::IsEmpty()) << "counter " << c;
      for (uint64_t id : s.tickets) calls[id].push_back(c);
    }
    int duplicates = 0;
    for (const auto& [id, counters] : calls) {
      EXPECT_TRUE(issued_ids.contains(id)) << "counter called unknown ticket " << id;
      if (counters.size() != 1) {
        ++duplicates;
        ADD_FAILURE() << "ticket " << id << " called " << counters.size() << " times, by counters "
                      << ::testing::PrintToString(counters);
      }
    }
    EXPECT_EQ(duplicates, 0);
    int missed = 0;
    for (uint64_t id : issued_ids) missed += calls.contains(id) ? 0 : 1;
    EXPECT_EQ(missed, 0) << "tickets never called";
    EXPECT_EQ(calls.size(), static_cast<size_t>(kTickets));

    const v1::LobbyStatus lobby = Lobby();
    for (const auto& s : lobby.services()) {
      EXPECT_EQ(s.waiting_count(), 0) << "service " << s.service().code();
    }
    for (const auto& c : lobby.counters()) {
      EXPECT_FALSE(c.has_current_ticket()) << "counter " << c.counter().number();
    }
    // And the server agrees each one is DONE (a sample of every tenth keeps it quick).
    for (size_t i = 0; i < issued.size(); i += 10) {
      EXPECT_EQ(GetTicket(issued[i].id).state(), v1::TICKET_STATE_DONE) << issued[i].number;
    }
  }
};

TEST_F(ConcurrencyTest, EightCountersCallTwoThousandTicketsExactlyOnce) {
  std::vector<Issued> issued(kTickets);
  {
    // Issue up front from four kiosks at once.
    constexpr int kKiosks = 4;
    std::vector<std::vector<std::string>> errors(kKiosks);
    std::vector<std::thread> kiosks;
    for (int k = 0; k < kKiosks; ++k) {
      kiosks.emplace_back([&, k] {
        IssueRange(k * kTickets / kKiosks, (k + 1) * kTickets / kKiosks, &issued, &errors[k]);
      });
    }
    for (auto& t : kiosks) t.join();
    for (const auto& e : errors) ASSERT_THAT(e, ::testing::IsEmpty());
  }
  // The numbers of each service are exactly 001..N.
  std::map<std::string, std::set<std::string>> numbers;
  for (const auto& t : issued) numbers[t.service].insert(t.number);
  for (const auto& [service, got] : numbers) {
    std::set<std::string> want;
    for (size_t n = 1; n <= got.size(); ++n) want.insert(absl::StrFormat("%s%03d", service, n));
    EXPECT_EQ(got, want) << "service " << service;
  }
  const v1::LobbyStatus lobby = Lobby();
  int waiting = 0;
  for (const auto& s : lobby.services()) waiting += s.waiting_count();
  ASSERT_EQ(waiting, kTickets);

  std::vector<Served> served(kCounters);
  std::vector<std::thread> tellers;
  for (uint32_t c = 1; c <= kCounters; ++c) {
    tellers.emplace_back([&, c] { Serve(c, nullptr, &served[c - 1]); });
  }
  for (auto& t : tellers) t.join();
  ExpectEachCalledExactlyOnce(issued, served);
}

TEST_F(ConcurrencyTest, IssuingWhileCountersCallStillCallsEachExactlyOnce) {
  std::vector<Issued> issued(kTickets);
  std::atomic<bool> issuing_done{false};
  std::vector<Served> served(kCounters);
  std::vector<std::thread> tellers;
  for (uint32_t c = 1; c <= kCounters; ++c) {
    tellers.emplace_back([&, c] { Serve(c, &issuing_done, &served[c - 1]); });
  }
  constexpr int kKiosks = 2;
  std::vector<std::vector<std::string>> errors(kKiosks);
  std::vector<std::thread> kiosks;
  for (int k = 0; k < kKiosks; ++k) {
    kiosks.emplace_back([&, k] {
      IssueRange(k * kTickets / kKiosks, (k + 1) * kTickets / kKiosks, &issued, &errors[k]);
    });
  }
  for (auto& t : kiosks) t.join();
  issuing_done = true;
  for (auto& t : tellers) t.join();
  for (const auto& e : errors) ASSERT_THAT(e, ::testing::IsEmpty());
  ExpectEachCalledExactlyOnce(issued, served);
}

}  // namespace
}  // namespace lobbyq::e2e
