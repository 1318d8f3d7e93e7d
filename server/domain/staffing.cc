#include "server/domain/staffing.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "server/domain/branch.h"

namespace lobbyq::domain {
namespace {

// Erlang C from Erlang B at N servers: C = N B / (N - A (1 - B)).
double ErlangCFromB(int servers, double offered_load, double erlang_b) {
  const double n = servers;
  return n * erlang_b / (n - offered_load * (1.0 - erlang_b));
}

double ServiceLevelFromC(int servers, double offered_load, double erlang_c,
                         absl::Duration mean_service, absl::Duration target_wait) {
  const double s = absl::ToDoubleSeconds(mean_service);
  const double t = std::max(0.0, absl::ToDoubleSeconds(target_wait));
  return 1.0 - erlang_c * std::exp(-(servers - offered_load) * t / s);
}

// Halfin-Whitt: with N = A + beta sqrt(A) and A large, the delay probability
// tends to 1 / (1 + beta Phi(beta) / phi(beta)).
double HalfinWhittDelay(double beta) {
  constexpr double kInvSqrt2 = 0.70710678118654752440;
  constexpr double kInvSqrt2Pi = 0.39894228040143267794;
  const double cdf = 0.5 * std::erfc(-beta * kInvSqrt2);
  const double pdf = kInvSqrt2Pi * std::exp(-0.5 * beta * beta);
  return 1.0 / (1.0 + beta * cdf / pdf);
}

// Past this, no real target is meant; it also bounds the search below.
constexpr double kMaxServiceLevel = 0.999999;

}  // namespace

double ErlangC(int servers, double offered_load) {
  if (offered_load <= 0) return 0.0;
  if (servers <= offered_load) return 1.0;
  double b = 1.0;
  for (int n = 1; n <= servers; ++n) b = offered_load * b / (n + offered_load * b);
  return ErlangCFromB(servers, offered_load, b);
}

double ServiceLevel(int servers, double offered_load, absl::Duration mean_service,
                    absl::Duration target_wait) {
  if (offered_load <= 0) return 1.0;
  if (servers <= offered_load) return 0.0;
  if (mean_service <= absl::ZeroDuration()) return 1.0;
  return ServiceLevelFromC(servers, offered_load, ErlangC(servers, offered_load), mean_service,
                           target_wait);
}

// The square-root rule is only a cross-check of the exact search, so beta is
// chosen the textbook way: the Halfin-Whitt delay probability equals the share
// allowed to miss the target, 1 - target (beta is about 1.06 for 0.8). It
// ignores the target wait, so it errs towards more counters than Erlang C
// when the target wait is long compared with the service time.
double SquareRootBeta(double target_service_level) {
  const double miss = 1.0 - std::clamp(target_service_level, 0.0, kMaxServiceLevel);
  if (miss >= 1.0) return 0.0;
  // HalfinWhittDelay falls from 1 at beta 0 towards 0; bisect.
  double lo = 0.0;
  double hi = 10.0;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (HalfinWhittDelay(mid) > miss ? lo : hi) = mid;
  }
  return hi;
}

StaffingResult AdviseCounters(const StaffingInput& input) {
  StaffingResult result;
  const double service_seconds = absl::ToDoubleSeconds(input.mean_service);
  if (input.arrivals_per_hour <= 0 || service_seconds <= 0) {
    result.expected_service_level = 1.0;  // nobody arrives, so nobody waits
    return result;
  }
  const double a = input.arrivals_per_hour / 3600.0 * service_seconds;
  result.offered_load = a;
  const double target = std::clamp(input.target_service_level, 0.0, kMaxServiceLevel);

  // Erlang B up to the first stable N, then one step per N: linear in the
  // answer, and no factorial or power to overflow.
  int n = static_cast<int>(std::floor(a)) + 1;
  double b = 1.0;
  for (int k = 1; k <= n; ++k) b = a * b / (k + a * b);
  const int limit = n + 100 + static_cast<int>(20 * std::sqrt(a));
  double level =
      ServiceLevelFromC(n, a, ErlangCFromB(n, a, b), input.mean_service, input.target_wait);
  while (level < target && n < limit) {
    ++n;
    b = a * b / (n + a * b);
    level = ServiceLevelFromC(n, a, ErlangCFromB(n, a, b), input.mean_service, input.target_wait);
  }
  result.counters_needed = n;
  result.expected_service_level = level;
  result.square_root_rule =
      static_cast<int>(std::ceil(a + SquareRootBeta(target) * std::sqrt(a) - 1e-9));
  return result;
}

std::vector<std::vector<std::string>> ServiceGroups(const std::vector<ServiceConfig>& services,
                                                    const std::map<uint32_t, Counter>& counters) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < services.size(); ++i) index.emplace(services[i].code, i);
  std::vector<size_t> parent(services.size());
  std::iota(parent.begin(), parent.end(), size_t{0});
  auto find = [&](size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const auto& [number, counter] : counters) {
    std::optional<size_t> first;
    for (const auto& code : counter.service_codes) {
      auto it = index.find(code);
      if (it == index.end()) continue;
      if (!first) {
        first = find(it->second);
        continue;
      }
      const size_t root = find(it->second);
      // The lower index stays the root, so groups come out in service order.
      if (root < *first) {
        parent[*first] = root;
        first = root;
      } else {
        parent[root] = *first;
      }
    }
  }
  std::vector<std::vector<std::string>> groups;
  std::map<size_t, size_t> group_of_root;
  for (size_t i = 0; i < services.size(); ++i) {
    const size_t root = find(i);
    auto [it, added] = group_of_root.emplace(root, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(services[i].code);
  }
  for (auto& group : groups) std::sort(group.begin(), group.end());
  return groups;
}

// The live window: the last hour, or the day so far when the first ticket of
// the day is more recent. Shorter than kMinLiveWindow, a handful of early
// customers would read as a rush (3 in 2 minutes is 90 an hour), so the
// window never shrinks below it.
//
// Service times: each service's configured expected_service_time counts as
// kServicePriorWeight observations of the group's mean (the services weighted
// by their arrivals), blended with the tickets finished in the last hour. With
// few finishes the configuration dominates; after a busy hour the
// observations do, and an odd long case cannot swing the advice on its own.
std::vector<LiveStaffing> LiveStaffingAdvice(const Branch& branch, absl::Time now) {
  const absl::CivilDay today = branch.BusinessDay(now);
  std::optional<absl::Time> first_today;
  for (const auto& [id, t] : branch.tickets()) {
    if (t.business_day == today && t.issued_at <= now &&
        (!first_today || t.issued_at < *first_today)) {
      first_today = t.issued_at;
    }
  }
  const absl::Time window_start =
      first_today ? std::max(now - kLiveWindow, *first_today) : now - kLiveWindow;
  const absl::Duration window = std::max(now - window_start, kMinLiveWindow);

  std::map<std::string, int> arrivals;                           // by origin service
  std::map<std::string, std::pair<int, absl::Duration>> served;  // by the queue it was served in
  for (const auto& [id, t] : branch.tickets()) {
    // The first ticket of the day opens the window, so it counts.
    if (t.issued_at > now - kLiveWindow && t.issued_at >= window_start && t.issued_at <= now) {
      ++arrivals[t.origin_service_code];
    }
    if (t.state == TicketState::kDone && t.finished_at && t.called_at &&
        *t.finished_at > now - kLiveWindow && *t.finished_at <= now &&
        *t.finished_at >= *t.called_at) {
      auto& [count, total] = served[t.service_code];
      ++count;
      total += *t.finished_at - *t.called_at;
    }
  }

  std::vector<LiveStaffing> out;
  for (auto& codes : ServiceGroups(branch.services(), branch.counters())) {
    LiveStaffing live;
    int group_arrivals = 0;
    int observed = 0;
    absl::Duration observed_total;
    absl::Duration prior_weighted;
    absl::Duration prior_plain;
    std::optional<absl::Duration> strictest;
    for (const auto& code : codes) {
      const ServiceConfig* service = branch.FindService(code);
      if (service == nullptr) continue;
      const int n = arrivals.contains(code) ? arrivals.at(code) : 0;
      group_arrivals += n;
      prior_weighted += service->expected_service_time * n;
      prior_plain += service->expected_service_time;
      if (auto it = served.find(code); it != served.end()) {
        observed += it->second.first;
        observed_total += it->second.second;
      }
      if (!strictest || service->target_wait < *strictest) strictest = service->target_wait;
    }
    const absl::Duration prior = group_arrivals > 0
                                     ? prior_weighted / group_arrivals
                                     : prior_plain / std::max<size_t>(codes.size(), 1);
    live.arrivals_per_hour = group_arrivals / absl::ToDoubleHours(window);
    live.mean_service =
        (prior * kServicePriorWeight + observed_total) / (kServicePriorWeight + observed);
    live.target_wait = strictest.value_or(absl::ZeroDuration());
    live.target_service_level = kTargetServiceLevel;
    live.result = AdviseCounters(StaffingInput{.arrivals_per_hour = live.arrivals_per_hour,
                                               .mean_service = live.mean_service,
                                               .target_wait = live.target_wait,
                                               .target_service_level = live.target_service_level});
    for (const auto& [number, counter] : branch.counters()) {
      if (counter.state != CounterState::kOpen) continue;
      const bool touches = std::any_of(
          counter.service_codes.begin(), counter.service_codes.end(),
          [&](const std::string& c) { return std::binary_search(codes.begin(), codes.end(), c); });
      if (touches) ++live.counters_open;
    }
    live.understaffed = live.counters_open < live.result.counters_needed;
    live.service_codes = std::move(codes);
    out.push_back(std::move(live));
  }
  return out;
}

}  // namespace lobbyq::domain
