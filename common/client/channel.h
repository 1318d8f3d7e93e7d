#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/channel_arguments.h>
#include <grpcpp/support/status.h>

#include "absl/time/time.h"

namespace lobbyq::client {

inline constexpr char kDefaultServer[] = "127.0.0.1:50051";

// Long enough for a commit on a busy server, short enough that a person at a kiosk or a
// counter is told something is wrong before they give up on the screen.
inline constexpr absl::Duration kDefaultDeadline = absl::Seconds(5);

// How a channel is secured: plaintext, or TLS that verifies the server against `ca_pem`
// (and presents `cert_pem`/`key_pem` when the server asks for mutual TLS). Holds the PEM
// texts, read and checked once by LoadChannelSecurity (credentials.h): every channel a
// client opens, the sign-in one included, is secured alike.
struct ChannelSecurity {
  std::string ca_pem;  // empty = plaintext
  std::string cert_pem;
  std::string key_pem;
  // The name checked in the server's certificate instead of the host of "HOST:PORT",
  // for a server reached by an address its certificate does not list.
  std::string server_name;

  bool tls() const { return !ca_pem.empty(); }
};

// A channel to the lobbyq server at "HOST:PORT", secured as `security` says, whose every
// call carries `token` as `authorization: Bearer TOKEN` (none when empty). `args` adds
// channel arguments. `security` has no default: a call site that forgot it would send
// tokens in clear to a TLS server.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& server,
                                           const ChannelSecurity& security,
                                           const std::string& token = "",
                                           grpc::ChannelArguments args = {});

// A fresh client request id: 128 random bits as hex, unique enough that two
// clients never share one, and within the server's 64-character limit. One per
// action; a retry of the action sends the same one, so the server answers it
// from the first time instead of acting twice.
std::string NewRequestId();

// For the command-line clients, at start: gRPC's own error lines ("Handshake failed with
// fatal error ...") would come on top of the one line the client prints for the same
// failure. With GRPC_VERBOSITY set in the environment they stay, for whoever debugs.
void QuietGrpcLogging();

// Sleeps for `d` while letting the channel reconnect. A sync client that merely sleeps
// between retries leaves nobody to drive gRPC's connection attempts, so it would notice a
// server that came back only at gRPC's 5 s backup poll.
void SleepReconnecting(grpc::Channel* channel, absl::Duration d);

// Every unary call gets a deadline: without one a call to a hung server blocks forever.
void SetDeadline(grpc::ClientContext* context, absl::Duration timeout = kDefaultDeadline);

// Runs one unary call with a fresh context carrying a deadline, e.g.
//   CallWithDeadline([&](grpc::ClientContext* c) { return stub->GetTicket(c, req, &resp); });
template <typename Fn>
grpc::Status CallWithDeadline(Fn&& fn, absl::Duration timeout = kDefaultDeadline) {
  grpc::ClientContext context;
  SetDeadline(&context, timeout);
  return fn(&context);
}

}  // namespace lobbyq::client
