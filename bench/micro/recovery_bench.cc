// lobbyq-bench-recovery: how long the server's start-up takes to rebuild its
// branches from a database holding a given number of events.
//
// The database is made by the real code: every command is planned by the
// domain, committed by the store and then applied, as the runtime's
// RunOnStrand does (without its strand: one thread hopping to another per
// command made generation several times slower on a busy machine), under a
// fake clock that walks through whole business days (counters open, tickets
// issued, called, recalled, served, transferred, rated, cancelled, no-shows;
// the queue cleared and counters closed at night), across several branches,
// until the log holds the events asked for. It stops in the middle of the
// last day, so some tickets are still live. A file PATH.bench records what
// was made; a later run with the same arguments reuses the database.
//
// The measurement is the start-up path of Server::Start: Store::Open (lock,
// quick_check over every page, migrations) and Engine::LoadAll, in a fresh
// process (a run that generated re-executes itself). --cold first asks the
// kernel to drop the file's pages from its cache.

#include <fcntl.h>
#include <unistd.h>

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/micro/bench_support.h"
#include "common/clock.h"
#include "server/runtime/engine.h"
#include "server/store/store.h"

namespace lobbyq::bench {
namespace {

// Bumped whenever the generated day changes, so an old database is not reused.
constexpr int kGeneratorVersion = 1;

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds of the whole process (every thread): on a machine shared with
// other work the wall time also counts the waits for a core.
double CpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Meta {
  int version = 0;
  int64_t events = 0;
  int branches = 0;
  int64_t end_us = 0;  // the fake clock when generation stopped

  std::string Text() const {
    return absl::StrCat("version=", version, " events=", events, " branches=", branches,
                        " end_us=", end_us, "\n");
  }
};

std::optional<Meta> ReadMeta(const std::string& path) {
  std::ifstream in(path);
  Meta m;
  std::string field;
  while (in >> field) {
    const auto eq = field.find('=');
    if (eq == std::string::npos) return std::nullopt;
    const std::string key = field.substr(0, eq);
    const int64_t value = std::stoll(field.substr(eq + 1));
    if (key == "version") m.version = static_cast<int>(value);
    if (key == "events") m.events = value;
    if (key == "branches") m.branches = static_cast<int>(value);
    if (key == "end_us") m.end_us = value;
  }
  if (m.version == 0) return std::nullopt;
  return m;
}

// Drives one Engine through business days and counts the events committed.
class Generator {
 public:
  using PlanFn = std::function<absl::StatusOr<domain::Plan>(const domain::Branch&,
                                                            const domain::CommandContext&)>;

  Generator(store::Store& store, FakeClock& clock, int branches, int64_t target, uint64_t seed)
      : store_(store), clock_(clock), target_(target), rng_(seed) {
    for (int b = 0; b < branches; ++b) {
      BranchSim sim{.id = absl::StrFormat("branch-%02d", b + 1)};
      for (uint32_t n = 1; n <= 6; ++n) sim.counters.push_back({.number = n});
      branches_.push_back(std::move(sim));
    }
  }

  absl::Status Run() {
    const absl::TimeZone zone = Shanghai();
    for (auto& b : branches_) {
      // As Engine::CreateBranch: plan, commit, apply to an empty branch.
      const domain::BranchDefinition def = DemoShape(b.id);
      auto change = domain::Branch::PlanCreate(def, {.now = clock_.Now(), .actor = "config"});
      if (!change.ok()) return change.status();
      if (auto s = store_.Commit(*change); !s.ok()) return s;
      b.branch = std::make_unique<domain::Branch>(domain::BranchSnapshot{.info = def.info}, zone);
      b.branch->Apply(*change);
      ++events_;  // the branch-created event
    }
    for (absl::CivilDay day(2024, 1, 1); !Done(); ++day) {
      if (absl::GetWeekday(day) == absl::Weekday::sunday) continue;
      const absl::Time open = absl::FromCivil(absl::CivilSecond(day) + 9 * 3600, zone);
      if (auto s = Day(open); !s.ok()) return s;
      ++days_;
    }
    return absl::OkStatus();
  }

  int64_t events() const { return events_; }
  int days() const { return days_; }
  int64_t tickets() const { return tickets_; }

 private:
  enum class Phase { kIdle, kCalled, kServing, kFinished };
  struct CounterSim {
    uint32_t number = 0;
    Phase phase = Phase::kIdle;
    absl::Time next;
    uint64_t ticket = 0;
    std::string service;
    int recalls = 0;
  };
  struct BranchSim {
    std::string id;
    std::unique_ptr<domain::Branch> branch;
    std::vector<CounterSim> counters;
    absl::Time next_arrival;
    std::vector<uint64_t> recent;  // tickets issued lately, for cancellations
    int64_t requests = 0;
  };

  bool Done() const { return events_ >= target_; }

  // Runs one command; a FailedPrecondition (the customer was called in the
  // meantime, say) is a normal outcome of a lobby, any other error is not.
  absl::StatusOr<domain::Plan> Do(BranchSim& b, const std::string& actor, const PlanFn& plan_fn) {
    // The store keeps microseconds, as Engine's ToStoredPrecision.
    const domain::CommandContext ctx{.now = absl::FromUnixMicros(absl::ToUnixMicros(clock_.Now())),
                                     .actor = actor};
    absl::StatusOr<domain::Plan> plan = plan_fn(*b.branch, ctx);
    if (!plan.ok()) return plan;
    if (!plan->change.empty()) {
      if (auto s = store_.Commit(plan->change); !s.ok()) return s;
      b.branch->Apply(plan->change);
    }
    events_ += static_cast<int64_t>(plan->change.events.size());
    return plan;
  }
  static bool Tolerated(const absl::Status& s) {
    return s.code() == absl::StatusCode::kFailedPrecondition;
  }

  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  absl::Duration Exponential(absl::Duration mean) {
    std::exponential_distribution<double> d(1 / absl::ToDoubleSeconds(mean));
    return absl::Seconds(static_cast<int64_t>(d(rng_)));
  }

  absl::Status Day(absl::Time open) {
    const absl::Time last_arrival = open + absl::Hours(7) + absl::Minutes(30);
    const absl::Time close = open + absl::Hours(8);
    clock_.Set(open);
    for (auto& b : branches_) {
      b.next_arrival = open + Exponential(kArrivalGap);
      for (auto& c : b.counters) {
        auto plan = Do(b, Teller(c), [&](const domain::Branch& br, const auto& ctx) {
          return br.PlanOpenCounter(c.number, ctx);
        });
        if (!plan.ok()) return plan.status();
        c = CounterSim{.number = c.number, .next = open};
      }
    }
    for (absl::Time t = open; t < close && !Done(); t += absl::Seconds(15)) {
      clock_.Set(t);
      for (auto& b : branches_) {
        if (auto s = Tick(b, t, t < last_arrival); !s.ok()) return s;
        if (Done()) break;
      }
    }
    if (Done()) return absl::OkStatus();  // mid-day: live tickets stay
    clock_.Set(close);
    for (auto& b : branches_) {
      if (auto s = Night(b); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  static std::string Teller(const CounterSim& c) { return absl::StrCat("user:teller-", c.number); }

  absl::Status Tick(BranchSim& b, absl::Time t, bool arrivals) {
    while (arrivals && b.next_arrival <= t && !Done()) {
      b.next_arrival += Exponential(kArrivalGap);
      const double r = Uniform();
      const std::string service = r < 0.45 ? "A" : r < 0.8 ? "B" : r < 0.9 ? "C" : "D";
      const double p = Uniform();
      const domain::PriorityClass priority = p < 0.8    ? domain::PriorityClass::kNormal
                                             : p < 0.92 ? domain::PriorityClass::kVip
                                                        : domain::PriorityClass::kGreenChannel;
      const std::string request = absl::StrCat(b.id, "-", ++b.requests);
      auto plan = Do(b, "device:kiosk-1", [&](const domain::Branch& br, const auto& ctx) {
        return br.PlanIssue(service, priority, request, {}, ctx);
      });
      if (!plan.ok()) return plan.status();
      ++tickets_;
      b.recent.push_back(plan->ticket_id);
      if (b.recent.size() > 20) b.recent.erase(b.recent.begin());
    }
    // About one in fifty customers gives up and cancels.
    if (!b.recent.empty() && Uniform() < 0.02 * 15 / absl::ToDoubleSeconds(kArrivalGap)) {
      const uint64_t id = b.recent[static_cast<size_t>(Uniform() * b.recent.size())];
      auto plan = Do(b, "device:kiosk-1", [&](const domain::Branch& br, const auto& ctx) {
        return br.PlanCancel(id, ctx);
      });
      if (!plan.ok() && !Tolerated(plan.status())) return plan.status();
    }
    for (auto& c : b.counters) {
      if (c.next > t || Done()) continue;
      if (auto s = Step(b, c, t); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // The next thing the teller at `c` does.
  absl::Status Step(BranchSim& b, CounterSim& c, absl::Time t) {
    const std::string actor = Teller(c);
    const uint32_t n = c.number;
    auto run = [&](const PlanFn& fn) { return Do(b, actor, fn); };
    switch (c.phase) {
      case Phase::kIdle: {
        auto plan =
            run([n](const domain::Branch& br, const auto& ctx) { return br.PlanCallNext(n, ctx); });
        if (!plan.ok()) return plan.status();
        if (plan->ticket_id == 0) {
          c.next = t + absl::Seconds(30);
          return absl::OkStatus();
        }
        c = CounterSim{.number = n,
                       .phase = Phase::kCalled,
                       .next = t + absl::Seconds(10 + static_cast<int>(Uniform() * 30)),
                       .ticket = plan->ticket_id,
                       .service = plan->change.tickets.back().service_code};
        return absl::OkStatus();
      }
      case Phase::kCalled: {
        const double r = Uniform();
        if (r < 0.05 && c.recalls < 2) {
          ++c.recalls;
          c.next = t + absl::Seconds(30);
          auto plan =
              run([n](const domain::Branch& br, const auto& ctx) { return br.PlanRecall(n, ctx); });
          return plan.status();
        }
        if (r < 0.08) {
          c.phase = Phase::kIdle;
          auto plan =
              run([n](const domain::Branch& br, const auto& ctx) { return br.PlanNoShow(n, ctx); });
          return plan.status();
        }
        c.phase = Phase::kServing;
        c.next = t + std::max(absl::Minutes(1), Exponential(ServiceMean(c.service)));
        auto plan = run(
            [n](const domain::Branch& br, const auto& ctx) { return br.PlanStartService(n, ctx); });
        return plan.status();
      }
      case Phase::kServing: {
        if (Uniform() < 0.03) {
          // The customer came to the wrong desk: on to another service.
          const std::string to = c.service == "A" ? "B" : "A";
          c.phase = Phase::kIdle;
          auto plan = run([n, to](const domain::Branch& br, const auto& ctx) {
            return br.PlanTransfer(n, to, std::nullopt, "", ctx);
          });
          return plan.status();
        }
        c.phase = Phase::kFinished;
        c.next = t + absl::Seconds(15);
        auto plan =
            run([n](const domain::Branch& br, const auto& ctx) { return br.PlanFinish(n, ctx); });
        return plan.status();
      }
      case Phase::kFinished: {
        c.phase = Phase::kIdle;
        if (Uniform() >= 0.6) return absl::OkStatus();  // the pad was ignored
        const double r = Uniform();
        const int score = r < 0.05 ? 2 : r < 0.15 ? 3 : r < 0.45 ? 4 : 5;
        auto plan = run([n, score](const domain::Branch& br, const auto& ctx) {
          return br.PlanRating(n, 0, score, "", ctx);
        });
        return plan.status();
      }
    }
    return absl::OkStatus();
  }

  // After closing: the tellers finish or give up on whoever is at the counter,
  // the customers still waiting are sent home (cancelled), the counters close.
  absl::Status Night(BranchSim& b) {
    for (auto& c : b.counters) {
      const uint32_t n = c.number;
      const std::string actor = Teller(c);
      if (c.phase == Phase::kCalled) {
        auto plan = Do(b, actor, [n](const domain::Branch& br, const auto& ctx) {
          return br.PlanNoShow(n, ctx);
        });
        if (!plan.ok()) return plan.status();
      } else if (c.phase == Phase::kServing) {
        auto plan = Do(b, actor, [n](const domain::Branch& br, const auto& ctx) {
          return br.PlanFinish(n, ctx);
        });
        if (!plan.ok()) return plan.status();
      }
      c.phase = Phase::kIdle;
    }
    std::vector<uint64_t> waiting;
    auto listed = Do(b, "config", [&](const domain::Branch& br, const auto&) {
      for (const auto& s : br.services()) {
        for (const domain::Ticket* t : br.Waiting(s.code)) waiting.push_back(t->id);
      }
      return absl::StatusOr<domain::Plan>(domain::Plan{});
    });
    if (!listed.ok()) return listed.status();
    for (uint64_t id : waiting) {
      auto plan = Do(b, "user:manager", [id](const domain::Branch& br, const auto& ctx) {
        return br.PlanCancel(id, ctx);
      });
      if (!plan.ok()) return plan.status();
    }
    for (auto& c : b.counters) {
      const uint32_t n = c.number;
      auto plan = Do(b, Teller(c), [n](const domain::Branch& br, const auto& ctx) {
        return br.PlanCloseCounter(n, ctx);
      });
      if (!plan.ok()) return plan.status();
    }
    b.recent.clear();
    return absl::OkStatus();
  }

  static absl::Duration ServiceMean(const std::string& service) {
    // A little under the demo's expected times, so six counters keep up.
    if (service == "A") return absl::Minutes(3);
    if (service == "B") return absl::Minutes(6);
    if (service == "C") return absl::Minutes(10);
    return absl::Minutes(9);
  }

  // A customer every 75 s per branch: about 380 a day.
  static constexpr absl::Duration kArrivalGap = absl::Seconds(75);

  store::Store& store_;
  FakeClock& clock_;
  const int64_t target_;
  std::mt19937_64 rng_;
  std::vector<BranchSim> branches_;
  int64_t events_ = 0;
  int64_t tickets_ = 0;
  int days_ = 0;
};

void RemoveDatabase(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm", ".lock", ".bench"}) {
    std::filesystem::remove(db + suffix);
  }
}

absl::StatusOr<Meta> Generate(const std::string& db, int64_t events, int branches) {
  RemoveDatabase(db);
  auto store = store::Store::Open(db, {.durability = store::Durability::kNormal});
  if (!store.ok()) return store.status();
  FakeClock clock(absl::UnixEpoch());
  Meta meta{.version = kGeneratorVersion, .branches = branches};
  const auto start = Clock::now();
  {
    Generator gen(**store, clock, branches, events, /*seed=*/20240101);
    if (auto s = gen.Run(); !s.ok()) return s;
    meta.events = gen.events();
    std::printf("generated %lld events (%lld tickets, %d business days, %d branches) in %.1f s\n",
                static_cast<long long>(gen.events()), static_cast<long long>(gen.tickets()),
                gen.days(), branches, SecondsSince(start));
  }
  meta.end_us = absl::ToUnixMicros(clock.Now());
  store->reset();
  std::ofstream out(db + ".bench", std::ios::trunc);
  out << meta.Text();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", db, ".bench"));
  return meta;
}

// Asks the kernel to forget the file's cached pages (clean ones go at once;
// needs no privilege), so the next open reads from the disk.
void DropFromPageCache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

int64_t QueryCount(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int64_t n = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    n = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return n;
}

int Measure(const std::string& db, const Meta& meta, bool cold, int threads) {
  if (cold) {
    DropFromPageCache(db);
    DropFromPageCache(db + "-wal");
  }
  const int64_t file_bytes = static_cast<int64_t>(std::filesystem::file_size(db));
  FakeClock clock(absl::FromUnixMicros(meta.end_us));
  const Memory before = CurrentMemory();

  // Server::Start's order: open (lock, check, migrate), then the engine restores.
  const auto start = Clock::now();
  const double cpu_start = CpuSeconds();
  auto store = store::Store::Open(db);
  if (!store.ok()) {
    std::cerr << store.status() << "\n";
    return 1;
  }
  const double open_s = SecondsSince(start);
  runtime::Engine engine(store->get(), &clock, threads);
  const auto load_start = Clock::now();
  if (auto s = engine.LoadAll(); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  const double load_s = SecondsSince(load_start);
  const double total_s = SecondsSince(start);
  const double total_cpu_s = CpuSeconds() - cpu_start;
  const Memory after = CurrentMemory();

  size_t tickets = 0;
  size_t live = 0;
  for (const auto& id : engine.BranchIds()) {
    auto s = engine.ExecuteSync(id, "bench", [&](const domain::Branch& br, const auto&) {
      tickets += br.tickets().size();
      live += br.LiveTicketCount();
      return absl::StatusOr<domain::Plan>(domain::Plan{});
    });
    if (!s.ok()) {
      std::cerr << s << "\n";
      return 1;
    }
  }
  const size_t branches = engine.BranchIds().size();
  engine.Stop();
  store->reset();

  // Counted after the measurement, on a connection of its own.
  sqlite3* conn = nullptr;
  sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr);
  const int64_t logged = QueryCount(conn, "SELECT COUNT(*) FROM events");
  const int64_t all_tickets = QueryCount(conn, "SELECT COUNT(*) FROM tickets");
  const auto check_start = Clock::now();
  QueryCount(conn, "PRAGMA quick_check");
  const double check_s = SecondsSince(check_start);
  sqlite3_close(conn);

  std::printf("database            %s (%.1f MiB)%s\n", db.c_str(),
              static_cast<double>(file_bytes) / (1 << 20),
              cold ? ", dropped from the page cache first" : ", page cache warm");
  std::printf("events in the log   %lld\n", static_cast<long long>(logged));
  std::printf("tickets in the db   %lld\n", static_cast<long long>(all_tickets));
  std::printf("branches restored   %zu\n", branches);
  std::printf("tickets restored    %zu (%zu live)\n", tickets, live);
  std::printf("Store::Open         %.3f s\n", open_s);
  std::printf("Engine::LoadAll     %.3f s\n", load_s);
  std::printf("start-up total      %.3f s wall, %.3f s CPU (target < 3 s: %s)\n", total_s,
              total_cpu_s, total_s < 3 ? "met" : "MISSED");
  std::printf("quick_check alone   %.3f s (again, warm, after the start-up)\n", check_s);
  std::printf("RSS after start-up  %.1f MiB (grew %.1f MiB; peak %.1f MiB)\n",
              static_cast<double>(after.rss) / (1 << 20),
              static_cast<double>(after.rss - before.rss) / (1 << 20),
              static_cast<double>(after.hwm) / (1 << 20));
  return 0;
}

}  // namespace
}  // namespace lobbyq::bench

int main(int argc, char** argv) {
  CLI::App app{"Times lobbyq's start-up recovery over a database of N events"};
  std::string db;
  int64_t events = 1'000'000;
  int branches = 4;
  int threads = 2;
  bool cold = false;
  bool rebuild = false;
  app.add_option("--db", db, "the database file; made unless it matches --events/--branches")
      ->required();
  app.add_option("--events", events, "events in the log")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000'000}));
  app.add_option("--branches", branches, "branches the events are spread over")
      ->check(CLI::Range(1, 1000));
  app.add_option("--threads", threads, "the engine's threads, as --threads of the server")
      ->check(CLI::Range(1, 64));
  app.add_flag("--cold", cold, "drop the file from the page cache before opening it");
  app.add_flag("--rebuild", rebuild, "make the database even if a matching one exists");
  CLI11_PARSE(app, argc, argv);

  using lobbyq::bench::Meta;
  const std::optional<Meta> meta = lobbyq::bench::ReadMeta(db + ".bench");
  const bool matches = !rebuild && meta && meta->version == lobbyq::bench::kGeneratorVersion &&
                       meta->events >= events && meta->events < events + 200 &&
                       meta->branches == branches && std::filesystem::exists(db);
  if (!matches) {
    auto made = lobbyq::bench::Generate(db, events, branches);
    if (!made.ok()) {
      std::cerr << "generating " << db << ": " << made.status() << "\n";
      return 1;
    }
    // Measured in a fresh process: nothing of the generation (allocator
    // state, SQLite's cache) may help the start-up.
    // Without --rebuild, or it would make the database again.
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
      if (std::string(argv[i]) != "--rebuild") args.push_back(argv[i]);
    }
    args.push_back(nullptr);
    std::fflush(stdout);
    ::execv("/proc/self/exe", args.data());
    std::perror("re-executing for the measurement");
    return 1;
  }
  std::printf("reusing %s: %lld events, %d branches\n", db.c_str(),
              static_cast<long long>(meta->events), meta->branches);
  return lobbyq::bench::Measure(db, *meta, cold, threads);
}
