// AdminService requests, checked and planned as server/rpc/admin_service.cc
// and Engine::CreateBranch do: upserts and updates against the prepared
// lobby, new branches on their own.

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "harness.h"
#include "server/domain/validation.h"
#include "server/rpc/mapping.h"

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

void UpsertService(FuzzLobby& lobby, const v1::UpsertServiceRequest& request) {
  const domain::ServiceConfig service = rpc::FromProto(request.service());
  auto plan = lobby.Run("UpsertService", request.branch_id(),
                        [&](const domain::Branch& branch, const domain::CommandContext& ctx) {
                          return branch.PlanUpsertService(service, ctx);
                        });
  if (!plan) return;
  const domain::ServiceConfig* stored = lobby.branch().FindService(service.code);
  if (stored == nullptr) Fail(absl::StrCat("upserted service ", service.code, " is missing"));
  v1::ServiceConfig reply;
  rpc::ToProto(*stored, &reply);
}

void UpsertCounter(FuzzLobby& lobby, const v1::UpsertCounterRequest& request) {
  auto counter = rpc::FromProto(request.counter());
  if (!counter.ok()) return lobby.Refused("UpsertCounter", counter.status());
  auto plan = lobby.Run("UpsertCounter", request.branch_id(),
                        [&](const domain::Branch& branch, const domain::CommandContext& ctx) {
                          return branch.PlanUpsertCounter(*counter, ctx);
                        });
  if (!plan) return;
  const domain::Counter* stored = lobby.branch().FindCounter(counter->number);
  if (stored == nullptr) Fail(absl::StrCat("upserted counter ", counter->number, " is missing"));
  v1::CounterStatus reply;
  rpc::ToProto(*stored, lobby.branch(), &reply);
}

void UpdateBranch(FuzzLobby& lobby, const v1::UpdateBranchRequest& request) {
  domain::BranchInfo probe;
  if (auto s = rpc::ApplyPolicy(request.policy(), &probe); !s.ok()) {
    return lobby.Refused("UpdateBranch", s);
  }
  auto plan = lobby.Run("UpdateBranch", request.branch_id(),
                        [&](const domain::Branch& branch,
                            const domain::CommandContext& ctx) -> absl::StatusOr<domain::Plan> {
                          domain::BranchInfo info = branch.info();
                          if (!request.name().empty()) info.name = request.name();
                          if (auto s = rpc::ApplyPolicy(request.policy(), &info); !s.ok()) return s;
                          return branch.PlanUpdateBranchInfo(info, ctx);
                        });
  if (!plan) return;
  v1::BranchConfig reply;
  rpc::ToProto(lobby.branch(), &reply);
}

void Step(FuzzLobby& lobby, const AdminStep& step) {
  lobby.Advance(step.advance_seconds());
  switch (step.request_case()) {
    case AdminStep::kDrive:
      return lobby.Drive(step.drive());
    case AdminStep::kCreateBranch:
      return CreateBranch(lobby, step.create_branch());
    case AdminStep::kUpsertService:
      return UpsertService(lobby, step.upsert_service());
    case AdminStep::kUpsertCounter:
      return UpsertCounter(lobby, step.upsert_counter());
    case AdminStep::kUpdateBranch:
      return UpdateBranch(lobby, step.update_branch());
    case AdminStep::kGetBranch: {
      auto plan = lobby.Run("GetBranch", step.get_branch().branch_id(),
                            [](const domain::Branch&, const domain::CommandContext&) {
                              return absl::StatusOr<domain::Plan>(domain::Plan{});
                            });
      if (!plan) return;
      v1::BranchConfig reply;
      rpc::ToProto(lobby.branch(), &reply);
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
