#include "server/demo.h"

namespace lobbyq::server {

domain::BranchDefinition DemoBranch() {
  domain::BranchDefinition def;
  def.info = domain::BranchInfo{.id = kDemoBranchId,
                                .name = "Demo Branch 示范支行",
                                .timezone = "Asia/Shanghai",
                                .rating_window = absl::Minutes(10)};
  auto service = [](const char* code, const char* zh, const char* en, int target_min,
                    int service_min) {
    return domain::ServiceConfig{.code = code,
                                 .name_zh = zh,
                                 .name_en = en,
                                 .target_wait = absl::Minutes(target_min),
                                 .expected_service_time = absl::Minutes(service_min)};
  };
  def.services = {
      service("A", "现金业务", "Cash", 10, 4),
      service("B", "非现金业务", "Non-cash", 15, 8),
      service("C", "理财/贵宾", "Wealth & VIP", 5, 15),
      service("D", "对公业务", "Corporate", 20, 12),
  };
  auto counter = [](uint32_t number, std::vector<std::string> codes) {
    return domain::Counter{.number = number,
                           .name = "窗口 " + std::to_string(number),
                           .service_codes = std::move(codes)};
  };
  // Cash is the busiest desk, so three counters lead with it; the wealth and the
  // corporate desk help out with the general queues when their own is empty.
  def.counters = {
      counter(1, {"A", "B"}), counter(2, {"A", "B"}), counter(3, {"B", "A"}),
      counter(4, {"C", "B"}), counter(5, {"D", "B"}), counter(6, {"A", "B", "C", "D"}),
  };
  return def;
}

}  // namespace lobbyq::server
