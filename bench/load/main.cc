// lobbyq-load: drives a lobbyq server with branches of kiosks, counters and lobby displays,
// then drives the same server's gRPC health check the same way (the floor), and reports
// both with latency percentiles; checks at the end that every ticket is accounted for.

#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <iostream>

#include <sys/resource.h>

#include <grpcpp/support/channel_arguments.h>
#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/load/json_writer.h"
#include "bench/load/setup.h"
#include "bench/load/workload.h"
#include "common/client/channel.h"
#include "common/client/credentials.h"

namespace {

using lobbyq::load::Histogram;
using lobbyq::load::kRpcCount;
using lobbyq::load::kStatusCodes;
using lobbyq::load::PhaseResult;
using lobbyq::load::Rpc;

constexpr const char* kCodeNames[kStatusCodes] = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

// CPU seconds this process has used: the generator shares the machine with the server, so
// what it costs is part of reading the result.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double Ms(int64_t nanos) { return static_cast<double>(nanos) / 1e6; }

double Ratio(double a, double b) { return b > 0 ? a / b : std::nan(""); }

struct Options {
  std::string server = lobbyq::client::kDefaultServer;
  lobbyq::client::CredentialOptions credentials;
  int branches = 1;
  int concurrency = 64;
  double duration_s = 10;
  double warmup_s = 1;
  double rate = 0;
  bool poisson = false;
  int channels = 4;
  int watchers_per_branch = 1;
  int watch_branches = 100;
  int kiosks_per_branch = 0;
  int counters_per_branch = 0;
  int max_waiting = 0;
  int no_show_percent = 10;
  int rating_percent = 70;
  int setup_parallelism = 8;
  int prefill = -1;
  int deadline_ms = 10000;
  bool floor = true;
  std::string prefix;
  std::string json_path;
  uint64_t seed = 1;
};

void WriteSummary(lobbyq::load::JsonWriter& json, const char* key, const Histogram& h,
                  double seconds) {
  json.BeginObject(key)
      .Field("count", h.count())
      .Field("ops_per_s", static_cast<double>(h.count()) / seconds)
      .Field("p50_ms", Ms(h.ValueAtPercentile(50)))
      .Field("p90_ms", Ms(h.ValueAtPercentile(90)))
      .Field("p99_ms", Ms(h.ValueAtPercentile(99)))
      .Field("p99_9_ms", Ms(h.ValueAtPercentile(99.9)))
      .Field("max_ms", Ms(h.max()));
}

void PrintRow(const std::string& name, const Histogram& h, uint64_t errors, double seconds) {
  std::cout << absl::StrFormat("%-29s %9d %7d %9.0f %8.3f %8.3f %8.3f %8.3f %8.3f\n", name,
                               h.count(), errors, static_cast<double>(h.count()) / seconds,
                               Ms(h.ValueAtPercentile(50)), Ms(h.ValueAtPercentile(90)),
                               Ms(h.ValueAtPercentile(99)), Ms(h.ValueAtPercentile(99.9)),
                               Ms(h.max()));
}

void PrintErrors(const PhaseResult& r) {
  for (int i = 0; i < kRpcCount; ++i) {
    for (int c = 1; c < kStatusCodes; ++c) {
      if (r.codes[i][c] == 0) continue;
      std::cout << "  errors: " << lobbyq::load::RpcName(static_cast<Rpc>(i)) << " "
                << kCodeNames[c] << " x" << r.codes[i][c] << "\n";
    }
  }
}

int Run(int argc, char** argv) {
  CLI::App app{
      "lobbyq-load: load generator for lobbyq-server; compares it with the server's own gRPC "
      "health check (the floor) and verifies every ticket at the end"};
  Options o;
  app.add_option("--server", o.server, "HOST:PORT of the server")->capture_default_str();
  lobbyq::client::AddCredentialOptions(app, o.credentials);
  app.add_option("--branches", o.branches, "branches to create and drive")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--concurrency", o.concurrency, "agents, i.e. calls in flight at most")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--duration", o.duration_s, "measured seconds of each phase")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  app.add_option("--warmup", o.warmup_s, "seconds run before each phase's window")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  app.add_option("--rate", o.rate,
                 "open loop: calls per second in total, latency from each call's intended "
                 "start; 0 = closed loop")
      ->check(CLI::Range(0.0, 1e7))
      ->capture_default_str();
  app.add_flag("--poisson", o.poisson, "open loop: exponential gaps instead of fixed ones");
  app.add_option("--channels", o.channels, "gRPC channels (connections) the agents share")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--watchers-per-branch", o.watchers_per_branch,
                 "WatchLobby streams per watched branch")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  app.add_option("--watch-branches", o.watch_branches,
                 "watch only the first this many branches (a display device each)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--kiosks-per-branch", o.kiosks_per_branch, "0 = from concurrency/branches")
      ->check(CLI::Range(0, 500));
  app.add_option("--counters-per-branch", o.counters_per_branch, "0 = from concurrency/branches")
      ->check(CLI::Range(0, 999));
  app.add_option("--max-waiting", o.max_waiting,
                 "kiosks read instead of issuing once their branch has this many waiting; "
                 "0 = 3 per counter, at least 20")
      ->check(CLI::Range(0, 100000));
  app.add_option("--no-show-percent", o.no_show_percent, "called tickets marked no-show")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  app.add_option("--rating-percent", o.rating_percent, "finished tickets rated")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  app.add_option("--prefill", o.prefill,
                 "tickets issued per branch in the set-up; -1 = one per counter, at most "
                 "--max-waiting")
      ->check(CLI::Range(-1, 100000))
      ->capture_default_str();
  app.add_option("--setup-parallelism", o.setup_parallelism, "set-up calls in flight")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--deadline-ms", o.deadline_ms, "deadline of each measured call")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  app.add_flag("!--no-floor", o.floor, "skip the health-check floor phase");
  app.add_option("--prefix", o.prefix, "branch id prefix (default load<unix time>)");
  app.add_option("--json", o.json_path, "write the result as JSON to this file");
  app.add_option("--seed", o.seed, "random seed of the behaviour")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  lobbyq::client::QuietGrpcLogging();

  if (o.prefix.empty()) o.prefix = absl::StrCat("load", std::time(nullptr));
  // Enough actors that every agent has one, at least 4 per branch. When each agent drives
  // one actor, a kiosk for every three counters: a ticket takes one kiosk call and about
  // four counter calls (call, start, finish, rate). When agents take turns over many
  // actors, a counter's turn serves a whole ticket, so as many kiosks as counters. Either
  // way the queues fill slowly and the kiosks then read instead of issuing.
  const int actors = std::max(4, (o.concurrency + o.branches - 1) / o.branches);
  const bool shared_agents = static_cast<int64_t>(actors) * o.branches > o.concurrency;
  const int kiosks =
      o.kiosks_per_branch > 0 ? o.kiosks_per_branch : std::max(1, actors / (shared_agents ? 2 : 4));
  const int counters =
      o.counters_per_branch > 0 ? o.counters_per_branch : std::min(999, actors - kiosks);
  const int max_waiting = o.max_waiting > 0 ? o.max_waiting : std::max(20, 3 * counters);
  const int prefill = o.prefill >= 0 ? o.prefill : std::min(counters, max_waiting);
  const int watched = o.watchers_per_branch > 0 ? std::min(o.watch_branches, o.branches) : 0;

  auto connection =
      lobbyq::client::Connect(o.credentials, lobbyq::client::ClientRole::kAdmin, o.server, "");
  if (!connection.ok()) {
    std::cerr << "lobbyq-load: " << connection.status().message() << "\n";
    return 2;
  }
  if (connection->token.empty()) {
    std::cerr << "lobbyq-load: needs an admin: --credentials FILE with admin_user and "
                 "admin_password, or --user NAME with LOBBYQ_PASSWORD\n";
    return 2;
  }
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < o.channels; ++i) {
    grpc::ChannelArguments args;
    // Without this, channels with equal arguments share one connection.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("lobbyq.load.channel", i);
    channels.push_back(lobbyq::client::MakeChannel(o.server, connection->security, "", args));
  }

  std::cout << absl::StrFormat(
      "lobbyq-load: %s, %d branches x (%d kiosks, %d counters, %d tickets at start), %d agents "
      "over %d channels, %s, "
      "%.0f s (+%.1f s warm-up) per phase, %d WatchLobby streams\n",
      o.server, o.branches, kiosks, counters, prefill, o.concurrency, o.channels,
      o.rate > 0
          ? absl::StrFormat("open loop at %.0f calls/s%s", o.rate, o.poisson ? " (Poisson)" : "")
          : std::string("closed loop"),
      o.duration_s, o.warmup_s, watched * o.watchers_per_branch);

  const auto setup_start = std::chrono::steady_clock::now();
  lobbyq::load::Plan plan{.prefix = o.prefix,
                          .branches = o.branches,
                          .kiosks_per_branch = kiosks,
                          .counters_per_branch = counters,
                          .watched_branches = watched,
                          .parallelism = o.setup_parallelism,
                          .prefill = prefill};
  auto deployment = lobbyq::load::SetUp(channels, connection->token, plan);
  if (!deployment.ok()) {
    std::cerr << "lobbyq-load: set-up failed: " << deployment.status().message() << "\n";
    return 2;
  }
  const double setup_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count();
  std::cout << absl::StrFormat("set-up: %.1f s\n", setup_s);

  lobbyq::load::Actors actors_info{.branch_ids = deployment->branch_ids,
                                   .kiosk_tokens = deployment->kiosk_tokens,
                                   .admin_token = connection->token};
  lobbyq::load::Behaviour behaviour{.kiosks_per_branch = kiosks,
                                    .counters_per_branch = counters,
                                    .max_waiting = max_waiting,
                                    .no_show_percent = o.no_show_percent,
                                    .rating_percent = o.rating_percent,
                                    .seed = o.seed};
  lobbyq::load::Pacing pacing{.concurrency = o.concurrency,
                              .rate = o.rate,
                              .poisson = o.poisson,
                              .duration_s = o.duration_s,
                              .warmup_s = o.warmup_s,
                              .deadline_ms = o.deadline_ms};
  std::vector<std::unique_ptr<lobbyq::load::BranchLedger>> ledgers;
  for (int b = 0; b < o.branches; ++b) {
    ledgers.push_back(std::make_unique<lobbyq::load::BranchLedger>());
    for (const auto& ticket : deployment->prefilled[b]) ledgers.back()->Issued(ticket);
  }

  auto watchers = std::make_unique<lobbyq::load::Watchers>(
      channels, deployment->branch_ids, deployment->display_tokens, o.watchers_per_branch);
  const double cpu_start = CpuSeconds();
  PhaseResult mixed = lobbyq::load::RunLobbyq(channels, actors_info, behaviour, pacing, ledgers);
  const uint64_t updates = watchers->updates();
  const auto watchers_ended = watchers->Stop();
  const int streams = watchers->streams();
  watchers.reset();

  PhaseResult floor;
  const double cpu_mixed = CpuSeconds();
  if (o.floor) floor = lobbyq::load::RunFloor(channels, pacing);
  const double cpu_floor = CpuSeconds();

  uint64_t checked = 0;
  std::vector<std::string> problems =
      lobbyq::load::Verify(channels, actors_info, ledgers, o.setup_parallelism, &checked);
  uint64_t issued = 0;
  for (const auto& l : ledgers) issued += l->size();

  // ---- report ----
  const double lobbyq_ops = static_cast<double>(mixed.ops()) / mixed.seconds;
  const double floor_ops = o.floor ? static_cast<double>(floor.ops()) / floor.seconds : 0;
  const double ratio_ops = Ratio(lobbyq_ops, floor_ops);
  const double ratio_p99 =
      Ratio(Ms(mixed.all.ValueAtPercentile(99)), Ms(floor.all.ValueAtPercentile(99)));
  std::cout << absl::StrFormat("\n%-29s %9s %7s %9s %8s %8s %8s %8s %8s\n", "rpc (latency ms)",
                               "count", "errors", "ops/s", "p50", "p90", "p99", "p99.9", "max");
  for (int i = 0; i < kRpcCount; ++i) {
    if (mixed.latency[i].count() == 0) continue;
    PrintRow(lobbyq::load::RpcName(static_cast<Rpc>(i)), mixed.latency[i],
             mixed.errors(static_cast<Rpc>(i)), mixed.seconds);
  }
  PrintRow("lobbyq (all of the above)", mixed.all, mixed.errors(), mixed.seconds);
  if (o.floor) PrintRow("floor: Health/Check", floor.all, floor.errors(), floor.seconds);
  PrintErrors(mixed);
  if (o.floor) PrintErrors(floor);
  std::cout << absl::StrFormat(
      "CallNext finding nobody: %d; tickets issued: %d; WatchLobby: %d streams, %d updates\n",
      mixed.empty_calls, issued, streams, updates);
  std::cout << absl::StrFormat(
      "generator CPU (warm-up + window + drain): lobbyq phase %.1f s, floor phase %.1f s\n",
      cpu_mixed - cpu_start, cpu_floor - cpu_mixed);
  if (o.floor) {
    std::cout << absl::StrFormat("ratio ops/s lobbyq/floor: %.3f; ratio p99 lobbyq/floor: %.3f\n",
                                 ratio_ops, ratio_p99);
  }
  uint64_t watchers_failed = 0;
  for (int c = 0; c < kStatusCodes; ++c) {
    if (watchers_ended[c] == 0) continue;
    watchers_failed += watchers_ended[c];
    std::cout << "  WatchLobby streams ended by the server: " << kCodeNames[c] << " x"
              << watchers_ended[c] << "\n";
  }
  for (const auto& p : problems) std::cout << "VERIFY FAILED: " << p << "\n";
  std::cout << absl::StrFormat("verification: %d tickets checked, %s\n", checked,
                               problems.empty() ? "every ticket accounted for"
                                                : absl::StrCat(problems.size(), " problem(s)"));

  if (!o.json_path.empty()) {
    lobbyq::load::JsonWriter json;
    json.BeginObject();
    json.BeginObject("params")
        .Field("server", o.server)
        .Field("branches", o.branches)
        .Field("concurrency", o.concurrency)
        .Field("channels", o.channels)
        .Field("duration_s", o.duration_s)
        .Field("warmup_s", o.warmup_s)
        .Field("mode", o.rate > 0 ? "open" : "closed")
        .Field("rate", o.rate)
        .Field("poisson", o.poisson)
        .Field("kiosks_per_branch", kiosks)
        .Field("counters_per_branch", counters)
        .Field("max_waiting", max_waiting)
        .Field("prefill_per_branch", prefill)
        .Field("watched_branches", watched)
        .Field("watchers_per_branch", o.watchers_per_branch)
        .Field("prefix", o.prefix)
        .Field("setup_s", setup_s)
        .EndObject();
    json.BeginObject("lobbyq")
        .Field("ops_per_s", lobbyq_ops)
        .Field("p50_ms", Ms(mixed.all.ValueAtPercentile(50)))
        .Field("p90_ms", Ms(mixed.all.ValueAtPercentile(90)))
        .Field("p99_ms", Ms(mixed.all.ValueAtPercentile(99)))
        .Field("p99_9_ms", Ms(mixed.all.ValueAtPercentile(99.9)))
        .Field("max_ms", Ms(mixed.all.max()))
        .Field("errors", mixed.errors())
        .Field("ops", mixed.ops())
        .Field("generator_cpu_s", cpu_mixed - cpu_start)
        .EndObject();
    if (o.floor) {
      json.BeginObject("floor")
          .Field("ops_per_s", floor_ops)
          .Field("p50_ms", Ms(floor.all.ValueAtPercentile(50)))
          .Field("p90_ms", Ms(floor.all.ValueAtPercentile(90)))
          .Field("p99_ms", Ms(floor.all.ValueAtPercentile(99)))
          .Field("p99_9_ms", Ms(floor.all.ValueAtPercentile(99.9)))
          .Field("max_ms", Ms(floor.all.max()))
          .Field("errors", floor.errors())
          .Field("ops", floor.ops())
          .Field("generator_cpu_s", cpu_floor - cpu_mixed)
          .EndObject();
      json.Field("ratio_ops", ratio_ops).Field("ratio_p99", ratio_p99);
    }
    json.BeginObject("rpcs");
    for (int i = 0; i < kRpcCount; ++i) {
      const Rpc rpc = static_cast<Rpc>(i);
      const PhaseResult& r = rpc == Rpc::kHealthCheck ? floor : mixed;
      WriteSummary(json, lobbyq::load::RpcName(rpc), r.latency[i], r.seconds);
      json.Field("errors", r.errors(rpc)).BeginObject("errors_by_code");
      for (int c = 1; c < kStatusCodes; ++c) {
        if (r.codes[i][c] > 0) json.Field(kCodeNames[c], r.codes[i][c]);
      }
      json.EndObject();
      if (rpc == Rpc::kCallNext) json.Field("found_nobody", mixed.empty_calls);
      json.EndObject();
    }
    json.EndObject();
    json.BeginObject("watchers")
        .Field("streams", streams)
        .Field("updates", updates)
        .Field("ended_by_server", watchers_failed)
        .EndObject();
    json.BeginObject("verification")
        .Field("ok", problems.empty())
        .Field("tickets_issued", issued)
        .Field("tickets_checked", checked)
        .BeginArray("problems");
    for (const auto& p : problems) json.Field("", p);
    json.EndArray().EndObject().EndObject();
    std::ofstream out(o.json_path, std::ios::trunc);
    out << json.text();
    if (!out.flush()) {
      std::cerr << "lobbyq-load: cannot write " << o.json_path << "\n";
      return 2;
    }
  }

  if (!problems.empty()) {
    std::cerr << "lobbyq-load: FAILED: " << problems.size()
              << " ticket(s) not accounted for (see VERIFY FAILED above)\n";
    return 1;
  }
  if (mixed.errors() > 0 || floor.errors() > 0 || watchers_failed > 0) {
    std::cerr << "lobbyq-load: FAILED: unexpected RPC errors (see the errors lines above)\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
