#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace lobbyq::rpc {

// The one place where our errors become gRPC status codes.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace lobbyq::rpc
