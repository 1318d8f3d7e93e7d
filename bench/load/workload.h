#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "bench/load/histogram.h"
#include "bench/load/ledger.h"

namespace lobbyq::load {

using SteadyClock = std::chrono::steady_clock;

enum class Rpc : int {
  kIssueTicket,
  kGetTicket,
  kCallNext,
  kStartService,
  kFinish,
  kSubmitRating,
  kMarkNoShow,
  kHealthCheck,
};
inline constexpr int kRpcCount = 8;
inline constexpr int kStatusCodes = 17;  // grpc::StatusCode 0..16
const char* RpcName(Rpc rpc);            // "KioskService.IssueTicket", ...

// What one phase measured, merged over the threads that recorded it.
struct PhaseResult {
  std::array<Histogram, kRpcCount> latency;  // every call started in the window, OK or not
  Histogram all;                             // every RPC of the phase together
  std::array<std::array<uint64_t, kStatusCodes>, kRpcCount> codes{};
  uint64_t empty_calls = 0;  // CallNext that found nobody: normal, also in `latency`
  double seconds = 0;        // the measured window
  uint64_t ops() const { return all.count(); }
  uint64_t errors() const;
  uint64_t errors(Rpc rpc) const;
};

// How the calls are paced.
struct Pacing {
  int concurrency = 64;     // agents, so at most this many calls in flight
  double rate = 0;          // open loop: calls per second in total; 0 = closed loop
  bool poisson = false;     // open loop: exponential gaps instead of fixed ones
  double duration_s = 10;   // measured window
  double warmup_s = 1;      // run but not measured, before the window
  int deadline_ms = 10000;  // per call
};

// The customer and teller behaviour, in shares of 100.
struct Behaviour {
  int kiosks_per_branch = 1;
  int counters_per_branch = 3;
  int max_waiting = 40;      // a kiosk reads instead of issuing once its branch has this many
  int read_percent = 10;     // a kiosk reads one of its tickets even below the bound
  int no_show_percent = 10;  // a called ticket becomes a no-show instead of being served
  int rating_percent = 70;   // a finished ticket is rated
  uint64_t seed = 1;
};

struct Actors {
  std::vector<std::string> branch_ids;
  std::vector<std::string> kiosk_tokens;  // branch * kiosks_per_branch + kiosk
  std::string admin_token;                // the counters act on the admin's session
};

// The lobbyq phase: `pacing.concurrency` agents share the kiosks and counters of every
// branch round robin and drive them over `channels`; replies go into one ledger per branch.
PhaseResult RunLobbyq(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                      const Actors& actors, const Behaviour& behaviour, const Pacing& pacing,
                      std::vector<std::unique_ptr<BranchLedger>>& ledgers);

// The floor: the same agents, channels and pacing calling grpc.health.v1.Health/Check.
PhaseResult RunFloor(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                     const Pacing& pacing);

// WatchLobby streams held open during the lobbyq phase, counting the updates they read.
class Watchers {
 public:
  // `tokens[i]` is the display token of branch `branch_ids[i]`; `per_branch` streams each.
  Watchers(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
           const std::vector<std::string>& branch_ids, const std::vector<std::string>& tokens,
           int per_branch);
  ~Watchers();
  Watchers(const Watchers&) = delete;
  Watchers& operator=(const Watchers&) = delete;

  int streams() const;
  uint64_t updates() const;
  // Cancels every stream and waits for them to end. Returns the streams that ended on
  // their own before that (an error: a display board would have lost its view), by code.
  std::array<uint64_t, kStatusCodes> Stop();

 private:
  class Stream;
  std::vector<std::unique_ptr<Stream>> streams_;
};

// Reads back every ticket the ledgers hold (GetTicket as admin) and each branch's waiting
// count (ListServices), and compares them with what the generator did. Returns the
// problems found, at most a few hundred; empty = every ticket accounted for.
std::vector<std::string> Verify(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                                const Actors& actors,
                                std::vector<std::unique_ptr<BranchLedger>>& ledgers,
                                int parallelism, uint64_t* tickets_checked);

}  // namespace lobbyq::load
