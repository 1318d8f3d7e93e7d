#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/domain/calling_policy.h"
#include "server/domain/types.h"
#include "server/domain/wait_estimator.h"

namespace lobbyq::domain {

// kRequestIdRetention (types.h) bounds how long request ids are remembered. (A
// running branch keeps older tickets in memory until the next restart; pruning
// them belongs with the day-rollover timer.)

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
  std::string appointment_code;  // BookAppointment's answer
  // Set when the command was a retry of a request already done: what it did
  // then. The change is empty and ticket_id is the ticket it acted on.
  std::optional<RequestRecord> replay;
};

// The client request id of a command, and what the request names, so that a
// retry can be told from a different request that reuses the id.
struct ClientRequest {
  std::string request_id;  // empty: the command is not deduplicated
  std::string operation;   // the RPC, e.g. "CounterService.CallNext"
  uint32_t counter = 0;
  std::string subject;  // see RequestRecord::subject
};

// How an appointment check-in went, as the kiosk tells the customer.
enum class CheckInOutcome {
  kOnTime = 1,  // an APPOINTMENT ticket, callable now
  kEarly,       // an APPOINTMENT ticket, callable from slot - lead
  kLate,        // past the window: a NORMAL ticket
};

struct CheckIn {
  Plan plan;
  CheckInOutcome outcome = CheckInOutcome::kOnTime;
};

// One bookable slot of a service.
struct SlotView {
  absl::Time start;
  int capacity = 0;
  int booked = 0;  // booked or checked in; cancelled ones free their place
};

// Live view of one service's queue.
struct ServiceView {
  const ServiceConfig* config = nullptr;
  int waiting_count = 0;
  absl::Duration longest_wait = absl::ZeroDuration();
  // For a NORMAL ticket taken now; none while no counter serving the service
  // is open. estimated_wait is estimate->point.
  std::optional<absl::Duration> estimated_wait;
  std::optional<WaitEstimate> estimate;
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
  Branch(BranchSnapshot snapshot, absl::TimeZone zone, EstimatorSettings estimator = {});

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
  // `details` (免填单) are validated and stored masked.
  absl::StatusOr<Plan> PlanIssue(const std::string& service_code, PriorityClass priority,
                                 const std::string& request_id, const TransactionDetails& details,
                                 const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanCancel(uint64_t ticket_id, const CommandContext& ctx) const;
  // Puts a NO_SHOW ticket back in its queue within the branch's reinstate_grace,
  // at its old place or at the end (BranchInfo::reinstate_placement). `counter`
  // is the teller's counter, 0 when the kiosk asks.
  absl::StatusOr<Plan> PlanReinstate(uint64_t ticket_id, uint32_t counter,
                                     const CommandContext& ctx) const;

  // --- Client request ids ---
  // Runs `plan` at most once per request id: a request_id done within
  // kRequestIdRetention returns a Plan with an empty change, the ticket it
  // acted on and `replay` set; a new one runs `plan` and, if that changes
  // anything, records the request in the same change. An empty request_id
  // just runs `plan` (what was done is then not remembered). InvalidArgument
  // for a malformed id; AlreadyExists when the id was used for another
  // operation, counter or subject, or by IssueTicket or BookAppointment.
  absl::StatusOr<Plan> PlanOnce(const ClientRequest& request, const CommandContext& ctx,
                                const std::function<absl::StatusOr<Plan>()>& plan) const;

  // --- Counter ---
  absl::StatusOr<Plan> PlanOpenCounter(uint32_t counter, const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanPauseCounter(uint32_t counter, const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanCloseCounter(uint32_t counter, const CommandContext& ctx) const;
  // Calls by the counter's policy (calling_policy.h). A CALLED ticket that has
  // used up its recalls is marked NO_SHOW first, in the same change.
  absl::StatusOr<Plan> PlanCallNext(uint32_t counter, const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanRecall(uint32_t counter, const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanStartService(uint32_t counter, const CommandContext& ctx) const;
  // Moves the counter's ticket to another service's queue, keeping its number
  // and issue time. `placement` defaults to the branch's transfer_placement;
  // `note` is shown to the teller who calls it next.
  absl::StatusOr<Plan> PlanTransfer(uint32_t counter, const std::string& to_service_code,
                                    std::optional<Placement> placement, const std::string& note,
                                    const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanNoShow(uint32_t counter, const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanFinish(uint32_t counter, const CommandContext& ctx) const;
  // ticket_id 0 rates the ticket last finished at `counter`.
  absl::StatusOr<Plan> PlanRating(uint32_t counter, uint64_t ticket_id, int score,
                                  const std::string& comment, const CommandContext& ctx) const;

  // --- Appointments ---
  // The slots of a service on a local day, with their capacity and bookings.
  absl::StatusOr<std::vector<SlotView>> ListSlots(const std::string& service_code,
                                                  absl::CivilDay day) const;
  // Books a slot. `new_code` supplies unguessable codes (the caller's random
  // source); a request_id seen before returns its appointment unchanged.
  absl::StatusOr<Plan> PlanBook(const std::string& service_code, absl::Time slot_start,
                                const std::string& customer_name, const std::string& phone,
                                const std::string& request_id,
                                const std::function<std::string()>& new_code,
                                const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanCancelAppointment(const std::string& code,
                                             const CommandContext& ctx) const;
  // Issues the appointment's ticket; a second check-in returns the same ticket.
  absl::StatusOr<CheckIn> PlanCheckIn(const std::string& code, const CommandContext& ctx) const;
  // The same under a client request id (PlanOnce): a retry gets the ticket and
  // the outcome of the first check-in, whatever day it is.
  absl::StatusOr<CheckIn> PlanCheckIn(const std::string& code, const ClientRequest& request,
                                      const CommandContext& ctx) const;
  const Appointment* FindAppointment(const std::string& code) const;
  // Appointments whose slot lies on `day` (local), by slot then code.
  std::vector<const Appointment*> AppointmentsOn(absl::CivilDay day) const;

  // --- Timers ---
  // The earliest time at which PlanTimeouts will have something to do: an
  // automatic no-show, an appointment becoming missed, details to purge after
  // their business day. None when nothing is pending.
  std::optional<absl::Time> NextDeadline() const;
  // Everything due at ctx.now, as one change (empty when nothing is due).
  absl::StatusOr<Plan> PlanTimeouts(const CommandContext& ctx) const;

  // --- Configuration ---
  // Changes the branch's name and settings; the id and time zone stay.
  absl::StatusOr<Plan> PlanUpdateBranchInfo(const BranchInfo& info,
                                            const CommandContext& ctx) const;
  absl::StatusOr<Plan> PlanUpsertService(const ServiceConfig& service,
                                         const CommandContext& ctx) const;
  // Adds a counter (closed) or changes name, profile, strategy and flags,
  // keeping its runtime state (a new strategy or new rules restart the counts).
  absl::StatusOr<Plan> PlanUpsertCounter(const Counter& config, const CommandContext& ctx) const;

  // --- Queries ---
  const BranchInfo& info() const { return info_; }
  const absl::TimeZone& zone() const { return zone_; }
  const std::vector<ServiceConfig>& services() const { return services_; }
  const std::map<uint32_t, Counter>& counters() const { return counters_; }
  const ServiceConfig* FindService(const std::string& code) const;
  const Counter* FindCounter(uint32_t number) const;
  const Ticket* FindTicket(uint64_t id) const;
  // Tickets WAITING, CALLED or SERVING: what a cap on live tickets counts.
  size_t LiveTicketCount() const;
  // Every ticket held in memory: the live ones and those closed within
  // kRequestIdRetention (at least), in no particular order.
  const absl::flat_hash_map<uint64_t, Ticket>& tickets() const { return tickets_; }
  // The ticket at a counter now, if any.
  const Ticket* CurrentTicket(const Counter& counter) const;
  std::vector<ServiceView> ServiceViews(absl::Time now) const;
  // Waiting tickets ahead of `ticket` in its queue (higher classes, then earlier
  // queued); 0 unless it is WAITING.
  int PeopleAhead(const Ticket& ticket) const;
  // Today's ticket shown as `display_number` ("A012"), most recent first.
  const Ticket* FindTicketByNumber(absl::string_view display_number, absl::CivilDay day) const;
  // The order in which waiting tickets would be called if every open counter
  // called at `now` (see calling_policy.h).
  std::vector<PreviewEntry> PreviewOrder(absl::Time now) const;
  // How long `ticket` will still wait from `now` (wait_estimator.h). None
  // unless WAITING, and none while no counter serving its queue is open: any
  // number then would be a guess the customer holds us to.
  std::optional<WaitEstimate> EstimateWait(const Ticket& ticket, absl::Time now) const;
  // The same for a ticket of `priority` taken now.
  std::optional<WaitEstimate> EstimateNewTicket(const std::string& service_code,
                                                PriorityClass priority, absl::Time now) const;
  const WaitHistory& wait_history() const { return wait_history_; }
  absl::CivilDay BusinessDay(absl::Time t) const;
  // WAITING tickets of a service, in calling order within the service.
  std::vector<const Ticket*> Waiting(const std::string& service_code) const;
  uint64_t last_event_seq() const { return last_event_seq_; }

 private:
  // Waiting order within a service: issue time, then ticket id.
  static QueueIndex::Key QueueKeyOf(const Ticket& t);

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
  MaxWaits CurrentMaxWaits() const;
  EstimatorInput EstimatorInputAt(const MaxWaits& max_waits, absl::Time now) const;
  // The ticket row and number sequence for a new ticket (shared by IssueTicket
  // and appointment check-in).
  absl::StatusOr<Plan> NewTicket(const std::string& service_code, PriorityClass priority,
                                 const std::string& request_id, TransactionDetails details,
                                 absl::Time queued_at, const CommandContext& ctx) const;
  // Adds to `plan` the rows that mark `ticket` NO_SHOW at `counter`.
  void AddNoShow(Plan& plan, const Ticket& ticket, const Counter& counter, std::string detail,
                 const CommandContext& ctx) const;
  // The record of `request` if it was done within kRequestIdRetention (null
  // when new); AlreadyExists if its id was used for something else.
  absl::StatusOr<const RequestRecord*> KnownRequest(const ClientRequest& request,
                                                    const CommandContext& ctx) const;
  // How a check-in went, from when it happened.
  CheckInOutcome OutcomeOf(const Appointment& appointment, absl::Time now) const;
  absl::StatusOr<absl::Time> SlotStartOnGrid(absl::Time slot_start) const;
  std::vector<absl::Time> SlotGrid(absl::CivilDay day) const;
  std::string LocalTime(absl::Time t) const;
  // NotFound (with `hint` appended) or InvalidArgument for a malformed code.
  absl::StatusOr<const Appointment*> AppointmentOrError(const std::string& code,
                                                        absl::string_view hint = "") const;
  Event AppointmentEvent(EventType type, const Appointment& appointment,
                         const CommandContext& ctx) const;
  Plan CounterStateChange(const Counter& counter, CounterState to, EventType type,
                          const CommandContext& ctx) const;
  // A Plan that moves `before` to `after` (a ticket) with one event.
  Plan TicketChange(const Ticket& before, const Ticket& after, EventType type, uint32_t counter,
                    const CommandContext& ctx, std::string detail = {}) const;
  Event TicketEvent(const Ticket& before, const Ticket& after, EventType type, uint32_t counter,
                    const CommandContext& ctx, std::string detail) const;
  Event NewEvent(EventType type, uint32_t counter, const CommandContext& ctx) const;
  void IndexTicket(const Ticket& t);
  void UnindexTicket(const Ticket& t);
  void IndexAppointment(const Appointment& a);
  void UnindexAppointment(const Appointment& a);

  BranchInfo info_;
  absl::TimeZone zone_;
  std::vector<ServiceConfig> services_;
  std::map<uint32_t, Counter> counters_;
  absl::flat_hash_map<uint64_t, Ticket> tickets_;
  std::map<std::string, NumberSequence> sequences_;  // by service code; the latest day
  uint64_t max_ticket_id_ = 0;
  uint64_t last_event_seq_ = 0;

  std::map<std::string, Appointment> appointments_;  // by code

  // Indexes over tickets_ and appointments_, maintained by Apply.
  QueueIndex waiting_;
  std::map<std::string, std::set<int>> live_numbers_;      // by prefix
  absl::flat_hash_map<std::string, uint64_t> by_request_;  // request_id -> ticket
  // Tickets with form-free details or a teller's note, by business day:
  // purged after the day.
  std::set<std::pair<absl::CivilDay, uint64_t>> with_details_;
  // BOOKED appointments by slot; they become missed after the check-in window.
  std::set<std::pair<absl::Time, std::string>> booked_by_slot_;
  // Closed appointments still holding a phone or name, by slot: purged after the day.
  std::set<std::pair<absl::Time, std::string>> personal_by_slot_;
  std::map<std::pair<std::string, absl::Time>, int> slot_bookings_;  // (service, slot)
  absl::flat_hash_map<std::string, std::string> appointment_by_request_;
  // Client requests of the other commands (RequestRecord), and the same by
  // time, so those past kRequestIdRetention are dropped.
  absl::flat_hash_map<std::string, RequestRecord> requests_;
  std::set<std::pair<absl::Time, std::string>> requests_by_time_;

  // What estimates learn from; fed by Apply.
  WaitHistory wait_history_;
};

}  // namespace lobbyq::domain
