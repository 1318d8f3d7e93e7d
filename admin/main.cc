// lobbyq-admin: watch a branch's lobby live, see its queues and counters, list branches;
// preview the calling order, list appointments, configure counters and branch policy; write
// the daily or weekly report of the branches.

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <CLI/CLI.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "admin/access.h"
#include "admin/report.h"
#include "common/client/branch_time.h"
#include "common/client/channel.h"
#include "common/client/credentials.h"
#include "common/client/format.h"
#include "common/client/lobby_watcher.h"
#include "common/client/services.h"
#include "common/client/status_text.h"
#include "lobbyq/v1/admin.grpc.pb.h"
#include "lobbyq/v1/appointment.grpc.pb.h"
#include "lobbyq/v1/lobby.grpc.pb.h"

namespace lobbyq::admin {
namespace {

constexpr char kProgram[] = "lobbyq-admin";

struct Options {
  std::string server = client::kDefaultServer;
  std::string branch = "demo";
  std::string token;  // sent with every call
  client::ChannelSecurity security;
};

int Fail(const grpc::Status& status, const Options& options) {
  std::cerr << kProgram << ": " << client::DescribeStatus(status, options.server) << "\n";
  return 1;
}

// One line per event, worded as the lobby display would announce it.
std::string DescribeEvent(const v1::LobbyEvent& event, const client::ServiceNames& names) {
  const std::string at = client::LocalHhMm(event.at());
  const v1::Ticket& t = event.ticket();
  const std::string counter = absl::StrCat(event.counter());
  switch (event.type()) {
    case v1::EVENT_TYPE_TICKET_ISSUED:
      return absl::StrCat(at, "  取号 Issued      ", t.number(), "  ",
                          names.Label(t.service_code()), "  (",
                          client::Bilingual(client::PriorityLabel(t.priority()), " "), ")");
    case v1::EVENT_TYPE_TICKET_CALLED:
      return absl::StrCat(at, "  叫号 Call        请 ", t.number(), " 号到 ", counter,
                          " 号窗口 / Number ", t.number(), ", please go to counter ", counter);
    case v1::EVENT_TYPE_TICKET_RECALLED:
      return absl::StrCat(at, "  重呼 Recall      请 ", t.number(), " 号到 ", counter,
                          " 号窗口 / Number ", t.number(), ", counter ", counter, " (recall ",
                          t.recall_count(), ")");
    case v1::EVENT_TYPE_TICKET_TRANSFERRED:
      return absl::StrCat(at, "  转移 Transfer    ", t.number(), " -> ",
                          names.Label(t.service_code()));
    case v1::EVENT_TYPE_TICKET_RATED:
      return absl::StrCat(at, "  评价 Rating      ", t.number(), " at counter ", counter, ": ",
                          t.rating(), "/5");
    case v1::EVENT_TYPE_COUNTER_OPENED:
    case v1::EVENT_TYPE_COUNTER_PAUSED:
    case v1::EVENT_TYPE_COUNTER_CLOSED:
      return absl::StrCat(at, "  窗口 Counter     ", counter, " ",
                          client::Bilingual(client::CounterStateLabel(event.counter_state())));
    case v1::EVENT_TYPE_CONFIG_CHANGED:
      return absl::StrCat(at, "  配置 Config      changed by ", event.actor());
    case v1::EVENT_TYPE_TICKET_REINSTATED:
      return absl::StrCat(at, "  恢复 Reinstated  ", t.number(), " waits again in ",
                          names.Label(t.service_code()));
    case v1::EVENT_TYPE_APPOINTMENT_BOOKED:
    case v1::EVENT_TYPE_APPOINTMENT_CANCELLED:
    case v1::EVENT_TYPE_APPOINTMENT_CHECKED_IN:
    case v1::EVENT_TYPE_APPOINTMENT_MISSED:
      return absl::StrCat(at, "  预约 Appointment ", event.service_code(), " ", event.detail());
    default:
      return absl::StrCat(at, "  状态 State       ", t.number(), " ",
                          client::Bilingual(client::TicketStateLabel(event.from_state())), " -> ",
                          client::Bilingual(client::TicketStateLabel(event.to_state())),
                          counter == "0" ? "" : absl::StrCat(" at counter ", counter));
  }
}

std::string DescribeLobby(const v1::LobbyStatus& lobby) {
  std::vector<std::vector<std::string>> services;
  for (const auto& s : lobby.services()) {
    services.push_back({s.service().code(),
                        client::ServiceLabel("", s.service().name_zh(), s.service().name_en()),
                        absl::StrCat(s.waiting_count()),
                        s.waiting_count() == 0
                            ? "-"
                            : client::ApproxDurationEn(client::ToAbslDuration(s.longest_wait())),
                        absl::StrCat(s.open_counters())});
  }
  std::vector<std::vector<std::string>> counters;
  for (const auto& c : lobby.counters()) {
    counters.push_back(
        {absl::StrCat(c.counter().number()),
         client::Bilingual(client::CounterStateLabel(c.state())),
         absl::StrJoin(c.counter().service_codes(), ","),
         c.has_current_ticket()
             ? absl::StrCat(c.current_ticket().number(), " ",
                            client::Bilingual(client::TicketStateLabel(c.current_ticket().state())))
             : "-",
         client::CounterPolicyText(c.counter())});
  }
  return absl::StrCat(
      lobby.branch_name(), " (", lobby.branch_id(), "), business day ", lobby.business_day(),
      "\n\n",
      client::RenderTable({"Code", "业务 Service", "Waiting", "Longest wait", "Open counters"},
                          services),
      "\n",
      client::RenderTable({"Counter", "状态 State", "Profile", "Current ticket", "Calling"},
                          counters),
      "\n人手 Staffing now\n", client::StaffingTable(lobby.staffing()), "\n告警 Alerts\n",
      client::AlertsTable(lobby.alerts()));
}

// What tells alerts apart as the server compares them, to print each set once.
std::string AlertKey(const v1::Alert& a) {
  return absl::StrCat(a.id(), "|", a.severity(), "|", a.reason(), "|", a.since().seconds());
}

std::string AlertsKey(const google::protobuf::RepeatedPtrField<v1::Alert>& alerts) {
  std::vector<std::string> parts;
  for (const v1::Alert& a : alerts) parts.push_back(AlertKey(a));
  std::sort(parts.begin(), parts.end());
  return absl::StrJoin(parts, "\n");
}

// "10:02  告警 Alerts      2 active (1 new, 1 changed, 1 cleared)" and the table of the
// active ones. An alert keeps its id while its severity or reason moves on: that is a change.
std::string DescribeAlertChange(const google::protobuf::RepeatedPtrField<v1::Alert>& before,
                                const google::protobuf::RepeatedPtrField<v1::Alert>& now) {
  std::map<std::string, std::string> old_alerts, new_alerts;
  for (const v1::Alert& a : before) old_alerts[a.id()] = AlertKey(a);
  for (const v1::Alert& a : now) new_alerts[a.id()] = AlertKey(a);
  int added = 0, changed = 0, cleared = 0;
  for (const auto& [id, key] : new_alerts) {
    const auto it = old_alerts.find(id);
    if (it == old_alerts.end()) {
      ++added;
    } else if (it->second != key) {
      ++changed;
    }
  }
  for (const auto& [id, key] : old_alerts) cleared += new_alerts.count(id) == 0 ? 1 : 0;
  std::string table;
  for (absl::string_view line : absl::StrSplit(client::AlertsTable(now), '\n', absl::SkipEmpty())) {
    absl::StrAppend(&table, "       ", line, "\n");
  }
  return absl::StrCat(client::LocalHhMm(absl::Now()), "  告警 Alerts      ", now.size(),
                      " active (", added, " new, ", changed, " changed, ", cleared, " cleared)\n",
                      table);
}

grpc::Status FetchLobby(const Options& options, v1::LobbyStatus* lobby) {
  auto stub = v1::LobbyService::NewStub(
      client::MakeChannel(options.server, options.security, options.token));
  v1::GetLobbyStatusRequest request;
  request.set_branch_id(options.branch);
  return client::CallWithDeadline(
      [&](grpc::ClientContext* c) { return stub->GetLobbyStatus(c, request, lobby); });
}

int Status(const Options& options) {
  v1::LobbyStatus lobby;
  if (grpc::Status status = FetchLobby(options, &lobby); !status.ok()) {
    return Fail(status, options);
  }
  std::cout << DescribeLobby(lobby);
  return 0;
}

int Branches(const Options& options) {
  auto stub = v1::AdminService::NewStub(
      client::MakeChannel(options.server, options.security, options.token));
  v1::ListBranchesResponse response;
  grpc::Status status = client::CallWithDeadline([&](grpc::ClientContext* c) {
    return stub->ListBranches(c, v1::ListBranchesRequest(), &response);
  });
  if (!status.ok()) return Fail(status, options);
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : response.branches()) {
    std::vector<std::string> codes;
    for (const auto& s : b.services()) codes.push_back(s.code());
    rows.push_back({b.id(), b.name(), b.timezone(), absl::StrJoin(codes, ","),
                    absl::StrCat(b.counters_size())});
  }
  std::cout << client::RenderTable({"Branch", "Name", "Time zone", "Services", "Counters"}, rows);
  return 0;
}

grpc::Status GetBranch(const Options& options, v1::BranchConfig* branch) {
  auto stub = v1::AdminService::NewStub(
      client::MakeChannel(options.server, options.security, options.token));
  v1::GetBranchRequest request;
  request.set_branch_id(options.branch);
  return client::CallWithDeadline(
      [&](grpc::ClientContext* c) { return stub->GetBranch(c, request, branch); });
}

int Preview(const Options& options) {
  v1::BranchConfig branch;
  if (grpc::Status status = GetBranch(options, &branch); !status.ok()) {
    return Fail(status, options);
  }
  auto stub = v1::LobbyService::NewStub(
      client::MakeChannel(options.server, options.security, options.token));
  v1::PreviewOrderRequest request;
  request.set_branch_id(options.branch);
  v1::PreviewOrderResponse response;
  grpc::Status status = client::CallWithDeadline(
      [&](grpc::ClientContext* c) { return stub->PreviewOrder(c, request, &response); });
  if (!status.ok()) return Fail(status, options);
  std::cout << "Calling order if every open counter called now (" << branch.name() << "):\n"
            << client::PreviewTable(response, client::BranchZone(branch, kProgram));
  return 0;
}

int Appointments(const Options& options, std::string day) {
  if (!day.empty() && !client::ParseDay(day)) {
    std::cerr << kProgram << ": invalid: --day '" << day << "' is not a day; write YYYY-MM-DD\n";
    return 2;
  }
  client::BranchTime branch;
  if (grpc::Status status = client::LoadBranchTime(
          client::MakeChannel(options.server, options.security, options.token), options.branch, day,
          kProgram, &branch);
      !status.ok()) {
    return Fail(status, options);
  }
  day = branch.day;
  auto stub = v1::AppointmentService::NewStub(
      client::MakeChannel(options.server, options.security, options.token));
  v1::ListAppointmentsRequest request;
  request.set_branch_id(options.branch);
  request.set_day(day);
  v1::ListAppointmentsResponse response;
  grpc::Status status = client::CallWithDeadline(
      [&](grpc::ClientContext* c) { return stub->ListAppointments(c, request, &response); });
  if (!status.ok()) return Fail(status, options);
  std::cout << "Appointments on " << day << " (" << branch.name << "):\n"
            << client::AppointmentsTable(response, branch.zone);
  return 0;
}

// What `lobbyq-admin counter N ...` asks to change; unset = keep the counter's value.
struct CounterChange {
  uint32_t number = 0;
  std::optional<std::string> name;
  std::optional<std::string> services;  // "A,B"
  std::optional<std::string> strategy;
  std::optional<std::string> rules;
  std::optional<bool> green_channel;
};

// Adds a counter or changes the given fields of an existing one (UpsertCounter takes the
// whole configuration, so the rest comes from GetBranch).
int Counter(const Options& options, const CounterChange& change) {
  const auto usage = [](const std::string& what) {
    std::cerr << kProgram << ": invalid: " << what << "\n";
    return 2;
  };
  v1::BranchConfig branch;
  if (grpc::Status status = GetBranch(options, &branch); !status.ok()) {
    return Fail(status, options);
  }
  v1::CounterConfig config;
  bool exists = false;
  for (const v1::CounterConfig& c : branch.counters()) {
    if (c.number() == change.number) {
      config = c;
      exists = true;
    }
  }
  if (!exists) {
    if (!change.services) {
      return usage(
          absl::StrCat("counter ", change.number,
                       " is new: give its services in calling order, e.g. --services A,B"));
    }
    config.set_number(change.number);
    config.set_name(absl::StrCat("窗口 ", change.number));
  }
  const bool changes_something =
      change.name || change.services || change.strategy || change.rules || change.green_channel;
  if (exists && !changes_something) {
    std::cout << "Counter " << config.number() << " (" << config.name()
              << "): " << absl::StrJoin(config.service_codes(), ",") << " · "
              << client::CounterPolicyText(config) << "\n";
    return 0;
  }
  if (change.name) config.set_name(*change.name);
  if (change.services) {
    config.clear_service_codes();
    for (absl::string_view code : absl::StrSplit(*change.services, ',', absl::SkipWhitespace())) {
      config.add_service_codes(absl::AsciiStrToUpper(absl::StripAsciiWhitespace(code)));
    }
  }
  if (change.strategy) {
    const std::optional<v1::CallStrategy> strategy = client::ParseStrategy(*change.strategy);
    if (!strategy) {
      return usage(absl::StrCat("--strategy '", *change.strategy,
                                "' is not a strategy; use in_order, longest_wait or counted"));
    }
    config.set_strategy(*strategy);
  }
  if (change.rules) {
    if (absl::Status s = client::ParseCountedRules(*change.rules, &config); !s.ok()) {
      return usage(std::string(s.message()));
    }
    // Rules are for the counted strategy; giving them says which strategy is meant.
    if (!change.strategy) config.set_strategy(v1::CALL_STRATEGY_COUNTED);
  }
  if (change.green_channel) config.set_green_channel(*change.green_channel);

  auto stub = v1::AdminService::NewStub(
      client::MakeChannel(options.server, options.security, options.token));
  v1::UpsertCounterRequest request;
  request.set_branch_id(options.branch);
  *request.mutable_counter() = config;
  v1::CounterStatus response;
  grpc::Status status = client::CallWithDeadline(
      [&](grpc::ClientContext* c) { return stub->UpsertCounter(c, request, &response); });
  if (!status.ok()) return Fail(status, options);
  const v1::CounterConfig& saved = response.counter();
  std::cout << "Counter " << saved.number() << " " << (exists ? "updated" : "added") << " ("
            << saved.name() << "): " << absl::StrJoin(saved.service_codes(), ",") << " · "
            << client::CounterPolicyText(saved) << "\n";
  return 0;
}

// What `lobbyq-admin policy --x ...` asks to change, as text from the command line.
struct PolicyChange {
  std::optional<int> recall_limit;
  std::optional<int> booking_horizon_days;
  // Durations ("30m", "0") by setting name, and times of day ("09:00").
  std::vector<std::pair<std::string, std::string>> durations;
  std::vector<std::pair<std::string, std::string>> times;
  std::optional<std::string> reinstate_placement;
  std::optional<std::string> transfer_placement;
  bool empty() const {
    return !recall_limit && !booking_horizon_days && durations.empty() && times.empty() &&
           !reinstate_placement && !transfer_placement;
  }
};

google::protobuf::Duration* DurationField(v1::BranchPolicy* p, const std::string& name) {
  if (name == "auto_no_show_after") return p->mutable_auto_no_show_after();
  if (name == "reinstate_grace") return p->mutable_reinstate_grace();
  if (name == "checkin_early") return p->mutable_checkin_early();
  if (name == "checkin_late") return p->mutable_checkin_late();
  if (name == "appointment_lead") return p->mutable_appointment_lead();
  if (name == "slot_length") return p->mutable_slot_length();
  if (name == "opening_time") return p->mutable_opening_time();
  if (name == "closing_time") return p->mutable_closing_time();
  return nullptr;
}

void SetDuration(absl::Duration d, google::protobuf::Duration* out) {
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
}

// Shows the branch's calling and appointment settings, or changes the given ones first.
int Policy(const Options& options, const PolicyChange& change) {
  v1::BranchConfig branch;
  if (change.empty()) {
    if (grpc::Status status = GetBranch(options, &branch); !status.ok()) {
      return Fail(status, options);
    }
  } else {
    v1::UpdateBranchRequest request;
    request.set_branch_id(options.branch);
    v1::BranchPolicy* policy = request.mutable_policy();
    if (change.recall_limit) policy->set_recall_limit(*change.recall_limit);
    if (change.booking_horizon_days) policy->set_booking_horizon_days(*change.booking_horizon_days);
    for (const auto& [name, text] : change.durations) {
      absl::Duration d;
      if (!absl::ParseDuration(text, &d)) {
        std::cerr << kProgram << ": invalid: --" << name << " '" << text
                  << "' is not a duration; write e.g. 90s, 10m or 1h\n";
        return 2;
      }
      SetDuration(d, DurationField(policy, name));
    }
    for (const auto& [name, text] : change.times) {
      const std::optional<absl::Duration> d = client::ParseTimeOfDay(text);
      if (!d) {
        std::cerr << kProgram << ": invalid: --" << name << " '" << text
                  << "' is not a time of day; write HH:MM, e.g. 09:00\n";
        return 2;
      }
      SetDuration(*d, DurationField(policy, name));
    }
    for (const auto& [text, set] :
         {std::pair{change.reinstate_placement,
                    +[](v1::BranchPolicy*p, v1::Placement v) { p->set_reinstate_placement(v); }},
          std::pair{change.transfer_placement,
                    +[](v1::BranchPolicy*p, v1::Placement v) { p->set_transfer_placement(v); }}}) {
      if (!text) continue;
      const std::optional<v1::Placement> placement = client::ParsePlacement(*text);
      if (!placement) {
        std::cerr << kProgram << ": invalid: placement '" << *text
                  << "'; use by_issue_time, front or end\n";
        return 2;
      }
      set(policy, *placement);
    }
    auto stub = v1::AdminService::NewStub(
        client::MakeChannel(options.server, options.security, options.token));
    grpc::Status status = client::CallWithDeadline(
        [&](grpc::ClientContext* c) { return stub->UpdateBranch(c, request, &branch); });
    if (!status.ok()) return Fail(status, options);
    std::cout << "Policy updated.\n";
  }
  std::cout << branch.name() << " (" << branch.id() << "), time zone " << branch.timezone() << "\n"
            << client::PolicyTable(branch.policy());
  std::vector<std::vector<std::string>> services;
  for (const v1::ServiceConfig& s : branch.services()) {
    const absl::Duration max_wait =
        s.has_max_wait() ? client::ToAbslDuration(s.max_wait()) : absl::ZeroDuration();
    services.push_back(
        {s.code(), client::ServiceLabel("", s.name_zh(), s.name_en()),
         client::SettingDuration(s.target_wait()),
         max_wait > absl::ZeroDuration()
             ? absl::FormatDuration(max_wait)
             : absl::StrCat(absl::FormatDuration(2 * client::ToAbslDuration(s.target_wait())),
                            " (2 x target)"),
         s.appointment_capacity() > 0 ? absl::StrCat(s.appointment_capacity(), " per slot")
                                      : "no appointments"});
  }
  std::cout << "\n"
            << client::RenderTable(
                   {"Code", "业务 Service", "Target wait", "Max wait", "Appointments"}, services);
  std::vector<std::vector<std::string>> counters;
  for (const v1::CounterConfig& c : branch.counters()) {
    counters.push_back({absl::StrCat(c.number()), c.name(), absl::StrJoin(c.service_codes(), ","),
                        client::CounterPolicyText(c)});
  }
  std::cout << "\n" << client::RenderTable({"Counter", "Name", "Profile", "Calling"}, counters);
  return 0;
}

// What `lobbyq-admin report` asks for; no file = a summary on stdout.
struct ReportRequest {
  std::vector<std::string> branches;  // none = every branch
  bool weekly = false;
  std::string day;
  std::string csv;
  std::string html;
};

// Computing a week of several branches from their event logs takes longer than a teller's
// call may.
constexpr absl::Duration kReportDeadline = absl::Seconds(60);

bool WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << content;
  if (out) out.close();
  if (!out) {
    std::cerr << kProgram << ": cannot write " << path << ": " << std::strerror(errno) << "\n";
    return false;
  }
  return true;
}

int Report(const Options& options, const ReportRequest& asked) {
  if (!asked.day.empty() && !client::ParseDay(asked.day)) {
    std::cerr << kProgram << ": invalid: --day '" << asked.day
              << "' is not a day; write YYYY-MM-DD\n";
    return 2;
  }
  auto stub = v1::LobbyService::NewStub(
      client::MakeChannel(options.server, options.security, options.token));
  v1::GetReportRequest request;
  for (const std::string& b : asked.branches) request.add_branch_ids(b);
  request.set_period(asked.weekly ? v1::REPORT_PERIOD_WEEKLY : v1::REPORT_PERIOD_DAILY);
  request.set_day(asked.day);
  v1::ReportResponse response;
  grpc::Status status = client::CallWithDeadline(
      [&](grpc::ClientContext* c) { return stub->GetReport(c, request, &response); },
      kReportDeadline);
  if (!status.ok()) return Fail(status, options);
  if (asked.csv.empty() && asked.html.empty()) {
    std::cout << ReportText(response);
    return 0;
  }
  std::vector<std::string> written;
  if (!asked.csv.empty()) {
    const std::string ranking = RankingCsvPath(asked.csv);
    if (!WriteFile(asked.csv, ReportCsv(response)) || !WriteFile(ranking, RankingCsv(response))) {
      return 1;
    }
    written.push_back(asked.csv);
    written.push_back(ranking);
  }
  if (!asked.html.empty()) {
    if (!WriteFile(asked.html, ReportHtml(response))) return 1;
    written.push_back(asked.html);
  }
  std::cout << (asked.weekly ? "Weekly" : "Daily") << " report of " << response.day() << ", "
            << response.branches_size() << (response.branches_size() == 1 ? " branch" : " branches")
            << ": wrote " << absl::StrJoin(written, ", ") << "\n";
  return 0;
}

// Prints the lobby once, then every event as it happens, until Ctrl-C or `count`
// events. Signals are taken by sigwait, so the watcher thread never sees them.
int Watch(const Options& options, int count) {
  // The watcher reconnects through any failure; a branch that does not exist (or
  // a server that is not there) should end the command instead.
  v1::LobbyStatus first;
  if (grpc::Status status = FetchLobby(options, &first); !status.ok()) {
    return Fail(status, options);
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);  // sent to ourselves when `count` events were shown
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::mutex mu;
  client::ServiceNames names;
  bool shown_snapshot = false;
  int seen = 0;
  // The alert set last shown: a reconnect's snapshot or a repeated set prints nothing new.
  google::protobuf::RepeatedPtrField<v1::Alert> shown_alerts;
  const auto show_alerts = [&](const google::protobuf::RepeatedPtrField<v1::Alert>& alerts) {
    if (AlertsKey(alerts) == AlertsKey(shown_alerts)) return;
    std::cout << DescribeAlertChange(shown_alerts, alerts) << std::flush;
    shown_alerts = alerts;
  };
  client::LobbyWatcher watcher(
      client::MakeChannel(options.server, options.security, options.token), options.branch,
      options.server,
      /*refetch_after_events=*/false,
      client::LobbyWatcher::Callbacks{.on_status =
                                          [&](const v1::LobbyStatus& lobby) {
                                            std::lock_guard lock(mu);
                                            names.Update(lobby.services());
                                            if (shown_snapshot) {
                                              show_alerts(lobby.alerts());
                                              return;
                                            }
                                            std::cout << DescribeLobby(lobby) << "\n" << std::flush;
                                            shown_snapshot = true;
                                            shown_alerts = lobby.alerts();
                                          },
                                      .on_event =
                                          [&](const v1::LobbyEvent& event) {
                                            std::lock_guard lock(mu);
                                            std::cout << DescribeEvent(event, names) << "\n"
                                                      << std::flush;
                                            if (count > 0 && ++seen == count)
                                              kill(getpid(), SIGUSR1);
                                          },
                                      .on_problem =
                                          [&](const std::string& problem) {
                                            if (!problem.empty())
                                              std::cerr << kProgram << ": " << problem << "\n";
                                          },
                                      .on_alerts =
                                          [&](const v1::AlertList& list) {
                                            std::lock_guard lock(mu);
                                            show_alerts(list.alerts());
                                          }});
  watcher.Start();
  int signal = 0;
  sigwait(&signals, &signal);
  watcher.Stop();
  return signal == SIGUSR1 ? 0 : 128 + signal;
}

int Main(int argc, char** argv) {
  client::QuietGrpcLogging();
  CLI::App app{
      "lobbyq-admin: watch the lobby, see queues and counters, list branches, preview the "
      "calling order, list appointments, configure counters and branch policy, write reports"};
  app.require_subcommand(1);
  app.fallthrough();  // --server and --branch also after the subcommand, as in the other clients
  Options options;
  app.add_option("--server", options.server, "lobbyq server HOST:PORT")->capture_default_str();
  app.add_option("--branch", options.branch, "branch id")->capture_default_str();
  client::CredentialOptions credentials;
  client::AddCredentialOptions(app, credentials);
  int count = 0;
  auto* watch = app.add_subcommand(
      "watch",
      "print the lobby with its staffing and alerts, then every call, recall, state change "
      "and change of the alerts as it happens");
  watch->add_option("--count", count, "stop after this many events (0 = until Ctrl-C)")
      ->check(CLI::NonNegativeNumber);
  auto* status = app.add_subcommand(
      "status", "every queue and counter of the branch now, with staffing and alerts");
  auto* branches = app.add_subcommand("branches", "every branch the server holds");
  auto* preview = app.add_subcommand(
      "preview",
      "the order in which waiting tickets would be called now, by which counter and why");
  std::string day;
  auto* appointments = app.add_subcommand("appointments", "the appointments of a day");
  appointments->add_option("--day", day, "YYYY-MM-DD (default: today at the branch)");

  ReportRequest report_request;
  auto* report = app.add_subcommand(
      "report",
      "the daily or weekly report of the branches (docs/metrics.md): a summary here, or "
      "files with --csv and --html");
  report->add_option("--branch", report_request.branches,
                     "a branch to report; repeat for more (default: every branch)");
  report->add_flag("--weekly", report_request.weekly, "the seven days from --day, not one day");
  report->add_option("--day", report_request.day,
                     "YYYY-MM-DD, the branch's local day (default: today)");
  report
      ->add_option("--csv", report_request.csv,
                   "write one row per branch, service, counter and hour to FILE (seconds, "
                   "shares 0..1), and the ranking to FILE with -ranking before the extension "
                   "(report.csv -> report-ranking.csv)")
      ->type_name("FILE");
  report
      ->add_option("--html", report_request.html,
                   "write one self-contained page to FILE: ranking with the bottom three "
                   "flagged, headline figures, wait by hour, services, counters, staffing")
      ->type_name("FILE");

  CounterChange counter_change;
  auto* counter = app.add_subcommand(
      "counter", "show a counter's calling policy, or add or change the counter");
  counter->add_option("number", counter_change.number, "counter number")
      ->required()
      ->check(CLI::Range(1, 999));
  counter->add_option("--name", counter_change.name, "its name on displays, e.g. 爱心窗口");
  counter->add_option("--services", counter_change.services,
                      "its profile: service codes in calling order, e.g. A,B");
  counter
      ->add_option("--strategy", counter_change.strategy,
                   "in_order (first service of the profile with someone waiting), "
                   "longest_wait (whoever waited longest, after priority) or counted (--rules)")
      ->check(CLI::IsMember({"in_order", "longest_wait", "counted"}, CLI::ignore_case));
  counter->add_option("--rules", counter_change.rules,
                      "for counted: class:quota rules then the fallback class, e.g. "
                      "appointment:1,green_channel:2,vip:1,normal (implies --strategy counted)");
  bool green = false;
  auto* green_flag = counter->add_flag("--green-channel,!--no-green-channel", green,
                                       "make it (or stop it being) the green-channel counter "
                                       "(爱心窗口), which takes green-channel tickets first");

  PolicyChange policy_change;
  auto* policy = app.add_subcommand("policy",
                                    "show the branch's calling and appointment settings, or "
                                    "change the ones given");
  policy->add_option("--recall-limit", policy_change.recall_limit,
                     "recalls per call; then the next call marks a no-show (0-10)");
  policy->add_option("--booking-horizon-days", policy_change.booking_horizon_days,
                     "days ahead a slot can be booked");
  policy->add_option("--reinstate-placement", policy_change.reinstate_placement,
                     "where a reinstated ticket goes: by_issue_time or end");
  policy->add_option("--transfer-placement", policy_change.transfer_placement,
                     "where a transferred ticket goes by default: by_issue_time, front or end");
  std::vector<std::pair<std::string, std::string>> duration_options = {
      {"auto_no_show_after", "an unanswered call becomes a no-show after this; 0 = never"},
      {"reinstate_grace", "how long a no-show can be reinstated"},
      {"checkin_early", "check-in opens this long before the slot"},
      {"checkin_late", "check-in closes this long after the slot"},
      {"appointment_lead", "an early check-in is called from slot - lead"},
      {"slot_length", "length of an appointment slot, e.g. 30m"}};
  std::vector<std::string> duration_values(duration_options.size());
  for (std::size_t i = 0; i < duration_options.size(); ++i) {
    std::string flag = "--" + duration_options[i].first;
    std::replace(flag.begin(), flag.end(), '_', '-');
    policy->add_option(flag, duration_values[i], duration_options[i].second);
  }
  std::string opening_time, closing_time;
  policy->add_option("--opening-time", opening_time, "first appointment slot, HH:MM local");
  policy->add_option("--closing-time", closing_time, "end of the last slot, HH:MM local");
  const admin::AccessCommands access(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  // Head office and lobby managers sign in as themselves; the demo run's file
  // gives its admin.
  const absl::StatusOr<client::Connection> connection =
      client::Connect(credentials, client::ClientRole::kAdmin, options.server, options.branch);
  if (!connection.ok()) {
    std::cerr << kProgram << ": " << connection.status().message() << "\n";
    return 1;
  }
  options.security = connection->security;
  options.token = connection->token;
  if (int code = access.Run({options.server, options.branch, options.token, options.security});
      code >= 0) {
    return code;
  }
  if (*watch) return Watch(options, count);
  if (*status) return Status(options);
  if (*branches) return Branches(options);
  if (*preview) return Preview(options);
  if (*appointments) return Appointments(options, day);
  if (*report) {
    // A global --branch given before the subcommand names a branch to report too.
    if (app.get_option("--branch")->count() > 0) {
      report_request.branches.insert(report_request.branches.begin(), options.branch);
    }
    return Report(options, report_request);
  }
  if (*counter) {
    if (green_flag->count() > 0) counter_change.green_channel = green;
    return Counter(options, counter_change);
  }
  if (*policy) {
    for (std::size_t i = 0; i < duration_options.size(); ++i) {
      if (!duration_values[i].empty()) {
        policy_change.durations.emplace_back(duration_options[i].first, duration_values[i]);
      }
    }
    if (!opening_time.empty()) policy_change.times.emplace_back("opening_time", opening_time);
    if (!closing_time.empty()) policy_change.times.emplace_back("closing_time", closing_time);
    return Policy(options, policy_change);
  }
  return 2;
}

}  // namespace
}  // namespace lobbyq::admin

int main(int argc, char** argv) {
  try {
    return lobbyq::admin::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "lobbyq-admin: " << e.what() << "\n";
    return 1;
  }
}
