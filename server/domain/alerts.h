#pragma once

// Alerts for the lobby manager, derived from a branch's state at an instant.
// Nothing is stored: an alert is active exactly while its condition holds, so
// it clears itself when the condition ends. Pure: time comes in as `now`.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace lobbyq::domain {

class Branch;

enum class AlertKind { kWaitOverTarget = 1, kIdleCounter, kLowRating, kUnderstaffed };
enum class AlertSeverity { kInfo = 1, kWarning, kCritical };

struct Alert {
  // Stable while the condition lasts: "wait_over_target:A", "idle_counter:3",
  // "low_rating:<ticket id>", "understaffed:A,B".
  std::string id;
  AlertKind kind = AlertKind::kWaitOverTarget;
  AlertSeverity severity = AlertSeverity::kWarning;
  std::string reason;  // what is wrong and what to do, for the lobby manager
  absl::Time since = absl::UnixEpoch();
  std::string service_code;  // a service's alert; the group's first for understaffing
  uint32_t counter = 0;
  uint64_t ticket_id = 0;
  friend bool operator==(const Alert&, const Alert&) = default;
};

// An open counter may stand without a customer this long while someone it
// could call is waiting (a teller finishing notes) before it is an alert.
inline constexpr absl::Duration kIdleCounterGrace = absl::Minutes(2);
// How long a rating of 1 or 2 stays an alert. There is no acknowledge yet, so
// it expires by itself; long enough for a manager to see it and go over.
inline constexpr absl::Duration kLowRatingAlertFor = absl::Minutes(30);

// The alerts active at `now`: waits over target (by service), idle counters
// (by number), low ratings (by rating time), understaffed groups (in service
// order).
//  - wait_over_target: a service's longest callable wait is at least its
//    target (WARNING), at least its max wait (CRITICAL).
//  - idle_counter: an OPEN counter with no ticket, and a callable ticket of its
//    profile waiting, both for kIdleCounterGrace (WARNING).
//  - low_rating: a rating of 1 or 2 in the last kLowRatingAlertFor (WARNING).
//  - understaffed: fewer counters open than LiveStaffingAdvice needs, while the
//    group is working (a counter open or someone waiting): WARNING, CRITICAL
//    when no counter of the group is open.
std::vector<Alert> ActiveAlerts(const Branch& branch, absl::Time now);

// The earliest time after `now` (strictly) at which ActiveAlerts may differ
// without any command: a wait reaching its target or max wait, an idle grace
// ending, a low rating expiring, a ticket leaving the staffing window. None
// when nothing is pending. May be early (the set need not change then), never
// late, except that the staffing window's slow growth in the first hour of the
// day is not tracked: those changes show at the next command or tick.
std::optional<absl::Time> NextAlertChange(const Branch& branch, absl::Time now);

}  // namespace lobbyq::domain
