#include "server/rpc/metrics_mapping.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/rpc/mapping.h"

namespace lobbyq::rpc {
namespace {

// Timestamp's own valid range: 0001-01-01 to 9999-12-31, nanos below a second.
absl::Status CheckTimestamp(const google::protobuf::Timestamp& t, absl::string_view field) {
  constexpr int64_t kMinSeconds = -62'135'596'800;
  constexpr int64_t kMaxSeconds = 253'402'300'799;
  if (t.seconds() < kMinSeconds || t.seconds() > kMaxSeconds || t.nanos() < 0 ||
      t.nanos() >= 1'000'000'000) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is not a valid timestamp (seconds ",
                                                   t.seconds(), ", nanos ", t.nanos(), ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<MetricsWindow>> RequestedWindow(const v1::GetMetricsRequest& request) {
  if (request.has_from() != request.has_to()) {
    return absl::InvalidArgumentError(
        "give both from and to, or neither for the business day so far");
  }
  if (!request.has_from()) return std::nullopt;
  if (absl::Status s = CheckTimestamp(request.from(), "from"); !s.ok()) return s;
  if (absl::Status s = CheckTimestamp(request.to(), "to"); !s.ok()) return s;
  const MetricsWindow window{FromProto(request.from()), FromProto(request.to())};
  if (window.to < window.from) {
    return absl::InvalidArgumentError(
        absl::StrCat("to (", absl::FormatTime(window.to), ") is before from (",
                     absl::FormatTime(window.from), "); the window runs from `from` to `to`"));
  }
  if (window.to - window.from > domain::kMaxMetricsWindow) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "the window is %.1f days; at most %d days can be asked at once, ask for parts",
        absl::ToDoubleHours(window.to - window.from) / 24,
        static_cast<int>(absl::ToInt64Hours(domain::kMaxMetricsWindow) / 24)));
  }
  return window;
}

void ToProto(const domain::DurationSummary& summary, v1::DurationStats* out) {
  out->set_count(summary.count);
  ToProto(summary.mean, out->mutable_mean());
  ToProto(summary.p50, out->mutable_p50());
  ToProto(summary.p90, out->mutable_p90());
  ToProto(summary.p95, out->mutable_p95());
  ToProto(summary.max, out->mutable_max());
}

void ToProto(const domain::SliceMetrics& metrics, v1::Metrics* out) {
  out->set_issued(metrics.issued);
  out->set_served(metrics.served);
  out->set_no_show(metrics.no_show);
  out->set_cancelled(metrics.cancelled);
  out->set_transferred(metrics.transferred);
  ToProto(metrics.wait, out->mutable_wait());
  ToProto(metrics.service_time, out->mutable_service_time());
  if (metrics.service_level) {
    out->set_service_level(*metrics.service_level);
    out->set_has_service_level(true);
  }
  out->set_rated(metrics.rated);
  out->set_mean_rating(metrics.mean_rating);
  out->set_satisfaction(metrics.satisfaction);
  out->set_rating_usage(metrics.rating_usage);
}

void ToProto(const std::string& branch_id, const domain::BranchMetrics& metrics,
             v1::MetricsResponse* out) {
  out->set_branch_id(branch_id);
  ToProto(metrics.from, out->mutable_from());
  ToProto(metrics.to, out->mutable_to());
  ToProto(metrics.total, out->mutable_total());
  for (const domain::ServiceSlice& service : metrics.services) {
    v1::ServiceMetrics* s = out->add_services();
    s->set_service_code(service.code);
    s->set_name_en(service.name_en);
    ToProto(service.metrics, s->mutable_metrics());
  }
  for (const domain::CounterSlice& counter : metrics.counters) {
    v1::CounterMetrics* c = out->add_counters();
    c->set_counter(counter.number);
    c->set_name(counter.name);
    ToProto(counter.metrics, c->mutable_metrics());
    ToProto(counter.busy, c->mutable_busy());
    ToProto(counter.idle, c->mutable_idle());
    ToProto(counter.paused, c->mutable_paused());
    c->set_utilization(counter.utilization);
  }
  for (const domain::HourSlice& hour : metrics.by_hour) {
    v1::HourMetrics* h = out->add_by_hour();
    h->set_hour(hour.hour);
    ToProto(hour.metrics, h->mutable_metrics());
    h->set_counters_open(hour.counters_open);
  }
}

void ToProto(const domain::HourStaffing& staffing, v1::StaffingAdvice* out) {
  for (const std::string& code : staffing.service_codes) out->add_service_codes(code);
  out->set_hour(staffing.hour);
  out->set_arrivals_per_hour(staffing.input.arrivals_per_hour);
  ToProto(staffing.input.mean_service, out->mutable_mean_service_time());
  out->set_offered_load(staffing.result.offered_load);
  ToProto(staffing.input.target_wait, out->mutable_target_wait());
  out->set_target_service_level(staffing.input.target_service_level);
  out->set_counters_needed(staffing.result.counters_needed);
  out->set_square_root_rule(staffing.result.square_root_rule);
  out->set_expected_service_level(staffing.result.expected_service_level);
  out->set_counters_open(staffing.counters_open);
  out->set_understaffed(staffing.understaffed);
}

}  // namespace lobbyq::rpc
