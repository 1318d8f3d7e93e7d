// lobbyq-counter: what a teller does at counter N (one command per action, or an
// interactive console), and the rating pad customers press after being served.

#include <cstdint>
#include <exception>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/client/channel.h"
#include "common/client/credentials.h"
#include "common/client/format.h"
#include "counter-client/console.h"
#include "counter-client/counter_client.h"
#include "counter-client/rating_pad.h"
#include "counter-client/view.h"

namespace lobbyq::counter {
namespace {

constexpr char kProgram[] = "lobbyq-counter";

// One action, one line: the result on stdout, or what went wrong on stderr.
int Print(const CounterClient& client, const ActionResult& result) {
  if (!result.ok()) {
    std::cerr << kProgram << ": " << client.Describe(result.status) << "\n";
    return 1;
  }
  std::cout << result.message << "\n";
  return 0;
}

int Status(CounterClient& client) {
  v1::LobbyStatus lobby;
  const grpc::Status status = client.GetLobbyStatus(&lobby);
  if (!status.ok()) return Print(client, ActionResult{status, ""});
  if (FindCounter(lobby, client.counter()) == nullptr) {
    std::cerr << kProgram << ": not found: counter " << client.counter()
              << " is not configured in branch " << client.branch() << "\n";
    return 1;
  }
  for (const std::string& line : RenderCounterView(lobby, client.counter(), {})) {
    std::cout << line << "\n";
  }
  return 0;
}

int Main(int argc, char** argv) {
  client::QuietGrpcLogging();
  CLI::App app{"Teller console and rating pad for one counter of a bank branch.", kProgram};
  // Global options may follow the subcommand too: `lobbyq-counter call --counter 3`.
  app.fallthrough();
  app.require_subcommand(0, 1);

  std::string server = client::kDefaultServer;
  std::string branch = "demo";
  uint32_t counter = 1;
  bool rating_pad_flag = false;
  bool once = false;
  app.add_option("--server", server, "Lobbyq server address HOST:PORT")->capture_default_str();
  app.add_option("--branch", branch, "Branch id")->capture_default_str();
  app.add_option("--counter", counter, "Counter (窗口) number")
      ->check(CLI::Range(1, 999))
      ->capture_default_str();
  app.add_flag("--rating-pad", rating_pad_flag, "Same as the rating-pad subcommand");
  app.add_flag("--once", once, "With --rating-pad: take one rating and exit");
  client::CredentialOptions credentials;
  client::AddCredentialOptions(app, credentials);

  // Subcommands that are one call each, by name.
  std::vector<std::pair<CLI::App*, std::function<ActionResult(CounterClient&)>>> simple;
  auto add_simple = [&](const char* name, const char* help,
                        std::function<ActionResult(CounterClient&)> action) {
    simple.emplace_back(app.add_subcommand(name, help), std::move(action));
  };
  add_simple("open", "Open the counter (also after a pause)",
             [](CounterClient& c) { return c.Open(); });
  add_simple("pause", "Pause the counter for a break", [](CounterClient& c) { return c.Pause(); });
  add_simple("close", "Close the counter", [](CounterClient& c) { return c.Close(); });
  add_simple("call",
             "Call the next waiting customer (shows why, the transfer note and the form-free "
             "details)",
             [](CounterClient& c) { return c.CallNext(); });
  add_simple("recall", "Announce the called ticket again",
             [](CounterClient& c) { return c.Recall(); });
  add_simple("start", "The called customer arrived: start the service",
             [](CounterClient& c) { return c.StartService(); });
  add_simple("no-show", "The called customer did not come",
             [](CounterClient& c) { return c.MarkNoShow(); });
  add_simple("finish", "Finish the service of the current ticket",
             [](CounterClient& c) { return c.Finish(); });

  std::string to_service;
  CLI::App* transfer =
      app.add_subcommand("transfer", "Send the current ticket to another service's queue");
  transfer->add_option("--to", to_service, "Service code, e.g. B")->required();
  std::string placement_name;
  std::string note;
  transfer
      ->add_option("--placement", placement_name,
                   "Where it goes in the new queue: by_issue_time (its original place), front "
                   "or end (default: the branch's setting)")
      ->check(CLI::IsMember({"by_issue_time", "front", "end"}, CLI::ignore_case));
  transfer->add_option("--note", note, "A note for the teller who calls it next");

  std::string reinstate_ticket;
  CLI::App* reinstate = app.add_subcommand(
      "reinstate", "Put a ticket marked no-show back in its queue (the customer came back)");
  reinstate->add_option("ticket", reinstate_ticket, "Today's number, e.g. A012, or the ticket id")
      ->required();

  int score = 0;
  uint64_t rate_ticket = 0;
  std::string comment;
  CLI::App* rate = app.add_subcommand("rate", "Record the customer's 1-5 rating");
  rate->add_option("score", score, "1 (very poor) to 5 (excellent)")
      ->required()
      ->check(CLI::Range(1, 5));
  rate->add_option("--ticket", rate_ticket, "Ticket id (default: the ticket last finished here)");
  rate->add_option("--comment", comment, "The customer's comment");

  CLI::App* status =
      app.add_subcommand("status", "This counter's state and ticket, and the queues");
  CLI::App* interactive = app.add_subcommand("interactive", "The teller console (single keys)");
  CLI::App* pad = app.add_subcommand("rating-pad", "The customer's rating pad");
  pad->add_flag("--once", once, "Take one rating and exit");

  try {
    app.parse(argc, argv);
    const bool subcommand = !app.get_subcommands().empty();
    if (!subcommand && !rating_pad_flag) {
      throw CLI::RequiredError("A subcommand (or --rating-pad)");
    }
    if (rating_pad_flag && subcommand && !pad->parsed()) {
      throw CLI::ExcludesError("--rating-pad", app.get_subcommands().front()->get_name());
    }
    if (once && !rating_pad_flag && !pad->parsed()) {
      throw CLI::ValidationError("--once", "only applies to the rating pad");
    }
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the message; its exit codes (100+) are folded into the usual 2.
    return app.exit(e) == 0 ? 0 : 2;
  }

  // A teller signs in at this counter; the rating pad runs on the same session.
  const absl::StatusOr<client::Connection> connection =
      client::Connect(credentials, client::ClientRole::kTeller, server, branch, counter);
  if (!connection.ok()) {
    std::cerr << kProgram << ": " << connection.status().message() << "\n";
    return 1;
  }
  CounterClient client(server, connection->security, branch, counter, connection->token);
  for (const auto& [sub, action] : simple) {
    if (sub->parsed()) return Print(client, action(client));
  }
  if (transfer->parsed()) {
    const v1::Placement placement = placement_name.empty()
                                        ? v1::PLACEMENT_UNSPECIFIED
                                        : *client::ParsePlacement(placement_name);
    return Print(client, client.Transfer(to_service, placement, note));
  }
  if (reinstate->parsed()) return Print(client, client.Reinstate(reinstate_ticket));
  if (rate->parsed()) return Print(client, client.Rate(score, rate_ticket, comment));
  if (status->parsed()) return Status(client);
  if (interactive->parsed()) return RunConsole(&client);
  return RunRatingPad(&client, once);
}

}  // namespace
}  // namespace lobbyq::counter

int main(int argc, char** argv) {
  // Caught here so the stack unwinds and every guard (the terminal's mode above all) runs.
  try {
    return lobbyq::counter::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "lobbyq-counter: internal error: " << e.what() << "\n";
    return 1;
  }
}
