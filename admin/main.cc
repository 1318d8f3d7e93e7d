// lobbyq-admin: watch a branch's lobby live, see its queues and counters, list branches.

#include <csignal>
#include <exception>
#include <iostream>
#include <mutex>
#include <string>

#include <grpcpp/grpcpp.h>
#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/client/channel.h"
#include "common/client/format.h"
#include "common/client/lobby_watcher.h"
#include "common/client/services.h"
#include "common/client/status_text.h"
#include "lobbyq/v1/admin.grpc.pb.h"
#include "lobbyq/v1/lobby.grpc.pb.h"

namespace lobbyq::admin {
namespace {

constexpr char kProgram[] = "lobbyq-admin";

struct Options {
  std::string server = client::kDefaultServer;
  std::string branch = "demo";
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
             : "-"});
  }
  return absl::StrCat(
      lobby.branch_name(), " (", lobby.branch_id(), "), business day ", lobby.business_day(),
      "\n\n",
      client::RenderTable({"Code", "业务 Service", "Waiting", "Longest wait", "Open counters"},
                          services),
      "\n", client::RenderTable({"Counter", "状态 State", "Profile", "Current ticket"}, counters));
}

grpc::Status FetchLobby(const Options& options, v1::LobbyStatus* lobby) {
  auto stub = v1::LobbyService::NewStub(client::MakeChannel(options.server));
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
  auto stub = v1::AdminService::NewStub(client::MakeChannel(options.server));
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
  client::LobbyWatcher watcher(client::MakeChannel(options.server), options.branch, options.server,
                               /*refetch_after_events=*/false,
                               client::LobbyWatcher::Callbacks{
                                   .on_status =
                                       [&](const v1::LobbyStatus& lobby) {
                                         std::lock_guard lock(mu);
                                         names.Update(lobby.services());
                                         if (!shown_snapshot)
                                           std::cout << DescribeLobby(lobby) << "\n" << std::flush;
                                         shown_snapshot = true;
                                       },
                                   .on_event =
                                       [&](const v1::LobbyEvent& event) {
                                         std::lock_guard lock(mu);
                                         std::cout << DescribeEvent(event, names) << "\n"
                                                   << std::flush;
                                         if (count > 0 && ++seen == count) kill(getpid(), SIGUSR1);
                                       },
                                   .on_problem =
                                       [&](const std::string& problem) {
                                         if (!problem.empty())
                                           std::cerr << kProgram << ": " << problem << "\n";
                                       }});
  watcher.Start();
  int signal = 0;
  sigwait(&signals, &signal);
  watcher.Stop();
  return signal == SIGUSR1 ? 0 : 128 + signal;
}

int Main(int argc, char** argv) {
  CLI::App app{"lobbyq-admin: watch the lobby, see queues and counters, list branches"};
  app.require_subcommand(1);
  app.fallthrough();  // --server and --branch also after the subcommand, as in the other clients
  Options options;
  app.add_option("--server", options.server, "lobbyq server HOST:PORT")->capture_default_str();
  app.add_option("--branch", options.branch, "branch id")->capture_default_str();
  int count = 0;
  auto* watch = app.add_subcommand(
      "watch", "print the lobby, then every call, recall and state change as it happens");
  watch->add_option("--count", count, "stop after this many events (0 = until Ctrl-C)")
      ->check(CLI::NonNegativeNumber);
  auto* status = app.add_subcommand("status", "every queue and counter of the branch now");
  auto* branches = app.add_subcommand("branches", "every branch the server holds");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*watch) return Watch(options, count);
  if (*status) return Status(options);
  if (*branches) return Branches(options);
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
