#include <algorithm>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "server/domain/alerts.h"
#include "server/domain/validation.h"
#include "server/rpc/command.h"
#include "server/rpc/insight_mapping.h"
#include "server/rpc/mapping.h"
#include "server/rpc/requests.h"
#include "server/rpc/services.h"
#include "server/rpc/status.h"

namespace lobbyq::rpc {
namespace {

// A watcher that falls this far behind is cut off rather than let the server
// hold an unbounded backlog for it.
constexpr size_t kMaxBacklog = 1000;

class WatchReactor;

// What decides whether a watcher hears of a new alert set: the ids and their
// severities. A reason alone changing (a wait one minute longer) is no news.
using AlertKey = std::vector<std::pair<std::string, domain::AlertSeverity>>;

AlertKey KeyOf(const std::vector<domain::Alert>& alerts) {
  AlertKey key;
  for (const auto& alert : alerts) key.emplace_back(alert.id, alert.severity);
  std::sort(key.begin(), key.end());
  return key;
}

// The runtime's end of one WatchLobby stream. It outlives the reactor (the
// runtime may still hold it when gRPC is done), so it talks to the reactor only
// under its mutex and only while attached.
class WatchFeed final : public runtime::LobbySubscriber {
 public:
  explicit WatchFeed(WatchReactor* reactor) : reactor_(reactor) {}

  void OnSnapshot(const domain::Branch& branch, absl::Time now) override {
    v1::LobbyUpdate update;
    ToProto(branch, now, update.mutable_snapshot());
    const std::vector<domain::Alert> alerts = domain::ActiveAlerts(branch, now);
    AddInsight(branch, now, alerts, update.mutable_snapshot());
    std::lock_guard lock(mu_);
    last_alerts_ = KeyOf(alerts);
    EnqueueLocked(std::move(update));
  }

  void OnEvents(const std::vector<domain::Event>& events, const domain::Branch& branch) override {
    // At the command's own time: the alerts as they stand right after it.
    std::optional<std::vector<domain::Alert>> alerts;
    if (!events.empty()) alerts = domain::ActiveAlerts(branch, events.back().at);
    std::lock_guard lock(mu_);
    for (const auto& event : events) {
      v1::LobbyUpdate update;
      ToProto(event, branch, update.mutable_event());
      EnqueueLocked(std::move(update));
    }
    if (alerts) SendAlertsIfChangedLocked(std::move(*alerts));
    CheckBacklogLocked();
  }

  void OnTick(const domain::Branch& branch, absl::Time now) override {
    std::vector<domain::Alert> alerts = domain::ActiveAlerts(branch, now);
    std::lock_guard lock(mu_);
    SendAlertsIfChangedLocked(std::move(alerts));
    CheckBacklogLocked();
  }

  void OnClose() override {
    std::lock_guard lock(mu_);
    FinishLocked(absl::UnavailableError("the server is shutting down"));
  }

  bool Closed() const override {
    std::lock_guard lock(mu_);
    return reactor_ == nullptr || finish_status_.has_value();
  }

  // Reactor callbacks.
  void WriteDone(bool ok);
  void Finish(const absl::Status& status) {
    std::lock_guard lock(mu_);
    FinishLocked(status);
  }
  void Detach() {
    std::lock_guard lock(mu_);
    reactor_ = nullptr;
  }

 private:
  void EnqueueLocked(v1::LobbyUpdate update);
  void FinishLocked(const absl::Status& status);
  void CheckBacklogLocked() {
    if (queue_.size() > kMaxBacklog) {
      FinishLocked(absl::ResourceExhaustedError(
          "this watcher fell too far behind; reconnect to get a fresh snapshot"));
    }
  }
  void SendAlertsIfChangedLocked(std::vector<domain::Alert> alerts) {
    if (reactor_ == nullptr || finish_status_) return;
    AlertKey key = KeyOf(alerts);
    if (key == last_alerts_) return;
    last_alerts_ = std::move(key);
    v1::LobbyUpdate update;
    ToProto(alerts, update.mutable_alerts());
    EnqueueLocked(std::move(update));
  }

  mutable std::mutex mu_;
  WatchReactor* reactor_;              // null once gRPC is done with the stream
  std::deque<v1::LobbyUpdate> queue_;  // front is being written while writing_
  bool writing_ = false;
  std::optional<absl::Status> finish_status_;  // set once Finish was decided
  bool finish_sent_ = false;
  AlertKey last_alerts_;  // as last sent, in the snapshot or an alerts update
};

class WatchReactor final : public grpc::ServerWriteReactor<v1::LobbyUpdate> {
 public:
  WatchReactor() : feed_(std::make_shared<WatchFeed>(this)) {}
  std::shared_ptr<WatchFeed> feed() { return feed_; }

  void OnWriteDone(bool ok) override { feed_->WriteDone(ok); }
  void OnCancel() override { feed_->Finish(absl::CancelledError("the watcher went away")); }
  void OnDone() override {
    feed_->Detach();
    delete this;
  }

 private:
  std::shared_ptr<WatchFeed> feed_;
};

void WatchFeed::EnqueueLocked(v1::LobbyUpdate update) {
  if (reactor_ == nullptr || finish_status_) return;
  queue_.push_back(std::move(update));
  if (!writing_) {
    writing_ = true;
    reactor_->StartWrite(&queue_.front());
  }
}

void WatchFeed::FinishLocked(const absl::Status& status) {
  if (reactor_ == nullptr || finish_sent_) return;
  if (!finish_status_) finish_status_ = status;
  // gRPC allows Finish only with no write in flight; WriteDone sends it otherwise.
  if (!writing_) {
    finish_sent_ = true;
    reactor_->Finish(ToGrpcStatus(*finish_status_));
  }
}

void WatchFeed::WriteDone(bool ok) {
  std::lock_guard lock(mu_);
  writing_ = false;
  queue_.pop_front();
  if (reactor_ == nullptr) return;
  if (!ok) {
    FinishLocked(absl::CancelledError("the watcher went away"));
    return;
  }
  if (finish_status_) {
    FinishLocked(*finish_status_);
    return;
  }
  if (!queue_.empty()) {
    writing_ = true;
    reactor_->StartWrite(&queue_.front());
  }
}

}  // namespace

Command GetLobbyStatusCommand(v1::LobbyStatus* response, const Clock& clock) {
  return {ReadOnly, [response, &clock](const domain::Branch& branch, const domain::Plan&) {
            const absl::Time now = clock.Now();
            ToProto(branch, now, response);
            AddInsight(branch, now, domain::ActiveAlerts(branch, now), response);
          }};
}

Command PreviewOrderCommand(v1::PreviewOrderResponse* response, const Clock& clock) {
  return {ReadOnly, [response, &clock](const domain::Branch& branch, const domain::Plan&) {
            int position = 0;
            for (const domain::PreviewEntry& entry : branch.PreviewOrder(clock.Now())) {
              const domain::Ticket* ticket = branch.FindTicket(entry.ticket_id);
              if (ticket == nullptr) continue;
              v1::PreviewEntry* out = response->add_entries();
              out->set_position(++position);
              ToProto(*ticket, branch, out->mutable_ticket());  // a display: no details
              out->set_counter(entry.counter);
              out->set_reason(std::string(domain::Name(entry.reason)));
            }
          }};
}

grpc::ServerUnaryReactor* LobbyServiceImpl::GetLobbyStatus(grpc::CallbackServerContext* context,
                                                           const v1::GetLobbyStatusRequest* request,
                                                           v1::LobbyStatus* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kGetLobbyStatus, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "GetLobbyStatus", caller.status());
  return RunCommand(engine_, context, "GetLobbyStatus", request->branch_id(), caller->name,
                    GetLobbyStatusCommand(response, engine_.clock()));
}

grpc::ServerUnaryReactor* LobbyServiceImpl::PreviewOrder(grpc::CallbackServerContext* context,
                                                         const v1::PreviewOrderRequest* request,
                                                         v1::PreviewOrderResponse* response) {
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kPreviewOrder, {request->branch_id()});
  if (!caller.ok()) return Reject(context, "PreviewOrder", caller.status());
  return RunCommand(engine_, context, "PreviewOrder", request->branch_id(), caller->name,
                    PreviewOrderCommand(response, engine_.clock()));
}

grpc::ServerWriteReactor<v1::LobbyUpdate>* LobbyServiceImpl::WatchLobby(
    grpc::CallbackServerContext* context, const v1::WatchLobbyRequest* request) {
  auto* reactor = new WatchReactor();
  const absl::StatusOr<domain::Principal> caller =
      Authorize(auth_, *context, domain::Operation::kWatchLobby, {request->branch_id()});
  absl::Status status = caller.status();
  if (status.ok()) status = domain::ValidateBranchId(request->branch_id());
  if (status.ok()) status = engine_.Subscribe(request->branch_id(), reactor->feed());
  if (!status.ok()) {
    spdlog::debug("WatchLobby branch={}: {}", request->branch_id(), status.ToString());
    reactor->feed()->Finish(status);
  }
  return reactor;
}

}  // namespace lobbyq::rpc
