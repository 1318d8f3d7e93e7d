#pragma once

#include <functional>
#include <string>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "absl/status/statusor.h"
#include "server/domain/permissions.h"
#include "server/rpc/auth.h"
#include "server/runtime/engine.h"

namespace lobbyq::rpc {

using ReplyFn = std::function<void(const domain::Branch&, const domain::Plan&)>;

// What one RPC asks of its branch (server/rpc/requests.h): the plan that runs
// on the branch's strand and the reply filled right after it there.
struct Command {
  runtime::Engine::PlanFn plan;
  ReplyFn reply;
};

// Who is calling, if the permission table (server/domain/permissions.cc) lets
// them do `operation` on `target`: UNAUTHENTICATED or PERMISSION_DENIED
// otherwise. Every RPC but SignIn asks this first, before looking at its input.
absl::StatusOr<domain::Principal> Authorize(const Authenticator& auth,
                                            const grpc::CallbackServerContext& context,
                                            domain::Operation operation,
                                            const domain::Target& target);

// What a command's client request id stands for: the RPC (by its name in the
// permission table), the counter and whatever else the request names, so the
// domain can tell a retry from another request reusing the id.
domain::ClientRequest ClientRequestOf(domain::Operation operation, const std::string& request_id,
                                      uint32_t counter, std::string subject = {});

// The plan of a query: it changes nothing, so nothing is committed and the reply
// reads the branch on its strand.
absl::StatusOr<domain::Plan> ReadOnly(const domain::Branch&, const domain::CommandContext&);

// The shape of every unary RPC: check the branch id, run the command on the
// branch's strand (plan -> commit -> apply), fill the reply, finish. Any error
// on the way is finished through ToGrpcStatus.
grpc::ServerUnaryReactor* RunCommand(runtime::Engine& engine, grpc::CallbackServerContext* context,
                                     const char* method, const std::string& branch_id,
                                     std::string actor, runtime::Engine::PlanFn plan,
                                     ReplyFn reply);

// The same for a whole command, or a refusal of the request's own checks,
// finished at once.
grpc::ServerUnaryReactor* RunCommand(runtime::Engine& engine, grpc::CallbackServerContext* context,
                                     const char* method, const std::string& branch_id,
                                     std::string actor, absl::StatusOr<Command> command);

// Finishes a reactor at once with `status` (for input rejected before any work).
grpc::ServerUnaryReactor* Reject(grpc::CallbackServerContext* context, const char* method,
                                 const absl::Status& status);

// A ticket named by id or by today's display number ("A012", any case), for
// commands that let the customer say either. InvalidArgument when neither is
// given or the number is malformed; NotFound when there is no such ticket. Run
// it inside a plan, on the branch's strand.
absl::StatusOr<uint64_t> ResolveTicket(const domain::Branch& branch, absl::Time now,
                                       uint64_t ticket_id, const std::string& number);

}  // namespace lobbyq::rpc
