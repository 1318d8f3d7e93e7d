#include "server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "server/rpc/services.h"

namespace lobbyq::server {

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  std::unique_ptr<Server> server(new Server());
  const Clock* clock = options.clock ? options.clock : &server->system_clock_;

  auto store = store::Store::Open(options.db_path);
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);
  server->engine_ = std::make_unique<runtime::Engine>(server->store_.get(), clock, options.threads);
  if (auto s = server->engine_->LoadAll(); !s.ok()) return s;
  for (const auto& def : options.branches) {
    if (server->engine_->HasBranch(def.info.id)) continue;
    if (auto s = server->engine_->CreateBranch(def.info, def.services, def.counters, "startup");
        !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("branch '", def.info.id, "': ", s.message()));
    }
    spdlog::info("created branch '{}' ({} services, {} counters)", def.info.id, def.services.size(),
                 def.counters.size());
  }

  runtime::Engine& engine = *server->engine_;
  server->services_.push_back(std::make_unique<rpc::KioskServiceImpl>(engine));
  server->services_.push_back(std::make_unique<rpc::CounterServiceImpl>(engine));
  server->services_.push_back(std::make_unique<rpc::LobbyServiceImpl>(engine));
  server->services_.push_back(std::make_unique<rpc::AdminServiceImpl>(engine));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default: a second server on the same port would
  // silently share the clients with the first, each with its own queues.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
  for (const auto& service : server->services_) builder.RegisterService(service.get());
  server->grpc_server_ = builder.BuildAndStart();
  if (!server->grpc_server_ || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen,
                                               " (in use, or not an address of this machine?)"));
  }
  return server;
}

Server::~Server() { Shutdown(); }

void Server::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (grpc_server_) {
    // Watch streams never end on their own: end them, so Shutdown drains only
    // the short calls still running.
    engine_->CloseSubscribers();
    grpc_server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
  if (engine_) engine_->Stop();
  engine_.reset();
  store_.reset();
}

}  // namespace lobbyq::server
