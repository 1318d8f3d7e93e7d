#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "server/domain/types.h"
#include "server/rpc/auth.h"
#include "server/rpc/limits.h"
#include "server/runtime/engine.h"
#include "server/store/store.h"
#include "server/tls.h"

namespace lobbyq::server {

struct ServerOptions {
  std::string listen = "127.0.0.1:50051";  // port 0 picks a free one (tests)
  std::string db_path;                     // "" = private in-memory database
  // Branches created at start-up; one the database already has gets the
  // services and counters that are new or changed.
  std::vector<domain::BranchDefinition> branches;
  const Clock* clock = nullptr;  // null = the system clock
  int threads = 2;               // the branch strands' thread pool

  // Without TLS settings the port is plaintext, and only a loopback address is
  // served unless `allow_plaintext` (server/tls.h, docs/security.md).
  TlsSettings tls;
  bool allow_plaintext = false;

  // Who may call (docs/security.md). The demo run makes its own users and
  // device tokens and writes them to `demo_credentials_path`; any other start
  // deletes demo credentials and refuses to run without an admin user.
  bool demo_credentials = false;
  std::string demo_credentials_path;  // "" = not written (tests)
  rpc::AuthOptions auth;
  rpc::Limits limits;
  // People created (or given this password) at start-up, before the admin
  // check: how tests and `lobbyq-server --add-admin` get in.
  struct InitialUser {
    std::string name;
    domain::Role role = domain::Role::kAdmin;
    std::string branch_id;
    std::string password;
  };
  std::vector<InitialUser> initial_users;
  store::Durability durability = store::Durability::kFull;
  // Most changes written in one transaction (group commit); 1 writes each
  // change in a transaction of its own, for comparison.
  size_t commit_batch = runtime::Engine::kDefaultCommitBatch;
};

// The whole queue server: store, engine and the gRPC services, health and reflection.
class Server {
 public:
  // Opens the store, restores every branch, creates missing seed branches and
  // starts listening. Errors name what failed (file, address, branch).
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServerOptions options);
  ~Server();  // Shutdown()s.

  int port() const { return port_; }
  // How the port is served, in words: plaintext, TLS or mutual TLS and with what.
  const std::string& transport() const { return transport_; }
  runtime::Engine& engine() { return *engine_; }
  rpc::Authenticator& authenticator() { return *auth_; }
  // Ends watch streams, drains in-flight calls and closes the database. Idempotent.
  void Shutdown();

 private:
  Server() = default;

  SystemClock system_clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<runtime::Engine> engine_;
  std::unique_ptr<rpc::Authenticator> auth_;
  rpc::Limits limits_;
  std::unique_ptr<rpc::IssueRateLimiter> issue_rate_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int port_ = 0;
  std::string transport_;
  bool shut_down_ = false;
};

}  // namespace lobbyq::server
