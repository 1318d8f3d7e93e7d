#include "server/domain/permissions.h"

#include <array>

#include "absl/strings/str_cat.h"

namespace lobbyq::domain {
namespace {

constexpr bool Y = true;
constexpr bool n = false;

// Rows are in Operation order (checked at start-up by PermissionOf and by
// tests/domain/permissions_test.cc). The reasoning behind each column:
// - kiosk: what a customer does at the kiosk, for the kiosk's own branch;
//   it also reads the lobby status (the branch's clock and day, queue lengths),
//   which shows nothing a lobby display does not;
// - display: reads that a screen in the lobby shows, nothing else;
// - teller: reads of the lobby and every action of the one counter they sat
//   down at (the rating pad runs on the teller's session);
// - manager: everything in their branch, including acting for a customer or a
//   counter, metrics and the audit trail, but no configuration or users;
// - admin: everything everywhere.
constexpr std::array kTable = {
    // clang-format off
    //                                                                           kiosk display teller manager admin
    PermissionRow{Operation::kListServices, "KioskService.ListServices", Scope::kBranch,        Y, Y, Y, Y, Y},
    PermissionRow{Operation::kIssueTicket, "KioskService.IssueTicket", Scope::kBranch,          Y, n, n, Y, Y},
    PermissionRow{Operation::kGetTicket, "KioskService.GetTicket", Scope::kBranch,              Y, Y, Y, Y, Y},
    PermissionRow{Operation::kCancelTicket, "KioskService.CancelTicket", Scope::kBranch,        Y, n, n, Y, Y},
    PermissionRow{Operation::kCheckInAppointment, "KioskService.CheckInAppointment", Scope::kBranch, Y, n, n, Y, Y},
    PermissionRow{Operation::kKioskReinstateTicket, "KioskService.ReinstateTicket", Scope::kBranch, Y, n, n, Y, Y},
    PermissionRow{Operation::kOpenCounter, "CounterService.OpenCounter", Scope::kCounter,       n, n, Y, Y, Y},
    PermissionRow{Operation::kPauseCounter, "CounterService.PauseCounter", Scope::kCounter,     n, n, Y, Y, Y},
    PermissionRow{Operation::kCloseCounter, "CounterService.CloseCounter", Scope::kCounter,     n, n, Y, Y, Y},
    PermissionRow{Operation::kCallNext, "CounterService.CallNext", Scope::kCounter,             n, n, Y, Y, Y},
    PermissionRow{Operation::kRecall, "CounterService.Recall", Scope::kCounter,                 n, n, Y, Y, Y},
    PermissionRow{Operation::kStartService, "CounterService.StartService", Scope::kCounter,     n, n, Y, Y, Y},
    PermissionRow{Operation::kTransfer, "CounterService.Transfer", Scope::kCounter,             n, n, Y, Y, Y},
    PermissionRow{Operation::kMarkNoShow, "CounterService.MarkNoShow", Scope::kCounter,         n, n, Y, Y, Y},
    PermissionRow{Operation::kFinish, "CounterService.Finish", Scope::kCounter,                 n, n, Y, Y, Y},
    PermissionRow{Operation::kSubmitRating, "CounterService.SubmitRating", Scope::kCounter,     n, n, Y, Y, Y},
    PermissionRow{Operation::kCounterReinstateTicket, "CounterService.ReinstateTicket", Scope::kCounter, n, n, Y, Y, Y},
    PermissionRow{Operation::kListSlots, "AppointmentService.ListSlots", Scope::kBranch,        Y, Y, Y, Y, Y},
    PermissionRow{Operation::kBookAppointment, "AppointmentService.BookAppointment", Scope::kBranch, Y, n, n, Y, Y},
    PermissionRow{Operation::kCancelAppointment, "AppointmentService.CancelAppointment", Scope::kBranch, Y, n, n, Y, Y},
    PermissionRow{Operation::kListAppointments, "AppointmentService.ListAppointments", Scope::kBranch, n, n, n, Y, Y},
    PermissionRow{Operation::kGetLobbyStatus, "LobbyService.GetLobbyStatus", Scope::kBranch,    Y, Y, Y, Y, Y},
    PermissionRow{Operation::kWatchLobby, "LobbyService.WatchLobby", Scope::kBranch,            n, Y, Y, Y, Y},
    PermissionRow{Operation::kPreviewOrder, "LobbyService.PreviewOrder", Scope::kBranch,        n, n, Y, Y, Y},
    PermissionRow{Operation::kGetMetrics, "LobbyService.GetMetrics", Scope::kBranch,            n, n, n, Y, Y},
    PermissionRow{Operation::kGetReport, "LobbyService.GetReport", Scope::kBranch,              n, n, n, Y, Y},
    PermissionRow{Operation::kCreateBranch, "AdminService.CreateBranch", Scope::kAnyBranch,     n, n, n, n, Y},
    PermissionRow{Operation::kListBranches, "AdminService.ListBranches", Scope::kAnyBranch,     Y, Y, Y, Y, Y},
    PermissionRow{Operation::kGetBranch, "AdminService.GetBranch", Scope::kBranch,              Y, Y, Y, Y, Y},
    PermissionRow{Operation::kUpsertService, "AdminService.UpsertService", Scope::kBranch,      n, n, n, n, Y},
    PermissionRow{Operation::kUpsertCounter, "AdminService.UpsertCounter", Scope::kBranch,      n, n, n, n, Y},
    PermissionRow{Operation::kUpdateBranch, "AdminService.UpdateBranch", Scope::kBranch,        n, n, n, n, Y},
    PermissionRow{Operation::kPutUser, "AdminService.PutUser", Scope::kAnyBranch,               n, n, n, n, Y},
    PermissionRow{Operation::kListUsers, "AdminService.ListUsers", Scope::kAnyBranch,           n, n, n, n, Y},
    PermissionRow{Operation::kRemoveUser, "AdminService.RemoveUser", Scope::kAnyBranch,         n, n, n, n, Y},
    PermissionRow{Operation::kPutDevice, "AdminService.PutDevice", Scope::kAnyBranch,           n, n, n, n, Y},
    PermissionRow{Operation::kListDevices, "AdminService.ListDevices", Scope::kAnyBranch,       n, n, n, n, Y},
    PermissionRow{Operation::kRevokeDevice, "AdminService.RevokeDevice", Scope::kAnyBranch,     n, n, n, n, Y},
    PermissionRow{Operation::kListAudit, "AdminService.ListAudit", Scope::kBranch,              n, n, n, Y, Y},
    PermissionRow{Operation::kSignOut, "AuthService.SignOut", Scope::kAnyBranch,                Y, Y, Y, Y, Y},
    PermissionRow{Operation::kWhoAmI, "AuthService.WhoAmI", Scope::kAnyBranch,                  Y, Y, Y, Y, Y},
    // clang-format on
};

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kKiosk:
      return "kiosk";
    case Role::kDisplay:
      return "display";
    case Role::kTeller:
      return "teller";
    case Role::kManager:
      return "manager";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (Role r : {Role::kKiosk, Role::kDisplay, Role::kTeller, Role::kManager, Role::kAdmin}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

bool IsPersonRole(Role role) {
  return role == Role::kTeller || role == Role::kManager || role == Role::kAdmin;
}

std::span<const PermissionRow> PermissionTable() { return kTable; }

const PermissionRow& PermissionOf(Operation operation) {
  return kTable.at(static_cast<size_t>(operation));
}

bool Allows(const PermissionRow& row, Role role) {
  switch (role) {
    case Role::kKiosk:
      return row.kiosk;
    case Role::kDisplay:
      return row.display;
    case Role::kTeller:
      return row.teller;
    case Role::kManager:
      return row.manager;
    case Role::kAdmin:
      return row.admin;
  }
  return false;
}

absl::Status Authorize(const Principal& caller, Operation operation, const Target& target) {
  const PermissionRow& row = PermissionOf(operation);
  if (!Allows(row, caller.role)) {
    return absl::PermissionDeniedError(
        absl::StrCat(caller.name, " (", RoleName(caller.role), ") may not call ", row.rpc));
  }
  if (row.scope == Scope::kAnyBranch || caller.branch_id.empty()) return absl::OkStatus();
  if (target.branch_id != caller.branch_id) {
    return absl::PermissionDeniedError(
        absl::StrCat(caller.name, " belongs to branch '", caller.branch_id, "' and may not call ",
                     row.rpc, " for branch '", target.branch_id, "'"));
  }
  if (row.scope == Scope::kCounter && caller.role == Role::kTeller &&
      target.counter != caller.counter) {
    return absl::PermissionDeniedError(absl::StrCat(caller.name, " is signed in at counter ",
                                                    caller.counter, " and may not act for counter ",
                                                    target.counter, "; sign in there"));
  }
  return absl::OkStatus();
}

}  // namespace lobbyq::domain
