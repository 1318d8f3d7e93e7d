#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "lobbyq/v1/types.pb.h"

namespace lobbyq::load {

// What the generator did to one ticket, and so the state the server must report for it.
struct TicketRecord {
  std::string number;
  std::string service_code;
  v1::TicketState state = v1::TICKET_STATE_WAITING;
  uint32_t counter = 0;  // the counter that called it, 0 while waiting
  int32_t rating = 0;
  // An action on it failed (deadline, transport): the server may or may not have applied
  // it, so the verification accepts the state before or after.
  bool uncertain = false;
  v1::TicketState uncertain_next = v1::TICKET_STATE_UNSPECIFIED;
  // The IssueTicket reply has arrived. A counter's CallNext reply for the same ticket may
  // come first: the two replies travel on different calls and threads.
  bool issue_seen = false;
};

// Every ticket of one branch the generator was told about, in a branch made for this run
// alone, so the server's view must match it exactly. Thread-safe: the kiosks and counters
// of a branch run on different agents and their replies arrive on gRPC's threads.
class BranchLedger {
 public:
  // A ticket IssueTicket returned. Records a violation for a reused id, or for a number
  // that another live ticket of the branch still shows.
  void Issued(const v1::Ticket& ticket);
  // A ticket CallNext returned at `counter`: it must be WAITING, and one of ours (its
  // IssueTicket reply may still be on its way; one that never comes is a violation).
  void Called(const v1::Ticket& ticket, uint32_t counter);
  // StartService, Finish and MarkNoShow: the ticket must be the one at `counter`, in `from`.
  void Moved(const v1::Ticket& ticket, uint32_t counter, v1::TicketState from);
  void Rated(uint64_t ticket_id, int32_t score);
  // An action on `ticket_id` whose outcome is unknown.
  void Uncertain(uint64_t ticket_id, v1::TicketState next);

  int waiting() const;
  size_t size() const;
  std::vector<std::pair<uint64_t, TicketRecord>> Snapshot() const;
  // The violations recorded, and a ticket called but never seen issued.
  std::vector<std::string> TakeViolations();

 private:
  void Violation(std::string text);        // mu_ held
  void AddLive(const v1::Ticket& ticket);  // mu_ held

  mutable std::mutex mu_;
  absl::flat_hash_map<uint64_t, TicketRecord> tickets_;
  // Service code + number -> ticket id, for tickets still waiting, called or serving:
  // numbers wrap after 999 but never onto a live ticket.
  absl::flat_hash_map<std::string, uint64_t> live_numbers_;
  int waiting_ = 0;
  std::vector<std::string> violations_;
};

}  // namespace lobbyq::load
