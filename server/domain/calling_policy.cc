#include "server/domain/calling_policy.h"

#include <algorithm>
#include <limits>

namespace lobbyq::domain {
namespace {

const QueueIndex::Queue kEmptyQueue;

// The better of two candidates: earlier queued_at, then lower id.
bool Earlier(const QueueIndex::Key& a, const QueueIndex::Key& b) {
  return std::tie(a.queued_at, a.id) < std::tie(b.queued_at, b.id);
}

struct Candidate {
  const QueueIndex::Key* key = nullptr;
  const std::string* service = nullptr;

  void Offer(const QueueIndex::Key* k, const std::string& s) {
    if (k != nullptr && (key == nullptr || Earlier(*k, *key))) {
      key = k;
      service = &s;
    }
  }
  std::optional<CallDecision> Decide(CallReason reason, int rule = -1) const {
    if (key == nullptr) return std::nullopt;
    return CallDecision{.ticket_id = key->id,
                        .service_code = *service,
                        .key = *key,
                        .reason = reason,
                        .rule = rule};
  }
};

// The earliest-queued callable ticket of `rank` across the counter's profile.
Candidate EarliestOfClass(const QueueIndex& queues, const Counter& counter, int rank,
                          absl::Time now) {
  Candidate best;
  for (const auto& code : counter.service_codes) best.Offer(queues.Head(code, rank, now), code);
  return best;
}

// The highest class present across the profile, earliest queued within it.
Candidate HighestClassFirst(const QueueIndex& queues, const Counter& counter, absl::Time now) {
  for (int rank = 0; rank < kClassCount; ++rank) {
    Candidate c = EarliestOfClass(queues, counter, rank, now);
    if (c.key != nullptr) return c;
  }
  return {};
}

Candidate Overdue(const QueueIndex& queues, const Counter& counter, const MaxWaits& max_waits,
                  absl::Time now) {
  Candidate best;
  for (const auto& code : counter.service_codes) {
    auto limit = max_waits.find(code);
    if (limit == max_waits.end()) continue;
    for (int rank = 0; rank < kClassCount; ++rank) {
      const QueueIndex::Key* oldest = queues.Oldest(code, rank, now);
      if (oldest != nullptr && now - oldest->queued_at > limit->second) best.Offer(oldest, code);
    }
  }
  return best;
}

std::optional<CallDecision> Counted(const QueueIndex& queues, const Counter& counter,
                                    absl::Time now) {
  for (size_t i = 0; i < counter.counted_rules.size(); ++i) {
    const CountedRule& rule = counter.counted_rules[i];
    const int called = i < counter.counted_calls.size() ? counter.counted_calls[i] : 0;
    if (called >= rule.quota) continue;
    Candidate c = EarliestOfClass(queues, counter, ClassRank(rule.priority), now);
    if (c.key != nullptr) return c.Decide(CallReason::kCountedRule, static_cast<int>(i));
  }
  Candidate fallback = EarliestOfClass(queues, counter, ClassRank(counter.counted_fallback), now);
  if (fallback.key == nullptr) fallback = HighestClassFirst(queues, counter, now);
  return fallback.Decide(CallReason::kCountedFallback);
}

}  // namespace

int ClassRank(PriorityClass priority) {
  switch (priority) {
    case PriorityClass::kAppointment:
      return 0;
    case PriorityClass::kGreenChannel:
      return 1;
    case PriorityClass::kVip:
      return 2;
    case PriorityClass::kNormal:
      return 3;
  }
  return 3;
}

absl::string_view Name(CallReason reason) {
  switch (reason) {
    case CallReason::kOverdue:
      return "waited past max_wait";
    case CallReason::kGreenChannelCounter:
      return "green-channel counter";
    case CallReason::kStrategy:
      return "strategy";
    case CallReason::kCountedRule:
      return "counted rule";
    case CallReason::kCountedFallback:
      return "counted fallback";
  }
  return "unknown";
}

void QueueIndex::Insert(const std::string& service_code, const Key& key) {
  if (queues_[service_code].insert(key).second) ++size_;
}

void QueueIndex::Erase(const std::string& service_code, const Key& key) {
  auto it = queues_.find(service_code);
  if (it != queues_.end() && it->second.erase(key) > 0) --size_;
}

const QueueIndex::Key* QueueIndex::LaneHead(const std::string& service_code, int rank, int lane,
                                            absl::Time now) const {
  auto queue = queues_.find(service_code);
  if (queue == queues_.end()) return nullptr;
  auto it = queue->second.lower_bound(
      Key{.rank = rank, .lane = lane, .queued_at = absl::InfinitePast(), .id = 0});
  if (it == queue->second.end() || it->rank != rank || it->lane != lane || it->queued_at > now) {
    return nullptr;
  }
  return &*it;
}

const QueueIndex::Key* QueueIndex::Head(const std::string& service_code, int rank,
                                        absl::Time now) const {
  if (const Key* front = LaneHead(service_code, rank, kFrontLane, now)) return front;
  return LaneHead(service_code, rank, kNormalLane, now);
}

const QueueIndex::Key* QueueIndex::Oldest(const std::string& service_code, int rank,
                                          absl::Time now) const {
  const Key* front = LaneHead(service_code, rank, kFrontLane, now);
  const Key* normal = LaneHead(service_code, rank, kNormalLane, now);
  if (front == nullptr) return normal;
  if (normal == nullptr) return front;
  return Earlier(*front, *normal) ? front : normal;
}

const QueueIndex::Queue& QueueIndex::QueueOf(const std::string& service_code) const {
  auto it = queues_.find(service_code);
  return it == queues_.end() ? kEmptyQueue : it->second;
}

std::optional<CallDecision> ChooseNext(const QueueIndex& queues, const Counter& counter,
                                       const MaxWaits& max_waits, absl::Time now) {
  if (auto overdue = Overdue(queues, counter, max_waits, now).Decide(CallReason::kOverdue)) {
    return overdue;
  }
  if (counter.green_channel) {
    Candidate green =
        EarliestOfClass(queues, counter, ClassRank(PriorityClass::kGreenChannel), now);
    if (auto d = green.Decide(CallReason::kGreenChannelCounter)) return d;
  }
  switch (counter.strategy) {
    case CallStrategy::kInOrder:
      for (const auto& code : counter.service_codes) {
        for (int rank = 0; rank < kClassCount; ++rank) {
          if (const QueueIndex::Key* head = queues.Head(code, rank, now)) {
            return CallDecision{.ticket_id = head->id, .service_code = code, .key = *head};
          }
        }
      }
      return std::nullopt;
    case CallStrategy::kLongestWait:
      return HighestClassFirst(queues, counter, now).Decide(CallReason::kStrategy);
    case CallStrategy::kCounted:
      return Counted(queues, counter, now);
  }
  return std::nullopt;
}

void RecordCall(Counter& counter, const CallDecision& decision) {
  if (counter.strategy != CallStrategy::kCounted) return;
  counter.counted_calls.resize(counter.counted_rules.size(), 0);
  if (decision.reason == CallReason::kCountedRule && decision.rule >= 0 &&
      static_cast<size_t>(decision.rule) < counter.counted_calls.size()) {
    ++counter.counted_calls[decision.rule];
  } else if (decision.reason == CallReason::kCountedFallback) {
    std::fill(counter.counted_calls.begin(), counter.counted_calls.end(), 0);
  }
}

std::vector<PreviewEntry> PreviewOrder(QueueIndex queues, std::vector<Counter> counters,
                                       const MaxWaits& max_waits, absl::Time now) {
  std::sort(counters.begin(), counters.end(),
            [](const Counter& a, const Counter& b) { return a.number < b.number; });
  std::vector<PreviewEntry> order;
  const size_t total = queues.size();
  order.reserve(total);
  bool anyone_called = true;
  while (anyone_called && order.size() < total) {
    anyone_called = false;
    for (Counter& counter : counters) {
      auto decision = ChooseNext(queues, counter, max_waits, now);
      if (!decision) continue;
      queues.Erase(decision->service_code, decision->key);
      RecordCall(counter, *decision);
      order.push_back(PreviewEntry{
          .ticket_id = decision->ticket_id, .counter = counter.number, .reason = decision->reason});
      anyone_called = true;
    }
  }
  return order;
}

}  // namespace lobbyq::domain
