#include "server/runtime/engine.h"

#include <chrono>
#include <cstdlib>
#include <deque>
#include <exception>
#include <future>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "server/domain/alerts.h"

namespace lobbyq::runtime {

using Strand = boost::asio::strand<boost::asio::thread_pool::executor_type>;

struct Engine::BranchSlot {
  BranchSlot(boost::asio::thread_pool& pool, domain::Branch b)
      : strand(boost::asio::make_strand(pool)), timer(strand), branch(std::move(b)) {}

  Strand strand;
  boost::asio::steady_timer timer;  // waits for NextDeadline() or NextAlertChange()
  // Touched only on `strand`.
  domain::Branch branch;
  std::vector<std::shared_ptr<LobbySubscriber>> subscribers;
  // The time at which every subscriber last saw the alerts worked out. The
  // timer aims at the first change after it, not after now: a change already
  // due (the clock passed it between two runs, or a re-arm at the very
  // instant) then runs at once instead of being skipped.
  absl::Time alerts_seen = absl::InfinitePast();
  // A change of this branch is with the committer. Commands and timer runs
  // that come meanwhile wait in `held`, in arrival order: they must see it.
  bool committing = false;
  std::deque<std::function<void()>> held;
};

// A planned change on its way to the disk.
struct Engine::InFlight {
  domain::Plan plan;  // with a non-empty change
  DoneFn done;
  // Keeps the pool's threads (and so Stop) waiting until the answer is back.
  boost::asio::executor_work_guard<Strand> keep_pool;
};

namespace {

// The store keeps microseconds; a time finer than that would differ after a restart.
absl::Time ToStoredPrecision(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

std::string CurrentError() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

absl::StatusOr<absl::TimeZone> LoadZone(const std::string& name) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(name, &zone)) {
    return absl::InvalidArgumentError(
        absl::StrCat("time zone '", name, "' is unknown; use an IANA name like Asia/Shanghai"));
  }
  return zone;
}

}  // namespace

Engine::Engine(store::Store* store, const Clock* clock, int threads, size_t max_commit_batch)
    : store_(store),
      clock_(clock),
      pool_(static_cast<size_t>(std::max(1, threads))),
      committer_(
          [store](std::span<domain::Change* const> changes) { return store->CommitAll(changes); },
          max_commit_batch) {}

Engine::~Engine() { Stop(); }

absl::StatusOr<std::unique_ptr<Engine::BranchSlot>> Engine::MakeSlot(
    domain::BranchSnapshot snapshot) {
  auto zone = LoadZone(snapshot.info.timezone);
  if (!zone.ok()) return zone.status();
  return std::make_unique<BranchSlot>(pool_, domain::Branch(std::move(snapshot), *zone));
}

absl::Status Engine::LoadAll(absl::Duration keep_closed) {
  auto ids = store_->ListBranchIds();
  if (!ids.ok()) return ids.status();
  const absl::Time closed_since = clock_->Now() - keep_closed;
  for (const auto& id : *ids) {
    auto snapshot = store_->LoadBranch(id, closed_since);
    if (!snapshot.ok()) return snapshot.status();
    const size_t tickets = snapshot->tickets.size();
    auto slot = MakeSlot(*std::move(snapshot));
    if (!slot.ok()) {
      return absl::DataLossError(absl::StrCat("branch '", id, "': ", slot.status().message()));
    }
    BranchSlot* restored = slot->get();
    {
      std::unique_lock lock(mu_);
      branches_[id] = *std::move(slot);
    }
    // Deadlines that passed while the server was down are run at once.
    boost::asio::post(restored->strand, [this, restored] { ArmTimer(*restored); });
    spdlog::info("restored branch '{}' with {} recent tickets", id, tickets);
  }
  return absl::OkStatus();
}

absl::Status Engine::CreateBranch(const domain::BranchDefinition& def, const std::string& actor) {
  const domain::BranchInfo& info = def.info;
  auto change = domain::Branch::PlanCreate(
      def, domain::CommandContext{ToStoredPrecision(clock_->Now()), actor});
  if (!change.ok()) return change.status();
  auto slot = MakeSlot(domain::BranchSnapshot{.info = info});  // checks the time zone
  if (!slot.ok()) return slot.status();

  std::lock_guard create_lock(create_mu_);
  if (HasBranch(info.id)) {
    return absl::AlreadyExistsError(absl::StrCat("branch '", info.id, "' already exists"));
  }
  if (auto s = store_->Commit(*change); !s.ok()) return s;
  (*slot)->branch.Apply(*change);
  std::unique_lock lock(mu_);
  branches_[info.id] = *std::move(slot);
  return absl::OkStatus();
}

void Engine::CreateBranchAsync(domain::BranchDefinition def, std::string actor,
                               std::function<void(const absl::Status&)> done) {
  if (stopped_) {
    done(absl::UnavailableError("the server is shutting down; try again shortly"));
    return;
  }
  boost::asio::post(
      pool_, [this, def = std::move(def), actor = std::move(actor), done = std::move(done)] {
        absl::Status status;
        try {
          status = CreateBranch(def, actor);
        } catch (...) {
          spdlog::error("creating branch '{}' failed: {}", def.info.id, CurrentError());
          status = absl::InternalError("the server failed to create the branch");
        }
        done(status);
      });
}

bool Engine::HasBranch(const std::string& branch_id) const {
  return FindSlot(branch_id) != nullptr;
}

std::vector<std::string> Engine::BranchIds() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, slot] : branches_) ids.push_back(id);
  return ids;
}

Engine::BranchSlot* Engine::FindSlot(const std::string& branch_id) const {
  std::shared_lock lock(mu_);
  auto it = branches_.find(branch_id);
  return it == branches_.end() ? nullptr : it->second.get();
}

void Engine::Execute(const std::string& branch_id, std::string actor, PlanFn plan, DoneFn done) {
  if (stopped_) {
    done(absl::UnavailableError("the server is shutting down; try again shortly"), nullptr,
         nullptr);
    return;
  }
  BranchSlot* slot = FindSlot(branch_id);
  if (slot == nullptr) {
    done(absl::NotFoundError(absl::StrCat("branch '", branch_id, "' does not exist")), nullptr,
         nullptr);
    return;
  }
  boost::asio::post(slot->strand, [this, slot, actor = std::move(actor), plan = std::move(plan),
                                   done = std::move(done)]() mutable {
    try {
      RunWhenFree(*slot, [this, slot, actor = std::move(actor), plan = std::move(plan),
                          done = std::move(done)] { RunCommand(*slot, actor, plan, done); });
    } catch (...) {
      OutOfMemory(*slot);
    }
  });
}

void Engine::RunWhenFree(BranchSlot& slot, std::function<void()> work) {
  if (slot.committing) {
    slot.held.push_back(std::move(work));
    return;
  }
  work();
}

void Engine::RunCommand(BranchSlot& slot, const std::string& actor, const PlanFn& plan,
                        const DoneFn& done) noexcept {
  try {
    RunOnStrand(slot, actor, plan, done);
  } catch (...) {
    // Only planning or the reply can get here (see RunOnStrand): nothing changed.
    spdlog::error("branch '{}': command failed: {}", slot.branch.info().id, CurrentError());
    try {
      done(absl::InternalError("the server failed to process the request"), nullptr, nullptr);
    } catch (...) {
      spdlog::error("branch '{}': reply failed after an error", slot.branch.info().id);
    }
  }
  ArmTimer(slot);
}

void Engine::RunOnStrand(BranchSlot& slot, const std::string& actor, const PlanFn& plan_fn,
                         const DoneFn& done) {
  const domain::CommandContext ctx{ToStoredPrecision(clock_->Now()), actor};
  absl::StatusOr<domain::Plan> plan = plan_fn(slot.branch, ctx);
  if (!plan.ok()) {
    done(plan.status(), nullptr, nullptr);
    return;
  }
  if (plan->change.empty()) {
    done(absl::OkStatus(), &slot.branch, &*plan);
    return;
  }
  auto flight = std::make_shared<InFlight>(
      InFlight{*std::move(plan), done, boost::asio::make_work_guard(slot.strand)});
  committer_.Submit(&flight->plan.change, [this, &slot, flight](const absl::Status& status) {
    try {
      boost::asio::post(slot.strand,
                        [this, &slot, flight, status] { FinishCommit(slot, *flight, status); });
    } catch (...) {
      OutOfMemory(slot);
    }
  });
  slot.committing = true;  // after Submit: a throw there leaves nothing in flight
}

void Engine::FinishCommit(BranchSlot& slot, InFlight& flight, const absl::Status& status) noexcept {
  absl::Status reply = absl::OkStatus();
  if (status.ok()) {
    ApplyCommitted(slot, flight.plan.change);
  } else {
    spdlog::error("branch '{}': commit failed: {}", slot.branch.info().id, status.ToString());
    reply = status.code() == absl::StatusCode::kUnavailable
                ? absl::UnavailableError(
                      "the change could not be saved; nothing was changed, try again")
                : absl::InternalError("the change could not be saved; nothing was changed");
  }
  try {
    if (reply.ok()) {
      flight.done(reply, &slot.branch, &flight.plan);
    } else {
      flight.done(reply, nullptr, nullptr);
    }
  } catch (...) {
    spdlog::error("branch '{}': reply failed: {}", slot.branch.info().id, CurrentError());
    try {
      flight.done(absl::InternalError("the server failed to process the request"), nullptr,
                  nullptr);
    } catch (...) {
      spdlog::error("branch '{}': reply failed after an error", slot.branch.info().id);
    }
  }
  slot.committing = false;
  // A failed commit changed nothing: the timer armed before it stands. For a
  // timer run that is the idle back-off, which re-arming here would undo, so a
  // change the database keeps refusing would be retried in a tight loop.
  if (status.ok()) ArmTimer(slot);
  // Each held piece of work catches its own errors; one that commits stops the
  // loop, and the rest wait for its answer.
  while (!slot.committing && !slot.held.empty()) {
    std::function<void()> next = std::move(slot.held.front());
    slot.held.pop_front();
    next();
  }
}

void Engine::ApplyCommitted(BranchSlot& slot, const domain::Change& change) noexcept {
  try {
    slot.branch.Apply(change);
  } catch (...) {
    // Memory would now trail the database and could hand out a committed ticket
    // id again. Stopping is safe: a restart rebuilds memory from the database.
    spdlog::critical("branch '{}': applying a committed change failed ({}); stopping",
                     slot.branch.info().id, CurrentError());
    std::abort();
  }
  if (change.events.empty()) return;
  // Subscribers read the alerts at the change's time (see OnEvents).
  slot.alerts_seen = std::max(slot.alerts_seen, change.events.back().at);
  std::erase_if(slot.subscribers, [](const auto& sub) { return sub->Closed(); });
  std::erase_if(slot.subscribers, [&](const auto& sub) {
    try {
      sub->OnEvents(change.events, slot.branch);
      return false;
    } catch (...) {
      spdlog::error("branch '{}': dropping a watcher that failed: {}", slot.branch.info().id,
                    CurrentError());
      return true;
    }
  });
}

void Engine::ArmTimer(BranchSlot& slot, bool idle_retry) noexcept {
  try {
    ArmTimerOrThrow(slot, idle_retry);
  } catch (...) {
    // Without a timer, automatic no-shows wait for the next command on the
    // branch (every command re-arms it); nothing is lost.
    spdlog::error("branch '{}': could not arm its timer: {}", slot.branch.info().id,
                  CurrentError());
  }
}

void Engine::ArmTimerOrThrow(BranchSlot& slot, bool idle_retry) {
  if (stopped_) return;
  const absl::Time now = clock_->Now();
  std::optional<absl::Time> deadline = slot.branch.NextDeadline();
  // Alerts change by time alone only for watchers: GetLobbyStatus works them
  // out when asked. NextAlertChange is strictly after alerts_seen, which each
  // tick moves to its own time, so the timer cannot spin.
  std::erase_if(slot.subscribers, [](const auto& sub) { return sub->Closed(); });
  if (!slot.subscribers.empty()) {
    if (const std::optional<absl::Time> alert =
            domain::NextAlertChange(slot.branch, slot.alerts_seen)) {
      deadline = deadline ? std::min(*deadline, *alert) : *alert;
    }
  }
  if (!deadline) {
    slot.timer.cancel();
    return;
  }
  absl::Duration wait = std::max(absl::ZeroDuration(), *deadline - now);
  if (idle_retry) wait = std::max(wait, absl::Seconds(1));
  slot.timer.expires_after(absl::ToChronoNanoseconds(wait));
  slot.timer.async_wait([this, &slot](const boost::system::error_code& error) {
    if (error || stopped_) return;  // re-armed, cancelled or stopping
    OnTimer(slot);
  });
}

void Engine::OnTimer(BranchSlot& slot) {
  try {
    RunWhenFree(slot, [this, &slot] { RunTimeouts(slot); });
  } catch (...) {
    OutOfMemory(slot);
  }
}

void Engine::OutOfMemory(BranchSlot& slot) noexcept {
  // Only allocation can fail here. Going on would lose a command (its reply
  // never sent) or leave the branch waiting forever on a change whose answer
  // was lost; a restart rebuilds memory from the disk.
  spdlog::critical("branch '{}': could not queue work: {}; stopping", slot.branch.info().id,
                   CurrentError());
  std::abort();
}

void Engine::RunTimeouts(BranchSlot& slot) noexcept {
  try {
    RunOnStrand(
        slot, "timer",
        [](const domain::Branch& branch, const domain::CommandContext& ctx) {
          return branch.PlanTimeouts(ctx);
        },
        [this, &slot](const absl::Status& status, const domain::Branch*, const domain::Plan* plan) {
          if (!status.ok()) {
            spdlog::warn("branch '{}': timed work failed, will retry: {}", slot.branch.info().id,
                         status.ToString());
          }
          AfterTimeouts(slot, plan != nullptr && !plan->change.empty());
        });
  } catch (...) {
    spdlog::error("branch '{}': timed work failed: {}", slot.branch.info().id, CurrentError());
    AfterTimeouts(slot, false);
  }
}

void Engine::AfterTimeouts(BranchSlot& slot, bool changed) noexcept {
  const absl::Time now = ToStoredPrecision(clock_->Now());
  slot.alerts_seen = std::max(slot.alerts_seen, now);
  std::erase_if(slot.subscribers, [&](const auto& sub) {
    if (sub->Closed()) return true;
    try {
      sub->OnTick(slot.branch, now);
      return false;
    } catch (...) {
      spdlog::error("branch '{}': dropping a watcher that failed: {}", slot.branch.info().id,
                    CurrentError());
      return true;
    }
  });
  ArmTimer(slot, /*idle_retry=*/!changed);
}

absl::Status Engine::ExecuteSync(const std::string& branch_id, std::string actor, PlanFn plan,
                                 DoneFn done) {
  std::promise<absl::Status> result;
  Execute(branch_id, std::move(actor), std::move(plan),
          [&](const absl::Status& s, const domain::Branch* b, const domain::Plan* p) {
            if (done) done(s, b, p);
            result.set_value(s);
          });
  return result.get_future().get();
}

absl::Status Engine::Subscribe(const std::string& branch_id, std::shared_ptr<LobbySubscriber> sub) {
  BranchSlot* slot = FindSlot(branch_id);
  if (slot == nullptr) {
    return absl::NotFoundError(absl::StrCat("branch '", branch_id, "' does not exist"));
  }
  boost::asio::post(slot->strand, [this, slot, sub = std::move(sub)]() mutable {
    try {
      // A watcher arriving after CloseSubscribers ran would otherwise wait out
      // the whole shutdown deadline.
      if (closing_) {
        sub->OnClose();
        return;
      }
      const absl::Time now = ToStoredPrecision(clock_->Now());
      sub->OnSnapshot(slot->branch, now);
      // With others watching, alerts_seen stays theirs: a change they are
      // still owed must not be skipped.
      if (slot->subscribers.empty()) slot->alerts_seen = now;
      slot->subscribers.push_back(std::move(sub));
      ArmTimer(*slot);  // now someone watches the alerts
    } catch (...) {
      spdlog::error("branch '{}': subscribe failed: {}", slot->branch.info().id, CurrentError());
      try {
        sub->OnClose();
      } catch (...) {
      }
    }
  });
  return absl::OkStatus();
}

void Engine::CloseSubscribers() {
  closing_ = true;
  std::shared_lock lock(mu_);
  for (auto& [id, slot] : branches_) {
    boost::asio::post(slot->strand, [s = slot.get()] {
      for (const auto& sub : s->subscribers) sub->OnClose();
      s->subscribers.clear();
    });
  }
}

void Engine::Stop() {
  if (stopped_.exchange(true)) return;
  CloseSubscribers();
  {
    // A waiting timer is work the pool would wait for; stopped_ keeps it from
    // being re-armed after this.
    std::shared_lock lock(mu_);
    for (auto& [id, slot] : branches_) {
      boost::asio::post(slot->strand, [s = slot.get()] { s->timer.cancel(); });
    }
  }
  // Commands still with the committer hold the pool until their answer is
  // applied, so the writer stops only after the pool has drained.
  pool_.join();
  committer_.Stop();
  const Committer::Stats stats = committer_.stats();
  spdlog::info("group commit: {} changes in {} transactions (largest {})", stats.changes,
               stats.transactions, stats.largest_batch);
}

}  // namespace lobbyq::runtime
