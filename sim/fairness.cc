#include "sim/fairness.h"

#include <algorithm>
#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "server/domain/branch.h"
#include "server/domain/validation.h"

namespace lobbyq::sim {
namespace {

using domain::Branch;
using domain::CommandContext;
using domain::Plan;
using domain::PriorityClass;

WaitStats Summarize(std::vector<absl::Duration> waits, absl::Duration max_wait) {
  WaitStats stats;
  stats.count = static_cast<int64_t>(waits.size());
  if (waits.empty()) return stats;
  std::sort(waits.begin(), waits.end());
  absl::Duration total;
  for (absl::Duration w : waits) {
    total += w;
    if (w > max_wait) ++stats.over_max_wait;
  }
  const auto at = [&](double q) {
    const size_t i = static_cast<size_t>(q * static_cast<double>(waits.size() - 1) + 0.5);
    return waits[std::min(i, waits.size() - 1)];
  };
  stats.mean = total / static_cast<int64_t>(waits.size());
  stats.p50 = at(0.50);
  stats.p95 = at(0.95);
  stats.max = waits.back();
  return stats;
}

// One simulated day on a fresh branch.
class Day {
 public:
  Day(const FairnessOptions& options, absl::TimeZone zone, std::mt19937_64& rng)
      : options_(options), zone_(zone), rng_(rng) {}

  absl::Status Run(std::vector<absl::Duration>& normal, std::vector<absl::Duration>& green,
                   int64_t& unserved) {
    if (auto s = Create(); !s.ok()) return s;
    const double per_minute =
        options_.load * options_.counters / absl::ToDoubleMinutes(options_.mean_service);
    std::exponential_distribution<double> gap(per_minute);
    std::exponential_distribution<double> service(1.0 /
                                                  absl::ToDoubleMinutes(options_.mean_service));
    std::bernoulli_distribution is_green(options_.green_share);
    std::bernoulli_distribution is_a(0.6);

    const absl::Time close = start_ + options_.day_length;
    absl::Time next_arrival = start_ + Minutes(gap(rng_));
    std::map<uint32_t, absl::Time> busy_until;  // counters now serving someone
    int issued = 0;
    while (true) {
      absl::Time next = absl::InfiniteFuture();
      if (next_arrival < close) next = next_arrival;
      for (const auto& [counter, until] : busy_until) next = std::min(next, until);
      if (next == absl::InfiniteFuture()) break;
      now_ = next;
      if (now_ == next_arrival && next_arrival < close) {
        const auto priority =
            is_green(rng_) ? PriorityClass::kGreenChannel : PriorityClass::kNormal;
        auto plan = branch_->PlanIssue(is_a(rng_) ? "A" : "B", priority,
                                       absl::StrCat("r", ++issued), {}, Ctx());
        if (!plan.ok()) return plan.status();
        branch_->Apply(plan->change);
        next_arrival = now_ + Minutes(gap(rng_));
      }
      for (auto it = busy_until.begin(); it != busy_until.end();) {
        if (it->second > now_) {
          ++it;
          continue;
        }
        if (auto s = Do(branch_->PlanFinish(it->first, Ctx())); !s.ok()) return s;
        it = busy_until.erase(it);
      }
      for (const auto& [number, counter] : branch_->counters()) {
        if (busy_until.contains(number)) continue;
        auto call = branch_->PlanCallNext(number, Ctx());
        if (!call.ok()) return call.status();
        if (call->ticket_id == 0) continue;
        const uint64_t id = call->ticket_id;
        branch_->Apply(call->change);
        if (auto s = Do(branch_->PlanStartService(number, Ctx())); !s.ok()) return s;
        const domain::Ticket* t = branch_->FindTicket(id);
        const absl::Duration wait = *t->first_called_at - t->issued_at;
        (t->priority == PriorityClass::kGreenChannel ? green : normal).push_back(wait);
        busy_until[number] = now_ + std::max(absl::Seconds(1), Minutes(service(rng_)));
      }
    }
    for (const auto& view : branch_->ServiceViews(now_)) unserved += view.waiting_count;
    return absl::OkStatus();
  }

 private:
  static absl::Duration Minutes(double m) {
    return absl::Microseconds(static_cast<int64_t>(m * 60e6));
  }
  CommandContext Ctx() const { return CommandContext{.now = now_, .actor = "sim"}; }
  absl::Status Do(absl::StatusOr<Plan> plan) {
    if (!plan.ok()) return plan.status();
    branch_->Apply(plan->change);
    return absl::OkStatus();
  }

  absl::Status Create() {
    domain::BranchDefinition def;
    def.info = domain::BranchInfo{.id = "sim", .name = "Simulated branch", .timezone = "UTC"};
    for (const char* code : {"A", "B"}) {
      def.services.push_back(domain::ServiceConfig{.code = code,
                                                   .name_zh = code,
                                                   .name_en = code,
                                                   .target_wait = options_.target_wait,
                                                   .expected_service_time = options_.mean_service,
                                                   .max_wait = options_.max_wait});
    }
    auto rules = domain::ParseCountedRules(options_.counted_rules);
    if (!rules.ok()) return rules.status();
    for (int i = 1; i <= options_.counters; ++i) {
      domain::Counter counter{.number = static_cast<uint32_t>(i),
                              .name = absl::StrCat("Counter ", i),
                              .service_codes = i % 2 == 1 ? std::vector<std::string>{"A", "B"}
                                                          : std::vector<std::string>{"B", "A"},
                              .strategy = options_.strategy,
                              .green_channel = options_.green_counter && i == 1};
      if (options_.strategy == domain::CallStrategy::kCounted) {
        counter.counted_rules = rules->rules;
        counter.counted_fallback = rules->fallback;
      }
      def.counters.push_back(counter);
    }
    now_ = start_;
    auto created = Branch::PlanCreate(def, Ctx());
    if (!created.ok()) return created.status();
    branch_ = std::make_unique<Branch>(domain::BranchSnapshot{.info = def.info}, zone_);
    branch_->Apply(*created);
    for (int i = 1; i <= options_.counters; ++i) {
      if (auto s = Do(branch_->PlanOpenCounter(i, Ctx())); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  const FairnessOptions& options_;
  absl::TimeZone zone_;
  std::mt19937_64& rng_;
  const absl::Time start_ = absl::FromUnixSeconds(1767258000);  // 2026-01-01 09:00 UTC
  absl::Time now_;
  std::unique_ptr<Branch> branch_;
};

}  // namespace

absl::StatusOr<FairnessResult> RunFairness(const FairnessOptions& options) {
  if (options.counters < 1 || options.days < 1 || options.load <= 0 || options.green_share < 0 ||
      options.green_share > 1) {
    return absl::InvalidArgumentError(
        "counters and days must be at least 1, load above 0, green share between 0 and 1");
  }
  std::mt19937_64 rng(options.seed);
  std::vector<absl::Duration> normal, green;
  FairnessResult result;
  for (int d = 0; d < options.days; ++d) {
    Day day(options, absl::UTCTimeZone(), rng);
    if (auto s = day.Run(normal, green, result.unserved); !s.ok()) return s;
  }
  const absl::Duration max_wait =
      options.max_wait > absl::ZeroDuration() ? options.max_wait : 2 * options.target_wait;
  std::vector<absl::Duration> all = normal;
  all.insert(all.end(), green.begin(), green.end());
  result.normal = Summarize(std::move(normal), max_wait);
  result.green = Summarize(std::move(green), max_wait);
  result.all = Summarize(std::move(all), max_wait);
  return result;
}

}  // namespace lobbyq::sim
