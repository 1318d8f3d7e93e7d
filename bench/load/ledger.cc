#include "bench/load/ledger.h"

#include "absl/strings/str_cat.h"

namespace lobbyq::load {

namespace {
bool Live(v1::TicketState state) {
  return state == v1::TICKET_STATE_WAITING || state == v1::TICKET_STATE_CALLED ||
         state == v1::TICKET_STATE_SERVING;
}
}  // namespace

void BranchLedger::Violation(std::string text) {
  // A broken run could report millions; the first few say what is wrong.
  if (violations_.size() < 100) violations_.push_back(std::move(text));
}

void BranchLedger::Issued(const v1::Ticket& ticket) {
  std::lock_guard lock(mu_);
  auto [it, fresh] = tickets_.try_emplace(ticket.ticket_id());
  TicketRecord& record = it->second;
  if (!fresh && record.issue_seen) {
    Violation(absl::StrCat(ticket.branch_id(), ": IssueTicket returned ticket id ",
                           ticket.ticket_id(), " twice (", record.number, ", ", ticket.number(),
                           ")"));
    return;
  }
  record.issue_seen = true;
  if (ticket.state() != v1::TICKET_STATE_WAITING) {
    Violation(absl::StrCat(ticket.branch_id(), ": new ticket ", ticket.number(), " is in state ",
                           v1::TicketState_Name(ticket.state()), ", not WAITING"));
  }
  if (!fresh) {
    // Already called (see TicketRecord::issue_seen): counted and numbered then.
    if (record.number != ticket.number()) {
      Violation(absl::StrCat(ticket.branch_id(), ": ticket id ", ticket.ticket_id(), " issued as ",
                             ticket.number(), " but called as ", record.number));
    }
    return;
  }
  record.number = ticket.number();
  record.service_code = ticket.service_code();
  AddLive(ticket);
  ++waiting_;
}

void BranchLedger::AddLive(const v1::Ticket& ticket) {
  auto [live, added] = live_numbers_.try_emplace(ticket.number(), ticket.ticket_id());
  if (!added && live->second != ticket.ticket_id()) {
    Violation(absl::StrCat(ticket.branch_id(), ": number ", ticket.number(), " given to ticket ",
                           ticket.ticket_id(), " while ticket ", live->second, " still holds it"));
  }
}

void BranchLedger::Called(const v1::Ticket& ticket, uint32_t counter) {
  std::lock_guard lock(mu_);
  auto [it, fresh] = tickets_.try_emplace(ticket.ticket_id());
  TicketRecord& record = it->second;
  if (fresh) {
    // Its IssueTicket reply has not been handled yet; Issued() completes the record.
    record.number = ticket.number();
    record.service_code = ticket.origin_service_code();
    AddLive(ticket);
  } else if (record.state != v1::TICKET_STATE_WAITING && !record.uncertain) {
    Violation(absl::StrCat(ticket.branch_id(), ": ticket ", ticket.number(), " called at counter ",
                           counter, " while ", v1::TicketState_Name(record.state), " (at counter ",
                           record.counter, "): served twice"));
  }
  if (!fresh && record.state == v1::TICKET_STATE_WAITING) --waiting_;
  record.state = v1::TICKET_STATE_CALLED;
  record.counter = counter;
  record.uncertain = false;
}

void BranchLedger::Moved(const v1::Ticket& ticket, uint32_t counter, v1::TicketState from) {
  std::lock_guard lock(mu_);
  auto it = tickets_.find(ticket.ticket_id());
  if (it == tickets_.end()) {
    Violation(absl::StrCat(ticket.branch_id(), ": counter ", counter, " acted on ticket ",
                           ticket.number(), " that this run never issued"));
    return;
  }
  TicketRecord& record = it->second;
  if ((record.state != from && !record.uncertain) || record.counter != counter) {
    Violation(absl::StrCat(ticket.branch_id(), ": ticket ", ticket.number(), " moved to ",
                           v1::TicketState_Name(ticket.state()), " at counter ", counter,
                           " but was ", v1::TicketState_Name(record.state), " at counter ",
                           record.counter));
  }
  record.state = ticket.state();
  record.uncertain = false;
  if (!Live(record.state)) {
    auto live = live_numbers_.find(record.number);
    if (live != live_numbers_.end() && live->second == ticket.ticket_id()) {
      live_numbers_.erase(live);
    }
  }
}

void BranchLedger::Rated(uint64_t ticket_id, int32_t score) {
  std::lock_guard lock(mu_);
  auto it = tickets_.find(ticket_id);
  if (it != tickets_.end()) {
    it->second.rating = score;
    it->second.uncertain = false;
  }
}

void BranchLedger::Uncertain(uint64_t ticket_id, v1::TicketState next) {
  std::lock_guard lock(mu_);
  auto it = tickets_.find(ticket_id);
  if (it == tickets_.end()) return;
  it->second.uncertain = true;
  it->second.uncertain_next = next;
}

int BranchLedger::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_;
}

size_t BranchLedger::size() const {
  std::lock_guard lock(mu_);
  return tickets_.size();
}

std::vector<std::pair<uint64_t, TicketRecord>> BranchLedger::Snapshot() const {
  std::lock_guard lock(mu_);
  return {tickets_.begin(), tickets_.end()};
}

std::vector<std::string> BranchLedger::TakeViolations() {
  std::lock_guard lock(mu_);
  for (const auto& [id, record] : tickets_) {
    if (!record.issue_seen) {
      Violation(absl::StrCat("ticket ", record.number, " (id ", id,
                             ") was called but this run never issued it"));
    }
  }
  return std::move(violations_);
}

}  // namespace lobbyq::load
