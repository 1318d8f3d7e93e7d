#include "common/tls_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace lobbyq::tls {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

constexpr char kMakeCerts[] = "deploy/make-certs.sh makes a CA, server and device certificates";

Bio MemoryBio(const std::string& text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// OpenSSL keeps a per-thread error queue; what one failed parse leaves there must
// not show up as the cause of an unrelated later failure (gRPC reads it too).
struct ClearErrorsOnExit {
  ~ClearErrorsOnExit() { ERR_clear_error(); }
};

// Refuses to ask for a passphrase: without this callback OpenSSL would prompt
// on the terminal, and an unattended server would hang at start.
int NoPassphrase(char*, int, int, void*) { return -1; }

std::vector<Cert> ParseCertificates(const std::string& pem) {
  ClearErrorsOnExit clear;
  std::vector<Cert> certs;
  Bio bio = MemoryBio(pem);
  while (bio) {
    Cert cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
    if (!cert) break;
    certs.push_back(std::move(cert));
  }
  return certs;
}

absl::Time ToTime(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return absl::InfinitePast();
  return absl::FromTimeT(timegm(&tm));
}

std::string Day(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", t, absl::UTCTimeZone());
}

std::string SubjectOf(const X509* cert) {
  Bio out(BIO_new(BIO_s_mem()));
  if (!out || X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) {
    return "?";
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

// Why `cert` cannot be used at `now`, or "" if it can.
std::string Unusable(const X509* cert, absl::Time now) {
  const absl::Time not_before = ToTime(X509_get0_notBefore(cert));
  const absl::Time not_after = ToTime(X509_get0_notAfter(cert));
  if (now < not_before) {
    return absl::StrCat("the certificate '", SubjectOf(cert), "' is valid only from ",
                        Day(not_before), " (is this machine's clock right?)");
  }
  if (now > not_after) {
    return absl::StrCat("the certificate '", SubjectOf(cert), "' expired on ", Day(not_after),
                        "; make a new one (", kMakeCerts, ")");
  }
  return "";
}

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read the ", what, " file ", path, ": ", std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the ", what, " file ", path, " is empty"));
  }
  return text.str();
}

}  // namespace

absl::StatusOr<std::string> ReadCertificates(const std::string& path, absl::string_view what,
                                             CertificateFile kind, absl::Time now) {
  absl::StatusOr<std::string> text = ReadFile(path, what);
  if (!text.ok()) return text.status();
  const std::vector<Cert> certs = ParseCertificates(*text);
  if (certs.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the ", what, " file ", path,
        " holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----); ", kMakeCerts));
  }
  if (kind == CertificateFile::kChain) {
    if (std::string why = Unusable(certs.front().get(), now); !why.empty()) {
      return absl::FailedPreconditionError(absl::StrCat("the ", what, " file ", path, ": ", why));
    }
    return text;
  }
  std::string why;
  for (const Cert& cert : certs) {
    why = Unusable(cert.get(), now);
    if (why.empty()) return text;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("the ", what, " file ", path, " holds no certificate valid now",
                   certs.size() == 1 ? ": " : "; the last: ", why));
}

absl::StatusOr<std::string> ReadPrivateKey(const std::string& path, absl::string_view what) {
  absl::StatusOr<std::string> text = ReadFile(path, what);
  if (!text.ok()) return text.status();
  ClearErrorsOnExit clear;
  Bio bio = MemoryBio(*text);
  Pkey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  if (key) return text;
  if (absl::StrContains(*text, "ENCRYPTED")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the ", what, " file ", path,
        " is protected by a passphrase, which nobody is there to type at start; keep an "
        "unencrypted copy readable only by lobbyq (openssl pkey -in ",
        path, " -out NEW.key, then chmod 600 NEW.key)"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("the ", what, " file ", path,
                   " holds no PEM private key (a block starting -----BEGIN PRIVATE KEY-----)"));
}

absl::Status CheckKeyMatchesCertificate(const std::string& cert_pem, const std::string& cert_path,
                                        const std::string& key_pem, const std::string& key_path) {
  ClearErrorsOnExit clear;
  const std::vector<Cert> certs = ParseCertificates(cert_pem);
  Bio bio = MemoryBio(key_pem);
  Pkey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  if (!certs.empty() && key && X509_check_private_key(certs.front().get(), key.get()) == 1) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("the private key ", key_path, " does not belong to the certificate ", cert_path,
                   "; give the key that was made with that certificate"));
}

absl::Time NotAfter(const std::string& cert_pem) {
  const std::vector<Cert> certs = ParseCertificates(cert_pem);
  if (certs.empty()) return absl::InfiniteFuture();
  return ToTime(X509_get0_notAfter(certs.front().get()));
}

std::string Subject(const std::string& cert_pem) {
  const std::vector<Cert> certs = ParseCertificates(cert_pem);
  return certs.empty() ? "" : SubjectOf(certs.front().get());
}

}  // namespace lobbyq::tls
