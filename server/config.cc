#include "server/config.h"

#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
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

  // Runs a domain check and pins its message to the node's line.
  absl::Status Check(const absl::Status& status, const YAML::Node& node, const std::string& field) {
    return status.ok() ? status : Error(node, field, status.message());
  }

  static std::string Field(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : absl::StrCat(parent, ".", key);
  }

 private:
  std::string file_;
};

absl::Status ReadService(Reader& r, const YAML::Node& node, const std::string& field,
                         domain::ServiceConfig* out) {
  if (auto s = r.CheckKeys(node, field,
                           {"code", "name_zh", "name_en", "target_wait", "expected_service_time"});
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
  return r.Check(domain::ValidateService(*out), node, field);
}

absl::Status ReadCounter(Reader& r, const YAML::Node& node, const std::string& field,
                         domain::Counter* out) {
  if (auto s = r.CheckKeys(node, field, {"number", "name", "services"}); !s.ok()) return s;
  if (auto s = r.Unsigned(node, "number", field, &out->number); !s.ok()) return s;
  out->name = absl::StrCat("窗口 ", out->number);
  if (auto s = r.String(node, "name", field, &out->name, false); !s.ok()) return s;
  const YAML::Node services = node["services"];
  if (!services || !services.IsSequence()) {
    return r.Error(node, Reader::Field(field, "services"),
                   "must be a list of service codes, e.g. [A, B]");
  }
  for (const auto& code : services) out->service_codes.push_back(code.as<std::string>());
  return r.Check(domain::ValidateCounterConfig(*out), node, field);
}

absl::Status ReadBranch(Reader& r, const YAML::Node& node, const std::string& field,
                        domain::BranchDefinition* out) {
  if (auto s = r.CheckKeys(node, field,
                           {"id", "name", "timezone", "rating_window", "services", "counters"});
      !s.ok()) {
    return s;
  }
  if (auto s = r.String(node, "id", field, &out->info.id, true); !s.ok()) return s;
  if (auto s = r.String(node, "name", field, &out->info.name, true); !s.ok()) return s;
  if (auto s = r.String(node, "timezone", field, &out->info.timezone, false); !s.ok()) return s;
  if (auto s = r.Duration(node, "rating_window", field, &out->info.rating_window); !s.ok()) {
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
    if (auto s = r.CheckKeys(root, "", {"listen", "data", "log_level", "branches"}); !s.ok()) {
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
