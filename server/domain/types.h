#pragma once

// The words of the product as plain C++ values. Nothing here knows about
// protobuf, gRPC or SQLite; the rpc and store layers map to and from these.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace lobbyq::domain {

enum class TicketState { kWaiting = 1, kCalled, kServing, kDone, kNoShow, kCancelled };
enum class PriorityClass { kNormal = 1, kVip, kGreenChannel, kAppointment };
enum class CounterState { kClosed = 1, kOpen, kPaused };
enum class EventType {
  kTicketIssued = 1,
  kTicketCalled,
  kTicketRecalled,
  kServiceStarted,
  kTicketTransferred,
  kTicketNoShow,
  kTicketFinished,
  kTicketCancelled,
  kTicketRated,
  kCounterOpened,
  kCounterPaused,
  kCounterClosed,
  kConfigChanged,
  kTicketReinstated,
  kAppointmentBooked,
  kAppointmentCancelled,
  kAppointmentCheckedIn,
  kAppointmentMissed,
  kDetailsPurged,
};

// How a counter chooses among the tickets it may call (see calling_policy.h).
enum class CallStrategy { kInOrder = 1, kLongestWait, kCounted };
// Where a ticket re-enters a queue after a transfer or a reinstatement:
// by its original issue time, at the front, or at the end.
enum class Placement { kByIssueTime = 1, kFront, kEnd };
enum class AppointmentState { kBooked = 1, kCheckedIn, kCancelled, kMissed };

// Stable lower-case names, used in the event log, logs and messages.
absl::string_view Name(TicketState s);
absl::string_view Name(PriorityClass p);
absl::string_view Name(CounterState s);
absl::string_view Name(EventType t);
absl::string_view Name(CallStrategy s);
absl::string_view Name(Placement p);
absl::string_view Name(AppointmentState s);
// Inverse of Name(); nullopt for an unknown name.
std::optional<TicketState> ParseTicketState(absl::string_view name);
std::optional<PriorityClass> ParsePriorityClass(absl::string_view name);
std::optional<CounterState> ParseCounterState(absl::string_view name);
std::optional<EventType> ParseEventType(absl::string_view name);
std::optional<CallStrategy> ParseCallStrategy(absl::string_view name);
std::optional<Placement> ParsePlacement(absl::string_view name);
std::optional<AppointmentState> ParseAppointmentState(absl::string_view name);

// A ticket is live while it still needs a counter: its number may not be reused.
bool IsLive(TicketState s);

struct ServiceConfig {
  std::string code;  // one letter A-Z, also the ticket prefix
  std::string name_zh;
  std::string name_en;
  absl::Duration target_wait = absl::Minutes(10);
  absl::Duration expected_service_time = absl::Minutes(5);
  // A ticket waiting longer than this is called before every priority class.
  // Zero means the default, twice the target wait.
  absl::Duration max_wait = absl::ZeroDuration();
  // Appointments bookable per slot; 0 = this service takes no appointments.
  int appointment_capacity = 0;

  absl::Duration EffectiveMaxWait() const {
    return max_wait > absl::ZeroDuration() ? max_wait : 2 * target_wait;
  }
  friend bool operator==(const ServiceConfig&, const ServiceConfig&) = default;
};

struct BranchInfo {
  std::string id;
  std::string name;
  std::string timezone = "Asia/Shanghai";
  absl::Duration rating_window = absl::Minutes(10);

  // --- Recall and no-show ---
  // Recalls allowed per call; once used up, the teller's next CallNext marks
  // the ticket NO_SHOW before calling the next customer.
  int recall_limit = 2;
  // A CALLED ticket nobody answered for this long becomes NO_SHOW by itself;
  // zero = never (the teller decides).
  absl::Duration auto_no_show_after = absl::ZeroDuration();
  // How long after a no-show the ticket can still be reinstated, and where it
  // goes back in its queue (kByIssueTime: its original place; kEnd).
  absl::Duration reinstate_grace = absl::Minutes(30);
  Placement reinstate_placement = Placement::kByIssueTime;
  // Where a transferred ticket goes when the teller does not say.
  Placement transfer_placement = Placement::kByIssueTime;

  // --- Appointments ---
  // Check-in is accepted from slot - checkin_early to slot + checkin_late; an
  // early ticket becomes callable at slot - appointment_lead.
  absl::Duration checkin_early = absl::Minutes(30);
  absl::Duration checkin_late = absl::Minutes(10);
  absl::Duration appointment_lead = absl::Minutes(5);
  // Slots run from opening to closing (local time) in steps of slot_length.
  absl::Duration opening_time = absl::Hours(9);  // since local midnight
  absl::Duration closing_time = absl::Hours(17);
  absl::Duration slot_length = absl::Minutes(30);
  int booking_horizon_days = 30;

  friend bool operator==(const BranchInfo&, const BranchInfo&) = default;
};

// One rule of the `counted` strategy: call `priority` while fewer than `quota`
// were called by this rule since the last reset.
struct CountedRule {
  PriorityClass priority = PriorityClass::kNormal;
  int quota = 1;
  friend bool operator==(const CountedRule&, const CountedRule&) = default;
};

// A counter's configuration (number, name, profile) and its runtime state in one
// row, because both are restored together.
struct Counter {
  uint32_t number = 0;
  std::string name;
  std::vector<std::string> service_codes;  // the profile, in calling order
  CallStrategy strategy = CallStrategy::kInOrder;
  std::vector<CountedRule> counted_rules;  // for kCounted
  // What kCounted calls when no rule applies; firing it resets the counts.
  PriorityClass counted_fallback = PriorityClass::kNormal;
  bool green_channel = false;  // 爱心窗口: green-channel tickets first
  // Runtime: calls made by each counted rule since the last reset.
  std::vector<int> counted_calls;
  CounterState state = CounterState::kClosed;
  absl::Time state_since = absl::UnixEpoch();
  uint64_t current_ticket_id = 0;        // CALLED or SERVING here; 0 = none
  uint64_t last_finished_ticket_id = 0;  // what the rating pad rates
  friend bool operator==(const Counter&, const Counter&) = default;
};

// What a customer entered at the kiosk so nobody fills in a form (免填单).
// Account numbers and phone numbers are masked before they are stored, and
// the whole record is purged after the business day.
struct TransactionDetails {
  std::string type;          // e.g. "deposit", "transfer"
  std::string amount;        // decimal, e.g. "5000.00"; may be empty
  std::string account_tail;  // masked, e.g. "****1234"
  std::string text;          // free text, with digit runs masked
  bool empty() const {
    return type.empty() && amount.empty() && account_tail.empty() && text.empty();
  }
  friend bool operator==(const TransactionDetails&, const TransactionDetails&) = default;
};

struct Ticket {
  uint64_t id = 0;
  int number = 0;            // 1..999
  std::string prefix;        // the letter of the service it was issued for
  std::string service_code;  // the queue it is in now
  std::string origin_service_code;
  PriorityClass priority = PriorityClass::kNormal;
  TicketState state = TicketState::kWaiting;
  absl::CivilDay business_day;
  absl::Time issued_at = absl::UnixEpoch();
  // Since when the ticket counts as waiting in its queue: its order among the
  // tickets of its class, and what max_wait is measured from. Equal to
  // issued_at unless a transfer or reinstatement to the end restarted it; for
  // an appointment checked in early it is the time it becomes callable, which
  // may lie in the future.
  absl::Time queued_at = absl::UnixEpoch();
  // Transferred to the front of its queue: before the others of its class.
  bool placed_front = false;
  std::optional<absl::Time> first_called_at;
  std::optional<absl::Time> called_at;
  std::optional<absl::Time> started_at;
  std::optional<absl::Time> finished_at;
  uint32_t counter = 0;
  uint32_t recall_count = 0;
  std::string request_id;  // the kiosk's idempotency key; may be empty
  int rating = 0;          // 0 = not rated
  std::string rating_comment;
  std::optional<absl::Time> rated_at;
  std::optional<absl::Time> no_show_at;  // when it last became NO_SHOW
  std::string note;                      // from the teller who transferred it
  TransactionDetails details;
  std::string appointment_code;  // set when issued by an appointment check-in

  // "A001": what the customer hears and sees.
  std::string DisplayNumber() const;
  friend bool operator==(const Ticket&, const Ticket&) = default;
};

// The last number handed out for one service on one business day.
struct NumberSequence {
  std::string service_code;
  absl::CivilDay business_day;
  int last_number = 0;
  friend bool operator==(const NumberSequence&, const NumberSequence&) = default;
};

struct Appointment {
  std::string code;  // unguessable, what the customer types at the kiosk
  std::string service_code;
  absl::Time slot_start = absl::UnixEpoch();
  std::string customer_name;
  std::string phone;  // digits; masked in every output, purged after the day
  AppointmentState state = AppointmentState::kBooked;
  absl::Time booked_at = absl::UnixEpoch();
  std::optional<absl::Time> closed_at;  // checked in, cancelled or missed
  uint64_t ticket_id = 0;               // the ticket check-in issued
  std::string request_id;               // BookAppointment's idempotency key
  friend bool operator==(const Appointment&, const Appointment&) = default;
};

struct Event {
  uint64_t seq = 0;  // assigned by the store when committed
  absl::Time at = absl::UnixEpoch();
  std::string branch_id;
  EventType type = EventType::kTicketIssued;
  uint32_t counter = 0;
  std::string actor;
  uint64_t ticket_id = 0;
  std::optional<TicketState> from_state;
  std::optional<TicketState> to_state;
  std::optional<CounterState> counter_state;
  std::string service_code;
  std::string detail;  // human-readable, e.g. "transfer A->B" or "score 5"
  friend bool operator==(const Event&, const Event&) = default;
};

// How long a client request id is remembered: IssueTicket's and those of the
// other commands. A client retries within seconds; two days covers any retry
// while bounding what a restart must load. The runtime restores at least this
// much history, so the answer is the same before and after a restart.
inline constexpr absl::Duration kRequestIdRetention = absl::Hours(48);

// What a command sent with a client request id did, kept for
// kRequestIdRetention so that a retry (a lost reply, a timeout) gets the first
// answer instead of acting twice: a retried CallNext must not call a second
// customer. (IssueTicket and BookAppointment keep their ids on their own rows.)
struct RequestRecord {
  std::string request_id;
  std::string operation;  // the RPC, e.g. "CounterService.CallNext"
  uint32_t counter = 0;   // 0 when the request names none (a kiosk's check-in)
  // What else the request named (a transfer's target service, a rating's
  // ticket and score): a retry must name the same.
  std::string subject;
  uint64_t ticket_id = 0;  // the ticket it acted on; 0 when none
  std::string detail;      // what the reply said, e.g. CallNext's reason
  absl::Time at = absl::UnixEpoch();
  friend bool operator==(const RequestRecord&, const RequestRecord&) = default;
};

// Everything one command changes, as whole new rows. The store commits a Change in
// one transaction; the branch applies the same Change to memory only after that
// commit succeeded, and restore is applying the rows read back. So memory and disk
// can only differ by an uncommitted change, which was never acknowledged.
struct Change {
  std::string branch_id;
  std::optional<BranchInfo> branch;
  std::vector<ServiceConfig> services;
  std::vector<Counter> counters;
  std::vector<Ticket> tickets;
  std::vector<NumberSequence> sequences;
  std::vector<Appointment> appointments;
  std::vector<Event> events;
  // Written in the same transaction as the rows it acknowledges, so a crash
  // between commit and reply still gives a retry the first answer.
  std::vector<RequestRecord> requests;

  bool empty() const {
    return !branch && services.empty() && counters.empty() && tickets.empty() &&
           sequences.empty() && appointments.empty() && events.empty() && requests.empty();
  }
};

// A branch's whole configuration, as created from a config file or AdminService.
struct BranchDefinition {
  BranchInfo info;
  std::vector<ServiceConfig> services;
  std::vector<Counter> counters;
};

// What the store hands back for one branch at start-up.
struct BranchSnapshot {
  BranchInfo info;
  std::vector<ServiceConfig> services;  // in creation order
  std::vector<Counter> counters;        // by number
  std::vector<Ticket> tickets;          // live ones plus recent closed ones
  std::vector<NumberSequence> sequences;
  std::vector<Appointment> appointments;  // with slots from `closed_since` on
  std::vector<RequestRecord> requests;    // made from `closed_since` on
  uint64_t max_ticket_id = 0;             // over all tickets ever, so ids are never reused
  uint64_t last_event_seq = 0;
};

}  // namespace lobbyq::domain
