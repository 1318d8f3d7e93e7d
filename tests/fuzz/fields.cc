// The pure checks and parsers every request field goes through
// (server/domain/validation.h, masking.h, rpc::ParseDay), with what each
// promises about its result. The first byte picks the function, the rest is
// its text.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "harness.h"
#include "server/domain/masking.h"
#include "server/domain/validation.h"
#include "server/rpc/mapping.h"

namespace lobbyq::fuzz {
namespace {

void CountedRules(absl::string_view text) {
  auto parsed = domain::ParseCountedRules(text);
  if (!parsed.ok()) return CheckRefusal(parsed.status(), "ParseCountedRules");
  for (const auto& rule : parsed->rules) {
    if (rule.quota < 1 || rule.quota > domain::kMaxCountedQuota) {
      Fail(absl::StrCat("rules '", text, "' parsed with quota ", rule.quota));
    }
  }
  // What UpsertCounter stores is shown back as text (admin, config): the text
  // must parse to the same rules.
  const std::string formatted = domain::FormatCountedRules(parsed->rules, parsed->fallback);
  auto again = domain::ParseCountedRules(formatted);
  if (!again.ok() || again->rules != parsed->rules || again->fallback != parsed->fallback) {
    Fail(absl::StrCat("rules '", text, "' format as '", formatted, "', which parses otherwise"));
  }
  domain::Counter counter{.number = 1,
                          .name = "Counter 1",
                          .service_codes = {"A"},
                          .strategy = domain::CallStrategy::kCounted,
                          .counted_rules = parsed->rules,
                          .counted_fallback = parsed->fallback};
  if (auto s = domain::ValidateCounterConfig(counter); !s.ok() && !parsed->rules.empty()) {
    Fail(absl::StrCat("rules '", text, "' parse but the counter refuses them: ", s.ToString()));
  }
}

void AppointmentCode(absl::string_view text) {
  auto code = domain::NormalizeAppointmentCode(text);
  if (!code.ok()) return CheckRefusal(code.status(), "NormalizeAppointmentCode");
  if (code->size() != domain::kAppointmentCodeLength) Fail(absl::StrCat("code '", *code, "'"));
  auto again = domain::NormalizeAppointmentCode(*code);
  if (!again.ok() || *again != *code) Fail(absl::StrCat("code '", *code, "' normalizes again"));
  const std::string masked = domain::MaskAppointmentCode(*code);
  if (masked.substr(0, 6) != "******") Fail(absl::StrCat("code masked as '", masked, "'"));
}

void Phone(absl::string_view text) {
  auto digits = domain::NormalizePhone(text);
  if (!digits.ok()) return CheckRefusal(digits.status(), "NormalizePhone");
  if (digits->size() < 5 || digits->size() > 20 ||
      !std::all_of(digits->begin(), digits->end(), absl::ascii_isdigit)) {
    Fail(absl::StrCat("phone '", text, "' normalized to '", *digits, "'"));
  }
  // At most the first three and the last four digits stay readable.
  const std::string masked = domain::MaskPhone(*digits);
  if (std::count_if(masked.begin(), masked.end(), absl::ascii_isdigit) > 7 ||
      masked.find('*') == std::string::npos) {
    Fail(absl::StrCat("phone ", *digits, " masked as '", masked, "'"));
  }
}

void Day(absl::string_view text) {
  auto day = rpc::ParseDay(text);
  if (!day.ok()) return CheckRefusal(day.status(), "ParseDay");
  if (absl::FormatCivilTime(*day) != text) {
    Fail(absl::StrCat("day '", text, "' parsed as ", absl::FormatCivilTime(*day)));
  }
}

// No run of seven digits may survive masking, or an account or phone number
// typed into the free text would be stored.
bool HasLongDigitRun(absl::string_view text) {
  int run = 0;
  for (char c : text) {
    run = absl::ascii_isdigit(c) ? run + 1 : 0;
    if (run >= 7) return true;
  }
  return false;
}

void Details(absl::string_view text) {
  const std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits('\n', 3));
  domain::TransactionDetails details;
  std::string* fields[] = {&details.type, &details.amount, &details.account_tail, &details.text};
  for (size_t i = 0; i < parts.size(); ++i) *fields[i] = parts[i];
  if (auto s = domain::ValidateTransactionDetails(details); !s.ok()) {
    return CheckRefusal(s, "ValidateTransactionDetails");
  }
  const std::string account = domain::MaskAccount(details.account_tail);
  if (HasLongDigitRun(account)) Fail(absl::StrCat("account masked as '", account, "'"));
  const std::string masked = domain::MaskDigitRuns(details.text);
  if (HasLongDigitRun(masked)) {
    Fail(absl::StrCat("text '", details.text, "' masked as '", masked, "'"));
  }
  if (domain::MaskDigitRuns(masked) != masked) {
    Fail(absl::StrCat("text '", details.text, "' masks differently twice"));
  }
}

void Names(absl::string_view text) {
  for (const absl::Status& s :
       {domain::ValidateBranchId(text), domain::ValidateServiceCode(text),
        domain::ValidateRequestId(text), domain::ValidateDeviceId(text, "kiosk_id"),
        domain::ValidateNote(text)}) {
    if (!s.ok()) CheckRefusal(s, "field check");
  }
}

}  // namespace

int RunFields(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      CountedRules(text);
      break;
    case 1:
      AppointmentCode(text);
      break;
    case 2:
      Phone(text);
      break;
    case 3:
      Day(text);
      break;
    case 4:
      Details(text);
      break;
    default:
      Names(text);
      break;
  }
  return 0;
}

}  // namespace lobbyq::fuzz
