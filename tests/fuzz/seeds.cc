// Writes the seed corpora of the protobuf fuzz targets (tests/fuzz/corpus/),
// from text-format sessions below. The checked-in files are its output:
//   lobbyq_fuzz_seeds tests/fuzz/corpus
// Appointment codes and ticket numbers come from the prepared lobby, so the
// seeds reach past "not found".

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <google/protobuf/text_format.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "harness.h"

namespace {

using lobbyq::fuzz::FuzzLobby;

template <typename Message>
bool Write(const std::filesystem::path& dir, const std::string& name, const std::string& text) {
  Message message;
  if (!google::protobuf::TextFormat::ParseFromString(text, &message)) {
    std::fprintf(stderr, "seed %s/%s does not parse\n", dir.c_str(), name.c_str());
    return false;
  }
  std::filesystem::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary);
  return message.SerializeToOstream(&out);
}

// The Unix seconds of a local time in the prepared lobby's zone (UTC+8).
std::string Seconds(int day, int hour, int minute) {
  const absl::Time t =
      absl::FromCivil(absl::CivilMinute(2024, 3, day, hour, minute), absl::FixedTimeZone(8 * 3600));
  return absl::StrCat(absl::ToUnixSeconds(t));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path root = argv[1];
  const FuzzLobby lobby = FuzzLobby::Prepared();
  std::string no_show;
  uint64_t waiting = 0;
  for (const auto& [id, ticket] : lobby.branch().tickets()) {
    if (ticket.state == lobbyq::domain::TicketState::kNoShow) no_show = ticket.DisplayNumber();
    if (ticket.state == lobbyq::domain::TicketState::kWaiting) waiting = id;
  }
  const absl::flat_hash_map<std::string, std::string> vars = {
      {"$CODE0", lobby.appointment_codes().at(0)},
      {"$CODE1", lobby.appointment_codes().at(1)},
      {"$NO_SHOW", no_show},
      {"$WAITING", absl::StrCat(waiting)},
      {"$SLOT_1030", Seconds(11, 10, 30)},
      {"$SLOT_TOMORROW", Seconds(12, 9, 0)},
      {"$MORNING", Seconds(11, 9, 0)},
      {"$NOON", Seconds(11, 12, 0)},
  };
  auto sub = [&](const char* text) { return absl::StrReplaceAll(text, vars); };
  bool ok = true;

  const std::filesystem::path kiosk = root / "kiosk";
  ok &= Write<lobbyq::fuzz::KioskSession>(kiosk, "issue-and-get", sub(R"pb(
                                            steps {
                                              issue_ticket {
                                                branch_id: "fuzz"
                                                service_code: "A"
                                                priority: PRIORITY_CLASS_VIP
                                                request_id: "k-1"
                                                kiosk_id: "kiosk-1"
                                                details {
                                                  type: "deposit"
                                                  amount: "5000.00"
                                                  account_tail: "6222021234567890"
                                                  text: "call me on 138 1234 5678"
                                                }
                                              }
                                            }
                                            steps {
                                              issue_ticket {
                                                branch_id: "fuzz"
                                                service_code: "A"
                                                priority: PRIORITY_CLASS_VIP
                                                request_id: "k-1"
                                                kiosk_id: "kiosk-1"
                                              }
                                            }
                                            steps {
                                              advance_seconds: 60
                                              get_ticket { branch_id: "fuzz" ticket_id: 10 }
                                            }
                                            steps { list_services { branch_id: "fuzz" } }
                                          )pb"));
  ok &= Write<lobbyq::fuzz::KioskSession>(
      kiosk, "check-in", sub(R"pb(
        steps { check_in { branch_id: "fuzz" code: "$CODE0" kiosk_id: "kiosk-2" } }
        steps {
          advance_seconds: 3600
          check_in { branch_id: "fuzz" code: "$CODE1" }
        }
        steps { check_in { branch_id: "fuzz" code: "$CODE1" } }
      )pb"));
  ok &= Write<lobbyq::fuzz::KioskSession>(
      kiosk, "cancel-reinstate", sub(R"pb(
        steps { cancel_ticket { branch_id: "fuzz" ticket_id: $WAITING } }
        steps { reinstate_ticket { branch_id: "fuzz" number: "$NO_SHOW" } }
        steps { drive { op: OP_CALL_NEXT index: 1 } }
        steps {
          advance_seconds: 700
          drive { op: OP_ISSUE index: 5 }
        }
      )pb"));
  ok &= Write<lobbyq::fuzz::KioskSession>(
      kiosk, "bad-input", sub(R"pb(
        steps { issue_ticket { branch_id: "Bad Branch!" service_code: "A" request_id: "x" } }
        steps { issue_ticket { branch_id: "fuzz" service_code: "a" request_id: "" priority: 99 } }
        steps {
          issue_ticket {
            branch_id: "fuzz"
            service_code: "Z"
            request_id: "k 2"
            details { amount: "1e9" account_tail: "12" }
          }
        }
        steps { check_in { branch_id: "fuzz" code: "0O1I-0O1I" } }
        steps { reinstate_ticket { branch_id: "fuzz" number: "A0001" } }
        steps { reinstate_ticket { branch_id: "other" ticket_id: 18446744073709551615 } }
      )pb"));

  const std::filesystem::path counter = root / "counter";
  ok &= Write<lobbyq::fuzz::CounterSession>(
      counter, "serve-rate", sub(R"pb(
        steps {
          method: METHOD_START_SERVICE
          counter { branch_id: "fuzz" counter: 1 }
        }
        steps {
          advance_seconds: 240
          method: METHOD_FINISH
          counter { branch_id: "fuzz" counter: 1 }
        }
        steps { submit_rating { branch_id: "fuzz" counter: 1 score: 5 comment: "快" } }
        steps { submit_rating { branch_id: "fuzz" counter: 2 ticket_id: 0 score: 2 } }
        steps {
          method: METHOD_CALL_NEXT
          counter { branch_id: "fuzz" counter: 1 }
        }
      )pb"));
  ok &= Write<lobbyq::fuzz::CounterSession>(
      counter, "transfer", sub(R"pb(
        steps {
          transfer {
            branch_id: "fuzz"
            counter: 3
            to_service_code: "B"
            placement: PLACEMENT_FRONT
            note: "needs the company stamp"
          }
        }
        steps {
          method: METHOD_CALL_NEXT
          counter { branch_id: "fuzz" counter: 2 }
        }
        steps { transfer { branch_id: "fuzz" counter: 1 to_service_code: "C" } }
        steps {
          method: METHOD_PAUSE
          counter { branch_id: "fuzz" counter: 3 }
        }
        steps {
          method: METHOD_OPEN
          counter { branch_id: "fuzz" counter: 4 }
        }
        steps {
          method: METHOD_CALL_NEXT
          counter { branch_id: "fuzz" counter: 4 }
        }
      )pb"));
  ok &= Write<lobbyq::fuzz::CounterSession>(
      counter, "recall-no-show", sub(R"pb(
        steps {
          method: METHOD_RECALL
          counter { branch_id: "fuzz" counter: 1 }
        }
        steps {
          method: METHOD_RECALL
          counter { branch_id: "fuzz" counter: 1 }
        }
        steps {
          method: METHOD_RECALL
          counter { branch_id: "fuzz" counter: 1 }
        }
        steps {
          method: METHOD_CALL_NEXT
          counter { branch_id: "fuzz" counter: 1 }
        }
        steps {
          method: METHOD_MARK_NO_SHOW
          counter { branch_id: "fuzz" counter: 1 }
        }
        steps { reinstate_ticket { branch_id: "fuzz" counter: 2 number: "$NO_SHOW" } }
        steps {
          advance_seconds: 900
          drive { op: OP_CALL_NEXT index: 2 }
        }
      )pb"));
  ok &= Write<lobbyq::fuzz::CounterSession>(
      counter, "bad-input", sub(R"pb(
        steps {
          method: METHOD_CALL_NEXT
          counter { branch_id: "fuzz" counter: 0 }
        }
        steps {
          method: METHOD_FINISH
          counter { branch_id: "fuzz" counter: 4294967295 }
        }
        steps { submit_rating { branch_id: "fuzz" counter: 2 score: -1 } }
        steps { transfer { branch_id: "fuzz" counter: 3 to_service_code: "BB" placement: 42 } }
        steps { transfer { branch_id: "fuzz" counter: 3 to_service_code: "C" note: "\001" } }
        steps { reinstate_ticket { branch_id: "fuzz" counter: 1000 ticket_id: 1 } }
      )pb"));

  const std::filesystem::path appointment = root / "appointment";
  ok &= Write<lobbyq::fuzz::AppointmentSession>(
      appointment, "book-list", sub(R"pb(
        steps { list_slots { branch_id: "fuzz" service_code: "A" day: "2024-03-11" } }
        steps {
          book {
            branch_id: "fuzz"
            service_code: "A"
            slot_start { seconds: $SLOT_1030 }
            customer_name: "Han Meimei"
            phone: "+86 138-0013-8000"
            request_id: "b-1"
          }
        }
        steps {
          book {
            branch_id: "fuzz"
            service_code: "C"
            slot_start { seconds: $SLOT_TOMORROW }
            phone: "13800138000"
            request_id: "b-2"
          }
        }
        steps { list_appointments { branch_id: "fuzz" } }
        steps { list_slots { branch_id: "fuzz" service_code: "C" } }
      )pb"));
  ok &= Write<lobbyq::fuzz::AppointmentSession>(
      appointment, "cancel-check-in", sub(R"pb(
        steps { cancel { branch_id: "fuzz" code: "$CODE0" } }
        steps { cancel { branch_id: "fuzz" code: "$CODE0" } }
        steps {
          advance_seconds: 5400
          check_in { branch_id: "fuzz" code: "$CODE1" }
        }
        steps {
          advance_seconds: 86400
          list_appointments { branch_id: "fuzz" day: "2024-03-11" }
        }
      )pb"));
  ok &= Write<lobbyq::fuzz::AppointmentSession>(
      appointment, "bad-input", sub(R"pb(
        steps { book { branch_id: "fuzz" service_code: "A" request_id: "b-3" phone: "12345" } }
        steps {
          book {
            branch_id: "fuzz"
            service_code: "A"
            slot_start { seconds: 9223372036854775807 }
            request_id: "b-4"
            phone: "12345"
          }
        }
        steps {
          book {
            branch_id: "fuzz"
            service_code: "A"
            slot_start { seconds: -62135596800 nanos: -1 }
            request_id: "b-5"
            phone: "12345"
          }
        }
        steps {
          book {
            branch_id: "fuzz"
            service_code: "B"
            slot_start { seconds: $SLOT_1030 }
            request_id: "b-6"
            phone: "phone"
          }
        }
        steps { list_slots { branch_id: "fuzz" service_code: "A" day: "2024-02-30" } }
        steps { list_appointments { branch_id: "fuzz" day: "9999-12-31" } }
      )pb"));

  const std::filesystem::path admin = root / "admin";
  ok &= Write<lobbyq::fuzz::AdminSession>(
      admin, "create-branch", sub(R"pb(
        steps {
          create_branch {
            branch {
              id: "berlin-mitte"
              name: "Berlin Mitte"
              timezone: "Europe/Berlin"
              rating_window { seconds: 300 }
              services {
                code: "A"
                name_zh: "现金"
                name_en: "Cash"
                target_wait { seconds: 600 }
                expected_service_time { seconds: 240 }
                appointment_capacity: 2
              }
              services {
                code: "B"
                name_zh: "理财"
                name_en: "Wealth"
                target_wait { seconds: 900 }
                expected_service_time { seconds: 900 }
                max_wait { seconds: 1800 }
              }
              counters {
                number: 1
                name: "Counter 1"
                service_codes: "A"
                service_codes: "B"
                green_channel: true
              }
              counters {
                number: 2
                name: "Counter 2"
                service_codes: "B"
                strategy: CALL_STRATEGY_COUNTED
                counted_rules { priority: PRIORITY_CLASS_VIP quota: 2 }
                counted_fallback: PRIORITY_CLASS_NORMAL
              }
              policy {
                recall_limit: 1
                reinstate_placement: PLACEMENT_END
                opening_time { seconds: 30600 }
                closing_time { seconds: 61200 }
                slot_length { seconds: 900 }
                booking_horizon_days: 7
              }
            }
          }
        }
      )pb"));
  ok &= Write<lobbyq::fuzz::AdminSession>(
      admin, "upserts", sub(R"pb(
        steps {
          upsert_service {
            branch_id: "fuzz"
            service {
              code: "D"
              name_zh: "外汇"
              name_en: "Foreign exchange"
              target_wait { seconds: 600 }
              expected_service_time { seconds: 420 }
              appointment_capacity: 1
            }
          }
        }
        steps {
          upsert_counter {
            branch_id: "fuzz"
            counter {
              number: 5
              name: "Counter 5"
              service_codes: "D"
              service_codes: "A"
              strategy: CALL_STRATEGY_COUNTED
              counted_rules { priority: PRIORITY_CLASS_GREEN_CHANNEL quota: 1 }
              counted_rules { priority: PRIORITY_CLASS_VIP quota: 3 }
            }
          }
        }
        steps {
          upsert_counter {
            branch_id: "fuzz"
            counter { number: 1 name: "Counter 1" service_codes: "B" }
          }
        }
        steps {
          upsert_service {
            branch_id: "fuzz"
            service {
              code: "A"
              name_zh: "个人"
              name_en: "Personal"
              target_wait { seconds: 60 }
              expected_service_time { seconds: 60 }
            }
          }
        }
        steps { drive { op: OP_CALL_NEXT index: 0 } }
        steps { get_branch { branch_id: "fuzz" } }
      )pb"));
  ok &= Write<lobbyq::fuzz::AdminSession>(admin, "update-branch", sub(R"pb(
                                            steps {
                                              update_branch {
                                                branch_id: "fuzz"
                                                name: "Renamed"
                                                policy {
                                                  recall_limit: 0
                                                  auto_no_show_after { seconds: 60 }
                                                  transfer_placement: PLACEMENT_END
                                                  checkin_early { seconds: 600 }
                                                  checkin_late { seconds: 0 }
                                                  appointment_lead { seconds: 600 }
                                                  opening_time { seconds: 0 }
                                                  closing_time { seconds: 86400 }
                                                  slot_length { seconds: 300 }
                                                  booking_horizon_days: 366
                                                }
                                              }
                                            }
                                            steps {
                                              advance_seconds: 120
                                              drive { op: OP_CALL_NEXT index: 0 }
                                            }
                                          )pb"));
  ok &= Write<lobbyq::fuzz::AdminSession>(
      admin, "bad-input", sub(R"pb(
        steps {
          create_branch {
            branch {
              id: "x"
              name: "X"
              timezone: "Mars/Olympus"
              services { code: "A" name_zh: "a" name_en: "a" }
            }
          }
        }
        steps {
          create_branch {
            branch {
              id: "y"
              name: "Y"
              services {
                code: "A"
                name_zh: "a"
                name_en: "a"
                target_wait { seconds: -5 }
              }
            }
          }
        }
        steps {
          upsert_counter {
            branch_id: "fuzz"
            counter { number: 9 name: "n" service_codes: "A" strategy: 77 }
          }
        }
        steps {
          upsert_counter {
            branch_id: "fuzz"
            counter { number: 9 name: "n" service_codes: "Q" }
          }
        }
        steps {
          upsert_service {
            branch_id: "fuzz"
            service {
              code: "E"
              name_zh: "e"
              name_en: "e"
              target_wait { seconds: 9223372036854775807 }
            }
          }
        }
        steps {
          update_branch {
            branch_id: "fuzz"
            policy { reinstate_placement: PLACEMENT_FRONT }
          }
        }
        steps {
          update_branch {
            branch_id: "fuzz"
            policy { slot_length { seconds: 1 nanos: -999999999 } }
          }
        }
      )pb"));

  const std::filesystem::path lobby_dir = root / "lobby";
  ok &= Write<lobbyq::fuzz::LobbySession>(
      lobby_dir, "day", sub(R"pb(
        steps { drive { op: OP_FINISH index: 2 } }
        steps {
          advance_seconds: 600
          drive { op: OP_CALL_NEXT index: 2 }
        }
        steps { get_lobby_status { branch_id: "fuzz" } }
        steps { preview_order { branch_id: "fuzz" } }
        steps { get_metrics { branch_id: "fuzz" } }
        steps {
          get_metrics {
            branch_id: "fuzz"
            from { seconds: $MORNING }
            to { seconds: $NOON }
          }
        }
        steps { get_report { period: REPORT_PERIOD_WEEKLY day: "2024-03-11" } }
        steps {
          advance_seconds: 86400
          get_report { branch_ids: "fuzz" }
        }
      )pb"));
  ok &= Write<lobbyq::fuzz::LobbySession>(
      lobby_dir, "bad-input", sub(R"pb(
        steps {
          get_metrics {
            branch_id: "fuzz"
            from { seconds: $NOON }
            to { seconds: $MORNING }
          }
        }
        steps {
          get_metrics {
            branch_id: "fuzz"
            from { seconds: $MORNING }
          }
        }
        steps {
          get_metrics {
            branch_id: "fuzz"
            from { seconds: -62135596800 }
            to { seconds: 253402300799 nanos: 999999999 }
          }
        }
        steps { get_report { period: 9 } }
        steps { get_report { day: "9999-12-31" branch_ids: "fuzz" branch_ids: "fuzz" } }
        steps { get_report { branch_ids: "NOPE" } }
        steps { get_lobby_status { branch_id: "" } }
      )pb"));
  ok &= Write<lobbyq::fuzz::LobbySession>(
      lobby_dir, "timers", sub(R"pb(
        steps { drive { op: OP_ISSUE index: 7 } }
        steps { drive { op: OP_OPEN index: 3 } }
        steps { drive { op: OP_CALL_NEXT index: 3 } }
        steps {
          advance_seconds: 660
          get_lobby_status { branch_id: "fuzz" }
        }
        steps { drive { op: OP_PAUSE index: 0 } }
        steps {
          advance_seconds: 3600
          preview_order { branch_id: "fuzz" }
        }
        steps {
          advance_seconds: 172800
          get_metrics { branch_id: "fuzz" }
        }
        steps { get_report { period: REPORT_PERIOD_DAILY day: "2024-03-11" } }
      )pb"));
  return ok ? 0 : 1;
}
