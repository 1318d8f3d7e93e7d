#pragma once

// What the fuzz targets share: one branch in memory driven the way the runtime
// drives it (handler checks, plan, commit, apply, reply), the invariants that
// no sequence of requests may break, and the rule that bad input gets a clear
// status. A broken rule stops the process (Fail), which libFuzzer records as a
// crash with its input and ctest reports as a failed test.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "fuzz.pb.h"
#include "server/domain/branch.h"
#include "server/domain/permissions.h"
#include "server/rpc/limits.h"
#include "server/rpc/requests.h"

namespace lobbyq::fuzz {

// The fixture branch's id; requests for any other well-formed id get NotFound,
// as from the engine.
inline constexpr char kBranchId[] = "fuzz";

// Fuzz inputs longer than this many steps are cut: each step may run wait
// estimates, and libFuzzer wants each input to take milliseconds.
inline constexpr int kMaxSteps = 48;

[[noreturn]] void Fail(absl::string_view what);

// A refused request must carry a code a client can act on and a message a
// person can read. Internal, Unknown and the like mean the input was not
// foreseen.
void CheckRefusal(const absl::Status& status, absl::string_view method);

// What must hold in a branch whatever requests came before.
void CheckInvariants(const domain::Branch& branch);

// Parses `data` as a serialized `Message`; false for bytes that are not one,
// which the server would never pass to a handler (gRPC refuses them).
template <typename Message>
bool Parse(const uint8_t* data, size_t size, Message* out) {
  return out->ParseFromArray(data, static_cast<int>(size));
}

using PlanFn = std::function<absl::StatusOr<domain::Plan>(const domain::Branch&,
                                                          const domain::CommandContext&)>;

// The lobby is also the server's clock: replies read the time from it.
class FuzzLobby : public Clock {
 public:
  // A copy of one prepared lobby (built once per process): branch "fuzz",
  // services A (appointments), B and C, counters 1-4 with every strategy, and
  // tickets waiting, called, serving, done, no-show and cancelled, and two
  // booked appointments (codes in appointment_codes()).
  static FuzzLobby Prepared();

  const domain::Branch& branch() const { return branch_; }
  absl::Time now() const { return now_; }
  absl::Time Now() const override { return now_; }
  domain::CommandContext Ctx(std::string actor) const;

  // Moves the clock by at most two days, then runs the branch's timer if it is
  // due, as the runtime's timer does.
  void Advance(uint32_t seconds);

  // RunCommand's path after the handler's own checks: the branch id, the
  // branch looked up, the plan, commit and apply. The applied plan, or nullopt
  // when the request was refused (and the refusal was checked).
  std::optional<domain::Plan> Run(absl::string_view method, const std::string& branch_id,
                                  const PlanFn& plan);
  // The same for a request the handler refused before RunCommand.
  void Refused(absl::string_view method, const absl::Status& status) {
    CheckRefusal(status, method);
  }
  // A handler's whole command (server/rpc/requests.h), as the server runs it:
  // refused by the request's own checks, or run as above and its reply filled.
  std::optional<domain::Plan> RunCommand(absl::string_view method, const std::string& branch_id,
                                         absl::StatusOr<rpc::Command> command);

  // Who the kiosk requests come from: the branch's kiosk, with the server's
  // default limits and its own issuing rate.
  rpc::IssueGate KioskGate() { return {kiosk_, limits_, *issue_rate_}; }

  // What a restart would rebuild from the rows committed so far (the store
  // keeps the last row per key) must be the branch in memory: the same
  // tickets, queues, counters, appointments, calling order and deadlines.
  void CheckRestart() const;

  // Applies well-formed traffic; refusals are expected (nobody waiting, ...).
  void Drive(const fuzz::Drive& drive);

  // Every event committed so far, in order (what the store's log would hold).
  const std::vector<domain::Event>& events() const { return events_; }
  const std::vector<std::string>& appointment_codes() const { return codes_; }
  // What the server's random source does, deterministic: codes of the
  // appointment alphabet, never repeating.
  std::string NewAppointmentCode();

 private:
  FuzzLobby(domain::Branch branch, absl::Time now) : branch_(std::move(branch)), now_(now) {}
  // Plans, and commits the plan if it is OK (events numbered as the store
  // does); a failing plan is returned untouched.
  absl::StatusOr<domain::Plan> Commit(absl::StatusOr<domain::Plan> plan);
  void RunTimers();
  // For the prepared lobby: a command that must succeed.
  domain::Plan Must(absl::string_view what, absl::StatusOr<domain::Plan> plan);

  domain::Branch branch_;
  absl::Time now_;
  uint64_t seq_ = 0;
  uint64_t next_code_ = 0;
  std::vector<domain::Event> events_;
  std::vector<std::string> codes_;
  // The rows on disk, last write per key.
  domain::BranchInfo info_row_;
  std::vector<domain::ServiceConfig> service_rows_;
  std::map<uint32_t, domain::Counter> counter_rows_;
  std::map<uint64_t, domain::Ticket> ticket_rows_;
  std::map<std::pair<std::string, absl::CivilDay>, domain::NumberSequence> sequence_rows_;
  std::map<std::string, domain::Appointment> appointment_rows_;
  std::vector<domain::RequestRecord> request_rows_;
  domain::Principal kiosk_{.name = "device:kiosk-1", .role = domain::Role::kKiosk};
  rpc::Limits limits_;
  // Fresh in every copy Prepared() hands out, so each input starts with a full
  // bucket.
  std::shared_ptr<rpc::IssueRateLimiter> issue_rate_;
};

// One session of a request family: parse it, play at most kMaxSteps of its
// steps on a prepared lobby, then check that a restart rebuilds the same branch.
template <typename Session, typename StepFn>
int RunSession(const uint8_t* data, size_t size, StepFn step) {
  Session session;
  if (!Parse(data, size, &session)) return 0;
  FuzzLobby lobby = FuzzLobby::Prepared();
  for (int i = 0; i < session.steps_size() && i < kMaxSteps; ++i) step(lobby, session.steps(i));
  lobby.CheckRestart();
  return 0;
}

// Fuzz targets. Each takes one input, returns 0, and stops the process on a
// finding. The libFuzzer entry points and the regression test call these.
int RunKiosk(const uint8_t* data, size_t size);
int RunCounter(const uint8_t* data, size_t size);
int RunAppointment(const uint8_t* data, size_t size);
int RunAdmin(const uint8_t* data, size_t size);
int RunLobby(const uint8_t* data, size_t size);
int RunConfig(const uint8_t* data, size_t size);
int RunFields(const uint8_t* data, size_t size);

}  // namespace lobbyq::fuzz
