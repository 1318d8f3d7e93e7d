#pragma once

// lobbyq-admin's user, device and audit subcommands (AdminService, admins only).

#include <string>

#include <CLI/CLI.hpp>

#include "common/client/channel.h"

namespace lobbyq::admin {

struct Connection {
  std::string server;
  std::string branch;
  std::string token;
  client::ChannelSecurity security;
};

// Adds `user`, `device` and `audit` to `app`. After parsing, RunAccessCommand
// runs the one given and returns its exit code, or -1 if none was.
class AccessCommands {
 public:
  explicit AccessCommands(CLI::App& app);
  int Run(const Connection& connection) const;

 private:
  CLI::App* user_add_;
  CLI::App* user_list_;
  CLI::App* user_remove_;
  CLI::App* device_add_;
  CLI::App* device_list_;
  CLI::App* device_revoke_;
  CLI::App* audit_;
  std::string name_;
  std::string role_;
  std::string of_branch_;
  std::string ticket_;
  std::string actor_;
};

}  // namespace lobbyq::admin
