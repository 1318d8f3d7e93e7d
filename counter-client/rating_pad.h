#pragma once

#include "counter-client/counter_client.h"

namespace lobbyq::counter {

// The customer-facing pad at a counter: asks "请为本次服务评分 / Please rate our service:
// 1-5", submits the key pressed as the rating of the ticket last finished here, thanks the
// customer, then waits for the next ticket finished at this counter (from WatchLobby) and
// asks again. It starts by asking, unless the counter has never finished a ticket. q quits.
// With `once` it asks once, submits and exits.
//
// On a pipe it reads one key per line; a rating typed ahead waits for the next finished
// ticket, so `printf '5\n4\n'` rates two customers in turn.
//
// Returns the exit code: 0; 1 if the counter cannot be found or (with `once`) the rating
// was refused; 128+signal when ended by a signal.
int RunRatingPad(CounterClient* client, bool once);

}  // namespace lobbyq::counter
