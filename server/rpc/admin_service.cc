#include <memory>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/rpc/command.h"
#include "server/rpc/mapping.h"
#include "server/rpc/requests.h"
#include "server/rpc/services.h"
#include "server/rpc/status.h"

namespace lobbyq::rpc {
grpc::ServerUnaryReactor* AdminServiceImpl::CreateBranch(grpc::CallbackServerContext* context,
                                                         const v1::CreateBranchRequest* request,
                                                         v1::BranchConfig* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kCreateBranch, {});
  if (!caller.ok()) return Reject(context, "CreateBranch", caller.status());
  auto def = FromProto(request->branch());
  if (!def.ok()) return Reject(context, "CreateBranch", def.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const std::string id = request->branch().id();
  engine_.CreateBranchAsync(
      *std::move(def), caller->name,
      [this, reactor, response, id, actor = caller->name](const absl::Status& created) {
        if (!created.ok()) {
          reactor->Finish(ToGrpcStatus(created));
          return;
        }
        engine_.Execute(id, actor, ReadOnly,
                        [reactor, response](const absl::Status& s, const domain::Branch* branch,
                                            const domain::Plan*) {
                          if (s.ok()) ToProto(*branch, response);
                          reactor->Finish(ToGrpcStatus(s));
                        });
      });
  return reactor;
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListBranches(grpc::CallbackServerContext* context,
                                                         const v1::ListBranchesRequest*,
                                                         v1::ListBranchesResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kListBranches, {});
  if (!caller.ok()) return Reject(context, "ListBranches", caller.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const std::vector<std::string> ids = engine_.BranchIds();
  if (ids.empty()) {
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  // Each branch is read on its own strand; the last one to answer replies.
  struct Gather {
    std::mutex mu;
    std::vector<v1::BranchConfig> configs;
    size_t pending;
  };
  auto gather = std::make_shared<Gather>();
  gather->configs.resize(ids.size());
  gather->pending = ids.size();
  for (size_t i = 0; i < ids.size(); ++i) {
    engine_.Execute(ids[i], caller->name, ReadOnly,
                    [gather, i, reactor, response](
                        const absl::Status& s, const domain::Branch* branch, const domain::Plan*) {
                      std::lock_guard lock(gather->mu);
                      if (s.ok()) ToProto(*branch, &gather->configs[i]);
                      if (--gather->pending > 0) return;
                      for (auto& config : gather->configs) {
                        if (!config.id().empty()) *response->add_branches() = std::move(config);
                      }
                      reactor->Finish(grpc::Status::OK);
                    });
  }
  return reactor;
}

Command GetBranchCommand(v1::BranchConfig* response) {
  return {ReadOnly, [response](const domain::Branch& branch, const domain::Plan&) {
            ToProto(branch, response);
          }};
}

Command UpsertServiceCommand(const v1::UpsertServiceRequest& request, v1::ServiceConfig* response) {
  domain::ServiceConfig service = FromProto(request.service());
  const std::string code = service.code;
  return {[service = std::move(service)](const domain::Branch& branch,
                                         const domain::CommandContext& ctx) {
            return branch.PlanUpsertService(service, ctx);
          },
          [response, code](const domain::Branch& branch, const domain::Plan&) {
            ToProto(*branch.FindService(code), response);
          }};
}

absl::StatusOr<Command> UpsertCounterCommand(const v1::UpsertCounterRequest& request,
                                             v1::CounterStatus* response) {
  auto counter = FromProto(request.counter());
  if (!counter.ok()) return counter.status();
  return Command{
      [counter = *counter](const domain::Branch& branch, const domain::CommandContext& ctx) {
        return branch.PlanUpsertCounter(counter, ctx);
      },
      [response, number = counter->number](const domain::Branch& branch, const domain::Plan&) {
        ToProto(*branch.FindCounter(number), branch, response);
      }};
}

absl::StatusOr<Command> UpdateBranchCommand(const v1::UpdateBranchRequest& request,
                                            v1::BranchConfig* response) {
  // Enums are checked before any work; values against the branch, on its strand.
  domain::BranchInfo probe;
  if (auto s = ApplyPolicy(request.policy(), &probe); !s.ok()) return s;
  return Command{
      [&request](const domain::Branch& branch,
                 const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
        domain::BranchInfo info = branch.info();
        if (!request.name().empty()) info.name = request.name();
        if (auto s = ApplyPolicy(request.policy(), &info); !s.ok()) return s;
        return branch.PlanUpdateBranchInfo(info, ctx);
      },
      [response](const domain::Branch& branch, const domain::Plan&) { ToProto(branch, response); }};
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetBranch(grpc::CallbackServerContext* context,
                                                      const v1::GetBranchRequest* request,
                                                      v1::BranchConfig* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kGetBranch, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "GetBranch", caller.status());
  return RunCommand(engine_, context, "GetBranch", request->branch_id(), caller->name,
                    GetBranchCommand(response));
}

grpc::ServerUnaryReactor* AdminServiceImpl::UpsertService(grpc::CallbackServerContext* context,
                                                          const v1::UpsertServiceRequest* request,
                                                          v1::ServiceConfig* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kUpsertService, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "UpsertService", caller.status());
  return RunCommand(engine_, context, "UpsertService", request->branch_id(), caller->name,
                    UpsertServiceCommand(*request, response));
}

grpc::ServerUnaryReactor* AdminServiceImpl::UpsertCounter(grpc::CallbackServerContext* context,
                                                          const v1::UpsertCounterRequest* request,
                                                          v1::CounterStatus* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kUpsertCounter, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "UpsertCounter", caller.status());
  return RunCommand(engine_, context, "UpsertCounter", request->branch_id(), caller->name,
                    UpsertCounterCommand(*request, response));
}

grpc::ServerUnaryReactor* AdminServiceImpl::UpdateBranch(grpc::CallbackServerContext* context,
                                                         const v1::UpdateBranchRequest* request,
                                                         v1::BranchConfig* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kUpdateBranch, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "UpdateBranch", caller.status());
  return RunCommand(engine_, context, "UpdateBranch", request->branch_id(), caller->name,
                    UpdateBranchCommand(*request, response));
}

}  // namespace lobbyq::rpc
