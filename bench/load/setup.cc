#include "bench/load/setup.h"

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/client/channel.h"
#include "lobbyq/v1/admin.grpc.pb.h"
#include "lobbyq/v1/counter.grpc.pb.h"
#include "lobbyq/v1/kiosk.grpc.pb.h"

namespace lobbyq::load {

namespace {

void SetSeconds(google::protobuf::Duration* d, int64_t seconds) { d->set_seconds(seconds); }

v1::BranchConfig MakeBranch(const std::string& id, int counters) {
  v1::BranchConfig branch;
  branch.set_id(id);
  branch.set_name(absl::StrCat("Load test ", id));
  branch.set_timezone("Asia/Shanghai");
  SetSeconds(branch.mutable_rating_window(), 600);
  struct ServiceSpec {
    const char* code;
    const char* zh;
    const char* en;
    int target_s;
    int service_s;
  };
  for (const ServiceSpec& s : {ServiceSpec{"A", "现金业务", "Cash", 600, 240},
                               ServiceSpec{"B", "非现金业务", "Non-cash", 900, 480}}) {
    v1::ServiceConfig* service = branch.add_services();
    service->set_code(s.code);
    service->set_name_zh(s.zh);
    service->set_name_en(s.en);
    SetSeconds(service->mutable_target_wait(), s.target_s);
    SetSeconds(service->mutable_expected_service_time(), s.service_s);
  }
  for (int n = 1; n <= counters; ++n) {
    v1::CounterConfig* counter = branch.add_counters();
    counter->set_number(static_cast<uint32_t>(n));
    counter->set_name(absl::StrCat("Counter ", n));
    // Half the counters prefer each service, as in a branch that staffs both queues.
    counter->add_service_codes(n % 2 ? "A" : "B");
    counter->add_service_codes(n % 2 ? "B" : "A");
  }
  return branch;
}

struct Clients {
  std::unique_ptr<v1::AdminService::Stub> admin;
  std::unique_ptr<v1::CounterService::Stub> counter;
  std::unique_ptr<v1::KioskService::Stub> kiosk;
};

template <typename Fn>
absl::Status Call(const std::string& token, const std::string& what, Fn&& fn) {
  grpc::ClientContext context;
  client::SetDeadline(&context, absl::Seconds(30));
  context.AddMetadata("authorization", "Bearer " + token);
  grpc::Status status = fn(&context);
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

absl::Status SetUpBranch(Clients& c, const std::string& token, const Plan& plan, int b,
                         Deployment& out) {
  const std::string& id = out.branch_ids[b];
  {
    v1::CreateBranchRequest request;
    *request.mutable_branch() = MakeBranch(id, plan.counters_per_branch);
    v1::BranchConfig reply;
    if (auto s = Call(
            token, absl::StrCat("CreateBranch ", id),
            [&](grpc::ClientContext* ctx) { return c.admin->CreateBranch(ctx, request, &reply); });
        !s.ok()) {
      return s;
    }
  }
  auto put_device = [&](const std::string& device_id, v1::Role role,
                        std::string* token_out) -> absl::Status {
    v1::PutDeviceRequest request;
    request.mutable_device()->set_id(device_id);
    request.mutable_device()->set_role(role);
    request.mutable_device()->set_branch_id(id);
    v1::PutDeviceResponse reply;
    if (auto s = Call(
            token, absl::StrCat("PutDevice ", device_id),
            [&](grpc::ClientContext* ctx) { return c.admin->PutDevice(ctx, request, &reply); });
        !s.ok()) {
      return s;
    }
    *token_out = reply.token();
    return absl::OkStatus();
  };
  for (int k = 0; k < plan.kiosks_per_branch; ++k) {
    if (auto s = put_device(absl::StrCat(id, "-kiosk-", k + 1), v1::ROLE_KIOSK,
                            &out.kiosk_tokens[static_cast<size_t>(b) * plan.kiosks_per_branch + k]);
        !s.ok()) {
      return s;
    }
  }
  if (b < plan.watched_branches) {
    if (auto s = put_device(absl::StrCat(id, "-display"), v1::ROLE_DISPLAY, &out.display_tokens[b]);
        !s.ok()) {
      return s;
    }
  }
  for (int n = 1; n <= plan.counters_per_branch; ++n) {
    v1::CounterRequest request;
    request.set_branch_id(id);
    request.set_counter(static_cast<uint32_t>(n));
    v1::CounterResponse reply;
    if (auto s = Call(
            token, absl::StrCat("OpenCounter ", id, " ", n),
            [&](grpc::ClientContext* ctx) { return c.counter->OpenCounter(ctx, request, &reply); });
        !s.ok()) {
      return s;
    }
  }
  for (int i = 0; i < plan.prefill; ++i) {
    const int k = i % plan.kiosks_per_branch;
    v1::IssueTicketRequest request;
    request.set_branch_id(id);
    request.set_service_code(i % 2 ? "B" : "A");
    request.set_request_id(absl::StrCat("prefill-", i));
    v1::TicketResponse reply;
    if (auto s = Call(
            out.kiosk_tokens[static_cast<size_t>(b) * plan.kiosks_per_branch + k],
            absl::StrCat("IssueTicket ", id),
            [&](grpc::ClientContext* ctx) { return c.kiosk->IssueTicket(ctx, request, &reply); });
        !s.ok()) {
      return s;
    }
    out.prefilled[b].push_back(reply.ticket());
  }
  return absl::OkStatus();
}

}  // namespace

std::string BranchId(const std::string& prefix, int index) {
  return absl::StrFormat("%s-%05d", prefix, index + 1);
}

absl::StatusOr<Deployment> SetUp(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                                 const std::string& admin_token, const Plan& plan) {
  Deployment out;
  for (int b = 0; b < plan.branches; ++b) out.branch_ids.push_back(BranchId(plan.prefix, b));
  out.kiosk_tokens.resize(static_cast<size_t>(plan.branches) * plan.kiosks_per_branch);
  out.display_tokens.resize(plan.watched_branches);
  out.prefilled.resize(plan.branches);

  // Plain threads with blocking calls: the set-up is not measured, and this is the
  // simplest way to keep a bounded number of calls in flight.
  std::atomic<int> next{0};
  std::atomic<int> done{0};
  std::mutex mu;
  absl::Status first_error;
  std::vector<std::thread> workers;
  const int threads = std::max(1, std::min(plan.parallelism, plan.branches));
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const auto& channel = channels[t % channels.size()];
      Clients c{v1::AdminService::NewStub(channel), v1::CounterService::NewStub(channel),
                v1::KioskService::NewStub(channel)};
      for (int b = next++; b < plan.branches; b = next++) {
        if (absl::Status s = SetUpBranch(c, admin_token, plan, b, out); !s.ok()) {
          std::lock_guard lock(mu);
          if (first_error.ok()) first_error = s;
          next = plan.branches;  // the others stop at their next branch
          return;
        }
        const int finished = ++done;
        if (plan.branches >= 1000 && finished % (plan.branches / 10) == 0) {
          std::lock_guard lock(mu);
          std::cerr << "set-up: " << finished << "/" << plan.branches << " branches\n";
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  if (!first_error.ok()) return first_error;
  return out;
}

}  // namespace lobbyq::load
