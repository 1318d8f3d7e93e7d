#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "lobbyq/v1/lobby.grpc.pb.h"

namespace lobbyq::client {

// Follows LobbyService.WatchLobby for one branch on a background thread and reconnects
// (with backoff) when the stream ends. Callbacks run on that thread; exceptions from them
// are caught and reported, never allowed to end the process. Stop() — also run by the
// destructor — cancels the call in flight and joins, so it returns promptly.
class LobbyWatcher {
 public:
  struct Callbacks {
    // A complete, current view: the stream's snapshot, or a re-fetch after events.
    std::function<void(const v1::LobbyStatus&)> on_status;
    // Every event, in log order.
    std::function<void(const v1::LobbyEvent&)> on_event;
    // Empty when live; otherwise a line saying what is wrong and that it is retrying.
    std::function<void(const std::string&)> on_problem;
    // The whole set of active alerts, each time it changes. Snapshots carry the set too
    // (LobbyStatus.alerts), through on_status only.
    std::function<void(const v1::AlertList&)> on_alerts;
  };

  // With `refetch_after_events`, each event not yet covered by the last view triggers a
  // GetLobbyStatus, so on_status always has queue lengths and waits that events lack.
  LobbyWatcher(std::shared_ptr<grpc::Channel> channel, std::string branch, std::string server,
               bool refetch_after_events, Callbacks callbacks);
  ~LobbyWatcher();
  LobbyWatcher(const LobbyWatcher&) = delete;
  LobbyWatcher& operator=(const LobbyWatcher&) = delete;

  void Start();
  void Stop();

 private:
  void Run() noexcept;
  grpc::Status WatchOnce(bool* connected);
  // Calls made on this thread register their context so Stop() can cancel them; false
  // (and no call) once stopping.
  bool Register(grpc::ClientContext* context);
  void Unregister(grpc::ClientContext* context);
  void ReportProblem(const std::string& problem);

  std::unique_ptr<v1::LobbyService::Stub> stub_;
  const std::string branch_;
  const std::string server_;
  const bool refetch_after_events_;
  const Callbacks callbacks_;

  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;                        // guarded by mu_
  std::vector<grpc::ClientContext*> in_flight_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace lobbyq::client
