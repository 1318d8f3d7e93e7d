#include "admin/access.h"

#include <cstdlib>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/client/channel.h"
#include "common/client/format.h"
#include "common/client/status_text.h"
#include "common/secret_input.h"
#include "lobbyq/v1/admin.grpc.pb.h"

namespace lobbyq::admin {
namespace {

constexpr char kProgram[] = "lobbyq-admin";

int Fail(const grpc::Status& status, const Connection& c) {
  std::cerr << kProgram << ": " << client::DescribeStatus(status, c.server) << "\n";
  return 1;
}

v1::Role ParseRoleName(const std::string& name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "kiosk") return v1::ROLE_KIOSK;
  if (lower == "display") return v1::ROLE_DISPLAY;
  if (lower == "teller") return v1::ROLE_TELLER;
  if (lower == "manager") return v1::ROLE_MANAGER;
  if (lower == "admin") return v1::ROLE_ADMIN;
  return v1::ROLE_UNSPECIFIED;
}

std::string RoleWord(v1::Role role) {
  std::string name = v1::Role_Name(role);
  return absl::AsciiStrToLower(name.substr(std::string("ROLE_").size()));
}

// Twice, so a typo does not lock someone out.
std::string NewPasswordFromInput() {
  if (const char* env = std::getenv("LOBBYQ_NEW_PASSWORD")) return env;
  const std::string password = ReadSecretLine("new password: ");
  const std::string again = ReadSecretLine("again: ");
  if (password != again) return "";
  return password;
}

}  // namespace

AccessCommands::AccessCommands(CLI::App& app) {
  CLI::App* user = app.add_subcommand("user", "people who sign in: add, list, remove");
  user->require_subcommand(1);
  user_add_ = user->add_subcommand(
      "add", "create a user or give it a new password (asked, or $LOBBYQ_NEW_PASSWORD)");
  user_add_->add_option("name", name_, "user name")->required();
  user_add_->add_option("--role", role_, "teller, manager or admin")
      ->required()
      ->check(CLI::IsMember({"teller", "manager", "admin"}, CLI::ignore_case));
  user_add_->add_option("--of-branch", of_branch_,
                        "the branch a teller or manager works at (default: --branch)");
  user_list_ = user->add_subcommand("list", "every user, with role and branch");
  user_remove_ = user->add_subcommand("remove", "remove a user and end their sessions");
  user_remove_->add_option("name", name_, "user name")->required();

  CLI::App* device = app.add_subcommand("device", "kiosks and displays: add, list, revoke");
  device->require_subcommand(1);
  device_add_ =
      device->add_subcommand("add", "register a kiosk or display and print its token (shown once)");
  device_add_->add_option("id", name_, "device id, e.g. kiosk-2")->required();
  device_add_->add_option("--role", role_, "kiosk or display")
      ->required()
      ->check(CLI::IsMember({"kiosk", "display"}, CLI::ignore_case));
  device_add_->add_option("--of-branch", of_branch_, "its branch (default: --branch)");
  device_list_ = device->add_subcommand("list", "every registered device");
  device_revoke_ = device->add_subcommand("revoke", "revoke a device's token");
  device_revoke_->add_option("id", name_, "device id")->required();

  audit_ = app.add_subcommand(
      "audit", "who did what and when: one ticket's events, or one actor's (--branch)");
  audit_->add_option("--ticket", ticket_, "today's number (A012) or the ticket id");
  audit_->add_option("--actor", actor_, "user:NAME, device:ID, timer or config");
}

int AccessCommands::Run(const Connection& c) const {
  auto stub = v1::AdminService::NewStub(client::MakeChannel(c.server, c.security, c.token));
  const std::string branch = of_branch_.empty() ? c.branch : of_branch_;
  if (user_add_->parsed()) {
    v1::PutUserRequest request;
    request.mutable_user()->set_name(name_);
    request.mutable_user()->set_role(ParseRoleName(role_));
    if (request.user().role() != v1::ROLE_ADMIN) request.mutable_user()->set_branch_id(branch);
    request.set_password(NewPasswordFromInput());
    if (request.password().empty()) {
      std::cerr << kProgram << ": the two passwords differ (or are empty); nothing changed\n";
      return 2;
    }
    v1::User user;
    const grpc::Status s = client::CallWithDeadline(
        [&](grpc::ClientContext* ctx) { return stub->PutUser(ctx, request, &user); });
    if (!s.ok()) return Fail(s, c);
    std::cout << "user " << user.name() << " (" << RoleWord(user.role())
              << (user.branch_id().empty() ? "" : ", branch " + user.branch_id()) << ") is ready\n";
    return 0;
  }
  if (user_list_->parsed()) {
    v1::ListUsersResponse users;
    const grpc::Status s = client::CallWithDeadline([&](grpc::ClientContext* ctx) {
      return stub->ListUsers(ctx, v1::ListUsersRequest(), &users);
    });
    if (!s.ok()) return Fail(s, c);
    std::vector<std::vector<std::string>> rows;
    for (const auto& u : users.users()) {
      rows.push_back({u.name(), RoleWord(u.role()), u.branch_id().empty() ? "all" : u.branch_id()});
    }
    std::cout << client::RenderTable({"User", "Role", "Branch"}, rows);
    return 0;
  }
  if (user_remove_->parsed()) {
    v1::RemoveUserRequest request;
    request.set_name(name_);
    v1::RemoveUserResponse response;
    const grpc::Status s = client::CallWithDeadline(
        [&](grpc::ClientContext* ctx) { return stub->RemoveUser(ctx, request, &response); });
    if (!s.ok()) return Fail(s, c);
    std::cout << "user " << name_ << " removed; their sessions have ended\n";
    return 0;
  }
  if (device_add_->parsed()) {
    v1::PutDeviceRequest request;
    request.mutable_device()->set_id(name_);
    request.mutable_device()->set_role(ParseRoleName(role_));
    request.mutable_device()->set_branch_id(branch);
    v1::PutDeviceResponse response;
    const grpc::Status s = client::CallWithDeadline(
        [&](grpc::ClientContext* ctx) { return stub->PutDevice(ctx, request, &response); });
    if (!s.ok()) return Fail(s, c);
    std::cout << RoleWord(response.device().role()) << " " << response.device().id()
              << " of branch " << response.device().branch_id() << "\n"
              << "token (shown once; give it to the device with --token): " << response.token()
              << "\n";
    return 0;
  }
  if (device_list_->parsed()) {
    v1::ListDevicesResponse devices;
    const grpc::Status s = client::CallWithDeadline([&](grpc::ClientContext* ctx) {
      return stub->ListDevices(ctx, v1::ListDevicesRequest(), &devices);
    });
    if (!s.ok()) return Fail(s, c);
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : devices.devices()) {
      rows.push_back({d.id(), RoleWord(d.role()), d.branch_id()});
    }
    std::cout << client::RenderTable({"Device", "Role", "Branch"}, rows);
    return 0;
  }
  if (device_revoke_->parsed()) {
    v1::RevokeDeviceRequest request;
    request.set_id(name_);
    v1::RevokeDeviceResponse response;
    const grpc::Status s = client::CallWithDeadline(
        [&](grpc::ClientContext* ctx) { return stub->RevokeDevice(ctx, request, &response); });
    if (!s.ok()) return Fail(s, c);
    std::cout << "device " << name_ << " revoked\n";
    return 0;
  }
  if (audit_->parsed()) {
    v1::ListAuditRequest request;
    request.set_branch_id(c.branch);
    uint64_t id = 0;
    if (!actor_.empty()) {
      request.set_actor(actor_);
    } else if (absl::SimpleAtoi(ticket_, &id)) {
      request.set_ticket_id(id);
    } else {
      request.set_ticket_number(ticket_);
    }
    v1::ListAuditResponse response;
    const grpc::Status s = client::CallWithDeadline(
        [&](grpc::ClientContext* ctx) { return stub->ListAudit(ctx, request, &response); });
    if (!s.ok()) return Fail(s, c);
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : response.events()) {
      rows.push_back({absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(e.at().seconds()),
                                       absl::LocalTimeZone()),
                      e.actor(), e.counter() == 0 ? "" : absl::StrCat(e.counter()),
                      e.ticket().number(), e.detail()});
    }
    std::cout << client::RenderTable({"When", "Actor", "Counter", "Ticket", "What"}, rows);
    return 0;
  }
  return -1;
}

}  // namespace lobbyq::admin
