#include "counter-client/view.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/client/format.h"

namespace lobbyq::counter {
namespace {

// The server's "now" as of the fetch, moved on by the fetch's age.
absl::Time ServerNow(const v1::LobbyStatus& lobby, absl::Duration age) {
  if (!client::IsSet(lobby.at())) return absl::Now();
  return client::ToAbslTime(lobby.at()) + age;
}

std::string CurrentTicketLine(const v1::Ticket& t, const v1::LobbyStatus& lobby,
                              absl::Duration age) {
  std::string service = t.service_code();
  for (const v1::ServiceStatus& s : lobby.services()) {
    if (s.service().code() == t.service_code()) {
      service =
          client::ServiceLabel(t.service_code(), s.service().name_zh(), s.service().name_en());
    }
  }
  const absl::Time now = ServerNow(lobby, age);
  std::string line = absl::StrCat("当前 Current: ", t.number(), "  ", service, "  ",
                                  client::Bilingual(client::TicketStateLabel(t.state())));
  if (client::IsSet(t.called_at())) {
    absl::StrAppend(&line, "  ", client::ElapsedClock(now - client::ToAbslTime(t.called_at())),
                    " since called");
  }
  if (t.state() == v1::TICKET_STATE_SERVING && client::IsSet(t.started_at())) {
    absl::StrAppend(&line, ", ", client::ElapsedClock(now - client::ToAbslTime(t.started_at())),
                    " in service");
  }
  if (t.recall_count() > 0) absl::StrAppend(&line, "  (recalled ", t.recall_count(), "x)");
  if (t.priority() != v1::PRIORITY_CLASS_NORMAL && t.priority() != v1::PRIORITY_CLASS_UNSPECIFIED) {
    absl::StrAppend(&line, "  ", client::Bilingual(client::PriorityLabel(t.priority())));
  }
  if (!t.origin_service_code().empty() && t.origin_service_code() != t.service_code()) {
    absl::StrAppend(&line, "  (transferred from ", t.origin_service_code(), ")");
  }
  return line;
}

}  // namespace

const v1::CounterStatus* FindCounter(const v1::LobbyStatus& lobby, uint32_t counter) {
  for (const v1::CounterStatus& c : lobby.counters()) {
    if (c.counter().number() == counter) return &c;
  }
  return nullptr;
}

std::vector<std::string> RenderCounterView(const v1::LobbyStatus& lobby, uint32_t counter,
                                           absl::Duration age) {
  std::vector<std::string> lines;
  const v1::CounterStatus* c = FindCounter(lobby, counter);
  if (c == nullptr) {
    lines.push_back(
        absl::StrCat("Counter ", counter, " is not configured in branch ", lobby.branch_id()));
    return lines;
  }

  std::string head = absl::StrCat("窗口 Counter ", counter);
  if (!c->counter().name().empty()) absl::StrAppend(&head, " · ", c->counter().name());
  absl::StrAppend(&head, "  ", client::Bilingual(client::CounterStateLabel(c->state())));
  if (client::IsSet(c->state_since())) {
    absl::StrAppend(&head, " since ", client::LocalHhMm(c->state_since()));
  }
  lines.push_back(head);
  lines.push_back(absl::StrCat("叫号规则 Calling: ", client::CounterPolicyText(c->counter())));
  if (c->has_current_ticket() && !c->current_ticket().number().empty()) {
    lines.push_back(CurrentTicketLine(c->current_ticket(), lobby, age));
  } else {
    lines.push_back("当前 Current: -  (nobody called)");
  }
  lines.push_back("");

  // This counter's services in calling order, then the rest of the branch's.
  const auto& profile = c->counter().service_codes();
  std::vector<const v1::ServiceStatus*> ordered;
  for (const std::string& code : profile) {
    for (const v1::ServiceStatus& s : lobby.services()) {
      if (s.service().code() == code) ordered.push_back(&s);
    }
  }
  for (const v1::ServiceStatus& s : lobby.services()) {
    if (std::find(profile.begin(), profile.end(), s.service().code()) == profile.end()) {
      ordered.push_back(&s);
    }
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::ServiceStatus* s : ordered) {
    const bool mine =
        std::find(profile.begin(), profile.end(), s->service().code()) != profile.end();
    const bool waiting = s->waiting_count() > 0;
    rows.push_back({
        mine ? "*" : " ",
        absl::StrCat(s->service().code(), " ",
                     client::ServiceLabel("", s->service().name_zh(), s->service().name_en())),
        absl::StrCat(s->waiting_count()),
        waiting ? client::ApproxDurationEn(client::ToAbslDuration(s->longest_wait()) + age) : "-",
    });
  }
  const std::string table =
      client::RenderTable({" ", "排队 Queue", "Waiting", "Longest wait"}, rows);
  for (absl::string_view line : absl::StrSplit(table, '\n', absl::SkipEmpty())) {
    lines.emplace_back(line);
  }
  lines.push_back("(* = served at this counter, in calling order)");
  return lines;
}

}  // namespace lobbyq::counter
