#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "server/domain/branch.h"
#include "server/runtime/committer.h"
#include "server/store/store.h"

namespace lobbyq::runtime {

// Receives a branch's committed changes, on that branch's strand, in event-log order.
// Implementations must not block: they queue and return.
class LobbySubscriber {
 public:
  virtual ~LobbySubscriber() = default;
  // First call after Subscribe: the state to start from.
  virtual void OnSnapshot(const domain::Branch& branch, absl::Time now) = 0;
  // Every later change: its events (with seq set), read against the state after it.
  virtual void OnEvents(const std::vector<domain::Event>& events, const domain::Branch& branch) = 0;
  // Time passed with no change: the branch's timer ran (for a deadline or for
  // domain::NextAlertChange), so what depends on `now` alone may differ.
  virtual void OnTick(const domain::Branch& /*branch*/, absl::Time /*now*/) {}
  // The server is stopping; no more calls follow.
  virtual void OnClose() = 0;
  // True once the subscriber wants no more calls; it is then dropped.
  virtual bool Closed() const = 0;
};

// Owns every branch and runs each one's commands on its own strand of a shared
// thread pool: commands of one branch are serialized (two counters can never
// take the same ticket), different branches proceed in parallel. Each branch
// has one Asio timer on its strand for the things that happen by themselves
// (Branch::NextDeadline); it runs them as a command of actor "timer". A command is
// planned by the domain, committed to the store, and only then applied and
// published, so no reply or display ever shows a change that could be lost.
// Commits go through one Committer (group commit): while a branch's change is
// on its way to the disk the strand is free for other branches, and that
// branch's next commands wait for it, since they must be planned on top of it.
class Engine {
 public:
  using PlanFn = std::function<absl::StatusOr<domain::Plan>(const domain::Branch&,
                                                            const domain::CommandContext&)>;
  // Called on the branch's strand after the plan was committed and applied (or
  // failed). `branch` and `plan` are null when the status is not OK.
  using DoneFn = std::function<void(const absl::Status&, const domain::Branch* branch,
                                    const domain::Plan* plan)>;

  static constexpr size_t kDefaultCommitBatch = 256;

  // `max_commit_batch` bounds the changes written in one transaction; 1 turns
  // group commit off.
  Engine(store::Store* store, const Clock* clock, int threads,
         size_t max_commit_batch = kDefaultCommitBatch);
  ~Engine();  // Stop()s.
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Rebuilds every stored branch. Closed tickets issued more than `keep_closed`
  // ago are left on disk only.
  absl::Status LoadAll(absl::Duration keep_closed = domain::kRequestIdRetention);

  // Creates a branch unless one with that id exists (then AlreadyExists).
  // Blocks until committed; safe from any thread.
  absl::Status CreateBranch(const domain::BranchDefinition& def, const std::string& actor);
  // The same, on the thread pool; `done` runs there. For RPC handlers, which
  // must not block on a commit.
  void CreateBranchAsync(domain::BranchDefinition def, std::string actor,
                         std::function<void(const absl::Status&)> done);
  bool HasBranch(const std::string& branch_id) const;
  std::vector<std::string> BranchIds() const;

  // Runs `plan` on the branch's strand; commits and applies a non-empty change;
  // then calls `done` on the strand. NotFound for an unknown branch (then `done`
  // runs on the calling thread). Exceptions from `plan`/`done` become Internal.
  void Execute(const std::string& branch_id, std::string actor, PlanFn plan, DoneFn done);

  // Runs `plan` and waits for `done`: for start-up and tests.
  absl::Status ExecuteSync(const std::string& branch_id, std::string actor, PlanFn plan,
                           DoneFn done = nullptr);

  // Adds a subscriber on the branch's strand: it gets a snapshot, then every change.
  absl::Status Subscribe(const std::string& branch_id, std::shared_ptr<LobbySubscriber> sub);

  // Tells every subscriber the server is stopping (their streams end).
  void CloseSubscribers();
  // CloseSubscribers(), then finishes queued work and joins the pool. Idempotent.
  // Nothing may Execute after this.
  void Stop();

  const Clock& clock() const { return *clock_; }
  Committer::Stats commit_stats() const { return committer_.stats(); }
  // For reads that go to the log rather than to memory (metrics, reports).
  // The store is thread-safe.
  store::Store& store() const { return *store_; }

 private:
  struct BranchSlot;
  struct InFlight;
  BranchSlot* FindSlot(const std::string& branch_id) const;
  absl::StatusOr<std::unique_ptr<BranchSlot>> MakeSlot(domain::BranchSnapshot snapshot);
  // Runs `work` now, or after the branch's change in flight is applied. On the strand.
  void RunWhenFree(BranchSlot& slot, std::function<void()> work);
  // Execute's work on the strand; never throws.
  void RunCommand(BranchSlot& slot, const std::string& actor, const PlanFn& plan,
                  const DoneFn& done) noexcept;
  // Plans; a change goes to the committer and `done` runs in FinishCommit,
  // anything else runs `done` at once.
  void RunOnStrand(BranchSlot& slot, const std::string& actor, const PlanFn& plan,
                   const DoneFn& done);
  // The committer's answer, on the strand: apply and reply, then run what waited.
  void FinishCommit(BranchSlot& slot, InFlight& flight, const absl::Status& status) noexcept;
  // Points the branch's timer at its next deadline (automatic no-show,
  // missed appointment, purge of personal details) or, while anyone watches,
  // the next time the alerts can change by themselves; or stops it. On the strand.
  // `idle_retry` delays a deadline already due: used after a timer run that
  // changed nothing, so a stuck deadline cannot spin.
  // Never throws: a failure is logged, and the next command re-arms.
  void ArmTimer(BranchSlot& slot, bool idle_retry = false) noexcept;
  void ArmTimerOrThrow(BranchSlot& slot, bool idle_retry);
  void OnTimer(BranchSlot& slot);
  // Queuing work for a branch failed (allocation): log and stop the process.
  [[noreturn]] void OutOfMemory(BranchSlot& slot) noexcept;
  void RunTimeouts(BranchSlot& slot) noexcept;
  // After the timer's command: tell watchers the time moved, re-arm.
  void AfterTimeouts(BranchSlot& slot, bool changed) noexcept;
  // Applies a committed change and publishes it. Never fails: a change that is on
  // disk but cannot be applied stops the process.
  void ApplyCommitted(BranchSlot& slot, const domain::Change& change) noexcept;

  store::Store* store_;
  const Clock* clock_;
  boost::asio::thread_pool pool_;
  Committer committer_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<BranchSlot>> branches_ ABSL_GUARDED_BY(mu_);
  std::mutex create_mu_;  // serializes CreateBranch, so two creates of one id cannot race
  std::atomic<bool> closing_ = false;  // subscribers are being told to go
  std::atomic<bool> stopped_ = false;  // Execute answers UNAVAILABLE
};

}  // namespace lobbyq::runtime
