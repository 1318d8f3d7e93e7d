#pragma once

// Domain values <-> lobbyq.v1 messages. Only the rpc layer sees both.

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lobbyq/v1/lobby.pb.h"
#include "lobbyq/v1/types.pb.h"
#include "server/domain/branch.h"

namespace lobbyq::rpc {

void ToProto(absl::Time t, google::protobuf::Timestamp* out);
void ToProto(absl::Duration d, google::protobuf::Duration* out);
absl::Duration FromProto(const google::protobuf::Duration& d);

v1::TicketState ToProto(domain::TicketState s);
v1::PriorityClass ToProto(domain::PriorityClass p);
v1::CounterState ToProto(domain::CounterState s);
v1::EventType ToProto(domain::EventType t);
// UNSPECIFIED means NORMAL; an unknown number is InvalidArgument.
absl::StatusOr<domain::PriorityClass> PriorityFromProto(v1::PriorityClass p);

// A ticket as the branch sees it now, with people ahead and estimated wait.
void ToProto(const domain::Ticket& ticket, const domain::Branch& branch, v1::Ticket* out);
void ToProto(const domain::ServiceConfig& service, v1::ServiceConfig* out);
void ToProto(const domain::ServiceView& view, v1::ServiceStatus* out);
void ToProto(const domain::Counter& counter, const domain::Branch& branch, v1::CounterStatus* out);
void ToProto(const domain::Branch& branch, v1::BranchConfig* out);
void ToProto(const domain::Branch& branch, absl::Time now, v1::LobbyStatus* out);
void ToProto(const domain::Event& event, const domain::Branch& branch, v1::LobbyEvent* out);

domain::ServiceConfig FromProto(const v1::ServiceConfig& service);
domain::Counter FromProto(const v1::CounterConfig& counter);
domain::BranchDefinition FromProto(const v1::BranchConfig& branch);

}  // namespace lobbyq::rpc
