#pragma once

// The gRPC services of lobbyq.v1. Each method only maps the request to a domain
// command and the result back; the rules live in server/domain.

#include "lobbyq/v1/admin.grpc.pb.h"
#include "lobbyq/v1/appointment.grpc.pb.h"
#include "lobbyq/v1/auth.grpc.pb.h"
#include "lobbyq/v1/counter.grpc.pb.h"
#include "lobbyq/v1/kiosk.grpc.pb.h"
#include "lobbyq/v1/lobby.grpc.pb.h"
#include "server/rpc/auth.h"
#include "server/rpc/limits.h"
#include "server/runtime/engine.h"

namespace lobbyq::rpc {

class KioskServiceImpl final : public v1::KioskService::CallbackService {
 public:
  KioskServiceImpl(runtime::Engine& engine, Authenticator& auth, const Limits& limits,
                   IssueRateLimiter& issue_rate)
      : engine_(engine), auth_(auth), limits_(limits), issue_rate_(issue_rate) {}
  grpc::ServerUnaryReactor* ListServices(grpc::CallbackServerContext* context,
                                         const v1::ListServicesRequest* request,
                                         v1::ListServicesResponse* response) override;
  grpc::ServerUnaryReactor* IssueTicket(grpc::CallbackServerContext* context,
                                        const v1::IssueTicketRequest* request,
                                        v1::TicketResponse* response) override;
  grpc::ServerUnaryReactor* GetTicket(grpc::CallbackServerContext* context,
                                      const v1::GetTicketRequest* request,
                                      v1::TicketResponse* response) override;
  grpc::ServerUnaryReactor* CancelTicket(grpc::CallbackServerContext* context,
                                         const v1::CancelTicketRequest* request,
                                         v1::TicketResponse* response) override;
  grpc::ServerUnaryReactor* CheckInAppointment(grpc::CallbackServerContext* context,
                                               const v1::CheckInAppointmentRequest* request,
                                               v1::CheckInAppointmentResponse* response) override;
  grpc::ServerUnaryReactor* ReinstateTicket(grpc::CallbackServerContext* context,
                                            const v1::ReinstateTicketRequest* request,
                                            v1::TicketResponse* response) override;

 private:
  runtime::Engine& engine_;
  Authenticator& auth_;
  const Limits& limits_;
  IssueRateLimiter& issue_rate_;
};

class CounterServiceImpl final : public v1::CounterService::CallbackService {
 public:
  CounterServiceImpl(runtime::Engine& engine, Authenticator& auth) : engine_(engine), auth_(auth) {}
  grpc::ServerUnaryReactor* OpenCounter(grpc::CallbackServerContext* context,
                                        const v1::CounterRequest* request,
                                        v1::CounterResponse* response) override;
  grpc::ServerUnaryReactor* PauseCounter(grpc::CallbackServerContext* context,
                                         const v1::CounterRequest* request,
                                         v1::CounterResponse* response) override;
  grpc::ServerUnaryReactor* CloseCounter(grpc::CallbackServerContext* context,
                                         const v1::CounterRequest* request,
                                         v1::CounterResponse* response) override;
  grpc::ServerUnaryReactor* CallNext(grpc::CallbackServerContext* context,
                                     const v1::CounterRequest* request,
                                     v1::CallNextResponse* response) override;
  grpc::ServerUnaryReactor* Recall(grpc::CallbackServerContext* context,
                                   const v1::CounterRequest* request,
                                   v1::TicketActionResponse* response) override;
  grpc::ServerUnaryReactor* StartService(grpc::CallbackServerContext* context,
                                         const v1::CounterRequest* request,
                                         v1::TicketActionResponse* response) override;
  grpc::ServerUnaryReactor* Transfer(grpc::CallbackServerContext* context,
                                     const v1::TransferRequest* request,
                                     v1::TicketActionResponse* response) override;
  grpc::ServerUnaryReactor* MarkNoShow(grpc::CallbackServerContext* context,
                                       const v1::CounterRequest* request,
                                       v1::TicketActionResponse* response) override;
  grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context,
                                   const v1::CounterRequest* request,
                                   v1::TicketActionResponse* response) override;
  grpc::ServerUnaryReactor* SubmitRating(grpc::CallbackServerContext* context,
                                         const v1::SubmitRatingRequest* request,
                                         v1::TicketActionResponse* response) override;
  grpc::ServerUnaryReactor* ReinstateTicket(grpc::CallbackServerContext* context,
                                            const v1::CounterReinstateRequest* request,
                                            v1::TicketActionResponse* response) override;

 private:
  runtime::Engine& engine_;
  Authenticator& auth_;
};

class LobbyServiceImpl final : public v1::LobbyService::CallbackService {
 public:
  LobbyServiceImpl(runtime::Engine& engine, Authenticator& auth) : engine_(engine), auth_(auth) {}
  grpc::ServerUnaryReactor* GetLobbyStatus(grpc::CallbackServerContext* context,
                                           const v1::GetLobbyStatusRequest* request,
                                           v1::LobbyStatus* response) override;
  grpc::ServerUnaryReactor* PreviewOrder(grpc::CallbackServerContext* context,
                                         const v1::PreviewOrderRequest* request,
                                         v1::PreviewOrderResponse* response) override;
  grpc::ServerWriteReactor<v1::LobbyUpdate>* WatchLobby(
      grpc::CallbackServerContext* context, const v1::WatchLobbyRequest* request) override;
  // In metrics_service.cc: computed from the event log, not from memory.
  grpc::ServerUnaryReactor* GetMetrics(grpc::CallbackServerContext* context,
                                       const v1::GetMetricsRequest* request,
                                       v1::MetricsResponse* response) override;
  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* context,
                                      const v1::GetReportRequest* request,
                                      v1::ReportResponse* response) override;

 private:
  runtime::Engine& engine_;
  Authenticator& auth_;
};

class AdminServiceImpl final : public v1::AdminService::CallbackService {
 public:
  AdminServiceImpl(runtime::Engine& engine, Authenticator& auth) : engine_(engine), auth_(auth) {}
  grpc::ServerUnaryReactor* CreateBranch(grpc::CallbackServerContext* context,
                                         const v1::CreateBranchRequest* request,
                                         v1::BranchConfig* response) override;
  grpc::ServerUnaryReactor* ListBranches(grpc::CallbackServerContext* context,
                                         const v1::ListBranchesRequest* request,
                                         v1::ListBranchesResponse* response) override;
  grpc::ServerUnaryReactor* GetBranch(grpc::CallbackServerContext* context,
                                      const v1::GetBranchRequest* request,
                                      v1::BranchConfig* response) override;
  grpc::ServerUnaryReactor* UpsertService(grpc::CallbackServerContext* context,
                                          const v1::UpsertServiceRequest* request,
                                          v1::ServiceConfig* response) override;
  grpc::ServerUnaryReactor* UpsertCounter(grpc::CallbackServerContext* context,
                                          const v1::UpsertCounterRequest* request,
                                          v1::CounterStatus* response) override;
  grpc::ServerUnaryReactor* UpdateBranch(grpc::CallbackServerContext* context,
                                         const v1::UpdateBranchRequest* request,
                                         v1::BranchConfig* response) override;

  grpc::ServerUnaryReactor* PutUser(grpc::CallbackServerContext* context,
                                    const v1::PutUserRequest* request, v1::User* response) override;
  grpc::ServerUnaryReactor* ListUsers(grpc::CallbackServerContext* context,
                                      const v1::ListUsersRequest* request,
                                      v1::ListUsersResponse* response) override;
  grpc::ServerUnaryReactor* RemoveUser(grpc::CallbackServerContext* context,
                                       const v1::RemoveUserRequest* request,
                                       v1::RemoveUserResponse* response) override;
  grpc::ServerUnaryReactor* PutDevice(grpc::CallbackServerContext* context,
                                      const v1::PutDeviceRequest* request,
                                      v1::PutDeviceResponse* response) override;
  grpc::ServerUnaryReactor* ListDevices(grpc::CallbackServerContext* context,
                                        const v1::ListDevicesRequest* request,
                                        v1::ListDevicesResponse* response) override;
  grpc::ServerUnaryReactor* RevokeDevice(grpc::CallbackServerContext* context,
                                         const v1::RevokeDeviceRequest* request,
                                         v1::RevokeDeviceResponse* response) override;
  grpc::ServerUnaryReactor* ListAudit(grpc::CallbackServerContext* context,
                                      const v1::ListAuditRequest* request,
                                      v1::ListAuditResponse* response) override;

 private:
  runtime::Engine& engine_;
  Authenticator& auth_;
};

class AppointmentServiceImpl final : public v1::AppointmentService::CallbackService {
 public:
  AppointmentServiceImpl(runtime::Engine& engine, Authenticator& auth)
      : engine_(engine), auth_(auth) {}
  grpc::ServerUnaryReactor* ListSlots(grpc::CallbackServerContext* context,
                                      const v1::ListSlotsRequest* request,
                                      v1::ListSlotsResponse* response) override;
  grpc::ServerUnaryReactor* BookAppointment(grpc::CallbackServerContext* context,
                                            const v1::BookAppointmentRequest* request,
                                            v1::Appointment* response) override;
  grpc::ServerUnaryReactor* CancelAppointment(grpc::CallbackServerContext* context,
                                              const v1::CancelAppointmentRequest* request,
                                              v1::Appointment* response) override;
  grpc::ServerUnaryReactor* ListAppointments(grpc::CallbackServerContext* context,
                                             const v1::ListAppointmentsRequest* request,
                                             v1::ListAppointmentsResponse* response) override;

 private:
  runtime::Engine& engine_;
  Authenticator& auth_;
};

class AuthServiceImpl final : public v1::AuthService::CallbackService {
 public:
  explicit AuthServiceImpl(Authenticator& auth) : auth_(auth) {}
  grpc::ServerUnaryReactor* SignIn(grpc::CallbackServerContext* context,
                                   const v1::SignInRequest* request,
                                   v1::SignInResponse* response) override;
  grpc::ServerUnaryReactor* SignOut(grpc::CallbackServerContext* context,
                                    const v1::SignOutRequest* request,
                                    v1::SignOutResponse* response) override;
  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* context,
                                   const v1::WhoAmIRequest* request,
                                   v1::Identity* response) override;

 private:
  Authenticator& auth_;
};

}  // namespace lobbyq::rpc
