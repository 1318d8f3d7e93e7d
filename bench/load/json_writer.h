#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lobbyq::load {

// Writes one JSON document in order, keys as given. Debian 12 has no nlohmann-json
// package here, and protobuf's Struct would sort the keys; the result file should read in
// the order a person scans it. Strings are escaped; non-finite numbers become null, since
// JSON has no NaN.
class JsonWriter {
 public:
  JsonWriter& BeginObject(std::string_view key = {});
  JsonWriter& EndObject();
  JsonWriter& BeginArray(std::string_view key = {});
  JsonWriter& EndArray();
  JsonWriter& Field(std::string_view key, std::string_view value);
  JsonWriter& Field(std::string_view key, const char* value) {
    return Field(key, std::string_view(value));
  }
  JsonWriter& Field(std::string_view key, double value);
  JsonWriter& Field(std::string_view key, int64_t value);
  JsonWriter& Field(std::string_view key, uint64_t value);
  JsonWriter& Field(std::string_view key, int value) { return Field(key, int64_t{value}); }
  JsonWriter& Field(std::string_view key, bool value);

  // The document so far, with a final newline once every object is closed.
  const std::string& text() const { return out_; }

 private:
  void Key(std::string_view key);
  void Quoted(std::string_view s);

  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
};

}  // namespace lobbyq::load
