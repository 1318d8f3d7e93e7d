#include "server/tls.h"

#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "common/address.h"
#include "common/tls_files.h"

namespace lobbyq::server {
namespace {

// Renewal takes a change window at a branch; a month's notice leaves time for one.
constexpr absl::Duration kExpiryWarning = absl::Hours(24 * 30);

std::string Day(absl::Time t) { return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone()); }

// The key stays usable (the server cannot fix its mode), but whoever reads it
// can pose as this server.
void WarnIfOthersCanRead(const std::string& key_file) {
  struct stat st {};
  if (::stat(key_file.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return;
  spdlog::warn("the TLS private key {} can be read by other users (mode {:04o}): chmod 600 {}",
               key_file, st.st_mode & 07777, key_file);
}

}  // namespace

absl::StatusOr<Transport> MakeTransport(const TlsSettings& settings, bool allow_plaintext,
                                        const std::string& listen, absl::Time now) {
  Transport transport;
  if (!settings.enabled()) {
    const bool loopback = IsLoopbackAddress(listen);
    if (!loopback && !allow_plaintext) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to serve ", listen,
          " without TLS: device tokens and passwords would cross the network in clear. Give "
          "--tls-cert and --tls-key (`tls:` in the config file; deploy/make-certs.sh makes "
          "them), listen on 127.0.0.1, or, on an isolated network you trust, pass "
          "--allow-plaintext"));
    }
    transport.credentials = grpc::InsecureServerCredentials();
    transport.plaintext_on_network = !loopback;
    transport.description =
        loopback ? "plaintext (no TLS; reachable from this machine only)"
                 : "PLAINTEXT (no TLS, allowed by --allow-plaintext): tokens and passwords "
                   "cross the network in clear";
    return transport;
  }
  if (settings.cert_file.empty() || settings.key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both the server's certificate and its private key: give --tls-cert and "
        "--tls-key (or `cert:` and `key:` under `tls:` in the config file)");
  }
  absl::StatusOr<std::string> cert = tls::ReadCertificates(settings.cert_file, "TLS certificate",
                                                           tls::CertificateFile::kChain, now);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = tls::ReadPrivateKey(settings.key_file, "TLS private key");
  if (!key.ok()) return key.status();
  if (absl::Status s =
          tls::CheckKeyMatchesCertificate(*cert, settings.cert_file, *key, settings.key_file);
      !s.ok()) {
    return s;
  }
  WarnIfOthersCanRead(settings.key_file);
  const absl::Time expires = tls::NotAfter(*cert);
  if (expires - now < kExpiryWarning) {
    spdlog::warn("the TLS certificate {} expires on {}: make a new one before then",
                 settings.cert_file, Day(expires));
  }

  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({.private_key = *key, .cert_chain = *cert});
  transport.description =
      absl::StrCat("TLS, certificate '", tls::Subject(*cert), "' valid until ", Day(expires));
  if (!settings.client_ca_file.empty()) {
    absl::StatusOr<std::string> client_ca = tls::ReadCertificates(
        settings.client_ca_file, "TLS client CA", tls::CertificateFile::kAuthorities, now);
    if (!client_ca.ok()) return client_ca.status();
    options.pem_root_certs = *client_ca;
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    absl::StrAppend(&transport.description,
                    "; mutual TLS: every client must present a certificate signed by ",
                    settings.client_ca_file);
  }
  transport.credentials = grpc::SslServerCredentials(options);
  return transport;
}

}  // namespace lobbyq::server
