// AuthService, and AdminService's users, devices and audit trail.

#include "absl/strings/str_cat.h"
#include "server/domain/validation.h"
#include "server/rpc/command.h"
#include "server/rpc/mapping.h"
#include "server/rpc/services.h"
#include "server/rpc/status.h"

namespace lobbyq::rpc {
namespace {

constexpr int kDefaultAuditLimit = 1000;
constexpr int kMaxAuditLimit = 10000;

v1::Role ToProto(domain::Role role) {
  switch (role) {
    case domain::Role::kKiosk:
      return v1::ROLE_KIOSK;
    case domain::Role::kDisplay:
      return v1::ROLE_DISPLAY;
    case domain::Role::kTeller:
      return v1::ROLE_TELLER;
    case domain::Role::kManager:
      return v1::ROLE_MANAGER;
    case domain::Role::kAdmin:
      return v1::ROLE_ADMIN;
  }
  return v1::ROLE_UNSPECIFIED;
}

absl::StatusOr<domain::Role> FromProto(v1::Role role) {
  switch (role) {
    case v1::ROLE_KIOSK:
      return domain::Role::kKiosk;
    case v1::ROLE_DISPLAY:
      return domain::Role::kDisplay;
    case v1::ROLE_TELLER:
      return domain::Role::kTeller;
    case v1::ROLE_MANAGER:
      return domain::Role::kManager;
    case v1::ROLE_ADMIN:
      return domain::Role::kAdmin;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("role ", static_cast<int>(role),
                       " is unknown; use KIOSK, DISPLAY, TELLER, MANAGER or ADMIN"));
  }
}

void ToProto(const domain::Principal& principal, v1::Identity* out) {
  out->set_name(principal.name);
  out->set_role(ToProto(principal.role));
  out->set_branch_id(principal.branch_id);
  out->set_counter(principal.counter);
  if (principal.expires_at) rpc::ToProto(*principal.expires_at, out->mutable_expires_at());
}

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// A person or device of a branch needs the branch to exist.
absl::Status CheckBranch(const runtime::Engine& engine, const std::string& branch_id) {
  if (branch_id.empty()) return absl::OkStatus();
  if (absl::Status s = domain::ValidateBranchId(branch_id); !s.ok()) return s;
  if (!engine.HasBranch(branch_id)) {
    return absl::NotFoundError(absl::StrCat("branch '", branch_id, "' does not exist"));
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* AuthServiceImpl::SignIn(grpc::CallbackServerContext* context,
                                                  const v1::SignInRequest* request,
                                                  v1::SignInResponse* response) {
  if (request->user().empty() || request->user().size() > 64 || request->password().size() > 256) {
    return Reject(context, "SignIn",
                  absl::InvalidArgumentError(
                      "give a user name (1 to 64 characters) and a password (at most 256)"));
  }
  auto signed_in =
      auth_.SignIn(request->user(), request->password(), request->branch_id(), request->counter());
  if (!signed_in.ok()) return Reject(context, "SignIn", signed_in.status());
  response->set_token(signed_in->first);
  ToProto(signed_in->second, response->mutable_identity());
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AuthServiceImpl::SignOut(grpc::CallbackServerContext* context,
                                                   const v1::SignOutRequest*,
                                                   v1::SignOutResponse*) {
  auto caller = Authorize(auth_, *context, domain::Operation::kSignOut, {});
  if (!caller.ok()) return Reject(context, "SignOut", caller.status());
  return Finish(context, auth_.SignOut(*context));
}

grpc::ServerUnaryReactor* AuthServiceImpl::WhoAmI(grpc::CallbackServerContext* context,
                                                  const v1::WhoAmIRequest*,
                                                  v1::Identity* response) {
  auto caller = Authorize(auth_, *context, domain::Operation::kWhoAmI, {});
  if (!caller.ok()) return Reject(context, "WhoAmI", caller.status());
  ToProto(*caller, response);
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminServiceImpl::PutUser(grpc::CallbackServerContext* context,
                                                    const v1::PutUserRequest* request,
                                                    v1::User* response) {
  auto caller = Authorize(auth_, *context, domain::Operation::kPutUser, {});
  if (!caller.ok()) return Reject(context, "PutUser", caller.status());
  auto role = FromProto(request->user().role());
  if (!role.ok()) return Reject(context, "PutUser", role.status());
  if (absl::Status s = CheckBranch(engine_, request->user().branch_id()); !s.ok()) {
    return Reject(context, "PutUser", s);
  }
  absl::Status s = auth_.PutUser(request->user().name(), *role, request->user().branch_id(),
                                 request->password());
  if (s.ok()) {
    *response = request->user();
    if (*role == domain::Role::kAdmin) response->clear_branch_id();
  }
  return Finish(context, s);
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListUsers(grpc::CallbackServerContext* context,
                                                      const v1::ListUsersRequest*,
                                                      v1::ListUsersResponse* response) {
  auto caller = Authorize(auth_, *context, domain::Operation::kListUsers, {});
  if (!caller.ok()) return Reject(context, "ListUsers", caller.status());
  for (const auto& user : auth_.Users()) {
    v1::User* out = response->add_users();
    out->set_name(user.name);
    out->set_role(ToProto(user.role));
    out->set_branch_id(user.branch_id);
  }
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminServiceImpl::RemoveUser(grpc::CallbackServerContext* context,
                                                       const v1::RemoveUserRequest* request,
                                                       v1::RemoveUserResponse*) {
  auto caller = Authorize(auth_, *context, domain::Operation::kRemoveUser, {});
  if (!caller.ok()) return Reject(context, "RemoveUser", caller.status());
  if (caller->name == absl::StrCat("user:", request->name())) {
    return Reject(context, "RemoveUser",
                  absl::FailedPreconditionError(
                      "you cannot remove yourself: another admin has to, so one always remains"));
  }
  return Finish(context, auth_.RemoveUser(request->name()));
}

grpc::ServerUnaryReactor* AdminServiceImpl::PutDevice(grpc::CallbackServerContext* context,
                                                      const v1::PutDeviceRequest* request,
                                                      v1::PutDeviceResponse* response) {
  auto caller = Authorize(auth_, *context, domain::Operation::kPutDevice, {});
  if (!caller.ok()) return Reject(context, "PutDevice", caller.status());
  auto role = FromProto(request->device().role());
  if (!role.ok()) return Reject(context, "PutDevice", role.status());
  if (absl::Status s = CheckBranch(engine_, request->device().branch_id()); !s.ok()) {
    return Reject(context, "PutDevice", s);
  }
  auto token = auth_.PutDevice(request->device().id(), *role, request->device().branch_id());
  if (!token.ok()) return Reject(context, "PutDevice", token.status());
  *response->mutable_device() = request->device();
  response->set_token(*token);
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListDevices(grpc::CallbackServerContext* context,
                                                        const v1::ListDevicesRequest*,
                                                        v1::ListDevicesResponse* response) {
  auto caller = Authorize(auth_, *context, domain::Operation::kListDevices, {});
  if (!caller.ok()) return Reject(context, "ListDevices", caller.status());
  for (const auto& device : auth_.Devices()) {
    v1::Device* out = response->add_devices();
    out->set_id(device.id);
    out->set_role(ToProto(device.role));
    out->set_branch_id(device.branch_id);
  }
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminServiceImpl::RevokeDevice(grpc::CallbackServerContext* context,
                                                         const v1::RevokeDeviceRequest* request,
                                                         v1::RevokeDeviceResponse*) {
  auto caller = Authorize(auth_, *context, domain::Operation::kRevokeDevice, {});
  if (!caller.ok()) return Reject(context, "RevokeDevice", caller.status());
  return Finish(context, auth_.RevokeDevice(request->id()));
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListAudit(grpc::CallbackServerContext* context,
                                                      const v1::ListAuditRequest* request,
                                                      v1::ListAuditResponse* response) {
  auto caller = Authorize(auth_, *context, domain::Operation::kListAudit, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "ListAudit", caller.status());
  const int asked =
      (request->ticket_id() != 0) + !request->ticket_number().empty() + !request->actor().empty();
  if (asked != 1) {
    return Reject(context, "ListAudit",
                  absl::InvalidArgumentError(
                      "name exactly one of ticket_id, ticket_number (e.g. A012) and actor (e.g. "
                      "user:alice)"));
  }
  if (request->limit() < 0 || request->limit() > kMaxAuditLimit) {
    return Reject(context, "ListAudit",
                  absl::InvalidArgumentError(absl::StrCat(
                      "limit must be 0 (default ", kDefaultAuditLimit, ") to ", kMaxAuditLimit)));
  }
  if (request->actor().size() > 200) {
    return Reject(context, "ListAudit", absl::InvalidArgumentError("actor is too long"));
  }
  const int limit = request->limit() == 0 ? kDefaultAuditLimit : request->limit();
  const absl::Time from = request->has_from() ? FromProto(request->from()) : absl::InfinitePast();
  const absl::Time to = request->has_to() ? FromProto(request->to()) : absl::InfiniteFuture();
  auto events = std::make_shared<std::vector<domain::Event>>();
  return RunCommand(
      engine_, context, "ListAudit", request->branch_id(), caller->name,
      [this, request, events, limit, from, to](
          const domain::Branch& branch,
          const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
        absl::StatusOr<std::vector<domain::Event>> read;
        if (!request->actor().empty()) {
          read =
              engine_.store().ReadActorEvents(branch.info().id, request->actor(), from, to, limit);
        } else if (request->ticket_id() != 0) {
          // By id also after the ticket has left memory: the log keeps it.
          read = engine_.store().ReadTicketEvents(branch.info().id, request->ticket_id(), limit);
        } else {
          auto id = ResolveTicket(branch, ctx.now, 0, request->ticket_number());
          if (!id.ok()) return id.status();
          read = engine_.store().ReadTicketEvents(branch.info().id, *id, limit);
        }
        if (!read.ok()) return read.status();
        *events = *std::move(read);
        return domain::Plan{};
      },
      [events, response](const domain::Branch& branch, const domain::Plan&) {
        for (const domain::Event& event : *events) ToProto(event, branch, response->add_events());
      });
}

}  // namespace lobbyq::rpc
