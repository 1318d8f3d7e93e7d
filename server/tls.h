#pragma once

// TLS for the server's gRPC port (docs/security.md): the settings, and the
// credentials the port is served with.

#include <memory>
#include <string>

#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace lobbyq::server {

// PEM file paths, from --tls-cert/--tls-key/--tls-client-ca or the config file's
// `tls:` block. All empty = plaintext.
struct TlsSettings {
  std::string cert_file;  // the server's certificate, then any intermediates
  std::string key_file;   // its private key, unencrypted
  // Set = mutual TLS: a client must present a certificate this CA signed.
  std::string client_ca_file;

  bool enabled() const {
    return !cert_file.empty() || !key_file.empty() || !client_ca_file.empty();
  }
  bool operator==(const TlsSettings&) const = default;
};

// How the port is served, and that in words for the start-up log.
struct Transport {
  std::shared_ptr<grpc::ServerCredentials> credentials;
  std::string description;            // e.g. "TLS, certificate 'CN=...' valid until ..."
  bool plaintext_on_network = false;  // only with allow_plaintext: worth a warning
};

// Reads and checks the files (at `now`; errors name the file and what to do).
// Without TLS, a `listen` address other than loopback is refused unless
// `allow_plaintext`: tokens and passwords would cross the branch network in clear.
absl::StatusOr<Transport> MakeTransport(const TlsSettings& settings, bool allow_plaintext,
                                        const std::string& listen, absl::Time now);

}  // namespace lobbyq::server
