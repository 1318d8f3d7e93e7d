#pragma once

#include <optional>

#include "absl/strings/string_view.h"

namespace lobbyq::store {

// When a committed change reaches the disk. Both settings survive a crash of
// the server process (what was written is in the operating system's cache);
// they differ only when the machine itself stops: power cut, kernel panic.
enum class Durability {
  // The log is flushed to disk (fsync) before every reply: an acknowledged
  // change survives a power cut. Every commit waits for the disk.
  kFull = 1,
  // Flushed only at checkpoints: a power cut may lose the last acknowledged
  // changes (the file stays consistent, never corrupt). Faster on slow disks.
  kNormal,
};

// "full" or "normal", as the config file and --durability write it.
absl::string_view DurabilityName(Durability d);
// Inverse of DurabilityName; nullopt for anything else.
std::optional<Durability> ParseDurability(absl::string_view name);

struct StoreOptions {
  Durability durability = Durability::kFull;
};

}  // namespace lobbyq::store
