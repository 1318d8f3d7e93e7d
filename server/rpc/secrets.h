#pragma once

// The secrets of authentication, through libsodium: random tokens, their
// hashes (what the store keeps), and Argon2id password hashes.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lobbyq::rpc {

// How much work a password hash costs. kInteractive is libsodium's interactive
// setting (64 MiB, a fraction of a second), what every real password gets;
// kMinimum exists so tests can create users quickly and is never used by
// lobbyq-server itself.
enum class PasswordCost { kInteractive, kMinimum };

// Fails only if libsodium cannot initialise (no entropy source).
absl::Status InitSecrets();

// 32 random bytes as 43 characters of URL-safe base64, prefixed "lq_" so a
// leaked token is easy to recognise in logs and scanners.
std::string NewToken();

// BLAKE2b of the token, in hex: tokens are long and random, so a fast hash
// is enough and lookups stay cheap.
std::string TokenHash(absl::string_view token);

// Argon2id in libsodium's string format (salt and parameters included).
absl::StatusOr<std::string> HashPassword(absl::string_view password, PasswordCost cost);
bool VerifyPassword(const std::string& hash, absl::string_view password);

// A password that is easy to read out and type: 4 groups of 4 letters/digits
// without look-alikes (0/O, 1/l/I).
std::string NewPassword();

}  // namespace lobbyq::rpc
