#include "server/store/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "server/store/sqlite_util.h"

namespace lobbyq::store {
namespace {

absl::Status ErrnoError(absl::string_view what, const std::string& path, int error) {
  return absl::UnavailableError(
      absl::StrFormat("backup: cannot %s '%s': %s", what, path, std::strerror(error)));
}

// Flushes a file, or a directory's entries, to disk.
absl::Status SyncPath(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", path, errno);
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError("flush to disk", path, error);
  return absl::OkStatus();
}

// The copy in progress: removed unless it was published under its final name.
class PartialFile {
 public:
  explicit PartialFile(std::string path) : path_(std::move(path)) { Remove(); }
  ~PartialFile() { Remove(); }
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  void Remove() {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      std::remove(absl::StrCat(path_, suffix).c_str());
    }
  }
  std::string path_;
};

// One row of text per result row of a PRAGMA.
absl::StatusOr<std::vector<std::string>> PragmaRows(sqlite3* db, absl::string_view pragma) {
  absl::StatusOr<Statement> stmt = Statement::Prepare(db, pragma);
  if (!stmt.ok()) return stmt.status();
  std::vector<std::string> rows;
  while (true) {
    absl::StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return rows;
    rows.push_back(stmt->Text(0));
  }
}

absl::Status CorruptSource(const std::string& source, absl::string_view detail) {
  return absl::DataLossError(absl::StrFormat(
      "backup: the database '%s' is corrupt (%s); no backup was written. Keep the last good "
      "backup: that is what to restore (docs/operations.md)",
      source, detail));
}

absl::Status CopyPages(sqlite3* src, sqlite3* dst, const std::string& source) {
  sqlite3_backup* backup = sqlite3_backup_init(dst, "main", src, "main");
  if (backup == nullptr) {
    return SqliteError(dst, sqlite3_extended_errcode(dst), "starting the backup");
  }
  // -1 copies every page in one step, hence in one read transaction on the
  // source: a consistent snapshot. Copying in slices would start over each
  // time the server commits in between. A WAL reader does not block the
  // server's writers, so the server keeps answering meanwhile.
  constexpr int kAttempts = 20;
  int rc = SQLITE_OK;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const int finish = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    const std::string detail = absl::StrFormat("%s (sqlite code %d)", sqlite3_errstr(rc), rc);
    if (SqliteStatusCode(rc) == absl::StatusCode::kDataLoss) return CorruptSource(source, detail);
    return absl::Status(SqliteStatusCode(rc),
                        absl::StrFormat("backup: copying '%s' failed: %s", source, detail));
  }
  if (finish != SQLITE_OK) return SqliteError(dst, finish, "finishing the backup");
  return absl::OkStatus();
}

}  // namespace

absl::Status BackupDatabase(const std::string& source, const std::string& destination) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(source, ec)) {
    return absl::NotFoundError(absl::StrFormat(
        "backup: there is no database at '%s'; give the --data directory the server runs on",
        source));
  }
  if (std::filesystem::symlink_status(destination, ec).type() !=
      std::filesystem::file_type::not_found) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "backup: '%s' already exists and a backup never overwrites a file; choose a new name or "
        "remove it first",
        destination));
  }
  absl::StatusOr<sqlite3*> src_db = OpenDatabase(source, OpenMode::kReadOnly);
  if (!src_db.ok()) return src_db.status();
  DbHandle src(*src_db);

  PartialFile partial(destination + ".partial");
  {
    absl::StatusOr<sqlite3*> dst_db = OpenDatabase(partial.path());
    if (!dst_db.ok()) return dst_db.status();
    DbHandle dst(*dst_db);
    if (absl::Status s = CopyPages(src.get(), dst.get(), source); !s.ok()) return s;

    absl::StatusOr<std::vector<std::string>> version = PragmaRows(dst.get(), "PRAGMA user_version");
    if (!version.ok()) return version.status();
    if (version->empty() || version->front() == "0") {
      return absl::FailedPreconditionError(absl::StrFormat(
          "backup: '%s' holds no lobbyq data (schema version 0); nothing was backed up", source));
    }
    // The copy keeps the source's WAL flag; a backup should be one file that
    // can be copied, mailed or opened read-only without a -wal next to it.
    absl::StatusOr<std::vector<std::string>> mode =
        PragmaRows(dst.get(), "PRAGMA journal_mode = DELETE");
    if (!mode.ok()) return mode.status();
    if (mode->empty() || mode->front() != "delete") {
      return absl::InternalError(
          absl::StrFormat("backup: cannot turn '%s' into a single file (journal_mode is '%s')",
                          partial.path(), mode->empty() ? "" : mode->front()));
    }
    absl::StatusOr<std::vector<std::string>> check = PragmaRows(dst.get(), "PRAGMA quick_check(3)");
    if (!check.ok() && check.status().code() != absl::StatusCode::kDataLoss) {
      return check.status();
    }
    if (!check.ok() || check->size() != 1 || check->front() != "ok") {
      return CorruptSource(source, check.ok()
                                       ? absl::StrCat("quick_check: ", absl::StrJoin(*check, "; "))
                                       : std::string(check.status().message()));
    }
  }  // closed: everything is in the file

  if (absl::Status s = SyncPath(partial.path(), false); !s.ok()) return s;
  // link() fails if the name was taken meanwhile, where rename() would replace it.
  if (::link(partial.path().c_str(), destination.c_str()) != 0) {
    return ErrnoError("create", destination, errno);
  }
  std::filesystem::path dir = std::filesystem::path(destination).parent_path();
  if (dir.empty()) dir = ".";
  return SyncPath(dir.string(), true);
}

}  // namespace lobbyq::store
