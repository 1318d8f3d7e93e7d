// lobbyq-kiosk: lists services, issues tickets and answers "how long still?" for a branch.

#include <algorithm>
#include <cstdint>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <CLI/CLI.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/client/branch_time.h"
#include "common/client/channel.h"
#include "common/client/credentials.h"
#include "common/client/format.h"
#include "common/client/services.h"
#include "common/client/status_text.h"
#include "lobbyq/v1/admin.grpc.pb.h"
#include "lobbyq/v1/appointment.grpc.pb.h"
#include "lobbyq/v1/kiosk.grpc.pb.h"
#include "lobbyq/v1/lobby.grpc.pb.h"

namespace lobbyq::kiosk {
namespace {

constexpr char kProgram[] = "lobbyq-kiosk";

// Retries of IssueTicket when the server may not have answered: 200 ms, 400 ms, ... 3.2 s,
// about 6 s in all, which is as long as a customer waits at a kiosk before walking off.
constexpr int kIssueRetries = 5;
constexpr absl::Duration kFirstBackoff = absl::Milliseconds(200);

struct Options {
  std::string server = client::kDefaultServer;
  std::string branch = "demo";
  std::string kiosk_id = "kiosk-cli";
  client::ChannelSecurity security;
};

// The reply may have been lost after the ticket was committed; only the same request id
// makes a retry safe.
bool MayRetry(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

// What the customer typed for a booking.
struct Booking {
  std::string service;
  std::string slot;  // HH:MM, branch local time
  std::string day;   // YYYY-MM-DD; empty = the branch's business day today
  std::string name;
  std::string phone;
  std::string request_id;
};

class Kiosk {
 public:
  Kiosk(Options options, const std::string& token)
      : options_(std::move(options)),
        channel_(client::MakeChannel(options_.server, options_.security, token)),
        stub_(v1::KioskService::NewStub(channel_)),
        appointments_(v1::AppointmentService::NewStub(channel_)) {}

  int Services() {
    v1::ListServicesResponse response;
    const grpc::Status status = ListServices(&response);
    if (!status.ok()) return Fail(status);
    if (response.services().empty()) {
      std::cout << "Branch " << options_.branch << " offers no services.\n";
      return 0;
    }
    std::vector<std::vector<std::string>> rows;
    for (const v1::ServiceStatus& s : response.services()) {
      const bool waiting = s.waiting_count() > 0;
      rows.push_back({
          s.service().code(),
          s.service().name_zh(),
          s.service().name_en(),
          absl::StrCat(s.waiting_count()),
          waiting ? client::ApproxDurationEn(client::ToAbslDuration(s.longest_wait())) : "-",
          // With no counter open any estimate would be a guess the customer holds us to.
          s.has_estimated_wait()
              ? client::ApproxDurationEn(client::ToAbslDuration(s.estimated_wait()))
              : "no counter open",
          absl::StrCat(s.open_counters()),
      });
    }
    std::cout << client::RenderTable(
        {"Code", "业务", "Service", "Waiting", "Longest wait", "Est. wait", "Open counters"}, rows);
    return 0;
  }

  int Take(const std::string& service_code, v1::PriorityClass priority, std::string request_id,
           const v1::TransactionDetails& details) {
    if (request_id.empty()) request_id = client::NewRequestId();
    v1::IssueTicketRequest request;
    request.set_branch_id(options_.branch);
    request.set_service_code(absl::AsciiStrToUpper(service_code));
    request.set_priority(priority);
    request.set_request_id(request_id);
    request.set_kiosk_id(options_.kiosk_id);
    *request.mutable_details() = details;

    v1::TicketResponse response;
    const grpc::Status status = WithRetries(
        [&](grpc::ClientContext* c) { return stub_->IssueTicket(c, request, &response); },
        [&] { response.Clear(); });
    if (!status.ok()) return FailRetryable(status, request_id, "a second ticket");
    PrintSlip(response.ticket());
    return 0;
  }

  // Checks in an appointment: the server's words first (on time, early, or too late for an
  // appointment ticket), then the slip.
  int CheckIn(const std::string& code) {
    v1::CheckInAppointmentRequest request;
    request.set_branch_id(options_.branch);
    request.set_code(code);
    request.set_kiosk_id(options_.kiosk_id);
    // Retries carry the same id: a check-in whose reply was lost is answered
    // with its ticket, even on a later day when the code alone is refused.
    request.set_request_id(client::NewRequestId());
    v1::CheckInAppointmentResponse response;
    const grpc::Status status = WithRetries(
        [&](grpc::ClientContext* c) { return stub_->CheckInAppointment(c, request, &response); },
        [&] { response.Clear(); });
    if (!status.ok()) return Fail(status);
    std::cout << OutcomeWords(response.outcome()) << "\n";
    if (!response.message().empty()) std::cout << response.message() << "\n";
    PrintSlip(response.ticket());
    return 0;
  }

  int Slots(const std::string& service_code, const std::string& day_option) {
    client::BranchTime branch;
    if (grpc::Status s =
            client::LoadBranchTime(channel_, options_.branch, day_option, kProgram, &branch);
        !s.ok()) {
      return Fail(s);
    }
    v1::ListSlotsRequest request;
    request.set_branch_id(options_.branch);
    request.set_service_code(absl::AsciiStrToUpper(service_code));
    request.set_day(branch.day);
    v1::ListSlotsResponse response;
    const grpc::Status status = client::CallWithDeadline(
        [&](grpc::ClientContext* c) { return appointments_->ListSlots(c, request, &response); });
    if (!status.ok()) return Fail(status);
    std::cout << ServiceName(request.service_code()) << " · " << branch.day << "\n";
    if (response.slots().empty()) {
      std::cout << "No slots on this day.\n";
      return 0;
    }
    std::cout << client::SlotsTable(response, branch.zone);
    return 0;
  }

  int Book(Booking booking) {
    const std::optional<absl::Duration> at = client::ParseTimeOfDay(booking.slot);
    if (!at) {
      std::cerr << kProgram << ": invalid: --slot '" << booking.slot
                << "' is not a time; write HH:MM as `slots` lists them, e.g. 10:30\n";
      return 2;
    }
    client::BranchTime branch;
    if (grpc::Status s =
            client::LoadBranchTime(channel_, options_.branch, booking.day, kProgram, &branch);
        !s.ok()) {
      return Fail(s);
    }
    const absl::CivilDay day = *client::ParseDay(branch.day);
    const absl::Time slot_start =
        absl::FromCivil(absl::CivilMinute(day) + absl::ToInt64Minutes(*at), branch.zone);

    if (booking.request_id.empty()) booking.request_id = client::NewRequestId();
    v1::BookAppointmentRequest request;
    request.set_branch_id(options_.branch);
    request.set_service_code(absl::AsciiStrToUpper(booking.service));
    request.mutable_slot_start()->set_seconds(absl::ToUnixSeconds(slot_start));
    request.set_customer_name(booking.name);
    request.set_phone(booking.phone);
    request.set_request_id(booking.request_id);
    v1::Appointment response;
    const grpc::Status status = WithRetries(
        [&](grpc::ClientContext* c) {
          return appointments_->BookAppointment(c, request, &response);
        },
        [&] { response.Clear(); });
    if (!status.ok()) return FailRetryable(status, booking.request_id, "a second booking");
    std::cout << client::AppointmentSlip(response, ServiceName(response.service_code()),
                                         branch.zone);
    return 0;
  }

  int CancelAppointment(const std::string& code) {
    v1::CancelAppointmentRequest request;
    request.set_branch_id(options_.branch);
    request.set_code(code);
    v1::Appointment response;
    const grpc::Status status = client::CallWithDeadline([&](grpc::ClientContext* c) {
      return appointments_->CancelAppointment(c, request, &response);
    });
    if (!status.ok()) return Fail(status);
    std::cout << "预约已取消 " << response.code() << " / Appointment " << response.code()
              << " cancelled\n";
    return 0;
  }

  // The customer came back after being marked a no-show. `ticket` is the number on the
  // slip ("A012", today's) or the ticket id.
  int Reinstate(const std::string& ticket) {
    v1::ReinstateTicketRequest request;
    request.set_branch_id(options_.branch);
    if (!ticket.empty() && std::all_of(ticket.begin(), ticket.end(), absl::ascii_isdigit)) {
      request.set_ticket_id(std::stoull(ticket));
    } else {
      request.set_number(absl::AsciiStrToUpper(ticket));
    }
    v1::TicketResponse response;
    const grpc::Status status = client::CallWithDeadline(
        [&](grpc::ClientContext* c) { return stub_->ReinstateTicket(c, request, &response); });
    if (!status.ok()) return Fail(status);
    const v1::Ticket& t = response.ticket();
    std::cout << "已恢复排队 " << t.number() << " / " << t.number() << " is back in the queue\n";
    std::cout << client::PeopleAhead(t.people_ahead()) << "\n";
    std::cout << client::EstimatedWaitLine(t) << "\n";
    return 0;
  }

  int Status(uint64_t ticket_id) {
    v1::GetTicketRequest request;
    request.set_branch_id(options_.branch);
    request.set_ticket_id(ticket_id);
    v1::TicketResponse response;
    const grpc::Status status = client::CallWithDeadline(
        [&](grpc::ClientContext* c) { return stub_->GetTicket(c, request, &response); });
    if (!status.ok()) return Fail(status);

    const v1::Ticket& t = response.ticket();
    std::cout << t.number() << "  " << ServiceName(t.service_code()) << "\n";
    std::cout << "状态 State: " << client::Bilingual(client::TicketStateLabel(t.state()), " / ")
              << "\n";
    if (t.priority() != v1::PRIORITY_CLASS_NORMAL &&
        t.priority() != v1::PRIORITY_CLASS_UNSPECIFIED) {
      std::cout << client::Bilingual(client::PriorityLabel(t.priority()), " / ") << "\n";
    }
    switch (t.state()) {
      case v1::TICKET_STATE_WAITING: {
        std::cout << client::PeopleAhead(t.people_ahead()) << "\n";
        std::cout << client::EstimatedWaitLine(t) << "\n";
        break;
      }
      case v1::TICKET_STATE_CALLED:
      case v1::TICKET_STATE_SERVING:
        std::cout << "请到 " << t.counter() << " 号窗口 / Please go to counter " << t.counter()
                  << "\n";
        break;
      default:
        break;
    }
    std::cout << "取号时间 " << client::LocalHhMm(t.issued_at()) << " / Issued at "
              << client::LocalHhMm(t.issued_at()) << "\n";
    return 0;
  }

  int Cancel(uint64_t ticket_id) {
    v1::CancelTicketRequest request;
    request.set_branch_id(options_.branch);
    request.set_ticket_id(ticket_id);
    v1::TicketResponse response;
    const grpc::Status status = client::CallWithDeadline(
        [&](grpc::ClientContext* c) { return stub_->CancelTicket(c, request, &response); });
    if (!status.ok()) return Fail(status);
    std::cout << "已取消 " << response.ticket().number() << " / Ticket "
              << response.ticket().number() << " cancelled\n";
    return 0;
  }

 private:
  void PrintSlip(const v1::Ticket& ticket) {
    std::string name_zh, name_en;
    // Names are a courtesy: the ticket exists, so a failed lookup only shows the code.
    v1::ListServicesResponse services;
    if (ListServices(&services).ok()) {
      client::ServiceNames names;
      names.Update(services.services());
      if (const v1::ServiceConfig* s = names.Find(ticket.service_code())) {
        name_zh = s->name_zh();
        name_en = s->name_en();
      }
    }
    std::cout << client::TicketSlip(ticket, name_zh, name_en);
  }

  // Calls `call` (idempotent by its request id) until it is answered, retrying what may
  // not have reached the server; `reset` clears the response before each try.
  template <typename Call, typename Reset>
  grpc::Status WithRetries(Call call, Reset reset) {
    grpc::Status status;
    absl::Duration backoff = kFirstBackoff;
    for (int retry = 0;; ++retry) {
      reset();
      status = client::CallWithDeadline(call);
      if (status.ok() || !MayRetry(status) || retry == kIssueRetries) return status;
      std::cerr << kProgram << ": " << Describe(status) << "; retrying in "
                << absl::ToInt64Milliseconds(backoff) << " ms (" << retry + 1 << "/"
                << kIssueRetries << ")\n";
      client::SleepReconnecting(channel_.get(), backoff);
      backoff *= 2;
    }
  }

  int FailRetryable(const grpc::Status& status, const std::string& request_id,
                    const char* what) const {
    const int rc = Fail(status);
    if (MayRetry(status)) {
      // The last try may have reached the server; only the same id avoids a duplicate.
      std::cerr << kProgram << ": to try again without risking " << what << ", add "
                << "--request-id " << request_id << "\n";
    }
    return rc;
  }

  static std::string OutcomeWords(v1::CheckInOutcome outcome) {
    switch (outcome) {
      case v1::CHECK_IN_OUTCOME_ON_TIME:
        return "签到成功 / Checked in: your appointment ticket";
      case v1::CHECK_IN_OUTCOME_EARLY:
        return "签到成功，您来早了 / Checked in early: you will be called near your slot";
      case v1::CHECK_IN_OUTCOME_LATE:
        return "已过预约时间，为您取普通号 / Past your appointment window: a normal ticket";
      default:
        return "签到 / Checked in";
    }
  }

  grpc::Status ListServices(v1::ListServicesResponse* response) {
    v1::ListServicesRequest request;
    request.set_branch_id(options_.branch);
    return client::CallWithDeadline(
        [&](grpc::ClientContext* c) { return stub_->ListServices(c, request, response); });
  }

  // Best effort, like the slip: the code alone still tells the customer which queue.
  std::string ServiceName(const std::string& code) {
    v1::ListServicesResponse services;
    if (!ListServices(&services).ok()) return code;
    client::ServiceNames names;
    names.Update(services.services());
    return names.Label(code);
  }

  std::string Describe(const grpc::Status& status) const {
    return client::DescribeStatus(status, options_.server);
  }

  int Fail(const grpc::Status& status) const {
    std::cerr << kProgram << ": " << Describe(status) << "\n";
    return 1;
  }

  Options options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::KioskService::Stub> stub_;
  std::unique_ptr<v1::AppointmentService::Stub> appointments_;
};

int Main(int argc, char** argv) {
  client::QuietGrpcLogging();
  CLI::App app{
      "Bank lobby kiosk: list services, take a ticket, check or cancel it; book, check in "
      "and cancel appointments; come back after a no-show.",
      kProgram};
  // Global options may follow the subcommand too: `lobbyq-kiosk take --service A --branch x`.
  app.fallthrough();
  app.require_subcommand(1);

  Options options;
  app.add_option("--server", options.server, "Lobbyq server address HOST:PORT")
      ->capture_default_str();
  app.add_option("--branch", options.branch, "Branch id")->capture_default_str();
  app.add_option("--kiosk-id", options.kiosk_id, "This kiosk's name, recorded on the ticket")
      ->capture_default_str();
  client::CredentialOptions credentials;
  client::AddCredentialOptions(app, credentials);

  app.add_subcommand("services", "Show each service's queue, waits and open counters");

  CLI::App* take = app.add_subcommand("take", "Take a ticket and print the slip");
  std::string service;
  std::string priority = "normal";
  std::string request_id;
  take->add_option("--service", service, "Service code (ticket prefix), e.g. A")->required();
  take->add_option("--priority", priority, "Normal, vip or green (green channel)")
      ->check(CLI::IsMember({"normal", "vip", "green"}, CLI::ignore_case))
      ->capture_default_str();
  take->add_option("--request-id", request_id,
                   "Reuse a request id to get the ticket of an earlier, unanswered try "
                   "(default: a fresh random id)");
  // Form-free service (免填单): what the teller should see when calling the ticket.
  v1::TransactionDetails details;
  take->add_option("--type", *details.mutable_type(),
                   "Form-free: what you want to do, e.g. deposit, withdrawal, transfer");
  take->add_option("--amount", *details.mutable_amount(), "Form-free: the amount, e.g. 5000.00");
  take->add_option("--account", *details.mutable_account_tail(),
                   "Form-free: the account number (only its last 4 digits are kept)");
  take->add_option("--text", *details.mutable_text(), "Form-free: anything else for the teller");

  std::string code;
  CLI::App* checkin =
      app.add_subcommand("checkin", "Check in an appointment with its code and print the slip");
  checkin->add_option("code", code, "The appointment code, e.g. AB3K9XQ2")->required();

  std::string day;
  CLI::App* slots = app.add_subcommand("slots", "Show a service's appointment slots of a day");
  slots->add_option("--service", service, "Service code, e.g. A")->required();
  slots->add_option("--day", day, "YYYY-MM-DD (default: today at the branch)");

  Booking booking;
  CLI::App* book = app.add_subcommand("book", "Book an appointment and print its code");
  book->add_option("--service", booking.service, "Service code, e.g. A")->required();
  book->add_option("--slot", booking.slot, "Slot start HH:MM, branch local time, e.g. 10:30")
      ->required();
  book->add_option("--day", booking.day, "YYYY-MM-DD (default: today at the branch)");
  book->add_option("--name", booking.name, "The customer's name")->required();
  book->add_option("--phone", booking.phone, "The customer's phone number")->required();
  book->add_option("--request-id", booking.request_id,
                   "Reuse a request id to get the booking of an earlier, unanswered try");

  CLI::App* cancel_appointment =
      app.add_subcommand("cancel-appointment", "Cancel a booked appointment");
  cancel_appointment->add_option("code", code, "The appointment code")->required();

  std::string reinstate_ticket;
  CLI::App* reinstate = app.add_subcommand(
      "reinstate", "Put a ticket marked no-show back in its queue (the customer came back)");
  reinstate->add_option("ticket", reinstate_ticket, "Today's number, e.g. A012, or the ticket id")
      ->required();

  uint64_t ticket_id = 0;
  CLI::App* status = app.add_subcommand("status", "Show a ticket's state and estimated wait");
  status->add_option("--ticket", ticket_id, "Ticket id (printed on the slip)")->required();
  CLI::App* cancel = app.add_subcommand("cancel", "Cancel a waiting ticket");
  cancel->add_option("--ticket", ticket_id, "Ticket id (printed on the slip)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the message; its exit codes (100+) are folded into the usual 2.
    return app.exit(e) == 0 ? 0 : 2;
  }

  // A kiosk holds a device token; a lobby manager may also sign in to act for a customer.
  const absl::StatusOr<client::Connection> connection =
      client::Connect(credentials, client::ClientRole::kKiosk, options.server, options.branch);
  if (!connection.ok()) {
    std::cerr << kProgram << ": " << connection.status().message() << "\n";
    return 1;
  }
  options.security = connection->security;
  Kiosk kiosk(options, connection->token);
  if (take->parsed()) {
    // IsMember accepted any case but passes the value on as typed.
    const std::string name = absl::AsciiStrToLower(priority);
    v1::PriorityClass p = v1::PRIORITY_CLASS_NORMAL;
    if (name == "vip") p = v1::PRIORITY_CLASS_VIP;
    if (name == "green") p = v1::PRIORITY_CLASS_GREEN_CHANNEL;
    return kiosk.Take(service, p, request_id, details);
  }
  if (status->parsed()) return kiosk.Status(ticket_id);
  if (cancel->parsed()) return kiosk.Cancel(ticket_id);
  if (checkin->parsed()) return kiosk.CheckIn(code);
  if (slots->parsed()) return kiosk.Slots(service, day);
  if (book->parsed()) return kiosk.Book(booking);
  if (cancel_appointment->parsed()) return kiosk.CancelAppointment(code);
  if (reinstate->parsed()) return kiosk.Reinstate(reinstate_ticket);
  return kiosk.Services();
}

}  // namespace
}  // namespace lobbyq::kiosk

int main(int argc, char** argv) {
  // Caught here so the stack unwinds and every guard (the terminal's mode above all) runs.
  try {
    return lobbyq::kiosk::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "lobbyq-kiosk: internal error: " << e.what() << "\n";
    return 1;
  }
}
