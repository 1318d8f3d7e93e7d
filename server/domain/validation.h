#pragma once

// Rules for what a well-formed name, code or setting is. The rpc layer, the
// config loader and the domain itself all check through these, so a field is
// judged the same way wherever it comes from. Every error names the field.

#include "absl/strings/string_view.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/domain/types.h"

namespace lobbyq::domain {

inline constexpr size_t kMaxNameBytes = 64;
inline constexpr size_t kMaxRequestIdBytes = 64;
inline constexpr size_t kMaxCommentBytes = 500;
inline constexpr uint32_t kMaxCounterNumber = 999;
inline constexpr size_t kMaxNoteBytes = 200;
inline constexpr size_t kMaxDetailsTextBytes = 200;
inline constexpr size_t kMaxDetailsTypeBytes = 32;
inline constexpr int kMaxRecallLimit = 10;
inline constexpr int kMaxCountedQuota = 100;
inline constexpr size_t kAppointmentCodeLength = 8;
// Appointment codes use these: no 0/O, 1/I, so a code read aloud or typed on a
// keypad is not mistaken.
inline constexpr absl::string_view kAppointmentCodeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

// [a-z0-9-], 1..32 characters.
absl::Status ValidateBranchId(absl::string_view id);
// One upper-case letter A-Z.
absl::Status ValidateServiceCode(absl::string_view code, absl::string_view field = "service_code");
absl::Status ValidateCounterNumber(uint32_t number);
// Optional (may be empty): a device's name as it appears in the event log.
absl::Status ValidateDeviceId(absl::string_view id, absl::string_view field);
// Required, 1..64 printable bytes.
absl::Status ValidateRequestId(absl::string_view request_id);
absl::Status ValidateBranchInfo(const BranchInfo& info);
absl::Status ValidateService(const ServiceConfig& service);
// Checks the counter's own fields; whether its services exist is the branch's call.
absl::Status ValidateCounterConfig(const Counter& counter);
// NotFound naming the first service of the counter's profile not in `services`.
absl::Status CheckProfileServices(const Counter& counter,
                                  const std::vector<ServiceConfig>& services);
// The rules of the `counted` strategy as text: comma-separated
// "class:quota" rules and a last bare class, the fallback, e.g.
// "green_channel:2,vip:1,normal". Class names as Name(PriorityClass).
struct CountedRules {
  std::vector<CountedRule> rules;
  PriorityClass fallback = PriorityClass::kNormal;
};
absl::StatusOr<CountedRules> ParseCountedRules(absl::string_view text);
std::string FormatCountedRules(const std::vector<CountedRule>& rules, PriorityClass fallback);

// Form-free details as the kiosk sent them (before masking): type and text
// length, amount a decimal with at most two places, account a run of digits.
absl::Status ValidateTransactionDetails(const TransactionDetails& details);
// A teller's note: at most kMaxNoteBytes, no control characters.
absl::Status ValidateNote(absl::string_view note);
// 5..20 digits, optionally with '+', spaces or dashes; returns the digits.
absl::StatusOr<std::string> NormalizePhone(absl::string_view phone);
// Upper-cases and drops spaces and dashes, so "ab3k-9xq2" finds "AB3K9XQ2";
// InvalidArgument unless the result is kAppointmentCodeLength characters of
// kAppointmentCodeAlphabet.
absl::StatusOr<std::string> NormalizeAppointmentCode(absl::string_view code);

// A whole new branch: its info, at least one service, no code or counter number
// twice, every profile naming the branch's own services (InvalidArgument).
absl::Status ValidateBranchDefinition(const BranchDefinition& def);

}  // namespace lobbyq::domain
