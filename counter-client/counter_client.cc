#include "counter-client/counter_client.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/client/channel.h"
#include "common/client/format.h"
#include "common/client/status_text.h"

namespace lobbyq::counter {
namespace {

// A name lookup only decorates a result that already happened; it must not hold the teller.
constexpr absl::Duration kNamesDeadline = absl::Seconds(2);

std::string StateWord(v1::CounterState state) {
  return absl::AsciiStrToLower(std::string(client::CounterStateLabel(state).en));
}

}  // namespace

CounterClient::CounterClient(std::string server, const client::ChannelSecurity& security,
                             std::string branch, uint32_t counter, const std::string& token)
    : server_(std::move(server)),
      branch_(std::move(branch)),
      counter_(counter),
      channel_(client::MakeChannel(server_, security, token)),
      counter_stub_(v1::CounterService::NewStub(channel_)),
      lobby_stub_(v1::LobbyService::NewStub(channel_)) {}

std::string CounterClient::Describe(const grpc::Status& status) const {
  return client::DescribeStatus(status, server_);
}

grpc::Status CounterClient::GetLobbyStatus(v1::LobbyStatus* status) {
  v1::GetLobbyStatusRequest request;
  request.set_branch_id(branch_);
  return client::CallWithDeadline(
      [&](grpc::ClientContext* c) { return lobby_stub_->GetLobbyStatus(c, request, status); });
}

void CounterClient::LearnServices(const v1::LobbyStatus& status) {
  names_.Update(status.services());
  names_fetched_ = true;
}

void CounterClient::EnsureNames(const std::string& code) {
  if (names_.Contains(code) || names_fetched_) return;
  names_fetched_ = true;
  v1::GetLobbyStatusRequest request;
  request.set_branch_id(branch_);
  v1::LobbyStatus status;
  const grpc::Status fetched = client::CallWithDeadline(
      [&](grpc::ClientContext* c) { return lobby_stub_->GetLobbyStatus(c, request, &status); },
      kNamesDeadline);
  if (fetched.ok()) names_.Update(status.services());
}

std::string CounterClient::TicketText(const v1::Ticket& ticket) {
  EnsureNames(ticket.service_code());
  std::string text = absl::StrCat(ticket.number(), " (", names_.Label(ticket.service_code()));
  if (ticket.priority() != v1::PRIORITY_CLASS_NORMAL &&
      ticket.priority() != v1::PRIORITY_CLASS_UNSPECIFIED) {
    absl::StrAppend(&text, ", ", client::Bilingual(client::PriorityLabel(ticket.priority())));
  }
  absl::StrAppend(&text, ")");
  return text;
}

ActionResult CounterClient::CounterCall(grpc::Status (v1::CounterService::Stub::*method)(
    grpc::ClientContext*, const v1::CounterRequest&, v1::CounterResponse*)) {
  v1::CounterRequest request;
  request.set_branch_id(branch_);
  request.set_counter(counter_);
  request.set_request_id(client::NewRequestId());
  v1::CounterResponse response;
  ActionResult result;
  result.status = client::CallWithDeadline([&](grpc::ClientContext* c) {
    return (counter_stub_.get()->*method)(c, request, &response);
  });
  if (result.ok()) {
    result.message =
        absl::StrCat("Counter ", counter_, " is ", StateWord(response.counter().state()));
  }
  return result;
}

ActionResult CounterClient::TicketCall(grpc::Status (v1::CounterService::Stub::*method)(
                                           grpc::ClientContext*, const v1::CounterRequest&,
                                           v1::TicketActionResponse*),
                                       v1::TicketActionResponse* response) {
  v1::CounterRequest request;
  request.set_branch_id(branch_);
  request.set_counter(counter_);
  request.set_request_id(client::NewRequestId());
  ActionResult result;
  result.status = client::CallWithDeadline(
      [&](grpc::ClientContext* c) { return (counter_stub_.get()->*method)(c, request, response); });
  return result;
}

ActionResult CounterClient::Open() { return CounterCall(&v1::CounterService::Stub::OpenCounter); }

ActionResult CounterClient::Pause() { return CounterCall(&v1::CounterService::Stub::PauseCounter); }

ActionResult CounterClient::Close() { return CounterCall(&v1::CounterService::Stub::CloseCounter); }

ActionResult CounterClient::CallNext() {
  v1::CounterRequest request;
  request.set_branch_id(branch_);
  request.set_counter(counter_);
  request.set_request_id(client::NewRequestId());
  v1::CallNextResponse response;
  ActionResult result;
  result.status = client::CallWithDeadline(
      [&](grpc::ClientContext* c) { return counter_stub_->CallNext(c, request, &response); });
  if (!result.ok()) return result;
  std::vector<std::string> lines;
  if (response.has_marked_no_show()) {
    const v1::Ticket& gone = response.marked_no_show();
    // It happened first: the recalls were used up, so this call closed it.
    lines.push_back(absl::StrCat("过号 No-show: ", TicketText(gone), " after ", gone.recall_count(),
                                 gone.recall_count() == 1 ? " recall" : " recalls",
                                 " (can be reinstated: reinstate ", gone.number(), ")"));
  }
  if (!response.has_ticket()) {
    lines.push_back(absl::StrCat("No one is waiting for counter ", counter_, "'s services"));
    result.message = absl::StrJoin(lines, "\n");
    return result;
  }
  const v1::Ticket& t = response.ticket();
  lines.push_back(absl::StrCat("Called ", TicketText(t), " to counter ", counter_));
  if (!response.reason().empty())
    lines.push_back(absl::StrCat("  原因 Reason: ", response.reason()));
  if (!t.note().empty() ||
      (!t.origin_service_code().empty() && t.origin_service_code() != t.service_code())) {
    std::string note = absl::StrCat("  备注 Note: ", t.note().empty() ? "-" : t.note());
    if (!t.origin_service_code().empty() && t.origin_service_code() != t.service_code()) {
      absl::StrAppend(&note, "  (transferred from ", t.origin_service_code(), ")");
    }
    lines.push_back(note);
  }
  if (const std::string details = client::DetailsLine(t.details()); !details.empty()) {
    lines.push_back(absl::StrCat("  ", details));
  }
  result.message = absl::StrJoin(lines, "\n");
  return result;
}

ActionResult CounterClient::Recall() {
  v1::TicketActionResponse response;
  ActionResult result = TicketCall(&v1::CounterService::Stub::Recall, &response);
  if (result.ok()) {
    result.message = absl::StrCat("Recalled ", TicketText(response.ticket()), " to counter ",
                                  counter_, " (recall ", response.ticket().recall_count(), ")");
  }
  return result;
}

ActionResult CounterClient::StartService() {
  v1::TicketActionResponse response;
  ActionResult result = TicketCall(&v1::CounterService::Stub::StartService, &response);
  if (result.ok()) {
    result.message =
        absl::StrCat("Serving ", TicketText(response.ticket()), " at counter ", counter_);
  }
  return result;
}

ActionResult CounterClient::Transfer(const std::string& to_service_code, v1::Placement placement,
                                     const std::string& note) {
  v1::TransferRequest request;
  request.set_branch_id(branch_);
  request.set_counter(counter_);
  request.set_request_id(client::NewRequestId());
  request.set_to_service_code(absl::AsciiStrToUpper(to_service_code));
  request.set_placement(placement);
  request.set_note(note);
  v1::TicketActionResponse response;
  ActionResult result;
  result.status = client::CallWithDeadline(
      [&](grpc::ClientContext* c) { return counter_stub_->Transfer(c, request, &response); });
  if (result.ok()) {
    const v1::Ticket& t = response.ticket();
    EnsureNames(t.service_code());
    result.message =
        absl::StrCat("Transferred ", t.number(), " to ", names_.Label(t.service_code()), " (",
                     t.service_code(), "); it waits there again, ", t.people_ahead(), " ahead");
    if (placement != v1::PLACEMENT_UNSPECIFIED) {
      absl::StrAppend(&result.message, " [placed ", client::PlacementName(placement), "]");
    }
    if (!t.note().empty()) absl::StrAppend(&result.message, "\n  备注 Note: ", t.note());
  }
  return result;
}

ActionResult CounterClient::Reinstate(const std::string& ticket) {
  v1::CounterReinstateRequest request;
  request.set_branch_id(branch_);
  request.set_counter(counter_);
  request.set_request_id(client::NewRequestId());
  if (!ticket.empty() &&
      std::all_of(ticket.begin(), ticket.end(), [](char c) { return absl::ascii_isdigit(c); })) {
    request.set_ticket_id(std::stoull(ticket));
  } else {
    request.set_number(absl::AsciiStrToUpper(ticket));
  }
  v1::TicketActionResponse response;
  ActionResult result;
  result.status = client::CallWithDeadline([&](grpc::ClientContext* c) {
    return counter_stub_->ReinstateTicket(c, request, &response);
  });
  if (result.ok()) {
    const v1::Ticket& t = response.ticket();
    result.message = absl::StrCat("Reinstated ", TicketText(t), ": waiting again in ",
                                  t.service_code(), ", ", t.people_ahead(), " ahead");
  }
  return result;
}

ActionResult CounterClient::MarkNoShow() {
  v1::TicketActionResponse response;
  ActionResult result = TicketCall(&v1::CounterService::Stub::MarkNoShow, &response);
  if (result.ok()) {
    result.message = absl::StrCat("Marked ", TicketText(response.ticket()),
                                  " as a no-show at counter ", counter_);
  }
  return result;
}

ActionResult CounterClient::Finish() { return FinishWith("Finished"); }

ActionResult CounterClient::FinishWith(const char* verb) {
  v1::TicketActionResponse response;
  ActionResult result = TicketCall(&v1::CounterService::Stub::Finish, &response);
  if (result.ok()) {
    result.message =
        absl::StrCat(verb, " ", TicketText(response.ticket()), " at counter ", counter_);
  }
  return result;
}

ActionResult CounterClient::StartAndFinish() {
  v1::TicketActionResponse started;
  const ActionResult start = TicketCall(&v1::CounterService::Stub::StartService, &started);
  // FAILED_PRECONDITION: the ticket is already in service (e.g. started from another
  // console); finishing is still what the teller wants. Anything else is told as it is.
  if (!start.ok() && start.status.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
    return start;
  }
  return FinishWith(start.ok() ? "Served and finished" : "Finished");
}

ActionResult CounterClient::Rate(int score, uint64_t ticket_id, const std::string& comment) {
  v1::SubmitRatingRequest request;
  request.set_branch_id(branch_);
  request.set_counter(counter_);
  request.set_request_id(client::NewRequestId());
  request.set_ticket_id(ticket_id);
  request.set_score(score);
  request.set_comment(comment);
  v1::TicketActionResponse response;
  ActionResult result;
  result.status = client::CallWithDeadline(
      [&](grpc::ClientContext* c) { return counter_stub_->SubmitRating(c, request, &response); });
  if (result.ok()) {
    result.message =
        absl::StrCat("Rated ", response.ticket().number(), " ", score, "/5 at counter ", counter_);
  }
  return result;
}

}  // namespace lobbyq::counter
