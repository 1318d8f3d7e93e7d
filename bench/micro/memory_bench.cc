// lobbyq-bench-memory: the server's resident memory per branch and per live
// ticket, read from /proc/self/status (VmRSS, VmHWM) before and after.
//
// Each scenario runs in a child process of its own, so what one allocated
// (and the allocator kept) does not hide or inflate the next one's growth:
//  branches   N demo-shaped branches created through Engine::CreateBranch,
//             over a store in a temporary file (as the server runs: SQLite's
//             page cache is bounded, the rows stay on disk).
//  spread     B such branches with every counter open, then T tickets issued
//             in each through Engine::ExecuteSync, as IssueTicket does: the
//             ticket, its queue entry, its number, its request id and the
//             estimate recorded at issue.
//  one-branch one branch holding W waiting tickets, built from a snapshot as a
//             restart does: the domain allows at most 999 live tickets per
//             service (4 x 999 in the demo shape), so commands cannot get
//             there. A restored ticket has no recorded estimate.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "bench/micro/bench_support.h"
#include "common/clock.h"
#include "server/runtime/engine.h"
#include "server/store/store.h"

namespace lobbyq::bench {
namespace {

// Monday 2024-03-11 09:00 in Shanghai.
const absl::Time kOpening = absl::FromCivil(absl::CivilSecond(2024, 3, 11, 9, 0, 0), Shanghai());

double MiB(int64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

void Report(const char* what, const Memory& before, const Memory& after, int64_t count,
            const char* unit) {
  std::printf("%-11s RSS %.1f -> %.1f MiB, peak %.1f MiB: %lld bytes per %s (%lld of them)\n", what,
              MiB(before.rss), MiB(after.rss), MiB(after.hwm),
              static_cast<long long>((after.rss - before.rss) / std::max<int64_t>(count, 1)), unit,
              static_cast<long long>(count));
}

// A temporary store and an engine over it, removed afterwards.
class Server {
 public:
  explicit Server(const std::string& dir) : db_(dir + "/memory-bench.db"), clock_(kOpening) {
    Remove();
    auto store = store::Store::Open(db_, {.durability = store::Durability::kNormal});
    if (!store.ok()) {
      std::cerr << store.status() << "\n";
      std::exit(1);
    }
    store_ = *std::move(store);
    engine_ = std::make_unique<runtime::Engine>(store_.get(), &clock_, 2);
  }
  ~Server() {
    engine_.reset();
    store_.reset();
    Remove();
  }
  runtime::Engine& engine() { return *engine_; }
  FakeClock& clock() { return clock_; }

 private:
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(db_ + suffix);
  }
  std::string db_;
  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<runtime::Engine> engine_;
};

void Check(const absl::Status& s, const std::string& what) {
  if (s.ok()) return;
  std::cerr << what << ": " << s << "\n";
  std::exit(1);
}

std::string BranchId(int i) { return absl::StrCat("branch-", i); }

int Branches(const std::string& dir, int count) {
  Server server(dir);
  const Memory before = CurrentMemory();
  for (int i = 0; i < count; ++i) {
    Check(server.engine().CreateBranch(DemoShape(BranchId(i)), "config"), BranchId(i));
  }
  Report("branches", before, CurrentMemory(), count, "branch");
  return 0;
}

int Spread(const std::string& dir, int branches, int per_branch) {
  Server server(dir);
  for (int i = 0; i < branches; ++i) {
    const std::string id = BranchId(i);
    Check(server.engine().CreateBranch(DemoShape(id), "config"), id);
    for (uint32_t counter = 1; counter <= 6; ++counter) {
      Check(server.engine().ExecuteSync(id, "user:teller",
                                        [counter](const domain::Branch& b, const auto& ctx) {
                                          return b.PlanOpenCounter(counter, ctx);
                                        }),
            id);
    }
  }
  const Memory before = CurrentMemory();
  const char* services[] = {"A", "A", "B", "C", "D"};
  for (int t = 0; t < per_branch; ++t) {
    server.clock().Advance(absl::Seconds(1));
    for (int i = 0; i < branches; ++i) {
      const std::string request = absl::StrCat("kiosk-", i, "-", t);
      const std::string service = services[t % 5];
      Check(server.engine().ExecuteSync(
                BranchId(i), "device:kiosk-1",
                [&](const domain::Branch& b, const auto& ctx) {
                  return b.PlanIssue(service, domain::PriorityClass::kNormal, request, {}, ctx);
                }),
            BranchId(i));
    }
  }
  const std::string what = absl::StrCat("spread/", branches);
  Report(what.c_str(), before, CurrentMemory(), int64_t{branches} * per_branch, "ticket");
  return 0;
}

int OneBranch(int waiting) {
  // The same branch empty first: what is measured is the tickets alone.
  auto empty = BranchWithQueue(0, QueueMix::kMixed, kOpening);
  const Memory before = CurrentMemory();
  auto full = BranchWithQueue(static_cast<size_t>(waiting), QueueMix::kMixed, kOpening);
  const Memory after = CurrentMemory();
  if (full->LiveTicketCount() == 0) return 1;
  Report("one-branch", before, after, waiting, "ticket");
  return 0;
}

// Runs `scenario` in a child process; its exit status.
int InChild(const std::function<int()>& scenario) {
  std::fflush(stdout);
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    return 1;
  }
  if (pid == 0) {
    const int rc = scenario();
    std::fflush(stdout);
    std::_Exit(rc);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace
}  // namespace lobbyq::bench

int main(int argc, char** argv) {
  CLI::App app{"Measures lobbyq's resident memory per branch and per live ticket"};
  std::string dir = std::filesystem::temp_directory_path().string();
  int branches = 10'000;
  int spread_branches = 40;
  int spread_tickets = 500;
  int waiting = 100'000;
  std::vector<std::string> only;
  app.add_option("--dir", dir, "where the temporary database goes");
  app.add_option("--branches", branches, "branches for the per-branch figure")
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--spread-branches", spread_branches, "branches tickets are issued in")
      ->check(CLI::Range(1, 100'000));
  app.add_option("--spread-tickets", spread_tickets,
                 "tickets issued per branch (at most 3,996: 999 per service)")
      ->check(CLI::Range(1, 3996));
  app.add_option("--waiting", waiting, "waiting tickets in the one branch")
      ->check(CLI::Range(1, 10'000'000));
  app.add_option("--only", only, "scenarios to run: branches, spread, one-branch")
      ->check(CLI::IsMember({"branches", "spread", "one-branch"}));
  CLI11_PARSE(app, argc, argv);

  auto wanted = [&](const std::string& name) {
    return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
  };
  int rc = 0;
  if (wanted("branches"))
    rc |= lobbyq::bench::InChild([&] { return lobbyq::bench::Branches(dir, branches); });
  if (wanted("spread")) {
    rc |= lobbyq::bench::InChild(
        [&] { return lobbyq::bench::Spread(dir, spread_branches, spread_tickets); });
  }
  if (wanted("one-branch"))
    rc |= lobbyq::bench::InChild([&] { return lobbyq::bench::OneBranch(waiting); });
  return rc;
}
