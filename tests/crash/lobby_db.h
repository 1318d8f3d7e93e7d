#pragma once

// An independent look at a lobbyq database file, read-only, with raw SQL (not
// the store's code, which is what is under test): the rows of one branch, the
// checks that its event log and its state tables tell the same story, and that
// every acknowledged operation is in them.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace lobbyq::crash {

struct TicketRow {
  uint64_t id = 0;
  int number = 0;
  std::string prefix;
  std::string service_code;
  std::string priority;
  std::string state;
  std::string business_day;
  std::string request_id;
  uint32_t counter = 0;
  uint32_t recall_count = 0;
  int rating = 0;
  int64_t issued_at = 0;
  std::optional<int64_t> first_called_at, called_at, started_at, finished_at, no_show_at;
  friend bool operator==(const TicketRow&, const TicketRow&) = default;
};

struct CounterRow {
  uint32_t number = 0;
  std::string state;
  int64_t state_since = 0;
  uint64_t current_ticket_id = 0;
  uint64_t last_finished_ticket_id = 0;
};

struct EventRow {
  uint64_t seq = 0;
  int64_t at = 0;
  std::string type;
  uint32_t counter = 0;
  uint64_t ticket_id = 0;
  std::optional<std::string> from_state, to_state, counter_state;
  std::string service_code;
  std::string detail;
};

struct DbSnapshot {
  std::map<uint64_t, TicketRow> tickets;
  std::map<uint32_t, CounterRow> counters;
  std::vector<EventRow> events;  // by seq
  // (service, business day) -> last number handed out
  std::map<std::pair<std::string, std::string>, int> sequences;
};

// Reads branch `branch_id` from the database at `path`, opened read-only.
absl::StatusOr<DbSnapshot> ReadDatabase(const std::string& path, const std::string& branch_id);

// Folds the event log from nothing and compares the result with the state
// tables, and checks that no number was issued twice in a business day and no
// ticket was called twice. The harness never transfers or reinstates, so a
// ticket is called at most once. Returns every problem found, in words.
std::vector<std::string> CheckInvariants(const DbSnapshot& db);

// One reply the server gave OK, with what it said was done.
struct Ack {
  enum class Kind {
    kIssue,
    kCancel,
    kOpen,
    kPause,
    kClose,
    kCall,
    kRecall,
    kStart,
    kNoShow,
    kFinish,
    kRate
  };
  Kind kind = Kind::kIssue;
  uint64_t ticket_id = 0;
  uint32_t counter = 0;
  // The time the reply carries for this action (called_at for kCall,
  // state_since for counter actions, ...), in unix microseconds.
  int64_t at = 0;
  std::string request_id;     // kIssue
  std::string number;         // kIssue: "A001"
  std::string business_day;   // kIssue
  int score = 0;              // kRate
  std::string counter_state;  // kOpen/kPause/kClose: "open", "paused", "closed"
};

const char* KindName(Ack::Kind kind);

// Every acknowledged operation must be in the database: its event with the
// same time, and for a ticket issue its row with the same number.
std::vector<std::string> CheckAcknowledged(const DbSnapshot& db, const std::vector<Ack>& acks);

}  // namespace lobbyq::crash
