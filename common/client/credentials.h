#pragma once

// How the command-line clients prove who they are (docs/security.md): a token
// (--token or LOBBYQ_TOKEN), a person signing in (--user, password from
// LOBBYQ_PASSWORD or a prompt), or a credentials file (--credentials, by default
// ./lobbyq-data/demo-credentials when it exists, as the demo run writes it).

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "absl/status/statusor.h"

namespace lobbyq::client {

// What a client acts as; picks the entry of a credentials file.
enum class ClientRole { kKiosk, kDisplay, kTeller, kManager, kAdmin };

struct CredentialOptions {
  std::string token;
  std::string user;
  std::string credentials_path;
};

void AddCredentialOptions(CLI::App& app, CredentialOptions& options);

// The token to send: the one given, or a new session from signing in (a teller
// signs in at `counter`). Empty when nothing was given and there is no
// credentials file: the server then answers UNAUTHENTICATED, saying how to get in.
absl::StatusOr<std::string> ObtainToken(const CredentialOptions& options, ClientRole role,
                                        const std::string& server, const std::string& branch,
                                        uint32_t counter = 0);

// Signs in over a plain channel and returns the session token.
absl::StatusOr<std::string> SignIn(const std::string& server, const std::string& user,
                                   const std::string& password, const std::string& branch,
                                   uint32_t counter);

}  // namespace lobbyq::client
