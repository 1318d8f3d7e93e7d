#include "common/client/services.h"

#include "common/client/format.h"

namespace lobbyq::client {

void ServiceNames::Update(const google::protobuf::RepeatedPtrField<v1::ServiceStatus>& services) {
  for (const v1::ServiceStatus& s : services) by_code_[s.service().code()] = s.service();
}

const v1::ServiceConfig* ServiceNames::Find(std::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &it->second;
}

std::string ServiceNames::Label(std::string_view code) const {
  const v1::ServiceConfig* s = Find(code);
  if (s == nullptr) return std::string(code);
  return ServiceLabel(code, s->name_zh(), s->name_en());
}

}  // namespace lobbyq::client
