#include "common/client/status_text.h"

#include <algorithm>

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

}  // namespace

std::string DescribeStatus(const grpc::Status& status, std::string_view server) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return "ok";
    case grpc::StatusCode::UNAVAILABLE:
      return absl::StrCat("cannot reach the lobbyq server at ", std::string(server),
                          " (is it running?)");
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
