#pragma once

// The credentials file: what the demo run writes to lobbyq-data/demo-credentials
// and what the clients read with --credentials. One `key=value` per line, `#`
// starts a comment. Keys: kiosk_token, display_token, and NAME_user /
// NAME_password for teller, manager and admin.

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace lobbyq {

using CredentialsFile = std::map<std::string, std::string, std::less<>>;

inline constexpr char kDefaultCredentialsPath[] = "./lobbyq-data/demo-credentials";

inline absl::StatusOr<CredentialsFile> ParseCredentials(const std::string& text,
                                                        const std::string& name) {
  CredentialsFile out;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    absl::string_view view = absl::StripAsciiWhitespace(line);
    if (view.empty() || view.front() == '#') continue;
    const size_t eq = view.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ":", number, ": expected key=value, e.g. kiosk_token=lq_..."));
    }
    out[std::string(absl::StripAsciiWhitespace(view.substr(0, eq)))] =
        std::string(absl::StripAsciiWhitespace(view.substr(eq + 1)));
  }
  return out;
}

inline absl::StatusOr<CredentialsFile> ReadCredentialsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read credentials file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseCredentials(text.str(), path);
}

// The file's text: `header` (comment lines, each starting with '#'), then one
// key=value line per entry. ParseCredentials reads it back.
inline std::string FormatCredentials(const CredentialsFile& file, const std::string& header) {
  std::string text = header;
  for (const auto& [key, value] : file) absl::StrAppend(&text, key, "=", value, "\n");
  return text;
}

inline std::string CredentialOr(const CredentialsFile& file, const std::string& key,
                                const std::string& fallback = "") {
  auto it = file.find(key);
  return it == file.end() ? fallback : it->second;
}

}  // namespace lobbyq
