#include "server/domain/masking.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace lobbyq::domain {
namespace {

constexpr size_t kKeptTail = 4;
constexpr size_t kShortestMaskedRun = 7;
// Between two digits of one number: "138 1234 5678", "138-1234-5678",
// "(0755) 1234.5678"; at most this many in a row.
constexpr absl::string_view kNumberSeparators = " -./()";
constexpr size_t kMostSeparatorsInARow = 2;

// Chinese input methods type full-width digits (０-９, U+FF10..U+FF19); they
// are the same number and must be masked the same way.
std::string AsciiDigits(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    if (i + 2 < text.size() && byte(i) == 0xEF && byte(i + 1) == 0xBC && byte(i + 2) >= 0x90 &&
        byte(i + 2) <= 0x99) {
      out.push_back(static_cast<char>('0' + (byte(i + 2) - 0x90)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

std::string MaskAccount(absl::string_view digits) {
  if (digits.empty()) return "";
  if (digits.size() < kKeptTail) return "****";
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

std::string MaskAppointmentCode(absl::string_view code) {
  const size_t shown = std::min<size_t>(2, code.size());
  return std::string(code.size() - shown, '*') + std::string(code.substr(code.size() - shown));
}

std::string MaskDigitRuns(absl::string_view raw) {
  const std::string text = AsciiDigits(raw);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (!absl::ascii_isdigit(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    // A run: digits, possibly split by a few separators between them.
    std::string digits;
    size_t end = i;
    size_t run_end = i;
    while (end < text.size()) {
      if (absl::ascii_isdigit(text[end])) {
        digits.push_back(text[end]);
        run_end = ++end;
        continue;
      }
      size_t gap = end;
      while (gap < text.size() && gap - end < kMostSeparatorsInARow &&
             absl::StrContains(kNumberSeparators, text[gap])) {
        ++gap;
      }
      if (gap == end || gap >= text.size() || !absl::ascii_isdigit(text[gap])) break;
      end = gap;
    }
    if (digits.size() < kShortestMaskedRun) {
      out.append(text, i, run_end - i);
    } else {
      out.append(MaskAccount(digits));
    }
    i = run_end;
  }
  return out;
}

}  // namespace lobbyq::domain
