#pragma once

// Who is called next. The rules, in the order they are applied for a counter:
//
//  1. Overdue first: among the tickets the counter may serve, any ticket that
//     has waited longer than its service's max_wait is called before every
//     priority class, the one queued earliest first. This is what bounds
//     every wait, whatever the classes and the load.
//  2. A green-channel counter (爱心窗口) then takes the green-channel ticket
//     queued earliest among its services.
//  3. Then the counter's strategy:
//     - in_order: the first service in the profile with a callable ticket;
//       within it the highest class, then the earliest queued.
//     - longest_wait: the highest class present anywhere in the profile, then
//       the earliest queued of that class across the profile.
//     - counted: the first rule "call class X while fewer than k called since
//       the reset" that can call someone; if none can, the fallback class (or,
//       when it has nobody, the highest class present) and the counts reset.
//
// Classes rank APPOINTMENT > GREEN_CHANNEL > VIP > NORMAL. A ticket is
// callable once its queued_at has come (an appointment checked in early is
// held until slot - lead). Ties break by queued_at, then ticket id; queued_at
// is the issue time unless a transfer or reinstatement to the end restarted
// it. A ticket transferred to the front of a queue goes before the others of
// its class there, but its wait still counts from its queued_at, so it never
// passes an overdue ticket that was queued before it.
// Only a counter's own services are ever considered: a class never reaches
// beyond the profile. Overdue and green-channel calls leave the counted
// rotation's counts alone; they are outside it.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "server/domain/types.h"

namespace lobbyq::domain {

inline constexpr int kClassCount = 4;
// 0 is called first.
int ClassRank(PriorityClass priority);

// The WAITING tickets of a branch, per service in calling order within the
// service: class rank, then queued_at, then id.
class QueueIndex {
 public:
  // Within a class: tickets placed at the front first, then everyone else.
  static constexpr int kFrontLane = 0;
  static constexpr int kNormalLane = 1;
  struct Key {
    int rank = 0;
    int lane = kNormalLane;
    absl::Time queued_at;
    uint64_t id = 0;
    friend bool operator==(const Key&, const Key&) = default;
    friend bool operator<(const Key& a, const Key& b) {
      return std::tie(a.rank, a.lane, a.queued_at, a.id) <
             std::tie(b.rank, b.lane, b.queued_at, b.id);
    }
  };
  using Queue = std::set<Key>;

  void Insert(const std::string& service_code, const Key& key);
  void Erase(const std::string& service_code, const Key& key);

  // The first ticket of `rank` in a service's calling order that is callable
  // at `now`, if any.
  const Key* Head(const std::string& service_code, int rank, absl::Time now) const;
  // The callable ticket of `rank` in a service queued earliest (waiting
  // longest), if any; differs from Head() when a ticket was placed at the front.
  const Key* Oldest(const std::string& service_code, int rank, absl::Time now) const;
  // The service's whole queue (callable or not); empty if unknown.
  const Queue& QueueOf(const std::string& service_code) const;
  size_t size() const { return size_; }

 private:
  const Key* LaneHead(const std::string& service_code, int rank, int lane, absl::Time now) const;
  std::map<std::string, Queue> queues_;
  size_t size_ = 0;
};

// Why a ticket was chosen; written into the call event so a manager can see it.
enum class CallReason {
  kOverdue = 1,
  kGreenChannelCounter,
  kStrategy,
  kCountedRule,
  kCountedFallback
};
absl::string_view Name(CallReason reason);

struct CallDecision {
  uint64_t ticket_id = 0;
  std::string service_code;
  QueueIndex::Key key;  // the ticket's place in its service's queue
  CallReason reason = CallReason::kStrategy;
  int rule = -1;  // for kCountedRule: the index into the counter's rules
};

// max_wait of each service, by code.
using MaxWaits = absl::flat_hash_map<std::string, absl::Duration>;

// The ticket `counter` would call at `now`, or none if it may call nobody.
std::optional<CallDecision> ChooseNext(const QueueIndex& queues, const Counter& counter,
                                       const MaxWaits& max_waits, absl::Time now);

// `counter` after making `decision`: the counted rotation's counts move on.
void RecordCall(Counter& counter, const CallDecision& decision);

struct PreviewEntry {
  uint64_t ticket_id = 0;
  uint32_t counter = 0;
  CallReason reason = CallReason::kStrategy;
};

// The order in which the waiting tickets would be called if the given
// counters kept calling at `now`, taking turns by counter number. Tickets no
// counter can reach, or not callable yet, are not in it.
std::vector<PreviewEntry> PreviewOrder(QueueIndex queues, std::vector<Counter> counters,
                                       const MaxWaits& max_waits, absl::Time now);

}  // namespace lobbyq::domain
