#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/server_context.h>

#include "absl/base/call_once.h"
#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "server/domain/permissions.h"
#include "server/rpc/secrets.h"
#include "server/store/store.h"

namespace lobbyq::rpc {

struct AuthOptions {
  absl::Duration session_lifetime = absl::Hours(12);  // a working day, then sign in again
  PasswordCost password_cost = PasswordCost::kInteractive;
  // Wrong passwords for one user before sign-in refuses them for a while.
  int max_failed_sign_ins = 5;
  absl::Duration sign_in_lockout = absl::Minutes(1);
};

// Who is calling: device tokens and sessions, held in memory for a cheap check
// on every call and mirrored in the store, so a restart signs nobody out.
// Thread-safe.
class Authenticator {
 public:
  Authenticator(store::Store& store, const Clock& clock, AuthOptions options = {});

  // Reads users, devices and live sessions from the store.
  absl::Status Load();

  // The caller named by the `authorization: Bearer TOKEN` metadata.
  // UNAUTHENTICATED (saying how to get a token) if it is missing, unknown or expired.
  absl::StatusOr<domain::Principal> Authenticate(const grpc::ServerContextBase& context) const;

  // A new session for a person. UNAUTHENTICATED for an unknown user or a
  // wrong password alike; INVALID_ARGUMENT for a teller without a counter or
  // another branch; RESOURCE_EXHAUSTED while locked out after failures.
  absl::StatusOr<std::pair<std::string, domain::Principal>> SignIn(const std::string& user,
                                                                   const std::string& password,
                                                                   const std::string& branch_id,
                                                                   uint32_t counter);
  absl::Status SignOut(const grpc::ServerContextBase& context);

  // Administration. Names: 1-64 of [A-Za-z0-9._-]. Passwords: at least 8 characters.
  absl::Status PutUser(const std::string& name, domain::Role role, const std::string& branch_id,
                       const std::string& password, bool demo = false);
  absl::Status RemoveUser(const std::string& name);
  std::vector<store::Store::UserRow> Users() const;
  // Returns the device's new token (only its hash is kept).
  absl::StatusOr<std::string> PutDevice(const std::string& id, domain::Role role,
                                        const std::string& branch_id, bool demo = false);
  // Installs a token chosen elsewhere (the demo run reuses the tokens it
  // wrote to its credentials file).
  absl::Status PutDeviceToken(const std::string& id, domain::Role role,
                              const std::string& branch_id, const std::string& token, bool demo);
  absl::Status RevokeDevice(const std::string& id);
  std::vector<store::Store::DeviceRow> Devices() const;
  // True if `password` is the user's; used by the demo run to keep its passwords.
  bool CheckPassword(const std::string& user, const std::string& password) const;
  bool HasAdmin() const;
  absl::StatusOr<int> RemoveDemoCredentials();

 private:
  struct Session {
    std::string user;
    uint32_t counter = 0;
    absl::Time expires_at;
  };
  struct Failures {
    int count = 0;
    absl::Time last;
  };

  store::Store& store_;
  const Clock& clock_;
  const AuthOptions options_;
  // What an unknown user's password is checked against, so the answer takes
  // as long as for a known one.
  const std::string& DummyHash() const;
  mutable absl::once_flag dummy_once_;
  mutable std::string dummy_hash_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, store::Store::UserRow> users_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, store::Store::DeviceRow> devices_ ABSL_GUARDED_BY(mu_);
  // By token hash.
  absl::flat_hash_map<std::string, store::Store::DeviceRow> device_tokens_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Failures> failures_ ABSL_GUARDED_BY(mu_);
};

// Validates a user or device name.
absl::Status ValidateName(const std::string& what, const std::string& name);

}  // namespace lobbyq::rpc
