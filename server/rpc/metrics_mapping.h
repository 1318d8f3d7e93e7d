#pragma once

// Metrics and staffing advice (server/domain/metrics.h) as lobbyq.v1 messages.

#include <string>

#include "lobbyq/v1/insight.pb.h"
#include "server/domain/metrics.h"

namespace lobbyq::rpc {

void ToProto(const domain::DurationSummary& summary, v1::DurationStats* out);
void ToProto(const domain::SliceMetrics& metrics, v1::Metrics* out);
void ToProto(const std::string& branch_id, const domain::BranchMetrics& metrics,
             v1::MetricsResponse* out);
void ToProto(const domain::HourStaffing& staffing, v1::StaffingAdvice* out);

}  // namespace lobbyq::rpc
