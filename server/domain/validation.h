#pragma once

// Rules for what a well-formed name, code or setting is. The rpc layer, the
// config loader and the domain itself all check through these, so a field is
// judged the same way wherever it comes from. Every error names the field.

#include "absl/strings/string_view.h"

#include <vector>

#include "absl/status/status.h"
#include "server/domain/types.h"

namespace lobbyq::domain {

inline constexpr size_t kMaxNameBytes = 64;
inline constexpr size_t kMaxRequestIdBytes = 64;
inline constexpr size_t kMaxCommentBytes = 500;
inline constexpr uint32_t kMaxCounterNumber = 999;

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
// A whole new branch: its info, at least one service, no code or counter number
// twice, every profile naming the branch's own services (InvalidArgument).
absl::Status ValidateBranchDefinition(const BranchDefinition& def);

}  // namespace lobbyq::domain
