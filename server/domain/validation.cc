#include "server/domain/validation.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

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

// A setting that may be zero (off) but not negative or absurdly long.
absl::Status ValidateOptionalDuration(absl::Duration d, absl::string_view field) {
  if (d < absl::ZeroDuration() || d > absl::Hours(24)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be between 0 and 24 h, got ", absl::FormatDuration(d)));
  }
  return absl::OkStatus();
}

absl::Status ValidateTimeOfDay(absl::Duration d, absl::string_view field) {
  if (d < absl::ZeroDuration() || d > absl::Hours(24) ||
      d % absl::Minutes(1) != absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be a whole minute between 00:00 and 24:00"));
  }
  return absl::OkStatus();
}

absl::Status ValidateText(absl::string_view value, size_t max_bytes, absl::string_view field) {
  if (value.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is ", value.size(), " bytes; at most ", max_bytes, " allowed"));
  }
  if (std::any_of(value.begin(), value.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must not contain control characters"));
  }
  return absl::OkStatus();
}

// A time zone is loaded by name from the zoneinfo directory, so only the shape
// of an IANA name ("Asia/Shanghai", "America/Port-au-Prince", "Etc/GMT+8")
// may reach the loader: an absolute path, "..", or a name cut short by a NUL
// byte would have the server open and keep a file of the caller's choosing.
absl::Status ValidateTimeZoneName(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("timezone must not be empty");
  const bool iana = name.size() <= 64 && name.front() != '/' && !absl::StrContains(name, "..") &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                      return absl::ascii_isalnum(c) || c == '/' || c == '_' || c == '-' || c == '+';
                    });
  if (!iana) {
    return absl::InvalidArgumentError(
        absl::StrCat("timezone '", absl::CHexEscape(name.substr(0, 40)),
                     "' is not a time zone name; use an IANA name like Asia/Shanghai"));
  }
  return absl::OkStatus();
}

bool AllDigits(absl::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
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
  if (auto s = ValidateTimeZoneName(info.timezone); !s.ok()) return s;
  if (auto s = ValidateDuration(info.rating_window, "rating_window"); !s.ok()) return s;
  if (info.recall_limit < 0 || info.recall_limit > kMaxRecallLimit) {
    return absl::InvalidArgumentError(absl::StrCat("recall_limit must be between 0 and ",
                                                   kMaxRecallLimit, ", got ", info.recall_limit));
  }
  for (const auto& [value, field] : {std::pair{info.auto_no_show_after, "auto_no_show_after"},
                                     {info.reinstate_grace, "reinstate_grace"},
                                     {info.checkin_early, "checkin_early"},
                                     {info.checkin_late, "checkin_late"},
                                     {info.appointment_lead, "appointment_lead"}}) {
    if (auto s = ValidateOptionalDuration(value, field); !s.ok()) return s;
  }
  if (info.appointment_lead > info.checkin_early) {
    return absl::InvalidArgumentError(
        "appointment_lead must not be longer than checkin_early: a ticket cannot be callable "
        "before check-in opens");
  }
  if (info.reinstate_placement == Placement::kFront) {
    return absl::InvalidArgumentError(
        "reinstate_placement must be by_issue_time or end: putting a late customer at the front "
        "would pass everyone who came on time");
  }
  if (auto s = ValidateTimeOfDay(info.opening_time, "opening_time"); !s.ok()) return s;
  if (auto s = ValidateTimeOfDay(info.closing_time, "closing_time"); !s.ok()) return s;
  if (info.closing_time <= info.opening_time) {
    return absl::InvalidArgumentError("closing_time must be after opening_time");
  }
  if (info.slot_length < absl::Minutes(5) || info.slot_length > absl::Hours(4) ||
      info.slot_length % absl::Minutes(1) != absl::ZeroDuration()) {
    return absl::InvalidArgumentError("slot_length must be whole minutes between 5 min and 4 h");
  }
  if (info.booking_horizon_days < 0 || info.booking_horizon_days > 366) {
    return absl::InvalidArgumentError("booking_horizon_days must be between 0 and 366");
  }
  return absl::OkStatus();
}

absl::Status ValidateService(const ServiceConfig& service) {
  if (auto s = ValidateServiceCode(service.code, "service code"); !s.ok()) return s;
  const std::string where = absl::StrCat("service ", service.code, ": ");
  if (auto s = ValidateName(service.name_zh, where + "name_zh"); !s.ok()) return s;
  if (auto s = ValidateName(service.name_en, where + "name_en"); !s.ok()) return s;
  if (auto s = ValidateDuration(service.target_wait, where + "target_wait"); !s.ok()) return s;
  if (auto s = ValidateDuration(service.expected_service_time, where + "expected_service_time");
      !s.ok()) {
    return s;
  }
  if (service.max_wait != absl::ZeroDuration()) {
    if (auto s = ValidateDuration(service.max_wait, where + "max_wait"); !s.ok()) return s;
    if (service.max_wait < service.target_wait) {
      return absl::InvalidArgumentError(
          where + "max_wait must not be shorter than target_wait (or 0 for twice target_wait)");
    }
  }
  if (service.appointment_capacity < 0 || service.appointment_capacity > 100) {
    return absl::InvalidArgumentError(where + "appointment_capacity must be between 0 and 100");
  }
  return absl::OkStatus();
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
  if (counter.strategy == CallStrategy::kCounted && counter.counted_rules.empty()) {
    return absl::InvalidArgumentError(
        where + "the counted strategy needs rules, e.g. green_channel:2,vip:1,normal");
  }
  for (const auto& rule : counter.counted_rules) {
    if (rule.quota < 1 || rule.quota > kMaxCountedQuota) {
      return absl::InvalidArgumentError(absl::StrCat(where, "the quota of ", Name(rule.priority),
                                                     " must be between 1 and ", kMaxCountedQuota));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CountedRules> ParseCountedRules(absl::string_view text) {
  CountedRules result;
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ',', absl::SkipWhitespace());
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("rules '", text.substr(0, 80), "': ", why,
                     "; write them like green_channel:2,vip:1,normal (class:quota rules, then the "
                     "fallback class)"));
  };
  if (parts.empty()) return bad("no rules");
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(parts[i], ':');
    const auto priority = ParsePriorityClass(absl::StripAsciiWhitespace(kv.first));
    if (!priority) {
      return bad(absl::StrCat("unknown class '", absl::StripAsciiWhitespace(kv.first),
                              "' (appointment, green_channel, vip, normal)"));
    }
    if (last && kv.second.empty() && !absl::StrContains(parts[i], ':')) {
      result.fallback = *priority;
      return result;
    }
    int quota = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(kv.second), &quota) || quota < 1 ||
        quota > kMaxCountedQuota) {
      return bad(absl::StrCat("the quota of ", Name(*priority), " must be a number from 1 to ",
                              kMaxCountedQuota));
    }
    result.rules.push_back(CountedRule{.priority = *priority, .quota = quota});
  }
  return bad("the last entry must be the fallback class, without a quota");
}

std::string FormatCountedRules(const std::vector<CountedRule>& rules, PriorityClass fallback) {
  std::vector<std::string> parts;
  for (const auto& rule : rules)
    parts.push_back(absl::StrCat(Name(rule.priority), ":", rule.quota));
  parts.emplace_back(Name(fallback));
  return absl::StrJoin(parts, ",");
}

absl::Status ValidateTransactionDetails(const TransactionDetails& details) {
  if (auto s = ValidateText(details.type, kMaxDetailsTypeBytes, "details.type"); !s.ok()) return s;
  if (auto s = ValidateText(details.text, kMaxDetailsTextBytes, "details.text"); !s.ok()) return s;
  if (!details.amount.empty()) {
    const std::vector<absl::string_view> parts = absl::StrSplit(details.amount, '.');
    const bool ok = parts.size() <= 2 && !parts[0].empty() && parts[0].size() <= 12 &&
                    AllDigits(parts[0]) &&
                    (parts.size() == 1 || (parts[1].size() <= 2 && AllDigits(parts[1])));
    if (!ok) {
      // Not echoed: a customer may have typed a card number into the wrong field.
      return absl::InvalidArgumentError(
          "details.amount is not an amount: write digits with at most two decimals, e.g. 5000.00");
    }
  }
  if (!details.account_tail.empty() &&
      (details.account_tail.size() < 4 || details.account_tail.size() > 32 ||
       !AllDigits(details.account_tail))) {
    return absl::InvalidArgumentError(
        "details.account_tail must be 4 to 32 digits (the account number or its last digits)");
  }
  return absl::OkStatus();
}

absl::Status ValidateNote(absl::string_view note) {
  return ValidateText(note, kMaxNoteBytes, "note");
}

absl::StatusOr<std::string> NormalizePhone(absl::string_view phone) {
  std::string digits;
  for (size_t i = 0; i < phone.size(); ++i) {
    const char c = phone[i];
    if (absl::ascii_isdigit(c)) {
      digits.push_back(c);
    } else if (!(c == ' ' || c == '-' || (c == '+' && i == 0))) {
      return absl::InvalidArgumentError(
          "phone may contain only digits, spaces, dashes and a leading '+'");
    }
  }
  if (digits.size() < 5 || digits.size() > 20) {
    return absl::InvalidArgumentError(
        absl::StrCat("phone has ", digits.size(), " digits; a phone number has 5 to 20"));
  }
  return digits;
}

absl::StatusOr<std::string> NormalizeAppointmentCode(absl::string_view code) {
  std::string normalized;
  for (char c : code) {
    if (c == ' ' || c == '-') continue;
    normalized.push_back(absl::ascii_toupper(c));
  }
  const bool ok = normalized.size() == kAppointmentCodeLength &&
                  std::all_of(normalized.begin(), normalized.end(), [](char c) {
                    return kAppointmentCodeAlphabet.find(c) != absl::string_view::npos;
                  });
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "appointment code '", code.substr(0, 20), "' is not valid: a code has ",
        kAppointmentCodeLength, " letters and digits, as in the booking confirmation"));
  }
  return normalized;
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
