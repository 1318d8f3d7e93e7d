#pragma once

// The PEM files of the TLS settings, for the server (--tls-cert, --tls-key,
// --tls-client-ca) and the clients (--tls-ca, --tls-cert, --tls-key). They are
// checked when read: a wrong, expired or mismatched file stops the program at
// start with the file's name, where gRPC would only fail every handshake later
// with a message that names nothing.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace lobbyq::tls {

enum class CertificateFile {
  // A certificate and the intermediates after it: the first must be valid now.
  kChain,
  // Certificate authorities to trust: at least one must be valid now (a bundle may
  // still carry a retired CA).
  kAuthorities,
};

// The text of the file at `path` if it holds PEM certificates as `kind` asks,
// valid at `now`. `what` names the setting in messages, e.g. "--tls-ca".
absl::StatusOr<std::string> ReadCertificates(const std::string& path, absl::string_view what,
                                             CertificateFile kind, absl::Time now);

// The text of the file at `path` if it holds an unencrypted PEM private key: the
// server and the kiosks start unattended, with nobody to type a passphrase.
absl::StatusOr<std::string> ReadPrivateKey(const std::string& path, absl::string_view what);

// OK when `key_pem` is the private key of the first certificate in `cert_pem`;
// otherwise says which files do not belong together.
absl::Status CheckKeyMatchesCertificate(const std::string& cert_pem, const std::string& cert_path,
                                        const std::string& key_pem, const std::string& key_path);

// When the first certificate in `cert_pem` expires (InfiniteFuture if none parses).
absl::Time NotAfter(const std::string& cert_pem);

// The subject of the first certificate in `cert_pem`, e.g. "CN=lobbyq.branch.example".
std::string Subject(const std::string& cert_pem);

}  // namespace lobbyq::tls
