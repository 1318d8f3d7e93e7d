#pragma once

// Who may do what: the one permission table of lobbyq (docs/security.md shows
// it as a role x RPC table). Pure: the RPC layer finds out who is calling and
// what the request names, and asks Authorize.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace lobbyq::domain {

enum class Role { kKiosk, kDisplay, kTeller, kManager, kAdmin };

absl::string_view RoleName(Role role);
std::optional<Role> ParseRole(absl::string_view name);
// A person signs in with a password; a device holds a token.
bool IsPersonRole(Role role);

// The caller, as authenticated.
struct Principal {
  std::string name;  // "user:NAME" or "device:ID": the actor of its events
  Role role = Role::kDisplay;
  std::string branch_id;                 // empty: every branch (admins only)
  uint32_t counter = 0;                  // a teller's counter
  std::optional<absl::Time> expires_at;  // sessions only
};

// One per RPC (named after it).
enum class Operation {
  // Kiosk
  kListServices,
  kIssueTicket,
  kGetTicket,
  kCancelTicket,
  kCheckInAppointment,
  kKioskReinstateTicket,
  // Counter
  kOpenCounter,
  kPauseCounter,
  kCloseCounter,
  kCallNext,
  kRecall,
  kStartService,
  kTransfer,
  kMarkNoShow,
  kFinish,
  kSubmitRating,
  kCounterReinstateTicket,
  // Appointments
  kListSlots,
  kBookAppointment,
  kCancelAppointment,
  kListAppointments,
  // Lobby
  kGetLobbyStatus,
  kWatchLobby,
  kPreviewOrder,
  kGetMetrics,
  kGetReport,
  // Admin
  kCreateBranch,
  kListBranches,
  kGetBranch,
  kUpsertService,
  kUpsertCounter,
  kUpdateBranch,
  kPutUser,
  kListUsers,
  kRemoveUser,
  kPutDevice,
  kListDevices,
  kRevokeDevice,
  kListAudit,
  // Auth
  kSignOut,
  kWhoAmI,
};

// How far a right reaches.
enum class Scope {
  kAnyBranch,  // no branch in the request, or every branch (admins)
  kBranch,     // the request's branch must be the caller's
  kCounter,    // and a teller must be at the request's counter
};

struct PermissionRow {
  Operation operation;
  absl::string_view rpc;  // "KioskService.IssueTicket"
  Scope scope;
  // Allowed roles, in Role order: kiosk, display, teller, manager, admin.
  bool kiosk, display, teller, manager, admin;
};

// The whole table, one row per Operation, in Operation order.
std::span<const PermissionRow> PermissionTable();
const PermissionRow& PermissionOf(Operation operation);
bool Allows(const PermissionRow& row, Role role);

// What the request names: its branch ("" when it names none) and counter.
struct Target {
  std::string branch_id;
  uint32_t counter = 0;
};

// OK, or PERMISSION_DENIED saying what the caller lacks.
absl::Status Authorize(const Principal& caller, Operation operation, const Target& target);

}  // namespace lobbyq::domain
