#include "server/store/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/store/migrations.h"
#include "server/store/sqlite_util.h"

namespace lobbyq::store {
namespace {

using domain::BranchSnapshot;
using domain::Change;
using domain::Counter;
using domain::Event;
using domain::NumberSequence;
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

// Runs `sql` with `params` and hands each result row to `read`, which returns a
// Status; stops at the first error.
template <typename ReadFn>
absl::Status ForEachRow(sqlite3* db, absl::string_view sql, std::initializer_list<SqlValue> params,
                        ReadFn read) {
  absl::StatusOr<Statement> stmt = Statement::Prepare(db, sql);
  if (!stmt.ok()) return stmt.status();
  if (absl::Status s = stmt->Bind(params); !s.ok()) return s;
  while (true) {
    absl::StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
    if (absl::Status s = read(*stmt); !s.ok()) return s;
  }
}

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
INSERT INTO branches (id, name, timezone, rating_window_us) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (id) DO UPDATE SET
  name = excluded.name, timezone = excluded.timezone, rating_window_us = excluded.rating_window_us
)sql";

// A new service goes last; an existing one keeps its place.
constexpr absl::string_view kUpsertService = R"sql(
INSERT INTO services
  (branch_id, code, name_zh, name_en, target_wait_us, expected_service_us, position)
VALUES (?1, ?2, ?3, ?4, ?5, ?6,
  (SELECT COALESCE(MAX(position), 0) + 1 FROM services WHERE branch_id = ?1))
ON CONFLICT (branch_id, code) DO UPDATE SET
  name_zh = excluded.name_zh, name_en = excluded.name_en,
  target_wait_us = excluded.target_wait_us, expected_service_us = excluded.expected_service_us
)sql";

constexpr absl::string_view kUpsertCounter = R"sql(
INSERT INTO counters (branch_id, number, name, service_codes, state, state_since_us,
  current_ticket_id, last_finished_ticket_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
ON CONFLICT (branch_id, number) DO UPDATE SET
  name = excluded.name, service_codes = excluded.service_codes, state = excluded.state,
  state_since_us = excluded.state_since_us, current_ticket_id = excluded.current_ticket_id,
  last_finished_ticket_id = excluded.last_finished_ticket_id
)sql";

// An upsert, not INSERT OR REPLACE: REPLACE would also resolve a clash on the
// request_id index by deleting the other ticket.
constexpr absl::string_view kUpsertTicket = R"sql(
INSERT INTO tickets (branch_id, ticket_id, number, prefix, service_code, origin_service_code,
  priority, state, business_day, issued_at_us, first_called_at_us, called_at_us, started_at_us,
  finished_at_us, counter, recall_count, request_id, rating, rating_comment, rated_at_us)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
ON CONFLICT (branch_id, ticket_id) DO UPDATE SET
  number = excluded.number, prefix = excluded.prefix, service_code = excluded.service_code,
  origin_service_code = excluded.origin_service_code, priority = excluded.priority,
  state = excluded.state, business_day = excluded.business_day,
  issued_at_us = excluded.issued_at_us, first_called_at_us = excluded.first_called_at_us,
  called_at_us = excluded.called_at_us, started_at_us = excluded.started_at_us,
  finished_at_us = excluded.finished_at_us, counter = excluded.counter,
  recall_count = excluded.recall_count, request_id = excluded.request_id,
  rating = excluded.rating, rating_comment = excluded.rating_comment,
  rated_at_us = excluded.rated_at_us
)sql";

constexpr absl::string_view kUpsertSequence = R"sql(
INSERT INTO number_sequences (branch_id, service_code, business_day, last_number)
VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (branch_id, service_code, business_day) DO UPDATE SET
  last_number = excluded.last_number
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
// rating pad can still rate it after a restart.
constexpr absl::string_view kSelectTickets = R"sql(
SELECT ticket_id, number, prefix, service_code, origin_service_code, priority, state,
  business_day, issued_at_us, first_called_at_us, called_at_us, started_at_us, finished_at_us,
  counter, recall_count, request_id, rating, rating_comment, rated_at_us
FROM tickets
WHERE branch_id = ?1 AND (state IN (?2, ?3, ?4) OR issued_at_us >= ?5 OR finished_at_us >= ?5)
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

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path) {
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
  if (absl::Status s = store->Configure(); !s.ok()) return s;
  if (absl::Status s = store->Migrate(); !s.ok()) return s;
  return store;
}

// close_v2 cannot fail for a valid handle: with statements still open it defers
// the close until they are finalized.
Store::~Store() { sqlite3_close_v2(db_); }

int Store::LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

absl::Status Store::Configure() {
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
  return Exec(db_, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
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

absl::Status Store::Commit(Change& change) {
  std::lock_guard lock(mu_);
  std::vector<uint64_t> seqs;
  absl::Status status = Write(change, seqs);
  for (size_t i = 0; i < change.events.size(); ++i) {
    change.events[i].seq = status.ok() ? seqs[i] : 0;
  }
  return status;
}

absl::Status Store::Write(const Change& change, std::vector<uint64_t>& seqs) {
  if (change.empty()) return absl::OkStatus();
  if (change.branch_id.empty()) return absl::InvalidArgumentError("change names no branch");
  if (change.branch && change.branch->id != change.branch_id) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "change for branch '%s' carries info of branch '%s'", change.branch_id, change.branch->id));
  }
  const absl::string_view branch_id = change.branch_id;

  absl::StatusOr<Transaction> txn = Transaction::BeginWrite(db_);
  if (!txn.ok()) return txn.status();

  if (change.branch) {
    absl::StatusOr<Statement> stmt = Statement::Prepare(db_, kUpsertBranch);
    if (!stmt.ok()) return stmt.status();
    const domain::BranchInfo& b = *change.branch;
    if (absl::Status s = stmt->Bind({b.id, b.name, b.timezone, Micros(b.rating_window)}); !s.ok()) {
      return s;
    }
    if (absl::Status s = stmt->Run(); !s.ok()) return s;
  }

  absl::Status s = WriteRows(
      db_, kUpsertService, change.services, [&](Statement& stmt, const ServiceConfig& svc) {
        return stmt.Bind({branch_id, svc.code, svc.name_zh, svc.name_en, Micros(svc.target_wait),
                          Micros(svc.expected_service_time)});
      });
  if (!s.ok()) return s;

  s = WriteRows(db_, kUpsertCounter, change.counters, [&](Statement& stmt, const Counter& c) {
    return stmt.Bind({branch_id, c.number, c.name, absl::StrJoin(c.service_codes, ","),
                      domain::Name(c.state), Micros(c.state_since), Id(c.current_ticket_id),
                      Id(c.last_finished_ticket_id)});
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
                      Micros(t.rated_at)});
  });
  if (!s.ok()) return s;

  s = WriteRows(db_, kUpsertSequence, change.sequences,
                [&](Statement& stmt, const NumberSequence& seq) {
                  return stmt.Bind({branch_id, seq.service_code,
                                    absl::FormatCivilTime(seq.business_day), seq.last_number});
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

  return txn->Commit();
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
  absl::Status s =
      ForEachRow(db_, "SELECT id, name, timezone, rating_window_us FROM branches WHERE id = ?1",
                 {branch_id}, [&](const Statement& stmt) {
                   RowReader r(stmt, "branches", absl::StrFormat("'%s'", branch_id));
                   snap.info.id = r.Text(0);
                   snap.info.name = r.Text(1);
                   snap.info.timezone = r.Text(2);
                   snap.info.rating_window = r.Duration(3);
                   found = true;
                   return r.status();
                 });
  if (!s.ok()) return s;
  if (!found) return absl::NotFoundError(absl::StrFormat("branch '%s' does not exist", branch_id));

  s = ForEachRow(db_,
                 "SELECT code, name_zh, name_en, target_wait_us, expected_service_us FROM services "
                 "WHERE branch_id = ?1 ORDER BY position",
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
                   return r.status();
                 });
  if (!s.ok()) return s;

  s = ForEachRow(db_,
                 "SELECT number, name, service_codes, state, state_since_us, current_ticket_id, "
                 "last_finished_ticket_id FROM counters WHERE branch_id = ?1 ORDER BY number",
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
                   return r.status();
                 });
  if (!s.ok()) return s;

  s = ForEachRow(db_, kSelectTickets,
                 {branch_id, domain::Name(domain::TicketState::kWaiting),
                  domain::Name(domain::TicketState::kCalled),
                  domain::Name(domain::TicketState::kServing), Micros(closed_since)},
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
  std::vector<Event> events;
  if (limit <= 0) return events;
  const int64_t after =
      static_cast<int64_t>(std::min<uint64_t>(after_seq, std::numeric_limits<int64_t>::max()));
  absl::Status s =
      ForEachRow(db_, kSelectEvents, {branch_id, after, limit}, [&](const Statement& stmt) {
        absl::StatusOr<Event> e = ReadEvent(stmt);
        if (!e.ok()) return e.status();
        events.push_back(*std::move(e));
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return events;
}

}  // namespace lobbyq::store
