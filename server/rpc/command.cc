#include "server/rpc/command.h"

#include <spdlog/spdlog.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/domain/validation.h"
#include "server/rpc/status.h"

namespace lobbyq::rpc {

absl::StatusOr<domain::Principal> Authorize(const Authenticator& auth,
                                            const grpc::CallbackServerContext& context,
                                            domain::Operation operation,
                                            const domain::Target& target) {
  absl::StatusOr<domain::Principal> caller = auth.Authenticate(context);
  if (!caller.ok()) return caller.status();
  if (absl::Status s = domain::Authorize(*caller, operation, target); !s.ok()) return s;
  return caller;
}

domain::ClientRequest ClientRequestOf(domain::Operation operation, const std::string& request_id,
                                      uint32_t counter, std::string subject) {
  return domain::ClientRequest{.request_id = request_id,
                               .operation = std::string(domain::PermissionOf(operation).rpc),
                               .counter = counter,
                               .subject = std::move(subject)};
}

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

grpc::ServerUnaryReactor* RunCommand(runtime::Engine& engine, grpc::CallbackServerContext* context,
                                     const char* method, const std::string& branch_id,
                                     std::string actor, absl::StatusOr<Command> command) {
  if (!command.ok()) return Reject(context, method, command.status());
  return RunCommand(engine, context, method, branch_id, std::move(actor), std::move(command->plan),
                    std::move(command->reply));
}

absl::StatusOr<uint64_t> ResolveTicket(const domain::Branch& branch, absl::Time now,
                                       uint64_t ticket_id, const std::string& number) {
  if (!number.empty()) {
    const std::string upper = absl::AsciiStrToUpper(number);
    const bool well_formed = upper.size() == 4 && absl::ascii_isupper(upper[0]) &&
                             absl::ascii_isdigit(upper[1]) && absl::ascii_isdigit(upper[2]) &&
                             absl::ascii_isdigit(upper[3]);
    if (!well_formed) {
      return absl::InvalidArgumentError(
          absl::StrCat("number '", number.substr(0, 20), "' is not a ticket number like A012"));
    }
    const domain::Ticket* ticket = branch.FindTicketByNumber(upper, branch.BusinessDay(now));
    if (ticket == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("no ticket ", upper, " today in branch '", branch.info().id, "'"));
    }
    return ticket->id;
  }
  if (ticket_id == 0) {
    return absl::InvalidArgumentError("give the ticket_id or the ticket's number, e.g. A012");
  }
  if (branch.FindTicket(ticket_id) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("ticket ", ticket_id, " does not exist in branch '", branch.info().id, "'"));
  }
  return ticket_id;
}

}  // namespace lobbyq::rpc
