#pragma once

// Whether a gRPC address is reachable from this machine only: plaintext is
// allowed there and nowhere else without saying so (docs/security.md).

#include <arpa/inet.h>

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace lobbyq {

// Takes what the server listens on ("127.0.0.1:50051", "[::1]:0", "localhost:7000",
// "unix:/run/lobbyq.sock") and what a client dials (the same, or with a "dns:///",
// "ipv4:" or "ipv6:" scheme). Any other name may resolve to a network address, and ""
// or "0.0.0.0" mean all of them: not loopback.
inline bool IsLoopbackAddress(absl::string_view address) {
  if (absl::StartsWith(address, "unix:") || absl::StartsWith(address, "unix-abstract:")) {
    return true;
  }
  for (absl::string_view scheme : {"dns:///", "ipv4:", "ipv6:"}) {
    if (absl::ConsumePrefix(&address, scheme)) break;
  }
  // ipv4:/ipv6: may list several addresses: every one must be local.
  if (const size_t comma = address.find(','); comma != absl::string_view::npos) {
    return IsLoopbackAddress(address.substr(0, comma)) &&
           IsLoopbackAddress(address.substr(comma + 1));
  }
  absl::string_view host;
  if (absl::StartsWith(address, "[")) {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos) return false;
    host = address.substr(1, close - 1);
  } else {
    const size_t colon = address.rfind(':');
    host = colon == absl::string_view::npos ? address : address.substr(0, colon);
  }
  const std::string name = absl::AsciiStrToLower(host);
  if (name == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, name.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, name.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace lobbyq
