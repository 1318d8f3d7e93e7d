#include "server/store/options.h"

namespace lobbyq::store {

absl::string_view DurabilityName(Durability d) {
  switch (d) {
    case Durability::kFull:
      return "full";
    case Durability::kNormal:
      return "normal";
  }
  return "?";
}

std::optional<Durability> ParseDurability(absl::string_view name) {
  if (name == "full") return Durability::kFull;
  if (name == "normal") return Durability::kNormal;
  return std::nullopt;
}

}  // namespace lobbyq::store
