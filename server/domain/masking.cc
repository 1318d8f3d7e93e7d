#include "server/domain/masking.h"

#include "absl/strings/ascii.h"

namespace lobbyq::domain {
namespace {

constexpr size_t kKeptTail = 4;
constexpr size_t kShortestMaskedRun = 7;

}  // namespace

std::string MaskAccount(absl::string_view digits) {
  if (digits.size() <= kKeptTail) return std::string(digits.size(), '*');
  return "****" + std::string(digits.substr(digits.size() - kKeptTail));
}

std::string MaskPhone(absl::string_view digits) {
  if (digits.size() < 9) {
    if (digits.size() <= 2) return std::string(digits.size(), '*');
    return std::string(digits.size() - 2, '*') + std::string(digits.substr(digits.size() - 2));
  }
  return std::string(digits.substr(0, 3)) + "****" +
         std::string(digits.substr(digits.size() - kKeptTail));
}

std::string MaskDigitRuns(absl::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (!absl::ascii_isdigit(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    // A run: digits, possibly split by single spaces or dashes ("138 1234 5678").
    size_t end = i;
    size_t digit_count = 0;
    size_t last_digit_end = i;
    while (end < text.size()) {
      if (absl::ascii_isdigit(text[end])) {
        ++digit_count;
        last_digit_end = ++end;
      } else if ((text[end] == ' ' || text[end] == '-') && end + 1 < text.size() &&
                 absl::ascii_isdigit(text[end + 1])) {
        ++end;
      } else {
        break;
      }
    }
    const absl::string_view run = text.substr(i, last_digit_end - i);
    if (digit_count < kShortestMaskedRun) {
      out.append(run.data(), run.size());
    } else {
      std::string digits;
      for (char c : run) {
        if (absl::ascii_isdigit(c)) digits.push_back(c);
      }
      out.append(MaskAccount(digits));
    }
    i = last_digit_end;
  }
  return out;
}

}  // namespace lobbyq::domain
