// Regression: gRPC's default SO_REUSEPORT let a second lobbyq-server start on a
// port already in use; clients were then spread over two servers, each with
// its own queues (seen as "Counter 1 is open" followed by "counter 1 is closed").

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/e2e/test_server.h"

namespace lobbyq::e2e {
namespace {

TEST_F(E2eTest, SecondServerOnTheSamePortRefusesToStart) {
  server::ServerOptions options = TestServerOptions();
  options.listen = absl::StrCat("127.0.0.1:", server_->port());
  auto second = server::Server::Start(std::move(options));
  ASSERT_FALSE(second.ok()) << "a second server now shares port " << server_->port();
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()),
              ::testing::HasSubstr(absl::StrCat("cannot listen on 127.0.0.1:", server_->port())));
}

}  // namespace
}  // namespace lobbyq::e2e
