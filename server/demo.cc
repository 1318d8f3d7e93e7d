#include "server/demo.h"

namespace lobbyq::server {

domain::BranchDefinition DemoBranch() {
  domain::BranchDefinition def;
  // Default recall and no-show rules (two recalls, then the next call marks
  // the customer a no-show); appointments in 30-minute slots from 09:00 to 17:00.
  def.info = domain::BranchInfo{.id = kDemoBranchId,
                                .name = "Demo Branch 示范支行",
                                .timezone = "Asia/Shanghai",
                                .rating_window = absl::Minutes(10)};
  auto service = [](const char* code, const char* zh, const char* en, int target_min,
                    int service_min, int appointments_per_slot) {
    return domain::ServiceConfig{.code = code,
                                 .name_zh = zh,
                                 .name_en = en,
                                 .target_wait = absl::Minutes(target_min),
                                 .expected_service_time = absl::Minutes(service_min),
                                 .appointment_capacity = appointments_per_slot};
  };
  def.services = {
      service("A", "现金业务", "Cash", 10, 4, 2),
      service("B", "非现金业务", "Non-cash", 15, 8, 2),
      service("C", "理财/贵宾", "Wealth & VIP", 5, 15, 1),
      service("D", "对公业务", "Corporate", 20, 12, 0),
  };
  auto counter = [](uint32_t number, std::vector<std::string> codes,
                    domain::CallStrategy strategy = domain::CallStrategy::kInOrder) {
    return domain::Counter{.number = number,
                           .name = "窗口 " + std::to_string(number),
                           .service_codes = std::move(codes),
                           .strategy = strategy};
  };
  // Cash is the busiest desk, so three counters lead with it; the wealth and the
  // corporate desk help out with the general queues when their own is empty.
  def.counters = {
      counter(1, {"A", "B"}),
      counter(2, {"A", "B"}),
      counter(3, {"B", "A"}, domain::CallStrategy::kLongestWait),
      counter(4, {"C", "B"}),
      counter(5, {"D", "B"}),
      counter(6, {"A", "B", "C", "D"}, domain::CallStrategy::kCounted),
  };
  // Counter 1 is the green-channel counter (爱心窗口): elderly, disabled and
  // pregnant customers of cash and non-cash go there first.
  def.counters[0].name = "爱心窗口 1";
  def.counters[0].green_channel = true;
  // Counter 6 serves every queue in turn: one appointment, two green-channel,
  // one VIP, then whoever is next; when none of those is waiting the counts
  // start over. As rules text: "appointment:1,green_channel:2,vip:1,normal".
  using enum domain::PriorityClass;
  def.counters[5].counted_rules = {{.priority = kAppointment, .quota = 1},
                                   {.priority = kGreenChannel, .quota = 2},
                                   {.priority = kVip, .quota = 1}};
  def.counters[5].counted_fallback = kNormal;
  def.counters[5].counted_calls.assign(def.counters[5].counted_rules.size(), 0);
  return def;
}

}  // namespace lobbyq::server
