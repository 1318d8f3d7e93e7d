// TLS over real gRPC (docs/security.md): who gets through and who does not, and
// what a wrong file says at start. The certificates come from deploy/make-certs.sh
// (tests/e2e/test_certs.h); every other e2e test also runs over TLS in the
// e2e_test_over_tls run.

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/address.h"
#include "common/client/channel.h"
#include "common/client/credentials.h"
#include "gmock/gmock.h"
#include "lobbyq/v1/auth.grpc.pb.h"
#include "server/tls.h"
#include "tests/e2e/test_certs.h"
#include "tests/e2e/test_server.h"

namespace lobbyq::e2e {
namespace {

using test_certs::GetPki;
using test_certs::Pki;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A TLS server of its own per test: these tests choose its settings.
class TlsTest : public E2eTest {
 protected:
  void SetUp() override {
    pki_ = GetPki();
    ASSERT_NE(pki_, nullptr);
  }

  absl::StatusOr<std::unique_ptr<server::Server>> Start(server::TlsSettings tls) {
    server::ServerOptions options = TestServerOptions();
    options.tls = std::move(tls);
    return server::Server::Start(std::move(options));
  }

  server::TlsSettings Tls(const Pki& pki) const {
    return {.cert_file = pki.server_cert(), .key_file = pki.server_key()};
  }

  static client::ChannelSecurity Security(client::CredentialOptions files) {
    absl::StatusOr<client::ChannelSecurity> security =
        client::LoadChannelSecurity(files, "127.0.0.1:1");
    EXPECT_TRUE(security.ok()) << security.status();
    return security.value_or(client::ChannelSecurity{});
  }
  client::ChannelSecurity TrustingTheCa() const { return Security({.tls_ca = pki_->ca()}); }

  // WhoAmI as the test admin: signing in and a call carrying the token, both over
  // `security`. The status of the first that fails.
  static grpc::Status SignInAndCall(int port, const client::ChannelSecurity& security) {
    const std::string at = absl::StrCat("127.0.0.1:", port);
    absl::StatusOr<std::string> token =
        client::SignIn(at, security, kTestAdmin, kTestPassword, "", 0);
    if (!token.ok()) {
      return grpc::Status(static_cast<grpc::StatusCode>(token.status().code()),
                          std::string(token.status().message()));
    }
    auto stub = v1::AuthService::NewStub(client::MakeChannel(at, security, *token));
    v1::Identity me;
    grpc::Status status =
        Call(stub.get(), &v1::AuthService::Stub::WhoAmI, v1::WhoAmIRequest(), &me);
    if (status.ok()) {
      EXPECT_EQ(me.name(), absl::StrCat("user:", kTestAdmin));
    }
    return status;
  }

  const Pki* pki_ = nullptr;

  // Another CA, which the servers do not trust: made only for the tests that use it.
  static const Pki& Other() {
    static const Pki kFailed;  // GetPki has failed the test already
    const Pki* other = GetPki("other");
    return other != nullptr ? *other : kFailed;
  }
};

TEST_F(TlsTest, ClientsThatTrustTheCaSignInAndCallWithTheirToken) {
  auto server = Start(Tls(*pki_));
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_THAT((*server)->transport(), AllOf(StartsWith("TLS"), HasSubstr("CN=localhost")));
  EXPECT_TRUE(IsOk(SignInAndCall((*server)->port(), TrustingTheCa())));
}

TEST_F(TlsTest, APlaintextClientGetsNothingFromATlsServer) {
  auto server = Start(Tls(*pki_));
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(HasCode(SignInAndCall((*server)->port(), {}), grpc::StatusCode::UNAVAILABLE));
  // And the refusal left the server serving.
  EXPECT_TRUE(IsOk(SignInAndCall((*server)->port(), TrustingTheCa())));
}

// A client told to use TLS never falls back to plaintext, where its password would travel
// in clear.
TEST_F(TlsTest, ATlsClientDoesNotTalkToAPlaintextServer) {
  auto server = Start({});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_THAT((*server)->transport(), StartsWith("plaintext"));
  EXPECT_TRUE(
      HasCode(SignInAndCall((*server)->port(), TrustingTheCa()), grpc::StatusCode::UNAVAILABLE));
  EXPECT_TRUE(IsOk(SignInAndCall((*server)->port(), {})));
}

TEST_F(TlsTest, AClientTrustingAnotherCaRefusesTheServer) {
  auto server = Start(Tls(*pki_));
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(HasCode(SignInAndCall((*server)->port(), Security({.tls_ca = Other().ca()})),
                      grpc::StatusCode::UNAVAILABLE));
}

// The name checked is the host of the address, unless --tls-server-name says which.
TEST_F(TlsTest, TheServerMustBeReachedByANameInItsCertificate) {
  const Pki* named = GetPki("named", "--host lobbyq.branch.test");
  ASSERT_NE(named, nullptr);
  auto server = Start(Tls(*named));
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(HasCode(SignInAndCall((*server)->port(), Security({.tls_ca = named->ca()})),
                      grpc::StatusCode::UNAVAILABLE));
  EXPECT_TRUE(IsOk(
      SignInAndCall((*server)->port(),
                    Security({.tls_ca = named->ca(), .tls_server_name = "lobbyq.branch.test"}))));
  EXPECT_TRUE(HasCode(
      SignInAndCall((*server)->port(),
                    Security({.tls_ca = named->ca(), .tls_server_name = "other.branch.test"})),
      grpc::StatusCode::UNAVAILABLE));
}

TEST_F(TlsTest, MutualTlsAdmitsOnlyDevicesWithACertificateTheCaSigned) {
  server::TlsSettings tls = Tls(*pki_);
  tls.client_ca_file = pki_->ca();
  auto server = Start(tls);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_THAT((*server)->transport(), HasSubstr("mutual TLS"));
  const int port = (*server)->port();

  EXPECT_TRUE(HasCode(SignInAndCall(port, TrustingTheCa()), grpc::StatusCode::UNAVAILABLE))
      << "no client certificate";
  EXPECT_TRUE(
      HasCode(SignInAndCall(port, Security({.tls_ca = pki_->ca(),
                                            .tls_cert = Other().client_cert(test_certs::kDevice),
                                            .tls_key = Other().client_key(test_certs::kDevice)})),
              grpc::StatusCode::UNAVAILABLE))
      << "a certificate from another CA";
  EXPECT_TRUE(
      IsOk(SignInAndCall(port, Security({.tls_ca = pki_->ca(),
                                         .tls_cert = pki_->client_cert(test_certs::kDevice),
                                         .tls_key = pki_->client_key(test_certs::kDevice)}))))
      << "the device's own certificate";
}

// A wrong file stops the server at start, naming the file and what to do; nothing listens.
TEST_F(TlsTest, BadFilesStopTheStartNamingTheFile) {
  const std::string missing = pki_->dir + "/no-such.crt";
  const std::string encrypted = pki_->dir + "/encrypted.key";
  ASSERT_EQ(std::system(absl::StrCat("openssl pkey -in ", pki_->server_key(),
                                     " -aes256 -passout pass:secret -out ", encrypted)
                            .c_str()),
            0);
  struct Case {
    const char* what;
    server::TlsSettings tls;
    absl::StatusCode code;
    std::vector<std::string> mentions;
  };
  const std::vector<Case> cases = {
      {"missing certificate",
       {.cert_file = missing, .key_file = pki_->server_key()},
       absl::StatusCode::kNotFound,
       {missing, "TLS certificate", "No such file"}},
      {"missing key",
       {.cert_file = pki_->server_cert(), .key_file = missing},
       absl::StatusCode::kNotFound,
       {missing, "TLS private key"}},
      {"missing client CA",
       {.cert_file = pki_->server_cert(),
        .key_file = pki_->server_key(),
        .client_ca_file = missing},
       absl::StatusCode::kNotFound,
       {missing, "TLS client CA"}},
      {"key given as the certificate",
       {.cert_file = pki_->server_key(), .key_file = pki_->server_key()},
       absl::StatusCode::kInvalidArgument,
       {pki_->server_key(), "no PEM certificate", "make-certs.sh"}},
      {"certificate given as the key",
       {.cert_file = pki_->server_cert(), .key_file = pki_->server_cert()},
       absl::StatusCode::kInvalidArgument,
       {pki_->server_cert(), "no PEM private key"}},
      {"key protected by a passphrase",
       {.cert_file = pki_->server_cert(), .key_file = encrypted},
       absl::StatusCode::kInvalidArgument,
       {encrypted, "passphrase", "openssl pkey"}},
      {"another certificate's key",
       {.cert_file = pki_->server_cert(), .key_file = Other().server_key()},
       absl::StatusCode::kInvalidArgument,
       {Other().server_key(), pki_->server_cert(), "does not belong"}},
      {"certificate without key",
       {.cert_file = pki_->server_cert()},
       absl::StatusCode::kInvalidArgument,
       {"--tls-key"}},
      {"client CA alone",
       {.client_ca_file = pki_->ca()},
       absl::StatusCode::kInvalidArgument,
       {"--tls-cert", "--tls-key"}},
  };
  for (const Case& c : cases) {
    auto server = Start(c.tls);
    ASSERT_FALSE(server.ok()) << c.what << ": started with " << (*server)->transport();
    EXPECT_EQ(server.status().code(), c.code) << c.what << ": " << server.status();
    for (const std::string& m : c.mentions) {
      EXPECT_THAT(std::string(server.status().message()), HasSubstr(m)) << c.what;
    }
  }
}

// The TLS handshake would refuse an expired certificate with every client; the server
// says so at start instead. `now` is the one clock the checks read.
TEST_F(TlsTest, AnExpiredCertificateStopsTheStart) {
  const Pki* short_lived = GetPki("short", absl::StrCat(test_certs::kLoopbackNames, " --days 1"));
  ASSERT_NE(short_lived, nullptr);
  absl::StatusOr<server::Transport> now =
      server::MakeTransport(Tls(*short_lived), false, "127.0.0.1:0", absl::Now());
  EXPECT_TRUE(now.ok()) << now.status();
  absl::StatusOr<server::Transport> later =
      server::MakeTransport(Tls(*short_lived), false, "127.0.0.1:0", absl::Now() + absl::Hours(49));
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(later.status().message()),
              AllOf(HasSubstr(short_lived->server_cert()), HasSubstr("expired")));
}

TEST_F(TlsTest, ClientTlsFilesAreCheckedBeforeAnyCall) {
  const std::string at = "127.0.0.1:1";
  const std::string missing = pki_->dir + "/no-such-ca.crt";
  absl::StatusOr<client::ChannelSecurity> no_ca =
      client::LoadChannelSecurity({.tls_ca = missing}, at);
  ASSERT_FALSE(no_ca.ok());
  EXPECT_THAT(std::string(no_ca.status().message()),
              AllOf(HasSubstr("--tls-ca"), HasSubstr(missing)));

  absl::StatusOr<client::ChannelSecurity> wrong_key =
      client::LoadChannelSecurity({.tls_ca = pki_->ca(),
                                   .tls_cert = pki_->client_cert(test_certs::kDevice),
                                   .tls_key = Other().client_key(test_certs::kDevice)},
                                  at);
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_THAT(
      std::string(wrong_key.status().message()),
      AllOf(HasSubstr(Other().client_key(test_certs::kDevice)), HasSubstr("does not belong")));

  absl::StatusOr<client::ChannelSecurity> cert_alone = client::LoadChannelSecurity(
      {.tls_ca = pki_->ca(), .tls_cert = pki_->client_cert(test_certs::kDevice)}, at);
  ASSERT_FALSE(cert_alone.ok());
  EXPECT_THAT(std::string(cert_alone.status().message()), HasSubstr("--tls-key"));
}

// Plaintext: no certificates, and no server started for them.
class PlaintextTest : public E2eTest {
 protected:
  void SetUp() override {}
};

// Without TLS only loopback is served: on a branch network tokens and passwords would
// travel in clear. Refused before anything listens.
TEST_F(PlaintextTest, ServerRefusesPlaintextOnANetworkAddress) {
  server::ServerOptions options = TestServerOptions();
  options.tls = {};
  options.listen = "0.0.0.0:0";
  auto server = server::Server::Start(std::move(options));
  ASSERT_FALSE(server.ok()) << "serving plaintext on " << (*server)->port();
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      std::string(server.status().message()),
      AllOf(HasSubstr("0.0.0.0:0"), HasSubstr("--tls-cert"), HasSubstr("--allow-plaintext")));

  absl::StatusOr<server::Transport> allowed =
      server::MakeTransport({}, true, "10.1.2.3:50051", absl::Now());
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_TRUE(allowed->plaintext_on_network);
  EXPECT_THAT(allowed->description, HasSubstr("PLAINTEXT"));
}

// Nor does a client send its token or password in clear to whoever answers at a network
// address: a server refusing plaintext does not stop an impostor accepting it.
TEST_F(PlaintextTest, ClientRefusesPlaintextToANetworkAddress) {
  absl::StatusOr<client::ChannelSecurity> refused =
      client::LoadChannelSecurity({}, "10.1.2.3:50051");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      std::string(refused.status().message()),
      AllOf(HasSubstr("10.1.2.3:50051"), HasSubstr("--tls-ca"), HasSubstr("--allow-plaintext")));

  absl::StatusOr<client::ChannelSecurity> allowed =
      client::LoadChannelSecurity({.allow_plaintext = true}, "10.1.2.3:50051");
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_FALSE(allowed->tls());
  absl::StatusOr<client::ChannelSecurity> local = client::LoadChannelSecurity({}, "127.0.0.1:1");
  ASSERT_TRUE(local.ok()) << local.status();
  EXPECT_FALSE(local->tls());
}

TEST(TlsAddressTest, LoopbackAddresses) {
  for (const char* local : {"127.0.0.1:50051", "127.1.2.3:0", "localhost:7000", "LOCALHOST:1",
                            "[::1]:50051", "[::ffff:127.0.0.1]:1", "unix:/run/lobbyq.sock",
                            "unix-abstract:lobbyq", "dns:///localhost:50051", "ipv4:127.0.0.1:1",
                            "ipv4:127.0.0.1:1,127.0.0.2:1", "ipv6:[::1]:1"}) {
    EXPECT_TRUE(IsLoopbackAddress(local)) << local;
  }
  for (const char* network :
       {"0.0.0.0:50051", "[::]:50051", ":50051", "10.1.2.3:50051", "lobbyq.branch.example:50051",
        "[fe80::1]:1", "128.0.0.1:1", "[::ffff:10.0.0.1]:1", "localhost.evil.example:1", "",
        "dns:///lobbyq.branch.example:50051", "ipv4:127.0.0.1:1,10.0.0.1:1",
        "dns://8.8.8.8/localhost:1"}) {
    EXPECT_FALSE(IsLoopbackAddress(network)) << network;
  }
}

}  // namespace
}  // namespace lobbyq::e2e
