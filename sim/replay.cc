#include "sim/replay.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/domain/branch.h"
#include "server/domain/validation.h"

namespace lobbyq::sim {
namespace {

using domain::Branch;
using domain::CommandContext;
using domain::Plan;
using domain::PriorityClass;

// Rows of a CSV with the expected header; cells split on commas (no quoting:
// none of our fields holds a comma).
absl::StatusOr<std::vector<std::vector<std::string>>> ReadCsv(const std::string& csv,
                                                              const std::string& header,
                                                              const std::string& what) {
  std::vector<std::vector<std::string>> rows;
  bool first = true;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(csv, '\n')) {
    ++line_number;
    line = absl::StripTrailingAsciiWhitespace(line);
    if (line.empty()) continue;
    if (first) {
      if (line != header) {
        return absl::InvalidArgumentError(absl::StrCat(
            what, ": the first line must be the header '", header, "', not '", line, "'"));
      }
      first = false;
      continue;
    }
    std::vector<std::string> cells = absl::StrSplit(line, ',');
    const size_t expected = std::count(header.begin(), header.end(), ',') + 1;
    if (cells.size() != expected) {
      return absl::InvalidArgumentError(absl::StrCat(what, " line ", line_number, ": expected ",
                                                     expected, " fields, found ", cells.size()));
    }
    rows.push_back(std::move(cells));
  }
  if (first) return absl::InvalidArgumentError(absl::StrCat(what, " is empty"));
  return rows;
}

absl::StatusOr<double> Number(const std::string& cell, absl::string_view field, int row,
                              absl::string_view what) {
  double value = 0;
  if (!absl::SimpleAtod(cell, &value) || !std::isfinite(value) || value < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " row ", row, ": ", field, " must be a number of seconds >= 0, not '", cell, "'"));
  }
  return value;
}

absl::Duration Secs(double s) { return absl::Milliseconds(std::llround(s * 1000)); }

// A valid appointment code per booking, in the codes' own alphabet.
std::string SimCode(int n) {
  std::string code(8, domain::kAppointmentCodeAlphabet[0]);
  for (int i = 7; i >= 0 && n > 0; --i, n /= 32) {
    code[static_cast<size_t>(i)] = domain::kAppointmentCodeAlphabet[static_cast<size_t>(n % 32)];
  }
  return code;
}

}  // namespace

absl::StatusOr<std::vector<TraceRow>> ParseTrace(const std::string& csv) {
  auto rows = ReadCsv(csv, "arrival_s,service,priority,service_s,patience_s", "trace");
  if (!rows.ok()) return rows.status();
  std::vector<TraceRow> trace;
  int i = 0;
  for (const auto& cells : *rows) {
    ++i;
    TraceRow row;
    auto arrival = Number(cells[0], "arrival_s", i, "trace");
    if (!arrival.ok()) return arrival.status();
    row.arrival_s = *arrival;
    row.service = cells[1];
    if (auto s = domain::ValidateServiceCode(row.service); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("trace row ", i, ": ", s.message()));
    }
    auto priority = domain::ParsePriorityClass(absl::AsciiStrToLower(cells[2]));
    if (!priority) {
      return absl::InvalidArgumentError(
          absl::StrCat("trace row ", i,
                       ": priority must be NORMAL, VIP, GREEN_CHANNEL or "
                       "APPOINTMENT, not '",
                       cells[2], "'"));
    }
    row.priority = *priority;
    auto service = Number(cells[3], "service_s", i, "trace");
    if (!service.ok()) return service.status();
    row.service_s = *service;
    if (!cells[4].empty()) {
      auto patience = Number(cells[4], "patience_s", i, "trace");
      if (!patience.ok()) return patience.status();
      row.patience_s = *patience;
    }
    if (!trace.empty() && row.arrival_s < trace.back().arrival_s) {
      return absl::InvalidArgumentError(
          absl::StrCat("trace row ", i, ": arrivals must be in time order"));
    }
    trace.push_back(std::move(row));
  }
  return trace;
}

absl::StatusOr<std::vector<StaffingRow>> ParseStaffing(const std::string& csv) {
  auto rows = ReadCsv(csv, "counter,services,from_s,to_s,strategy", "staffing");
  if (!rows.ok()) return rows.status();
  std::vector<StaffingRow> staffing;
  int i = 0;
  for (const auto& cells : *rows) {
    ++i;
    StaffingRow row;
    if (!absl::SimpleAtoi(cells[0], &row.counter) || row.counter == 0 || row.counter > 999) {
      return absl::InvalidArgumentError(
          absl::StrCat("staffing row ", i, ": counter must be 1..999, not '", cells[0], "'"));
    }
    row.services = absl::StrSplit(cells[1], '|', absl::SkipEmpty());
    if (row.services.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("staffing row ", i, ": services must list at least one, as A|B"));
    }
    auto from = Number(cells[2], "from_s", i, "staffing");
    if (!from.ok()) return from.status();
    auto to = Number(cells[3], "to_s", i, "staffing");
    if (!to.ok()) return to.status();
    if (*to <= *from) {
      return absl::InvalidArgumentError(
          absl::StrCat("staffing row ", i, ": to_s must be after from_s"));
    }
    row.from_s = *from;
    row.to_s = *to;
    auto strategy = domain::ParseCallStrategy(cells[4].empty() ? "in_order" : cells[4]);
    if (!strategy) {
      return absl::InvalidArgumentError(absl::StrCat(
          "staffing row ", i, ": strategy must be in_order or longest_wait, not '", cells[4], "'"));
    }
    row.strategy = *strategy;
    staffing.push_back(std::move(row));
  }
  return staffing;
}

absl::StatusOr<std::vector<ServiceRow>> ParseServices(const std::string& csv) {
  auto rows = ReadCsv(csv, "service,target_wait_s,expected_service_s", "services");
  if (!rows.ok()) return rows.status();
  std::vector<ServiceRow> services;
  int i = 0;
  for (const auto& cells : *rows) {
    ++i;
    ServiceRow row{.service = cells[0]};
    auto target = Number(cells[1], "target_wait_s", i, "services");
    if (!target.ok()) return target.status();
    auto expected = Number(cells[2], "expected_service_s", i, "services");
    if (!expected.ok()) return expected.status();
    row.target_wait_s = *target;
    row.expected_service_s = *expected;
    services.push_back(std::move(row));
  }
  return services;
}

namespace {

// The replay: one branch, a virtual clock, and an event loop over arrivals,
// staffing changes and counters becoming free.
class Replayer {
 public:
  Replayer(const std::vector<TraceRow>& trace, const std::vector<StaffingRow>& staffing,
           const std::vector<ServiceRow>& services, const ReplayOptions& options)
      : trace_(trace), staffing_(staffing), services_(services), options_(options) {}

  absl::StatusOr<ReplayResult> Run() {
    if (auto s = Create(); !s.ok()) return s;
    result_.tickets.resize(trace_.size());
    // Staffing changes as (time, open?, row index): closes before opens at
    // the same instant, so a shift change hands over cleanly.
    std::multimap<absl::Time, std::pair<bool, size_t>> shifts;
    for (size_t i = 0; i < staffing_.size(); ++i) {
      shifts.emplace(At(staffing_[i].from_s), std::make_pair(true, i));
      shifts.emplace(At(staffing_[i].to_s), std::make_pair(false, i));
    }
    size_t next_arrival = 0;
    auto next_shift = shifts.begin();
    while (true) {
      absl::Time next = absl::InfiniteFuture();
      if (next_arrival < trace_.size()) next = At(trace_[next_arrival].arrival_s);
      if (next_shift != shifts.end()) next = std::min(next, next_shift->first);
      for (const auto& [counter, busy] : busy_) next = std::min(next, busy.until);
      // An appointment checked in early becomes callable by itself.
      while (!wakeups_.empty() && *wakeups_.begin() <= now_) wakeups_.erase(wakeups_.begin());
      if (!wakeups_.empty()) next = std::min(next, *wakeups_.begin());
      if (next == absl::InfiniteFuture()) break;
      now_ = next;
      // Counters finishing first: the customer leaves before anyone new is called.
      for (auto it = busy_.begin(); it != busy_.end();) {
        if (it->second.until > now_) {
          ++it;
          continue;
        }
        const uint32_t counter = it->first;
        const bool no_show = it->second.no_show;
        it = busy_.erase(it);
        if (auto s = Do(no_show ? branch_->PlanNoShow(counter, Ctx())
                                : branch_->PlanFinish(counter, Ctx()));
            !s.ok()) {
          return s;
        }
        Record(no_show ? ReplayCommand::Kind::kNoShow : ReplayCommand::Kind::kFinish, counter);
        if (closing_.erase(counter) > 0) {
          if (auto s = Do(branch_->PlanCloseCounter(counter, Ctx())); !s.ok()) return s;
          Record(ReplayCommand::Kind::kClose, counter);
        }
      }
      while (next_shift != shifts.end() && next_shift->first <= now_) {
        const auto [open, index] = next_shift->second;
        ++next_shift;
        if (auto s = open ? OpenShift(staffing_[index]) : CloseShift(staffing_[index]); !s.ok()) {
          return s;
        }
      }
      while (next_arrival < trace_.size() && At(trace_[next_arrival].arrival_s) <= now_) {
        if (auto s = Arrive(next_arrival++); !s.ok()) return s;
        if (options_.progress && next_arrival % 1000 == 0) {
          options_.progress(next_arrival, trace_.size());
        }
      }
      if (auto s = CallAll(); !s.ok()) return s;
    }
    for (const auto& view : branch_->ServiceViews(now_)) result_.unserved += view.waiting_count;
    if (options_.progress) options_.progress(trace_.size(), trace_.size());
    return std::move(result_);
  }

 private:
  struct Busy {
    absl::Time until;
    bool no_show = false;
  };

  absl::Time At(double seconds) const { return start_ + Secs(seconds); }
  ReplayCommand& Record(ReplayCommand::Kind kind, uint32_t counter = 0) {
    return result_.commands.emplace_back(
        ReplayCommand{.kind = kind, .at = now_, .counter = counter});
  }
  CommandContext Ctx() const { return CommandContext{.now = now_, .actor = "sim"}; }
  absl::Status Do(absl::StatusOr<Plan> plan) {
    if (!plan.ok()) return plan.status();
    branch_->Apply(plan->change);
    return absl::OkStatus();
  }

  absl::Status Create() {
    domain::BranchDefinition def;
    // The whole day is bookable in 5-minute slots, so that an APPOINTMENT
    // arrival can book the next slot and check in on time (see Arrive).
    def.info = domain::BranchInfo{.id = "sim",
                                  .name = "Replayed branch",
                                  .timezone = "UTC",
                                  .opening_time = absl::ZeroDuration(),
                                  .closing_time = absl::Hours(23) + absl::Minutes(55),
                                  .slot_length = absl::Minutes(5)};
    std::set<std::string> seen;
    auto add = [&](const std::string& code, double target_s, double expected_s) {
      if (!seen.insert(code).second) return;
      def.services.push_back(domain::ServiceConfig{.code = code,
                                                   .name_zh = code,
                                                   .name_en = code,
                                                   .target_wait = Secs(target_s),
                                                   .expected_service_time = Secs(expected_s),
                                                   .appointment_capacity = 100});
    };
    for (const auto& s : services_) add(s.service, s.target_wait_s, s.expected_service_s);
    for (const auto& t : trace_) add(t.service, 600, 180);
    for (const auto& row : staffing_) {
      for (const auto& code : row.services) add(code, 600, 180);
    }
    std::set<uint32_t> counters;
    for (const auto& row : staffing_) {
      if (!counters.insert(row.counter).second) continue;
      def.counters.push_back(domain::Counter{.number = row.counter,
                                             .name = absl::StrCat("Counter ", row.counter),
                                             .service_codes = row.services,
                                             .strategy = row.strategy});
    }
    now_ = start_;
    auto created = Branch::PlanCreate(def, Ctx());
    if (!created.ok()) return created.status();
    branch_ = std::make_unique<Branch>(domain::BranchSnapshot{.info = def.info},
                                       absl::UTCTimeZone(), options_.estimator);
    branch_->Apply(*created);
    result_.branch = std::move(def);
    return absl::OkStatus();
  }

  absl::Status OpenShift(const StaffingRow& row) {
    closing_.erase(row.counter);
    domain::Counter config = *branch_->FindCounter(row.counter);
    if (config.service_codes != row.services || config.strategy != row.strategy) {
      config.service_codes = row.services;
      config.strategy = row.strategy;
      if (auto s = Do(branch_->PlanUpsertCounter(config, Ctx())); !s.ok()) return s;
      ReplayCommand& c = Record(ReplayCommand::Kind::kUpsertCounter, row.counter);
      c.services = row.services;
      c.strategy = row.strategy;
    }
    if (branch_->FindCounter(row.counter)->state == domain::CounterState::kOpen) {
      return absl::OkStatus();
    }
    if (auto s = Do(branch_->PlanOpenCounter(row.counter, Ctx())); !s.ok()) return s;
    Record(ReplayCommand::Kind::kOpen, row.counter);
    return absl::OkStatus();
  }

  absl::Status CloseShift(const StaffingRow& row) {
    // A later row for the same counter that has begun keeps it open.
    for (const auto& other : staffing_) {
      if (other.counter == row.counter && &other != &row && At(other.from_s) <= now_ &&
          At(other.to_s) > now_) {
        return absl::OkStatus();
      }
    }
    if (branch_->FindCounter(row.counter)->state != domain::CounterState::kOpen) {
      return absl::OkStatus();
    }
    // The teller finishes the customer at the counter before closing.
    if (busy_.contains(row.counter)) {
      closing_.insert(row.counter);
      return absl::OkStatus();
    }
    if (auto s = Do(branch_->PlanCloseCounter(row.counter, Ctx())); !s.ok()) return s;
    Record(ReplayCommand::Kind::kClose, row.counter);
    return absl::OkStatus();
  }

  absl::Status Arrive(size_t index) {
    const TraceRow& row = trace_[index];
    TicketOutcome& out = result_.tickets[index];
    out.arrival_s = row.arrival_s;
    out.service = row.service;
    out.priority = row.priority;
    for (const auto& [number, counter] : branch_->counters()) {
      if (counter.state == domain::CounterState::kOpen && counter.current_ticket_id == 0 &&
          std::find(counter.service_codes.begin(), counter.service_codes.end(), row.service) !=
              counter.service_codes.end()) {
        out.idle_counter_at_issue = true;
      }
    }
    const std::string request_id = absl::StrCat("t", index);
    absl::StatusOr<Plan> plan;
    if (row.priority == PriorityClass::kAppointment) {
      plan = CheckIn(row.service, request_id);
    } else {
      plan = branch_->PlanIssue(row.service, row.priority, request_id, {}, Ctx());
    }
    if (!plan.ok()) {
      return absl::Status(plan.status().code(),
                          absl::StrCat("trace row ", index + 1, " at ", row.arrival_s,
                                       " s: ", plan.status().message()));
    }
    branch_->Apply(plan->change);
    out.ticket_id = plan->ticket_id;
    if (const domain::Ticket* t = branch_->FindTicket(plan->ticket_id); t->queued_at > now_) {
      wakeups_.insert(t->queued_at);
    }
    ReplayCommand& command =
        Record(row.priority == PriorityClass::kAppointment ? ReplayCommand::Kind::kAppointment
                                                           : ReplayCommand::Kind::kIssue);
    command.service = row.service;
    command.priority = row.priority;
    command.slot = last_slot_;
    command.ticket_id = plan->ticket_id;
    rows_by_ticket_[plan->ticket_id] = index;
    // The estimate the customer was given when the ticket was issued (the
    // branch remembers it to calibrate later ones).
    if (const domain::WaitEstimate* given = branch_->wait_history().GivenAtIssue(plan->ticket_id)) {
      out.estimate = *given;
    }
    return absl::OkStatus();
  }

  // An appointment customer arriving now: booked for the next 5-minute slot
  // and checked in at once, which is on time (within the lead before the slot).
  absl::StatusOr<Plan> CheckIn(const std::string& service, const std::string& request_id) {
    const absl::Duration since_start = now_ - absl::UnixEpoch();
    const absl::Duration slot_length = absl::Minutes(5);
    absl::Time slot = absl::UnixEpoch() + absl::Floor(since_start, slot_length) + slot_length;
    // The last slot of a day starts at 23:50: later arrivals book the next
    // day's first slot and check in early (called from 23:55).
    if (slot - absl::Floor(slot - absl::UnixEpoch(), absl::Hours(24)) - absl::UnixEpoch() >
        absl::Hours(23) + absl::Minutes(50)) {
      slot = absl::UnixEpoch() + absl::Floor(slot - absl::UnixEpoch(), absl::Hours(24)) +
             absl::Hours(24);
    }
    last_slot_ = slot;
    auto booked = branch_->PlanBook(
        service, slot, "", absl::StrCat("138", 10000000 + booking_++), request_id,
        [this] { return SimCode(booking_); }, Ctx());
    if (!booked.ok()) return booked.status();
    branch_->Apply(booked->change);
    auto checked_in = branch_->PlanCheckIn(booked->appointment_code, Ctx());
    if (!checked_in.ok()) return checked_in.status();
    return std::move(checked_in->plan);
  }

  absl::Status CallAll() {
    for (const auto& [number, counter] : branch_->counters()) {
      if (counter.state != domain::CounterState::kOpen || busy_.contains(number) ||
          closing_.contains(number)) {
        continue;
      }
      auto call = branch_->PlanCallNext(number, Ctx());
      if (!call.ok()) return call.status();
      if (call->ticket_id == 0) continue;
      const uint64_t id = call->ticket_id;
      branch_->Apply(call->change);
      result_.calls.emplace_back(id, number);
      Record(ReplayCommand::Kind::kCallNext, number).ticket_id = id;
      const size_t index = rows_by_ticket_.at(id);
      const TraceRow& row = trace_[index];
      TicketOutcome& out = result_.tickets[index];
      const domain::Ticket* ticket = branch_->FindTicket(id);
      const double waited = absl::ToDoubleSeconds(*ticket->first_called_at - ticket->issued_at);
      if (row.patience_s && waited > *row.patience_s) {
        out.abandoned = true;
        busy_[number] = Busy{.until = now_ + options_.no_show_after, .no_show = true};
        continue;
      }
      out.served = true;
      out.actual_wait_s = waited;
      if (auto s = Do(branch_->PlanStartService(number, Ctx())); !s.ok()) return s;
      Record(ReplayCommand::Kind::kStart, number);
      busy_[number] = Busy{.until = now_ + std::max(absl::Seconds(1), Secs(row.service_s))};
    }
    return absl::OkStatus();
  }

  const std::vector<TraceRow>& trace_;
  const std::vector<StaffingRow>& staffing_;
  const std::vector<ServiceRow>& services_;
  const ReplayOptions& options_;
  const absl::Time start_ = absl::FromUnixSeconds(1767600000);  // 2026-01-05 08:00 UTC
  absl::Time now_;
  std::unique_ptr<Branch> branch_;
  std::map<uint32_t, Busy> busy_;
  std::set<uint32_t> closing_;    // close once the current customer is done
  std::set<absl::Time> wakeups_;  // when held appointment tickets become callable
  std::map<uint64_t, size_t> rows_by_ticket_;
  int booking_ = 0;
  absl::Time last_slot_;
  ReplayResult result_;
};

PredictorScore Score(const std::vector<const TicketOutcome*>& tickets,
                     absl::Duration domain::WaitEstimate::*field, bool with_range) {
  PredictorScore score;
  double abs_sum = 0, sq_sum = 0, bias_sum = 0;
  int64_t inside = 0;
  for (const TicketOutcome* t : tickets) {
    const double estimate = absl::ToDoubleSeconds((*t->estimate).*field);
    const double error = estimate - t->actual_wait_s;
    abs_sum += std::abs(error);
    sq_sum += error * error;
    bias_sum += error;
    const double low = absl::ToDoubleSeconds(t->estimate->low);
    const double high = absl::ToDoubleSeconds(t->estimate->high);
    if (t->actual_wait_s >= low - 0.5 && t->actual_wait_s <= high + 0.5) ++inside;
    ++score.count;
  }
  if (score.count == 0) return score;
  const double n = static_cast<double>(score.count);
  score.mae_s = abs_sum / n;
  score.rmse_s = std::sqrt(sq_sum / n);
  score.bias_s = bias_sum / n;
  if (with_range) score.range_coverage = static_cast<double>(inside) / n;
  return score;
}

std::vector<std::pair<std::string, PredictorScore>> ScoreAll(
    const std::vector<const TicketOutcome*>& tickets) {
  return {{"lobbyq", Score(tickets, &domain::WaitEstimate::point, true)},
          {"QL", Score(tickets, &domain::WaitEstimate::ql, false)},
          {"LES", Score(tickets, &domain::WaitEstimate::les, false)},
          {"HOL", Score(tickets, &domain::WaitEstimate::hol, false)}};
}

std::string PredictorsJson(const std::vector<std::pair<std::string, PredictorScore>>& scores) {
  std::vector<std::string> parts;
  for (const auto& [name, s] : scores) {
    std::string part = absl::StrFormat(R"("%s": {"mae_s": %.3f, "rmse_s": %.3f, "bias_s": %.3f)",
                                       name, s.mae_s, s.rmse_s, s.bias_s);
    if (s.range_coverage)
      absl::StrAppendFormat(&part, R"(, "range_coverage": %.4f)", *s.range_coverage);
    parts.push_back(part + "}");
  }
  return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
}

std::string Secs3(absl::Duration d) { return absl::StrFormat("%.1f", absl::ToDoubleSeconds(d)); }

}  // namespace

absl::StatusOr<ReplayResult> Replay(const std::vector<TraceRow>& trace,
                                    const std::vector<StaffingRow>& staffing,
                                    const std::vector<ServiceRow>& services,
                                    const ReplayOptions& options) {
  if (staffing.empty()) {
    return absl::InvalidArgumentError("the staffing schedule opens no counter");
  }
  Replayer replayer(trace, staffing, services, options);
  return replayer.Run();
}

Summary Summarize(const ReplayResult& result) {
  std::vector<const TicketOutcome*> scored, queued;
  double queued_wait = 0;
  for (const auto& t : result.tickets) {
    if (!t.served || !t.estimate) continue;
    scored.push_back(&t);
    if (!t.idle_counter_at_issue) {
      queued.push_back(&t);
      queued_wait += t.actual_wait_s;
    }
  }
  Summary summary;
  summary.tickets = static_cast<int64_t>(scored.size());
  summary.predictors = ScoreAll(scored);
  summary.queued_tickets = static_cast<int64_t>(queued.size());
  summary.queued_mean_wait_s =
      queued.empty() ? 0 : queued_wait / static_cast<double>(queued.size());
  summary.queued_predictors = ScoreAll(queued);
  return summary;
}

std::string SummaryJson(const Summary& summary) {
  return absl::StrFormat(
      "{\"tickets\": %d, \"predictors\": %s, \"queued\": {\"tickets\": %d, \"mean_wait_s\": %.3f, "
      "\"predictors\": %s}}\n",
      summary.tickets, PredictorsJson(summary.predictors), summary.queued_tickets,
      summary.queued_mean_wait_s, PredictorsJson(summary.queued_predictors));
}

std::string TicketsCsv(const ReplayResult& result) {
  std::string out =
      "arrival_s,service,priority,idle_counter_at_issue,outcome,actual_wait_s,lobbyq_s,"
      "lobbyq_low_s,lobbyq_high_s,ql_s,les_s,hol_s\n";
  for (const auto& t : result.tickets) {
    const std::string outcome = t.served ? "served" : t.abandoned ? "abandoned" : "unserved";
    absl::StrAppend(&out, absl::StrFormat("%.3f", t.arrival_s), ",", t.service, ",",
                    absl::AsciiStrToUpper(domain::Name(t.priority)), ",",
                    t.idle_counter_at_issue ? 1 : 0, ",", outcome, ",",
                    t.served ? absl::StrFormat("%.1f", t.actual_wait_s) : "");
    if (t.estimate) {
      const auto& e = *t.estimate;
      absl::StrAppend(&out, ",", Secs3(e.point), ",", Secs3(e.low), ",", Secs3(e.high), ",",
                      Secs3(e.ql), ",", Secs3(e.les), ",", Secs3(e.hol), "\n");
    } else {
      absl::StrAppend(&out, ",,,,,,\n");
    }
  }
  return out;
}

}  // namespace lobbyq::sim
