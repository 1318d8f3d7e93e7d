#include "server/runtime/committer.h"

#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lobbyq::runtime {
namespace {

using ::testing::ElementsAre;

domain::Change ChangeOf(const std::string& branch_id) {
  domain::Change change;
  change.branch_id = branch_id;
  return change;
}

// A store stand-in that records which changes went into each transaction and
// can hold the writer inside its first transaction, as a slow fsync would.
class RecordingStore {
 public:
  explicit RecordingStore(bool hold_first) : hold_first_(hold_first) {}

  std::vector<absl::Status> CommitAll(std::span<domain::Change* const> changes) {
    bool hold = false;
    std::vector<absl::Status> statuses;
    {
      std::lock_guard lock(mu_);
      std::vector<std::string> ids;
      for (const domain::Change* c : changes) {
        ids.push_back(c->branch_id);
        statuses.push_back(c->branch_id == "refused" ? absl::InvalidArgumentError("refused")
                                                     : absl::OkStatus());
      }
      transactions_.push_back(ids);
      hold = hold_first_ && transactions_.size() == 1;
    }
    if (hold) {
      entered_.set_value();
      release_.get_future().wait();
    }
    return statuses;
  }

  void WaitUntilHeld() { entered_.get_future().wait(); }
  void Release() { release_.set_value(); }
  std::vector<std::vector<std::string>> transactions() {
    std::lock_guard lock(mu_);
    return transactions_;
  }

 private:
  const bool hold_first_;
  std::promise<void> entered_;
  std::promise<void> release_;
  std::mutex mu_;
  std::vector<std::vector<std::string>> transactions_;
};

// Collects the answers and lets the test wait for a number of them.
class Answers {
 public:
  Committer::DoneFn For(const std::string& id) {
    return [this, id](const absl::Status& status) {
      std::lock_guard lock(mu_);
      order_.push_back(id);
      statuses_[id] = status;
      if (order_.size() == expected_) all_.set_value();
    };
  }
  void Expect(size_t n) { expected_ = n; }
  void Wait() { all_.get_future().wait(); }
  std::vector<std::string> order() {
    std::lock_guard lock(mu_);
    return order_;
  }
  absl::Status status(const std::string& id) {
    std::lock_guard lock(mu_);
    return statuses_[id];
  }

 private:
  std::mutex mu_;
  size_t expected_ = 0;
  std::promise<void> all_;
  std::vector<std::string> order_;
  std::map<std::string, absl::Status> statuses_;
};

Committer::CommitFn CommitTo(RecordingStore& store) {
  return [&store](std::span<domain::Change* const> changes) { return store.CommitAll(changes); };
}

TEST(CommitterTest, ChangesThatArriveDuringAWriteShareTheNextTransaction) {
  RecordingStore store(/*hold_first=*/true);
  Answers answers;
  answers.Expect(4);
  std::vector<domain::Change> changes = {ChangeOf("a"), ChangeOf("b"), ChangeOf("c"),
                                         ChangeOf("d")};
  Committer committer(CommitTo(store), 16);
  committer.Submit(&changes[0], answers.For("a"));
  store.WaitUntilHeld();  // "a" is being written, alone: nothing waited to fill a batch
  for (size_t i = 1; i < changes.size(); ++i) {
    committer.Submit(&changes[i], answers.For(changes[i].branch_id));
  }
  store.Release();
  answers.Wait();
  EXPECT_THAT(store.transactions(), ElementsAre(ElementsAre("a"), ElementsAre("b", "c", "d")));
  EXPECT_THAT(answers.order(), ElementsAre("a", "b", "c", "d"));
  const Committer::Stats stats = committer.stats();
  EXPECT_EQ(stats.transactions, 2u);
  EXPECT_EQ(stats.changes, 4u);
  EXPECT_EQ(stats.largest_batch, 3u);
}

TEST(CommitterTest, MaxBatchBoundsOneTransaction) {
  RecordingStore store(/*hold_first=*/true);
  Answers answers;
  answers.Expect(5);
  std::vector<domain::Change> changes = {ChangeOf("a"), ChangeOf("b"), ChangeOf("c"), ChangeOf("d"),
                                         ChangeOf("e")};
  Committer committer(CommitTo(store), 2);
  committer.Submit(&changes[0], answers.For("a"));
  store.WaitUntilHeld();
  for (size_t i = 1; i < changes.size(); ++i) {
    committer.Submit(&changes[i], answers.For(changes[i].branch_id));
  }
  store.Release();
  answers.Wait();
  EXPECT_THAT(store.transactions(),
              ElementsAre(ElementsAre("a"), ElementsAre("b", "c"), ElementsAre("d", "e")));
}

TEST(CommitterTest, EachChangeIsToldItsOwnOutcome) {
  RecordingStore store(/*hold_first=*/true);
  Answers answers;
  answers.Expect(4);
  std::vector<domain::Change> changes = {ChangeOf("first"), ChangeOf("ok"), ChangeOf("refused"),
                                         ChangeOf("also-ok")};
  Committer committer(CommitTo(store), 16);
  committer.Submit(&changes[0], answers.For("first"));
  store.WaitUntilHeld();
  for (size_t i = 1; i < changes.size(); ++i) {
    committer.Submit(&changes[i], answers.For(changes[i].branch_id));
  }
  store.Release();
  answers.Wait();
  EXPECT_TRUE(answers.status("ok").ok());
  EXPECT_EQ(answers.status("refused").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(answers.status("also-ok").ok());
}

TEST(CommitterTest, StopWritesWhatWasSubmittedThenRefuses) {
  RecordingStore store(/*hold_first=*/true);
  Answers answers;
  answers.Expect(3);
  std::vector<domain::Change> changes = {ChangeOf("a"), ChangeOf("b"), ChangeOf("c")};
  Committer committer(CommitTo(store), 16);
  committer.Submit(&changes[0], answers.For("a"));
  store.WaitUntilHeld();
  committer.Submit(&changes[1], answers.For("b"));
  committer.Submit(&changes[2], answers.For("c"));
  std::thread stopper([&] { committer.Stop(); });
  store.Release();
  stopper.join();
  // Stop returned only once every submitted change had its answer.
  EXPECT_THAT(answers.order(), ElementsAre("a", "b", "c"));
  for (const char* id : {"a", "b", "c"}) EXPECT_TRUE(answers.status(id).ok()) << id;

  domain::Change late = ChangeOf("late");
  absl::Status told;
  committer.Submit(&late, [&](const absl::Status& s) { told = s; });
  EXPECT_EQ(told.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store.transactions().size(), 2u);
}

}  // namespace
}  // namespace lobbyq::runtime
