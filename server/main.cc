// lobbyq-server: the branch lobby queue server.

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "absl/strings/str_join.h"
#include "common/secret_input.h"
#include "server/config.h"
#include "server/demo.h"
#include "server/server.h"
#include "server/store/backup.h"

namespace {

// Reads a password twice from standard input (without echo on a terminal),
// creates or updates the admin and exits, so a configured server can start.
int AddAdmin(lobbyq::server::ServerOptions options, const std::string& name) {
  const std::string password = lobbyq::ReadSecretLine("password for admin '" + name + "': ");
  const std::string again = lobbyq::ReadSecretLine("again: ");
  if (password != again) {
    std::cerr << "lobbyq-server: the two passwords differ; nothing changed\n";
    return 2;
  }
  // Nothing is served: only the store is needed.
  options.listen = "127.0.0.1:0";
  options.tls = {};
  options.initial_users.push_back(
      {.name = name, .role = lobbyq::domain::Role::kAdmin, .branch_id = "", .password = password});
  auto server = lobbyq::server::Server::Start(std::move(options));
  if (!server.ok()) {
    std::cerr << "lobbyq-server: " << server.status().message() << "\n";
    return 1;
  }
  (*server)->Shutdown();
  std::cout << "admin '" << name << "' is ready; start the server without --add-admin\n";
  return 0;
}

// Written whole under a temporary name and renamed, so whoever polls for the
// file never reads half a number.
bool WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int Run(int argc, char** argv) {
  CLI::App app{"lobbyq-server: bank-branch lobby queue server"};
  std::string config_path, listen, data_dir, log_level, durability_name, port_file, backup_path;
  int threads = 2;
  std::string add_admin;
  lobbyq::server::TlsSettings tls;
  bool allow_plaintext = false;
  app.add_option("--config", config_path,
                 "YAML config file with branches (without one, a demo branch is served)")
      ->check(CLI::ExistingFile);
  app.add_option("--listen", listen, "gRPC address HOST:PORT (default 127.0.0.1:50051)");
  app.add_option("--data", data_dir, "directory for lobbyq.db (default ./lobbyq-data)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error (default info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--threads", threads, "worker threads for the branch strands")
      ->check(CLI::Range(1, 64));
  app.add_option("--tls-cert", tls.cert_file,
                 "PEM certificate of this server (then any intermediates): serve TLS; needs "
                 "--tls-key (deploy/make-certs.sh makes both)");
  app.add_option("--tls-key", tls.key_file,
                 "PEM private key of --tls-cert (unencrypted, mode 0600)");
  app.add_option("--tls-client-ca", tls.client_ca_file,
                 "PEM CA: mutual TLS, every client must present a certificate it signed");
  app.add_flag("--allow-plaintext", allow_plaintext,
               "serve without TLS on an address other than loopback (only on an isolated "
               "network you trust: tokens and passwords cross it in clear)");
  app.add_option("--add-admin", add_admin,
                 "create admin user NAME (or give it a new password, read from standard input), "
                 "then exit; needs --config")
      ->needs("--config");
  app.add_option("--durability", durability_name,
                 "full: every change is on disk before its reply (default); normal: flushed at "
                 "checkpoints, a power cut may lose the last changes")
      ->check(CLI::IsMember({"full", "normal"}));
  size_t commit_batch = lobbyq::runtime::Engine::kDefaultCommitBatch;
  app.add_option("--commit-batch", commit_batch,
                 "most changes that share one transaction and one flush to disk (group "
                 "commit); 1 gives every change its own (default 256)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--port-file", port_file,
                 "once listening, write the gRPC port to this file (for --listen HOST:0)");
  app.add_option("--backup", backup_path,
                 "copy the database in --data to this new file and exit; safe while a server "
                 "is running on it");
  CLI11_PARSE(app, argc, argv);

  lobbyq::server::ServerConfig config;
  if (!config_path.empty()) {
    auto loaded = lobbyq::server::LoadConfigFile(config_path);
    if (!loaded.ok()) {
      std::cerr << "lobbyq-server: " << loaded.status().message() << "\n";
      return 2;
    }
    config = *std::move(loaded);
  } else {
    config.branches.push_back(lobbyq::server::DemoBranch());
  }
  if (listen.empty()) listen = config.listen.value_or("127.0.0.1:50051");
  if (data_dir.empty()) data_dir = config.data_dir.value_or("./lobbyq-data");
  if (log_level.empty()) log_level = config.log_level.value_or("info");
  // Each flag overrides its own setting of the file's `tls:` block.
  for (auto [flag, file] : {std::pair{&tls.cert_file, &config.tls.cert_file},
                            std::pair{&tls.key_file, &config.tls.key_file},
                            std::pair{&tls.client_ca_file, &config.tls.client_ca_file}}) {
    if (flag->empty()) *flag = *file;
  }
  if (!allow_plaintext) allow_plaintext = config.allow_plaintext.value_or(false);
  spdlog::set_level(spdlog::level::from_str(log_level));
  const std::string db_path = (std::filesystem::path(data_dir) / "lobbyq.db").string();
  lobbyq::store::Durability durability =
      config.durability.value_or(lobbyq::store::Durability::kFull);
  if (!durability_name.empty()) durability = *lobbyq::store::ParseDurability(durability_name);

  if (!backup_path.empty()) {
    if (absl::Status s = lobbyq::store::BackupDatabase(db_path, backup_path); !s.ok()) {
      std::cerr << "lobbyq-server: " << s.message() << "\n";
      return 1;
    }
    std::cout << "backup of " << db_path << " written to " << backup_path << "\n";
    return 0;
  }

  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    spdlog::error("cannot create data directory {}: {}", data_dir, ec.message());
    return 1;
  }

  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  lobbyq::server::ServerOptions options{.listen = listen,
                                        .db_path = db_path,
                                        .branches = config.branches,
                                        .threads = threads,
                                        .tls = tls,
                                        .allow_plaintext = allow_plaintext,
                                        .limits = config.limits,
                                        .durability = durability,
                                        .commit_batch = commit_batch};
  if (config_path.empty()) {
    options.demo_credentials = true;
    options.demo_credentials_path = (std::filesystem::path(data_dir) / "demo-credentials").string();
  }
  if (!add_admin.empty()) return AddAdmin(std::move(options), add_admin);

  auto server = lobbyq::server::Server::Start(std::move(options));
  if (!server.ok()) {
    spdlog::error("{}", std::string(server.status().message()));
    return 1;
  }
  if (!port_file.empty() && !WritePortFile(port_file, (*server)->port())) {
    spdlog::error("cannot write the port to {}: {}", port_file, std::strerror(errno));
    return 1;
  }
  const std::string host = listen.substr(0, listen.rfind(':'));
  spdlog::info("lobbyq-server listening on {}:{} ({}), data in {} (durability {}), branches: {}",
               host, (*server)->port(), (*server)->transport(), db_path,
               std::string(lobbyq::store::DurabilityName(durability)),
               absl::StrJoin((*server)->engine().BranchIds(), ", "));

  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("stopping on {}", signal == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->Shutdown();
  if (!port_file.empty()) std::remove(port_file.c_str());  // no server behind it any more
  spdlog::info("stopped; data saved in {}", db_path);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "lobbyq-server: " << e.what() << "\n";
    return 1;
  }
}
