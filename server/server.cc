#include "server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server_builder.h>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/demo.h"
#include "server/rpc/services.h"

namespace lobbyq::server {
namespace {

// Brings a stored branch up to its definition in the config file: services and
// counters that are new or differ are upserted, as AdminService would. What the
// file no longer lists is kept (a service may still have waiting customers) and
// logged. Name and branch settings follow the file too, except the time zone.
absl::Status ApplyConfigToStoredBranch(runtime::Engine& engine,
                                       const domain::BranchDefinition& def) {
  auto upsert = [&](runtime::Engine::PlanFn plan) {
    return engine.ExecuteSync(def.info.id, "config", std::move(plan));
  };
  for (const auto& service : def.services) {
    absl::Status s = upsert([&](const domain::Branch& branch,
                                const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
      const domain::ServiceConfig* stored = branch.FindService(service.code);
      if (stored != nullptr && *stored == service) return domain::Plan{};
      spdlog::info("branch '{}': service {} {} from the config file", def.info.id, service.code,
                   stored ? "updated" : "added");
      return branch.PlanUpsertService(service, ctx);
    });
    if (!s.ok()) return s;
  }
  for (const auto& counter : def.counters) {
    absl::Status s = upsert([&](const domain::Branch& branch,
                                const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
      const domain::Counter* stored = branch.FindCounter(counter.number);
      if (stored != nullptr && stored->name == counter.name &&
          stored->service_codes == counter.service_codes && stored->strategy == counter.strategy &&
          stored->counted_rules == counter.counted_rules &&
          stored->counted_fallback == counter.counted_fallback &&
          stored->green_channel == counter.green_channel) {
        return domain::Plan{};
      }
      spdlog::info("branch '{}': counter {} {} from the config file", def.info.id, counter.number,
                   stored ? "updated" : "added");
      return branch.PlanUpsertCounter(counter, ctx);
    });
    if (!s.ok()) return s;
  }
  // The file is the source of truth for name and settings too, like services
  // and counters; only the time zone cannot follow, since the stored tickets'
  // business days were counted in the old one.
  absl::Status info_status = engine.ExecuteSync(
      def.info.id, "config",
      [&](const domain::Branch& branch,
          const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
        if (branch.info() == def.info) return domain::Plan{};
        domain::BranchInfo wanted = def.info;
        if (wanted.timezone != branch.info().timezone) {
          spdlog::warn(
              "branch '{}': the config file says time zone {}, the stored branch has {}; the "
              "stored one stays (a branch's time zone cannot change)",
              def.info.id, wanted.timezone, branch.info().timezone);
          wanted.timezone = branch.info().timezone;
          if (branch.info() == wanted) return domain::Plan{};
        }
        spdlog::info("branch '{}': name and settings updated from the config file", def.info.id);
        return branch.PlanUpdateBranchInfo(wanted, ctx);
      });
  if (!info_status.ok()) return info_status;
  return engine.ExecuteSync(
      def.info.id, "config", [&](const domain::Branch& branch, const domain::CommandContext&) {
        for (const auto& service : branch.services()) {
          const bool listed =
              std::any_of(def.services.begin(), def.services.end(),
                          [&](const domain::ServiceConfig& s) { return s.code == service.code; });
          if (!listed) {
            spdlog::warn("branch '{}': service {} is not in the config file but is kept",
                         def.info.id, service.code);
          }
        }
        for (const auto& [number, counter] : branch.counters()) {
          const bool listed = std::any_of(
              def.counters.begin(), def.counters.end(),
              // clang 14 cannot capture a structured binding by reference.
              [number = number](const domain::Counter& c) { return c.number == number; });
          if (!listed) {
            spdlog::warn("branch '{}': counter {} is not in the config file but is kept",
                         def.info.id, number);
          }
        }
        return domain::Plan{};
      });
}

// Demo credentials exist only in the demo run; a real start needs an admin.
absl::Status SetUpCredentials(rpc::Authenticator& auth, const ServerOptions& options) {
  if (absl::Status s = auth.Load(); !s.ok()) return s;
  if (!options.demo_credentials) {
    absl::StatusOr<int> removed = auth.RemoveDemoCredentials();
    if (!removed.ok()) return removed.status();
    if (*removed > 0) {
      spdlog::warn("removed {} demo user(s), device(s) and session(s) left by a demo run",
                   *removed);
    }
  }
  for (const auto& user : options.initial_users) {
    if (absl::Status s = auth.PutUser(user.name, user.role, user.branch_id, user.password);
        !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("user '", user.name, "': ", s.message()));
    }
  }
  if (options.demo_credentials) {
    absl::StatusOr<DemoCredentials> demo =
        SetUpDemoCredentials(auth, options.demo_credentials_path);
    if (!demo.ok()) return demo.status();
    PrintDemoCredentials(*demo, options.demo_credentials_path);
  } else if (!auth.HasAdmin()) {
    return absl::FailedPreconditionError(
        "no admin user is configured, so nobody could manage this server: create one with "
        "`lobbyq-server --config FILE --add-admin NAME` (it asks for the password), then start "
        "again");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  std::unique_ptr<Server> server(new Server());
  const Clock* clock = options.clock ? options.clock : &server->system_clock_;
  // First, so a wrong certificate file stops the start before the database is
  // touched. Checked against the real time: the TLS handshake knows no other.
  absl::StatusOr<Transport> transport =
      MakeTransport(options.tls, options.allow_plaintext, options.listen, absl::Now());
  if (!transport.ok()) return transport.status();
  server->transport_ = transport->description;
  if (transport->plaintext_on_network) {
    spdlog::warn(
        "serving {} without TLS (--allow-plaintext): anyone on the network can read "
        "device tokens and passwords; give --tls-cert and --tls-key",
        options.listen);
  }

  auto store = store::Store::Open(options.db_path, {.durability = options.durability});
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);
  server->engine_ = std::make_unique<runtime::Engine>(server->store_.get(), clock, options.threads,
                                                      options.commit_batch);
  if (auto s = server->engine_->LoadAll(); !s.ok()) return s;
  for (const auto& def : options.branches) {
    absl::Status s;
    if (server->engine_->HasBranch(def.info.id)) {
      s = ApplyConfigToStoredBranch(*server->engine_, def);
    } else {
      s = server->engine_->CreateBranch(def, "config");
      if (s.ok()) {
        spdlog::info("created branch '{}' ({} services, {} counters)", def.info.id,
                     def.services.size(), def.counters.size());
      }
    }
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat("branch '", def.info.id, "': ", s.message()));
    }
  }

  server->auth_ = std::make_unique<rpc::Authenticator>(*server->store_, *clock, options.auth);
  if (absl::Status s = SetUpCredentials(*server->auth_, options); !s.ok()) return s;

  runtime::Engine& engine = *server->engine_;
  rpc::Authenticator& auth = *server->auth_;
  server->limits_ = options.limits;
  server->issue_rate_ = std::make_unique<rpc::IssueRateLimiter>(server->limits_);
  server->services_.push_back(
      std::make_unique<rpc::KioskServiceImpl>(engine, auth, server->limits_, *server->issue_rate_));
  server->services_.push_back(std::make_unique<rpc::CounterServiceImpl>(engine, auth));
  server->services_.push_back(std::make_unique<rpc::LobbyServiceImpl>(engine, auth));
  server->services_.push_back(std::make_unique<rpc::AdminServiceImpl>(engine, auth));
  server->services_.push_back(std::make_unique<rpc::AppointmentServiceImpl>(engine, auth));
  server->services_.push_back(std::make_unique<rpc::AuthServiceImpl>(auth));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default: a second server on the same port would
  // silently share the clients with the first, each with its own queues.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.limits.max_message_bytes);
  builder.AddListeningPort(options.listen, transport->credentials, &server->port_);
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
  auth_.reset();
  store_.reset();
}

}  // namespace lobbyq::server
