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
};

// Stable lower-case names, used in the event log, logs and messages.
absl::string_view Name(TicketState s);
absl::string_view Name(PriorityClass p);
absl::string_view Name(CounterState s);
absl::string_view Name(EventType t);
// Inverse of Name(); nullopt for an unknown name.
std::optional<TicketState> ParseTicketState(absl::string_view name);
std::optional<PriorityClass> ParsePriorityClass(absl::string_view name);
std::optional<CounterState> ParseCounterState(absl::string_view name);
std::optional<EventType> ParseEventType(absl::string_view name);

// A ticket is live while it still needs a counter: its number may not be reused.
bool IsLive(TicketState s);

struct ServiceConfig {
  std::string code;  // one letter A-Z, also the ticket prefix
  std::string name_zh;
  std::string name_en;
  absl::Duration target_wait = absl::Minutes(10);
  absl::Duration expected_service_time = absl::Minutes(5);
  friend bool operator==(const ServiceConfig&, const ServiceConfig&) = default;
};

struct BranchInfo {
  std::string id;
  std::string name;
  std::string timezone = "Asia/Shanghai";
  absl::Duration rating_window = absl::Minutes(10);
  friend bool operator==(const BranchInfo&, const BranchInfo&) = default;
};

// A counter's configuration (number, name, profile) and its runtime state in one
// row, because both are restored together.
struct Counter {
  uint32_t number = 0;
  std::string name;
  std::vector<std::string> service_codes;  // the profile, in calling order
  CounterState state = CounterState::kClosed;
  absl::Time state_since = absl::UnixEpoch();
  uint64_t current_ticket_id = 0;        // CALLED or SERVING here; 0 = none
  uint64_t last_finished_ticket_id = 0;  // what the rating pad rates
  friend bool operator==(const Counter&, const Counter&) = default;
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
  std::vector<Event> events;

  bool empty() const {
    return !branch && services.empty() && counters.empty() && tickets.empty() &&
           sequences.empty() && events.empty();
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
  uint64_t max_ticket_id = 0;  // over all tickets ever, so ids are never reused
  uint64_t last_event_seq = 0;
};

}  // namespace lobbyq::domain
