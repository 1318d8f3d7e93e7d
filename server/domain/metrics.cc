#include "server/domain/metrics.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace lobbyq::domain {
namespace {

// The raw material of one slice; turned into SliceMetrics once at the end.
struct Accumulator {
  int64_t issued = 0;
  int64_t served = 0;
  int64_t no_show = 0;
  int64_t cancelled = 0;
  int64_t transferred = 0;
  std::vector<absl::Duration> waits;
  std::vector<absl::Duration> service_times;
  int64_t within_target = 0;
  int64_t with_target = 0;
  std::vector<int> ratings;
  bool active = false;  // anything was attributed here
};

SliceMetrics Finish(Accumulator acc) {
  SliceMetrics m;
  m.issued = acc.issued;
  m.served = acc.served;
  m.no_show = acc.no_show;
  m.cancelled = acc.cancelled;
  m.transferred = acc.transferred;
  m.wait = Summarize(std::move(acc.waits));
  m.service_time = Summarize(std::move(acc.service_times));
  m.within_target = acc.within_target;
  m.with_target = acc.with_target;
  if (acc.with_target > 0) {
    m.service_level = static_cast<double>(acc.within_target) / static_cast<double>(acc.with_target);
  }
  m.rated = static_cast<int64_t>(acc.ratings.size());
  if (m.rated > 0) {
    int64_t sum = 0;
    int64_t satisfied = 0;
    for (int r : acc.ratings) {
      sum += r;
      if (r >= 4) ++satisfied;
    }
    m.mean_rating = static_cast<double>(sum) / static_cast<double>(m.rated);
    m.satisfaction = static_cast<double>(satisfied) / static_cast<double>(m.rated);
  }
  if (m.served > 0) {
    m.rating_usage = std::min(1.0, static_cast<double>(m.rated) / static_cast<double>(m.served));
  }
  return m;
}

// What the log has told so far about one ticket.
struct TicketTrack {
  std::optional<absl::Time> issued_at;
  std::string origin_service;  // the service it was issued for
  std::string service;         // the queue it is in now
  bool called = false;         // a first call was seen (or must have happened)
  std::optional<absl::Time> last_call;
  // The no-show that counts unless a reinstatement follows it.
  struct NoShow {
    absl::Time at;
    std::string service;
    uint32_t counter = 0;
  };
  std::optional<NoShow> no_show;
  // Set when the ticket finished inside the window: its rating belongs there.
  struct Finished {
    absl::Time at;
    std::string service;
    uint32_t counter = 0;
  };
  std::optional<Finished> finished;
  std::optional<int> rating;
};

struct CounterTrack {
  CounterState state = CounterState::kClosed;
  uint64_t current_ticket = 0;
  absl::Time since = absl::InfinitePast();
};

std::optional<CounterInterval::Kind> KindOf(const CounterTrack& c) {
  switch (c.state) {
    case CounterState::kOpen:
      return c.current_ticket != 0 ? CounterInterval::Kind::kBusy : CounterInterval::Kind::kIdle;
    case CounterState::kPaused:
      return CounterInterval::Kind::kPaused;
    case CounterState::kClosed:
      return std::nullopt;
  }
  return std::nullopt;
}

// The start of the local civil hour after the one `t` is in; never <= t, even
// around a daylight-saving change.
absl::Time NextHour(absl::Time t, const absl::TimeZone& zone) {
  const absl::CivilHour hour(zone.At(t).cs);
  const absl::Time next = absl::FromCivil(hour + 1, zone);
  return next > t ? next : t + absl::Hours(1);
}

int HourOf(absl::Time t, const absl::TimeZone& zone) { return zone.At(t).cs.hour(); }

// "transfer A->B by_issue_time": A, for a ticket whose earlier events are not
// in the input.
std::string TransferSource(absl::string_view detail) {
  if (!absl::ConsumePrefix(&detail, "transfer ")) return "";
  const size_t arrow = detail.find("->");
  return arrow == absl::string_view::npos ? "" : std::string(detail.substr(0, arrow));
}

// "score 5": the rating, as PlanRating writes it.
std::optional<int> RatingScore(absl::string_view detail) {
  int score = 0;
  if (!absl::ConsumePrefix(&detail, "score ") || !absl::SimpleAtoi(detail, &score) || score < 1 ||
      score > 5) {
    return std::nullopt;
  }
  return score;
}

// Hands out the slices one event is attributed to.
class Slices {
 public:
  explicit Slices(const absl::TimeZone& zone) : zone_(zone) {}

  template <typename Fn>
  void Attribute(absl::Time at, const std::string& service, uint32_t counter, Fn fn) {
    const auto touch = [&](Accumulator& a) {
      fn(a);
      a.active = true;
    };
    touch(total_);
    if (!service.empty()) touch(services_[service]);
    if (counter != 0) touch(counters_[counter]);
    touch(hours_[HourOf(at, zone_)]);
  }

  Accumulator& total() { return total_; }
  std::map<std::string, Accumulator>& services() { return services_; }
  std::map<uint32_t, Accumulator>& counters() { return counters_; }
  std::array<Accumulator, 24>& hours() { return hours_; }
  std::array<std::map<std::string, int64_t>, 24>& issued_by_service() { return issued_by_service_; }

 private:
  const absl::TimeZone& zone_;
  Accumulator total_;
  std::map<std::string, Accumulator> services_;
  std::map<uint32_t, Accumulator> counters_;
  std::array<Accumulator, 24> hours_;
  std::array<std::map<std::string, int64_t>, 24> issued_by_service_;
};

}  // namespace

absl::Duration NearestRank(const std::vector<absl::Duration>& sorted, double p) {
  if (sorted.empty()) return absl::ZeroDuration();
  const double n = static_cast<double>(sorted.size());
  // The epsilon keeps 0.9 x 10 at rank 9, not 10 through rounding.
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * n - 1e-9));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

DurationSummary Summarize(std::vector<absl::Duration> values) {
  DurationSummary s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.count = static_cast<int64_t>(values.size());
  absl::Duration sum;
  for (absl::Duration d : values) sum += d;
  s.mean = sum / s.count;
  s.p50 = NearestRank(values, 50);
  s.p90 = NearestRank(values, 90);
  s.p95 = NearestRank(values, 95);
  s.max = values.back();
  return s;
}

BranchMetrics ComputeMetrics(const std::vector<Event>& events, const MetricsInput& input) {
  const absl::Time from = input.from;
  const absl::Time to = std::max(input.from, input.to);
  const auto in_window = [&](absl::Time t) { return t >= from && t < to; };

  std::map<std::string, absl::Duration> targets;
  for (const ServiceConfig& s : input.services) targets[s.code] = s.target_wait;

  BranchMetrics out;
  out.from = from;
  out.to = to;
  Slices slices(input.zone);
  std::map<uint64_t, TicketTrack> tickets;
  std::map<uint32_t, CounterTrack> counters;
  for (const auto& [number, config] : input.counters) counters[number];
  for (const auto& [number, state] : input.counter_states) counters[number].state = state;

  // Closes the counter's current stretch at `t` and keeps the part inside the window.
  const auto close_stretch = [&](uint32_t number, CounterTrack& c, absl::Time t) {
    const std::optional<CounterInterval::Kind> kind = KindOf(c);
    const absl::Time start = std::max(c.since, from);
    const absl::Time end = std::min(t, to);
    if (kind && start < end) {
      if (!out.intervals.empty()) {
        CounterInterval& last = out.intervals.back();
        if (last.counter == number && last.kind == *kind && last.end == start) {
          last.end = end;
          c.since = t;
          return;
        }
      }
      out.intervals.push_back({.counter = number, .kind = *kind, .start = start, .end = end});
    }
    c.since = std::max(c.since, t);
  };

  for (const Event& e : events) {
    if (e.at >= to) continue;
    const bool counts = in_window(e.at);

    if (e.counter_state && e.counter != 0) {
      CounterTrack& c = counters[e.counter];
      close_stretch(e.counter, c, e.at);
      c.state = *e.counter_state;
      // Pause and close need the counter to have no ticket; this only guards a
      // log that says otherwise.
      if (c.state != CounterState::kOpen) c.current_ticket = 0;
      continue;
    }
    if (e.ticket_id == 0) continue;
    TicketTrack& t = tickets[e.ticket_id];
    const std::string previous_service = t.service;
    if (!e.service_code.empty()) t.service = e.service_code;

    switch (e.type) {
      case EventType::kTicketIssued: {
        t.issued_at = e.at;
        t.origin_service = e.service_code;
        if (counts) {
          slices.Attribute(e.at, e.service_code, 0, [](Accumulator& a) { ++a.issued; });
          ++slices.issued_by_service()[HourOf(e.at, input.zone)][e.service_code];
        }
        break;
      }
      case EventType::kTicketCalled: {
        CounterTrack& c = counters[e.counter];
        close_stretch(e.counter, c, e.at);
        // Only an open counter can call: a call proves it open even when the
        // states given said otherwise.
        c.state = CounterState::kOpen;
        c.current_ticket = e.ticket_id;
        t.last_call = e.at;
        if (t.called) break;
        t.called = true;
        // A first call is always in the service the ticket was issued for: a
        // transfer needs a call first.
        const std::string& service = t.origin_service.empty() ? e.service_code : t.origin_service;
        if (!counts || !t.issued_at) break;
        const absl::Duration wait = std::max(absl::ZeroDuration(), e.at - *t.issued_at);
        const auto target = targets.find(service);
        slices.Attribute(e.at, service, e.counter, [&](Accumulator& a) {
          a.waits.push_back(wait);
          if (target != targets.end()) {
            ++a.with_target;
            if (wait <= target->second) ++a.within_target;
          }
        });
        break;
      }
      case EventType::kTicketTransferred: {
        CounterTrack& c = counters[e.counter];
        close_stretch(e.counter, c, e.at);
        if (c.current_ticket == e.ticket_id) c.current_ticket = 0;
        const std::string source =
            previous_service.empty() ? TransferSource(e.detail) : previous_service;
        if (counts) {
          slices.Attribute(e.at, source, e.counter, [](Accumulator& a) { ++a.transferred; });
        }
        break;
      }
      case EventType::kTicketNoShow: {
        CounterTrack& c = counters[e.counter];
        close_stretch(e.counter, c, e.at);
        if (c.current_ticket == e.ticket_id) c.current_ticket = 0;
        // Its first call happened, whether or not the log given shows it.
        t.called = true;
        t.no_show.reset();
        if (counts) t.no_show = TicketTrack::NoShow{e.at, e.service_code, e.counter};
        break;
      }
      case EventType::kTicketReinstated:
        t.no_show.reset();
        break;
      case EventType::kTicketFinished: {
        CounterTrack& c = counters[e.counter];
        close_stretch(e.counter, c, e.at);
        if (c.current_ticket == e.ticket_id) c.current_ticket = 0;
        t.called = true;
        if (!counts) break;
        std::optional<absl::Duration> service_time;
        if (t.last_call) service_time = std::max(absl::ZeroDuration(), e.at - *t.last_call);
        slices.Attribute(e.at, e.service_code, e.counter, [&](Accumulator& a) {
          ++a.served;
          if (service_time) a.service_times.push_back(*service_time);
        });
        t.finished = TicketTrack::Finished{e.at, e.service_code, e.counter};
        break;
      }
      case EventType::kTicketCancelled:
        if (counts) {
          slices.Attribute(e.at, e.service_code, 0, [](Accumulator& a) { ++a.cancelled; });
        }
        break;
      case EventType::kTicketRated:
        // The domain allows one rating per ticket; should a log hold two, the
        // last one stands, as it does on the ticket row.
        if (std::optional<int> score = RatingScore(e.detail)) t.rating = score;
        break;
      default:
        break;
    }
  }
  for (auto& [number, c] : counters) close_stretch(number, c, to);

  // Outcomes that later events could still change, now that the log is read.
  for (auto& [id, t] : tickets) {
    if (t.no_show) {
      slices.Attribute(t.no_show->at, t.no_show->service, t.no_show->counter,
                       [](Accumulator& a) { ++a.no_show; });
    }
    if (t.finished && t.rating) {
      const int score = *t.rating;
      slices.Attribute(t.finished->at, t.finished->service, t.finished->counter,
                       [&](Accumulator& a) { a.ratings.push_back(score); });
    }
  }

  out.total = Finish(slices.total());

  std::set<std::string> listed;
  for (const ServiceConfig& s : input.services) {
    listed.insert(s.code);
    ServiceSlice slice{.code = s.code, .name_en = s.name_en};
    if (auto it = slices.services().find(s.code); it != slices.services().end()) {
      slice.metrics = Finish(std::move(it->second));
    }
    out.services.push_back(std::move(slice));
  }
  for (auto& [code, acc] : slices.services()) {
    if (code.empty() || listed.contains(code) || !acc.active) continue;
    out.services.push_back({.code = code, .metrics = Finish(std::move(acc))});
  }

  std::map<uint32_t, absl::Duration> busy, idle, paused;
  for (const CounterInterval& i : out.intervals) {
    auto& sum = i.kind == CounterInterval::Kind::kBusy   ? busy
                : i.kind == CounterInterval::Kind::kIdle ? idle
                                                         : paused;
    sum[i.counter] += i.end - i.start;
  }
  std::set<uint32_t> numbers;
  for (const auto& [number, config] : input.counters) numbers.insert(number);
  for (const auto& [number, acc] : slices.counters()) numbers.insert(number);
  for (const CounterInterval& i : out.intervals) numbers.insert(i.counter);
  for (uint32_t number : numbers) {
    CounterSlice slice{.number = number};
    if (auto it = input.counters.find(number); it != input.counters.end()) {
      slice.name = it->second.name;
    }
    if (auto it = slices.counters().find(number); it != slices.counters().end()) {
      slice.metrics = Finish(std::move(it->second));
    }
    slice.busy = busy[number];
    slice.idle = idle[number];
    slice.paused = paused[number];
    const absl::Duration open = slice.busy + slice.idle;
    if (open > absl::ZeroDuration()) slice.utilization = absl::FDivDuration(slice.busy, open);
    out.counters.push_back(std::move(slice));
  }

  std::array<absl::Duration, 24> covered{};
  for (absl::Time x = from; x < to;) {
    const absl::Time next = std::min(NextHour(x, input.zone), to);
    covered[HourOf(x, input.zone)] += next - x;
    x = next;
  }
  const std::array<int, 24> open =
      MostOpenAtOnce(out, input.zone, std::vector<uint32_t>(numbers.begin(), numbers.end()));
  for (int h = 0; h < 24; ++h) {
    Accumulator& acc = slices.hours()[h];
    if (!acc.active && open[h] == 0) continue;
    out.by_hour.push_back({.hour = h,
                           .metrics = Finish(std::move(acc)),
                           .counters_open = open[h],
                           .covered = covered[h],
                           .issued_by_service = std::move(slices.issued_by_service()[h])});
  }
  return out;
}

std::array<int, 24> MostOpenAtOnce(const BranchMetrics& metrics, const absl::TimeZone& zone,
                                   const std::vector<uint32_t>& counters) {
  std::array<int, 24> most{};
  const std::set<uint32_t> wanted(counters.begin(), counters.end());
  std::map<absl::Time, int> deltas;
  for (const CounterInterval& i : metrics.intervals) {
    if (i.kind == CounterInterval::Kind::kPaused || !wanted.contains(i.counter)) continue;
    ++deltas[i.start];
    --deltas[i.end];
  }
  int open = 0;
  for (auto it = deltas.begin(); it != deltas.end(); ++it) {
    // Every change at one instant is applied before the count is read, so a
    // counter going from idle to busy is not counted twice, nor dropped.
    open += it->second;
    const auto next = std::next(it);
    if (open <= 0 || next == deltas.end()) continue;
    for (absl::Time x = it->first; x < next->first; x = NextHour(x, zone)) {
      int& h = most[HourOf(x, zone)];
      h = std::max(h, open);
    }
  }
  return most;
}

std::vector<HourStaffing> StaffingByHour(const BranchMetrics& metrics, const MetricsInput& input) {
  std::vector<HourStaffing> out;
  std::map<std::string, const ServiceConfig*> configs;
  for (const ServiceConfig& s : input.services) configs[s.code] = &s;
  std::map<std::string, const ServiceSlice*> observed;
  for (const ServiceSlice& s : metrics.services) observed[s.code] = &s;

  for (const std::vector<std::string>& group : ServiceGroups(input.services, input.counters)) {
    const std::set<std::string> codes(group.begin(), group.end());
    absl::Duration service_sum;
    int64_t served = 0;
    absl::Duration expected_sum;
    int configured = 0;
    absl::Duration target = absl::InfiniteDuration();
    for (const std::string& code : group) {
      if (auto it = observed.find(code); it != observed.end()) {
        const DurationSummary& st = it->second->metrics.service_time;
        service_sum += st.mean * st.count;
        served += st.count;
      }
      if (auto it = configs.find(code); it != configs.end()) {
        expected_sum += it->second->expected_service_time;
        ++configured;
        target = std::min(target, it->second->target_wait);
      }
    }
    if (configured == 0) continue;
    const absl::Duration mean_service =
        served > 0 ? service_sum / served : expected_sum / configured;

    std::vector<uint32_t> serving;
    for (const auto& [number, counter] : input.counters) {
      if (std::any_of(counter.service_codes.begin(), counter.service_codes.end(),
                      [&](const std::string& code) { return codes.contains(code); })) {
        serving.push_back(number);
      }
    }
    const std::array<int, 24> open = MostOpenAtOnce(metrics, input.zone, serving);

    for (const HourSlice& hour : metrics.by_hour) {
      int64_t arrivals = 0;
      for (const auto& [code, n] : hour.issued_by_service) {
        if (codes.contains(code)) arrivals += n;
      }
      if (arrivals == 0 && open[hour.hour] == 0) continue;
      HourStaffing advice{.service_codes = group, .hour = hour.hour};
      const double hours = absl::ToDoubleHours(hour.covered);
      advice.input =
          StaffingInput{.arrivals_per_hour = hours > 0 ? static_cast<double>(arrivals) / hours : 0,
                        .mean_service = mean_service,
                        .target_wait = target};
      advice.result = AdviseCounters(advice.input);
      advice.counters_open = open[hour.hour];
      advice.understaffed = advice.counters_open < advice.result.counters_needed;
      out.push_back(std::move(advice));
    }
  }
  return out;
}

std::vector<Ranked> RankBranches(std::vector<RankingInput> branches) {
  std::sort(branches.begin(), branches.end(), [](const RankingInput& a, const RankingInput& b) {
    // Known service levels first; then higher is better on both figures.
    const bool a_known = a.service_level.has_value();
    const bool b_known = b.service_level.has_value();
    const double a_level = a.service_level.value_or(0);
    const double b_level = b.service_level.value_or(0);
    return std::tie(b_known, b_level, b.satisfaction, a.branch_id) <
           std::tie(a_known, a_level, a.satisfaction, b.branch_id);
  });
  std::vector<Ranked> out;
  size_t known = 0;
  for (size_t i = 0; i < branches.size(); ++i) {
    if (branches[i].service_level) ++known;
    out.push_back({.rank = static_cast<int>(i + 1), .branch = std::move(branches[i])});
  }
  const size_t flagged = known > 3 ? 3 : known >= 2 ? 1 : 0;
  for (size_t i = known - flagged; i < known; ++i) out[i].bottom = true;
  return out;
}

}  // namespace lobbyq::domain
