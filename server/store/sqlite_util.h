#pragma once

// Thin RAII layer over the SQLite C API. Every SQLite result code becomes an
// absl::Status naming the database file and SQLite's own error text.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sqlite3;
struct sqlite3_stmt;

namespace lobbyq::store {

// NULL, INTEGER or TEXT, the only storage classes the schema uses.
using SqlValue = std::variant<std::monostate, int64_t, absl::string_view>;

// Holds an exclusive advisory lock (flock) on a file for as long as it lives.
// The kernel drops it when the process dies, so a crash never leaves it stuck.
class FileLock {
 public:
  // FailedPrecondition if another process holds the lock.
  static absl::StatusOr<FileLock> Acquire(const std::string& path);
  FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

enum class OpenMode {
  kReadWriteCreate,
  // Never writes the database file (a backup reads a file a server may be
  // writing); SQLite may still create the -shm index of a WAL database.
  kReadOnly,
};

// Opens the database at `path`, "" or ":memory:" meaning a private in-memory
// one, with extended result codes and a busy timeout; kReadWriteCreate creates
// a missing file. The caller owns the handle and closes it with
// sqlite3_close_v2 (or hands it to a DbHandle).
absl::StatusOr<sqlite3*> OpenDatabase(const std::string& path,
                                      OpenMode mode = OpenMode::kReadWriteCreate);

// Closes a connection with sqlite3_close_v2.
struct DbCloser {
  void operator()(sqlite3* db) const;
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

// The file behind `db`, or ":memory:" for an in-memory database.
std::string DbName(sqlite3* db);

// Unavailable for transient or environmental failures (busy, locked, I/O, full,
// cannot open), DataLoss for a corrupt file, Internal otherwise.
absl::StatusCode SqliteStatusCode(int rc);
// That code, with a message naming the file behind `db`, `context` and SQLite's text.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view context);

// Runs one or more SQL statements that return no rows.
absl::Status Exec(sqlite3* db, absl::string_view sql);

// A prepared statement, finalized on destruction.
class Statement {
 public:
  static absl::StatusOr<Statement> Prepare(sqlite3* db, absl::string_view sql);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Binds `values` to parameters 1..N; N must be the statement's parameter count.
  absl::Status Bind(std::initializer_list<SqlValue> values);
  // Returns true when a row is ready, false when the statement is done.
  absl::StatusOr<bool> Step();
  // Steps a statement that must not return rows, then resets it for reuse.
  absl::Status Run();

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  std::string Text(int col) const;
  absl::string_view ColumnName(int col) const;
  sqlite3* db() const;

 private:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  absl::Status Error(int rc) const;

  sqlite3_stmt* stmt_;
};

// A transaction that rolls back on destruction unless committed.
class Transaction {
 public:
  // BEGIN IMMEDIATE: takes the write lock now, so a later write cannot fail busy
  // halfway through.
  static absl::StatusOr<Transaction> BeginWrite(sqlite3* db);
  // BEGIN DEFERRED: a consistent snapshot for several reads.
  static absl::StatusOr<Transaction> BeginRead(sqlite3* db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  absl::Status Commit();

 private:
  explicit Transaction(sqlite3* db) : db_(db) {}

  sqlite3* db_;  // null once committed or moved from
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

}  // namespace lobbyq::store
