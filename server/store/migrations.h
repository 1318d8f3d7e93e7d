#pragma once

#include <span>

#include "absl/strings/string_view.h"

namespace lobbyq::store {

// The schema's history: script i brings a database from version i to i + 1.
// Scripts are append-only; a released one is never edited.
std::span<const absl::string_view> Migrations();

}  // namespace lobbyq::store
