#pragma once

// Domain values <-> lobbyq.v1 messages. Only the rpc layer sees both.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lobbyq/v1/appointment.pb.h"
#include "lobbyq/v1/lobby.pb.h"
#include "lobbyq/v1/types.pb.h"
#include "server/domain/branch.h"

namespace lobbyq::rpc {

void ToProto(absl::Time t, google::protobuf::Timestamp* out);
void ToProto(absl::Duration d, google::protobuf::Duration* out);
absl::Duration FromProto(const google::protobuf::Duration& d);
absl::Time FromProto(const google::protobuf::Timestamp& t);

v1::TicketState ToProto(domain::TicketState s);
v1::PriorityClass ToProto(domain::PriorityClass p);
v1::CounterState ToProto(domain::CounterState s);
v1::EventType ToProto(domain::EventType t);
v1::CallStrategy ToProto(domain::CallStrategy s);
v1::Placement ToProto(domain::Placement p);
v1::AppointmentState ToProto(domain::AppointmentState s);

// Enums from requests. An unknown number is InvalidArgument naming `field`.
// UNSPECIFIED means NORMAL.
absl::StatusOr<domain::PriorityClass> PriorityFromProto(v1::PriorityClass p,
                                                        absl::string_view field = "priority");
// UNSPECIFIED means IN_ORDER.
absl::StatusOr<domain::CallStrategy> StrategyFromProto(v1::CallStrategy s,
                                                       absl::string_view field = "strategy");
// UNSPECIFIED means "the default", which the caller decides: nullopt.
absl::StatusOr<std::optional<domain::Placement>> PlacementFromProto(
    v1::Placement p, absl::string_view field = "placement");

// Form-free details are shown only to the kiosk that took them and to tellers;
// lobby displays (WatchLobby, GetLobbyStatus, PreviewOrder) and admin replies
// never get them. Omitting is the default, so a new caller cannot leak them.
enum class Details { kOmit, kInclude };

// A ticket as the branch sees it now, with people ahead; the wait estimate is
// added by AddWaitEstimate where the customer asks for it (it is a simulation,
// too costly for every ticket of every display update).
void ToProto(const domain::Ticket& ticket, const domain::Branch& branch, v1::Ticket* out,
             Details details = Details::kOmit);
// Sets estimated_wait and wait_estimate of a WAITING ticket with an open counter.
void AddWaitEstimate(const domain::Ticket& ticket, const domain::Branch& branch, absl::Time now,
                     v1::Ticket* out);
void ToProto(const domain::WaitEstimate& estimate, v1::WaitEstimate* out);
void ToProto(const domain::TransactionDetails& details, v1::TransactionDetails* out);
void ToProto(const domain::ServiceConfig& service, v1::ServiceConfig* out);
void ToProto(const domain::ServiceView& view, v1::ServiceStatus* out);
void ToProto(const domain::Counter& counter, v1::CounterConfig* out);
void ToProto(const domain::Counter& counter, const domain::Branch& branch, v1::CounterStatus* out,
             Details details = Details::kOmit);
void ToProto(const domain::BranchInfo& info, v1::BranchPolicy* out);
void ToProto(const domain::Branch& branch, v1::BranchConfig* out);
void ToProto(const domain::Branch& branch, absl::Time now, v1::LobbyStatus* out);
void ToProto(const domain::Event& event, const domain::Branch& branch, v1::LobbyEvent* out);
// The phone is always masked.
void ToProto(const domain::Appointment& appointment, const domain::Branch& branch,
             v1::Appointment* out);
void ToProto(const domain::SlotView& slot, const domain::Branch& branch, v1::Slot* out);

domain::ServiceConfig FromProto(const v1::ServiceConfig& service);
domain::TransactionDetails FromProto(const v1::TransactionDetails& details);
// InvalidArgument for an unknown strategy or class (the field named).
absl::StatusOr<domain::Counter> FromProto(const v1::CounterConfig& counter);
// Sets in `info` every field of `policy` that is set; InvalidArgument for an
// unknown placement (the field named). Values are checked by the domain.
absl::Status ApplyPolicy(const v1::BranchPolicy& policy, domain::BranchInfo* info);
absl::StatusOr<domain::BranchDefinition> FromProto(const v1::BranchConfig& branch);

// "YYYY-MM-DD"; InvalidArgument naming `field` otherwise.
absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view text, absl::string_view field = "day");

}  // namespace lobbyq::rpc
