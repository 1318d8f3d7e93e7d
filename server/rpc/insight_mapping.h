#pragma once

// Staffing advice and alerts -> lobbyq.v1 (insight.proto). Apart from
// mapping.h so that the live lobby's insight can grow without touching the
// core mapping.

#include <vector>

#include "absl/time/time.h"
#include "lobbyq/v1/insight.pb.h"
#include "lobbyq/v1/lobby.pb.h"
#include "server/domain/alerts.h"
#include "server/domain/branch.h"
#include "server/domain/staffing.h"

namespace lobbyq::rpc {

void ToProto(const domain::LiveStaffing& live, v1::StaffingAdvice* out);  // hour = -1: now
v1::AlertKind ToProto(domain::AlertKind kind);
v1::AlertSeverity ToProto(domain::AlertSeverity severity);
void ToProto(const domain::Alert& alert, v1::Alert* out);
void ToProto(const std::vector<domain::Alert>& alerts, v1::AlertList* out);

// Fills LobbyStatus.staffing (live advice at `now`) and .alerts, which the
// core ToProto(branch, now, status) leaves empty. `alerts` are
// domain::ActiveAlerts(branch, now), passed in because a watcher keeps them.
void AddInsight(const domain::Branch& branch, absl::Time now,
                const std::vector<domain::Alert>& alerts, v1::LobbyStatus* out);

}  // namespace lobbyq::rpc
