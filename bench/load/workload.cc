#include "bench/load/workload.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/client_callback.h>

#include "absl/strings/str_cat.h"
#include "lobbyq/v1/counter.grpc.pb.h"
#include "lobbyq/v1/kiosk.grpc.pb.h"
#include "lobbyq/v1/lobby.grpc.pb.h"

namespace lobbyq::load {

const char* RpcName(Rpc rpc) {
  switch (rpc) {
    case Rpc::kIssueTicket:
      return "KioskService.IssueTicket";
    case Rpc::kGetTicket:
      return "KioskService.GetTicket";
    case Rpc::kCallNext:
      return "CounterService.CallNext";
    case Rpc::kStartService:
      return "CounterService.StartService";
    case Rpc::kFinish:
      return "CounterService.Finish";
    case Rpc::kSubmitRating:
      return "CounterService.SubmitRating";
    case Rpc::kMarkNoShow:
      return "CounterService.MarkNoShow";
    case Rpc::kHealthCheck:
      return "grpc.health.v1.Health.Check";
  }
  return "?";
}

uint64_t PhaseResult::errors(Rpc rpc) const {
  uint64_t n = 0;
  const auto& row = codes[static_cast<int>(rpc)];
  for (int c = 1; c < kStatusCodes; ++c) n += row[c];
  return n;
}

uint64_t PhaseResult::errors() const {
  uint64_t n = 0;
  for (int r = 0; r < kRpcCount; ++r) n += errors(static_cast<Rpc>(r));
  return n;
}

namespace {

// Per-thread recording, so the hot path takes no lock and shares no cache line: each
// gRPC thread that runs a completion gets its own histograms, merged after the phase.
class Recorder {
 public:
  struct Slot {
    std::array<Histogram, kRpcCount> latency;
    std::array<std::array<uint64_t, kStatusCodes>, kRpcCount> codes{};
    uint64_t empty_calls = 0;
  };

  Recorder() : id_(next_id_++) {}

  Slot& Local() {
    thread_local uint64_t owner = 0;
    thread_local Slot* slot = nullptr;
    if (owner != id_) {
      std::lock_guard lock(mu_);
      slots_.push_back(std::make_unique<Slot>());
      slot = slots_.back().get();
      owner = id_;
    }
    return *slot;
  }

  // Only once every call of the phase has completed.
  PhaseResult Merge() {
    std::lock_guard lock(mu_);
    PhaseResult out;
    for (const auto& slot : slots_) {
      for (int r = 0; r < kRpcCount; ++r) {
        out.latency[r].Merge(slot->latency[r]);
        out.all.Merge(slot->latency[r]);
        for (int c = 0; c < kStatusCodes; ++c) out.codes[r][c] += slot->codes[r][c];
      }
      out.empty_calls += slot->empty_calls;
    }
    return out;
  }

 private:
  static inline std::atomic<uint64_t> next_id_{1};
  const uint64_t id_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Slot>> slots_;
};

// A kiosk or a counter of one branch. Only one agent drives an actor, and one call at a
// time, so its state needs no lock.
struct Actor {
  enum class Kind { kKiosk, kCounter };
  enum class Step { kCall, kStart, kFinish, kRate, kNoShow };
  Kind kind;
  int branch;
  uint32_t counter = 0;        // counters: 1..N
  std::string authorization;   // "Bearer TOKEN"
  std::string request_prefix;  // unique per actor in the run
  uint64_t sequence = 0;
  // Kiosks: the last tickets issued, read back by customers checking their place.
  std::array<uint64_t, 8> recent{};
  size_t recent_count = 0;
  // Counters.
  Step step = Step::kCall;
  uint64_t ticket_id = 0;
  std::string request_id;  // kept across retries of one action, so the server acts once
  int failures = 0;
};

class Phase;

// One call at a time, from the actors it owns in turn (lobbyq) or to Health/Check (floor).
// The request and reply messages and the context live here and are reused.
class Agent {
 public:
  Agent(Phase* phase, int index, const std::shared_ptr<grpc::Channel>& channel, uint64_t seed);

  void Own(Actor* actor) { actors_.push_back(actor); }
  bool has_work() const { return floor_ || !actors_.empty(); }
  // Starts the next call; latency counts from `intended`.
  void Start(SteadyClock::time_point intended);

 private:
  void StartKiosk(Actor& actor);
  void StartCounter(Actor& actor);
  void OnDone(const grpc::Status& status);
  void ApplyKiosk(Actor& actor, bool ok);
  void ApplyCounter(Actor& actor, const grpc::Status& status);
  grpc::ClientContext& NewContext(const Actor* actor);

  Phase* const phase_;
  const bool floor_;
  std::unique_ptr<v1::KioskService::Stub> kiosk_;
  std::unique_ptr<v1::CounterService::Stub> counter_;
  std::unique_ptr<grpc::GenericStub> generic_;
  std::vector<Actor*> actors_;
  size_t next_actor_ = 0;
  std::mt19937_64 rng_;

  std::optional<grpc::ClientContext> context_;
  Actor* current_ = nullptr;
  Rpc rpc_ = Rpc::kHealthCheck;
  SteadyClock::time_point intended_;
  v1::IssueTicketRequest issue_request_;
  v1::GetTicketRequest get_request_;
  v1::TicketResponse ticket_reply_;
  v1::CounterRequest counter_request_;
  v1::SubmitRatingRequest rating_request_;
  v1::CallNextResponse call_reply_;
  v1::TicketActionResponse action_reply_;
  grpc::ByteBuffer health_request_;
  grpc::ByteBuffer health_reply_;
};

// Runs the agents for warm-up + duration, closed or open loop, then waits for the calls
// in flight.
class Phase {
 public:
  Phase(const Pacing& pacing, bool floor, const Actors* actors, const Behaviour* behaviour,
        std::vector<std::unique_ptr<BranchLedger>>* ledgers)
      : pacing_(pacing), floor_(floor), actors_(actors), behaviour_(behaviour), ledgers_(ledgers) {}

  PhaseResult Run(std::vector<std::unique_ptr<Agent>>& agents);

  // Called by an agent whose call completed and was recorded; starts its next call or
  // lets it rest.
  void Finished(Agent* agent);
  void Record(Rpc rpc, SteadyClock::time_point intended, SteadyClock::time_point done,
              grpc::StatusCode code, bool empty_call);

  bool floor() const { return floor_; }
  const Actors& actors() const { return *actors_; }
  const Behaviour& behaviour() const { return *behaviour_; }
  BranchLedger& ledger(int branch) { return *(*ledgers_)[branch]; }
  int deadline_ms() const { return pacing_.deadline_ms; }

 private:
  void Schedule(std::vector<std::unique_ptr<Agent>>& agents);

  const Pacing pacing_;
  const bool floor_;
  const Actors* actors_;
  const Behaviour* behaviour_;
  std::vector<std::unique_ptr<BranchLedger>>* ledgers_;
  Recorder recorder_;
  SteadyClock::time_point window_start_;
  SteadyClock::time_point window_end_;
  std::atomic<bool> stopping_{false};

  std::mutex mu_;
  std::condition_variable all_idle_;
  int busy_ = 0;  // guarded by mu_
  // Open loop, first in first out: the agent resting longest takes the next call, so the
  // calls rotate over every agent's actors as in the closed loop.
  std::deque<Agent*> idle_;                      // guarded by mu_
  std::deque<SteadyClock::time_point> backlog_;  // open loop; guarded by mu_
};

Agent::Agent(Phase* phase, int index, const std::shared_ptr<grpc::Channel>& channel, uint64_t seed)
    : phase_(phase),
      floor_(phase->floor()),
      kiosk_(v1::KioskService::NewStub(channel)),
      counter_(v1::CounterService::NewStub(channel)),
      generic_(std::make_unique<grpc::GenericStub>(channel)),
      rng_(seed * 7919 + static_cast<uint64_t>(index)) {
  // An empty HealthCheckRequest (service "", the server as a whole) is zero bytes.
  grpc::Slice empty("");
  health_request_ = grpc::ByteBuffer(&empty, 1);
}

grpc::ClientContext& Agent::NewContext(const Actor* actor) {
  context_.emplace();
  context_->set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(phase_->deadline_ms()));
  if (actor != nullptr) context_->AddMetadata("authorization", actor->authorization);
  return *context_;
}

void Agent::Start(SteadyClock::time_point intended) {
  intended_ = intended;
  if (floor_) {
    rpc_ = Rpc::kHealthCheck;
    current_ = nullptr;
    generic_->UnaryCall(&NewContext(nullptr), "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                        &health_request_, &health_reply_, [this](grpc::Status s) { OnDone(s); });
    return;
  }
  // A counter keeps its agent until its ticket is done (back to calling), as a teller
  // serves one customer start to finish; otherwise, with thousands of branches, a run
  // would end before any counter got past its first call.
  const bool mid_ticket = current_ != nullptr && current_->kind == Actor::Kind::kCounter &&
                          current_->step != Actor::Step::kCall;
  if (!mid_ticket) {
    current_ = actors_[next_actor_];
    next_actor_ = (next_actor_ + 1) % actors_.size();
  }
  if (current_->kind == Actor::Kind::kKiosk) {
    StartKiosk(*current_);
  } else {
    StartCounter(*current_);
  }
}

void Agent::StartKiosk(Actor& actor) {
  const std::string& branch = phase_->actors().branch_ids[actor.branch];
  const Behaviour& b = phase_->behaviour();
  const bool read =
      actor.recent_count > 0 && (phase_->ledger(actor.branch).waiting() >= b.max_waiting ||
                                 static_cast<int>(rng_() % 100) < b.read_percent);
  if (read) {
    rpc_ = Rpc::kGetTicket;
    get_request_.set_branch_id(branch);
    get_request_.set_ticket_id(
        actor.recent[rng_() % std::min(actor.recent_count, actor.recent.size())]);
    kiosk_->async()->GetTicket(&NewContext(&actor), &get_request_, &ticket_reply_,
                               [this](grpc::Status s) { OnDone(s); });
    return;
  }
  rpc_ = Rpc::kIssueTicket;
  issue_request_.set_branch_id(branch);
  // Cash is the busier queue in a branch, as in the example configuration.
  issue_request_.set_service_code(rng_() % 100 < 60 ? "A" : "B");
  issue_request_.set_request_id(absl::StrCat(actor.request_prefix, ++actor.sequence));
  kiosk_->async()->IssueTicket(&NewContext(&actor), &issue_request_, &ticket_reply_,
                               [this](grpc::Status s) { OnDone(s); });
}

void Agent::StartCounter(Actor& actor) {
  const std::string& branch = phase_->actors().branch_ids[actor.branch];
  if (actor.request_id.empty()) {
    actor.request_id = absl::StrCat(actor.request_prefix, ++actor.sequence);
  }
  auto done = [this](grpc::Status s) { OnDone(s); };
  if (actor.step == Actor::Step::kRate) {
    rpc_ = Rpc::kSubmitRating;
    rating_request_.set_branch_id(branch);
    rating_request_.set_counter(actor.counter);
    rating_request_.set_ticket_id(actor.ticket_id);
    // Mostly content customers, some unhappy ones (which raise the manager's alert).
    static constexpr int kScores[10] = {5, 5, 5, 5, 4, 4, 4, 3, 2, 1};
    rating_request_.set_score(kScores[rng_() % 10]);
    rating_request_.set_request_id(actor.request_id);
    counter_->async()->SubmitRating(&NewContext(&actor), &rating_request_, &action_reply_, done);
    return;
  }
  counter_request_.set_branch_id(branch);
  counter_request_.set_counter(actor.counter);
  counter_request_.set_request_id(actor.request_id);
  grpc::ClientContext* context = &NewContext(&actor);
  switch (actor.step) {
    case Actor::Step::kCall:
      rpc_ = Rpc::kCallNext;
      counter_->async()->CallNext(context, &counter_request_, &call_reply_, done);
      break;
    case Actor::Step::kStart:
      rpc_ = Rpc::kStartService;
      counter_->async()->StartService(context, &counter_request_, &action_reply_, done);
      break;
    case Actor::Step::kFinish:
      rpc_ = Rpc::kFinish;
      counter_->async()->Finish(context, &counter_request_, &action_reply_, done);
      break;
    case Actor::Step::kNoShow:
      rpc_ = Rpc::kMarkNoShow;
      counter_->async()->MarkNoShow(context, &counter_request_, &action_reply_, done);
      break;
    case Actor::Step::kRate:
      break;  // above
  }
}

void Agent::OnDone(const grpc::Status& status) {
  const SteadyClock::time_point done = SteadyClock::now();
  bool empty_call = false;
  if (current_ != nullptr) {
    if (current_->kind == Actor::Kind::kKiosk) {
      ApplyKiosk(*current_, status.ok());
    } else {
      empty_call = status.ok() && rpc_ == Rpc::kCallNext && !call_reply_.has_ticket();
      ApplyCounter(*current_, status);
    }
  }
  phase_->Record(rpc_, intended_, done, status.error_code(), empty_call);
  phase_->Finished(this);
}

void Agent::ApplyKiosk(Actor& actor, bool ok) {
  if (!ok || rpc_ != Rpc::kIssueTicket) return;
  phase_->ledger(actor.branch).Issued(ticket_reply_.ticket());
  actor.recent[actor.recent_count++ % actor.recent.size()] = ticket_reply_.ticket().ticket_id();
}

void Agent::ApplyCounter(Actor& actor, const grpc::Status& status) {
  BranchLedger& ledger = phase_->ledger(actor.branch);
  const Behaviour& b = phase_->behaviour();
  using Step = Actor::Step;
  if (!status.ok()) {
    // Retried with the same request id, so an action the server did apply is answered
    // from its first time instead of failing; a few failures in a row give the ticket up.
    if (actor.ticket_id != 0) {
      static constexpr v1::TicketState kNext[] = {v1::TICKET_STATE_CALLED, v1::TICKET_STATE_SERVING,
                                                  v1::TICKET_STATE_DONE, v1::TICKET_STATE_DONE,
                                                  v1::TICKET_STATE_NO_SHOW};
      ledger.Uncertain(actor.ticket_id, kNext[static_cast<int>(actor.step)]);
    }
    if (++actor.failures >= 3) {
      actor.failures = 0;
      actor.step = Step::kCall;
      actor.ticket_id = 0;
      actor.request_id.clear();
    }
    return;
  }
  actor.failures = 0;
  actor.request_id.clear();
  switch (actor.step) {
    case Step::kCall:
      if (call_reply_.has_marked_no_show()) {
        ledger.Moved(call_reply_.marked_no_show(), actor.counter, v1::TICKET_STATE_CALLED);
      }
      if (!call_reply_.has_ticket()) return;  // nobody waiting: call again next turn
      ledger.Called(call_reply_.ticket(), actor.counter);
      actor.ticket_id = call_reply_.ticket().ticket_id();
      actor.step =
          static_cast<int>(rng_() % 100) < b.no_show_percent ? Step::kNoShow : Step::kStart;
      return;
    case Step::kStart:
      ledger.Moved(action_reply_.ticket(), actor.counter, v1::TICKET_STATE_CALLED);
      actor.step = Step::kFinish;
      return;
    case Step::kFinish:
      ledger.Moved(action_reply_.ticket(), actor.counter, v1::TICKET_STATE_SERVING);
      actor.step = static_cast<int>(rng_() % 100) < b.rating_percent ? Step::kRate : Step::kCall;
      if (actor.step == Step::kCall) actor.ticket_id = 0;
      return;
    case Step::kRate:
      ledger.Rated(actor.ticket_id, rating_request_.score());
      actor.step = Step::kCall;
      actor.ticket_id = 0;
      return;
    case Step::kNoShow:
      ledger.Moved(action_reply_.ticket(), actor.counter, v1::TICKET_STATE_CALLED);
      actor.step = Step::kCall;
      actor.ticket_id = 0;
      return;
  }
}

void Phase::Record(Rpc rpc, SteadyClock::time_point intended, SteadyClock::time_point done,
                   grpc::StatusCode code, bool empty_call) {
  // Calls meant to start in the warm-up or after the window are left out, so the window
  // holds exactly the calls of `duration` seconds.
  if (intended < window_start_ || intended >= window_end_) return;
  Recorder::Slot& slot = recorder_.Local();
  const int r = static_cast<int>(rpc);
  slot.latency[r].Record(
      std::chrono::duration_cast<std::chrono::nanoseconds>(done - intended).count());
  ++slot.codes[r][std::min<int>(static_cast<int>(code), kStatusCodes - 1)];
  if (empty_call) ++slot.empty_calls;
}

void Phase::Finished(Agent* agent) {
  if (stopping_.load(std::memory_order_relaxed)) {
    std::lock_guard lock(mu_);
    if (--busy_ == 0) all_idle_.notify_all();
    return;
  }
  if (pacing_.rate <= 0) {
    agent->Start(SteadyClock::now());
    return;
  }
  SteadyClock::time_point next;
  {
    std::lock_guard lock(mu_);
    if (backlog_.empty()) {
      idle_.push_back(agent);
      if (--busy_ == 0) all_idle_.notify_all();
      return;
    }
    next = backlog_.front();
    backlog_.pop_front();
  }
  agent->Start(next);
}

// Open loop: each call has its intended start; one that finds every agent busy waits in
// the backlog and its latency still counts from the intended start, so a slow server is
// not hidden by the generator slowing down with it (no coordinated omission).
void Phase::Schedule(std::vector<std::unique_ptr<Agent>>& agents) {
  std::mt19937_64 rng(behaviour_ ? behaviour_->seed : 1);
  std::exponential_distribution<double> gap(pacing_.rate);
  const auto fixed = std::chrono::duration<double>(1.0 / pacing_.rate);
  {
    std::lock_guard lock(mu_);
    for (auto& a : agents) idle_.push_back(a.get());
  }
  SteadyClock::time_point at = SteadyClock::now();
  while (at < window_end_) {
    std::this_thread::sleep_until(at);
    // Every call due by now, in one go: sleeping per call would cap the rate at the
    // scheduler's wake-up latency.
    const SteadyClock::time_point now = SteadyClock::now();
    while (at <= now && at < window_end_) {
      Agent* agent = nullptr;
      {
        std::lock_guard lock(mu_);
        if (idle_.empty()) {
          backlog_.push_back(at);
        } else {
          agent = idle_.front();
          idle_.pop_front();
          ++busy_;
        }
      }
      if (agent != nullptr) agent->Start(at);
      at += std::chrono::duration_cast<SteadyClock::duration>(
          pacing_.poisson ? std::chrono::duration<double>(gap(rng)) : fixed);
    }
  }
}

PhaseResult Phase::Run(std::vector<std::unique_ptr<Agent>>& agents) {
  const SteadyClock::time_point start = SteadyClock::now();
  window_start_ = start + std::chrono::duration_cast<SteadyClock::duration>(
                              std::chrono::duration<double>(pacing_.warmup_s));
  window_end_ = window_start_ + std::chrono::duration_cast<SteadyClock::duration>(
                                    std::chrono::duration<double>(pacing_.duration_s));
  if (pacing_.rate <= 0) {
    {
      std::lock_guard lock(mu_);
      busy_ = static_cast<int>(agents.size());
    }
    for (auto& a : agents) a->Start(SteadyClock::now());
    std::this_thread::sleep_until(window_end_);
  } else {
    Schedule(agents);
  }
  stopping_ = true;
  {
    std::unique_lock lock(mu_);
    all_idle_.wait(lock, [&] { return busy_ == 0; });
  }
  PhaseResult result = recorder_.Merge();
  result.seconds = pacing_.duration_s;
  {
    std::lock_guard lock(mu_);
    // Open loop: calls still in the backlog at the end never started; they count as
    // neither done nor failed, and are few unless the server fell behind the rate.
    backlog_.clear();
  }
  return result;
}

}  // namespace

PhaseResult RunLobbyq(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                      const Actors& actors, const Behaviour& behaviour, const Pacing& pacing,
                      std::vector<std::unique_ptr<BranchLedger>>& ledgers) {
  Phase phase(pacing, /*floor=*/false, &actors, &behaviour, &ledgers);
  std::vector<std::unique_ptr<Agent>> agents;
  for (int i = 0; i < pacing.concurrency; ++i) {
    agents.push_back(
        std::make_unique<Agent>(&phase, i, channels[i % channels.size()], behaviour.seed));
  }
  // With more actors than agents, each agent takes turns over its actors.
  std::vector<std::unique_ptr<Actor>> all;
  const int branches = static_cast<int>(actors.branch_ids.size());
  for (int b = 0; b < branches; ++b) {
    for (int k = 0; k < behaviour.kiosks_per_branch; ++k) {
      auto actor = std::make_unique<Actor>(Actor{.kind = Actor::Kind::kKiosk, .branch = b});
      actor->authorization = absl::StrCat(
          "Bearer ", actors.kiosk_tokens[static_cast<size_t>(b) * behaviour.kiosks_per_branch + k]);
      actor->request_prefix = absl::StrCat("k", b, ".", k, "-");
      all.push_back(std::move(actor));
    }
    for (int n = 1; n <= behaviour.counters_per_branch; ++n) {
      auto actor = std::make_unique<Actor>(
          Actor{.kind = Actor::Kind::kCounter, .branch = b, .counter = static_cast<uint32_t>(n)});
      actor->authorization = absl::StrCat("Bearer ", actors.admin_token);
      actor->request_prefix = absl::StrCat("c", b, ".", n, "-");
      all.push_back(std::move(actor));
    }
  }
  // Dealt in a seeded random order: dealt in branch order, an agent count divisible by the
  // actors per branch would give some agents only kiosks and others only counters, and
  // the kiosk agents, one call per turn, would outrun the counters.
  std::vector<Actor*> order;
  for (auto& a : all) order.push_back(a.get());
  std::shuffle(order.begin(), order.end(), std::mt19937_64(behaviour.seed));
  for (size_t i = 0; i < order.size(); ++i) agents[i % agents.size()]->Own(order[i]);
  // More agents than actors: the spare ones would have nothing to do.
  std::erase_if(agents, [](const auto& a) { return !a->has_work(); });
  return phase.Run(agents);
}

PhaseResult RunFloor(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                     const Pacing& pacing) {
  Phase phase(pacing, /*floor=*/true, nullptr, nullptr, nullptr);
  std::vector<std::unique_ptr<Agent>> agents;
  for (int i = 0; i < pacing.concurrency; ++i) {
    agents.push_back(std::make_unique<Agent>(&phase, i, channels[i % channels.size()], 1));
  }
  return phase.Run(agents);
}

// ---- WatchLobby subscribers ----

class Watchers::Stream final : public grpc::ClientReadReactor<v1::LobbyUpdate> {
 public:
  Stream(v1::LobbyService::Stub* stub, const std::string& branch, const std::string& token) {
    context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    request_.set_branch_id(branch);
    stub->async()->WatchLobby(&context_, &request_, this);
    StartRead(&update_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    updates_.fetch_add(1, std::memory_order_relaxed);
    StartRead(&update_);
  }

  void OnDone(const grpc::Status& status) override {
    std::lock_guard lock(mu_);
    status_ = status;
    ended_by_server_ = !cancelled_;
    done_ = true;
    cv_.notify_all();
  }

  // Returns the status it ended with, and whether it ended before being cancelled.
  std::pair<grpc::StatusCode, bool> Cancel() {
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
    }
    context_.TryCancel();
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_; });
    return {status_.error_code(), ended_by_server_};
  }

  uint64_t updates() const { return updates_.load(std::memory_order_relaxed); }

 private:
  grpc::ClientContext context_;
  v1::WatchLobbyRequest request_;
  v1::LobbyUpdate update_;
  std::atomic<uint64_t> updates_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool cancelled_ = false;
  bool done_ = false;
  bool ended_by_server_ = false;
  grpc::Status status_;
};

Watchers::Watchers(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                   const std::vector<std::string>& branch_ids,
                   const std::vector<std::string>& tokens, int per_branch) {
  std::vector<std::unique_ptr<v1::LobbyService::Stub>> stubs;
  for (const auto& channel : channels) stubs.push_back(v1::LobbyService::NewStub(channel));
  size_t n = 0;
  for (size_t b = 0; b < tokens.size(); ++b) {
    for (int w = 0; w < per_branch; ++w, ++n) {
      streams_.push_back(
          std::make_unique<Stream>(stubs[n % stubs.size()].get(), branch_ids[b], tokens[b]));
    }
  }
}

Watchers::~Watchers() { Stop(); }

int Watchers::streams() const { return static_cast<int>(streams_.size()); }

uint64_t Watchers::updates() const {
  uint64_t n = 0;
  for (const auto& s : streams_) n += s->updates();
  return n;
}

std::array<uint64_t, kStatusCodes> Watchers::Stop() {
  std::array<uint64_t, kStatusCodes> ended{};
  for (auto& s : streams_) {
    auto [code, by_server] = s->Cancel();
    if (by_server) ++ended[std::min<int>(static_cast<int>(code), kStatusCodes - 1)];
  }
  return ended;
}

// ---- verification ----

std::vector<std::string> Verify(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                                const Actors& actors,
                                std::vector<std::unique_ptr<BranchLedger>>& ledgers,
                                int parallelism, uint64_t* tickets_checked) {
  std::mutex mu;
  std::vector<std::string> problems;
  auto problem = [&](std::string text) {
    std::lock_guard lock(mu);
    if (problems.size() < 200) problems.push_back(std::move(text));
  };
  for (auto& ledger : ledgers) {
    for (auto& v : ledger->TakeViolations()) problem(std::move(v));
  }
  std::atomic<int> next{0};
  std::atomic<uint64_t> checked{0};
  const int branches = static_cast<int>(ledgers.size());
  const std::string authorization = absl::StrCat("Bearer ", actors.admin_token);
  auto call = [&](auto&& fn) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    context.AddMetadata("authorization", authorization);
    return fn(&context);
  };
  std::vector<std::thread> workers;
  for (int t = 0; t < std::max(1, parallelism); ++t) {
    workers.emplace_back([&, t] {
      auto kiosk = v1::KioskService::NewStub(channels[t % channels.size()]);
      for (int b = next++; b < branches; b = next++) {
        const std::string& branch = actors.branch_ids[b];
        int waiting = 0;
        for (const auto& [id, record] : ledgers[b]->Snapshot()) {
          v1::GetTicketRequest request;
          request.set_branch_id(branch);
          request.set_ticket_id(id);
          v1::TicketResponse reply;
          grpc::Status s =
              call([&](grpc::ClientContext* c) { return kiosk->GetTicket(c, request, &reply); });
          checked.fetch_add(1, std::memory_order_relaxed);
          if (!s.ok()) {
            problem(absl::StrCat(branch, ": ticket ", record.number, " (id ", id,
                                 ") issued OK but GetTicket says ", s.error_code(), " ",
                                 s.error_message()));
            continue;
          }
          const v1::Ticket& t = reply.ticket();
          const bool state_ok =
              t.state() == record.state || (record.uncertain && t.state() == record.uncertain_next);
          if (!state_ok) {
            problem(absl::StrCat(branch, ": ticket ", record.number, " is ",
                                 v1::TicketState_Name(t.state()), ", expected ",
                                 v1::TicketState_Name(record.state)));
          }
          if (t.number() != record.number) {
            problem(absl::StrCat(branch, ": ticket id ", id, " shows number ", t.number(),
                                 ", issued as ", record.number));
          }
          if (record.counter != 0 && t.counter() != record.counter) {
            problem(absl::StrCat(branch, ": ticket ", record.number, " was called at counter ",
                                 record.counter, " but the server says counter ", t.counter()));
          }
          if (record.rating != 0 && t.rating() != record.rating) {
            problem(absl::StrCat(branch, ": ticket ", record.number, " rated ", record.rating,
                                 " but the server has ", t.rating()));
          }
          if (t.state() == v1::TICKET_STATE_WAITING) ++waiting;
        }
        // The other direction: nothing waits that the run did not issue.
        v1::ListServicesRequest request;
        request.set_branch_id(branch);
        v1::ListServicesResponse reply;
        grpc::Status s =
            call([&](grpc::ClientContext* c) { return kiosk->ListServices(c, request, &reply); });
        if (!s.ok()) {
          problem(absl::StrCat(branch, ": ListServices: ", s.error_message()));
          continue;
        }
        int listed = 0;
        for (const auto& service : reply.services()) listed += service.waiting_count();
        if (listed != waiting) {
          problem(absl::StrCat(branch, ": the server lists ", listed,
                               " waiting tickets, the run left ", waiting, " waiting"));
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  *tickets_checked = checked;
  return problems;
}

}  // namespace lobbyq::load
