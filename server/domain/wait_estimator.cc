#include "server/domain/wait_estimator.h"

#include <algorithm>
#include <cmath>

namespace lobbyq::domain {
namespace {

// Counter speed shrinks toward 1 (as fast as everyone) with this many
// pseudo-observations: one slow customer does not make a slow teller.
constexpr double kCounterShrink = 10;
constexpr size_t kCounterSamples = 50;
// Before this much of the day has gone, arrival rates are taken over at least
// this long, so the first customer does not look like a rush.
constexpr absl::Duration kMinArrivalWindow = absl::Minutes(10);
// A gap this long between two arrivals starts a new business day.
constexpr absl::Duration kDayGap = absl::Hours(4);
// An idle counter with tickets not callable yet (early appointments) looks
// again this often.
constexpr absl::Duration kIdleRetry = absl::Minutes(1);
constexpr int kMaxStepsPerRun = 5000;
// Simulated calls per estimate, spread over the runs, and the fewest runs.
constexpr int kStepBudget = 1500;
constexpr int kMinRuns = 6;
constexpr int kMaxSimulatedCalls = 100;
constexpr size_t kCopiedPerQueue = 4 * kMaxSimulatedCalls;

double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] * (1 - frac) + sorted[hi] * frac;
}

absl::Duration Seconds(double s) { return absl::Milliseconds(std::llround(s * 1000)); }

absl::Duration NonNegative(absl::Duration d) { return std::max(d, absl::ZeroDuration()); }

const ServiceConfig* FindConfig(const std::vector<ServiceConfig>& services,
                                const std::string& code) {
  for (const auto& s : services) {
    if (s.code == code) return &s;
  }
  return nullptr;
}

bool Serves(const Counter& counter, const std::string& code) {
  return std::find(counter.service_codes.begin(), counter.service_codes.end(), code) !=
         counter.service_codes.end();
}

}  // namespace

void WaitHistory::Observe(const Ticket* before, const Ticket& after) {
  const int rank = ClassRank(after.priority);
  if (before == nullptr) {
    auto& times = arrivals_[{after.origin_service_code, rank}];
    times.insert(std::upper_bound(times.begin(), times.end(), after.issued_at), after.issued_at);
    while (!times.empty() && times.front() < times.back() - settings_.arrival_window) {
      times.pop_front();
    }
    if (!latest_arrival_ || after.issued_at - *latest_arrival_ > kDayGap) {
      day_first_arrival_ = after.issued_at;
    }
    if (!latest_arrival_ || after.issued_at > *latest_arrival_) latest_arrival_ = after.issued_at;
  }
  // The latest first call, also among restored tickets, so LES reads the
  // same before and after a restart.
  if (after.first_called_at && (before == nullptr || !before->first_called_at)) {
    auto& last = last_wait_[{after.service_code, rank}];
    if (*after.first_called_at >= last.first) {
      last = {*after.first_called_at, *after.first_called_at - after.issued_at};
    }
  }
  const bool was_waiting = before != nullptr && before->state == TicketState::kWaiting;
  if (was_waiting && after.state != TicketState::kWaiting) {
    auto predicted = given_.find(after.id);
    if (after.first_called_at && !before->first_called_at) {
      const absl::Duration wait = *after.first_called_at - after.issued_at;
      if (predicted != given_.end() && !predicted->second.counter_free_now) {
        const double offset = absl::ToDoubleSeconds(settings_.calibration_offset);
        ratios_.push_back((absl::ToDoubleSeconds(wait) + offset) /
                          (absl::ToDoubleSeconds(predicted->second.raw_point) + offset));
        if (ratios_.size() > settings_.calibration_samples) ratios_.pop_front();
      }
    }
    if (predicted != given_.end()) given_.erase(predicted);
  }
  // A counter is occupied from the call until the ticket is finished or
  // given up as a no-show: both are what a later customer waits behind.
  const bool newly_closed =
      (after.state == TicketState::kDone || after.state == TicketState::kNoShow) &&
      (before == nullptr || before->state != after.state);
  if (newly_closed && after.called_at) {
    const std::optional<absl::Time> end =
        after.state == TicketState::kDone ? after.finished_at : after.no_show_at;
    if (end && *end > *after.called_at) AddOccupancy(after, *end - *after.called_at);
  }
}

void WaitHistory::AddOccupancy(const Ticket& ticket, absl::Duration occupancy) {
  auto& pool = service_times_[ticket.service_code].recent;
  if (!pool.empty() && ticket.counter != 0) {
    absl::Duration sum;
    for (absl::Duration d : pool) sum += d;
    const double mean = absl::ToDoubleSeconds(sum) / static_cast<double>(pool.size());
    if (mean > 0) {
      auto& speed = counter_speed_[ticket.counter];
      const double ratio = absl::ToDoubleSeconds(occupancy) / mean;
      speed.recent.push_back(ratio);
      speed.ratio_sum += ratio;
      if (speed.recent.size() > kCounterSamples) {
        speed.ratio_sum -= speed.recent.front();
        speed.recent.pop_front();
      }
    }
  }
  pool.push_back(occupancy);
  if (pool.size() > settings_.service_samples) pool.pop_front();
}

void WaitHistory::RecordPrediction(uint64_t ticket_id, const WaitEstimate& estimate) {
  given_[ticket_id] = estimate;
}

const WaitEstimate* WaitHistory::GivenAtIssue(uint64_t ticket_id) const {
  auto it = given_.find(ticket_id);
  return it == given_.end() ? nullptr : &it->second;
}

absl::Duration WaitHistory::SampleOccupancy(const ServiceConfig& service, uint32_t counter,
                                            std::mt19937_64& rng) const {
  const std::deque<absl::Duration>* pool = nullptr;
  if (auto it = service_times_.find(service.code); it != service_times_.end()) {
    pool = &it->second.recent;
  }
  const double n = pool == nullptr ? 0 : static_cast<double>(pool->size());
  std::uniform_real_distribution<double> unit(0, 1);
  absl::Duration drawn;
  if (pool == nullptr || pool->empty() ||
      unit(rng) * (settings_.prior_weight + n) < settings_.prior_weight) {
    const double mean = std::max(1.0, absl::ToDoubleSeconds(service.expected_service_time));
    const double sigma = settings_.prior_sigma;
    std::lognormal_distribution<double> prior(std::log(mean) - sigma * sigma / 2, sigma);
    drawn = Seconds(prior(rng));
  } else {
    std::uniform_int_distribution<size_t> pick(0, pool->size() - 1);
    drawn = (*pool)[pick(rng)];
  }
  if (auto it = counter_speed_.find(counter); it != counter_speed_.end()) {
    const auto& speed = it->second;
    const double factor = (speed.ratio_sum + kCounterShrink) /
                          (static_cast<double>(speed.recent.size()) + kCounterShrink);
    drawn = drawn * factor;
  }
  return std::max(drawn, absl::Seconds(1));
}

absl::Duration WaitHistory::MeanOccupancy(const ServiceConfig& service) const {
  absl::Duration sum = service.expected_service_time * settings_.prior_weight;
  double n = settings_.prior_weight;
  if (auto it = service_times_.find(service.code); it != service_times_.end()) {
    for (absl::Duration d : it->second.recent) sum += d;
    n += static_cast<double>(it->second.recent.size());
  }
  return n > 0 ? sum / n : service.expected_service_time;
}

double WaitHistory::ArrivalRate(const std::string& service_code, PriorityClass priority,
                                absl::Time now) const {
  auto it = arrivals_.find({service_code, ClassRank(priority)});
  if (it == arrivals_.end() || !day_first_arrival_) return 0;
  const absl::Time since = now - settings_.arrival_window;
  const auto first = std::lower_bound(it->second.begin(), it->second.end(), since);
  const auto last = std::upper_bound(it->second.begin(), it->second.end(), now);
  const double count = static_cast<double>(std::distance(first, last));
  const absl::Duration window =
      std::max(std::min(now - *day_first_arrival_, settings_.arrival_window), kMinArrivalWindow);
  return count / absl::ToDoubleSeconds(window);
}

std::optional<absl::Duration> WaitHistory::LastWait(const std::string& service_code,
                                                    PriorityClass priority) const {
  auto it = last_wait_.find({service_code, ClassRank(priority)});
  if (it == last_wait_.end()) return std::nullopt;
  return it->second.second;
}

void WaitHistory::Calibrate(std::vector<absl::Duration> simulated, WaitEstimate& out) const {
  std::vector<double> runs;
  runs.reserve(simulated.size());
  for (absl::Duration d : simulated) runs.push_back(absl::ToDoubleSeconds(d));
  std::sort(runs.begin(), runs.end());
  const double tail = (1 - settings_.coverage) / 2;
  const double raw = Quantile(runs, 0.5);
  out.raw_point = Seconds(raw);
  if (ratios_.size() < settings_.min_calibration) {
    out.point = out.raw_point;
    out.low = Seconds(Quantile(runs, tail));
    out.high = Seconds(Quantile(runs, 1 - tail));
    return;
  }
  std::vector<double> ratios(ratios_.begin(), ratios_.end());
  std::sort(ratios.begin(), ratios.end());
  const double offset = absl::ToDoubleSeconds(settings_.calibration_offset);
  const auto scaled = [&](double q) {
    return NonNegative(Seconds((raw + offset) * Quantile(ratios, q) - offset));
  };
  out.point = settings_.calibrate_point ? scaled(0.5) : out.raw_point;
  out.low = std::min(scaled(tail), out.point);
  out.high = std::max(scaled(1 - tail), out.point);
}

namespace {

// One simulated future of the branch, run until the ticket is called.
class ForwardRun {
 public:
  struct OpenCounter {
    Counter counter;
    // The ticket at the counter now, and for how long it has been there.
    const ServiceConfig* current_service = nullptr;
    absl::Duration elapsed;
  };
  struct Stream {
    std::string service_code;
    int rank = 0;
    double rate = 0;  // per second
  };

  ForwardRun(const EstimatorInput& input, const QueueIndex& start,
             const std::vector<OpenCounter>& counters, const std::vector<Stream>& streams,
             const std::string& target_service, const QueueIndex::Key& target, int ahead)
      : input_(input),
        start_(start),
        counters_(counters),
        streams_(streams),
        target_service_(target_service),
        target_(target),
        ahead_(ahead) {}

  absl::Duration Run(std::mt19937_64& rng) const {
    const absl::Time now = input_.now;
    const absl::Time horizon = now + input_.history->settings().horizon;
    QueueIndex queue = start_;
    struct State {
      Counter counter;
      absl::Time free_at;
    };
    std::vector<State> states;
    states.reserve(counters_.size());
    for (const auto& c : counters_) states.push_back({c.counter, now + Remaining(c, rng)});
    std::vector<absl::Time> next_arrival;
    next_arrival.reserve(streams_.size());
    for (const auto& s : streams_) next_arrival.push_back(now + Gap(s.rate, rng));
    uint64_t next_id = uint64_t{1} << 62;
    int calls = 0;
    int ahead_called = 0;  // of the tickets ahead of the target at the start

    for (int step = 0; step < kMaxStepsPerRun; ++step) {
      size_t counter = 0;
      for (size_t i = 1; i < states.size(); ++i) {
        if (states[i].free_at < states[counter].free_at) counter = i;
      }
      size_t stream = 0;
      for (size_t i = 1; i < next_arrival.size(); ++i) {
        if (next_arrival[i] < next_arrival[stream]) stream = i;
      }
      const absl::Time counter_at = states[counter].free_at;
      const absl::Time arrival_at =
          next_arrival.empty() ? absl::InfiniteFuture() : next_arrival[stream];
      const absl::Time t = std::min(counter_at, arrival_at);
      if (t > horizon) break;
      if (arrival_at <= counter_at) {
        const Stream& s = streams_[stream];
        queue.Insert(
            s.service_code,
            QueueIndex::Key{
                .rank = s.rank, .lane = QueueIndex::kNormalLane, .queued_at = t, .id = next_id++});
        next_arrival[stream] = t + Gap(s.rate, rng);
        for (auto& st : states) {
          if (st.free_at == absl::InfiniteFuture()) st.free_at = t;
        }
        continue;
      }
      State& st = states[counter];
      const auto decision = ChooseNext(queue, st.counter, *input_.max_waits, t);
      if (!decision) {
        st.free_at = HasPending(queue, st.counter) ? t + kIdleRetry : absl::InfiniteFuture();
        continue;
      }
      if (decision->ticket_id == target_.id) return t - now;
      if (decision->service_code == target_service_ && decision->key < target_ &&
          decision->key.id < (uint64_t{1} << 62)) {
        ++ahead_called;
      }
      // Deep in a long queue the pace is known well enough: extrapolate it
      // rather than simulate every call, so the cost stays bounded.
      if ((++calls >= kMaxSimulatedCalls || step >= kMaxStepsPerRun / 5) && ahead_called > 0) {
        return std::min((t - now) * (static_cast<double>(ahead_ + 1) / ahead_called),
                        horizon - now);
      }
      queue.Erase(decision->service_code, decision->key);
      RecordCall(st.counter, *decision);
      const ServiceConfig* config = FindConfig(*input_.services, decision->service_code);
      st.free_at = t + (config == nullptr
                            ? absl::Minutes(5)
                            : input_.history->SampleOccupancy(*config, st.counter.number, rng));
    }
    return horizon - now;
  }

 private:
  static absl::Duration Gap(double rate, std::mt19937_64& rng) {
    if (rate <= 0) return absl::InfiniteDuration();
    std::exponential_distribution<double> gap(rate);
    return Seconds(gap(rng));
  }
  // The rest of the current ticket's occupancy: a draw longer than what has
  // already passed, so a long service in progress is expected to go on.
  absl::Duration Remaining(const OpenCounter& c, std::mt19937_64& rng) const {
    if (c.current_service == nullptr) return absl::ZeroDuration();
    const WaitHistory& history = *input_.history;
    for (int attempt = 0; attempt < 16; ++attempt) {
      const absl::Duration d = history.SampleOccupancy(*c.current_service, c.counter.number, rng);
      if (d > c.elapsed) return d - c.elapsed;
    }
    return history.MeanOccupancy(*c.current_service) / 2;
  }
  // Tickets in the counter's services that are not callable yet.
  static bool HasPending(const QueueIndex& queue, const Counter& counter) {
    for (const auto& code : counter.service_codes) {
      if (!queue.QueueOf(code).empty()) return true;
    }
    return false;
  }

  const EstimatorInput& input_;
  const QueueIndex& start_;
  const std::vector<OpenCounter>& counters_;
  const std::vector<Stream>& streams_;
  const std::string& target_service_;
  const QueueIndex::Key target_;
  const int ahead_;
};

}  // namespace

std::optional<WaitEstimate> EstimateWait(const EstimatorInput& input,
                                         const std::string& service_code, PriorityClass priority,
                                         const QueueIndex::Key& key, bool /*in_queue*/,
                                         uint64_t seed) {
  const ServiceConfig* service = FindConfig(*input.services, service_code);
  if (service == nullptr) return std::nullopt;
  const WaitHistory& history = *input.history;
  const absl::Time now = input.now;

  std::mt19937_64 rng(seed);
  std::vector<ForwardRun::OpenCounter> open;
  int servers = 0;
  int idle_servers = 0;
  for (const auto& entry : *input.counters) {
    const Counter& counter = entry.second;
    if (counter.state != CounterState::kOpen || counter.service_codes.empty()) continue;
    ForwardRun::OpenCounter c{.counter = counter};
    const auto current = input.tickets->find(counter.current_ticket_id);
    if (counter.current_ticket_id != 0 && current != input.tickets->end()) {
      const Ticket& t = current->second;
      c.current_service = FindConfig(*input.services, t.service_code);
      c.elapsed = NonNegative(now - t.called_at.value_or(now));
    }
    if (Serves(counter, service_code)) {
      ++servers;
      if (counter.current_ticket_id == 0) ++idle_servers;
    }
    open.push_back(std::move(c));
  }
  if (servers == 0) return std::nullopt;

  const auto& full_queue = input.waiting->QueueOf(service_code);
  const int ahead =
      static_cast<int>(std::distance(full_queue.begin(), full_queue.lower_bound(key)));
  // A run extrapolates after kMaxSimulatedCalls calls, so only the head of
  // each queue can be reached: copying just that keeps a long queue cheap.
  QueueIndex start;
  for (const auto& s : *input.services) {
    size_t copied = 0;
    for (const QueueIndex::Key& k : input.waiting->QueueOf(s.code)) {
      if (copied++ >= kCopiedPerQueue) break;
      start.Insert(s.code, k);
    }
  }
  start.Insert(service_code, key);  // already there unless new or far back

  WaitEstimate out;
  const int rank = ClassRank(priority);
  // The baselines as the literature has them, each from its own information:
  // QL knows the queue (a free counter for everyone ahead and this ticket
  // means no wait); LES and HOL know only the waits they are named after.
  out.ql = idle_servers > ahead ? absl::ZeroDuration()
                                : history.MeanOccupancy(*service) * (ahead + 1) / servers;
  out.les = history.LastWait(service_code, priority).value_or(absl::ZeroDuration());
  if (const QueueIndex::Key* head = input.waiting->Head(service_code, rank, now)) {
    out.hol = NonNegative(now - head->queued_at);
  }

  std::vector<ForwardRun::Stream> streams;
  for (const auto& s : *input.services) {
    for (PriorityClass p : {PriorityClass::kNormal, PriorityClass::kVip,
                            PriorityClass::kGreenChannel, PriorityClass::kAppointment}) {
      // Only higher classes: they overtake at every counter. Later arrivals of
      // the ticket's class or lower never pass it in its own queue; those of
      // other services compete at shared counters, but simulating them made
      // the estimates worse on both shipped days (docs/estimation.md).
      if (ClassRank(p) >= rank) continue;
      const double rate = history.ArrivalRate(s.code, p, now);
      if (rate > 0) streams.push_back({.service_code = s.code, .rank = ClassRank(p), .rate = rate});
    }
  }
  const ForwardRun run(input, start, open, streams, service_code, key, ahead);
  std::vector<absl::Duration> waits;
  // A long queue averages out by itself: fewer runs keep the cost per
  // estimate roughly flat in the queue length.
  const int runs =
      std::clamp(kStepBudget / (std::min(ahead, kMaxSimulatedCalls) + 1),
                 std::min(kMinRuns, history.settings().runs), std::max(1, history.settings().runs));
  waits.reserve(static_cast<size_t>(runs));
  for (int i = 0; i < runs; ++i) waits.push_back(run.Run(rng));
  // Called at once in every future: a counter is free for it now.
  if (std::all_of(waits.begin(), waits.end(),
                  [](absl::Duration w) { return w == absl::ZeroDuration(); })) {
    return WaitEstimate{.ql = out.ql, .les = out.les, .hol = out.hol, .counter_free_now = true};
  }
  history.Calibrate(std::move(waits), out);
  return out;
}

}  // namespace lobbyq::domain
