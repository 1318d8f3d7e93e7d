#include "server/rpc/secrets.h"

#include <sodium.h>

#include <array>

namespace lobbyq::rpc {

absl::Status InitSecrets() {
  if (sodium_init() < 0) {
    return absl::InternalError("libsodium cannot initialise (no source of randomness?)");
  }
  return absl::OkStatus();
}

std::string NewToken() {
  std::array<unsigned char, 32> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)> text;
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string("lq_") + text.data();
}

std::string TokenHash(absl::string_view token) {
  std::array<unsigned char, crypto_generichash_BYTES> digest;
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr,
                     0);
  std::array<char, crypto_generichash_BYTES * 2 + 1> hex;
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data());
}

absl::StatusOr<std::string> HashPassword(absl::string_view password, PasswordCost cost) {
  const bool minimum = cost == PasswordCost::kMinimum;
  std::array<char, crypto_pwhash_STRBYTES> out;
  if (crypto_pwhash_str_alg(
          out.data(), password.data(), password.size(),
          minimum ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
          minimum ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE,
          crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError("not enough memory to hash a password");
  }
  return std::string(out.data());
}

bool VerifyPassword(const std::string& hash, absl::string_view password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string NewPassword() {
  static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
  std::string out;
  for (int group = 0; group < 4; ++group) {
    if (group > 0) out.push_back('-');
    for (int i = 0; i < 4; ++i) {
      out.push_back(kAlphabet[randombytes_uniform(sizeof(kAlphabet) - 1)]);
    }
  }
  return out;
}

}  // namespace lobbyq::rpc
