#include "common/client/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/time/clock.h"

namespace lobbyq::client {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& server) {
  grpc::ChannelArguments args;
  // gRPC waits 1 s, then ever longer, before reconnecting, and fails calls fast meanwhile.
  // Clients retry within a few seconds and a teller console reconnects its live view, so a
  // server that comes back must be noticed quickly.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args);
}

void SleepReconnecting(grpc::Channel* channel, absl::Duration d) {
  const absl::Time until = absl::Now() + d;
  channel->WaitForConnected(absl::ToChronoTime(until));
  // Connected early: still wait the full time, a retry is due only then.
  absl::SleepFor(until - absl::Now());
}

void SetDeadline(grpc::ClientContext* context, absl::Duration timeout) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

}  // namespace lobbyq::client
