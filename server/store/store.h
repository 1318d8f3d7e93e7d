#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/domain/permissions.h"
#include "server/domain/types.h"
#include "server/store/options.h"
#include "server/store/sqlite_util.h"

struct sqlite3;

namespace lobbyq::store {

// The durable home of every branch: an SQLite database in WAL mode with one event
// log table and current-state tables (branches, services, counters, tickets,
// number sequences, appointments, client requests). Thread-safe: one
// connection, serialized by a mutex.
class Store {
 public:
  // Opens or creates the database at `path` ("" or ":memory:" for a private
  // in-memory database), checks it (PRAGMA quick_check) and applies every
  // pending migration. A file database is locked (`path`.lock) for the life of
  // the Store.
  // Returns FailedPrecondition if another process holds the lock or the file
  // was written by a newer lobbyq, DataLoss for a corrupt or truncated file
  // (the message names it and says to restore a backup), and
  // Internal/Unavailable for other SQLite errors, naming the file.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                                     StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Writes every row of `change` in one transaction (insert or replace by key)
  // and appends its events to the log, filling in each event's seq. On any error
  // nothing is written and the events' seq are left 0.
  absl::Status Commit(domain::Change& change);

  // Group commit: every change in one transaction, so they share one flush to
  // disk. A change the database refuses fails alone: the batch is then retried
  // change by change. One status per change, in order; each OK change has its
  // events' seq filled in, in the order given.
  std::vector<absl::Status> CommitAll(std::span<domain::Change* const> changes);

  // Every branch id, sorted.
  absl::StatusOr<std::vector<std::string>> ListBranchIds();

  // Everything needed to rebuild one branch: its config, counters, the number
  // sequences, the tickets that are live, were issued or finished at or after
  // `closed_since` or are NO_SHOW since then (so they can be reinstated), and
  // the appointments whose slot starts at or after `closed_since` or that are
  // still booked however old (so they can be marked missed), and the client
  // requests made at or after `closed_since` (so a retry gets its first answer).
  // Returns NotFound for an unknown branch.
  absl::StatusOr<domain::BranchSnapshot> LoadBranch(const std::string& branch_id,
                                                    absl::Time closed_since);

  // Events of a branch with seq > after_seq, oldest first, at most `limit`.
  absl::StatusOr<std::vector<domain::Event>> ReadEvents(const std::string& branch_id,
                                                        uint64_t after_seq, int limit);

  // Events of a branch with from <= at < to, in log order (by seq). For
  // metrics; the time index keeps it to the window's rows.
  absl::StatusOr<std::vector<domain::Event>> ReadEventsBetween(const std::string& branch_id,
                                                               absl::Time from, absl::Time to);

  // The audit trail: a branch's events of one ticket, or by one actor
  // ("user:NAME", "device:ID", "timer", "config") with from <= at < to, in log
  // order, at most `limit`.
  absl::StatusOr<std::vector<domain::Event>> ReadTicketEvents(const std::string& branch_id,
                                                              uint64_t ticket_id, int limit);
  absl::StatusOr<std::vector<domain::Event>> ReadActorEvents(const std::string& branch_id,
                                                             const std::string& actor,
                                                             absl::Time from, absl::Time to,
                                                             int limit);

  // Each counter's state just before `t`: the counter_state of its last
  // open/pause/close event before `t`. Counters with no such event are left
  // out (they were closed, as every counter starts).
  absl::StatusOr<std::map<uint32_t, domain::CounterState>> CounterStatesAt(
      const std::string& branch_id, absl::Time t);

  // Credentials (server/store/credentials.cc). Secrets are stored only as
  // hashes: Argon2id strings for passwords, BLAKE2b for tokens.
  // Demo rows are made by the demo run and removed by any other start.
  struct UserRow {
    std::string name;
    domain::Role role = domain::Role::kTeller;
    std::string branch_id;
    std::string password_hash;
    bool demo = false;
  };
  struct DeviceRow {
    std::string id;
    domain::Role role = domain::Role::kKiosk;
    std::string branch_id;
    std::string token_hash;
    bool demo = false;
  };
  struct SessionRow {
    std::string token_hash;
    std::string user_name;
    uint32_t counter = 0;
    absl::Time expires_at;
  };
  // Inserts or replaces a user; their sessions end (a new password or role
  // must not leave an old session behind).
  absl::Status PutUser(const UserRow& user);
  // NotFound for an unknown user; their sessions go with them.
  absl::Status RemoveUser(const std::string& name);
  absl::StatusOr<std::vector<UserRow>> ListUsers();
  absl::Status PutDevice(const DeviceRow& device);
  absl::Status RemoveDevice(const std::string& id);  // NotFound if unknown
  absl::StatusOr<std::vector<DeviceRow>> ListDevices();
  absl::Status PutSession(const SessionRow& session);
  absl::Status RemoveSession(const std::string& token_hash);
  // Sessions that have not expired at `now`; expired ones are deleted.
  absl::StatusOr<std::vector<SessionRow>> LiveSessions(absl::Time now);
  // Removes every demo user, device and their sessions; returns how many rows.
  absl::StatusOr<int> RemoveDemoCredentials();
  // The durability the connection runs with, read back from SQLite.
  absl::StatusOr<Durability> CurrentDurability();

  // The schema version now in the file (the number of migrations applied).
  absl::StatusOr<int> SchemaVersion();
  // The number of migrations this build knows.
  static int LatestSchemaVersion();

 private:
  Store(sqlite3* db, std::optional<FileLock> lock) : lock_(std::move(lock)), db_(db) {}
  absl::Status CheckIntegrity() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Configure(const StoreOptions& options) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Migrate() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<int> UserVersion() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CommitOne(domain::Change& change) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the rows of `change` into the open transaction, without touching
  // `change`; `seqs` receives the events' seqs, valid only once committed.
  absl::Status Write(const domain::Change& change, std::vector<uint64_t>& seqs)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<domain::BranchSnapshot> Read(const std::string& branch_id, absl::Time closed_since)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Two servers writing one file would hand out the same ticket ids and
  // overwrite each other's rows; the lock makes the second one refuse to start.
  std::optional<FileLock> lock_;
  std::mutex mu_;
  sqlite3* const db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace lobbyq::store
