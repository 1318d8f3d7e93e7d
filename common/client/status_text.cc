#include "common/client/status_text.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace lobbyq::client {
namespace {

// The server's messages already say what is wrong ("counter 3 is not open"); the prefix
// says what kind of problem it is, so the reader knows whether retrying can help.
std::string Prefixed(std::string_view word, const grpc::Status& status) {
  if (status.error_message().empty()) return std::string(word);
  std::string message = status.error_message();
  // One line, whatever the server sent: it is printed after "lobbyq-kiosk: " or on a screen.
  std::replace(message.begin(), message.end(), '\n', ' ');
  return absl::StrCat(std::string(word), ": ", message);
}

// Why a connection failed, when it was TLS: gRPC says so only in its last error's words
// (gRPC 1.51's, matched here; another version's words get the plain message), and each
// case has its own flag that fixes it.
std::string Unreachable(const grpc::Status& status, std::string_view server) {
  const std::string prefix =
      absl::StrCat("cannot reach the lobbyq server at ", std::string(server));
  const std::string& m = status.error_message();
  if (absl::StrContains(m, "certificate verify failed")) {
    return absl::StrCat(prefix,
                        ": its TLS certificate is not signed by the CA of --tls-ca (or has "
                        "expired); give the CA of the branch's certificates");
  }
  static constexpr std::string_view kPeerName = "Peer name ";
  static constexpr std::string_view kNotInCertificate = " is not in peer certificate";
  if (const size_t end = m.find(kNotInCertificate); end != std::string::npos) {
    const size_t begin = m.rfind(kPeerName, end);
    const std::string name = begin == std::string::npos ? "the host dialled"
                                                        : m.substr(begin + kPeerName.size(),
                                                                   end - begin - kPeerName.size());
    return absl::StrCat(prefix, ": its TLS certificate does not name ", name,
                        "; connect by a name it lists, or give that name with --tls-server-name");
  }
  if (absl::StrContains(m, "Ssl handshake failed")) {
    return absl::StrCat(prefix, ": the TLS handshake failed (", m.substr(m.find("Ssl handshake")),
                        ")");
  }
  // A TLS server drops a plaintext client, and a mutual-TLS one a client without a
  // certificate it trusts, just so.
  if (absl::StrContains(m, "Socket closed")) {
    return absl::StrCat(prefix,
                        ": it closed the connection (if it serves TLS, give --tls-ca FILE; if it "
                        "requires client certificates, --tls-cert and --tls-key too)");
  }
  return absl::StrCat(prefix, " (is it running?)");
}

}  // namespace

std::string DescribeStatus(const grpc::Status& status, std::string_view server) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return "ok";
    case grpc::StatusCode::UNAVAILABLE:
      return Unreachable(status, server);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "the server did not answer in time";
    case grpc::StatusCode::CANCELLED:
      return "the request was cancelled";
    case grpc::StatusCode::NOT_FOUND:
      return Prefixed("not found", status);
    case grpc::StatusCode::FAILED_PRECONDITION:
      return Prefixed("not allowed now", status);
    case grpc::StatusCode::INVALID_ARGUMENT:
      return Prefixed("invalid", status);
    case grpc::StatusCode::OUT_OF_RANGE:
      return Prefixed("out of range", status);
    case grpc::StatusCode::ALREADY_EXISTS:
      return Prefixed("already exists", status);
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Prefixed("busy", status);
    case grpc::StatusCode::ABORTED:
      return Prefixed("conflict, try again", status);
    case grpc::StatusCode::PERMISSION_DENIED:
      return Prefixed("not permitted", status);
    case grpc::StatusCode::UNAUTHENTICATED:
      return Prefixed("not signed in", status);
    case grpc::StatusCode::UNIMPLEMENTED:
      // An older server: say so rather than pass on gRPC's "Method not found".
      return absl::StrCat("the server at ", std::string(server), " does not support this request");
    default:
      // UNKNOWN, INTERNAL, DATA_LOSS: nothing the user did; the message helps whoever
      // reads the server log.
      return Prefixed("server error", status);
  }
}

}  // namespace lobbyq::client
