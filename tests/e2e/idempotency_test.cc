// Counter actions sent with a client request id: a retry (a lost reply, a
// timeout) gets the first answer and changes nothing, also after a restart.

#include <string>

#include "gmock/gmock.h"
#include "tests/e2e/test_server.h"

namespace lobbyq::e2e {
namespace {

using ::testing::HasSubstr;
using Stub = v1::CounterService::Stub;

class IdempotencyTest : public E2eTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartServer(db_.path())); }

  static v1::CounterRequest WithId(uint32_t counter, const std::string& request_id) {
    v1::CounterRequest req = CounterReq(counter);
    req.set_request_id(request_id);
    return req;
  }
  grpc::Status CallNextWithId(uint32_t counter, const std::string& request_id,
                              v1::CallNextResponse* resp) {
    return Call(counter_.get(), &Stub::CallNext, WithId(counter, request_id), resp);
  }
  grpc::Status Rate(const std::string& request_id, int score, v1::TicketActionResponse* resp) {
    v1::SubmitRatingRequest req;
    req.set_branch_id(kDemo);
    req.set_counter(2);
    req.set_score(score);
    req.set_request_id(request_id);
    return Call(counter_.get(), &Stub::SubmitRating, req, resp);
  }

  TempDbFile db_{"idempotency"};
};

TEST_F(IdempotencyTest, RetriedCallNextReturnsTheSameTicketAndANewIdCallsTheNext) {
  const v1::Ticket a1 = Issue("A");
  const v1::Ticket a2 = Issue("A");
  Open(2);  // A, B in order
  v1::CallNextResponse first;
  ASSERT_TRUE(IsOk(CallNextWithId(2, "teller-2/1", &first)));
  ASSERT_EQ(first.ticket().ticket_id(), a1.ticket_id());
  EXPECT_FALSE(first.reason().empty());

  clock_.Advance(absl::Seconds(2));
  v1::CallNextResponse retry;
  ASSERT_TRUE(IsOk(CallNextWithId(2, "teller-2/1", &retry)));
  EXPECT_EQ(retry.ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(retry.ticket().state(), v1::TICKET_STATE_CALLED);
  EXPECT_EQ(retry.reason(), first.reason());
  EXPECT_EQ(retry.counter().current_ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(GetTicket(a2.ticket_id()).state(), v1::TICKET_STATE_WAITING);
  EXPECT_EQ(Waiting("A"), 1);

  StartService(2);
  Finish(2);
  v1::CallNextResponse next;
  ASSERT_TRUE(IsOk(CallNextWithId(2, "teller-2/2", &next)));
  EXPECT_EQ(next.ticket().ticket_id(), a2.ticket_id());

  // The same id at another counter is not a retry; a malformed one is refused.
  Open(3);
  v1::CallNextResponse refused;
  const grpc::Status other = CallNextWithId(3, "teller-2/2", &refused);
  EXPECT_TRUE(HasCode(other, grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_THAT(other.error_message(), HasSubstr("CounterService.CallNext at counter 2"));
  EXPECT_TRUE(
      HasCode(CallNextWithId(3, "has space", &refused), grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(HasCode(CallNextWithId(3, std::string(65, 'x'), &refused),
                      grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(Waiting("A"), 0);
  EXPECT_EQ(GetTicket(a2.ticket_id()).counter(), 2u);
}

TEST_F(IdempotencyTest, RetriedCallNextAfterARestartReturnsTheSameTicket) {
  const v1::Ticket a1 = Issue("A");
  const v1::Ticket a2 = Issue("A");
  Open(2);
  v1::CallNextResponse first;
  ASSERT_TRUE(IsOk(CallNextWithId(2, "teller-2/1", &first)));
  ASSERT_EQ(first.ticket().ticket_id(), a1.ticket_id());

  StopServer();
  clock_.Advance(absl::Minutes(1));
  ASSERT_NO_FATAL_FAILURE(StartServer(db_.path()));

  v1::CallNextResponse retry;
  ASSERT_TRUE(IsOk(CallNextWithId(2, "teller-2/1", &retry)));
  EXPECT_EQ(retry.ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(retry.reason(), first.reason());
  EXPECT_EQ(retry.counter().current_ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(GetTicket(a2.ticket_id()).state(), v1::TICKET_STATE_WAITING);

  // Still one namespace after the restart: the id cannot be reused elsewhere.
  Open(3);
  v1::CallNextResponse refused;
  EXPECT_TRUE(HasCode(CallNextWithId(3, "teller-2/1", &refused), grpc::StatusCode::ALREADY_EXISTS));
  StartService(2);
  Finish(2);
  v1::CallNextResponse next;
  ASSERT_TRUE(IsOk(CallNextWithId(2, "teller-2/2", &next)));
  EXPECT_EQ(next.ticket().ticket_id(), a2.ticket_id());
}

TEST_F(IdempotencyTest, RetriedFinishAndRatingAnswerAsTheFirstTime) {
  const v1::Ticket a1 = Issue("A");
  Open(2);
  CallNext(2);
  StartService(2);
  v1::TicketActionResponse finished;
  ASSERT_TRUE(IsOk(Call(counter_.get(), &Stub::Finish, WithId(2, "f1"), &finished)));
  v1::TicketActionResponse again;
  ASSERT_TRUE(IsOk(Call(counter_.get(), &Stub::Finish, WithId(2, "f1"), &again)));
  EXPECT_EQ(again.ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(again.ticket().state(), v1::TICKET_STATE_DONE);
  // Without the id the same request is done again, and there is nothing to finish.
  EXPECT_TRUE(HasCode(Call(counter_.get(), &Stub::Finish, CounterReq(2), &again),
                      grpc::StatusCode::FAILED_PRECONDITION));

  v1::TicketActionResponse rated;
  ASSERT_TRUE(IsOk(Rate("pad-2/1", 4, &rated)));
  ASSERT_TRUE(IsOk(Rate("pad-2/1", 4, &rated)));  // not "already rated"
  EXPECT_EQ(rated.ticket().rating(), 4);
  const grpc::Status other = Rate("pad-2/1", 5, &rated);
  EXPECT_TRUE(HasCode(other, grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_THAT(other.error_message(), HasSubstr("with other details"));
  EXPECT_EQ(GetTicket(a1.ticket_id()).rating(), 4);
}

}  // namespace
}  // namespace lobbyq::e2e
