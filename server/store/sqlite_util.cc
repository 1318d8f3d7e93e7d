#include "server/store/sqlite_util.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <sqlite3.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace lobbyq::store {
namespace {

absl::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return absl::StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    default:
      return absl::StatusCode::kInternal;
  }
}

// Enough of a statement to recognise it in an error message, on one line.
std::string Abbreviate(absl::string_view sql) {
  constexpr size_t kMax = 60;
  std::string out;
  for (char c : sql) {
    if (out.size() == kMax) return absl::StrCat(out, "...");
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

absl::StatusOr<FileLock> FileLock::Acquire(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot open lock file ", path, ": ", std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          absl::StrCat("the database is in use by another lobbyq-server (", path,
                       " is locked); stop it or use another --data directory"));
    }
    return absl::UnavailableError(absl::StrCat("cannot lock ", path, ": ", std::strerror(error)));
  }
  return FileLock(fd);
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

absl::StatusOr<sqlite3*> OpenDatabase(const std::string& path, OpenMode mode) {
  // Long enough to ride out a backup or an operator's sqlite3 shell; a server
  // that waits longer than this should fail the request instead.
  constexpr int kBusyTimeoutMs = 5000;
  const std::string file = path.empty() ? ":memory:" : path;
  sqlite3* db = nullptr;
  const int flags = mode == OpenMode::kReadOnly ? SQLITE_OPEN_READONLY
                                                : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_extended_result_codes(db, 1);
  if (rc == SQLITE_OK) rc = sqlite3_busy_timeout(db, kBusyTimeoutMs);
  if (rc != SQLITE_OK) {
    absl::Status status(
        CodeFor(rc), absl::StrFormat("database '%s': opening: %s (sqlite code %d)", file,
                                     db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc));
    sqlite3_close_v2(db);  // a handle comes back even when opening failed
    return status;
  }
  return db;
}

void DbCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

absl::StatusCode SqliteStatusCode(int rc) { return CodeFor(rc); }

std::string DbName(sqlite3* db) {
  const char* file = sqlite3_db_filename(db, "main");
  return file == nullptr || *file == '\0' ? ":memory:" : file;
}

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view context) {
  return absl::Status(CodeFor(rc), absl::StrFormat("database '%s': %s: %s (sqlite code %d)",
                                                   DbName(db), context, sqlite3_errmsg(db), rc));
}

absl::Status Exec(sqlite3* db, absl::string_view sql) {
  const std::string text(sql);  // sqlite3_exec needs a terminated string
  if (int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr); rc != SQLITE_OK) {
    return SqliteError(db, rc, absl::StrCat("executing \"", Abbreviate(sql), "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<Statement> Statement::Prepare(sqlite3* db, absl::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), 0, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteError(db, rc, absl::StrCat("preparing \"", Abbreviate(sql), "\""));
  }
  if (stmt == nullptr) {
    return absl::InternalError(
        absl::StrFormat("database '%s': empty statement \"%s\"", DbName(db), sql));
  }
  return Statement(stmt);
}

Statement::Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

// sqlite3_finalize repeats the error of the last step, which was already reported.
Statement::~Statement() { sqlite3_finalize(stmt_); }

absl::Status Statement::Error(int rc) const {
  return SqliteError(db(), rc, absl::StrCat("running \"", Abbreviate(sqlite3_sql(stmt_)), "\""));
}

absl::Status Statement::Bind(std::initializer_list<SqlValue> values) {
  if (static_cast<int>(values.size()) != sqlite3_bind_parameter_count(stmt_)) {
    return absl::InternalError(absl::StrFormat(
        "database '%s': %d values bound to \"%s\", which has %d parameters", DbName(db()),
        values.size(), Abbreviate(sqlite3_sql(stmt_)), sqlite3_bind_parameter_count(stmt_)));
  }
  int index = 0;
  for (const SqlValue& value : values) {
    ++index;
    int rc;
    if (const auto* i = std::get_if<int64_t>(&value)) {
      rc = sqlite3_bind_int64(stmt_, index, *i);
    } else if (const auto* s = std::get_if<absl::string_view>(&value)) {
      // A null data pointer would bind NULL instead of the empty string.
      rc = sqlite3_bind_text64(stmt_, index, s->empty() ? "" : s->data(), s->size(),
                               SQLITE_TRANSIENT, SQLITE_UTF8);
    } else {
      rc = sqlite3_bind_null(stmt_, index);
    }
    if (rc != SQLITE_OK) return Error(rc);
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> Statement::Step() {
  switch (int rc = sqlite3_step(stmt_)) {
    case SQLITE_ROW:
      return true;
    case SQLITE_DONE:
      return false;
    default:
      return Error(rc);
  }
}

absl::Status Statement::Run() {
  absl::StatusOr<bool> row = Step();
  if (!row.ok()) return row.status();
  if (*row) {
    return absl::InternalError(absl::StrFormat("database '%s': \"%s\" unexpectedly returned rows",
                                               DbName(db()), Abbreviate(sqlite3_sql(stmt_))));
  }
  if (int rc = sqlite3_reset(stmt_); rc != SQLITE_OK) return Error(rc);
  return absl::OkStatus();
}

bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Statement::Text(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (text == nullptr) return "";
  return std::string(text, sqlite3_column_bytes(stmt_, col));
}

absl::string_view Statement::ColumnName(int col) const {
  const char* name = sqlite3_column_name(stmt_, col);
  return name == nullptr ? "?" : name;
}

sqlite3* Statement::db() const { return sqlite3_db_handle(stmt_); }

absl::StatusOr<Transaction> Transaction::BeginWrite(sqlite3* db) {
  if (absl::Status s = Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  return Transaction(db);
}

absl::StatusOr<Transaction> Transaction::BeginRead(sqlite3* db) {
  if (absl::Status s = Exec(db, "BEGIN DEFERRED"); !s.ok()) return s;
  return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL). A
  // destructor cannot report a failed ROLLBACK, but the connection then stays in
  // the transaction and the next BEGIN fails with a status that says so.
  if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

absl::Status Transaction::Commit() {
  // On failure db_ is kept, so the destructor rolls back what COMMIT left open
  // (SQLITE_BUSY leaves the transaction active).
  if (absl::Status s = Exec(db_, "COMMIT"); !s.ok()) return s;
  db_ = nullptr;
  return absl::OkStatus();
}

}  // namespace lobbyq::store
