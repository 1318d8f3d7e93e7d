#include "common/client/credentials.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/address.h"
#include "common/client/channel.h"
#include "common/client/status_text.h"
#include "common/credentials_file.h"
#include "common/secret_input.h"
#include "common/tls_files.h"
#include "lobbyq/v1/auth.grpc.pb.h"

namespace lobbyq::client {
namespace {

const char* RoleKey(ClientRole role) {
  switch (role) {
    case ClientRole::kKiosk:
      return "kiosk";
    case ClientRole::kDisplay:
      return "display";
    case ClientRole::kTeller:
      return "teller";
    case ClientRole::kManager:
      return "manager";
    case ClientRole::kAdmin:
      return "admin";
  }
  return "kiosk";
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// From LOBBYQ_PASSWORD (scripts), or typed without echo at a terminal.
std::string AskPassword(const std::string& user) {
  if (std::string env = Env("LOBBYQ_PASSWORD"); !env.empty()) return env;
  return ReadSecretLine("password for " + user + ": ");
}

}  // namespace

void AddCredentialOptions(CLI::App& app, CredentialOptions& options) {
  app.add_option("--token", options.token, "device or session token (default: $LOBBYQ_TOKEN)");
  app.add_option("--user", options.user,
                 "sign in as this user (password from $LOBBYQ_PASSWORD or asked)");
  app.add_option("--credentials", options.credentials_path,
                 std::string("credentials file (default: ") + kDefaultCredentialsPath +
                     " when it exists, as the demo run writes it)");
  CLI::Option* ca = app.add_option(
      "--tls-ca", options.tls_ca,
      "PEM file of the CA that signed the server's certificate: connect with TLS and verify "
      "the server (without it: plaintext, to a server on this machine only)");
  app.add_option("--tls-cert", options.tls_cert,
                 "PEM certificate of this device, for a server that requires mutual TLS")
      ->needs(ca);
  app.add_option("--tls-key", options.tls_key, "PEM private key of --tls-cert")->needs(ca);
  app.add_option("--tls-server-name", options.tls_server_name,
                 "the name to expect in the server's certificate (default: the host of "
                 "--server)")
      ->needs(ca);
  app.add_flag("--allow-plaintext", options.allow_plaintext,
               "connect without TLS to a server that is not on this machine (only on an "
               "isolated network you trust: the token or password crosses it in clear)")
      ->excludes(ca);
}

absl::StatusOr<ChannelSecurity> LoadChannelSecurity(const CredentialOptions& options,
                                                    const std::string& server) {
  ChannelSecurity security;
  if (options.tls_ca.empty()) {
    if (options.allow_plaintext || IsLoopbackAddress(server)) return security;
    return absl::FailedPreconditionError(
        absl::StrCat("refusing to send credentials in clear to ", server,
                     ": give --tls-ca FILE, the CA that signed the server's certificate (or, on an "
                     "isolated network you trust, --allow-plaintext)"));
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate needs its key: give both --tls-cert and --tls-key");
  }
  // The TLS handshake checks validity against the real time, so do these.
  const absl::Time now = absl::Now();
  absl::StatusOr<std::string> ca =
      tls::ReadCertificates(options.tls_ca, "--tls-ca", tls::CertificateFile::kAuthorities, now);
  if (!ca.ok()) return ca.status();
  security.ca_pem = *std::move(ca);
  security.server_name = options.tls_server_name;
  if (options.tls_cert.empty()) return security;
  absl::StatusOr<std::string> cert =
      tls::ReadCertificates(options.tls_cert, "--tls-cert", tls::CertificateFile::kChain, now);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = tls::ReadPrivateKey(options.tls_key, "--tls-key");
  if (!key.ok()) return key.status();
  if (absl::Status s =
          tls::CheckKeyMatchesCertificate(*cert, options.tls_cert, *key, options.tls_key);
      !s.ok()) {
    return s;
  }
  security.cert_pem = *std::move(cert);
  security.key_pem = *std::move(key);
  return security;
}

absl::StatusOr<std::string> SignIn(const std::string& server, const ChannelSecurity& security,
                                   const std::string& user, const std::string& password,
                                   const std::string& branch, uint32_t counter) {
  auto stub = v1::AuthService::NewStub(MakeChannel(server, security));
  v1::SignInRequest request;
  request.set_user(user);
  request.set_password(password);
  request.set_branch_id(branch);
  request.set_counter(counter);
  v1::SignInResponse response;
  const grpc::Status status =
      CallWithDeadline([&](grpc::ClientContext* c) { return stub->SignIn(c, request, &response); });
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("signing in as ", user, ": ", DescribeStatus(status, server)));
  }
  return response.token();
}

absl::StatusOr<std::string> ObtainToken(const CredentialOptions& options, ClientRole role,
                                        const std::string& server, const ChannelSecurity& security,
                                        const std::string& branch, uint32_t counter) {
  if (!options.token.empty()) return options.token;
  if (!options.user.empty()) {
    return SignIn(server, security, options.user, AskPassword(options.user), branch, counter);
  }
  if (std::string env = Env("LOBBYQ_TOKEN"); !env.empty()) return env;
  std::string path = options.credentials_path;
  if (path.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(kDefaultCredentialsPath, ec)) return std::string();
    path = kDefaultCredentialsPath;
  }
  absl::StatusOr<CredentialsFile> file = ReadCredentialsFile(path);
  if (!file.ok()) return file.status();
  const std::string key = RoleKey(role);
  if (role == ClientRole::kKiosk || role == ClientRole::kDisplay) {
    std::string token = CredentialOr(*file, key + "_token");
    if (token.empty()) {
      return absl::NotFoundError(absl::StrCat(path, " has no ", key, "_token"));
    }
    return token;
  }
  const std::string user = CredentialOr(*file, key + "_user");
  const std::string password = CredentialOr(*file, key + "_password");
  if (user.empty() || password.empty()) {
    return absl::NotFoundError(absl::StrCat(path, " has no ", key, "_user and ", key, "_password"));
  }
  return SignIn(server, security, user, password, branch, counter);
}

absl::StatusOr<Connection> Connect(const CredentialOptions& options, ClientRole role,
                                   const std::string& server, const std::string& branch,
                                   uint32_t counter) {
  absl::StatusOr<ChannelSecurity> security = LoadChannelSecurity(options, server);
  if (!security.ok()) return security.status();
  absl::StatusOr<std::string> token =
      ObtainToken(options, role, server, *security, branch, counter);
  if (!token.ok()) return token.status();
  return Connection{.security = *std::move(security), .token = *std::move(token)};
}

}  // namespace lobbyq::client
