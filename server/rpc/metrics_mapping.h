#pragma once

// Metrics and staffing advice (server/domain/metrics.h) as lobbyq.v1 messages.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lobbyq/v1/insight.pb.h"
#include "server/domain/metrics.h"

namespace lobbyq::rpc {

void ToProto(const domain::DurationSummary& summary, v1::DurationStats* out);
void ToProto(const domain::SliceMetrics& metrics, v1::Metrics* out);
void ToProto(const std::string& branch_id, const domain::BranchMetrics& metrics,
             v1::MetricsResponse* out);
void ToProto(const domain::HourStaffing& staffing, v1::StaffingAdvice* out);

// The window [from, to) of a GetMetricsRequest, or nullopt when it gives
// neither (the business day so far, which only the branch knows).
// InvalidArgument for half a window, a timestamp outside Timestamp's range,
// `to` before `from`, or a window longer than domain::kMaxMetricsWindow.
struct MetricsWindow {
  absl::Time from;
  absl::Time to;
};
absl::StatusOr<std::optional<MetricsWindow>> RequestedWindow(const v1::GetMetricsRequest& request);

}  // namespace lobbyq::rpc
