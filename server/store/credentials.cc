// Store's users, devices and sessions (declared in store.h).

#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "server/store/store.h"

namespace lobbyq::store {
namespace {

absl::StatusOr<domain::Role> RoleColumn(const Statement& stmt, int col) {
  const std::string text = stmt.Text(col);
  std::optional<domain::Role> role = domain::ParseRole(text);
  if (!role) {
    return absl::DataLossError(
        absl::StrCat("database ", DbName(stmt.db()), ": unknown role '", text, "'"));
  }
  return *role;
}

absl::Status RunOne(sqlite3* db, absl::string_view sql, std::initializer_list<SqlValue> values) {
  absl::StatusOr<Statement> stmt = Statement::Prepare(db, sql);
  if (!stmt.ok()) return stmt.status();
  if (absl::Status s = stmt->Bind(values); !s.ok()) return s;
  return stmt->Run();
}

}  // namespace

absl::Status Store::PutUser(const UserRow& user) {
  std::lock_guard lock(mu_);
  absl::StatusOr<Transaction> txn = Transaction::BeginWrite(db_);
  if (!txn.ok()) return txn.status();
  const std::string role(domain::RoleName(user.role));
  if (absl::Status s = RunOne(db_, "DELETE FROM sessions WHERE user_name = ?", {user.name});
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          RunOne(db_,
                 "INSERT OR REPLACE INTO users (name, role, branch_id, "
                 "password_hash, demo) VALUES (?, ?, ?, ?, ?)",
                 {user.name, role, user.branch_id, user.password_hash, int64_t{user.demo ? 1 : 0}});
      !s.ok()) {
    return s;
  }
  return txn->Commit();
}

absl::Status Store::RemoveUser(const std::string& name) {
  std::lock_guard lock(mu_);
  absl::StatusOr<Transaction> txn = Transaction::BeginWrite(db_);
  if (!txn.ok()) return txn.status();
  if (absl::Status s = RunOne(db_, "DELETE FROM sessions WHERE user_name = ?", {name}); !s.ok()) {
    return s;
  }
  if (absl::Status s = RunOne(db_, "DELETE FROM users WHERE name = ?", {name}); !s.ok()) return s;
  if (sqlite3_changes(db_) == 0) return absl::NotFoundError(absl::StrCat("no user '", name, "'"));
  return txn->Commit();
}

absl::StatusOr<std::vector<Store::UserRow>> Store::ListUsers() {
  std::lock_guard lock(mu_);
  std::vector<UserRow> users;
  absl::Status s =
      ForEachRow(db_, "SELECT name, role, branch_id, password_hash, demo FROM users ORDER BY name",
                 {}, [&](const Statement& stmt) -> absl::Status {
                   absl::StatusOr<domain::Role> role = RoleColumn(stmt, 1);
                   if (!role.ok()) return role.status();
                   users.push_back({.name = stmt.Text(0),
                                    .role = *role,
                                    .branch_id = stmt.Text(2),
                                    .password_hash = stmt.Text(3),
                                    .demo = stmt.Int(4) != 0});
                   return absl::OkStatus();
                 });
  if (!s.ok()) return s;
  return users;
}

absl::Status Store::PutDevice(const DeviceRow& device) {
  std::lock_guard lock(mu_);
  const std::string role(domain::RoleName(device.role));
  return RunOne(
      db_,
      "INSERT OR REPLACE INTO devices (id, role, branch_id, token_hash, demo) "
      "VALUES (?, ?, ?, ?, ?)",
      {device.id, role, device.branch_id, device.token_hash, int64_t{device.demo ? 1 : 0}});
}

absl::Status Store::RemoveDevice(const std::string& id) {
  std::lock_guard lock(mu_);
  if (absl::Status s = RunOne(db_, "DELETE FROM devices WHERE id = ?", {id}); !s.ok()) return s;
  if (sqlite3_changes(db_) == 0) return absl::NotFoundError(absl::StrCat("no device '", id, "'"));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Store::DeviceRow>> Store::ListDevices() {
  std::lock_guard lock(mu_);
  std::vector<DeviceRow> devices;
  absl::Status s =
      ForEachRow(db_, "SELECT id, role, branch_id, token_hash, demo FROM devices ORDER BY id", {},
                 [&](const Statement& stmt) -> absl::Status {
                   absl::StatusOr<domain::Role> role = RoleColumn(stmt, 1);
                   if (!role.ok()) return role.status();
                   devices.push_back({.id = stmt.Text(0),
                                      .role = *role,
                                      .branch_id = stmt.Text(2),
                                      .token_hash = stmt.Text(3),
                                      .demo = stmt.Int(4) != 0});
                   return absl::OkStatus();
                 });
  if (!s.ok()) return s;
  return devices;
}

absl::Status Store::PutSession(const SessionRow& session) {
  std::lock_guard lock(mu_);
  return RunOne(db_,
                "INSERT OR REPLACE INTO sessions (token_hash, user_name, counter, expires_at_us) "
                "VALUES (?, ?, ?, ?)",
                {session.token_hash, session.user_name, int64_t{session.counter},
                 absl::ToUnixMicros(session.expires_at)});
}

absl::Status Store::RemoveSession(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  return RunOne(db_, "DELETE FROM sessions WHERE token_hash = ?", {token_hash});
}

absl::StatusOr<std::vector<Store::SessionRow>> Store::LiveSessions(absl::Time now) {
  std::lock_guard lock(mu_);
  if (absl::Status s =
          RunOne(db_, "DELETE FROM sessions WHERE expires_at_us <= ?", {absl::ToUnixMicros(now)});
      !s.ok()) {
    return s;
  }
  std::vector<SessionRow> sessions;
  absl::Status s =
      ForEachRow(db_, "SELECT token_hash, user_name, counter, expires_at_us FROM sessions", {},
                 [&](const Statement& stmt) {
                   sessions.push_back({.token_hash = stmt.Text(0),
                                       .user_name = stmt.Text(1),
                                       .counter = static_cast<uint32_t>(stmt.Int(2)),
                                       .expires_at = absl::FromUnixMicros(stmt.Int(3))});
                   return absl::OkStatus();
                 });
  if (!s.ok()) return s;
  return sessions;
}

absl::StatusOr<int> Store::RemoveDemoCredentials() {
  std::lock_guard lock(mu_);
  absl::StatusOr<Transaction> txn = Transaction::BeginWrite(db_);
  if (!txn.ok()) return txn.status();
  int removed = 0;
  for (absl::string_view sql :
       {"DELETE FROM sessions WHERE user_name IN (SELECT name FROM users WHERE demo = 1)",
        "DELETE FROM users WHERE demo = 1", "DELETE FROM devices WHERE demo = 1"}) {
    if (absl::Status s = RunOne(db_, sql, {}); !s.ok()) return s;
    removed += sqlite3_changes(db_);
  }
  if (absl::Status s = txn->Commit(); !s.ok()) return s;
  return removed;
}

}  // namespace lobbyq::store
