// Crash harness: the real lobbyq-server, killed with SIGKILL at seeded random
// moments while kiosk and counter clients drive it over gRPC, restarted on the
// same data directory each time. After every kill the database (read-only,
// while no server runs) must hold every acknowledged operation, no number
// issued twice in a business day, no ticket called twice, and an event log
// that folds to exactly the state tables; after every restart the server must
// report the state the database holds.
//
// LOBBYQ_CRASH_SEED picks the kill moments, delays and client choices (thread
// interleavings still vary); LOBBYQ_CRASH_KILLS raises the number of kills
// (never below 20).

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "lobbyq/v1/counter.grpc.pb.h"
#include "lobbyq/v1/kiosk.grpc.pb.h"
#include "lobbyq/v1/lobby.grpc.pb.h"
#include "tests/crash/lobby_db.h"
#include "tests/crash/server_process.h"

namespace lobbyq::crash {
namespace {

constexpr char kBranch[] = "demo";
constexpr uint64_t kDefaultSeed = 20240304;
constexpr int kMinKills = 20;
// Per service: the harness stays below 999 so numbers never wrap, which keeps
// "numbered 1, 2, 3, ... in issue order" an exact check.
constexpr int kMaxTicketsPerService = 900;
// Kiosks pause while this many tickets wait, so counters keep up.
constexpr int kMaxBacklog = 30;
constexpr std::array<const char*, 4> kServices = {"A", "B", "C", "D"};
constexpr uint32_t kCounters = 6;  // the demo branch's
constexpr int kKiosks = 2;
// A server that answers nothing for this long after starting is broken.
constexpr absl::Duration kProgressTimeout = absl::Seconds(kSanitized ? 120 : 30);

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1'000'000 + t.nanos() / 1000;
}

const char* Name(v1::TicketState s) {
  switch (s) {
    case v1::TICKET_STATE_WAITING:
      return "waiting";
    case v1::TICKET_STATE_CALLED:
      return "called";
    case v1::TICKET_STATE_SERVING:
      return "serving";
    case v1::TICKET_STATE_DONE:
      return "done";
    case v1::TICKET_STATE_NO_SHOW:
      return "no_show";
    case v1::TICKET_STATE_CANCELLED:
      return "cancelled";
    default:
      return "?";
  }
}

const char* Name(v1::CounterState s) {
  switch (s) {
    case v1::COUNTER_STATE_CLOSED:
      return "closed";
    case v1::COUNTER_STATE_OPEN:
      return "open";
    case v1::COUNTER_STATE_PAUSED:
      return "paused";
    default:
      return "?";
  }
}

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  uint64_t value = 0;
  if (text == nullptr || *text == '\0') return fallback;
  if (!absl::SimpleAtoi(text, &value)) {
    ADD_FAILURE() << name << "='" << text << "' is not a whole number; using " << fallback;
    return fallback;
  }
  return value;
}

// Stubs on one channel to one server incarnation.
struct Connection {
  explicit Connection(std::shared_ptr<grpc::Channel> ch)
      : channel(std::move(ch)),
        kiosk(v1::KioskService::NewStub(channel)),
        counter(v1::CounterService::NewStub(channel)),
        lobby(v1::LobbyService::NewStub(channel)) {}
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::KioskService::Stub> kiosk;
  std::unique_ptr<v1::CounterService::Stub> counter;
  std::unique_ptr<v1::LobbyService::Stub> lobby;
};

// Which server the clients may talk to. A client takes a lease for each call;
// after a kill the harness withdraws the connection and waits for every
// lease to come back, so no call of one incarnation is still running (or
// unrecorded) when the database is checked or the next one starts.
class Switchboard {
 public:
  class Lease {
   public:
    Lease(Switchboard* board, std::shared_ptr<Connection> conn)
        : board_(board), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept
        : board_(std::exchange(other.board_, nullptr)), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (board_ != nullptr) board_->Return();
    }
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    Switchboard* board_;
    std::shared_ptr<Connection> conn_;
  };

  // Blocks until a server is up; nullopt once the run is over.
  std::optional<Lease> Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stop_ || conn_ != nullptr; });
    if (stop_) return std::nullopt;
    ++leases_;
    return Lease(this, conn_);
  }

  void Publish(std::shared_ptr<Connection> conn) {
    std::lock_guard lock(mu_);
    conn_ = std::move(conn);
    cv_.notify_all();
  }

  // No new leases; returns once every lease is back (calls have deadlines).
  void Withdraw() {
    std::unique_lock lock(mu_);
    conn_.reset();
    cv_.wait(lock, [&] { return leases_ == 0; });
  }

  bool stopped() {
    std::lock_guard lock(mu_);
    return stop_;
  }

  void Stop() {
    std::lock_guard lock(mu_);
    stop_ = true;
    conn_.reset();
    cv_.notify_all();
  }

 private:
  void Return() {
    std::lock_guard lock(mu_);
    --leases_;
    cv_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<Connection> conn_;
  int leases_ = 0;
  bool stop_ = false;
};

// What the clients saw: every OK reply that changed something, problems, and
// a count of all OK replies (the harness's sign that a server is working).
class Journal {
 public:
  void Record(Ack ack) {
    std::lock_guard lock(mu_);
    acks_.push_back(std::move(ack));
  }
  void Problem(std::string text) {
    std::lock_guard lock(mu_);
    problems_.push_back(std::move(text));
  }
  std::vector<Ack> acks() const {
    std::lock_guard lock(mu_);
    return acks_;
  }
  std::vector<std::string> problems() const {
    std::lock_guard lock(mu_);
    return problems_;
  }
  void Replied() { ++replies_; }
  uint64_t replies() const { return replies_; }
  // A call whose outcome the client cannot know (cut off by a kill, mostly).
  void Unknown(grpc::StatusCode code) {
    std::lock_guard lock(mu_);
    ++unknown_[code];
  }
  std::map<int, int> unknown() const {
    std::lock_guard lock(mu_);
    return unknown_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Ack> acks_;
  std::vector<std::string> problems_;
  std::map<int, int> unknown_;
  std::atomic<uint64_t> replies_{0};
};

// A reply that may or may not have been acted on: the server died, the call
// timed out, or it was refused without a verdict.
bool OutcomeUnknown(const grpc::Status& s) {
  switch (s.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
      return true;
    default:
      return false;
  }
}

std::string Describe(const grpc::Status& s) {
  return absl::StrCat("status ", s.error_code(), " '", s.error_message(), "'");
}

class CrashHarness {
 public:
  CrashHarness(std::string data_dir, uint64_t seed) : data_dir_(std::move(data_dir)), seed_(seed) {}

  ~CrashHarness() { StopClients(); }

  void StartClients() {
    for (int k = 0; k < kKiosks; ++k) threads_.emplace_back([this, k] { KioskLoop(k); });
    for (uint32_t c = 1; c <= kCounters; ++c) threads_.emplace_back([this, c] { CounterLoop(c); });
  }

  void StopClients() {
    board_.Stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  Switchboard& board() { return board_; }
  Journal& journal() { return journal_; }

  // The restarted server must hold what the database holds: counters, queue
  // lengths and the latest tickets. Runs before clients are let in.
  std::vector<std::string> CheckServerAgrees(Connection& conn, const DbSnapshot& db) {
    std::vector<std::string> problems;
    v1::GetLobbyStatusRequest req;
    req.set_branch_id(kBranch);
    v1::LobbyStatus status;
    grpc::Status s = conn.lobby->GetLobbyStatus(NewContext(data_dir_).get(), req, &status);
    if (!s.ok()) return {absl::StrCat("GetLobbyStatus after restart: ", Describe(s))};
    for (const v1::CounterStatus& c : status.counters()) {
      const uint32_t number = c.counter().number();
      auto row = db.counters.find(number);
      if (row == db.counters.end()) {
        problems.push_back(absl::StrCat("counter ", number, " served but not in the database"));
        continue;
      }
      const uint64_t current = c.has_current_ticket() ? c.current_ticket().ticket_id() : 0;
      if (Name(c.state()) != row->second.state || current != row->second.current_ticket_id ||
          c.last_finished_ticket_id() != row->second.last_finished_ticket_id) {
        problems.push_back(absl::StrFormat(
            "after restart counter %d is %s with ticket %d (last finished %d); the database has "
            "%s with %d (last finished %d)",
            number, Name(c.state()), current, c.last_finished_ticket_id(), row->second.state,
            row->second.current_ticket_id, row->second.last_finished_ticket_id));
      }
    }
    std::map<std::string, int> waiting;
    for (const auto& [id, t] : db.tickets) {
      if (t.state == "waiting") ++waiting[t.service_code];
    }
    for (const v1::ServiceStatus& svc : status.services()) {
      const std::string& code = svc.service().code();
      if (svc.waiting_count() != waiting[code]) {
        problems.push_back(
            absl::StrFormat("after restart service %s has %d waiting; the database has %d", code,
                            svc.waiting_count(), waiting[code]));
      }
    }
    // The newest tickets, where a lost commit would show first.
    int checked = 0;
    for (auto it = db.tickets.rbegin(); it != db.tickets.rend() && checked < 20; ++it, ++checked) {
      std::string problem = CheckTicket(conn, it->second);
      if (!problem.empty()) problems.push_back(std::move(problem));
    }
    return problems;
  }

  // GetTicket must know the ticket, in the state the database has.
  std::string CheckTicket(Connection& conn, const TicketRow& row) {
    v1::GetTicketRequest req;
    req.set_branch_id(kBranch);
    req.set_ticket_id(row.id);
    v1::TicketResponse resp;
    grpc::Status s = conn.kiosk->GetTicket(NewContext(data_dir_).get(), req, &resp);
    if (!s.ok()) return absl::StrCat("GetTicket ", row.id, " after restart: ", Describe(s));
    if (Name(resp.ticket().state()) != row.state ||
        resp.ticket().number() != absl::StrFormat("%s%03d", row.prefix, row.number)) {
      return absl::StrFormat("after restart ticket %d is %s %s; the database has %s%03d %s", row.id,
                             resp.ticket().number(), Name(resp.ticket().state()), row.prefix,
                             row.number, row.state);
    }
    return "";
  }

 private:
  std::mt19937_64 Rng(uint64_t stream) const { return std::mt19937_64(seed_ * 1000 + stream); }

  // Sleeps without holding a lease, so a kill is never held up by it.
  static void Pause(absl::Duration d) { absl::SleepFor(d); }

  void KioskLoop(int k) {
    std::mt19937_64 rng = Rng(100 + k);
    struct Pending {
      std::string request_id;
      std::string service;
      v1::PriorityClass priority;
    };
    std::optional<Pending> pending;              // an issue whose outcome is unknown: retried as is
    std::vector<uint64_t> mine;                  // acknowledged, maybe still waiting
    std::map<std::string, uint64_t> issued_for;  // request id -> ticket
    int next = 0;
    while (true) {
      if (!pending && backlog_ >= kMaxBacklog) {
        if (board_.stopped()) return;
        Pause(absl::Milliseconds(5));
        continue;
      }
      std::optional<Switchboard::Lease> lease = board_.Acquire();
      if (!lease) return;
      if (!pending && !mine.empty() && rng() % 100 < 4) {
        const size_t pick = rng() % mine.size();
        const uint64_t id = mine[pick];
        mine.erase(mine.begin() + static_cast<ptrdiff_t>(pick));
        v1::CancelTicketRequest req;
        req.set_branch_id(kBranch);
        req.set_ticket_id(id);
        v1::TicketResponse resp;
        grpc::Status s = (*lease)->kiosk->CancelTicket(NewContext(data_dir_).get(), req, &resp);
        if (s.ok()) {
          journal_.Replied();
          --backlog_;
          journal_.Record({.kind = Ack::Kind::kCancel, .ticket_id = id});
        } else if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
          journal_.Problem(absl::StrCat("kiosk ", k, ": acknowledged ticket ", id,
                                        " is unknown to the server: ", Describe(s)));
        }
        continue;  // FAILED_PRECONDITION: already called, as happens
      }
      if (!pending) {
        std::vector<std::string> open;
        for (const char* code : kServices) {
          if (issued_[code[0] - 'A'] < kMaxTicketsPerService) open.push_back(code);
        }
        if (open.empty()) {
          lease.reset();
          Pause(absl::Milliseconds(20));
          continue;
        }
        const int p = static_cast<int>(rng() % 10);
        pending = Pending{.request_id = absl::StrCat("kiosk-", k, "/", next++),
                          .service = open[rng() % open.size()],
                          .priority = p == 0   ? v1::PRIORITY_CLASS_VIP
                                      : p == 1 ? v1::PRIORITY_CLASS_GREEN_CHANNEL
                                               : v1::PRIORITY_CLASS_NORMAL};
        ++issued_[pending->service[0] - 'A'];
      }
      v1::IssueTicketRequest req;
      req.set_branch_id(kBranch);
      req.set_service_code(pending->service);
      req.set_priority(pending->priority);
      req.set_request_id(pending->request_id);
      req.set_kiosk_id(absl::StrCat("kiosk-", k));
      v1::TicketResponse resp;
      grpc::Status s = (*lease)->kiosk->IssueTicket(NewContext(data_dir_).get(), req, &resp);
      if (OutcomeUnknown(s)) {
        journal_.Unknown(s.error_code());
        continue;  // retried with the same request id
      }
      if (!s.ok()) {
        journal_.Problem(
            absl::StrCat("kiosk ", k, ": IssueTicket ", pending->request_id, ": ", Describe(s)));
        pending.reset();
        continue;
      }
      journal_.Replied();
      const v1::Ticket& t = resp.ticket();
      auto [it, fresh] = issued_for.emplace(pending->request_id, t.ticket_id());
      if (!fresh && it->second != t.ticket_id()) {
        journal_.Problem(absl::StrCat("request id ", pending->request_id, " got tickets ",
                                      it->second, " and ", t.ticket_id()));
      }
      if (t.origin_service_code() != pending->service || t.priority() != pending->priority) {
        journal_.Problem(absl::StrCat("request id ", pending->request_id, " for ", pending->service,
                                      " got ticket ", t.number()));
      }
      journal_.Record({.kind = Ack::Kind::kIssue,
                       .ticket_id = t.ticket_id(),
                       .at = Micros(t.issued_at()),
                       .request_id = pending->request_id,
                       .number = t.number(),
                       .business_day = t.business_day()});
      ++backlog_;
      mine.push_back(t.ticket_id());
      pending.reset();
    }
  }

  // One thread per counter, so it alone changes its counter: while every
  // earlier call of it was answered, it knows the counter's state exactly, and
  // a refusal then means the server lost something it acknowledged.
  void CounterLoop(uint32_t number) {
    std::mt19937_64 rng = Rng(200 + number);
    bool sure = false;  // false after a call with unknown outcome: ask the server
    std::string state;
    uint64_t ticket = 0;
    bool serving = false;
    uint32_t recalls = 0;
    uint64_t to_rate = 0;
    v1::CounterRequest creq;
    creq.set_branch_id(kBranch);
    creq.set_counter(number);
    const std::string who = absl::StrCat("counter ", number);

    // A non-OK reply: a problem unless the outcome is unknown; either way the
    // counter is asked for its state before the next action.
    auto refused = [&](const grpc::Status& s, const char* call) {
      if (OutcomeUnknown(s)) {
        journal_.Unknown(s.error_code());
      } else {
        journal_.Problem(absl::StrCat(who, ": ", call,
                                      " refused though every earlier call was "
                                      "acknowledged (state lost?): ",
                                      Describe(s)));
      }
      sure = false;
    };

    while (true) {
      std::optional<Switchboard::Lease> lease = board_.Acquire();
      if (!lease) return;
      Connection& conn = **lease;
      if (!sure) {
        v1::GetLobbyStatusRequest req;
        req.set_branch_id(kBranch);
        v1::LobbyStatus status;
        grpc::Status s = conn.lobby->GetLobbyStatus(NewContext(data_dir_).get(), req, &status);
        if (!s.ok()) continue;
        journal_.Replied();
        for (const v1::CounterStatus& c : status.counters()) {
          if (c.counter().number() != number) continue;
          state = Name(c.state());
          ticket = c.has_current_ticket() ? c.current_ticket().ticket_id() : 0;
          serving =
              c.has_current_ticket() && c.current_ticket().state() == v1::TICKET_STATE_SERVING;
          recalls = c.has_current_ticket() ? c.current_ticket().recall_count() : 0;
          to_rate = 0;
          sure = true;
        }
        if (!sure) journal_.Problem(absl::StrCat(who, " missing from GetLobbyStatus"));
        continue;
      }
      if (state != "open") {
        v1::CounterResponse resp;
        grpc::Status s = conn.counter->OpenCounter(NewContext(data_dir_).get(), creq, &resp);
        if (!s.ok()) {
          refused(s, "OpenCounter");
          continue;
        }
        journal_.Replied();
        state = "open";
        journal_.Record({.kind = Ack::Kind::kOpen,
                         .counter = number,
                         .at = Micros(resp.counter().state_since()),
                         .counter_state = Name(resp.counter().state())});
      } else if (ticket == 0 && to_rate != 0) {
        v1::SubmitRatingRequest req;
        req.set_branch_id(kBranch);
        req.set_counter(number);
        req.set_ticket_id(to_rate);
        const int score = 1 + static_cast<int>(rng() % 5);
        req.set_score(score);
        v1::TicketActionResponse resp;
        grpc::Status s = conn.counter->SubmitRating(NewContext(data_dir_).get(), req, &resp);
        const uint64_t rated = std::exchange(to_rate, 0);
        if (!s.ok()) {
          refused(s, "SubmitRating");
          continue;
        }
        journal_.Replied();
        journal_.Record(
            {.kind = Ack::Kind::kRate, .ticket_id = rated, .counter = number, .score = score});
      } else if (ticket == 0 && rng() % 100 < 3) {
        const bool close = rng() % 2 == 0;
        v1::CounterResponse resp;
        grpc::Status s = close
                             ? conn.counter->CloseCounter(NewContext(data_dir_).get(), creq, &resp)
                             : conn.counter->PauseCounter(NewContext(data_dir_).get(), creq, &resp);
        if (!s.ok()) {
          refused(s, close ? "CloseCounter" : "PauseCounter");
          continue;
        }
        journal_.Replied();
        state = close ? "closed" : "paused";
        journal_.Record({.kind = close ? Ack::Kind::kClose : Ack::Kind::kPause,
                         .counter = number,
                         .at = Micros(resp.counter().state_since()),
                         .counter_state = Name(resp.counter().state())});
      } else if (ticket == 0) {
        v1::CallNextResponse resp;
        grpc::Status s = conn.counter->CallNext(NewContext(data_dir_).get(), creq, &resp);
        if (!s.ok()) {
          refused(s, "CallNext");
          continue;
        }
        journal_.Replied();
        if (!resp.has_ticket()) {
          lease.reset();
          Pause(absl::Milliseconds(10));  // nobody waiting for this counter
          continue;
        }
        --backlog_;
        ticket = resp.ticket().ticket_id();
        serving = false;
        recalls = 0;
        journal_.Record({.kind = Ack::Kind::kCall,
                         .ticket_id = ticket,
                         .counter = number,
                         .at = Micros(resp.ticket().called_at())});
      } else if (!serving) {
        const int r = static_cast<int>(rng() % 100);
        const bool recall = r < 8 && recalls < 2;
        const bool no_show = !recall && r < 16;
        v1::TicketActionResponse resp;
        grpc::Status s = recall ? conn.counter->Recall(NewContext(data_dir_).get(), creq, &resp)
                         : no_show
                             ? conn.counter->MarkNoShow(NewContext(data_dir_).get(), creq, &resp)
                             : conn.counter->StartService(NewContext(data_dir_).get(), creq, &resp);
        if (!s.ok()) {
          refused(s, recall ? "Recall" : no_show ? "MarkNoShow" : "StartService");
          continue;
        }
        journal_.Replied();
        const v1::Ticket& t = resp.ticket();
        if (recall) {
          ++recalls;
          journal_.Record({.kind = Ack::Kind::kRecall,
                           .ticket_id = ticket,
                           .counter = number,
                           .at = Micros(t.called_at())});
        } else if (no_show) {
          journal_.Record({.kind = Ack::Kind::kNoShow,
                           .ticket_id = ticket,
                           .counter = number,
                           .at = Micros(t.no_show_at())});
          ticket = 0;
        } else {
          serving = true;
          journal_.Record({.kind = Ack::Kind::kStart,
                           .ticket_id = ticket,
                           .counter = number,
                           .at = Micros(t.started_at())});
        }
      } else {
        v1::TicketActionResponse resp;
        grpc::Status s = conn.counter->Finish(NewContext(data_dir_).get(), creq, &resp);
        if (!s.ok()) {
          refused(s, "Finish");
          continue;
        }
        journal_.Replied();
        journal_.Record({.kind = Ack::Kind::kFinish,
                         .ticket_id = ticket,
                         .counter = number,
                         .at = Micros(resp.ticket().finished_at())});
        if (rng() % 100 < 60) to_rate = ticket;
        ticket = 0;
      }
    }
  }

  const std::string data_dir_;
  const uint64_t seed_;
  Switchboard board_;
  Journal journal_;
  std::atomic<int> backlog_{0};
  std::array<std::atomic<int>, 4> issued_{};
  std::vector<std::thread> threads_;
};

std::string First(const std::vector<std::string>& problems, size_t n = 15) {
  std::vector<std::string> head(
      problems.begin(), problems.begin() + static_cast<ptrdiff_t>(std::min(n, problems.size())));
  return absl::StrCat(problems.size(), " problem(s):\n  ", absl::StrJoin(head, "\n  "));
}

TEST(CrashTest, EveryAcknowledgedOperationSurvivesSigkill) {
  const absl::Time started = absl::Now();
  const uint64_t seed = EnvNumber("LOBBYQ_CRASH_SEED", kDefaultSeed);
  const int kills = static_cast<int>(
      std::max<uint64_t>(kMinKills, EnvNumber("LOBBYQ_CRASH_KILLS", kSanitized ? 20 : 30)));
  // Time under load before a kill; shorter under sanitizers, where each
  // restart costs more.
  const int max_window_ms = kSanitized ? 300 : 600;
  std::printf("crash harness: seed %llu (LOBBYQ_CRASH_SEED), %d kills, server %s\n",
              static_cast<unsigned long long>(seed), kills, ServerBinary().c_str());

  TempDir dir("crash");
  const std::string db_path = dir.path() + "/lobbyq.db";
  CrashHarness harness(dir.path(), seed);
  harness.StartClients();
  std::mt19937_64 rng(seed);
  std::optional<DbSnapshot> last;
  int startup_kills = 0;
  int normal_runs = 0;
  std::vector<std::string> problems;
  auto fail = [&](const std::string& what, const ServerProcess* server) {
    dir.Keep();
    ADD_FAILURE() << what << "\ndata directory kept: " << dir.path()
                  << (server != nullptr ? "\nserver log:\n" + server->LogTail() : "");
  };

  int kill = 0;
  for (; kill < kills; ++kill) {
    // Both settings must survive a process crash: the operating system still
    // has what was written. (They differ on power loss, which this cannot show.)
    const bool normal = rng() % 2 == 0;
    normal_runs += normal ? 1 : 0;
    auto server = ServerProcess::Spawn(dir.path(), {"--durability", normal ? "normal" : "full"});
    ASSERT_TRUE(server.ok()) << server.status();
    if (kill > 0 && rng() % 6 == 0) {
      // While it starts: opening, checking and loading the database.
      absl::SleepFor(absl::Milliseconds(static_cast<int64_t>(rng() % 40)));
      (*server)->Kill();
      ++startup_kills;
    } else {
      if (absl::Status s = (*server)->WaitUntilListening(); !s.ok()) {
        return fail(absl::StrCat("restart ", kill, ": ", s.message()), nullptr);
      }
      auto conn = std::make_shared<Connection>((*server)->Channel());
      if (last) {
        problems = harness.CheckServerAgrees(*conn, *last);
        if (!problems.empty()) {
          return fail(absl::StrCat("after restart ", kill, ": ", First(problems)), server->get());
        }
      }
      const uint64_t replies_before = harness.journal().replies();
      const absl::Duration window =
          absl::Milliseconds(30 + static_cast<int64_t>(rng() % max_window_ms));
      const uint64_t min_replies = 1 + rng() % 40;
      const absl::Time up = absl::Now();
      harness.board().Publish(conn);
      while (absl::Now() - up < window ||
             harness.journal().replies() - replies_before < min_replies) {
        if (absl::Now() - up > kProgressTimeout) {
          return fail(absl::StrCat("restart ", kill, ": only ",
                                   harness.journal().replies() - replies_before, " replies in ",
                                   absl::FormatDuration(kProgressTimeout)),
                      server->get());
        }
        absl::SleepFor(absl::Milliseconds(2));
      }
      (*server)->Kill();
      harness.board().Withdraw();
    }

    absl::StatusOr<DbSnapshot> snap = ReadDatabase(db_path, kBranch);
    if (!snap.ok()) return fail(std::string(snap.status().message()), server->get());
    problems = CheckInvariants(*snap);
    std::vector<std::string> lost = CheckAcknowledged(*snap, harness.journal().acks());
    problems.insert(problems.end(), lost.begin(), lost.end());
    std::vector<std::string> seen = harness.journal().problems();
    problems.insert(problems.end(), seen.begin(), seen.end());
    if (!problems.empty()) {
      return fail(absl::StrCat("after kill ", kill + 1, ": ", First(problems)), server->get());
    }
    last = *std::move(snap);
  }
  harness.StopClients();

  // A last start: the server agrees with the database about every ticket a
  // client was told about, and stops cleanly on SIGTERM.
  auto server = ServerProcess::Spawn(dir.path());
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->WaitUntilListening().ok()) << (*server)->LogTail();
  const std::vector<Ack> acks = harness.journal().acks();
  {
    // Disconnected before SIGTERM: a connected client holds up a clean stop for 5 s.
    Connection conn((*server)->Channel());
    problems = harness.CheckServerAgrees(conn, *last);
    for (const Ack& a : acks) {
      if (a.kind != Ack::Kind::kIssue) continue;
      auto row = last->tickets.find(a.ticket_id);
      std::string problem = row == last->tickets.end()
                                ? absl::StrCat("ticket ", a.ticket_id, " not in the database")
                                : harness.CheckTicket(conn, row->second);
      if (!problem.empty()) problems.push_back(std::move(problem));
    }
  }
  if (!problems.empty()) return fail(absl::StrCat("final start: ", First(problems)), server->get());
  absl::StatusOr<int> code = (*server)->Terminate(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << (*server)->LogTail();
  absl::StatusOr<DbSnapshot> final_db = ReadDatabase(db_path, kBranch);
  ASSERT_TRUE(final_db.ok()) << final_db.status();
  problems = CheckInvariants(*final_db);
  std::vector<std::string> lost = CheckAcknowledged(*final_db, acks);
  problems.insert(problems.end(), lost.begin(), lost.end());
  if (!problems.empty()) return fail(absl::StrCat("after SIGTERM: ", First(problems)), nullptr);

  // Figures for the report.
  std::map<std::string, int> by_kind;
  for (const Ack& a : acks) ++by_kind[KindName(a.kind)];
  int cut_off = 0;
  for (const auto& [code, n] : harness.journal().unknown()) cut_off += n;
  std::printf(
      "crash harness: %d kills survived (%d while starting, %d under load; %d runs with "
      "durability normal); %zu acknowledged operations, each checked after every later kill "
      "(%s); %d calls failed around a kill, outcome unknown to the client (by status code: "
      "%s); %zu tickets, %zu "
      "events; %.1f s\n",
      kill, startup_kills, kill - startup_kills, normal_runs, acks.size(),
      absl::StrJoin(by_kind, ", ", absl::PairFormatter(" ")).c_str(), cut_off,
      absl::StrJoin(harness.journal().unknown(), ", ", absl::PairFormatter(": ")).c_str(),
      final_db->tickets.size(), final_db->events.size(),
      absl::ToDoubleSeconds(absl::Now() - started));
  EXPECT_GE(kill, kMinKills);
}

}  // namespace
}  // namespace lobbyq::crash
