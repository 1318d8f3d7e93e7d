// lobbyq-kiosk: lists services, issues tickets and answers "how long still?" for a branch.

#include <cstdint>
#include <exception>
#include <iostream>
#include <memory>
#include <random>
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
#include "common/client/channel.h"
#include "common/client/format.h"
#include "common/client/services.h"
#include "common/client/status_text.h"
#include "lobbyq/v1/kiosk.grpc.pb.h"

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
};

// 128 random bits as hex: unique enough that two kiosks never share one, and within the
// server's 64-character limit.
std::string NewRequestId() {
  std::random_device random;
  std::string id;
  for (int i = 0; i < 4; ++i) absl::StrAppend(&id, absl::Hex(random(), absl::kZeroPad8));
  return id;
}

// The reply may have been lost after the ticket was committed; only the same request id
// makes a retry safe.
bool MayRetry(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

class Kiosk {
 public:
  explicit Kiosk(Options options)
      : options_(std::move(options)),
        channel_(client::MakeChannel(options_.server)),
        stub_(v1::KioskService::NewStub(channel_)) {}

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

  int Take(const std::string& service_code, v1::PriorityClass priority, std::string request_id) {
    if (request_id.empty()) request_id = NewRequestId();
    v1::IssueTicketRequest request;
    request.set_branch_id(options_.branch);
    request.set_service_code(absl::AsciiStrToUpper(service_code));
    request.set_priority(priority);
    request.set_request_id(request_id);
    request.set_kiosk_id(options_.kiosk_id);

    v1::TicketResponse response;
    grpc::Status status;
    absl::Duration backoff = kFirstBackoff;
    for (int retry = 0;; ++retry) {
      response.Clear();
      status = client::CallWithDeadline(
          [&](grpc::ClientContext* c) { return stub_->IssueTicket(c, request, &response); });
      if (status.ok() || !MayRetry(status) || retry == kIssueRetries) break;
      std::cerr << kProgram << ": " << Describe(status) << "; retrying in "
                << absl::ToInt64Milliseconds(backoff) << " ms (" << retry + 1 << "/"
                << kIssueRetries << ")\n";
      client::SleepReconnecting(channel_.get(), backoff);
      backoff *= 2;
    }
    if (!status.ok()) {
      const int rc = Fail(status);
      if (MayRetry(status)) {
        // The last try may have reached the server; only the same id avoids a second ticket.
        std::cerr << kProgram << ": to try again without risking a second ticket, add "
                  << "--request-id " << request_id << "\n";
      }
      return rc;
    }

    const v1::Ticket& ticket = response.ticket();
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
};

int Main(int argc, char** argv) {
  CLI::App app{"Bank lobby kiosk: list services, take a ticket, check or cancel it.", kProgram};
  // Global options may follow the subcommand too: `lobbyq-kiosk take --service A --branch x`.
  app.fallthrough();
  app.require_subcommand(1);

  Options options;
  app.add_option("--server", options.server, "Lobbyq server address HOST:PORT")
      ->capture_default_str();
  app.add_option("--branch", options.branch, "Branch id")->capture_default_str();
  app.add_option("--kiosk-id", options.kiosk_id, "This kiosk's name, recorded on the ticket")
      ->capture_default_str();

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

  Kiosk kiosk(options);
  if (take->parsed()) {
    // IsMember accepted any case but passes the value on as typed.
    const std::string name = absl::AsciiStrToLower(priority);
    v1::PriorityClass p = v1::PRIORITY_CLASS_NORMAL;
    if (name == "vip") p = v1::PRIORITY_CLASS_VIP;
    if (name == "green") p = v1::PRIORITY_CLASS_GREEN_CHANNEL;
    return kiosk.Take(service, p, request_id);
  }
  if (status->parsed()) return kiosk.Status(ticket_id);
  if (cancel->parsed()) return kiosk.Cancel(ticket_id);
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
