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

// A channel to the lobbyq server at "HOST:PORT" whose every call carries `token` as
// `authorization: Bearer TOKEN` (none when empty). `args` adds channel arguments.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& server, const std::string& token = "",
                                           grpc::ChannelArguments args = {});

// A fresh client request id: 128 random bits as hex, unique enough that two
// clients never share one, and within the server's 64-character limit. One per
// action; a retry of the action sends the same one, so the server answers it
// from the first time instead of acting twice.
std::string NewRequestId();

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
