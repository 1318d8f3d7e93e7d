#include "server/rpc/insight_mapping.h"

#include "server/rpc/mapping.h"

namespace lobbyq::rpc {

void ToProto(const domain::LiveStaffing& live, v1::StaffingAdvice* out) {
  for (const auto& code : live.service_codes) out->add_service_codes(code);
  out->set_hour(-1);
  out->set_arrivals_per_hour(live.arrivals_per_hour);
  ToProto(live.mean_service, out->mutable_mean_service_time());
  out->set_offered_load(live.result.offered_load);
  ToProto(live.target_wait, out->mutable_target_wait());
  out->set_target_service_level(live.target_service_level);
  out->set_counters_needed(live.result.counters_needed);
  out->set_square_root_rule(live.result.square_root_rule);
  out->set_expected_service_level(live.result.expected_service_level);
  out->set_counters_open(live.counters_open);
  out->set_understaffed(live.understaffed);
}

v1::AlertKind ToProto(domain::AlertKind kind) {
  switch (kind) {
    case domain::AlertKind::kWaitOverTarget:
      return v1::ALERT_KIND_WAIT_OVER_TARGET;
    case domain::AlertKind::kIdleCounter:
      return v1::ALERT_KIND_IDLE_COUNTER;
    case domain::AlertKind::kLowRating:
      return v1::ALERT_KIND_LOW_RATING;
    case domain::AlertKind::kUnderstaffed:
      return v1::ALERT_KIND_UNDERSTAFFED;
  }
  return v1::ALERT_KIND_UNSPECIFIED;
}

v1::AlertSeverity ToProto(domain::AlertSeverity severity) {
  switch (severity) {
    case domain::AlertSeverity::kInfo:
      return v1::ALERT_SEVERITY_INFO;
    case domain::AlertSeverity::kWarning:
      return v1::ALERT_SEVERITY_WARNING;
    case domain::AlertSeverity::kCritical:
      return v1::ALERT_SEVERITY_CRITICAL;
  }
  return v1::ALERT_SEVERITY_UNSPECIFIED;
}

void ToProto(const domain::Alert& alert, v1::Alert* out) {
  out->set_id(alert.id);
  out->set_kind(ToProto(alert.kind));
  out->set_severity(ToProto(alert.severity));
  out->set_reason(alert.reason);
  ToProto(alert.since, out->mutable_since());
  out->set_service_code(alert.service_code);
  out->set_counter(alert.counter);
  out->set_ticket_id(alert.ticket_id);
}

void ToProto(const std::vector<domain::Alert>& alerts, v1::AlertList* out) {
  for (const auto& alert : alerts) ToProto(alert, out->add_alerts());
}

void AddInsight(const domain::Branch& branch, absl::Time now,
                const std::vector<domain::Alert>& alerts, v1::LobbyStatus* out) {
  for (const auto& live : domain::LiveStaffingAdvice(branch, now)) {
    ToProto(live, out->add_staffing());
  }
  for (const auto& alert : alerts) ToProto(alert, out->add_alerts());
}

}  // namespace lobbyq::rpc
