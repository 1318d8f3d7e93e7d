// Things that happen by themselves, over real gRPC: a called customer nobody
// answers becomes a no-show on the branch's Asio timer (no polling), also for
// a deadline that passed while the server was down.
//
// The clock is fake, so the timer sleeps for "deadline - fake now" of real
// time. After moving the fake clock on, any command on the branch re-arms the
// timer with the new distance, here zero, and the test then waits for the
// event on a WatchLobby stream, bounded by the stream's deadline.

#include "tests/e2e/policy_fixture.h"

namespace lobbyq::e2e {
namespace {

class TimerTest : public PolicyTest {
 protected:
  void SetAutoNoShow(absl::Duration after) {
    v1::UpdateBranchRequest req;
    req.set_branch_id(kCalling);
    req.mutable_policy()->mutable_auto_no_show_after()->set_seconds(absl::ToInt64Seconds(after));
    v1::BranchConfig updated;
    ASSERT_TRUE(IsOk(Call(admin_.get(), &v1::AdminService::Stub::UpdateBranch, req, &updated)));
  }

  // The next event of `type` on the stream (a failure if the stream ends first).
  static v1::LobbyEvent NextEvent(LobbyWatch& watch, v1::EventType type) {
    for (int i = 0; i < 50; ++i) {
      const v1::LobbyUpdate update = watch.Next();
      if (update.has_event() && update.event().type() == type) return update.event();
      if (update.update_case() == v1::LobbyUpdate::UPDATE_NOT_SET) break;
    }
    ADD_FAILURE() << "no event of type " << v1::EventType_Name(type);
    return {};
  }
};

TEST_F(TimerTest, UnansweredCallBecomesANoShowByItself) {
  ASSERT_NO_FATAL_FAILURE(SetAutoNoShow(absl::Minutes(2)));
  Open(1, kCalling);
  const v1::Ticket a1 = IssueIn("A");
  ASSERT_EQ(CallNext(1, kCalling).ticket().ticket_id(), a1.ticket_id());
  LobbyWatch watch(channel_, kCalling);
  ASSERT_TRUE(watch.Next().has_snapshot());

  // Not yet: a minute short of the deadline, the ticket is still called.
  clock_.Advance(absl::Minutes(1));
  Lobby(kCalling);
  EXPECT_EQ(GetTicket(a1.ticket_id(), kCalling).state(), v1::TICKET_STATE_CALLED);

  clock_.Advance(absl::Minutes(1));
  Lobby(kCalling);  // any command re-arms the timer against the moved clock
  const v1::LobbyEvent no_show = NextEvent(watch, v1::EVENT_TYPE_TICKET_NO_SHOW);
  EXPECT_EQ(no_show.actor(), "timer");
  EXPECT_EQ(no_show.ticket().ticket_id(), a1.ticket_id());
  EXPECT_EQ(no_show.counter(), 1u);
  EXPECT_EQ(GetTicket(a1.ticket_id(), kCalling).state(), v1::TICKET_STATE_NO_SHOW);
  const v1::LobbyStatus status = Lobby(kCalling);
  ASSERT_NE(FindCounter(status, 1), nullptr);
  EXPECT_FALSE(FindCounter(status, 1)->has_current_ticket());
}

TEST_F(TimerTest, AnsweredCallIsLeftAlone) {
  ASSERT_NO_FATAL_FAILURE(SetAutoNoShow(absl::Minutes(2)));
  Open(1, kCalling);
  const v1::Ticket a1 = IssueIn("A");
  CallNext(1, kCalling);
  StartService(1, kCalling);
  clock_.Advance(absl::Minutes(10));
  Lobby(kCalling);
  EXPECT_EQ(GetTicket(a1.ticket_id(), kCalling).state(), v1::TICKET_STATE_SERVING);
}

TEST_F(TimerTest, DeadlineThatPassedWhileTheServerWasDownRunsAtStartUp) {
  StopServer();
  TempDbFile db("timer");
  ASSERT_NO_FATAL_FAILURE(StartServer(db.path()));
  v1::BranchConfig created;  // the "calling" branch, now in the file
  ASSERT_TRUE(
      IsOk(Call(admin_.get(), &v1::AdminService::Stub::CreateBranch, CallingBranch(), &created)));
  ASSERT_NO_FATAL_FAILURE(SetAutoNoShow(absl::Minutes(2)));
  Open(1, kCalling);
  const v1::Ticket a1 = IssueIn("A");
  CallNext(1, kCalling);
  StopServer();

  clock_.Advance(absl::Minutes(5));
  ASSERT_NO_FATAL_FAILURE(StartServer(db.path()));
  LobbyWatch watch(channel_, kCalling);
  const v1::LobbyUpdate first = watch.Next();
  ASSERT_TRUE(first.has_snapshot());
  // The timer may have run before the watch began; then the snapshot shows it.
  bool ended = false;
  for (const auto& c : first.snapshot().counters()) {
    if (c.counter().number() == 1) ended = !c.has_current_ticket();
  }
  if (!ended) {
    const v1::LobbyEvent no_show = NextEvent(watch, v1::EVENT_TYPE_TICKET_NO_SHOW);
    EXPECT_EQ(no_show.ticket().ticket_id(), a1.ticket_id());
  }
  EXPECT_EQ(GetTicket(a1.ticket_id(), kCalling).state(), v1::TICKET_STATE_NO_SHOW);
}

}  // namespace
}  // namespace lobbyq::e2e
