#include "server/rpc/services.h"

namespace lobbyq::rpc {

grpc::ServerUnaryReactor* LobbyServiceImpl::GetMetrics(grpc::CallbackServerContext* context,
                                                       const v1::GetMetricsRequest*,
                                                       v1::MetricsResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetMetrics is not built yet"));
  return reactor;
}

grpc::ServerUnaryReactor* LobbyServiceImpl::GetReport(grpc::CallbackServerContext* context,
                                                      const v1::GetReportRequest*,
                                                      v1::ReportResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetReport is not built yet"));
  return reactor;
}

}  // namespace lobbyq::rpc
