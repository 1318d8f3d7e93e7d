#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/domain/types.h"

namespace lobbyq::domain {

// How long IssueTicket remembers a request_id. A kiosk retries within seconds;
// two days covers any retry while bounding what a restart must load. The
// runtime restores at least this much history, so the answer is the same before
// and after a restart. (A running branch keeps older tickets in memory until
// the next restart; pruning them belongs with the day-rollover timer.)
inline constexpr absl::Duration kRequestIdRetention = absl::Hours(48);

// Who does a command, and when. `now` comes from the injected clock.
struct CommandContext {
  absl::Time now;
  std::string actor;  // e.g. "kiosk:k1", "counter:3", "admin"
};

// What a command decided: the rows to commit, and the ticket it acted on
// (0 when none, e.g. CallNext with nobody waiting).
struct Plan {
  Change change;
  uint64_t ticket_id = 0;
};

// Live view of one service's queue.
struct ServiceView {
  const ServiceConfig* config = nullptr;
  int waiting_count = 0;
  absl::Duration longest_wait = absl::ZeroDuration();
  // For a ticket taken now; none while no counter serving the service is open.
  std::optional<absl::Duration> estimated_wait;
  int open_counters = 0;
};

// Everything there is to know about one branch's queues at one instant.
//
// Commands never mutate: each Plan* method checks the request against the current
// state and returns the Change it would make (FailedPrecondition for an illegal
// transition, NotFound for unknown things, InvalidArgument for malformed input).
// The caller commits the Change and then Apply()s it. Not thread-safe: the runtime
// touches each branch from one strand at a time.
class Branch {
 public:
  // Rebuilds a branch from stored rows. `zone` is the branch's time zone, loaded by
  // the caller (loading reads files, which the domain does not do).
  Branch(BranchSnapshot snapshot, absl::TimeZone zone);

  // The Change that creates a new branch with its services and counters (all
  // counters start closed). InvalidArgument names the first bad field.
  static absl::StatusOr<Change> PlanCreate(const BranchDefinition& def, const CommandContext& ctx);

  // Applies committed rows. Rows replace what is held under the same key.
  void Apply(const Change& change);

  // --- Kiosk ---
  // A ticket for `service_code`; a request_id seen within kRequestIdRetention
  // returns its ticket unchanged.
  // AlreadyExists if the request_id was used for another service or priority;
  // ResourceExhausted if all 999 numbers of the service are live.
  absl::StatusOr<Plan> PlanIssue(const std::string& service_code, PriorityClass priority,
                                 const std::string& request_id, const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanCancel(uint64_t ticket_id, const CommandContext& ctx) const;

  // --- Counter ---
  absl::StatusOr<Plan> PlanOpenCounter(uint32_t counter, const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanPauseCounter(uint32_t counter, const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanCloseCounter(uint32_t counter, const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanCallNext(uint32_t counter, const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanRecall(uint32_t counter, const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanStartService(uint32_t counter, const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanTransfer(uint32_t counter, const std::string& to_service_code,
                                    const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanNoShow(uint32_t counter, const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanFinish(uint32_t counter, const CommandContext& ctx) const;
  // ticket_id 0 rates the ticket last finished at `counter`.
  absl::StatusOr<Plan> PlanRating(uint32_t counter, uint64_t ticket_id, int score,
                                  const std::string& comment, const CommandContext& ctx) const;

  // --- Configuration ---
  absl::StatusOr<Plan> PlanUpsertService(const ServiceConfig& service,
                                         const CommandContext& ctx) const;
  // Adds a counter (closed) or changes name and profile, keeping its runtime state.
  absl::StatusOr<Plan> PlanUpsertCounter(const Counter& config, const CommandContext& ctx) const;

  // --- Queries ---
  const BranchInfo& info() const { return info_; }
  const absl::TimeZone& zone() const { return zone_; }
  const std::vector<ServiceConfig>& services() const { return services_; }
  const std::map<uint32_t, Counter>& counters() const { return counters_; }
  const ServiceConfig* FindService(const std::string& code) const;
  const Counter* FindCounter(uint32_t number) const;
  const Ticket* FindTicket(uint64_t id) const;
  // The ticket at a counter now, if any.
  const Ticket* CurrentTicket(const Counter& counter) const;
  std::vector<ServiceView> ServiceViews(absl::Time now) const;
  // Waiting tickets ahead of `ticket` in its queue; 0 unless it is WAITING.
  int PeopleAhead(const Ticket& ticket) const;
  // A first, queue-length estimate: people ahead x expected service time / open
  // counters serving the service. None unless WAITING, and none while no such
  // counter is open: any number then would be a guess the customer holds us to.
  std::optional<absl::Duration> EstimatedWait(const Ticket& ticket) const;
  absl::CivilDay BusinessDay(absl::Time t) const;
  // WAITING tickets of a service, in calling order.
  std::vector<const Ticket*> Waiting(const std::string& service_code) const;
  uint64_t last_event_seq() const { return last_event_seq_; }

 private:
  // Waiting order within a service: issue time, then ticket id.
  using QueueKey = std::tuple<absl::Time, uint64_t>;

  absl::StatusOr<const Counter*> CounterOrError(uint32_t number) const;
  absl::StatusOr<const Counter*> OpenCounterOrError(uint32_t number) const;
  // FailedPrecondition naming the ticket still called or served at `counter`.
  absl::Status RequireNoCurrentTicket(const Counter& counter) const;
  // The counter's current ticket, required to be in one of `allowed` states.
  absl::StatusOr<const Ticket*> CurrentTicketIn(const Counter& counter,
                                                std::initializer_list<TicketState> allowed,
                                                absl::string_view action) const;
  absl::StatusOr<int> NextNumber(const std::string& service_code, absl::CivilDay day) const;
  int OpenCountersServing(const std::string& service_code) const;
  Plan CounterStateChange(const Counter& counter, CounterState to, EventType type,
                          const CommandContext& ctx) const;
  // A Plan that moves `before` to `after` (a ticket) with one event.
  Plan TicketChange(const Ticket& before, const Ticket& after, EventType type, uint32_t counter,
                    const CommandContext& ctx, std::string detail = {}) const;
  Event NewEvent(EventType type, uint32_t counter, const CommandContext& ctx) const;
  void IndexTicket(const Ticket& t);
  void UnindexTicket(const Ticket& t);

  BranchInfo info_;
  absl::TimeZone zone_;
  std::vector<ServiceConfig> services_;
  std::map<uint32_t, Counter> counters_;
  absl::flat_hash_map<uint64_t, Ticket> tickets_;
  std::map<std::string, NumberSequence> sequences_;  // by service code; the latest day
  uint64_t max_ticket_id_ = 0;
  uint64_t last_event_seq_ = 0;

  // Indexes over tickets_, maintained by Apply.
  std::map<std::string, std::set<QueueKey>> waiting_;      // by service code
  std::map<std::string, std::set<int>> live_numbers_;      // by prefix
  absl::flat_hash_map<std::string, uint64_t> by_request_;  // request_id -> ticket
};

}  // namespace lobbyq::domain
