#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "server/domain/types.h"

namespace lobbyq::runtime {

// Group commit. With durability=full every transaction waits for the disk
// (fsync), and that wait, not the CPU, bounds how many changes a second one
// writer can make durable. One writer thread therefore takes every change that
// arrived while it was busy and writes them in one transaction: under load, many
// branches' changes share one flush, and the branch strands never block on the
// disk. Alone, a change is written at once: nothing waits to fill a batch.
class Committer {
 public:
  // Writes a batch in one transaction: one status per change (Store::CommitAll).
  using CommitFn =
      std::function<std::vector<absl::Status>(std::span<domain::Change* const> changes)>;
  // Told whether its change is durable. Runs on the writer thread: it must
  // only hand the result on (post to a strand), never block.
  using DoneFn = std::function<void(const absl::Status&)>;

  struct Stats {
    uint64_t transactions = 0;
    uint64_t changes = 0;
    size_t largest_batch = 0;
  };

  // `max_batch` bounds one transaction; 1 turns grouping off (one transaction,
  // and one fsync, per change), for comparison.
  Committer(CommitFn commit, size_t max_batch);
  ~Committer();  // Stop()s.
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // Queues `change`, which must stay alive and unchanged until `done` has run.
  // After Stop, `done` gets UNAVAILABLE at once, on the calling thread.
  void Submit(domain::Change* change, DoneFn done);

  // Writes what was submitted, then joins the writer. Idempotent.
  void Stop();

  Stats stats() const;

 private:
  struct Item {
    domain::Change* change;
    DoneFn done;
  };
  void Run();
  void WriteBatch(std::vector<Item>& batch);

  const CommitFn commit_;
  const size_t max_batch_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Item> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::thread writer_;  // last: starts once everything above exists
};

}  // namespace lobbyq::runtime
