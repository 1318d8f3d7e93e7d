#include "server/rpc/auth.h"

#include <spdlog/spdlog.h>

#include "absl/base/call_once.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace lobbyq::rpc {
namespace {

constexpr size_t kMaxRememberedFailures = 10'000;

constexpr char kHowToGetToken[] =
    "send the metadata 'authorization: Bearer TOKEN' with a device token or a session token from "
    "AuthService.SignIn (the lobbyq clients take --token, --user or --credentials)";

std::optional<std::string> BearerToken(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return std::nullopt;
  const absl::string_view value(it->second.data(), it->second.size());
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWithIgnoreCase(value, kBearer)) return std::nullopt;
  return std::string(absl::StripAsciiWhitespace(value.substr(kBearer.size())));
}

domain::Principal DevicePrincipal(const store::Store::DeviceRow& device) {
  return {.name = absl::StrCat("device:", device.id),
          .role = device.role,
          .branch_id = device.branch_id};
}

}  // namespace

absl::Status ValidateName(const std::string& what, const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must be 1 to 64 characters"));
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " '", name, "' may only use letters, digits, '.', '_' and '-'"));
    }
  }
  return absl::OkStatus();
}

Authenticator::Authenticator(store::Store& store, const Clock& clock, AuthOptions options)
    : store_(store), clock_(clock), options_(options) {}

absl::Status Authenticator::Load() {
  if (absl::Status s = InitSecrets(); !s.ok()) return s;
  auto users = store_.ListUsers();
  if (!users.ok()) return users.status();
  auto devices = store_.ListDevices();
  if (!devices.ok()) return devices.status();
  auto sessions = store_.LiveSessions(clock_.Now());
  if (!sessions.ok()) return sessions.status();
  absl::MutexLock lock(&mu_);
  users_.clear();
  devices_.clear();
  device_tokens_.clear();
  sessions_.clear();
  for (auto& user : *users) users_.emplace(user.name, std::move(user));
  for (auto& device : *devices) {
    device_tokens_.emplace(device.token_hash, device);
    devices_.emplace(device.id, std::move(device));
  }
  for (auto& session : *sessions) {
    sessions_.emplace(session.token_hash, Session{.user = std::move(session.user_name),
                                                  .counter = session.counter,
                                                  .expires_at = session.expires_at});
  }
  return absl::OkStatus();
}

const std::string& Authenticator::DummyHash() const {
  // Made on the first unknown name, not at start-up: every start (the crash
  // test restarts dozens of times) would otherwise pay for one more hash.
  absl::call_once(dummy_once_, [this] {
    absl::StatusOr<std::string> hash = HashPassword(NewPassword(), options_.password_cost);
    dummy_hash_ = hash.ok() ? *std::move(hash) : std::string();
  });
  return dummy_hash_;
}

absl::StatusOr<domain::Principal> Authenticator::Authenticate(
    const grpc::ServerContextBase& context) const {
  const std::optional<std::string> token = BearerToken(context);
  if (!token || token->empty()) {
    return absl::UnauthenticatedError(absl::StrCat("no credentials: ", kHowToGetToken));
  }
  const std::string hash = TokenHash(*token);
  absl::MutexLock lock(&mu_);
  if (auto device = device_tokens_.find(hash); device != device_tokens_.end()) {
    return DevicePrincipal(device->second);
  }
  auto session = sessions_.find(hash);
  if (session == sessions_.end()) {
    return absl::UnauthenticatedError(
        absl::StrCat("unknown or revoked token (signed out, or the device was re-registered): ",
                     kHowToGetToken));
  }
  if (session->second.expires_at <= clock_.Now()) {
    return absl::UnauthenticatedError("the session has expired: sign in again");
  }
  auto user = users_.find(session->second.user);
  if (user == users_.end()) return absl::UnauthenticatedError("the user no longer exists");
  return domain::Principal{.name = absl::StrCat("user:", user->second.name),
                           .role = user->second.role,
                           .branch_id = user->second.branch_id,
                           .counter = session->second.counter,
                           .expires_at = session->second.expires_at};
}

absl::StatusOr<std::pair<std::string, domain::Principal>> Authenticator::SignIn(
    const std::string& user, const std::string& password, const std::string& branch_id,
    uint32_t counter) {
  const absl::Time now = clock_.Now();
  store::Store::UserRow row;
  {
    absl::MutexLock lock(&mu_);
    auto failures = failures_.find(user);
    if (failures != failures_.end() && failures->second.count >= options_.max_failed_sign_ins &&
        now - failures->second.last < options_.sign_in_lockout) {
      return absl::ResourceExhaustedError(
          absl::StrCat("too many wrong passwords for '", user, "': wait ",
                       absl::FormatDuration(options_.sign_in_lockout), " and try again"));
    }
    auto it = users_.find(user);
    // An unknown user still costs a hash below, so timing does not tell
    // which user names exist.
    if (it != users_.end()) row = it->second;
  }
  const bool known = !row.name.empty();
  const bool matches = known ? VerifyPassword(row.password_hash, password)
                             : (VerifyPassword(DummyHash(), password), false);
  if (!matches) {
    absl::MutexLock lock(&mu_);
    // Anyone may send made-up names: forget stale failures before the map
    // could grow without bound.
    if (failures_.size() >= kMaxRememberedFailures) {
      absl::erase_if(failures_, [&](const auto& entry) {
        return now - entry.second.last >= options_.sign_in_lockout;
      });
    }
    Failures& f = failures_[user];
    if (now - f.last >= options_.sign_in_lockout) f.count = 0;
    ++f.count;
    f.last = now;
    spdlog::warn("sign-in refused for '{}' ({} failure(s))", user, f.count);
    return absl::UnauthenticatedError("wrong user name or password");
  }
  if (!branch_id.empty() && !row.branch_id.empty() && branch_id != row.branch_id) {
    return absl::InvalidArgumentError(absl::StrCat("user '", user, "' belongs to branch '",
                                                   row.branch_id, "', not '", branch_id, "'"));
  }
  if (row.role == domain::Role::kTeller && counter == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", user, "' is a teller: name the counter you sit at to sign in"));
  }
  const std::string token = NewToken();
  const store::Store::SessionRow session{.token_hash = TokenHash(token),
                                         .user_name = row.name,
                                         .counter = counter,
                                         .expires_at = now + options_.session_lifetime};
  if (absl::Status s = store_.PutSession(session); !s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    failures_.erase(user);
    sessions_[session.token_hash] =
        Session{.user = row.name, .counter = counter, .expires_at = session.expires_at};
  }
  spdlog::info("'{}' ({}) signed in{}", row.name, std::string(domain::RoleName(row.role)),
               counter != 0 ? absl::StrCat(" at counter ", counter) : "");
  return std::make_pair(token, domain::Principal{.name = absl::StrCat("user:", row.name),
                                                 .role = row.role,
                                                 .branch_id = row.branch_id,
                                                 .counter = counter,
                                                 .expires_at = session.expires_at});
}

absl::Status Authenticator::SignOut(const grpc::ServerContextBase& context) {
  const std::optional<std::string> token = BearerToken(context);
  if (!token) return absl::UnauthenticatedError("no credentials");
  const std::string hash = TokenHash(*token);
  {
    absl::MutexLock lock(&mu_);
    if (!sessions_.contains(hash)) {
      return absl::FailedPreconditionError(
          "this is not a session token: a device stays registered until an admin revokes it");
    }
  }
  if (absl::Status s = store_.RemoveSession(hash); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  sessions_.erase(hash);
  return absl::OkStatus();
}

absl::Status Authenticator::PutUser(const std::string& name, domain::Role role,
                                    const std::string& branch_id, const std::string& password,
                                    bool demo) {
  if (absl::Status s = ValidateName("a user name", name); !s.ok()) return s;
  if (!domain::IsPersonRole(role)) {
    return absl::InvalidArgumentError(absl::StrCat("a user is a teller, manager or admin; a ",
                                                   domain::RoleName(role),
                                                   " is a device: register it with PutDevice"));
  }
  if (role != domain::Role::kAdmin && branch_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a ", domain::RoleName(role), " belongs to a branch: give its id"));
  }
  if (password.size() < 8 || password.size() > 256) {
    return absl::InvalidArgumentError("a password must be 8 to 256 characters");
  }
  absl::StatusOr<std::string> hash = HashPassword(password, options_.password_cost);
  if (!hash.ok()) return hash.status();
  store::Store::UserRow row{.name = name,
                            .role = role,
                            .branch_id = role == domain::Role::kAdmin ? "" : branch_id,
                            .password_hash = *std::move(hash),
                            .demo = demo};
  if (absl::Status s = store_.PutUser(row); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto current = it++;
    if (current->second.user == name) sessions_.erase(current);
  }
  users_[name] = std::move(row);
  return absl::OkStatus();
}

absl::Status Authenticator::RemoveUser(const std::string& name) {
  if (absl::Status s = store_.RemoveUser(name); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  users_.erase(name);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto current = it++;
    if (current->second.user == name) sessions_.erase(current);
  }
  return absl::OkStatus();
}

std::vector<store::Store::UserRow> Authenticator::Users() const {
  absl::MutexLock lock(&mu_);
  std::vector<store::Store::UserRow> out;
  for (const auto& [name, row] : users_) out.push_back(row);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

absl::StatusOr<std::string> Authenticator::PutDevice(const std::string& id, domain::Role role,
                                                     const std::string& branch_id, bool demo) {
  std::string token = NewToken();
  if (absl::Status s = PutDeviceToken(id, role, branch_id, token, demo); !s.ok()) return s;
  return token;
}

absl::Status Authenticator::PutDeviceToken(const std::string& id, domain::Role role,
                                           const std::string& branch_id, const std::string& token,
                                           bool demo) {
  if (absl::Status s = ValidateName("a device id", id); !s.ok()) return s;
  if (role != domain::Role::kKiosk && role != domain::Role::kDisplay) {
    return absl::InvalidArgumentError(absl::StrCat("a device is a kiosk or a display; a ",
                                                   domain::RoleName(role),
                                                   " is a person: create a user with PutUser"));
  }
  if (branch_id.empty()) return absl::InvalidArgumentError("a device belongs to a branch");
  store::Store::DeviceRow row{
      .id = id, .role = role, .branch_id = branch_id, .token_hash = TokenHash(token), .demo = demo};
  if (absl::Status s = store_.PutDevice(row); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (auto old = devices_.find(id); old != devices_.end()) {
    device_tokens_.erase(old->second.token_hash);
  }
  device_tokens_[row.token_hash] = row;
  devices_[id] = std::move(row);
  return absl::OkStatus();
}

absl::Status Authenticator::RevokeDevice(const std::string& id) {
  if (absl::Status s = store_.RemoveDevice(id); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (auto old = devices_.find(id); old != devices_.end()) {
    device_tokens_.erase(old->second.token_hash);
    devices_.erase(old);
  }
  return absl::OkStatus();
}

std::vector<store::Store::DeviceRow> Authenticator::Devices() const {
  absl::MutexLock lock(&mu_);
  std::vector<store::Store::DeviceRow> out;
  for (const auto& [id, row] : devices_) out.push_back(row);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

bool Authenticator::CheckPassword(const std::string& user, const std::string& password) const {
  std::string hash;
  {
    absl::MutexLock lock(&mu_);
    auto it = users_.find(user);
    if (it == users_.end()) return false;
    hash = it->second.password_hash;
  }
  return VerifyPassword(hash, password);
}

bool Authenticator::HasAdmin() const {
  absl::MutexLock lock(&mu_);
  for (const auto& [name, row] : users_) {
    if (row.role == domain::Role::kAdmin) return true;
  }
  return false;
}

absl::StatusOr<int> Authenticator::RemoveDemoCredentials() {
  absl::StatusOr<int> removed = store_.RemoveDemoCredentials();
  if (!removed.ok()) return removed;
  if (absl::Status s = Load(); !s.ok()) return s;
  return removed;
}

}  // namespace lobbyq::rpc
