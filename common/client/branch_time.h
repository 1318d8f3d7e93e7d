#pragma once

// A branch's local time as the clients need it: appointment slots and
// times are shown, and typed, in the branch's time zone, and "today" is the
// branch's business day as the server sees it.

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/time/time.h"
#include "lobbyq/v1/types.pb.h"

namespace lobbyq::client {

struct BranchTime {
  std::string name;
  absl::TimeZone zone;  // this machine's, with a warning, when the branch's is unknown here
  std::string day;      // YYYY-MM-DD
};

// The zone of `branch`; this machine's, warned about on stderr (prefixed with
// `program`), when the branch's zone is unknown here.
absl::TimeZone BranchZone(const v1::BranchConfig& branch, const char* program);

// The branch's name and zone (AdminService.GetBranch), and `day_option` or,
// when it is empty, the branch's business day now (LobbyService.GetLobbyStatus).
// A malformed `day_option` is INVALID_ARGUMENT. An unknown zone is warned
// about on stderr, prefixed with `program`.
grpc::Status LoadBranchTime(const std::shared_ptr<grpc::Channel>& channel,
                            const std::string& branch_id, const std::string& day_option,
                            const char* program, BranchTime* out);

}  // namespace lobbyq::client
