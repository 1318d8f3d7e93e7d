// AdminService requests: upserts and updates through the server's own
// commands (server/rpc/requests.h) against the prepared lobby; new branches
// on their own, as Engine::CreateBranch makes them.

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "harness.h"
#include "server/domain/validation.h"
#include "server/rpc/mapping.h"
#include "server/rpc/requests.h"

namespace lobbyq::fuzz {
namespace {

// What a branch's time zone may be called: an IANA name ("Asia/Shanghai",
// "Etc/GMT+8", "UTC"). The server loads it by name from the zoneinfo
// directory, so anything else (an absolute path, "..") would make it open
// a file an admin chose, or block on a device or pipe.
bool IanaShaped(absl::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' || absl::StrContains(name, "..")) {
    return false;
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '/' && c != '_' && c != '-' && c != '+') return false;
  }
  return true;
}

// Engine::CreateBranch: plan the creation, load the zone, apply to a new branch.
void CreateBranch(FuzzLobby& lobby, const v1::CreateBranchRequest& request) {
  auto def = rpc::FromProto(request.branch());
  if (!def.ok()) return lobby.Refused("CreateBranch", def.status());
  auto change = domain::Branch::PlanCreate(*def, lobby.Ctx("admin"));
  if (!change.ok()) return lobby.Refused("CreateBranch", change.status());
  if (!IanaShaped(def->info.timezone)) {
    Fail(absl::StrCat("CreateBranch accepted time zone '", absl::CHexEscape(def->info.timezone),
                      "', which the server would open as a file"));
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(def->info.timezone, &zone)) return;  // the engine's InvalidArgument
  domain::Branch branch(domain::BranchSnapshot{.info = def->info}, zone,
                        domain::EstimatorSettings{.runs = 1});
  branch.Apply(*change);
  CheckInvariants(branch);
  v1::BranchConfig reply;
  rpc::ToProto(branch, &reply);
  // What GetBranch answers, an admin can create again (another server, a
  // restore): the reply must map back to a definition the domain accepts.
  auto again = rpc::FromProto(reply);
  if (!again.ok()) Fail(absl::StrCat("a created branch reads back as ", again.status().ToString()));
  if (auto s = domain::ValidateBranchDefinition(*again); !s.ok()) {
    Fail(absl::StrCat("a created branch reads back invalid: ", s.ToString()));
  }
}

void Step(FuzzLobby& lobby, const AdminStep& step) {
  lobby.Advance(step.advance_seconds());
  switch (step.request_case()) {
    case AdminStep::kDrive:
      return lobby.Drive(step.drive());
    case AdminStep::kCreateBranch:
      return CreateBranch(lobby, step.create_branch());
    case AdminStep::kUpsertService: {
      v1::ServiceConfig response;
      lobby.RunCommand("UpsertService", step.upsert_service().branch_id(),
                       rpc::UpsertServiceCommand(step.upsert_service(), &response));
      return;
    }
    case AdminStep::kUpsertCounter: {
      v1::CounterStatus response;
      lobby.RunCommand("UpsertCounter", step.upsert_counter().branch_id(),
                       rpc::UpsertCounterCommand(step.upsert_counter(), &response));
      return;
    }
    case AdminStep::kUpdateBranch: {
      v1::BranchConfig response;
      lobby.RunCommand("UpdateBranch", step.update_branch().branch_id(),
                       rpc::UpdateBranchCommand(step.update_branch(), &response));
      return;
    }
    case AdminStep::kGetBranch: {
      v1::BranchConfig response;
      lobby.RunCommand("GetBranch", step.get_branch().branch_id(),
                       rpc::GetBranchCommand(&response));
      return;
    }
    case AdminStep::REQUEST_NOT_SET:
      return;
  }
}

}  // namespace

int RunAdmin(const uint8_t* data, size_t size) {
  return RunSession<AdminSession>(data, size, Step);
}

}  // namespace lobbyq::fuzz
