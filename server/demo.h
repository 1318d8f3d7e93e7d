#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/credentials_file.h"
#include "server/domain/types.h"
#include "server/rpc/auth.h"

namespace lobbyq::server {

inline constexpr char kDemoBranchId[] = "demo";

// The built-in branch of the default run: four services, six counters.
domain::BranchDefinition DemoBranch();

// The demo run's users (admin, manager, teller) and devices (kiosk-1,
// display-1), as written to the credentials file.
using DemoCredentials = CredentialsFile;

// Makes the demo users and device tokens, marked as demo so that any other
// start deletes them. The secrets of an existing credentials file at `path`
// are kept, so a restarted demo keeps its clients signed in; otherwise new
// ones are drawn and the file is written (owner-only) when `path` is set.
absl::StatusOr<DemoCredentials> SetUpDemoCredentials(rpc::Authenticator& auth,
                                                     const std::string& path);

// Prints the credentials to standard output, clearly labelled as demo ones.
void PrintDemoCredentials(const DemoCredentials& credentials, const std::string& path);

}  // namespace lobbyq::server
