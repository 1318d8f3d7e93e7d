#include "absl/strings/str_cat.h"
#include "server/rpc/command.h"
#include "server/rpc/mapping.h"
#include "server/rpc/services.h"
#include "server/rpc/status.h"

namespace lobbyq::rpc {
namespace {

constexpr char kAdminActor[] = "admin";

}  // namespace

grpc::ServerUnaryReactor* AdminServiceImpl::CreateBranch(grpc::CallbackServerContext* context,
                                                         const v1::CreateBranchRequest* request,
                                                         v1::BranchConfig* response) {
  domain::BranchDefinition def = FromProto(request->branch());
  // A new branch has no strand yet, so it is committed here; admin calls are rare.
  absl::Status status = engine_.CreateBranch(def.info, def.services, def.counters, kAdminActor);
  if (!status.ok()) return Reject(context, "CreateBranch", status);
  return RunCommand(
      engine_, context, "CreateBranch", def.info.id, kAdminActor,
      [](const domain::Branch&, const domain::CommandContext&) { return domain::Plan{}; },
      [response](const domain::Branch& branch, const domain::Plan&) { ToProto(branch, response); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListBranches(grpc::CallbackServerContext* context,
                                                         const v1::ListBranchesRequest*,
                                                         v1::ListBranchesResponse* response) {
  for (const auto& id : engine_.BranchIds()) {
    v1::BranchConfig config;
    absl::Status status = engine_.ExecuteSync(
        id, kAdminActor,
        [](const domain::Branch&, const domain::CommandContext&) { return domain::Plan{}; },
        [&config](const absl::Status& s, const domain::Branch* branch, const domain::Plan*) {
          if (s.ok()) ToProto(*branch, &config);
        });
    if (status.ok()) *response->add_branches() = std::move(config);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetBranch(grpc::CallbackServerContext* context,
                                                      const v1::GetBranchRequest* request,
                                                      v1::BranchConfig* response) {
  return RunCommand(
      engine_, context, "GetBranch", request->branch_id(), kAdminActor,
      [](const domain::Branch&, const domain::CommandContext&) { return domain::Plan{}; },
      [response](const domain::Branch& branch, const domain::Plan&) { ToProto(branch, response); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::UpsertService(grpc::CallbackServerContext* context,
                                                          const v1::UpsertServiceRequest* request,
                                                          v1::ServiceConfig* response) {
  domain::ServiceConfig service = FromProto(request->service());
  return RunCommand(
      engine_, context, "UpsertService", request->branch_id(), kAdminActor,
      [service](const domain::Branch& branch, const domain::CommandContext& ctx) {
        return branch.PlanUpsertService(service, ctx);
      },
      [response, code = service.code](const domain::Branch& branch, const domain::Plan&) {
        ToProto(*branch.FindService(code), response);
      });
}

grpc::ServerUnaryReactor* AdminServiceImpl::UpsertCounter(grpc::CallbackServerContext* context,
                                                          const v1::UpsertCounterRequest* request,
                                                          v1::CounterStatus* response) {
  domain::Counter counter = FromProto(request->counter());
  return RunCommand(
      engine_, context, "UpsertCounter", request->branch_id(), kAdminActor,
      [counter](const domain::Branch& branch, const domain::CommandContext& ctx) {
        return branch.PlanUpsertCounter(counter, ctx);
      },
      [response, number = counter.number](const domain::Branch& branch, const domain::Plan&) {
        ToProto(*branch.FindCounter(number), branch, response);
      });
}

}  // namespace lobbyq::rpc
