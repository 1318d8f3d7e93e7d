#pragma once

// Masking of what identifies a customer's money or phone. Applied before
// anything is stored, so no output or log can show more than it keeps.

#include <string>

#include "absl/strings/string_view.h"

namespace lobbyq::domain {

// Keeps the last four digits: "6222021234567890" -> "****7890", and a tail of
// four stays readable ("1234" -> "****1234"); fewer than four -> "****";
// nothing stays nothing.
std::string MaskAccount(absl::string_view digits);
// Keeps the first three and last four digits of a phone: "13812345678" ->
// "138****5678"; shorter numbers keep only the last two.
std::string MaskPhone(absl::string_view digits);
// An appointment code is a key (it checks in and cancels): staff lists show
// only its last two characters, "******Q2".
std::string MaskAppointmentCode(absl::string_view code);
// Masks every run of 7 or more digits in free text, keeping its last four.
// Full-width digits count as digits, and up to two of " -./()" may stand
// between the digits of one run ("138 1234 5678", "(0755) 1234.5678").
std::string MaskDigitRuns(absl::string_view text);

}  // namespace lobbyq::domain
