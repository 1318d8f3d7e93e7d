#include "server/runtime/committer.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace lobbyq::runtime {

Committer::Committer(CommitFn commit, size_t max_batch)
    : commit_(std::move(commit)),
      max_batch_(std::max<size_t>(1, max_batch)),
      writer_([this] { Run(); }) {}

Committer::~Committer() { Stop(); }

void Committer::Submit(domain::Change* change, DoneFn done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(Item{change, std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(absl::UnavailableError("the server is shutting down; nothing was changed, try again"));
}

void Committer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
}

Committer::Stats Committer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Committer::Run() {
  std::vector<Item> batch;
  while (true) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything submitted is written
      const size_t take = std::min(queue_.size(), max_batch_);
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(take)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(take));
      ++stats_.transactions;
      stats_.changes += take;
      stats_.largest_batch = std::max(stats_.largest_batch, take);
    }
    WriteBatch(batch);
    batch.clear();
  }
}

void Committer::WriteBatch(std::vector<Item>& batch) {
  std::vector<absl::Status> statuses;
  try {
    std::vector<domain::Change*> changes;
    changes.reserve(batch.size());
    for (const Item& item : batch) changes.push_back(item.change);
    statuses = commit_(changes);
    if (statuses.size() != batch.size()) {
      throw std::logic_error("the store answered for a different number of changes");
    }
  } catch (...) {
    // Whether the batch reached the disk is unknown. Telling its commands
    // either way could leave memory behind the database (and a ticket id handed
    // out twice); a restart rebuilds memory from what the disk holds.
    spdlog::critical("group commit failed with an exception; stopping");
    std::abort();
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    try {
      batch[i].done(statuses[i]);
    } catch (const std::exception& e) {
      spdlog::error("group commit: handing on a result failed: {}", e.what());
    } catch (...) {
      spdlog::error("group commit: handing on a result failed");
    }
  }
}

}  // namespace lobbyq::runtime
