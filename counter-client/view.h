#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lobbyq/v1/lobby.pb.h"

namespace lobbyq::counter {

// nullptr when the branch has no such counter.
const v1::CounterStatus* FindCounter(const v1::LobbyStatus& lobby, uint32_t counter);

// What a teller needs about their counter: its state, the current ticket with the time
// since it was called, and every queue with its length and longest wait (this counter's
// services first, in calling order, marked *). `age` is how long ago `lobby` was fetched;
// it is added to the server's times so timers keep running between fetches and a skewed
// local clock does not matter.
std::vector<std::string> RenderCounterView(const v1::LobbyStatus& lobby, uint32_t counter,
                                           absl::Duration age);

}  // namespace lobbyq::counter
