#pragma once

#include "server/domain/types.h"

namespace lobbyq::server {

inline constexpr char kDemoBranchId[] = "demo";

// The built-in branch of the default run: four services, six counters.
domain::BranchDefinition DemoBranch();

}  // namespace lobbyq::server
