#include "tests/crash/lobby_db.h"

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace lobbyq::crash {
namespace {

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

class Row {
 public:
  explicit Row(sqlite3_stmt* stmt) : stmt_(stmt) {}
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return text == nullptr ? "" : text;
  }
  std::optional<int64_t> OptInt(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return Int(col);
  }
  std::optional<std::string> OptText(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return Text(col);
  }

 private:
  sqlite3_stmt* stmt_;
};

absl::Status ForEach(sqlite3* db, const std::string& sql, const std::string& branch_id,
                     const std::function<void(const Row&)>& fn) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("preparing ", sql, ": ", sqlite3_errmsg(db)));
  }
  std::unique_ptr<sqlite3_stmt, Closer> stmt(raw);
  sqlite3_bind_text(raw, 1, branch_id.c_str(), -1, SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) fn(Row(raw));
  if (rc != SQLITE_DONE) {
    return absl::InternalError(absl::StrCat("reading ", sql, ": ", sqlite3_errmsg(db)));
  }
  return absl::OkStatus();
}

std::string Micros(std::optional<int64_t> t) { return t ? absl::StrCat(*t) : "unset"; }

}  // namespace

const char* KindName(Ack::Kind kind) {
  switch (kind) {
    case Ack::Kind::kIssue:
      return "IssueTicket";
    case Ack::Kind::kCancel:
      return "CancelTicket";
    case Ack::Kind::kOpen:
      return "OpenCounter";
    case Ack::Kind::kPause:
      return "PauseCounter";
    case Ack::Kind::kClose:
      return "CloseCounter";
    case Ack::Kind::kCall:
      return "CallNext";
    case Ack::Kind::kRecall:
      return "Recall";
    case Ack::Kind::kStart:
      return "StartService";
    case Ack::Kind::kNoShow:
      return "MarkNoShow";
    case Ack::Kind::kFinish:
      return "Finish";
    case Ack::Kind::kRate:
      return "SubmitRating";
  }
  return "?";
}

absl::StatusOr<DbSnapshot> ReadDatabase(const std::string& path, const std::string& branch_id) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, Closer> db(raw);
  if (rc != SQLITE_OK) {
    return absl::UnavailableError(absl::StrCat("open ", path, " read-only: ", sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(raw, 5000);
  // One read transaction: the same snapshot for every table.
  if (sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return absl::UnavailableError(absl::StrCat("BEGIN on ", path, ": ", sqlite3_errmsg(raw)));
  }
  DbSnapshot snap;
  absl::Status s = ForEach(
      raw,
      "SELECT ticket_id, number, prefix, service_code, priority, state, business_day, request_id, "
      "counter, recall_count, rating, issued_at_us, first_called_at_us, called_at_us, "
      "started_at_us, finished_at_us, no_show_at_us FROM tickets WHERE branch_id = ?1",
      branch_id, [&](const Row& r) {
        TicketRow t{.id = static_cast<uint64_t>(r.Int(0)),
                    .number = static_cast<int>(r.Int(1)),
                    .prefix = r.Text(2),
                    .service_code = r.Text(3),
                    .priority = r.Text(4),
                    .state = r.Text(5),
                    .business_day = r.Text(6),
                    .request_id = r.Text(7),
                    .counter = static_cast<uint32_t>(r.Int(8)),
                    .recall_count = static_cast<uint32_t>(r.Int(9)),
                    .rating = static_cast<int>(r.Int(10)),
                    .issued_at = r.Int(11),
                    .first_called_at = r.OptInt(12),
                    .called_at = r.OptInt(13),
                    .started_at = r.OptInt(14),
                    .finished_at = r.OptInt(15),
                    .no_show_at = r.OptInt(16)};
        snap.tickets[t.id] = t;
      });
  if (s.ok()) {
    s = ForEach(raw,
                "SELECT number, state, state_since_us, current_ticket_id, last_finished_ticket_id "
                "FROM counters WHERE branch_id = ?1",
                branch_id, [&](const Row& r) {
                  CounterRow c{.number = static_cast<uint32_t>(r.Int(0)),
                               .state = r.Text(1),
                               .state_since = r.Int(2),
                               .current_ticket_id = static_cast<uint64_t>(r.Int(3)),
                               .last_finished_ticket_id = static_cast<uint64_t>(r.Int(4))};
                  snap.counters[c.number] = c;
                });
  }
  if (s.ok()) {
    s = ForEach(raw,
                "SELECT seq, at_us, type, counter, ticket_id, from_state, to_state, counter_state, "
                "service_code, detail FROM events WHERE branch_id = ?1 ORDER BY seq",
                branch_id, [&](const Row& r) {
                  snap.events.push_back(EventRow{.seq = static_cast<uint64_t>(r.Int(0)),
                                                 .at = r.Int(1),
                                                 .type = r.Text(2),
                                                 .counter = static_cast<uint32_t>(r.Int(3)),
                                                 .ticket_id = static_cast<uint64_t>(r.Int(4)),
                                                 .from_state = r.OptText(5),
                                                 .to_state = r.OptText(6),
                                                 .counter_state = r.OptText(7),
                                                 .service_code = r.Text(8),
                                                 .detail = r.Text(9)});
                });
  }
  if (s.ok()) {
    s = ForEach(raw,
                "SELECT service_code, business_day, last_number FROM number_sequences "
                "WHERE branch_id = ?1",
                branch_id, [&](const Row& r) {
                  snap.sequences[{r.Text(0), r.Text(1)}] = static_cast<int>(r.Int(2));
                });
  }
  sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr);
  if (!s.ok()) return s;
  return snap;
}

std::vector<std::string> CheckInvariants(const DbSnapshot& db) {
  std::vector<std::string> problems;
  auto problem = [&](std::string text) { problems.push_back(std::move(text)); };

  // --- The fold: tickets and counters as the event log alone says. ---
  std::map<uint64_t, TicketRow> tickets;
  std::map<uint64_t, int> calls;
  struct CounterFold {
    std::string state = "closed";
    std::optional<int64_t> since;
    uint64_t current = 0;
    uint64_t last_finished = 0;
  };
  std::map<uint32_t, CounterFold> counters;
  for (const EventRow& e : db.events) {
    const std::string where = absl::StrCat("event ", e.seq, " (", e.type, ")");
    if (e.counter_state) {
      CounterFold& c = counters[e.counter];
      c.state = *e.counter_state;
      c.since = e.at;
      continue;
    }
    if (e.ticket_id == 0) continue;  // branch-wide: configuration, purges
    if (e.type == "ticket_issued") {
      if (tickets.contains(e.ticket_id)) {
        problem(absl::StrCat(where, ": ticket ", e.ticket_id, " issued a second time"));
        continue;
      }
      // detail: "A001 normal"
      const std::vector<std::string> parts = absl::StrSplit(e.detail, ' ');
      TicketRow t{.id = e.ticket_id,
                  .service_code = e.service_code,
                  .state = e.to_state.value_or("?"),
                  .issued_at = e.at};
      if (parts.size() != 2 || parts[0].size() != 4 ||
          !absl::SimpleAtoi(parts[0].substr(1), &t.number)) {
        problem(absl::StrCat(where, ": detail '", e.detail, "' is not 'A001 normal'"));
      } else {
        t.prefix = parts[0].substr(0, 1);
        t.priority = parts[1];
      }
      if (e.from_state || t.state != "waiting") {
        problem(absl::StrCat(where, ": a new ticket must go to waiting from nothing"));
      }
      tickets[e.ticket_id] = t;
      continue;
    }
    auto it = tickets.find(e.ticket_id);
    if (it == tickets.end()) {
      problem(absl::StrCat(where, ": ticket ", e.ticket_id, " was never issued"));
      continue;
    }
    TicketRow& t = it->second;
    if (e.from_state != t.state) {
      problem(absl::StrCat(where, ": ticket ", e.ticket_id, " was ", t.state,
                           " but the event says from ", e.from_state.value_or("nothing")));
    }
    CounterFold& c = counters[e.counter];
    if (e.type == "ticket_called") {
      if (++calls[e.ticket_id] > 1) {
        problem(absl::StrCat(where, ": ticket ", e.ticket_id, " called a second time, at counter ",
                             e.counter));
      }
      if (c.current != 0) {
        problem(absl::StrCat(where, ": counter ", e.counter, " called ticket ", e.ticket_id,
                             " while ticket ", c.current, " was still its current one"));
      }
      c.current = e.ticket_id;
      t.counter = e.counter;
      t.called_at = e.at;
      if (!t.first_called_at) t.first_called_at = e.at;
      t.recall_count = 0;
    } else if (e.type == "ticket_recalled") {
      ++t.recall_count;
      t.called_at = e.at;
    } else if (e.type == "service_started") {
      t.started_at = e.at;
    } else if (e.type == "ticket_no_show" || e.type == "ticket_finished") {
      if (c.current != e.ticket_id) {
        problem(absl::StrCat(where, ": counter ", e.counter, " closed ticket ", e.ticket_id,
                             " but its current ticket was ", c.current));
      }
      c.current = 0;
      if (e.type == "ticket_no_show") {
        t.no_show_at = e.at;
      } else {
        t.finished_at = e.at;
        c.last_finished = e.ticket_id;
      }
    } else if (e.type == "ticket_rated") {
      int score = 0;
      if (!absl::SimpleAtoi(absl::StripPrefix(e.detail, "score "), &score) || t.rating != 0) {
        problem(absl::StrCat(where, ": detail '", e.detail, "', earlier rating ", t.rating));
      }
      t.rating = score;
    } else if (e.type != "ticket_cancelled") {
      problem(absl::StrCat(where, ": the harness never causes a ", e.type));
    }
    if (e.counter != 0 && e.type != "ticket_called" && e.counter != t.counter) {
      problem(absl::StrCat(where, ": at counter ", e.counter, ", but ticket ", e.ticket_id,
                           " was called at counter ", t.counter));
    }
    t.state = e.to_state.value_or("?");
    t.service_code = e.service_code;
  }

  // --- The fold must be the state tables, exactly. ---
  for (const auto& [id, folded] : tickets) {
    auto row = db.tickets.find(id);
    if (row == db.tickets.end()) {
      problem(absl::StrCat("ticket ", id, " is in the event log but not in the tickets table"));
      continue;
    }
    TicketRow stored = row->second;
    // Not in the log: compared elsewhere (request id, day) or not at all.
    stored.request_id.clear();
    stored.business_day.clear();
    if (!(stored == folded)) {
      problem(absl::StrFormat(
          "ticket %d: the table says %s%03d %s %s counter %d recalls %d rating %d issued %d "
          "called %s/%s started %s finished %s no-show %s; the event log says %s%03d %s %s counter "
          "%d recalls %d rating %d issued %d called %s/%s started %s finished %s no-show %s",
          id, stored.prefix, stored.number, stored.state, stored.service_code, stored.counter,
          stored.recall_count, stored.rating, stored.issued_at, Micros(stored.first_called_at),
          Micros(stored.called_at), Micros(stored.started_at), Micros(stored.finished_at),
          Micros(stored.no_show_at), folded.prefix, folded.number, folded.state,
          folded.service_code, folded.counter, folded.recall_count, folded.rating, folded.issued_at,
          Micros(folded.first_called_at), Micros(folded.called_at), Micros(folded.started_at),
          Micros(folded.finished_at), Micros(folded.no_show_at)));
    }
  }
  for (const auto& [id, row] : db.tickets) {
    if (!tickets.contains(id)) {
      problem(absl::StrCat("ticket ", id, " (", row.prefix, row.number,
                           ") is in the tickets table but was never issued in the event log"));
    }
  }
  for (const auto& [number, row] : db.counters) {
    const CounterFold folded = counters.contains(number) ? counters.at(number) : CounterFold{};
    if (row.state != folded.state || (folded.since && row.state_since != *folded.since) ||
        row.current_ticket_id != folded.current ||
        row.last_finished_ticket_id != folded.last_finished) {
      problem(absl::StrFormat(
          "counter %d: the table says %s since %d, current %d, last finished %d; the event log "
          "says %s since %s, current %d, last finished %d",
          number, row.state, row.state_since, row.current_ticket_id, row.last_finished_ticket_id,
          folded.state, Micros(folded.since), folded.current, folded.last_finished));
    }
  }

  // --- Numbers: per business day and service, 1, 2, 3, ... in issue order. ---
  // (The harness stays below 999 tickets a day per service, so no wrap.)
  std::map<std::pair<std::string, std::string>, std::vector<const TicketRow*>> by_day;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> seen;
  std::map<std::pair<std::string, std::string>, uint64_t> request_ids;
  for (const auto& [id, t] : db.tickets) {
    by_day[{t.prefix, t.business_day}].push_back(&t);
    auto [it, fresh] = seen.emplace(std::make_tuple(t.business_day, t.prefix, t.number), id);
    if (!fresh) {
      problem(absl::StrFormat("number %s%03d issued twice on %s: tickets %d and %d", t.prefix,
                              t.number, t.business_day, it->second, id));
    }
    if (!t.request_id.empty()) {
      auto [rit, first] = request_ids.emplace(std::make_pair(t.business_day, t.request_id), id);
      if (!first) {
        problem(absl::StrCat("request id ", t.request_id, " issued tickets ", rit->second, " and ",
                             id));
      }
    }
  }
  for (const auto& [key, list] : by_day) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i]->number != static_cast<int>(i) + 1) {
        problem(absl::StrFormat("%s on %s: ticket %d is number %d, the %d-th issued that day",
                                key.first, key.second, list[i]->id, list[i]->number, i + 1));
        break;
      }
    }
    auto seq = db.sequences.find(key);
    const int last = list.back()->number;
    if (seq == db.sequences.end() || seq->second != last) {
      problem(absl::StrFormat("%s on %s: the number sequence says %d, the last ticket has %d",
                              key.first, key.second, seq == db.sequences.end() ? -1 : seq->second,
                              last));
    }
  }
  return problems;
}

std::vector<std::string> CheckAcknowledged(const DbSnapshot& db, const std::vector<Ack>& acks) {
  // (type, ticket, counter, at) of every event, to look acknowledgements up.
  std::set<std::tuple<std::string, uint64_t, uint32_t, int64_t>> events;
  std::set<std::pair<std::string, uint64_t>> ticket_events;
  for (const EventRow& e : db.events) {
    events.emplace(e.counter_state ? *e.counter_state : e.type, e.ticket_id, e.counter, e.at);
    ticket_events.emplace(e.type, e.ticket_id);
  }
  std::vector<std::string> problems;
  for (const Ack& a : acks) {
    const std::string what = absl::StrCat("acknowledged ", KindName(a.kind), " (ticket ",
                                          a.ticket_id, ", counter ", a.counter, ", at ", a.at, ")");
    bool found = false;
    switch (a.kind) {
      case Ack::Kind::kIssue: {
        auto t = db.tickets.find(a.ticket_id);
        found = t != db.tickets.end() &&
                absl::StrFormat("%s%03d", t->second.prefix, t->second.number) == a.number &&
                t->second.business_day == a.business_day && t->second.request_id == a.request_id &&
                t->second.issued_at == a.at &&
                events.contains({"ticket_issued", a.ticket_id, 0, a.at});
        break;
      }
      case Ack::Kind::kCancel:
        found = ticket_events.contains({"ticket_cancelled", a.ticket_id});
        break;
      case Ack::Kind::kOpen:
      case Ack::Kind::kPause:
      case Ack::Kind::kClose:
        found = events.contains({a.counter_state, 0, a.counter, a.at});
        break;
      case Ack::Kind::kCall:
        found = events.contains({"ticket_called", a.ticket_id, a.counter, a.at});
        break;
      case Ack::Kind::kRecall:
        found = events.contains({"ticket_recalled", a.ticket_id, a.counter, a.at});
        break;
      case Ack::Kind::kStart:
        found = events.contains({"service_started", a.ticket_id, a.counter, a.at});
        break;
      case Ack::Kind::kNoShow:
        found = events.contains({"ticket_no_show", a.ticket_id, a.counter, a.at});
        break;
      case Ack::Kind::kFinish:
        found = events.contains({"ticket_finished", a.ticket_id, a.counter, a.at});
        break;
      case Ack::Kind::kRate: {
        auto t = db.tickets.find(a.ticket_id);
        found = t != db.tickets.end() && t->second.rating == a.score &&
                ticket_events.contains({"ticket_rated", a.ticket_id});
        break;
      }
    }
    if (!found) problems.push_back(absl::StrCat(what, " is missing from the database"));
  }
  return problems;
}

}  // namespace lobbyq::crash
