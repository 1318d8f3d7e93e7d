#include "server/store/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/store/migrations.h"
#include "server/store/sqlite_util.h"

namespace lobbyq::store {
namespace {

using domain::Appointment;
using domain::BranchSnapshot;
using domain::Change;
using domain::CountedRule;
using domain::Counter;
using domain::Event;
using domain::NumberSequence;
using domain::RequestRecord;
using domain::ServiceConfig;
using domain::Ticket;

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
int64_t Micros(absl::Duration d) { return absl::ToInt64Microseconds(d); }
SqlValue Micros(std::optional<absl::Time> t) { return t ? SqlValue(Micros(*t)) : SqlValue(); }

// Ids are unsigned in the domain and signed in SQLite; the bits round-trip.
int64_t Id(uint64_t id) { return static_cast<int64_t>(id); }

template <typename E>
SqlValue NameOrNull(std::optional<E> value) {
  return value ? SqlValue(domain::Name(*value)) : SqlValue();
}

// 'green_channel:2,vip:1': the counted strategy's rules, in order.
std::string FormatCountedRules(const std::vector<CountedRule>& rules) {
  return absl::StrJoin(rules, ",", [](std::string* out, const CountedRule& rule) {
    absl::StrAppend(out, domain::Name(rule.priority), ":", rule.quota);
  });
}

std::optional<std::vector<CountedRule>> ParseCountedRules(absl::string_view text) {
  std::vector<CountedRule> rules;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, ':');
    if (parts.size() != 2) return std::nullopt;
    std::optional<domain::PriorityClass> priority = domain::ParsePriorityClass(parts[0]);
    CountedRule& rule = rules.emplace_back();
    if (!priority || !absl::SimpleAtoi(parts[1], &rule.quota)) return std::nullopt;
    rule.priority = *priority;
  }
  return rules;
}

// '1,0,2': the counted strategy's calls per rule.
std::optional<std::vector<int>> ParseIntList(absl::string_view text) {
  std::vector<int> values;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    if (!absl::SimpleAtoi(item, &values.emplace_back())) return std::nullopt;
  }
  return values;
}

// Decodes the columns of one result row. The first value that cannot be decoded
// is kept as a DataLoss status naming the table, the row and the column, so a
// caller reads every field and checks once.
class RowReader {
 public:
  RowReader(const Statement& stmt, absl::string_view table, std::string row)
      : stmt_(stmt), table_(table), row_(std::move(row)) {}

  int64_t Int(int col) const { return stmt_.Int(col); }
  uint64_t Id(int col) const { return static_cast<uint64_t>(stmt_.Int(col)); }
  std::string Text(int col) const { return stmt_.Text(col); }
  absl::Time Time(int col) const { return absl::FromUnixMicros(stmt_.Int(col)); }
  absl::Duration Duration(int col) const { return absl::Microseconds(stmt_.Int(col)); }
  bool Bool(int col) const { return stmt_.Int(col) != 0; }
  std::optional<absl::Time> OptionalTime(int col) const {
    if (stmt_.IsNull(col)) return std::nullopt;
    return Time(col);
  }

  absl::CivilDay Day(int col) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(stmt_.Text(col), &day)) Fail(col);
    return day;
  }

  template <typename E>
  E Enum(int col, std::optional<E> (*parse)(absl::string_view)) {
    std::optional<E> value = parse(stmt_.Text(col));
    if (!value) {
      Fail(col);
      return E{};
    }
    return *value;
  }

  // A value stored as text and decoded by `parse`, e.g. a list.
  template <typename T>
  T Parsed(int col, std::optional<T> (*parse)(absl::string_view)) {
    std::optional<T> value = parse(stmt_.Text(col));
    if (!value) {
      Fail(col);
      return T{};
    }
    return *std::move(value);
  }

  template <typename E>
  std::optional<E> OptionalEnum(int col, std::optional<E> (*parse)(absl::string_view)) {
    if (stmt_.IsNull(col)) return std::nullopt;
    return Enum(col, parse);
  }

  const absl::Status& status() const { return status_; }

 private:
  void Fail(int col) {
    if (!status_.ok()) return;
    status_ = absl::DataLossError(
        absl::StrFormat("database '%s': table %s, row %s, column %s: unreadable value '%s'",
                        DbName(stmt_.db()), table_, row_, stmt_.ColumnName(col), stmt_.Text(col)));
  }

  const Statement& stmt_;
  absl::string_view table_;
  std::string row_;
  absl::Status status_;
};

// Runs `sql` once per element of `rows`, with the parameters `bind` binds.
template <typename Row, typename BindFn>
absl::Status WriteRows(sqlite3* db, absl::string_view sql, const std::vector<Row>& rows,
                       BindFn bind) {
  if (rows.empty()) return absl::OkStatus();
  absl::StatusOr<Statement> stmt = Statement::Prepare(db, sql);
  if (!stmt.ok()) return stmt.status();
  for (const Row& row : rows) {
    if (absl::Status s = bind(*stmt, row); !s.ok()) return s;
    if (absl::Status s = stmt->Run(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

constexpr absl::string_view kUpsertBranch = R"sql(
INSERT INTO branches (id, name, timezone, rating_window_us, recall_limit, auto_no_show_after_us,
  reinstate_grace_us, reinstate_placement, transfer_placement, checkin_early_us, checkin_late_us,
  appointment_lead_us, opening_time_us, closing_time_us, slot_length_us, booking_horizon_days)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
ON CONFLICT (id) DO UPDATE SET
  name = excluded.name, timezone = excluded.timezone, rating_window_us = excluded.rating_window_us,
  recall_limit = excluded.recall_limit, auto_no_show_after_us = excluded.auto_no_show_after_us,
  reinstate_grace_us = excluded.reinstate_grace_us,
  reinstate_placement = excluded.reinstate_placement,
  transfer_placement = excluded.transfer_placement, checkin_early_us = excluded.checkin_early_us,
  checkin_late_us = excluded.checkin_late_us, appointment_lead_us = excluded.appointment_lead_us,
  opening_time_us = excluded.opening_time_us, closing_time_us = excluded.closing_time_us,
  slot_length_us = excluded.slot_length_us, booking_horizon_days = excluded.booking_horizon_days
)sql";

constexpr absl::string_view kSelectBranch = R"sql(
SELECT id, name, timezone, rating_window_us, recall_limit, auto_no_show_after_us,
  reinstate_grace_us, reinstate_placement, transfer_placement, checkin_early_us, checkin_late_us,
  appointment_lead_us, opening_time_us, closing_time_us, slot_length_us, booking_horizon_days
FROM branches WHERE id = ?1
)sql";

// A new service goes last; an existing one keeps its place.
constexpr absl::string_view kUpsertService = R"sql(
INSERT INTO services (branch_id, code, name_zh, name_en, target_wait_us, expected_service_us,
  max_wait_us, appointment_capacity, position)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
  (SELECT COALESCE(MAX(position), 0) + 1 FROM services WHERE branch_id = ?1))
ON CONFLICT (branch_id, code) DO UPDATE SET
  name_zh = excluded.name_zh, name_en = excluded.name_en,
  target_wait_us = excluded.target_wait_us, expected_service_us = excluded.expected_service_us,
  max_wait_us = excluded.max_wait_us, appointment_capacity = excluded.appointment_capacity
)sql";

constexpr absl::string_view kUpsertCounter = R"sql(
INSERT INTO counters (branch_id, number, name, service_codes, state, state_since_us,
  current_ticket_id, last_finished_ticket_id, strategy, counted_rules, counted_fallback,
  green_channel, counted_calls)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
ON CONFLICT (branch_id, number) DO UPDATE SET
  name = excluded.name, service_codes = excluded.service_codes, state = excluded.state,
  state_since_us = excluded.state_since_us, current_ticket_id = excluded.current_ticket_id,
  last_finished_ticket_id = excluded.last_finished_ticket_id, strategy = excluded.strategy,
  counted_rules = excluded.counted_rules, counted_fallback = excluded.counted_fallback,
  green_channel = excluded.green_channel, counted_calls = excluded.counted_calls
)sql";

// An upsert, not INSERT OR REPLACE: REPLACE would also resolve a clash on the
// request_id index by deleting the other ticket.
constexpr absl::string_view kUpsertTicket = R"sql(
INSERT INTO tickets (branch_id, ticket_id, number, prefix, service_code, origin_service_code,
  priority, state, business_day, issued_at_us, first_called_at_us, called_at_us, started_at_us,
  finished_at_us, counter, recall_count, request_id, rating, rating_comment, rated_at_us,
  queued_at_us, no_show_at_us, note, details_type, details_amount, details_account_tail,
  details_text, appointment_code, placed_front)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
  ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)
ON CONFLICT (branch_id, ticket_id) DO UPDATE SET
  number = excluded.number, prefix = excluded.prefix, service_code = excluded.service_code,
  origin_service_code = excluded.origin_service_code, priority = excluded.priority,
  state = excluded.state, business_day = excluded.business_day,
  issued_at_us = excluded.issued_at_us, first_called_at_us = excluded.first_called_at_us,
  called_at_us = excluded.called_at_us, started_at_us = excluded.started_at_us,
  finished_at_us = excluded.finished_at_us, counter = excluded.counter,
  recall_count = excluded.recall_count, request_id = excluded.request_id,
  rating = excluded.rating, rating_comment = excluded.rating_comment,
  rated_at_us = excluded.rated_at_us, queued_at_us = excluded.queued_at_us,
  no_show_at_us = excluded.no_show_at_us, note = excluded.note,
  details_type = excluded.details_type, details_amount = excluded.details_amount,
  details_account_tail = excluded.details_account_tail, details_text = excluded.details_text,
  appointment_code = excluded.appointment_code, placed_front = excluded.placed_front
)sql";

// An upsert for the same reason: a clash on the request_id index must fail.
constexpr absl::string_view kUpsertAppointment = R"sql(
INSERT INTO appointments (branch_id, code, service_code, slot_start_us, customer_name, phone,
  state, booked_at_us, closed_at_us, ticket_id, request_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
ON CONFLICT (branch_id, code) DO UPDATE SET
  service_code = excluded.service_code, slot_start_us = excluded.slot_start_us,
  customer_name = excluded.customer_name, phone = excluded.phone, state = excluded.state,
  booked_at_us = excluded.booked_at_us, closed_at_us = excluded.closed_at_us,
  ticket_id = excluded.ticket_id, request_id = excluded.request_id
)sql";

// Appointments with a slot from ?2 on, and every one still booked (?3) however
// old, so one never checked in can still be marked missed, or still holding a
// name or phone, so the domain purges it even after a long shutdown.
constexpr absl::string_view kSelectAppointments = R"sql(
SELECT code, service_code, slot_start_us, customer_name, phone, state, booked_at_us,
  closed_at_us, ticket_id, request_id
FROM appointments
WHERE branch_id = ?1 AND (slot_start_us >= ?2 OR state = ?3 OR phone <> '' OR customer_name <> '')
ORDER BY slot_start_us, code
)sql";

absl::StatusOr<Appointment> ReadAppointment(const Statement& stmt, absl::string_view branch_id) {
  RowReader r(stmt, "appointments",
              absl::StrFormat("(branch_id '%s', code '%s')", branch_id, stmt.Text(0)));
  Appointment a;
  a.code = r.Text(0);
  a.service_code = r.Text(1);
  a.slot_start = r.Time(2);
  a.customer_name = r.Text(3);
  a.phone = r.Text(4);
  a.state = r.Enum(5, domain::ParseAppointmentState);
  a.booked_at = r.Time(6);
  a.closed_at = r.OptionalTime(7);
  a.ticket_id = r.Id(8);
  a.request_id = r.Text(9);
  if (!r.status().ok()) return r.status();
  return a;
}

constexpr absl::string_view kUpsertSequence = R"sql(
INSERT INTO number_sequences (branch_id, service_code, business_day, last_number)
VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (branch_id, service_code, business_day) DO UPDATE SET
  last_number = excluded.last_number
)sql";

// A plain insert: a request id still remembered must never be written twice
// (the domain answers a retry without a change), so a clash fails the commit.
constexpr absl::string_view kInsertRequest = R"sql(
INSERT INTO requests (branch_id, request_id, operation, counter, subject, ticket_id, detail, at_us)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
)sql";

// Requests past the retention: the domain no longer answers from them, and an
// id may be used again.
constexpr absl::string_view kDeleteOldRequests = R"sql(
DELETE FROM requests WHERE branch_id = ?1 AND at_us < ?2
)sql";

constexpr absl::string_view kSelectRequests = R"sql(
SELECT request_id, operation, counter, subject, ticket_id, detail, at_us
FROM requests WHERE branch_id = ?1 AND at_us >= ?2 ORDER BY at_us, request_id
)sql";

constexpr absl::string_view kInsertEvent = R"sql(
INSERT INTO events (branch_id, at_us, type, counter, actor, ticket_id, from_state, to_state,
  counter_state, service_code, detail)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
)sql";

constexpr absl::string_view kSelectEvents = R"sql(
SELECT seq, at_us, branch_id, type, counter, actor, ticket_id, from_state, to_state,
  counter_state, service_code, detail
FROM events WHERE branch_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3
)sql";

constexpr absl::string_view kSelectEventsBetween = R"sql(
SELECT seq, at_us, branch_id, type, counter, actor, ticket_id, from_state, to_state,
  counter_state, service_code, detail
FROM events WHERE branch_id = ?1 AND at_us >= ?2 AND at_us < ?3 ORDER BY seq
)sql";

constexpr absl::string_view kSelectTicketEvents = R"sql(
SELECT seq, at_us, branch_id, type, counter, actor, ticket_id, from_state, to_state,
  counter_state, service_code, detail
FROM events WHERE branch_id = ?1 AND ticket_id = ?2 ORDER BY seq LIMIT ?3
)sql";

constexpr absl::string_view kSelectActorEvents = R"sql(
SELECT seq, at_us, branch_id, type, counter, actor, ticket_id, from_state, to_state,
  counter_state, service_code, detail
FROM events WHERE branch_id = ?1 AND actor = ?2 AND at_us >= ?3 AND at_us < ?4
ORDER BY seq LIMIT ?5
)sql";

// The last state change per counter before ?2; log order decides, as it does
// everywhere else. The partial index holds only state changes, so this reads
// a few rows per counter and day however long the log; without INDEXED BY
// the planner prefers the time index and walks every event before ?2.
constexpr absl::string_view kSelectCounterStatesAt = R"sql(
SELECT counter, counter_state FROM events
WHERE seq IN (SELECT MAX(seq) FROM events INDEXED BY events_counter_states
              WHERE branch_id = ?1 AND counter_state IS NOT NULL AND at_us < ?2
              GROUP BY counter)
ORDER BY counter
)sql";

absl::StatusOr<Event> ReadEvent(const Statement& stmt) {
  RowReader r(stmt, "events", absl::StrCat("seq ", stmt.Int(0)));
  Event e;
  e.seq = r.Id(0);
  e.at = r.Time(1);
  e.branch_id = r.Text(2);
  e.type = r.Enum(3, domain::ParseEventType);
  e.counter = static_cast<uint32_t>(r.Int(4));
  e.actor = r.Text(5);
  e.ticket_id = r.Id(6);
  e.from_state = r.OptionalEnum(7, domain::ParseTicketState);
  e.to_state = r.OptionalEnum(8, domain::ParseTicketState);
  e.counter_state = r.OptionalEnum(9, domain::ParseCounterState);
  e.service_code = r.Text(10);
  e.detail = r.Text(11);
  if (!r.status().ok()) return r.status();
  return e;
}

// The live states (domain::IsLive) are bound to ?2..?4: their tickets are
// restored whatever their age. A ticket finished lately is restored too, so the
// rating pad can still rate it after a restart, and so is a ticket that became
// NO_SHOW (?6) lately, so it can still be reinstated, and one still holding
// form-free details, so they are purged however long the server was down.
constexpr absl::string_view kSelectTickets = R"sql(
SELECT ticket_id, number, prefix, service_code, origin_service_code, priority, state,
  business_day, issued_at_us, first_called_at_us, called_at_us, started_at_us, finished_at_us,
  counter, recall_count, request_id, rating, rating_comment, rated_at_us, queued_at_us,
  no_show_at_us, note, details_type, details_amount, details_account_tail, details_text,
  appointment_code, placed_front
FROM tickets
WHERE branch_id = ?1 AND (state IN (?2, ?3, ?4) OR issued_at_us >= ?5 OR finished_at_us >= ?5
  OR (state = ?6 AND no_show_at_us >= ?5)
  OR details_type <> '' OR details_amount <> '' OR details_account_tail <> '' OR details_text <> '')
ORDER BY ticket_id
)sql";

absl::StatusOr<Ticket> ReadTicket(const Statement& stmt, absl::string_view branch_id) {
  RowReader r(stmt, "tickets",
              absl::StrFormat("(branch_id '%s', ticket_id %d)", branch_id, stmt.Int(0)));
  Ticket t;
  t.id = r.Id(0);
  t.number = static_cast<int>(r.Int(1));
  t.prefix = r.Text(2);
  t.service_code = r.Text(3);
  t.origin_service_code = r.Text(4);
  t.priority = r.Enum(5, domain::ParsePriorityClass);
  t.state = r.Enum(6, domain::ParseTicketState);
  t.business_day = r.Day(7);
  t.issued_at = r.Time(8);
  t.first_called_at = r.OptionalTime(9);
  t.called_at = r.OptionalTime(10);
  t.started_at = r.OptionalTime(11);
  t.finished_at = r.OptionalTime(12);
  t.counter = static_cast<uint32_t>(r.Int(13));
  t.recall_count = static_cast<uint32_t>(r.Int(14));
  t.request_id = r.Text(15);
  t.rating = static_cast<int>(r.Int(16));
  t.rating_comment = r.Text(17);
  t.rated_at = r.OptionalTime(18);
  t.queued_at = r.Time(19);
  t.no_show_at = r.OptionalTime(20);
  t.note = r.Text(21);
  t.details.type = r.Text(22);
  t.details.amount = r.Text(23);
  t.details.account_tail = r.Text(24);
  t.details.text = r.Text(25);
  t.appointment_code = r.Text(26);
  t.placed_front = r.Bool(27);
  if (!r.status().ok()) return r.status();
  return t;
}

// Reads a single integer, 0 if the query returns no row.
absl::StatusOr<int64_t> QueryInt(sqlite3* db, absl::string_view sql,
                                 std::initializer_list<SqlValue> params) {
  int64_t value = 0;
  absl::Status s = ForEachRow(db, sql, params, [&](const Statement& stmt) {
    value = stmt.Int(0);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return value;
}

// The events a query returns, in its order.
absl::StatusOr<std::vector<Event>> QueryEvents(sqlite3* db, absl::string_view sql,
                                               std::initializer_list<SqlValue> params) {
  std::vector<Event> events;
  absl::Status s = ForEachRow(db, sql, params, [&](const Statement& stmt) {
    absl::StatusOr<Event> e = ReadEvent(stmt);
    if (!e.ok()) return e.status();
    events.push_back(*std::move(e));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return events;
}

// What an operator reads when the file is damaged: which file, that it is
// corrupt, why SQLite thinks so, and what to do about it.
absl::Status CorruptDatabase(const std::string& file, absl::string_view detail) {
  return absl::DataLossError(absl::StrFormat(
      "database '%s' is corrupt (%s); lobbyq-server will not start on a damaged file. Move "
      "'%s' and its -wal and -shm files aside (keep them for diagnosis), copy the latest backup "
      "(made with lobbyq-server --backup) to '%s' and start again; see docs/operations.md",
      file, absl::StripPrefix(detail, absl::StrCat("database '", file, "': ")), file, file));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path, StoreOptions options) {
  std::optional<FileLock> lock;
  if (!path.empty() && path != ":memory:") {
    absl::StatusOr<FileLock> acquired = FileLock::Acquire(path + ".lock");
    if (!acquired.ok()) return acquired.status();
    lock = *std::move(acquired);
  }
  absl::StatusOr<sqlite3*> db = OpenDatabase(path);
  if (!db.ok()) return db.status();
  std::unique_ptr<Store> store(new Store(*db, std::move(lock)));
  std::lock_guard guard(store->mu_);
  if (absl::Status s = store->CheckIntegrity(); !s.ok()) return s;
  if (absl::Status s = store->Configure(options); !s.ok()) return s;
  if (absl::Status s = store->Migrate(); !s.ok()) return s;
  return store;
}

// close_v2 cannot fail for a valid handle: with statements still open it defers
// the close until they are finalized.
Store::~Store() { sqlite3_close_v2(db_); }

int Store::LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

absl::Status Store::CheckIntegrity() {
  // quick_check reads every page and checks the structure of every table and
  // index, but not that each index matches its table (integrity_check would,
  // at several times the cost at every start). A truncated file or a page of
  // garbage shows up here, before anything is migrated or served from it.
  constexpr int kMaxProblems = 3;
  std::vector<std::string> problems;
  absl::Status s = ForEachRow(db_, absl::StrCat("PRAGMA quick_check(", kMaxProblems, ")"), {},
                              [&](const Statement& stmt) {
                                problems.push_back(stmt.Text(0));
                                return absl::OkStatus();
                              });
  const std::string file = DbName(db_);
  if (!s.ok()) {
    // SQLite gives up on a file that is not a database at all, or whose
    // structure is too broken to walk.
    if (s.code() == absl::StatusCode::kDataLoss) return CorruptDatabase(file, s.message());
    return s;
  }
  if (problems.size() == 1 && problems[0] == "ok") return absl::OkStatus();
  return CorruptDatabase(file, absl::StrCat("quick_check: ", absl::StrJoin(problems, "; ")));
}

absl::Status Store::Configure(const StoreOptions& options) {
  std::string mode;
  absl::Status s = ForEachRow(db_, "PRAGMA journal_mode = WAL", {}, [&](const Statement& stmt) {
    mode = stmt.Text(0);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  // An in-memory database has no WAL; it answers "memory".
  if (mode != "wal" && DbName(db_) != ":memory:") {
    return absl::InternalError(absl::StrFormat(
        "database '%s': cannot switch to WAL mode (journal_mode is '%s')", DbName(db_), mode));
  }
  // In WAL mode NORMAL syncs only at checkpoints; FULL also syncs the log at
  // every commit, which is what makes an acknowledged change survive a power cut.
  const absl::string_view synchronous =
      options.durability == Durability::kNormal ? "NORMAL" : "FULL";
  return Exec(db_,
              absl::StrCat("PRAGMA synchronous = ", synchronous, "; PRAGMA foreign_keys = ON;"));
}

absl::StatusOr<Durability> Store::CurrentDurability() {
  std::lock_guard lock(mu_);
  absl::StatusOr<int64_t> level = QueryInt(db_, "PRAGMA synchronous", {});
  if (!level.ok()) return level.status();
  // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA; the store sets only the two it offers.
  switch (*level) {
    case 1:
      return Durability::kNormal;
    case 2:
      return Durability::kFull;
    default:
      return absl::InternalError(absl::StrFormat(
          "database '%s': unexpected PRAGMA synchronous = %d", DbName(db_), *level));
  }
}

absl::StatusOr<int> Store::UserVersion() {
  absl::StatusOr<int64_t> version = QueryInt(db_, "PRAGMA user_version", {});
  if (!version.ok()) return version.status();
  return static_cast<int>(*version);
}

absl::Status Store::Migrate() {
  const int latest = LatestSchemaVersion();
  while (true) {
    // The version is read inside the write transaction, so two processes opening
    // the same file cannot both apply a migration.
    absl::StatusOr<Transaction> txn = Transaction::BeginWrite(db_);
    if (!txn.ok()) return txn.status();
    absl::StatusOr<int> version = UserVersion();
    if (!version.ok()) return version.status();
    if (*version > latest) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "database %s was written by a newer lobbyq (schema %d, this build knows %d)", DbName(db_),
          *version, latest));
    }
    if (*version < 0) {
      return absl::DataLossError(
          absl::StrFormat("database %s has invalid schema version %d", DbName(db_), *version));
    }
    if (*version == latest) return txn->Commit();
    if (absl::Status s = Exec(db_, Migrations()[*version]); !s.ok()) return s;
    if (absl::Status s = Exec(db_, absl::StrCat("PRAGMA user_version = ", *version + 1)); !s.ok()) {
      return s;
    }
    if (absl::Status s = txn->Commit(); !s.ok()) return s;
  }
}

absl::StatusOr<int> Store::SchemaVersion() {
  std::lock_guard lock(mu_);
  return UserVersion();
}

namespace {

// `seqs` from a committed Write, or empty: seqs from an earlier, failed
// attempt must not survive.
void SetSeqs(Change& change, const std::vector<uint64_t>& seqs) {
  for (size_t i = 0; i < change.events.size(); ++i) {
    change.events[i].seq = i < seqs.size() ? seqs[i] : 0;
  }
}

}  // namespace

absl::Status Store::Commit(Change& change) {
  std::lock_guard lock(mu_);
  return CommitOne(change);
}

absl::Status Store::CommitOne(Change& change) {
  if (change.empty()) return absl::OkStatus();
  std::vector<uint64_t> seqs;
  absl::Status status;
  {
    absl::StatusOr<Transaction> txn = Transaction::BeginWrite(db_);
    status = txn.ok() ? Write(change, seqs) : txn.status();
    if (status.ok()) status = txn->Commit();
  }
  if (!status.ok()) seqs.clear();
  SetSeqs(change, seqs);
  return status;
}

std::vector<absl::Status> Store::CommitAll(std::span<Change* const> changes) {
  std::lock_guard lock(mu_);
  std::vector<absl::Status> statuses(changes.size());
  if (changes.size() == 1) {
    statuses[0] = CommitOne(*changes[0]);
    return statuses;
  }
  {
    std::vector<std::vector<uint64_t>> seqs(changes.size());
    absl::Status s;
    absl::StatusOr<Transaction> txn = Transaction::BeginWrite(db_);
    if (!txn.ok()) s = txn.status();
    for (size_t i = 0; s.ok() && i < changes.size(); ++i) {
      if (!changes[i]->empty()) s = Write(*changes[i], seqs[i]);
    }
    if (s.ok()) s = txn->Commit();
    if (s.ok()) {
      for (size_t i = 0; i < changes.size(); ++i) SetSeqs(*changes[i], seqs[i]);
      return statuses;
    }
    // The transaction rolls back here, taking every change of the batch with it.
  }
  // One change the database refuses must not fail the others: each is tried
  // alone, so only the one at fault (or all, if the disk is at fault) fails.
  for (size_t i = 0; i < changes.size(); ++i) statuses[i] = CommitOne(*changes[i]);
  return statuses;
}

absl::Status Store::Write(const Change& change, std::vector<uint64_t>& seqs) {
  if (change.branch_id.empty()) return absl::InvalidArgumentError("change names no branch");
  if (change.branch && change.branch->id != change.branch_id) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "change for branch '%s' carries info of branch '%s'", change.branch_id, change.branch->id));
  }
  const absl::string_view branch_id = change.branch_id;

  if (change.branch) {
    absl::StatusOr<Statement> stmt = Statement::Prepare(db_, kUpsertBranch);
    if (!stmt.ok()) return stmt.status();
    const domain::BranchInfo& b = *change.branch;
    absl::Status s =
        stmt->Bind({b.id, b.name, b.timezone, Micros(b.rating_window), b.recall_limit,
                    Micros(b.auto_no_show_after), Micros(b.reinstate_grace),
                    domain::Name(b.reinstate_placement), domain::Name(b.transfer_placement),
                    Micros(b.checkin_early), Micros(b.checkin_late), Micros(b.appointment_lead),
                    Micros(b.opening_time), Micros(b.closing_time), Micros(b.slot_length),
                    b.booking_horizon_days});
    if (!s.ok()) return s;
    if (absl::Status s = stmt->Run(); !s.ok()) return s;
  }

  absl::Status s = WriteRows(
      db_, kUpsertService, change.services, [&](Statement& stmt, const ServiceConfig& svc) {
        return stmt.Bind({branch_id, svc.code, svc.name_zh, svc.name_en, Micros(svc.target_wait),
                          Micros(svc.expected_service_time), Micros(svc.max_wait),
                          svc.appointment_capacity});
      });
  if (!s.ok()) return s;

  s = WriteRows(db_, kUpsertCounter, change.counters, [&](Statement& stmt, const Counter& c) {
    return stmt.Bind({branch_id, c.number, c.name, absl::StrJoin(c.service_codes, ","),
                      domain::Name(c.state), Micros(c.state_since), Id(c.current_ticket_id),
                      Id(c.last_finished_ticket_id), domain::Name(c.strategy),
                      FormatCountedRules(c.counted_rules), domain::Name(c.counted_fallback),
                      int64_t{c.green_channel ? 1 : 0}, absl::StrJoin(c.counted_calls, ",")});
  });
  if (!s.ok()) return s;

  s = WriteRows(db_, kUpsertTicket, change.tickets, [&](Statement& stmt, const Ticket& t) {
    return stmt.Bind({branch_id,
                      Id(t.id),
                      t.number,
                      t.prefix,
                      t.service_code,
                      t.origin_service_code,
                      domain::Name(t.priority),
                      domain::Name(t.state),
                      absl::FormatCivilTime(t.business_day),
                      Micros(t.issued_at),
                      Micros(t.first_called_at),
                      Micros(t.called_at),
                      Micros(t.started_at),
                      Micros(t.finished_at),
                      t.counter,
                      t.recall_count,
                      t.request_id,
                      t.rating,
                      t.rating_comment,
                      Micros(t.rated_at),
                      Micros(t.queued_at),
                      Micros(t.no_show_at),
                      t.note,
                      t.details.type,
                      t.details.amount,
                      t.details.account_tail,
                      t.details.text,
                      t.appointment_code,
                      int64_t{t.placed_front ? 1 : 0}});
  });
  if (!s.ok()) return s;

  s = WriteRows(db_, kUpsertSequence, change.sequences,
                [&](Statement& stmt, const NumberSequence& seq) {
                  return stmt.Bind({branch_id, seq.service_code,
                                    absl::FormatCivilTime(seq.business_day), seq.last_number});
                });
  if (!s.ok()) return s;

  s = WriteRows(
      db_, kUpsertAppointment, change.appointments, [&](Statement& stmt, const Appointment& a) {
        return stmt.Bind({branch_id, a.code, a.service_code, Micros(a.slot_start), a.customer_name,
                          a.phone, domain::Name(a.state), Micros(a.booked_at), Micros(a.closed_at),
                          Id(a.ticket_id), a.request_id});
      });
  if (!s.ok()) return s;

  if (!change.requests.empty()) {
    absl::Time newest = change.requests.front().at;
    for (const RequestRecord& r : change.requests) newest = std::max(newest, r.at);
    absl::StatusOr<Statement> stmt = Statement::Prepare(db_, kDeleteOldRequests);
    if (!stmt.ok()) return stmt.status();
    if (s = stmt->Bind({branch_id, Micros(newest - domain::kRequestIdRetention)}); !s.ok()) {
      return s;
    }
    if (s = stmt->Run(); !s.ok()) return s;
  }
  s = WriteRows(db_, kInsertRequest, change.requests, [&](Statement& stmt, const RequestRecord& r) {
    return stmt.Bind({branch_id, r.request_id, r.operation, r.counter, r.subject, Id(r.ticket_id),
                      r.detail, Micros(r.at)});
  });
  if (!s.ok()) return s;

  if (!change.events.empty()) {
    absl::StatusOr<Statement> stmt = Statement::Prepare(db_, kInsertEvent);
    if (!stmt.ok()) return stmt.status();
    for (const Event& e : change.events) {
      s = stmt->Bind({e.branch_id, Micros(e.at), domain::Name(e.type), e.counter, e.actor,
                      Id(e.ticket_id), NameOrNull(e.from_state), NameOrNull(e.to_state),
                      NameOrNull(e.counter_state), e.service_code, e.detail});
      if (!s.ok()) return s;
      if (s = stmt->Run(); !s.ok()) return s;
      seqs.push_back(static_cast<uint64_t>(sqlite3_last_insert_rowid(db_)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Store::ListBranchIds() {
  std::lock_guard lock(mu_);
  std::vector<std::string> ids;
  absl::Status s =
      ForEachRow(db_, "SELECT id FROM branches ORDER BY id", {}, [&](const Statement& stmt) {
        ids.push_back(stmt.Text(0));
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return ids;
}

absl::StatusOr<BranchSnapshot> Store::LoadBranch(const std::string& branch_id,
                                                 absl::Time closed_since) {
  std::lock_guard lock(mu_);
  return Read(branch_id, closed_since);
}

absl::StatusOr<BranchSnapshot> Store::Read(const std::string& branch_id, absl::Time closed_since) {
  // One read transaction, so the snapshot is consistent even if another process
  // writes the file meanwhile.
  absl::StatusOr<Transaction> txn = Transaction::BeginRead(db_);
  if (!txn.ok()) return txn.status();
  BranchSnapshot snap;
  bool found = false;
  absl::Status s = ForEachRow(db_, kSelectBranch, {branch_id}, [&](const Statement& stmt) {
    RowReader r(stmt, "branches", absl::StrFormat("'%s'", branch_id));
    domain::BranchInfo& b = snap.info;
    b.id = r.Text(0);
    b.name = r.Text(1);
    b.timezone = r.Text(2);
    b.rating_window = r.Duration(3);
    b.recall_limit = static_cast<int>(r.Int(4));
    b.auto_no_show_after = r.Duration(5);
    b.reinstate_grace = r.Duration(6);
    b.reinstate_placement = r.Enum(7, domain::ParsePlacement);
    b.transfer_placement = r.Enum(8, domain::ParsePlacement);
    b.checkin_early = r.Duration(9);
    b.checkin_late = r.Duration(10);
    b.appointment_lead = r.Duration(11);
    b.opening_time = r.Duration(12);
    b.closing_time = r.Duration(13);
    b.slot_length = r.Duration(14);
    b.booking_horizon_days = static_cast<int>(r.Int(15));
    found = true;
    return r.status();
  });
  if (!s.ok()) return s;
  if (!found) return absl::NotFoundError(absl::StrFormat("branch '%s' does not exist", branch_id));

  s = ForEachRow(db_,
                 "SELECT code, name_zh, name_en, target_wait_us, expected_service_us, max_wait_us, "
                 "appointment_capacity FROM services WHERE branch_id = ?1 ORDER BY position",
                 {branch_id}, [&](const Statement& stmt) {
                   RowReader r(
                       stmt, "services",
                       absl::StrFormat("(branch_id '%s', code '%s')", branch_id, stmt.Text(0)));
                   ServiceConfig& svc = snap.services.emplace_back();
                   svc.code = r.Text(0);
                   svc.name_zh = r.Text(1);
                   svc.name_en = r.Text(2);
                   svc.target_wait = r.Duration(3);
                   svc.expected_service_time = r.Duration(4);
                   svc.max_wait = r.Duration(5);
                   svc.appointment_capacity = static_cast<int>(r.Int(6));
                   return r.status();
                 });
  if (!s.ok()) return s;

  s = ForEachRow(db_,
                 "SELECT number, name, service_codes, state, state_since_us, current_ticket_id, "
                 "last_finished_ticket_id, strategy, counted_rules, counted_fallback, "
                 "green_channel, counted_calls FROM counters WHERE branch_id = ?1 ORDER BY number",
                 {branch_id}, [&](const Statement& stmt) {
                   RowReader r(
                       stmt, "counters",
                       absl::StrFormat("(branch_id '%s', number %d)", branch_id, stmt.Int(0)));
                   Counter& c = snap.counters.emplace_back();
                   c.number = static_cast<uint32_t>(r.Int(0));
                   c.name = r.Text(1);
                   c.service_codes = absl::StrSplit(r.Text(2), ',', absl::SkipEmpty());
                   c.state = r.Enum(3, domain::ParseCounterState);
                   c.state_since = r.Time(4);
                   c.current_ticket_id = r.Id(5);
                   c.last_finished_ticket_id = r.Id(6);
                   c.strategy = r.Enum(7, domain::ParseCallStrategy);
                   c.counted_rules = r.Parsed(8, ParseCountedRules);
                   c.counted_fallback = r.Enum(9, domain::ParsePriorityClass);
                   c.green_channel = r.Bool(10);
                   c.counted_calls = r.Parsed(11, ParseIntList);
                   return r.status();
                 });
  if (!s.ok()) return s;

  s = ForEachRow(
      db_, kSelectTickets,
      {branch_id, domain::Name(domain::TicketState::kWaiting),
       domain::Name(domain::TicketState::kCalled), domain::Name(domain::TicketState::kServing),
       Micros(closed_since), domain::Name(domain::TicketState::kNoShow)},
      [&](const Statement& stmt) {
        absl::StatusOr<Ticket> t = ReadTicket(stmt, branch_id);
        if (!t.ok()) return t.status();
        snap.tickets.push_back(*std::move(t));
        return absl::OkStatus();
      });
  if (!s.ok()) return s;

  s = ForEachRow(db_,
                 "SELECT service_code, business_day, last_number FROM number_sequences "
                 "WHERE branch_id = ?1 ORDER BY service_code, business_day",
                 {branch_id}, [&](const Statement& stmt) {
                   RowReader r(stmt, "number_sequences",
                               absl::StrFormat("(branch_id '%s', service_code '%s')", branch_id,
                                               stmt.Text(0)));
                   NumberSequence& seq = snap.sequences.emplace_back();
                   seq.service_code = r.Text(0);
                   seq.business_day = r.Day(1);
                   seq.last_number = static_cast<int>(r.Int(2));
                   return r.status();
                 });
  if (!s.ok()) return s;

  s = ForEachRow(db_, kSelectAppointments,
                 {branch_id, Micros(closed_since), domain::Name(domain::AppointmentState::kBooked)},
                 [&](const Statement& stmt) {
                   absl::StatusOr<Appointment> a = ReadAppointment(stmt, branch_id);
                   if (!a.ok()) return a.status();
                   snap.appointments.push_back(*std::move(a));
                   return absl::OkStatus();
                 });
  if (!s.ok()) return s;

  s = ForEachRow(
      db_, kSelectRequests, {branch_id, Micros(closed_since)}, [&](const Statement& stmt) {
        RowReader r(stmt, "requests",
                    absl::StrFormat("(branch_id '%s', request_id '%s')", branch_id, stmt.Text(0)));
        RequestRecord& record = snap.requests.emplace_back();
        record.request_id = r.Text(0);
        record.operation = r.Text(1);
        record.counter = static_cast<uint32_t>(r.Int(2));
        record.subject = r.Text(3);
        record.ticket_id = r.Id(4);
        record.detail = r.Text(5);
        record.at = r.Time(6);
        return r.status();
      });
  if (!s.ok()) return s;

  absl::StatusOr<int64_t> max_ticket_id = QueryInt(
      db_, "SELECT COALESCE(MAX(ticket_id), 0) FROM tickets WHERE branch_id = ?1", {branch_id});
  if (!max_ticket_id.ok()) return max_ticket_id.status();
  snap.max_ticket_id = static_cast<uint64_t>(*max_ticket_id);

  absl::StatusOr<int64_t> last_seq =
      QueryInt(db_, "SELECT COALESCE(MAX(seq), 0) FROM events WHERE branch_id = ?1", {branch_id});
  if (!last_seq.ok()) return last_seq.status();
  snap.last_event_seq = static_cast<uint64_t>(*last_seq);

  if (absl::Status c = txn->Commit(); !c.ok()) return c;
  return snap;
}

absl::StatusOr<std::vector<Event>> Store::ReadEvents(const std::string& branch_id,
                                                     uint64_t after_seq, int limit) {
  std::lock_guard lock(mu_);
  if (limit <= 0) return std::vector<Event>{};
  const int64_t after =
      static_cast<int64_t>(std::min<uint64_t>(after_seq, std::numeric_limits<int64_t>::max()));
  return QueryEvents(db_, kSelectEvents, {branch_id, after, limit});
}

absl::StatusOr<std::vector<Event>> Store::ReadEventsBetween(const std::string& branch_id,
                                                            absl::Time from, absl::Time to) {
  std::lock_guard lock(mu_);
  if (to <= from) return std::vector<Event>{};
  return QueryEvents(db_, kSelectEventsBetween, {branch_id, Micros(from), Micros(to)});
}

absl::StatusOr<std::vector<Event>> Store::ReadTicketEvents(const std::string& branch_id,
                                                           uint64_t ticket_id, int limit) {
  std::lock_guard lock(mu_);
  return QueryEvents(db_, kSelectTicketEvents,
                     {branch_id, static_cast<int64_t>(ticket_id), int64_t{limit}});
}

absl::StatusOr<std::vector<Event>> Store::ReadActorEvents(const std::string& branch_id,
                                                          const std::string& actor, absl::Time from,
                                                          absl::Time to, int limit) {
  std::lock_guard lock(mu_);
  return QueryEvents(db_, kSelectActorEvents,
                     {branch_id, actor, Micros(from), Micros(to), int64_t{limit}});
}

absl::StatusOr<std::map<uint32_t, domain::CounterState>> Store::CounterStatesAt(
    const std::string& branch_id, absl::Time t) {
  std::lock_guard lock(mu_);
  std::map<uint32_t, domain::CounterState> states;
  absl::Status s =
      ForEachRow(db_, kSelectCounterStatesAt, {branch_id, Micros(t)}, [&](const Statement& stmt) {
        RowReader r(stmt, "events", absl::StrCat("counter ", stmt.Int(0)));
        const auto counter = static_cast<uint32_t>(r.Int(0));
        const domain::CounterState state = r.Enum(1, domain::ParseCounterState);
        if (!r.status().ok()) return r.status();
        states[counter] = state;
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return states;
}

}  // namespace lobbyq::store
