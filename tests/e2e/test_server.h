#pragma once

// A real lobbyq server started in-process on a free port, with a FakeClock, and
// generated sync stubs talking to it over a real gRPC channel. Helpers wrap the
// common calls; every call has a deadline so a broken server fails a test
// instead of hanging it. With LOBBYQ_E2E_TLS=1 in the environment, servers
// serve TLS and the clients verify them (the e2e_test_over_tls run).

#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/client/channel.h"
#include "common/client/credentials.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "lobbyq/v1/admin.grpc.pb.h"
#include "lobbyq/v1/appointment.grpc.pb.h"
#include "lobbyq/v1/counter.grpc.pb.h"
#include "lobbyq/v1/kiosk.grpc.pb.h"
#include "lobbyq/v1/lobby.grpc.pb.h"
#include "server/demo.h"
#include "server/server.h"
#include "tests/e2e/test_certs.h"

namespace lobbyq::e2e {

inline constexpr char kDemo[] = "demo";
inline constexpr char kTestAdmin[] = "test-admin";
inline constexpr char kTestPassword[] = "test-password";

// Monday 2024-03-04 09:30:00.123456 in Asia/Shanghai (01:30 UTC). The
// microseconds are there on purpose: anything that drops precision shows.
inline absl::Time StartTime() {
  return absl::FromCivil(absl::CivilSecond(2024, 3, 4, 1, 30, 0), absl::UTCTimeZone()) +
         absl::Microseconds(123456);
}

inline void SetDeadline(grpc::ClientContext* ctx, absl::Duration timeout = absl::Seconds(20)) {
  ctx->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
}

inline const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "?";
  }
}

inline std::string Describe(const grpc::Status& s) {
  return absl::StrCat(CodeName(s.error_code()), ": '", s.error_message(), "'");
}

// OK, or the expected error code with a message a person can act on (non-empty).
inline ::testing::AssertionResult HasCode(const grpc::Status& s, grpc::StatusCode want) {
  if (s.error_code() != want) {
    return ::testing::AssertionFailure()
           << "expected " << CodeName(want) << ", got " << Describe(s);
  }
  if (want != grpc::StatusCode::OK && s.error_message().empty()) {
    return ::testing::AssertionFailure() << CodeName(want) << " came with an empty message";
  }
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult IsOk(const grpc::Status& s) {
  return HasCode(s, grpc::StatusCode::OK);
}

inline ::testing::AssertionResult ProtoEqual(const google::protobuf::Message& expected,
                                             const google::protobuf::Message& actual) {
  google::protobuf::util::MessageDifferencer differencer;
  std::string diff;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(expected, actual)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "messages differ (expected -> actual):\n" << diff;
}

// Whether this run is the one over TLS.
inline bool OverTls() {
  const char* value = std::getenv("LOBBYQ_E2E_TLS");
  return value != nullptr && std::string(value) == "1";
}

inline v1::CounterRequest CounterReq(uint32_t counter, const std::string& branch = kDemo) {
  v1::CounterRequest req;
  req.set_branch_id(branch);
  req.set_counter(counter);
  return req;
}

inline v1::ServiceConfig ServiceCfg(const std::string& code, const std::string& name) {
  v1::ServiceConfig s;
  s.set_code(code);
  s.set_name_zh(name + "业务");
  s.set_name_en(name);
  s.mutable_target_wait()->set_seconds(600);
  s.mutable_expected_service_time()->set_seconds(240);
  return s;
}

inline v1::CounterConfig CounterCfg(uint32_t number, const std::vector<std::string>& codes) {
  v1::CounterConfig c;
  c.set_number(number);
  c.set_name(absl::StrCat("窗口 ", number));
  for (const auto& code : codes) c.add_service_codes(code);
  return c;
}

// A second branch: cash (A) and foreign exchange (X), two counters, a 5-minute
// rating window.
inline v1::CreateBranchRequest NorthBranch() {
  v1::CreateBranchRequest req;
  v1::BranchConfig* b = req.mutable_branch();
  b->set_id("north");
  b->set_name("North 北区支行");
  b->set_timezone("Asia/Shanghai");
  b->mutable_rating_window()->set_seconds(300);
  *b->add_services() = ServiceCfg("A", "Cash");
  *b->add_services() = ServiceCfg("X", "Exchange");
  *b->add_counters() = CounterCfg(1, {"X", "A"});
  *b->add_counters() = CounterCfg(2, {"A"});
  return req;
}

// A unique path for a database file under the test temp dir; removes the file
// and its WAL companions when destroyed.
class TempDbFile {
 public:
  explicit TempDbFile(const std::string& stem) {
    static std::atomic<int> n{0};
    path_ =
        absl::StrCat(::testing::TempDir(), "lobbyq-e2e-", stem, "-", ::getpid(), "-", n++, ".db");
    Remove();
  }
  ~TempDbFile() { Remove(); }
  const std::string& path() const { return path_; }

 private:
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::remove(absl::StrCat(path_, suffix).c_str());
    }
  }
  std::string path_;
};

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartServer()); }
  void TearDown() override { StopServer(); }

  // Starts a server on a free port (db_path "" = private in-memory database)
  // and connects fresh stubs to it.
  void StartServer(const std::string& db_path = "", int threads = 2,
                   std::vector<domain::BranchDefinition> branches = {server::DemoBranch()}) {
    auto started = server::Server::Start(TestServerOptions(db_path, threads, std::move(branches)));
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    ASSERT_GT(server_->port(), 0);
    // The tests act as head office unless they test the roles themselves.
    // Else the TLS run could pass without a single call over TLS.
    ASSERT_EQ(server_->transport().rfind("TLS", 0) == 0, OverTls()) << server_->transport();
    absl::StatusOr<std::string> token =
        client::SignIn(address(), security(), kTestAdmin, kTestPassword, "", 0);
    ASSERT_TRUE(token.ok()) << token.status();
    admin_token_ = *token;
    channel_ = client::MakeChannel(address(), security(), admin_token_);
    kiosk_ = v1::KioskService::NewStub(channel_);
    counter_ = v1::CounterService::NewStub(channel_);
    lobby_ = v1::LobbyService::NewStub(channel_);
    admin_ = v1::AdminService::NewStub(channel_);
    appointments_ = v1::AppointmentService::NewStub(channel_);
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", server_->port()); }

  // How the test's clients secure their channels: TLS with the test CA in the TLS run.
  const client::ChannelSecurity& security() {
    if (OverTls() && !security_.tls()) {
      const test_certs::Pki* pki = test_certs::GetPki();
      if (pki == nullptr) return security_;
      absl::StatusOr<client::ChannelSecurity> loaded =
          client::LoadChannelSecurity({.tls_ca = pki->ca()}, address());
      EXPECT_TRUE(loaded.ok()) << loaded.status();
      if (loaded.ok()) security_ = *std::move(loaded);
    }
    return security_;
  }

  // A server on a free port with the test clock, quick password hashes and
  // an admin the tests sign in as.
  server::ServerOptions TestServerOptions(const std::string& db_path = "", int threads = 2,
                                          std::vector<domain::BranchDefinition> branches = {
                                              server::DemoBranch()}) {
    server::ServerOptions options{.listen = "127.0.0.1:0",
                                  .db_path = db_path,
                                  .branches = std::move(branches),
                                  .clock = &clock_,
                                  .threads = threads};
    options.auth.password_cost = rpc::PasswordCost::kMinimum;
    options.auth.session_lifetime = session_lifetime_;
    options.limits = limits_;
    options.initial_users.push_back(
        {.name = kTestAdmin, .role = domain::Role::kAdmin, .password = kTestPassword});
    if (OverTls()) {
      if (const test_certs::Pki* pki = test_certs::GetPki()) {
        options.tls = {.cert_file = pki->server_cert(), .key_file = pki->server_key()};
      }
    }
    return options;
  }

  void StopServer() {
    kiosk_.reset();
    counter_.reset();
    lobby_.reset();
    admin_.reset();
    appointments_.reset();
    channel_.reset();
    if (server_) server_->Shutdown();
    server_.reset();
  }

  // --- Raw calls: the status, for tests that expect errors. ---

  template <typename Stub, typename Req, typename Resp>
  static grpc::Status Call(Stub* stub,
                           grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                           const Req& req, Resp* resp) {
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    return (stub->*method)(&ctx, req, resp);
  }

  using CounterMethod = grpc::Status (v1::CounterService::Stub::*)(grpc::ClientContext*,
                                                                   const v1::CounterRequest&,
                                                                   v1::TicketActionResponse*);

  // Any RPC that takes a CounterRequest (CallNext answers a CallNextResponse).
  template <typename Resp>
  grpc::Status CounterAct(grpc::Status (v1::CounterService::Stub::*method)(
                              grpc::ClientContext*, const v1::CounterRequest&, Resp*),
                          uint32_t counter, Resp* resp, const std::string& branch = kDemo) {
    return Call(counter_.get(), method, CounterReq(counter, branch), resp);
  }

  // --- Helpers that expect success (a failure is recorded, not thrown). ---

  std::string NextRequestId() { return absl::StrCat("req-", next_request_++); }

  v1::Ticket Issue(const std::string& service, const std::string& branch = kDemo,
                   v1::PriorityClass priority = v1::PRIORITY_CLASS_UNSPECIFIED) {
    v1::IssueTicketRequest req;
    req.set_branch_id(branch);
    req.set_service_code(service);
    req.set_priority(priority);
    req.set_request_id(NextRequestId());
    req.set_kiosk_id("kiosk-1");
    v1::TicketResponse resp;
    EXPECT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::IssueTicket, req, &resp)))
        << "IssueTicket " << branch << "/" << service;
    return resp.ticket();
  }

  v1::Ticket GetTicket(uint64_t id, const std::string& branch = kDemo) {
    v1::GetTicketRequest req;
    req.set_branch_id(branch);
    req.set_ticket_id(id);
    v1::TicketResponse resp;
    EXPECT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::GetTicket, req, &resp)))
        << "GetTicket " << branch << "/" << id;
    return resp.ticket();
  }

  v1::CounterStatus Open(uint32_t counter, const std::string& branch = kDemo) {
    v1::CounterResponse resp;
    EXPECT_TRUE(IsOk(Call(counter_.get(), &v1::CounterService::Stub::OpenCounter,
                          CounterReq(counter, branch), &resp)))
        << "OpenCounter " << branch << "/" << counter;
    return resp.counter();
  }

  v1::TicketActionResponse Act(CounterMethod method, uint32_t counter,
                               const std::string& branch = kDemo) {
    v1::TicketActionResponse resp;
    EXPECT_TRUE(IsOk(CounterAct(method, counter, &resp, branch)))
        << "counter action at " << branch << "/" << counter;
    return resp;
  }
  v1::CallNextResponse CallNext(uint32_t counter, const std::string& branch = kDemo) {
    v1::CallNextResponse resp;
    EXPECT_TRUE(IsOk(CounterAct(&v1::CounterService::Stub::CallNext, counter, &resp, branch)))
        << "CallNext at " << branch << "/" << counter;
    return resp;
  }
  v1::TicketActionResponse StartService(uint32_t counter, const std::string& branch = kDemo) {
    return Act(&v1::CounterService::Stub::StartService, counter, branch);
  }
  v1::TicketActionResponse Finish(uint32_t counter, const std::string& branch = kDemo) {
    return Act(&v1::CounterService::Stub::Finish, counter, branch);
  }

  v1::ListServicesResponse ListServices(const std::string& branch = kDemo) {
    v1::ListServicesRequest req;
    req.set_branch_id(branch);
    v1::ListServicesResponse resp;
    EXPECT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::ListServices, req, &resp)));
    return resp;
  }

  // The waiting count of one service as ListServices reports it; -1 if absent.
  int Waiting(const std::string& service, const std::string& branch = kDemo) {
    const v1::ListServicesResponse listed = ListServices(branch);
    for (const auto& s : listed.services()) {
      if (s.service().code() == service) return s.waiting_count();
    }
    ADD_FAILURE() << "service " << service << " not listed in " << branch;
    return -1;
  }

  // GetLobbyStatus without the `at` stamp, so two of them compare by content.
  v1::LobbyStatus Lobby(const std::string& branch = kDemo) {
    v1::GetLobbyStatusRequest req;
    req.set_branch_id(branch);
    v1::LobbyStatus resp;
    EXPECT_TRUE(IsOk(Call(lobby_.get(), &v1::LobbyService::Stub::GetLobbyStatus, req, &resp)));
    resp.clear_at();
    return resp;
  }

  static const v1::CounterStatus* FindCounter(const v1::LobbyStatus& status, uint32_t number) {
    for (const auto& c : status.counters()) {
      if (c.counter().number() == number) return &c;
    }
    return nullptr;
  }

  FakeClock clock_{StartTime()};
  std::unique_ptr<server::Server> server_;
  // The tests issue hundreds of tickets from one caller at a frozen clock;
  // the limits tests set the real ones.
  rpc::Limits limits_{.max_live_tickets_per_branch = 100'000, .issue_burst = 1'000'000};
  // Tests move the clock by days; the auth tests set a real working day.
  absl::Duration session_lifetime_ = absl::Hours(24 * 365);
  std::string admin_token_;
  client::ChannelSecurity security_;  // through security()
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::KioskService::Stub> kiosk_;
  std::unique_ptr<v1::CounterService::Stub> counter_;
  std::unique_ptr<v1::LobbyService::Stub> lobby_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::AppointmentService::Stub> appointments_;
  int next_request_ = 1;
};

}  // namespace lobbyq::e2e
