#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "server/domain/types.h"
#include "server/runtime/engine.h"
#include "server/store/store.h"

namespace lobbyq::server {

struct ServerOptions {
  std::string listen = "127.0.0.1:50051";  // port 0 picks a free one (tests)
  std::string db_path;                     // "" = private in-memory database
  // Branches created at start-up; one the database already has gets the
  // services and counters that are new or changed.
  std::vector<domain::BranchDefinition> branches;
  const Clock* clock = nullptr;  // null = the system clock
  int threads = 2;               // the branch strands' thread pool
  store::Durability durability = store::Durability::kFull;
};

// The whole queue server: store, engine and the gRPC services, health and reflection.
class Server {
 public:
  // Opens the store, restores every branch, creates missing seed branches and
  // starts listening. Errors name what failed (file, address, branch).
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServerOptions options);
  ~Server();  // Shutdown()s.

  int port() const { return port_; }
  runtime::Engine& engine() { return *engine_; }
  // Ends watch streams, drains in-flight calls and closes the database. Idempotent.
  void Shutdown();

 private:
  Server() = default;

  SystemClock system_clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<runtime::Engine> engine_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace lobbyq::server
