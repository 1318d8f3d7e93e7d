#include "server/demo.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "server/rpc/secrets.h"

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

namespace {

struct DemoPerson {
  const char* key;  // teller -> teller_user / teller_password
  domain::Role role;
  bool of_branch;
};
constexpr DemoPerson kDemoPeople[] = {{"admin", domain::Role::kAdmin, false},
                                      {"manager", domain::Role::kManager, true},
                                      {"teller", domain::Role::kTeller, true}};

struct DemoDevice {
  const char* key;  // kiosk -> kiosk_token, device id kiosk-1
  domain::Role role;
};
constexpr DemoDevice kDemoDevices[] = {{"kiosk", domain::Role::kKiosk},
                                       {"display", domain::Role::kDisplay}};

absl::Status WriteCredentials(const DemoCredentials& credentials, const std::string& path) {
  const std::string temp = path + ".tmp";
  {
    // Owner-only from the first byte: the file holds passwords.
    std::FILE* file = std::fopen(temp.c_str(), "w");
    if (file == nullptr) return absl::UnavailableError(absl::StrCat("cannot write ", temp));
    ::chmod(temp.c_str(), 0600);
    const std::string text = FormatCredentials(
        credentials,
        "# lobbyq DEMO credentials, made by the demo run (lobbyq-server without --config).\n"
        "# The clients read this file by default. A server started with a config file\n"
        "# deletes these users and tokens: never use them for a real branch.\n");
    const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
    if (std::fclose(file) != 0 || !written) {
      return absl::UnavailableError(absl::StrCat("cannot write ", temp));
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", temp, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DemoCredentials> SetUpDemoCredentials(rpc::Authenticator& auth,
                                                     const std::string& path) {
  DemoCredentials credentials;
  if (!path.empty()) {
    if (auto existing = ReadCredentialsFile(path); existing.ok()) credentials = *existing;
  }
  bool changed = false;
  for (const DemoPerson& person : kDemoPeople) {
    const std::string user_key = absl::StrCat(person.key, "_user");
    const std::string password_key = absl::StrCat(person.key, "_password");
    const std::string name = CredentialOr(credentials, user_key, person.key);
    std::string password = CredentialOr(credentials, password_key);
    // Keep a password that still works; a hash is the expensive part of start-up.
    if (password.size() >= 8 && auth.CheckPassword(name, password)) continue;
    if (password.size() < 8) password = rpc::NewPassword();
    const std::string branch = person.of_branch ? kDemoBranchId : "";
    if (absl::Status s = auth.PutUser(name, person.role, branch, password, /*demo=*/true);
        !s.ok()) {
      return s;
    }
    credentials[user_key] = name;
    credentials[password_key] = password;
    changed = true;
  }
  for (const DemoDevice& device : kDemoDevices) {
    const std::string token_key = absl::StrCat(device.key, "_token");
    std::string token = CredentialOr(credentials, token_key);
    if (token.size() < 20) {
      token = rpc::NewToken();
      credentials[token_key] = token;
      changed = true;
    }
    if (absl::Status s = auth.PutDeviceToken(absl::StrCat(device.key, "-1"), device.role,
                                             kDemoBranchId, token, /*demo=*/true);
        !s.ok()) {
      return s;
    }
  }
  if (changed && !path.empty()) {
    if (absl::Status s = WriteCredentials(credentials, path); !s.ok()) return s;
  }
  return credentials;
}

void PrintDemoCredentials(const DemoCredentials& credentials, const std::string& path) {
  std::cout << "==================== lobbyq DEMO credentials ====================\n"
            << "For trying lobbyq out only; a server started with --config deletes them.\n";
  for (const auto& [key, value] : credentials) std::cout << "  " << key << " = " << value << "\n";
  if (!path.empty()) std::cout << "Written to " << path << " (the clients read it from there).\n";
  std::cout << "=================================================================" << std::endl;
}

}  // namespace lobbyq::server
