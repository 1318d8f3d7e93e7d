#pragma once

#include "counter-client/counter_client.h"

namespace lobbyq::counter {

// The teller console: single keys on a terminal (n call next, r recall, s start, f finish,
// x no-show, t transfer, p pause, o open, c close, q quit) and a screen kept live from
// WatchLobby. With stdin not a terminal it reads one key per line and prints one result
// line per key instead of a screen, so it can be scripted.
//
// Returns the exit code: 0; 1 if the counter cannot be found, or, reading from a pipe, if
// any action failed; 128+signal when ended by a signal.
int RunConsole(CounterClient* client);

}  // namespace lobbyq::counter
