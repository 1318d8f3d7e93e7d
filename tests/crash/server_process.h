#pragma once

// The real lobbyq-server binary as a child process of the test: started on a
// data directory with --listen 127.0.0.1:0 and --port-file, killed or stopped
// by signal. Its stdout and stderr go to a log file in the data directory.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace lobbyq::crash {

// Sanitizer builds run the server several times slower.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

// Generous: a sanitizer build on a busy two-core machine is slow to start,
// but a server that never comes up must fail the test, not hang it.
inline constexpr absl::Duration kStartTimeout = absl::Seconds(kSanitized ? 120 : 30);
inline constexpr absl::Duration kCallTimeout = absl::Seconds(kSanitized ? 20 : 10);

// Every piece of client-side metadata the harness sends goes through here, so
// credentials are wired in one place once the server requires them (the demo
// server will write them to `<data_dir>/demo-credentials`). Today: nothing.
void AttachCredentials(grpc::ClientContext& context, const std::string& data_dir);

// A context for one call: deadline plus credentials.
std::unique_ptr<grpc::ClientContext> NewContext(const std::string& data_dir,
                                                absl::Duration timeout = kCallTimeout);

// The lobbyq-server binary under test: $LOBBYQ_SERVER_BINARY, else the one
// this test was built with.
std::string ServerBinary();

// A fresh directory under the test temp dir; removed on destruction unless
// Keep() was called (for looking at a failure).
class TempDir {
 public:
  explicit TempDir(const std::string& stem);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  void Keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

class ServerProcess {
 public:
  // Starts `lobbyq-server --data data_dir --listen 127.0.0.1:0 --port-file ...
  // extra_args...` (no --config: the demo branch). Does not wait for it.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Spawn(
      const std::string& data_dir, const std::vector<std::string>& extra_args = {});
  // Kills it if still running.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Runs `lobbyq-server args...` to completion (e.g. --backup), output
  // appended to `log_path`; its exit code.
  static absl::StatusOr<int> Run(const std::vector<std::string>& args, const std::string& log_path,
                                 absl::Duration timeout);

  // Waits for the port file; fails if the server exits first or kStartTimeout passes.
  absl::Status WaitUntilListening();
  int port() const { return port_; }
  std::shared_ptr<grpc::Channel> Channel() const;

  // SIGKILL, and reaps the process.
  void Kill();
  // SIGTERM; returns the exit code once it stopped (error if it did not
  // within `timeout`, or died by a signal).
  absl::StatusOr<int> Terminate(absl::Duration timeout);
  // Waits for the process to exit by itself; its exit code.
  absl::StatusOr<int> WaitForExit(absl::Duration timeout);
  bool running() const { return pid_ > 0; }

  // The last lines of the server log, for failure messages.
  std::string LogTail(int lines = 30) const;
  const std::string& log_path() const { return log_path_; }

 private:
  ServerProcess(pid_t pid, std::string port_file, std::string log_path)
      : pid_(pid), port_file_(std::move(port_file)), log_path_(std::move(log_path)) {}
  // Starts `lobbyq-server args...` with output appended to `log_path`.
  static absl::StatusOr<pid_t> Start(std::vector<std::string> args, const std::string& log_path);
  // Reaps the child if it exited; its wait status.
  std::optional<int> Poll();

  pid_t pid_;
  std::string port_file_;
  std::string log_path_;
  int port_ = 0;
};

}  // namespace lobbyq::crash
