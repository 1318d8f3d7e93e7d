// The YAML config parser (server/config.h), as `lobbyq-server --config`
// reads a file; every branch it accepts must then be created as the server
// creates it at start-up.

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "harness.h"
#include "server/config.h"
#include "server/domain/validation.h"

namespace lobbyq::fuzz {

int RunConfig(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto config = server::ParseConfig(text, "fuzz.yaml");
  if (!config.ok()) {
    CheckRefusal(config.status(), "ParseConfig");
    // The operator must be able to find the place: the file, then a line.
    if (!absl::StartsWith(config.status().message(), "fuzz.yaml:")) {
      Fail(absl::StrCat("a config error does not say where: ", config.status().ToString()));
    }
    return 0;
  }
  for (const domain::BranchDefinition& def : config->branches) {
    if (auto s = domain::ValidateBranchDefinition(def); !s.ok()) {
      Fail(absl::StrCat("the config accepted branch '", def.info.id,
                        "', which the domain refuses: ", s.ToString()));
    }
    const domain::CommandContext ctx{.now = absl::FromUnixSeconds(1710120000), .actor = "config"};
    auto change = domain::Branch::PlanCreate(def, ctx);
    if (!change.ok()) {
      Fail(absl::StrCat("the config accepted branch '", def.info.id,
                        "', which cannot be created: ", change.status().ToString()));
    }
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(def.info.timezone, &zone)) {
      Fail(absl::StrCat("the config accepted time zone '", def.info.timezone,
                        "', which does not load"));
    }
    domain::Branch branch(domain::BranchSnapshot{.info = def.info}, zone,
                          domain::EstimatorSettings{.runs = 1});
    branch.Apply(*change);
    CheckInvariants(branch);
  }
  return 0;
}

}  // namespace lobbyq::fuzz
