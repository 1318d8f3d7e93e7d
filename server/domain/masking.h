#pragma once

// Masking of what identifies a customer's money or phone. Applied before
// anything is stored, so no output or log can show more than it keeps.

#include <string>

#include "absl/strings/string_view.h"

namespace lobbyq::domain {

// Keeps the last four digits: "6222021234567890" -> "****7890". Shorter input
// is fully masked.
std::string MaskAccount(absl::string_view digits);
// Keeps the first three and last four digits of a phone: "13812345678" ->
// "138****5678"; shorter numbers keep only the last two.
std::string MaskPhone(absl::string_view digits);
// Masks every run of 7 or more digits in free text (spaces and dashes inside a
// run count as part of it), keeping the run's last four digits.
std::string MaskDigitRuns(absl::string_view text);

}  // namespace lobbyq::domain
