#include "tests/crash/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/client/channel.h"
#include "common/client/credentials.h"
#include "common/credentials_file.h"
#include "gtest/gtest.h"

namespace lobbyq::crash {

// The demo run writes its credentials beside the database; the harness acts
// as its admin. Sessions are stored, so one sign-in per data directory
// outlives every kill and restart.
void AttachCredentials(grpc::ClientContext& context, const std::string& data_dir) {
  static absl::Mutex mu;
  static auto* tokens = new std::map<std::string, std::string>();
  std::string token;
  {
    absl::MutexLock lock(&mu);
    if (auto it = tokens->find(data_dir); it != tokens->end()) token = it->second;
  }
  if (token.empty()) {
    absl::StatusOr<CredentialsFile> file = ReadCredentialsFile(data_dir + "/demo-credentials");
    std::ifstream port_in(data_dir + "/port");
    int port = 0;
    if (!file.ok() || !(port_in >> port)) return;  // no server yet: the call fails unacknowledged
    absl::StatusOr<std::string> signed_in = client::SignIn(
        absl::StrCat("127.0.0.1:", port), client::ChannelSecurity{},
        CredentialOr(*file, "admin_user"), CredentialOr(*file, "admin_password"), "", 0);
    if (!signed_in.ok()) return;
    token = *signed_in;
    absl::MutexLock lock(&mu);
    (*tokens)[data_dir] = token;
  }
  context.AddMetadata("authorization", "Bearer " + token);
}

std::unique_ptr<grpc::ClientContext> NewContext(const std::string& data_dir,
                                                absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  client::SetDeadline(context.get(), timeout);
  AttachCredentials(*context, data_dir);
  return context;
}

std::string ServerBinary() {
  if (const char* env = std::getenv("LOBBYQ_SERVER_BINARY"); env != nullptr && *env != '\0') {
    return env;
  }
  return LOBBYQ_SERVER_BINARY;
}

TempDir::TempDir(const std::string& stem) {
  std::string pattern = absl::StrCat(::testing::TempDir(), "lobbyq-", stem, "-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << pattern << ": " << std::strerror(errno);
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  if (keep_) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

absl::StatusOr<pid_t> ServerProcess::Start(std::vector<std::string> args,
                                           const std::string& log_path) {
  args.insert(args.begin(), ServerBinary());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return absl::UnavailableError(absl::StrCat("open ", log_path, ": ", std::strerror(errno)));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec: the test has threads.
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    // A test killed by its timeout must not leave a server running.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(log_fd);
  if (pid < 0) return absl::UnavailableError(absl::StrCat("fork: ", std::strerror(fork_errno)));
  return pid;
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Spawn(
    const std::string& data_dir, const std::vector<std::string>& extra_args) {
  const std::string port_file = absl::StrCat(data_dir, "/port");
  const std::string log_path = absl::StrCat(data_dir, "/server.log");
  std::remove(port_file.c_str());  // a stale one would name the previous server's port
  std::vector<std::string> args = {"--data",      data_dir,  "--listen",    "127.0.0.1:0",
                                   "--port-file", port_file, "--log-level", "warn"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  absl::StatusOr<pid_t> pid = Start(std::move(args), log_path);
  if (!pid.ok()) return pid.status();
  return std::unique_ptr<ServerProcess>(new ServerProcess(*pid, port_file, log_path));
}

absl::StatusOr<int> ServerProcess::Run(const std::vector<std::string>& args,
                                       const std::string& log_path, absl::Duration timeout) {
  absl::StatusOr<pid_t> pid = Start(args, log_path);
  if (!pid.ok()) return pid.status();
  ServerProcess process(*pid, "", log_path);
  return process.WaitForExit(timeout);
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill();
}

std::optional<int> ServerProcess::Poll() {
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return status;
  }
  return std::nullopt;
}

absl::Status ServerProcess::WaitUntilListening() {
  const absl::Time deadline = absl::Now() + kStartTimeout;
  while (absl::Now() < deadline) {
    if (std::optional<int> status = Poll()) {
      return absl::UnavailableError(absl::StrCat(
          "lobbyq-server exited before listening (wait status ", *status, "); log:\n", LogTail()));
    }
    std::ifstream in(port_file_);
    std::string text;
    if (in && std::getline(in, text) &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &port_) && port_ > 0) {
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return absl::DeadlineExceededError(absl::StrCat("lobbyq-server did not listen within ",
                                                  absl::FormatDuration(kStartTimeout), "; log:\n",
                                                  LogTail()));
}

std::shared_ptr<grpc::Channel> ServerProcess::Channel() const {
  return client::MakeChannel(absl::StrCat("127.0.0.1:", port_), client::ChannelSecurity{});
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

absl::StatusOr<int> ServerProcess::WaitForExit(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (pid_ > 0) {
    if (std::optional<int> status = Poll()) {
      if (WIFEXITED(*status)) return WEXITSTATUS(*status);
      return absl::InternalError(absl::StrCat("lobbyq-server died by signal ",
                                              WIFSIGNALED(*status) ? WTERMSIG(*status) : -1,
                                              "; log:\n", LogTail()));
    }
    if (absl::Now() >= deadline) {
      Kill();
      return absl::DeadlineExceededError(absl::StrCat("lobbyq-server did not exit within ",
                                                      absl::FormatDuration(timeout),
                                                      " (killed); log:\n", LogTail()));
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return absl::FailedPreconditionError("lobbyq-server is not running");
}

absl::StatusOr<int> ServerProcess::Terminate(absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("lobbyq-server is not running");
  ::kill(pid_, SIGTERM);
  return WaitForExit(timeout);
}

std::string ServerProcess::LogTail(int lines) const {
  std::ifstream in(log_path_);
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  return absl::StrJoin(tail, "\n");
}

}  // namespace lobbyq::crash
