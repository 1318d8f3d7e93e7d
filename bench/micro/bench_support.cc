#include "bench/micro/bench_support.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"

namespace lobbyq::bench {

domain::BranchDefinition DemoShape(const std::string& branch_id) {
  using domain::CallStrategy;
  using domain::Counter;
  using domain::PriorityClass;
  using domain::ServiceConfig;
  domain::BranchDefinition def;
  def.info = domain::BranchInfo{.id = branch_id,
                                .name = "Bench " + branch_id,
                                .timezone = "Asia/Shanghai",
                                .rating_window = absl::Minutes(10)};
  auto service = [](const char* code, const char* en, int target_min, int service_min,
                    int appointments_per_slot) {
    return ServiceConfig{.code = code,
                         .name_zh = "业务",
                         .name_en = en,
                         .target_wait = absl::Minutes(target_min),
                         .expected_service_time = absl::Minutes(service_min),
                         .appointment_capacity = appointments_per_slot};
  };
  def.services = {service("A", "Cash", 10, 4, 2), service("B", "Non-cash", 15, 8, 2),
                  service("C", "Wealth & VIP", 5, 15, 1), service("D", "Corporate", 20, 12, 0)};
  auto counter = [](uint32_t number, std::vector<std::string> codes,
                    CallStrategy strategy = CallStrategy::kInOrder) {
    return Counter{.number = number,
                   .name = absl::StrCat("Counter ", number),
                   .service_codes = std::move(codes),
                   .strategy = strategy};
  };
  def.counters = {counter(1, {"A", "B"}),
                  counter(2, {"A", "B"}),
                  counter(3, {"B", "A"}, CallStrategy::kLongestWait),
                  counter(4, {"C", "B"}),
                  counter(5, {"D", "B"}),
                  counter(6, {"A", "B", "C", "D"}, CallStrategy::kCounted)};
  def.counters[0].green_channel = true;
  def.counters[5].counted_rules = {{.priority = PriorityClass::kAppointment, .quota = 1},
                                   {.priority = PriorityClass::kGreenChannel, .quota = 2},
                                   {.priority = PriorityClass::kVip, .quota = 1}};
  def.counters[5].counted_fallback = PriorityClass::kNormal;
  def.counters[5].counted_calls.assign(def.counters[5].counted_rules.size(), 0);
  return def;
}

absl::TimeZone Shanghai() {
  absl::TimeZone zone;
  // Without tzdata absl falls back to UTC: the figures hardly change.
  absl::LoadTimeZone("Asia/Shanghai", &zone);
  return zone;
}

std::unique_ptr<domain::Branch> BranchWithQueue(size_t waiting, QueueMix mix, absl::Time now) {
  using domain::PriorityClass;
  using domain::Ticket;
  using domain::TicketState;
  const domain::BranchDefinition def = DemoShape("bench");
  const absl::TimeZone zone = Shanghai();
  domain::BranchSnapshot snap{.info = def.info, .services = def.services};
  uint64_t id = 0;
  std::vector<int> next_number(def.services.size(), 0);
  auto number_for = [&](size_t service) { return next_number[service]++ % 998 + 1; };
  auto ticket = [&](size_t service, PriorityClass priority, absl::Time issued) {
    const std::string& code = def.services[service].code;
    return Ticket{.id = ++id,
                  .number = number_for(service),
                  .prefix = code,
                  .service_code = code,
                  .origin_service_code = code,
                  .priority = priority,
                  .business_day = absl::ToCivilDay(issued, zone),
                  .issued_at = issued,
                  .queued_at = issued};
  };
  // Deterministic spread: no RNG, so every run builds the same queues.
  auto service_of = [](size_t i) -> size_t {
    const size_t r = i % 20;
    return r < 8 ? 0 : r < 14 ? 1 : r < 17 ? 2 : 3;
  };
  auto priority_of = [mix](size_t i) {
    if (mix == QueueMix::kNormal) return PriorityClass::kNormal;
    const size_t r = (i * 7) % 20;
    return r < 14   ? PriorityClass::kNormal
           : r < 17 ? PriorityClass::kVip
           : r < 19 ? PriorityClass::kGreenChannel
                    : PriorityClass::kAppointment;
  };
  // What the estimator learns service times from: finished earlier today.
  constexpr size_t kFinished = 300;
  const absl::Time day_start =
      now - absl::Seconds(30) * static_cast<int64_t>(waiting) - absl::Hours(2);
  for (size_t i = 0; i < kFinished; ++i) {
    const size_t service = service_of(i);
    Ticket t = ticket(service, PriorityClass::kNormal, day_start + absl::Seconds(20) * i);
    t.state = TicketState::kDone;
    t.counter = static_cast<uint32_t>(i % 6 + 1);
    t.first_called_at = t.issued_at + absl::Minutes(3);
    t.called_at = t.first_called_at;
    t.started_at = t.first_called_at;
    t.finished_at = *t.called_at + def.services[service].expected_service_time +
                    absl::Seconds(static_cast<int64_t>(i % 7) * 20);
    snap.tickets.push_back(std::move(t));
  }
  for (size_t i = 0; i < waiting; ++i) {
    const absl::Time issued = now - absl::Seconds(30) * static_cast<int64_t>(waiting - i);
    snap.tickets.push_back(ticket(service_of(i), priority_of(i), issued));
  }
  snap.counters = def.counters;
  for (auto& c : snap.counters) {
    c.state = domain::CounterState::kOpen;
    c.state_since = day_start;
  }
  // Counters 2, 4 and 5 are busy with a customer called a few minutes ago.
  for (uint32_t number : {2u, 4u, 5u}) {
    const size_t service = number == 2 ? 0 : number == 4 ? 2 : 3;
    Ticket t = ticket(service, PriorityClass::kNormal, now - absl::Minutes(20));
    t.state = TicketState::kServing;
    t.counter = number;
    t.first_called_at = now - absl::Minutes(4);
    t.called_at = t.first_called_at;
    t.started_at = t.first_called_at;
    snap.counters[number - 1].current_ticket_id = t.id;
    snap.tickets.push_back(std::move(t));
  }
  snap.max_ticket_id = id;
  return std::make_unique<domain::Branch>(std::move(snap), zone);
}

Memory CurrentMemory() {
  Memory m;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    std::istringstream fields(line);
    std::string key;
    int64_t kib = 0;
    fields >> key >> kib;
    if (key == "VmRSS:") m.rss = kib * 1024;
    if (key == "VmHWM:") m.hwm = kib * 1024;
  }
  return m;
}

}  // namespace lobbyq::bench
