// Authentication and roles over real gRPC: every RPC in the permission table,
// called as every role, is refused exactly when the table says so, and a
// refused call changes nothing.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/rpc_method.h>

#include <map>

#include "common/credentials_file.h"
#include "gmock/gmock.h"
#include "lobbyq/v1/auth.grpc.pb.h"
#include "server/domain/permissions.h"
#include "tests/e2e/test_server.h"

namespace lobbyq::e2e {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kTellerCounter = 2;
constexpr char kNorth[] = "north";

domain::BranchDefinition North() {
  domain::BranchDefinition def = server::DemoBranch();
  def.info.id = kNorth;
  def.info.name = "North";
  return def;
}

class AuthTest : public E2eTest {
 protected:
  void SetUp() override {
    session_lifetime_ = absl::Hours(12);
    ASSERT_NO_FATAL_FAILURE(StartServer("", 2, {server::DemoBranch(), North()}));
    auth_ = v1::AuthService::NewStub(channel_);
    tokens_[domain::Role::kAdmin] = admin_token_;
    tokens_[domain::Role::kKiosk] = Device("kiosk-7", v1::ROLE_KIOSK, kDemo);
    tokens_[domain::Role::kDisplay] = Device("display-7", v1::ROLE_DISPLAY, kDemo);
    PutUser("tina", v1::ROLE_TELLER, kDemo, "tina-password");
    PutUser("mark", v1::ROLE_MANAGER, kDemo, "mark-password");
    tokens_[domain::Role::kTeller] = SignIn("tina", "tina-password", kTellerCounter);
    tokens_[domain::Role::kManager] = SignIn("mark", "mark-password", 0);
  }

  std::string Device(const std::string& id, v1::Role role, const std::string& branch) {
    v1::PutDeviceRequest req;
    req.mutable_device()->set_id(id);
    req.mutable_device()->set_role(role);
    req.mutable_device()->set_branch_id(branch);
    v1::PutDeviceResponse resp;
    EXPECT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::PutDevice, req, &resp)));
    EXPECT_THAT(resp.token(), ::testing::StartsWith("lq_"));
    return resp.token();
  }

  void PutUser(const std::string& name, v1::Role role, const std::string& branch,
               const std::string& password) {
    v1::PutUserRequest req;
    req.mutable_user()->set_name(name);
    req.mutable_user()->set_role(role);
    req.mutable_user()->set_branch_id(branch);
    req.set_password(password);
    v1::User resp;
    ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::PutUser, req, &resp)));
  }

  grpc::Status TrySignIn(const std::string& user, const std::string& password, uint32_t counter,
                         v1::SignInResponse* resp) {
    v1::SignInRequest req;
    req.set_user(user);
    req.set_password(password);
    req.set_counter(counter);
    return Call(auth_.get(), &v1::AuthService::Stub::SignIn, req, resp);
  }

  std::string SignIn(const std::string& user, const std::string& password, uint32_t counter) {
    v1::SignInResponse resp;
    EXPECT_TRUE(IsOk(TrySignIn(user, password, counter, &resp)));
    return resp.token();
  }

  // A channel that presents `token` (none when empty).
  std::shared_ptr<grpc::Channel> As(const std::string& token) {
    return client::MakeChannel(address(), security(), token);
  }

  uint64_t LastSeq(const std::string& branch = kDemo) { return Lobby(branch).last_event_seq(); }

  // Calls the RPC `rpc` ("KioskService.IssueTicket") with a request naming the
  // demo branch and the teller's counter, whatever its type, and returns the status.
  grpc::Status CallByName(const std::shared_ptr<grpc::Channel>& channel, absl::string_view rpc,
                          const std::string& branch = kDemo, uint32_t counter = kTellerCounter) {
    const google::protobuf::MethodDescriptor* method =
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
            absl::StrCat("lobbyq.v1.", rpc));
    if (method == nullptr) {
      ADD_FAILURE() << "no method " << rpc;
      return grpc::Status::CANCELLED;
    }
    auto* factory = google::protobuf::MessageFactory::generated_factory();
    std::unique_ptr<google::protobuf::Message> request(
        factory->GetPrototype(method->input_type())->New());
    std::unique_ptr<google::protobuf::Message> response(
        factory->GetPrototype(method->output_type())->New());
    const google::protobuf::Reflection* reflection = request->GetReflection();
    if (const auto* f = method->input_type()->FindFieldByName("branch_id")) {
      reflection->SetString(request.get(), f, branch);
    }
    if (const auto* f = method->input_type()->FindFieldByName("counter");
        f != nullptr && f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT32) {
      reflection->SetUInt32(request.get(), f, counter);
    }
    const std::string path = absl::StrCat("/", method->service()->full_name(), "/", method->name());
    grpc::ClientContext context;
    SetDeadline(&context);
    if (method->server_streaming()) {
      const grpc::internal::RpcMethod rpc_method(path.c_str(),
                                                 grpc::internal::RpcMethod::SERVER_STREAMING);
      std::unique_ptr<grpc::ClientReader<google::protobuf::Message>> reader(
          grpc::internal::ClientReaderFactory<google::protobuf::Message>::Create(
              channel.get(), rpc_method, &context, *request));
      // The first message (the snapshot) shows the stream was accepted.
      if (reader->Read(response.get())) {
        context.TryCancel();
        reader->Finish();
        return grpc::Status::OK;
      }
      return reader->Finish();
    }
    const grpc::internal::RpcMethod rpc_method(path.c_str(), grpc::internal::RpcMethod::NORMAL_RPC);
    return grpc::internal::BlockingUnaryCall<google::protobuf::Message, google::protobuf::Message>(
        channel.get(), rpc_method, &context, *request, response.get());
  }

  std::unique_ptr<v1::AuthService::Stub> auth_;
  std::map<domain::Role, std::string> tokens_;
};

// Every lobbyq RPC but SignIn is in the table: a new RPC without a row fails here.
TEST_F(AuthTest, EveryRpcHasARowInThePermissionTable) {
  std::set<std::string> rows;
  for (const auto& row : domain::PermissionTable()) rows.insert(std::string(row.rpc));
  int methods = 0;
  for (const char* name : {"KioskService", "CounterService", "LobbyService", "AdminService",
                           "AppointmentService", "AuthService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            absl::StrCat("lobbyq.v1.", name));
    ASSERT_NE(service, nullptr) << name;
    for (int m = 0; m < service->method_count(); ++m) {
      const std::string rpc = absl::StrCat(service->name(), ".", service->method(m)->name());
      if (rpc == "AuthService.SignIn") continue;
      ++methods;
      EXPECT_TRUE(rows.contains(rpc)) << rpc << " has no row in the permission table";
    }
  }
  EXPECT_EQ(methods, static_cast<int>(rows.size()));
}

TEST_F(AuthTest, WithoutATokenEveryRpcIsUnauthenticatedAndNothingChanges) {
  const uint64_t before = LastSeq();
  for (const auto& row : domain::PermissionTable()) {
    for (const std::string& token : {std::string(), std::string("lq_not-a-real-token")}) {
      const grpc::Status s = CallByName(As(token), row.rpc);
      EXPECT_TRUE(HasCode(s, grpc::StatusCode::UNAUTHENTICATED))
          << row.rpc << " with token '" << token << "'";
      if (token.empty()) {
        EXPECT_THAT(s.error_message(), HasSubstr("authorization: Bearer"));
      }
    }
  }
  EXPECT_EQ(LastSeq(), before);
}

// The table, row by row and role by role, over the wire.
TEST_F(AuthTest, EachRoleIsRefusedExactlyWhereTheTableSays) {
  for (const auto& row : domain::PermissionTable()) {
    if (row.operation == domain::Operation::kSignOut) continue;  // ends the session: own test
    for (const auto& [role, token] : tokens_) {
      const uint64_t before = LastSeq();
      const grpc::Status s = CallByName(As(token), row.rpc);
      const std::string where = absl::StrCat(row.rpc, " as ", domain::RoleName(role));
      EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << where << ": " << Describe(s);
      if (domain::Allows(row, role)) {
        EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << where << ": " << Describe(s);
      } else {
        EXPECT_TRUE(HasCode(s, grpc::StatusCode::PERMISSION_DENIED)) << where;
        EXPECT_EQ(LastSeq(), before) << where << " was refused but changed the branch";
      }
    }
  }
}

TEST_F(AuthTest, BranchRolesAreRefusedForAnotherBranch) {
  const uint64_t before = LastSeq(kNorth);
  for (domain::Role role : {domain::Role::kKiosk, domain::Role::kDisplay, domain::Role::kTeller,
                            domain::Role::kManager}) {
    for (const char* rpc : {"KioskService.ListServices", "LobbyService.GetLobbyStatus",
                            "KioskService.IssueTicket", "CounterService.CallNext"}) {
      const grpc::Status s = CallByName(As(tokens_[role]), rpc, kNorth);
      EXPECT_TRUE(HasCode(s, grpc::StatusCode::PERMISSION_DENIED))
          << rpc << " as " << domain::RoleName(role);
    }
  }
  EXPECT_EQ(LastSeq(kNorth), before);
  // Head office reaches every branch.
  EXPECT_TRUE(
      IsOk(CallByName(As(tokens_[domain::Role::kAdmin]), "KioskService.ListServices", kNorth)));
}

TEST_F(AuthTest, TellerActsOnlyAtTheCounterSignedInTo) {
  auto teller = v1::CounterService::NewStub(As(tokens_[domain::Role::kTeller]));
  v1::CounterResponse opened;
  EXPECT_TRUE(
      IsOk(Call(teller.get(), &v1::CounterService::Stub::OpenCounter, CounterReq(2), &opened)));
  const uint64_t before = LastSeq();
  const grpc::Status other =
      Call(teller.get(), &v1::CounterService::Stub::OpenCounter, CounterReq(3), &opened);
  EXPECT_TRUE(HasCode(other, grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_THAT(other.error_message(), HasSubstr("counter 2"));
  EXPECT_EQ(LastSeq(), before);

  // What the teller does is recorded as theirs, and the audit trail shows it.
  const v1::Ticket ticket = Issue("A");
  v1::CallNextResponse called;
  ASSERT_TRUE(
      IsOk(Call(teller.get(), &v1::CounterService::Stub::CallNext, CounterReq(2), &called)));
  ASSERT_EQ(called.ticket().ticket_id(), ticket.ticket_id());
  v1::ListAuditRequest audit;
  audit.set_branch_id(kDemo);
  audit.set_ticket_number(ticket.number());
  v1::ListAuditResponse trail;
  ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::ListAudit, audit, &trail)));
  ASSERT_EQ(trail.events_size(), 2);
  EXPECT_EQ(trail.events(0).type(), v1::EVENT_TYPE_TICKET_ISSUED);
  EXPECT_EQ(trail.events(0).actor(), absl::StrCat("user:", kTestAdmin));
  EXPECT_EQ(trail.events(1).type(), v1::EVENT_TYPE_TICKET_CALLED);
  EXPECT_EQ(trail.events(1).actor(), "user:tina");
  EXPECT_EQ(trail.events(1).counter(), 2u);

  audit.clear_ticket_number();
  audit.set_actor("user:tina");
  ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::ListAudit, audit, &trail)));
  ASSERT_EQ(trail.events_size(), 2);  // opened counter 2, called the ticket
  for (const auto& event : trail.events()) EXPECT_EQ(event.actor(), "user:tina");
}

TEST_F(AuthTest, SignInRefusesWrongPasswordsAndLocksOutAfterFive) {
  v1::SignInResponse resp;
  const grpc::Status wrong = TrySignIn("tina", "not-her-password", kTellerCounter, &resp);
  EXPECT_TRUE(HasCode(wrong, grpc::StatusCode::UNAUTHENTICATED));
  const grpc::Status unknown = TrySignIn("nobody", "whatever-password", 0, &resp);
  EXPECT_TRUE(HasCode(unknown, grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_EQ(unknown.error_message(), wrong.error_message()) << "tells which user names exist";
  EXPECT_TRUE(
      HasCode(TrySignIn("tina", "tina-password", 0, &resp), grpc::StatusCode::INVALID_ARGUMENT))
      << "a teller must name a counter";
  for (int i = 0; i < 4; ++i) TrySignIn("tina", "still-wrong", kTellerCounter, &resp);
  const grpc::Status locked = TrySignIn("tina", "tina-password", kTellerCounter, &resp);
  EXPECT_TRUE(HasCode(locked, grpc::StatusCode::RESOURCE_EXHAUSTED));
  clock_.Advance(absl::Minutes(2));
  EXPECT_TRUE(IsOk(TrySignIn("tina", "tina-password", kTellerCounter, &resp)));
}

TEST_F(AuthTest, SessionsExpireAndSignOutEndsThem) {
  auto as_manager = v1::AuthService::NewStub(As(tokens_[domain::Role::kManager]));
  v1::Identity me;
  ASSERT_TRUE(
      IsOk(Call(as_manager.get(), &v1::AuthService::Stub::WhoAmI, v1::WhoAmIRequest(), &me)));
  EXPECT_EQ(me.name(), "user:mark");
  EXPECT_EQ(me.role(), v1::ROLE_MANAGER);
  EXPECT_EQ(me.branch_id(), kDemo);

  v1::SignOutResponse out;
  ASSERT_TRUE(
      IsOk(Call(as_manager.get(), &v1::AuthService::Stub::SignOut, v1::SignOutRequest(), &out)));
  EXPECT_TRUE(
      HasCode(Call(as_manager.get(), &v1::AuthService::Stub::WhoAmI, v1::WhoAmIRequest(), &me),
              grpc::StatusCode::UNAUTHENTICATED));

  auto as_teller = v1::AuthService::NewStub(As(tokens_[domain::Role::kTeller]));
  ASSERT_TRUE(
      IsOk(Call(as_teller.get(), &v1::AuthService::Stub::WhoAmI, v1::WhoAmIRequest(), &me)));
  clock_.Advance(absl::Hours(12) + absl::Seconds(1));
  const grpc::Status expired =
      Call(as_teller.get(), &v1::AuthService::Stub::WhoAmI, v1::WhoAmIRequest(), &me);
  EXPECT_TRUE(HasCode(expired, grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_THAT(expired.error_message(), HasSubstr("expired"));
}

TEST_F(AuthTest, RevokedDevicesAndRemovedUsersAreLockedOut) {
  auto kiosk = v1::KioskService::NewStub(As(tokens_[domain::Role::kKiosk]));
  v1::ListServicesRequest list;
  list.set_branch_id(kDemo);
  v1::ListServicesResponse services;
  ASSERT_TRUE(IsOk(Call(kiosk.get(), &v1::KioskService::Stub::ListServices, list, &services)));
  v1::RevokeDeviceRequest revoke;
  revoke.set_id("kiosk-7");
  v1::RevokeDeviceResponse revoked;
  ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::RevokeDevice, revoke, &revoked)));
  EXPECT_TRUE(HasCode(Call(kiosk.get(), &v1::KioskService::Stub::ListServices, list, &services),
                      grpc::StatusCode::UNAUTHENTICATED));

  auto teller = v1::AuthService::NewStub(As(tokens_[domain::Role::kTeller]));
  v1::RemoveUserRequest remove;
  remove.set_name("tina");
  v1::RemoveUserResponse removed;
  ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::RemoveUser, remove, &removed)));
  v1::Identity me;
  EXPECT_TRUE(HasCode(Call(teller.get(), &v1::AuthService::Stub::WhoAmI, v1::WhoAmIRequest(), &me),
                      grpc::StatusCode::UNAUTHENTICATED));
}

TEST_F(AuthTest, BadUsersAndDevicesAreRefusedWithAReason) {
  v1::PutUserRequest req;
  req.mutable_user()->set_name("has space");
  req.mutable_user()->set_role(v1::ROLE_TELLER);
  req.mutable_user()->set_branch_id(kDemo);
  req.set_password("long-enough");
  v1::User user;
  EXPECT_TRUE(HasCode(Call(admin_.get(), &v1::AdminService::Stub::PutUser, req, &user),
                      grpc::StatusCode::INVALID_ARGUMENT));
  req.mutable_user()->set_name("ok-name");
  req.set_password("short");
  EXPECT_TRUE(HasCode(Call(admin_.get(), &v1::AdminService::Stub::PutUser, req, &user),
                      grpc::StatusCode::INVALID_ARGUMENT));
  req.set_password("long-enough");
  req.mutable_user()->set_role(v1::ROLE_KIOSK);
  EXPECT_TRUE(HasCode(Call(admin_.get(), &v1::AdminService::Stub::PutUser, req, &user),
                      grpc::StatusCode::INVALID_ARGUMENT));
  req.mutable_user()->set_role(v1::ROLE_TELLER);
  req.mutable_user()->set_branch_id("no-such-branch");
  EXPECT_TRUE(HasCode(Call(admin_.get(), &v1::AdminService::Stub::PutUser, req, &user),
                      grpc::StatusCode::NOT_FOUND));
  v1::ListUsersResponse users;
  ASSERT_TRUE(
      IsOk(Call(admin_.get(), &v1::AdminService::Stub::ListUsers, v1::ListUsersRequest(), &users)));
  for (const auto& u : users.users()) EXPECT_NE(u.name(), "ok-name");
}

// Sessions live in the database: a restart signs nobody out.
TEST_F(AuthTest, SessionsSurviveARestart) {
  TempDbFile db("auth-restart");
  StopServer();
  ASSERT_NO_FATAL_FAILURE(StartServer(db.path()));
  auth_ = v1::AuthService::NewStub(channel_);
  PutUser("tina", v1::ROLE_TELLER, kDemo, "tina-password");
  const std::string token = SignIn("tina", "tina-password", kTellerCounter);
  StopServer();
  ASSERT_NO_FATAL_FAILURE(StartServer(db.path()));
  auto teller = v1::AuthService::NewStub(As(token));
  v1::Identity me;
  ASSERT_TRUE(IsOk(Call(teller.get(), &v1::AuthService::Stub::WhoAmI, v1::WhoAmIRequest(), &me)));
  EXPECT_EQ(me.counter(), kTellerCounter);
}

// The demo run's credentials: written for the clients, kept across a demo
// restart, and gone as soon as the server starts for real.
TEST_F(AuthTest, DemoCredentialsLiveOnlyInTheDemoRun) {
  TempDbFile db("auth-demo");
  const std::string file = db.path() + "-demo-credentials";
  std::remove(file.c_str());
  auto start = [&](bool demo, bool with_admin) {
    server::ServerOptions options = TestServerOptions(db.path());
    options.demo_credentials = demo;
    options.demo_credentials_path = file;
    if (!with_admin) options.initial_users.clear();
    return server::Server::Start(std::move(options));
  };
  StopServer();
  std::string kiosk_token;
  {
    auto demo = start(true, false);
    ASSERT_TRUE(demo.ok()) << demo.status();
    absl::StatusOr<CredentialsFile> written = ReadCredentialsFile(file);
    ASSERT_TRUE(written.ok()) << written.status();
    kiosk_token = CredentialOr(*written, "kiosk_token");
    EXPECT_THAT(kiosk_token, ::testing::StartsWith("lq_"));
    for (const char* key : {"admin", "manager", "teller"}) {
      EXPECT_EQ(CredentialOr(*written, absl::StrCat(key, "_user")), key);
      EXPECT_GE(CredentialOr(*written, absl::StrCat(key, "_password")).size(), 16u);
    }
  }
  {
    auto again = start(true, false);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(CredentialOr(*ReadCredentialsFile(file), "kiosk_token"), kiosk_token)
        << "a restarted demo must keep its clients' credentials";
    auto kiosk = v1::KioskService::NewStub(
        client::MakeChannel(absl::StrCat("127.0.0.1:", (*again)->port()), security(), kiosk_token));
    v1::ListServicesRequest list;
    list.set_branch_id(kDemo);
    v1::ListServicesResponse services;
    EXPECT_TRUE(IsOk(Call(kiosk.get(), &v1::KioskService::Stub::ListServices, list, &services)));
  }
  {
    auto refused = start(false, false);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(refused.status().message()), HasSubstr("--add-admin"));
  }
  auto real = start(false, true);
  ASSERT_TRUE(real.ok()) << real.status();
  const std::string at = absl::StrCat("127.0.0.1:", (*real)->port());
  auto kiosk = v1::KioskService::NewStub(client::MakeChannel(at, security(), kiosk_token));
  v1::ListServicesRequest list;
  list.set_branch_id(kDemo);
  v1::ListServicesResponse services;
  EXPECT_TRUE(HasCode(Call(kiosk.get(), &v1::KioskService::Stub::ListServices, list, &services),
                      grpc::StatusCode::UNAUTHENTICATED));
  absl::StatusOr<std::string> token =
      client::SignIn(at, security(), kTestAdmin, kTestPassword, "", 0);
  ASSERT_TRUE(token.ok()) << token.status();
  auto admin = v1::AdminService::NewStub(client::MakeChannel(at, security(), *token));
  v1::ListUsersResponse users;
  ASSERT_TRUE(
      IsOk(Call(admin.get(), &v1::AdminService::Stub::ListUsers, v1::ListUsersRequest(), &users)));
  ASSERT_EQ(users.users_size(), 1);
  EXPECT_EQ(users.users(0).name(), kTestAdmin);
  v1::ListDevicesResponse devices;
  ASSERT_TRUE(IsOk(
      Call(admin.get(), &v1::AdminService::Stub::ListDevices, v1::ListDevicesRequest(), &devices)));
  EXPECT_EQ(devices.devices_size(), 0);
  std::remove(file.c_str());
}

}  // namespace
}  // namespace lobbyq::e2e
