#pragma once

// How the command-line clients prove who they are (docs/security.md): a token
// (--token or LOBBYQ_TOKEN), a person signing in (--user, password from
// LOBBYQ_PASSWORD or a prompt), or a credentials file (--credentials, by default
// ./lobbyq-data/demo-credentials when it exists, as the demo run writes it). And how
// the connection is secured: --tls-ca turns TLS on, --tls-cert/--tls-key add a client
// certificate for mutual TLS, --tls-server-name overrides the name checked; without
// --tls-ca only a loopback server is dialled, unless --allow-plaintext.

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "absl/status/statusor.h"
#include "common/client/channel.h"

namespace lobbyq::client {

// What a client acts as; picks the entry of a credentials file.
enum class ClientRole { kKiosk, kDisplay, kTeller, kManager, kAdmin };

struct CredentialOptions {
  std::string token;
  std::string user;
  std::string credentials_path;
  // PEM file paths; an empty tls_ca = plaintext.
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_server_name;
  bool allow_plaintext = false;  // plaintext to a server that is not on loopback
};

void AddCredentialOptions(CLI::App& app, CredentialOptions& options);

// Reads and checks the TLS files the options name; errors name the file and the flag.
// Without --tls-ca: plaintext, refused for a `server` other than loopback unless
// --allow-plaintext, since the token or password would cross the network in clear to
// whoever answers at that address.
absl::StatusOr<ChannelSecurity> LoadChannelSecurity(const CredentialOptions& options,
                                                    const std::string& server);

// The token to send: the one given, or a new session from signing in (a teller
// signs in at `counter`) over a channel secured by `security`. Empty when nothing
// was given and there is no credentials file: the server then answers
// UNAUTHENTICATED, saying how to get in.
absl::StatusOr<std::string> ObtainToken(const CredentialOptions& options, ClientRole role,
                                        const std::string& server, const ChannelSecurity& security,
                                        const std::string& branch, uint32_t counter = 0);

// What a command-line client calls with: how its channels are secured and the
// token they carry.
struct Connection {
  ChannelSecurity security;
  std::string token;
};

// LoadChannelSecurity, then ObtainToken over a channel so secured: what every
// client does once its flags are parsed.
absl::StatusOr<Connection> Connect(const CredentialOptions& options, ClientRole role,
                                   const std::string& server, const std::string& branch,
                                   uint32_t counter = 0);

// Signs in and returns the session token.
absl::StatusOr<std::string> SignIn(const std::string& server, const ChannelSecurity& security,
                                   const std::string& user, const std::string& password,
                                   const std::string& branch, uint32_t counter);

}  // namespace lobbyq::client
