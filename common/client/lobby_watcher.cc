#include "common/client/lobby_watcher.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/client/channel.h"
#include "common/client/status_text.h"

namespace lobbyq::client {
namespace {

constexpr absl::Duration kFirstBackoff = absl::Milliseconds(500);
constexpr absl::Duration kMaxBackoff = absl::Seconds(10);

}  // namespace

LobbyWatcher::LobbyWatcher(std::shared_ptr<grpc::Channel> channel, std::string branch,
                           std::string server, bool refetch_after_events, Callbacks callbacks)
    : stub_(v1::LobbyService::NewStub(std::move(channel))),
      branch_(std::move(branch)),
      server_(std::move(server)),
      refetch_after_events_(refetch_after_events),
      callbacks_(std::move(callbacks)) {}

LobbyWatcher::~LobbyWatcher() { Stop(); }

void LobbyWatcher::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void LobbyWatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (grpc::ClientContext* context : in_flight_) context->TryCancel();
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LobbyWatcher::Register(grpc::ClientContext* context) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return false;
  in_flight_.push_back(context);
  return true;
}

void LobbyWatcher::Unregister(grpc::ClientContext* context) {
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_.erase(std::remove(in_flight_.begin(), in_flight_.end(), context), in_flight_.end());
}

void LobbyWatcher::ReportProblem(const std::string& problem) {
  if (callbacks_.on_problem) callbacks_.on_problem(problem);
}

void LobbyWatcher::Run() noexcept {
  absl::Duration backoff = kFirstBackoff;
  for (;;) {
    bool connected = false;
    grpc::Status status;
    try {
      status = WatchOnce(&connected);
    } catch (const std::exception& e) {
      status = grpc::Status(grpc::StatusCode::INTERNAL, e.what());
    } catch (...) {
      status = grpc::Status(grpc::StatusCode::INTERNAL, "unexpected failure");
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) return;
    lock.unlock();
    if (connected) backoff = kFirstBackoff;
    try {
      ReportProblem(absl::StrCat("live view lost: ", client::DescribeStatus(status, server_),
                                 "; reconnecting"));
    } catch (...) {
      // Nothing more can be told to a caller whose callback throws; keep watching.
    }
    lock.lock();
    stop_cv_.wait_for(lock, absl::ToChronoMilliseconds(backoff), [this] { return stopping_; });
    if (stopping_) return;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

grpc::Status LobbyWatcher::WatchOnce(bool* connected) {
  grpc::ClientContext context;
  if (!Register(&context)) return grpc::Status::CANCELLED;
  // On every way out, exceptions from callbacks included, the stream is ended (a no-op
  // after Finish) and forgotten.
  struct Registration {
    LobbyWatcher* watcher;
    grpc::ClientContext* context;
    ~Registration() {
      context->TryCancel();
      watcher->Unregister(context);
    }
  } registration{this, &context};

  // No deadline: the stream lives as long as the console. Waiting for the server instead of
  // failing fast keeps gRPC reconnecting, so the view comes back as soon as the server does.
  context.set_wait_for_ready(true);
  v1::WatchLobbyRequest request;
  request.set_branch_id(branch_);
  std::unique_ptr<grpc::ClientReader<v1::LobbyUpdate>> reader =
      stub_->WatchLobby(&context, request);
  v1::LobbyUpdate update;
  uint64_t seen_seq = 0;
  while (reader->Read(&update)) {
    if (!*connected) {
      *connected = true;
      ReportProblem("");
    }
    if (update.has_snapshot()) {
      seen_seq = update.snapshot().last_event_seq();
      if (callbacks_.on_status) callbacks_.on_status(update.snapshot());
      continue;
    }
    if (update.has_alerts()) {
      if (callbacks_.on_alerts) callbacks_.on_alerts(update.alerts());
      continue;
    }
    if (!update.has_event()) continue;
    const v1::LobbyEvent& event = update.event();
    if (callbacks_.on_event) callbacks_.on_event(event);
    // A burst of events needs one re-fetch: the view fetched for the first one already
    // includes the rest.
    if (!refetch_after_events_ || event.seq() <= seen_seq) continue;
    grpc::ClientContext fetch_context;
    if (!Register(&fetch_context)) break;
    client::SetDeadline(&fetch_context);
    v1::GetLobbyStatusRequest fetch_request;
    fetch_request.set_branch_id(branch_);
    v1::LobbyStatus fresh;
    const grpc::Status fetched = stub_->GetLobbyStatus(&fetch_context, fetch_request, &fresh);
    Unregister(&fetch_context);
    if (fetched.ok()) {
      seen_seq = std::max(event.seq(), fresh.last_event_seq());
      if (callbacks_.on_status) callbacks_.on_status(fresh);
      ReportProblem("");
    } else {
      ReportProblem(
          absl::StrCat("view may be out of date: ", client::DescribeStatus(fetched, server_)));
    }
  }
  return reader->Finish();
}

}  // namespace lobbyq::client
