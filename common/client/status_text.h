#pragma once

#include <string>
#include <string_view>

#include <grpcpp/support/status.h>

namespace lobbyq::client {

// One line a teller or customer can act on, never a raw gRPC dump: "cannot reach the lobbyq
// server at HOST:PORT (is it running?)", "not allowed now: <server's message>", ...
// `server` is the address the client dialled, named when it cannot be reached.
std::string DescribeStatus(const grpc::Status& status, std::string_view server);

}  // namespace lobbyq::client
