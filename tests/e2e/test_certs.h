#pragma once

// TLS certificates for tests, made at test time by deploy/make-certs.sh into a
// temporary directory that is removed when the test process ends. So every TLS
// test also runs the script a branch uses, and the repository holds no private
// key (not even a test-only one a scanner would flag) and no certificate that
// expires one day and fails the build.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace lobbyq::test_certs {

// One CA and what deploy/make-certs.sh made with it in `dir`.
struct Pki {
  std::string dir;
  std::string ca() const { return dir + "/ca.crt"; }
  std::string server_cert() const { return dir + "/server.crt"; }
  std::string server_key() const { return dir + "/server.key"; }
  std::string client_cert(const std::string& name) const {
    return absl::StrCat(dir, "/clients/", name, ".crt");
  }
  std::string client_key(const std::string& name) const {
    return absl::StrCat(dir, "/clients/", name, ".key");
  }
};

inline constexpr char kDevice[] = "test-device";
// What the servers of the tests are reached by.
inline constexpr char kLoopbackNames[] = "--host localhost --ip 127.0.0.1 --ip ::1";

namespace internal {

// Owns the directories, and removes them when the process ends.
class Registry {
 public:
  ~Registry() {
    for (const auto& [name, pki] : made_) {
      std::error_code ec;
      std::filesystem::remove_all(pki->dir, ec);
    }
  }

  // `args` are make-certs.sh's after OUTDIR; the same `name` returns the same CA.
  const Pki* Get(const std::string& name, const std::string& args) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = made_.find(name); it != made_.end()) return it->second.get();
    auto pki = std::make_unique<Pki>();
    pki->dir = absl::StrCat(::testing::TempDir(), "lobbyq-tls-", ::getpid(), "-", name);
    std::error_code ec;
    std::filesystem::remove_all(pki->dir, ec);
    const std::string script =
        (std::filesystem::path(__FILE__).parent_path() / "../../deploy/make-certs.sh").string();
    const std::string log = pki->dir + ".log";
    const std::string command = absl::StrCat(script, " ", pki->dir, " ", args, " >", log, " 2>&1");
    const int status = std::system(command.c_str());
    std::ifstream in(log);
    std::stringstream output;
    output << in.rdbuf();
    std::filesystem::remove(log, ec);
    if (status != 0) {
      ADD_FAILURE() << "`" << command << "` failed (" << status << "):\n" << output.str();
      return nullptr;
    }
    return made_.emplace(name, std::move(pki)).first->second.get();
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Pki>> made_;
};

inline Registry& TheRegistry() {
  static Registry registry;
  return registry;
}

}  // namespace internal

// The CA named `name`, made on first use with `args` (then ignored): by default a
// server certificate for this machine's loopback names and a device certificate
// kDevice. Distinct names are distinct CAs that do not trust each other. Null (and
// the test failed) if the script failed.
inline const Pki* GetPki(const std::string& name = "main",
                         const std::string& args = absl::StrCat(kLoopbackNames, " --client ",
                                                                kDevice)) {
  return internal::TheRegistry().Get(name, args);
}

}  // namespace lobbyq::test_certs
