#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <google/protobuf/repeated_ptr_field.h>

#include "lobbyq/v1/types.pb.h"

namespace lobbyq::client {

// Service code -> configuration, learnt from any listing a client already fetched
// (ListServices, GetLobbyStatus), so replies that carry only a code can name the service.
class ServiceNames {
 public:
  void Update(const google::protobuf::RepeatedPtrField<v1::ServiceStatus>& services);

  bool empty() const { return by_code_.empty(); }
  bool Contains(std::string_view code) const { return Find(code) != nullptr; }
  // nullptr when the code is unknown.
  const v1::ServiceConfig* Find(std::string_view code) const;
  // "现金业务 Cash"; the code itself when unknown.
  std::string Label(std::string_view code) const;

 private:
  std::map<std::string, v1::ServiceConfig, std::less<>> by_code_;
};

}  // namespace lobbyq::client
