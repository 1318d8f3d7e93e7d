#include "common/client/channel.h"

#include <grpc/support/log.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>
#include <grpcpp/support/client_interceptor.h>

#include <cstdlib>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace lobbyq::client {

namespace {

// Adds the caller's token to every call, streams included.
class BearerInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit BearerInterceptor(const std::string& header) : header_(header) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("authorization", header_);
    }
    methods->Proceed();
  }

 private:
  const std::string& header_;
};

class BearerInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerInterceptorFactory(const std::string& token) : header_("Bearer " + token) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new BearerInterceptor(header_);
  }

 private:
  const std::string header_;  // outlives every interceptor: the channel owns the factory
};

std::shared_ptr<grpc::ChannelCredentials> Credentials(const ChannelSecurity& security) {
  if (!security.tls()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  // Never empty here: gRPC would fall back to the public web's roots, and any certificate
  // bought for the name would pass for the branch's server.
  options.pem_root_certs = security.ca_pem;
  options.pem_cert_chain = security.cert_pem;
  options.pem_private_key = security.key_pem;
  return grpc::SslCredentials(options);
}

}  // namespace

std::string NewRequestId() {
  std::random_device random;
  std::string id;
  for (int i = 0; i < 4; ++i) absl::StrAppend(&id, absl::Hex(random(), absl::kZeroPad8));
  return id;
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& server,
                                           const ChannelSecurity& security,
                                           const std::string& token, grpc::ChannelArguments args) {
  // gRPC waits 1 s, then ever longer, before reconnecting, and fails calls fast meanwhile.
  // Clients retry within a few seconds and a teller console reconnects its live view, so a
  // server that comes back must be noticed quickly.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  if (security.tls() && !security.server_name.empty()) {
    args.SetSslTargetNameOverride(security.server_name);
  }
  if (token.empty()) return grpc::CreateCustomChannel(server, Credentials(security), args);
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<BearerInterceptorFactory>(token));
  return grpc::experimental::CreateCustomChannelWithInterceptors(server, Credentials(security),
                                                                 args, std::move(factories));
}

void QuietGrpcLogging() {
  if (std::getenv("GRPC_VERBOSITY") != nullptr) return;
  gpr_set_log_function([](gpr_log_func_args*) {});
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
