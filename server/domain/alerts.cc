#include "server/domain/alerts.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/branch.h"
#include "server/domain/staffing.h"

namespace lobbyq::domain {
namespace {

std::string Minutes(absl::Duration d) {
  return absl::StrCat(absl::ToInt64Minutes(std::max(d, absl::ZeroDuration())), " min");
}

std::string ServiceLabel(const ServiceConfig& service) {
  return absl::StrCat("service ", service.code, " (", service.name_en, ")");
}

std::string CounterLabel(const Counter& counter) {
  return absl::StrCat("counter ", counter.number, " (", counter.name, ")");
}

// Keeps the earliest candidate strictly after `now`.
class Earliest {
 public:
  explicit Earliest(absl::Time now) : now_(now) {}
  void Offer(absl::Time t) {
    if (t > now_ && (!best_ || t < *best_)) best_ = t;
  }
  std::optional<absl::Time> best() const { return best_; }

 private:
  absl::Time now_;
  std::optional<absl::Time> best_;
};

// The waiting ticket of `codes` queued first, callable now or not (an early
// appointment is queued in the future), and the first one callable now.
struct Head {
  const Ticket* first = nullptr;
  const Ticket* first_callable = nullptr;
};

Head HeadOf(const Branch& branch, const std::vector<std::string>& codes, absl::Time now) {
  Head head;
  for (const auto& code : codes) {
    for (const Ticket* t : branch.Waiting(code)) {
      if (t == nullptr) continue;
      auto earlier = [&](const Ticket* other) {
        return other == nullptr ||
               std::tie(t->queued_at, t->id) < std::tie(other->queued_at, other->id);
      };
      if (earlier(head.first)) head.first = t;
      if (t->queued_at <= now && earlier(head.first_callable)) head.first_callable = t;
    }
  }
  return head;
}

// When each counter last let go of a ticket (finished, no-show, transfer),
// as far as the ticket rows tell: a transfer keeps no time of its own, so its
// call or new queue time stands in for it.
std::map<uint32_t, absl::Time> LastTicketEnd(const Branch& branch) {
  std::map<uint32_t, absl::Time> last;
  for (const auto& [id, t] : branch.tickets()) {
    if (t.counter == 0) continue;
    absl::Time end = absl::InfinitePast();
    for (const auto& at :
         {t.first_called_at, t.called_at, t.started_at, t.finished_at, t.no_show_at}) {
      if (at) end = std::max(end, *at);
    }
    if (t.state == TicketState::kWaiting && t.first_called_at) end = std::max(end, t.queued_at);
    auto [it, added] = last.emplace(t.counter, end);
    if (!added) it->second = std::max(it->second, end);
  }
  return last;
}

// An open counter with nothing at it: since when it has been free and what it
// could call. nullopt when the counter is busy or not open.
struct Idle {
  absl::Time idle_since;
  Head head;
};

std::optional<Idle> IdleState(const Branch& branch, const Counter& counter,
                              const std::map<uint32_t, absl::Time>& last_end, absl::Time now) {
  if (counter.state != CounterState::kOpen || counter.current_ticket_id != 0) return std::nullopt;
  absl::Time since = counter.state_since;
  if (auto it = last_end.find(counter.number); it != last_end.end()) {
    since = std::max(since, it->second);
  }
  return Idle{std::min(since, now), HeadOf(branch, counter.service_codes, now)};
}

bool LowRating(const Ticket& t) { return t.rated_at && t.rating >= 1 && t.rating <= 2; }

// Whether a group is at work: understaffing matters only then, so a closed
// lobby at night is no alert.
bool Working(const Branch& branch, const LiveStaffing& live) {
  if (live.counters_open > 0) return true;
  return std::any_of(live.service_codes.begin(), live.service_codes.end(),
                     [&](const std::string& code) { return !branch.Waiting(code).empty(); });
}

}  // namespace

std::vector<Alert> ActiveAlerts(const Branch& branch, absl::Time now) {
  std::vector<Alert> alerts;

  for (const auto& service : branch.services()) {
    const Ticket* head = HeadOf(branch, {service.code}, now).first_callable;
    if (head == nullptr) continue;
    const absl::Duration wait = now - head->queued_at;
    if (wait < service.target_wait) continue;
    const bool critical = wait >= service.EffectiveMaxWait();
    alerts.push_back(
        Alert{.id = absl::StrCat("wait_over_target:", service.code),
              .kind = AlertKind::kWaitOverTarget,
              .severity = critical ? AlertSeverity::kCritical : AlertSeverity::kWarning,
              .reason = absl::StrCat(ServiceLabel(service), ": ", head->DisplayNumber(),
                                     " has waited ", Minutes(wait), ", past the ",
                                     critical ? Minutes(service.EffectiveMaxWait()) + " maximum"
                                              : Minutes(service.target_wait) + " target",
                                     "; open another counter for ", service.code,
                                     " or send its customers to a free one"),
              .since = head->queued_at + service.target_wait,
              .service_code = service.code});
  }

  const auto last_end = LastTicketEnd(branch);
  for (const auto& [number, counter] : branch.counters()) {
    const std::optional<Idle> idle = IdleState(branch, counter, last_end, now);
    if (!idle || idle->head.first_callable == nullptr) continue;
    const Ticket& waiting = *idle->head.first_callable;
    const absl::Time since = std::max(idle->idle_since, waiting.queued_at);
    if (now - since < kIdleCounterGrace) continue;
    alerts.push_back(
        Alert{.id = absl::StrCat("idle_counter:", number),
              .kind = AlertKind::kIdleCounter,
              .severity = AlertSeverity::kWarning,
              .reason = absl::StrCat(CounterLabel(counter), " has been free for ",
                                     Minutes(now - since), " while ", waiting.DisplayNumber(),
                                     " waits; ask the teller to call the next customer"),
              .since = since,
              .service_code = waiting.service_code,
              .counter = number});
  }

  std::vector<const Ticket*> rated;
  for (const auto& [id, t] : branch.tickets()) {
    if (LowRating(t) && *t.rated_at <= now && now - *t.rated_at < kLowRatingAlertFor) {
      rated.push_back(&t);
    }
  }
  std::sort(rated.begin(), rated.end(), [](const Ticket* a, const Ticket* b) {
    return std::tie(*a->rated_at, a->id) < std::tie(*b->rated_at, b->id);
  });
  for (const Ticket* t : rated) {
    const Counter* counter = branch.FindCounter(t->counter);
    alerts.push_back(Alert{
        .id = absl::StrCat("low_rating:", t->id),
        .kind = AlertKind::kLowRating,
        .severity = AlertSeverity::kWarning,
        .reason = absl::StrCat(
            t->DisplayNumber(), " rated ", t->rating, " of 5 at ",
            counter != nullptr ? CounterLabel(*counter) : absl::StrCat("counter ", t->counter),
            t->rating_comment.empty() ? "" : absl::StrCat(": \"", t->rating_comment, "\""),
            "; speak with the customer before they leave"),
        .since = *t->rated_at,
        .service_code = t->service_code,
        .counter = t->counter,
        .ticket_id = t->id});
  }

  for (const LiveStaffing& live : LiveStaffingAdvice(branch, now)) {
    if (!live.understaffed || !Working(branch, live)) continue;
    // The advice moves with every arrival; the last change of the group's
    // counters is the nearest moment the shortfall can be dated to.
    std::optional<absl::Time> since;
    for (const auto& [number, counter] : branch.counters()) {
      for (const auto& code : counter.service_codes) {
        if (std::find(live.service_codes.begin(), live.service_codes.end(), code) ==
            live.service_codes.end()) {
          continue;
        }
        if (!since || counter.state_since > *since) since = counter.state_since;
        break;
      }
    }
    const int missing = live.result.counters_needed - live.counters_open;
    const std::string codes = absl::StrJoin(live.service_codes, ",");
    alerts.push_back(Alert{
        .id = absl::StrCat("understaffed:", codes),
        .kind = AlertKind::kUnderstaffed,
        .severity = live.counters_open == 0 ? AlertSeverity::kCritical : AlertSeverity::kWarning,
        .reason =
            absl::StrCat("services ", codes, ": ", live.counters_open, " counter",
                         live.counters_open == 1 ? "" : "s", " open, ", live.result.counters_needed,
                         " needed for ", static_cast<int>(live.target_service_level * 100 + 0.5),
                         "% called within ", Minutes(live.target_wait), " (",
                         static_cast<int>(live.arrivals_per_hour + 0.5), " arrivals an hour, ",
                         Minutes(live.mean_service), " per customer); open ", missing, " more"),
        .since = std::min(since.value_or(now), now),
        .service_code = live.service_codes.empty() ? "" : live.service_codes.front()});
  }
  return alerts;
}

std::optional<absl::Time> NextAlertChange(const Branch& branch, absl::Time now) {
  Earliest next(now);

  for (const auto& service : branch.services()) {
    // Only the first-queued ticket can decide the service's longest wait.
    if (const Ticket* head = HeadOf(branch, {service.code}, now).first) {
      next.Offer(head->queued_at + service.target_wait);
      next.Offer(head->queued_at + service.EffectiveMaxWait());
    }
  }

  const auto last_end = LastTicketEnd(branch);
  for (const auto& [number, counter] : branch.counters()) {
    const std::optional<Idle> idle = IdleState(branch, counter, last_end, now);
    if (!idle || idle->head.first == nullptr) continue;
    next.Offer(std::max(idle->idle_since, idle->head.first->queued_at) + kIdleCounterGrace);
  }

  for (const auto& [id, t] : branch.tickets()) {
    if (LowRating(t)) next.Offer(*t.rated_at + kLowRatingAlertFor);
    // Leaving the staffing window changes the advice.
    next.Offer(t.issued_at + kLiveWindow);
    if (t.finished_at) next.Offer(*t.finished_at + kLiveWindow);
  }
  return next.best();
}

}  // namespace lobbyq::domain
