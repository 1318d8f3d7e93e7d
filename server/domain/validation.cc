#include "server/domain/validation.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace lobbyq::domain {
namespace {

absl::Status ValidateName(absl::string_view value, absl::string_view field) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " must not be empty"));
  if (value.size() > kMaxNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is ", value.size(), " bytes; at most ", kMaxNameBytes, " allowed"));
  }
  if (std::any_of(value.begin(), value.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must not contain control characters"));
  }
  return absl::OkStatus();
}

absl::Status ValidateDuration(absl::Duration d, absl::string_view field) {
  if (d < absl::Seconds(1) || d > absl::Hours(24)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be between 1 s and 24 h, got ", absl::FormatDuration(d)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateBranchId(absl::string_view id) {
  const bool well_formed =
      !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
        return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
      });
  if (!well_formed) {
    return absl::InvalidArgumentError(absl::StrCat("branch_id '", id.substr(0, 40),
                                                   "' is not valid: use 1-32 of a-z, 0-9 and '-'"));
  }
  return absl::OkStatus();
}

absl::Status ValidateServiceCode(absl::string_view code, absl::string_view field) {
  if (code.size() != 1 || !absl::ascii_isupper(code[0])) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " '", code.substr(0, 10), "' is not valid: a service code is one letter A-Z"));
  }
  return absl::OkStatus();
}

absl::Status ValidateCounterNumber(uint32_t number) {
  if (number == 0 || number > kMaxCounterNumber) {
    return absl::InvalidArgumentError(absl::StrCat(
        "counter ", number, " is not valid: counters are numbered 1-", kMaxCounterNumber));
  }
  return absl::OkStatus();
}

absl::Status ValidateDeviceId(absl::string_view id, absl::string_view field) {
  return id.empty() ? absl::OkStatus() : ValidateName(id, field);
}

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (request_id.empty()) {
    return absl::InvalidArgumentError(
        "request_id is required, so that a retried request cannot issue a second ticket");
  }
  if (request_id.size() > kMaxRequestIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("request_id is ", request_id.size(), " bytes; at most ", kMaxRequestIdBytes));
  }
  if (!std::all_of(request_id.begin(), request_id.end(),
                   [](char c) { return c > 0x20 && c < 0x7f; })) {
    return absl::InvalidArgumentError("request_id must be printable ASCII without spaces");
  }
  return absl::OkStatus();
}

absl::Status ValidateBranchInfo(const BranchInfo& info) {
  if (auto s = ValidateBranchId(info.id); !s.ok()) return s;
  if (auto s = ValidateName(info.name, "branch name"); !s.ok()) return s;
  if (info.timezone.empty()) return absl::InvalidArgumentError("timezone must not be empty");
  return ValidateDuration(info.rating_window, "rating_window");
}

absl::Status ValidateService(const ServiceConfig& service) {
  if (auto s = ValidateServiceCode(service.code, "service code"); !s.ok()) return s;
  const std::string where = absl::StrCat("service ", service.code, ": ");
  if (auto s = ValidateName(service.name_zh, where + "name_zh"); !s.ok()) return s;
  if (auto s = ValidateName(service.name_en, where + "name_en"); !s.ok()) return s;
  if (auto s = ValidateDuration(service.target_wait, where + "target_wait"); !s.ok()) return s;
  return ValidateDuration(service.expected_service_time, where + "expected_service_time");
}

absl::Status ValidateCounterConfig(const Counter& counter) {
  if (auto s = ValidateCounterNumber(counter.number); !s.ok()) return s;
  const std::string where = absl::StrCat("counter ", counter.number, ": ");
  if (auto s = ValidateName(counter.name, where + "name"); !s.ok()) return s;
  if (counter.service_codes.empty()) {
    return absl::InvalidArgumentError(where + "its profile must list at least one service");
  }
  std::set<absl::string_view> seen;
  for (const auto& code : counter.service_codes) {
    if (auto s = ValidateServiceCode(code, where + "profile service"); !s.ok()) return s;
    if (!seen.insert(code).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "service ", code, " appears twice in its profile"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckProfileServices(const Counter& counter,
                                  const std::vector<ServiceConfig>& services) {
  for (const auto& code : counter.service_codes) {
    const bool known = std::any_of(services.begin(), services.end(),
                                   [&](const ServiceConfig& s) { return s.code == code; });
    if (!known) {
      return absl::NotFoundError(absl::StrCat("counter ", counter.number, ": service ", code,
                                              " in its profile does not exist in this branch"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateBranchDefinition(const BranchDefinition& def) {
  if (auto s = ValidateBranchInfo(def.info); !s.ok()) return s;
  if (def.services.empty())
    return absl::InvalidArgumentError("a branch needs at least one service");
  std::set<std::string> codes;
  for (const auto& service : def.services) {
    if (auto s = ValidateService(service); !s.ok()) return s;
    if (!codes.insert(service.code).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("service ", service.code, " is defined twice"));
    }
  }
  std::set<uint32_t> numbers;
  for (const auto& counter : def.counters) {
    if (auto s = ValidateCounterConfig(counter); !s.ok()) return s;
    if (auto s = CheckProfileServices(counter, def.services); !s.ok()) {
      return absl::InvalidArgumentError(s.message());
    }
    if (!numbers.insert(counter.number).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("counter ", counter.number, " is defined twice"));
    }
  }
  return absl::OkStatus();
}

}  // namespace lobbyq::domain
