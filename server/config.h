#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/domain/types.h"
#include "server/rpc/limits.h"
#include "server/store/options.h"
#include "server/tls.h"

namespace lobbyq::server {

// What a YAML config file may set. Command-line flags override the scalars.
struct ServerConfig {
  std::optional<std::string> listen;
  std::optional<std::string> data_dir;
  std::optional<std::string> log_level;
  std::optional<store::Durability> durability;
  TlsSettings tls;  // `tls:` with cert, key and optional client_ca (file paths)
  std::optional<bool> allow_plaintext;
  rpc::Limits limits;  // `limits:`; each setting left out keeps its default
  std::vector<domain::BranchDefinition> branches;
};

// Parses and checks a config file. InvalidArgument names the file, the line and
// the field at fault ("lobbyq.yaml:14: branches[0].services[1].target_wait: ...");
// NotFound if the file cannot be read.
absl::StatusOr<ServerConfig> LoadConfigFile(const std::string& path);
// The same, from text (for tests); `name` stands for the file in messages.
absl::StatusOr<ServerConfig> ParseConfig(const std::string& text, const std::string& name);

}  // namespace lobbyq::server
