#include "server/config.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include <yaml-cpp/yaml.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/domain/validation.h"

namespace lobbyq::server {
namespace {

// Walks the YAML tree and remembers the first error with where it happened.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  absl::Status Error(const YAML::Node& node, const std::string& field, absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_, ":", node.Mark().line + 1, ": ", field, ": ", what));
  }

  // Unknown keys are errors, so a typo does not silently fall back to a default.
  absl::Status CheckKeys(const YAML::Node& map, const std::string& field,
                         const std::set<std::string>& allowed) {
    if (!map.IsMap()) return Error(map, field, "must be a mapping");
    for (const auto& entry : map) {
      const std::string key = entry.first.as<std::string>();
      if (!allowed.contains(key)) {
        return Error(entry.first, field.empty() ? key : absl::StrCat(field, ".", key),
                     "unknown setting");
      }
    }
    return absl::OkStatus();
  }

  absl::Status String(const YAML::Node& map, const std::string& key, const std::string& field,
                      std::string* out, bool required) {
    const YAML::Node node = map[key];
    if (!node) {
      return required ? Error(map, Field(field, key), "is required") : absl::OkStatus();
    }
    if (!node.IsScalar()) return Error(node, Field(field, key), "must be a single value");
    *out = node.as<std::string>();
    return absl::OkStatus();
  }

  absl::Status Duration(const YAML::Node& map, const std::string& key, const std::string& field,
                        absl::Duration* out) {
    std::string text;
    if (auto s = String(map, key, field, &text, false); !s.ok() || text.empty()) return s;
    if (!absl::ParseDuration(text, out)) {
      return Error(map[key], Field(field, key),
                   absl::StrCat("'", text, "' is not a duration; write e.g. 90s, 10m or 1h"));
    }
    return absl::OkStatus();
  }

  // A whole number, optional: absent leaves *out as it is. Its range is the
  // domain's call.
  absl::Status Int(const YAML::Node& map, const std::string& key, const std::string& field,
                   int* out) {
    std::string text;
    if (auto s = String(map, key, field, &text, false); !s.ok() || !map[key]) return s;
    try {
      *out = map[key].as<int>();
    } catch (const YAML::Exception&) {
      return Error(map[key], Field(field, key), absl::StrCat("'", text, "' is not a whole number"));
    }
    return absl::OkStatus();
  }

  absl::Status Bool(const YAML::Node& map, const std::string& key, const std::string& field,
                    bool* out) {
    std::string text;
    if (auto s = String(map, key, field, &text, false); !s.ok() || !map[key]) return s;
    try {
      *out = map[key].as<bool>();
    } catch (const YAML::Exception&) {
      return Error(map[key], Field(field, key), absl::StrCat("'", text, "' is not true or false"));
    }
    return absl::OkStatus();
  }

  // A local time of day "HH:MM" (00:00 to 24:00), as the time since midnight.
  absl::Status TimeOfDay(const YAML::Node& map, const std::string& key, const std::string& field,
                         absl::Duration* out) {
    std::string text;
    if (auto s = String(map, key, field, &text, false); !s.ok() || !map[key]) return s;
    const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
    int hours = -1;
    int minutes = -1;
    auto digits = [](absl::string_view part, size_t min, size_t max) {
      return part.size() >= min && part.size() <= max &&
             std::all_of(part.begin(), part.end(), [](char c) { return absl::ascii_isdigit(c); });
    };
    const bool ok = parts.size() == 2 && digits(parts[0], 1, 2) && digits(parts[1], 2, 2) &&
                    absl::SimpleAtoi(parts[0], &hours) && absl::SimpleAtoi(parts[1], &minutes) &&
                    minutes < 60 && (hours < 24 || (hours == 24 && minutes == 0));
    if (!ok) {
      return Error(map[key], Field(field, key),
                   absl::StrCat("'", text, "' is not a time of day; write HH:MM, e.g. 09:00"));
    }
    *out = absl::Hours(hours) + absl::Minutes(minutes);
    return absl::OkStatus();
  }

  // One of a fixed set of names, turned into a value by `parse`.
  template <typename E, typename ParseFn>
  absl::Status Choice(const YAML::Node& map, const std::string& key, const std::string& field,
                      ParseFn parse, absl::string_view what, absl::string_view choices, E* out) {
    std::string text;
    if (auto s = String(map, key, field, &text, false); !s.ok() || !map[key]) return s;
    const std::optional<E> value = parse(text);
    if (!value) {
      return Error(map[key], Field(field, key),
                   absl::StrCat("'", text, "' is not ", what, "; use ", choices));
    }
    *out = *value;
    return absl::OkStatus();
  }

  absl::Status Unsigned(const YAML::Node& map, const std::string& key, const std::string& field,
                        uint32_t* out) {
    std::string text;
    if (auto s = String(map, key, field, &text, true); !s.ok()) return s;
    try {
      *out = map[key].as<uint32_t>();
    } catch (const YAML::Exception&) {
      return Error(map[key], Field(field, key), absl::StrCat("'", text, "' is not a number"));
    }
    return absl::OkStatus();
  }

  // Runs a domain check and pins its message to a line: the line of the
  // setting the message names first (e.g. "recall_limit must be ..."), or the
  // node's own line when it names none of the node's settings.
  absl::Status Check(const absl::Status& status, const YAML::Node& node, const std::string& field) {
    if (status.ok()) return status;
    const absl::string_view message = status.message();
    if (node.IsMap()) {
      size_t best = absl::string_view::npos;
      std::string best_key;
      for (const auto& entry : node) {
        const std::string key = entry.first.as<std::string>();
        const size_t at = FindWord(message, key);
        if (at < best) {
          best = at;
          best_key = key;
        }
      }
      if (!best_key.empty()) return Error(node[best_key], Field(field, best_key), message);
    }
    return Error(node, field, message);
  }

  static std::string Field(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : absl::StrCat(parent, ".", key);
  }

 private:
  // Where `word` first occurs in `text` as a whole word (not inside a longer
  // name such as branch_id for "id"); npos if nowhere.
  static size_t FindWord(absl::string_view text, absl::string_view word) {
    auto is_name_char = [](char c) { return absl::ascii_isalnum(c) || c == '_'; };
    for (size_t at = text.find(word); at != absl::string_view::npos; at = text.find(word, at + 1)) {
      const size_t end = at + word.size();
      if ((at == 0 || !is_name_char(text[at - 1])) &&
          (end == text.size() || !is_name_char(text[end]))) {
        return at;
      }
    }
    return absl::string_view::npos;
  }

  std::string file_;
};

absl::Status ReadService(Reader& r, const YAML::Node& node, const std::string& field,
                         domain::ServiceConfig* out) {
  if (auto s = r.CheckKeys(node, field,
                           {"code", "name_zh", "name_en", "target_wait", "expected_service_time",
                            "max_wait", "appointment_capacity"});
      !s.ok()) {
    return s;
  }
  for (auto [key, dest] : {std::pair{"code", &out->code}, std::pair{"name_zh", &out->name_zh},
                           std::pair{"name_en", &out->name_en}}) {
    if (auto s = r.String(node, key, field, dest, true); !s.ok()) return s;
  }
  if (auto s = r.Duration(node, "target_wait", field, &out->target_wait); !s.ok()) return s;
  if (auto s = r.Duration(node, "expected_service_time", field, &out->expected_service_time);
      !s.ok()) {
    return s;
  }
  if (auto s = r.Duration(node, "max_wait", field, &out->max_wait); !s.ok()) return s;
  if (auto s = r.Int(node, "appointment_capacity", field, &out->appointment_capacity); !s.ok()) {
    return s;
  }
  return r.Check(domain::ValidateService(*out), node, field);
}

absl::Status ReadCounter(Reader& r, const YAML::Node& node, const std::string& field,
                         domain::Counter* out) {
  if (auto s = r.CheckKeys(node, field,
                           {"number", "name", "services", "strategy", "rules", "green_channel"});
      !s.ok()) {
    return s;
  }
  if (auto s = r.Unsigned(node, "number", field, &out->number); !s.ok()) return s;
  out->name = absl::StrCat("窗口 ", out->number);
  if (auto s = r.String(node, "name", field, &out->name, false); !s.ok()) return s;
  const YAML::Node services = node["services"];
  if (!services || !services.IsSequence()) {
    return r.Error(node, Reader::Field(field, "services"),
                   "must be a list of service codes, e.g. [A, B]");
  }
  for (const auto& code : services) out->service_codes.push_back(code.as<std::string>());
  if (auto s = r.Choice(node, "strategy", field, domain::ParseCallStrategy, "a calling strategy",
                        "in_order, longest_wait or counted", &out->strategy);
      !s.ok()) {
    return s;
  }
  std::string rules;
  if (auto s = r.String(node, "rules", field, &rules, false); !s.ok()) return s;
  if (node["rules"]) {
    auto parsed = domain::ParseCountedRules(rules);
    if (!parsed.ok()) {
      return r.Error(node["rules"], Reader::Field(field, "rules"), parsed.status().message());
    }
    out->counted_rules = std::move(parsed->rules);
    out->counted_fallback = parsed->fallback;
    out->counted_calls.assign(out->counted_rules.size(), 0);
  }
  if (auto s = r.Bool(node, "green_channel", field, &out->green_channel); !s.ok()) return s;
  return r.Check(domain::ValidateCounterConfig(*out), node, field);
}

absl::Status ReadBranch(Reader& r, const YAML::Node& node, const std::string& field,
                        domain::BranchDefinition* out) {
  if (auto s = r.CheckKeys(
          node, field,
          {"id", "name", "timezone", "rating_window", "services", "counters", "recall_limit",
           "auto_no_show_after", "reinstate_grace", "reinstate_placement", "transfer_placement",
           "checkin_early", "checkin_late", "appointment_lead", "opening_time", "closing_time",
           "slot_length", "booking_horizon_days"});
      !s.ok()) {
    return s;
  }
  if (auto s = r.String(node, "id", field, &out->info.id, true); !s.ok()) return s;
  if (auto s = r.String(node, "name", field, &out->info.name, true); !s.ok()) return s;
  if (auto s = r.String(node, "timezone", field, &out->info.timezone, false); !s.ok()) return s;
  domain::BranchInfo& info = out->info;
  for (auto [key, dest] : {std::pair{"rating_window", &info.rating_window},
                           std::pair{"auto_no_show_after", &info.auto_no_show_after},
                           std::pair{"reinstate_grace", &info.reinstate_grace},
                           std::pair{"checkin_early", &info.checkin_early},
                           std::pair{"checkin_late", &info.checkin_late},
                           std::pair{"appointment_lead", &info.appointment_lead},
                           std::pair{"slot_length", &info.slot_length}}) {
    if (auto s = r.Duration(node, key, field, dest); !s.ok()) return s;
  }
  for (auto [key, dest] : {std::pair{"opening_time", &info.opening_time},
                           std::pair{"closing_time", &info.closing_time}}) {
    if (auto s = r.TimeOfDay(node, key, field, dest); !s.ok()) return s;
  }
  for (auto [key, dest] : {std::pair{"recall_limit", &info.recall_limit},
                           std::pair{"booking_horizon_days", &info.booking_horizon_days}}) {
    if (auto s = r.Int(node, key, field, dest); !s.ok()) return s;
  }
  if (auto s = r.Choice(node, "reinstate_placement", field, domain::ParsePlacement, "a placement",
                        "by_issue_time or end", &info.reinstate_placement);
      !s.ok()) {
    return s;
  }
  if (auto s = r.Choice(node, "transfer_placement", field, domain::ParsePlacement, "a placement",
                        "by_issue_time, front or end", &info.transfer_placement);
      !s.ok()) {
    return s;
  }
  if (auto s = r.Check(domain::ValidateBranchInfo(out->info), node, field); !s.ok()) return s;
  const YAML::Node services = node["services"];
  if (!services || !services.IsSequence() || services.size() == 0) {
    return r.Error(node, Reader::Field(field, "services"), "must list at least one service");
  }
  std::set<std::string> codes;
  for (size_t i = 0; i < services.size(); ++i) {
    domain::ServiceConfig service;
    const std::string service_field = absl::StrCat(field, ".services[", i, "]");
    if (auto s = ReadService(r, services[i], service_field, &service); !s.ok()) return s;
    if (!codes.insert(service.code).second) {
      return r.Error(services[i], service_field,
                     absl::StrCat("service ", service.code, " is defined twice"));
    }
    out->services.push_back(std::move(service));
  }
  const YAML::Node counters = node["counters"];
  if (counters && !counters.IsSequence()) {
    return r.Error(counters, Reader::Field(field, "counters"), "must be a list");
  }
  std::set<uint32_t> numbers;
  for (size_t i = 0; counters && i < counters.size(); ++i) {
    domain::Counter counter;
    const std::string counter_field = absl::StrCat(field, ".counters[", i, "]");
    if (auto s = ReadCounter(r, counters[i], counter_field, &counter); !s.ok()) return s;
    if (auto s = r.Check(domain::CheckProfileServices(counter, out->services), counters[i],
                         counter_field);
        !s.ok()) {
      return s;
    }
    if (!numbers.insert(counter.number).second) {
      return r.Error(counters[i], counter_field,
                     absl::StrCat("counter ", counter.number, " is defined twice"));
    }
    out->counters.push_back(std::move(counter));
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(out->info.timezone, &zone)) {
    return r.Error(node["timezone"] ? node["timezone"] : node, Reader::Field(field, "timezone"),
                   absl::StrCat("'", out->info.timezone,
                                "' is not a known time zone; use an IANA name like Asia/Shanghai"));
  }
  return absl::OkStatus();
}

// File paths only: the files are read at start, where a missing one is named.
absl::Status ReadTls(Reader& r, const YAML::Node& node, TlsSettings* out) {
  if (auto s = r.CheckKeys(node, "tls", {"cert", "key", "client_ca"}); !s.ok()) return s;
  for (auto [key, dest, required] :
       {std::tuple{"cert", &out->cert_file, true}, std::tuple{"key", &out->key_file, true},
        std::tuple{"client_ca", &out->client_ca_file, false}}) {
    if (auto s = r.String(node, key, "tls", dest, required); !s.ok()) return s;
    // An empty path would quietly turn TLS off.
    if (node[key] && dest->empty()) {
      return r.Error(node[key], Reader::Field("tls", key), "must name a PEM file");
    }
  }
  return absl::OkStatus();
}

// `limits:` (docs/security.md, "Limits"). Each setting is optional; the
// bounds keep a typo (an extra zero, a minus sign) from turning a limit off or
// refusing every kiosk.
absl::Status ReadLimits(Reader& r, const YAML::Node& node, rpc::Limits* out) {
  if (auto s = r.CheckKeys(node, "limits",
                           {"live_tickets_per_branch", "kiosk_burst", "kiosk_tickets_per_minute",
                            "max_request_kib"});
      !s.ok()) {
    return s;
  }
  int per_minute = static_cast<int>(out->issues_per_minute);
  int kib = out->max_message_bytes / 1024;
  struct Setting {
    const char* key;
    int* value;
    int min;
    int max;
  };
  // The smallest request size still takes a branch with many services and
  // counters (CreateBranch), the largest request a real client sends.
  for (const Setting& setting :
       {Setting{"live_tickets_per_branch", &out->max_live_tickets_per_branch, 1, 1'000'000},
        Setting{"kiosk_burst", &out->issue_burst, 1, 10'000},
        Setting{"kiosk_tickets_per_minute", &per_minute, 1, 10'000},
        Setting{"max_request_kib", &kib, 16, 16 * 1024}}) {
    if (auto s = r.Int(node, setting.key, "limits", setting.value); !s.ok()) return s;
    if (node[setting.key] && (*setting.value < setting.min || *setting.value > setting.max)) {
      return r.Error(node[setting.key], Reader::Field("limits", setting.key),
                     absl::StrCat("must be from ", setting.min, " to ", setting.max));
    }
  }
  out->issues_per_minute = per_minute;
  out->max_message_bytes = kib * 1024;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerConfig> ParseConfig(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ":", e.mark.line + 1, ": not valid YAML: ", e.msg));
  }
  ServerConfig config;
  if (root.IsNull()) return config;
  Reader r(name);
  try {
    if (auto s = r.CheckKeys(root, "",
                             {"listen", "data", "log_level", "durability", "tls", "allow_plaintext",
                              "limits", "branches"});
        !s.ok()) {
      return s;
    }
    for (auto [key, dest] :
         {std::pair{"listen", &config.listen}, std::pair{"data", &config.data_dir},
          std::pair{"log_level", &config.log_level}}) {
      std::string value;
      if (auto s = r.String(root, key, "", &value, false); !s.ok()) return s;
      if (root[key]) *dest = value;
    }
    if (config.log_level &&
        !std::set<std::string>{"trace", "debug", "info", "warn", "error"}.contains(
            *config.log_level)) {
      return r.Error(root["log_level"], "log_level",
                     absl::StrCat("'", *config.log_level,
                                  "' is not a log level; use trace, debug, info, warn or error"));
    }
    store::Durability durability = store::Durability::kFull;
    if (auto s = r.Choice(root, "durability", "", store::ParseDurability, "a durability setting",
                          "full or normal", &durability);
        !s.ok()) {
      return s;
    }
    if (root["durability"]) config.durability = durability;
    if (const YAML::Node tls = root["tls"]) {
      if (auto s = ReadTls(r, tls, &config.tls); !s.ok()) return s;
    }
    if (root["allow_plaintext"]) {
      bool allow = false;
      if (auto s = r.Bool(root, "allow_plaintext", "", &allow); !s.ok()) return s;
      config.allow_plaintext = allow;
    }
    if (const YAML::Node limits = root["limits"]) {
      if (auto s = ReadLimits(r, limits, &config.limits); !s.ok()) return s;
    }
    const YAML::Node branches = root["branches"];
    if (branches && !branches.IsSequence()) return r.Error(branches, "branches", "must be a list");
    std::set<std::string> ids;
    for (size_t i = 0; branches && i < branches.size(); ++i) {
      domain::BranchDefinition def;
      const std::string field = absl::StrCat("branches[", i, "]");
      if (auto s = ReadBranch(r, branches[i], field, &def); !s.ok()) return s;
      if (!ids.insert(def.info.id).second) {
        return r.Error(branches[i], field, absl::StrCat("branch id '", def.info.id, "' repeats"));
      }
      config.branches.push_back(std::move(def));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(name, ":", e.mark.line + 1, ": ", e.msg));
  }
  return config;
}

absl::StatusOr<ServerConfig> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path);
}

}  // namespace lobbyq::server
