// The cost of the domain's per-request work as the queue grows: planning one
// CallNext, one wait estimate (what IssueTicket, GetTicket, ListServices and
// GetLobbyStatus run), the people-ahead count and a whole IssueTicket in the
// domain. Each branch is built once per size, outside the timed loop; the
// timed calls are const, except IssueApplyCancel which leaves the queue as
// it found it.

#include <map>
#include <memory>
#include <utility>

#include <benchmark/benchmark.h>

#include "absl/strings/str_cat.h"
#include "bench/micro/bench_support.h"

namespace lobbyq::bench {
namespace {

using domain::Branch;
using domain::CommandContext;
using domain::PriorityClass;

// Monday 2024-03-11 15:00 in Shanghai: well into a business day.
const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2024, 3, 11, 15, 0, 0), Shanghai());

Branch& BranchFor(int64_t waiting, QueueMix mix) {
  // Kept for the whole run: rebuilding 100,000 tickets per benchmark would
  // dominate the run time, and every benchmark but one leaves them untouched.
  static std::map<std::pair<int64_t, QueueMix>, std::unique_ptr<Branch>> branches;
  auto& slot = branches[{waiting, mix}];
  if (!slot) slot = BranchWithQueue(static_cast<size_t>(waiting), mix, kNow);
  return *slot;
}

void Sizes(benchmark::internal::Benchmark* b) {
  b->RangeMultiplier(10)->Range(10, 100'000)->Complexity();
}

// Planning only: applying would remove the called ticket, and putting it
// back (no-show, reinstate) would time three more commands than asked for.
void PlanCallNext(benchmark::State& state, QueueMix mix, uint32_t counter) {
  const Branch& branch = BranchFor(state.range(0), mix);
  const CommandContext ctx{.now = kNow, .actor = "bench"};
  for (auto _ : state) {
    auto plan = branch.PlanCallNext(counter, ctx);
    if (!plan.ok() || plan->ticket_id == 0) {
      state.SkipWithError("CallNext called nobody");
      break;
    }
    benchmark::DoNotOptimize(plan);
  }
  state.SetComplexityN(state.range(0));
}

// What IssueTicket records and ListServices shows per service: the estimate
// for a ticket taken now, at the back of the queue.
void EstimateNewTicket(benchmark::State& state, QueueMix mix) {
  const Branch& branch = BranchFor(state.range(0), mix);
  for (auto _ : state) {
    auto estimate = branch.EstimateNewTicket("A", PriorityClass::kNormal, kNow);
    if (!estimate) {
      state.SkipWithError("no estimate");
      break;
    }
    benchmark::DoNotOptimize(estimate);
  }
  state.SetComplexityN(state.range(0));
}

// GetTicket: the estimate for a ticket halfway down service A's queue.
void EstimateWaitingTicket(benchmark::State& state, QueueMix mix) {
  const Branch& branch = BranchFor(state.range(0), mix);
  const auto waiting = branch.Waiting("A");
  const domain::Ticket* ticket = waiting[waiting.size() / 2];
  for (auto _ : state) {
    auto estimate = branch.EstimateWait(*ticket, kNow);
    if (!estimate) {
      state.SkipWithError("no estimate");
      break;
    }
    benchmark::DoNotOptimize(estimate);
  }
  state.SetComplexityN(state.range(0));
}

// GetLobbyStatus and ListServices: one view per service, each with an estimate.
void ServiceViews(benchmark::State& state, QueueMix mix) {
  const Branch& branch = BranchFor(state.range(0), mix);
  for (auto _ : state) benchmark::DoNotOptimize(branch.ServiceViews(kNow));
  state.SetComplexityN(state.range(0));
}

// The people_ahead of every ticket reply (IssueTicket, GetTicket), for the
// last ticket of service A.
void PeopleAhead(benchmark::State& state, QueueMix mix) {
  const Branch& branch = BranchFor(state.range(0), mix);
  const domain::Ticket* last = branch.Waiting("A").back();
  for (auto _ : state) benchmark::DoNotOptimize(branch.PeopleAhead(*last));
  state.SetComplexityN(state.range(0));
}

// IssueTicket as the runtime runs it in the domain: plan, then apply (which
// records the estimate given at issue), then cancel the ticket again so the
// queue keeps its length. The cancel is timed too; it is cheap next to the
// issue, and untimed it would need PauseTiming, which costs more than it saves.
void IssueApplyCancel(benchmark::State& state, QueueMix mix) {
  Branch& branch = BranchFor(state.range(0), mix);
  const CommandContext ctx{.now = kNow, .actor = "bench"};
  // Static: the function runs several times per size, and a request id seen
  // before would replay the earlier (now cancelled) ticket.
  static int64_t request = 0;
  for (auto _ : state) {
    auto issued =
        branch.PlanIssue("A", PriorityClass::kNormal, absl::StrCat("bench-", ++request), {}, ctx);
    if (!issued.ok()) {
      state.SkipWithError(std::string(issued.status().message()).c_str());
      break;
    }
    branch.Apply(issued->change);
    auto cancelled = branch.PlanCancel(issued->ticket_id, ctx);
    if (!cancelled.ok()) {
      state.SkipWithError(std::string(cancelled.status().message()).c_str());
      break;
    }
    branch.Apply(cancelled->change);
  }
  state.SetComplexityN(state.range(0));
}

void RegisterAll() {
  for (QueueMix mix : {QueueMix::kNormal, QueueMix::kMixed}) {
    const std::string m = mix == QueueMix::kNormal ? "Normal" : "Mixed";
    // One per strategy of the demo branch: the green-channel in_order counter,
    // longest_wait, and counted over all four services.
    for (uint32_t counter : {1u, 3u, 6u}) {
      benchmark::RegisterBenchmark(absl::StrCat("PlanCallNext/", m, "/counter", counter).c_str(),
                                   PlanCallNext, mix, counter)
          ->Apply(Sizes);
    }
    benchmark::RegisterBenchmark(absl::StrCat("EstimateNewTicket/", m).c_str(), EstimateNewTicket,
                                 mix)
        ->Apply(Sizes);
    benchmark::RegisterBenchmark(absl::StrCat("EstimateWaitingTicket/", m).c_str(),
                                 EstimateWaitingTicket, mix)
        ->Apply(Sizes);
    benchmark::RegisterBenchmark(absl::StrCat("ServiceViews/", m).c_str(), ServiceViews, mix)
        ->Apply(Sizes);
    benchmark::RegisterBenchmark(absl::StrCat("PeopleAhead/", m).c_str(), PeopleAhead, mix)
        ->Apply(Sizes);
    benchmark::RegisterBenchmark(absl::StrCat("IssueApplyCancel/", m).c_str(), IssueApplyCancel,
                                 mix)
        ->Apply(Sizes);
  }
}

}  // namespace
}  // namespace lobbyq::bench

int main(int argc, char** argv) {
  lobbyq::bench::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
