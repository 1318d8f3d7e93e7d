#include "server/rpc/command.h"

#include <spdlog/spdlog.h>

#include "server/domain/validation.h"
#include "server/rpc/status.h"

namespace lobbyq::rpc {

absl::StatusOr<domain::Plan> ReadOnly(const domain::Branch&, const domain::CommandContext&) {
  return domain::Plan{};
}

grpc::ServerUnaryReactor* Reject(grpc::CallbackServerContext* context, const char* method,
                                 const absl::Status& status) {
  spdlog::debug("{} rejected: {}", method, status.ToString());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* RunCommand(runtime::Engine& engine, grpc::CallbackServerContext* context,
                                     const char* method, const std::string& branch_id,
                                     std::string actor, runtime::Engine::PlanFn plan,
                                     ReplyFn reply) {
  if (absl::Status s = domain::ValidateBranchId(branch_id); !s.ok()) {
    return Reject(context, method, s);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  engine.Execute(
      branch_id, std::move(actor), std::move(plan),
      [reactor, method, branch_id, reply = std::move(reply)](
          const absl::Status& status, const domain::Branch* branch, const domain::Plan* plan) {
        if (!status.ok()) {
          spdlog::debug("{} branch={}: {}", method, branch_id, status.ToString());
          reactor->Finish(ToGrpcStatus(status));
          return;
        }
        reply(*branch, *plan);
        spdlog::debug("{} branch={}: OK", method, branch_id);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

}  // namespace lobbyq::rpc
