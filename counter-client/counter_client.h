#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include "common/client/channel.h"
#include "common/client/services.h"
#include "lobbyq/v1/counter.grpc.pb.h"
#include "lobbyq/v1/lobby.grpc.pb.h"

namespace lobbyq::counter {

// What one teller action came to: on success the result for the teller, one line
// ("Called A012 (现金业务 Cash) to counter 3") and for a call the lines that follow it
// (why this ticket, the note from a transfer, the form-free details, a ticket the call
// marked no-show); otherwise the status.
struct ActionResult {
  grpc::Status status;
  std::string message;
  bool ok() const { return status.ok(); }
};

// The calls a teller makes for one counter of one branch, shared by the one-shot
// subcommands and the interactive console. Not thread-safe: one thread drives it.
// Every action carries a fresh request id, so the server does it at most once:
// a call whose reply was lost, sent again with that id, is answered from the
// first time (a second CallNext never calls a second customer).
class CounterClient {
 public:
  CounterClient(std::string server, const client::ChannelSecurity& security, std::string branch,
                uint32_t counter, const std::string& token = "");

  const std::string& server() const { return server_; }
  const std::string& branch() const { return branch_; }
  uint32_t counter() const { return counter_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  ActionResult Open();
  ActionResult Pause();
  ActionResult Close();
  ActionResult CallNext();
  ActionResult Recall();
  ActionResult StartService();
  // `placement` empty = the branch's default; `note` is shown to the next teller.
  ActionResult Transfer(const std::string& to_service_code, v1::Placement placement = {},
                        const std::string& note = "");
  // Puts a NO_SHOW ticket back in its queue: `ticket` is today's number ("A012") or an id.
  ActionResult Reinstate(const std::string& ticket);
  ActionResult MarkNoShow();
  ActionResult Finish();
  // For a teller who pressed "finish" while the ticket is only CALLED: they obviously
  // served the customer, so start the service, then finish it.
  ActionResult StartAndFinish();
  // ticket_id 0 rates the ticket last finished at this counter.
  ActionResult Rate(int score, uint64_t ticket_id, const std::string& comment);

  grpc::Status GetLobbyStatus(v1::LobbyStatus* status);
  // Names for replies that only carry service codes, from a view the caller already has.
  void LearnServices(const v1::LobbyStatus& status);

  // DescribeStatus naming this client's server.
  std::string Describe(const grpc::Status& status) const;

 private:
  ActionResult CounterCall(grpc::Status (v1::CounterService::Stub::*method)(
      grpc::ClientContext*, const v1::CounterRequest&, v1::CounterResponse*));
  ActionResult TicketCall(grpc::Status (v1::CounterService::Stub::*method)(
                              grpc::ClientContext*, const v1::CounterRequest&,
                              v1::TicketActionResponse*),
                          v1::TicketActionResponse* response);
  ActionResult FinishWith(const char* verb);
  // "A012 (现金业务 Cash)", with the priority class when it is not normal.
  std::string TicketText(const v1::Ticket& ticket);
  // Fetches names once if `code` is unknown; a failure leaves the bare code.
  void EnsureNames(const std::string& code);

  const std::string server_;
  const std::string branch_;
  const uint32_t counter_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CounterService::Stub> counter_stub_;
  std::unique_ptr<v1::LobbyService::Stub> lobby_stub_;
  client::ServiceNames names_;
  bool names_fetched_ = false;
};

}  // namespace lobbyq::counter
