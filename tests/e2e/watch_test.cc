// WatchLobby over real gRPC: a snapshot first, then every committed change in
// order. Every stream has a deadline and is cancelled on the way out, so a
// broken server fails these tests instead of hanging them.

#include "gmock/gmock.h"
#include "tests/e2e/test_server.h"

namespace lobbyq::e2e {
namespace {

// One WatchLobby stream.
class Watch {
 public:
  Watch(const std::shared_ptr<grpc::Channel>& channel, const std::string& branch)
      : stub_(v1::LobbyService::NewStub(channel)) {
    SetDeadline(&ctx_, absl::Seconds(30));
    v1::WatchLobbyRequest req;
    req.set_branch_id(branch);
    reader_ = stub_->WatchLobby(&ctx_, req);
  }
  ~Watch() {
    if (!finished_) {
      ctx_.TryCancel();
      Finish();
    }
  }

  // Blocks until the next update other than an alert list (or the stream
  // ends: false). Alerts have their own tests (alerts_test.cc).
  bool Read(v1::LobbyUpdate* update) {
    while (reader_->Read(update)) {
      if (!update->has_alerts()) return true;
    }
    return false;
  }

  // The next update, which must be an event.
  v1::LobbyEvent NextEvent() {
    v1::LobbyUpdate update;
    if (!Read(&update)) {
      ADD_FAILURE() << "stream ended: " << Describe(Finish());
      return {};
    }
    EXPECT_TRUE(update.has_event()) << update.ShortDebugString();
    return update.event();
  }

  v1::LobbyStatus NextSnapshot() {
    v1::LobbyUpdate update;
    if (!Read(&update)) {
      ADD_FAILURE() << "stream ended: " << Describe(Finish());
      return {};
    }
    EXPECT_TRUE(update.has_snapshot()) << update.ShortDebugString();
    return update.snapshot();
  }

  void Cancel() { ctx_.TryCancel(); }

  // Reads what is left, then the final status.
  grpc::Status Finish() {
    v1::LobbyUpdate ignored;
    while (reader_->Read(&ignored)) ++drained_;
    finished_ = true;
    return reader_->Finish();
  }
  int drained() const { return drained_; }

 private:
  std::unique_ptr<v1::LobbyService::Stub> stub_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<v1::LobbyUpdate>> reader_;
  bool finished_ = false;
  int drained_ = 0;
};

int WaitingIn(const v1::LobbyStatus& status, const std::string& code) {
  for (const auto& s : status.services()) {
    if (s.service().code() == code) return s.waiting_count();
  }
  return -1;
}

TEST_F(E2eTest, WatchLobbySendsSnapshotThenEventsInOrder) {
  Open(1);  // profile A, B
  const v1::Ticket b1 = Issue("B");
  const v1::LobbyStatus before = Lobby();

  Watch watch(channel_, kDemo);
  v1::LobbyStatus snapshot = watch.NextSnapshot();
  EXPECT_EQ(snapshot.branch_id(), kDemo);
  EXPECT_EQ(WaitingIn(snapshot, "A"), 0);
  EXPECT_EQ(WaitingIn(snapshot, "B"), 1);
  EXPECT_EQ(snapshot.last_event_seq(), before.last_event_seq());
  snapshot.clear_at();
  EXPECT_TRUE(ProtoEqual(before, snapshot));

  // Issue a ticket and call it: TICKET_ISSUED, then TICKET_CALLED.
  const v1::Ticket a1 = Issue("A");
  ASSERT_EQ(CallNext(1).ticket().ticket_id(), a1.ticket_id());

  const v1::LobbyEvent issued = watch.NextEvent();
  EXPECT_EQ(issued.type(), v1::EVENT_TYPE_TICKET_ISSUED);
  EXPECT_GT(issued.seq(), before.last_event_seq());
  EXPECT_EQ(issued.branch_id(), kDemo);
  EXPECT_EQ(issued.ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(issued.ticket().number(), "A001");
  EXPECT_EQ(issued.to_state(), v1::TICKET_STATE_WAITING);
  EXPECT_EQ(issued.actor(), absl::StrCat("user:", kTestAdmin));
  EXPECT_EQ(issued.service_code(), "A");
  EXPECT_EQ(issued.detail(), "A001 normal");

  const v1::LobbyEvent called = watch.NextEvent();
  EXPECT_EQ(called.type(), v1::EVENT_TYPE_TICKET_CALLED);
  EXPECT_GT(called.seq(), issued.seq());
  EXPECT_EQ(called.counter(), 1u);
  EXPECT_EQ(called.ticket().number(), "A001");
  EXPECT_EQ(called.ticket().counter(), 1u);
  EXPECT_EQ(called.ticket().state(), v1::TICKET_STATE_CALLED);
  EXPECT_EQ(called.from_state(), v1::TICKET_STATE_WAITING);
  EXPECT_EQ(called.to_state(), v1::TICKET_STATE_CALLED);
  EXPECT_EQ(Lobby().last_event_seq(), called.seq());

  // A late subscriber starts from the state now.
  Watch late(channel_, kDemo);
  v1::LobbyStatus late_snapshot = late.NextSnapshot();
  EXPECT_EQ(WaitingIn(late_snapshot, "A"), 0);
  EXPECT_EQ(WaitingIn(late_snapshot, "B"), 1);
  EXPECT_EQ(late_snapshot.last_event_seq(), called.seq());
  const v1::CounterStatus* counter1 = FindCounter(late_snapshot, 1);
  ASSERT_NE(counter1, nullptr);
  EXPECT_EQ(counter1->current_ticket().number(), "A001");
  late_snapshot.clear_at();
  EXPECT_TRUE(ProtoEqual(Lobby(), late_snapshot));

  // Both see what happens next, with the same seq; a counter event carries its state.
  StartService(1);
  Open(2);
  const v1::LobbyEvent started = watch.NextEvent();
  const v1::LobbyEvent late_started = late.NextEvent();
  EXPECT_EQ(started.type(), v1::EVENT_TYPE_SERVICE_STARTED);
  EXPECT_GT(started.seq(), called.seq());
  EXPECT_TRUE(ProtoEqual(started, late_started));
  const v1::LobbyEvent opened = watch.NextEvent();
  EXPECT_EQ(opened.type(), v1::EVENT_TYPE_COUNTER_OPENED);
  EXPECT_EQ(opened.counter(), 2u);
  EXPECT_EQ(opened.counter_state(), v1::COUNTER_STATE_OPEN);
  EXPECT_GT(opened.seq(), started.seq());
  EXPECT_TRUE(ProtoEqual(opened, late.NextEvent()));

  // A subscriber that hangs up does not disturb the others.
  late.Cancel();
  EXPECT_EQ(late.Finish().error_code(), grpc::StatusCode::CANCELLED);
  Finish(1);
  const v1::LobbyEvent finished = watch.NextEvent();
  EXPECT_EQ(finished.type(), v1::EVENT_TYPE_TICKET_FINISHED);
  EXPECT_EQ(finished.ticket().state(), v1::TICKET_STATE_DONE);
  EXPECT_GT(finished.seq(), opened.seq());
}

TEST_F(E2eTest, WatchLobbyRejectsUnknownAndMalformedBranches) {
  for (const auto& [branch, code] : std::vector<std::pair<std::string, grpc::StatusCode>>{
           {"nowhere", grpc::StatusCode::NOT_FOUND},
           {"Bad ID!", grpc::StatusCode::INVALID_ARGUMENT},
           {"", grpc::StatusCode::INVALID_ARGUMENT}}) {
    Watch watch(channel_, branch);
    v1::LobbyUpdate update;
    EXPECT_FALSE(watch.Read(&update))
        << "branch '" << branch << "' sent " << update.ShortDebugString();
    EXPECT_TRUE(HasCode(watch.Finish(), code)) << "branch '" << branch << "'";
  }
}

TEST_F(E2eTest, WatchLobbyStreamsEndWhenTheServerShutsDown) {
  Watch watch(channel_, kDemo);
  watch.NextSnapshot();
  server_->Shutdown();
  v1::LobbyUpdate update;
  EXPECT_FALSE(watch.Read(&update)) << update.ShortDebugString();
  EXPECT_TRUE(HasCode(watch.Finish(), grpc::StatusCode::UNAVAILABLE));
}

// A display that stops reading is cut off once more than 1000 updates pile up,
// and the server carries on. The client channel has BDP probing off, so its
// receive window stays at the 64 KiB default and the backlog must build up on
// the server.
TEST_F(E2eTest, WatchLobbyEndsASubscriberThatFallsTooFarBehind) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt("grpc.lobbyq_test_private_channel", 1);  // not shared with the other channel
  auto slow_channel = client::MakeChannel(address(), security(), admin_token_, args);
  Watch slow(slow_channel, kDemo);
  slow.NextSnapshot();

  // 3,000 events: issue and cancel 1,500 tickets without reading the stream.
  for (int i = 0; i < 1500; ++i) {
    const v1::Ticket t = Issue("C");
    v1::CancelTicketRequest req;
    req.set_branch_id(kDemo);
    req.set_ticket_id(t.ticket_id());
    v1::TicketResponse resp;
    ASSERT_TRUE(IsOk(Call(kiosk_.get(), &v1::KioskService::Stub::CancelTicket, req, &resp)));
  }
  const grpc::Status status = slow.Finish();
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::RESOURCE_EXHAUSTED))
      << "after draining " << slow.drained() << " updates";
  EXPECT_LT(slow.drained(), 3000);

  // The server is fine, and a reconnect starts from a fresh snapshot.
  const v1::LobbyStatus now = Lobby();
  Watch again(channel_, kDemo);
  EXPECT_EQ(again.NextSnapshot().last_event_seq(), now.last_event_seq());
}

}  // namespace
}  // namespace lobbyq::e2e
