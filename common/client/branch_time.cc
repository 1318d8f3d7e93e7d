#include "common/client/branch_time.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "common/client/channel.h"
#include "common/client/format.h"
#include "lobbyq/v1/admin.grpc.pb.h"
#include "lobbyq/v1/lobby.grpc.pb.h"

namespace lobbyq::client {

absl::TimeZone BranchZone(const v1::BranchConfig& branch, const char* program) {
  absl::TimeZone zone;
  if (absl::LoadTimeZone(branch.timezone(), &zone)) return zone;
  std::cerr << program << ": time zone " << branch.timezone()
            << " unknown here; showing this machine's local time\n";
  return absl::LocalTimeZone();
}

grpc::Status LoadBranchTime(const std::shared_ptr<grpc::Channel>& channel,
                            const std::string& branch_id, const std::string& day_option,
                            const char* program, BranchTime* out) {
  auto admin = v1::AdminService::NewStub(channel);
  v1::GetBranchRequest request;
  request.set_branch_id(branch_id);
  v1::BranchConfig branch;
  grpc::Status status = CallWithDeadline(
      [&](grpc::ClientContext* c) { return admin->GetBranch(c, request, &branch); });
  if (!status.ok()) return status;
  out->name = branch.name();
  out->zone = BranchZone(branch, program);
  if (!day_option.empty()) {
    if (!ParseDay(day_option)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("--day '", day_option, "' is not a day; write YYYY-MM-DD"));
    }
    out->day = day_option;
    return grpc::Status::OK;
  }
  auto lobby = v1::LobbyService::NewStub(channel);
  v1::GetLobbyStatusRequest lobby_request;
  lobby_request.set_branch_id(branch_id);
  v1::LobbyStatus now;
  status = CallWithDeadline(
      [&](grpc::ClientContext* c) { return lobby->GetLobbyStatus(c, lobby_request, &now); });
  if (!status.ok()) return status;
  out->day = now.business_day();
  return grpc::Status::OK;
}

}  // namespace lobbyq::client
