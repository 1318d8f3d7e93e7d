#include "counter-client/console.h"

#include <cctype>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/client/format.h"
#include "common/client/lobby_watcher.h"
#include "counter-client/terminal.h"
#include "counter-client/view.h"

namespace lobbyq::counter {
namespace {

constexpr char kProgram[] = "lobbyq-counter";
// Timers on screen tick by the second.
constexpr absl::Duration kRedrawEvery = absl::Seconds(1);

// Two lines that fit 80 columns.
constexpr char kKeyHelp1[] =
    "n 叫号 next   r 重呼 recall   s 开始 start   f 完成 finish   x 过号 no-show";
constexpr char kKeyHelp2[] =
    "t 转移 transfer   p 暂停 pause   o 开放 open   c 关闭 close   q 退出 quit";
constexpr char kKeyList[] = "n r s f x t p o c q";

// The lobby as last seen, shared between the watcher thread and the main loop.
class SharedView {
 public:
  // Keeps the newer of two views: a fetch racing the watcher must not go back in time.
  void Publish(const v1::LobbyStatus& lobby) {
    std::lock_guard<std::mutex> lock(mu_);
    if (lobby_ && lobby.last_event_seq() < lobby_->last_event_seq()) return;
    lobby_ = lobby;
    fetched_at_ = absl::Now();
  }
  void SetProblem(const std::string& problem) {
    std::lock_guard<std::mutex> lock(mu_);
    problem_ = problem;
  }

  struct Copy {
    std::optional<v1::LobbyStatus> lobby;
    absl::Duration age;
    std::string problem;
  };
  Copy Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return Copy{lobby_, absl::Now() - fetched_at_, problem_};
  }

 private:
  mutable std::mutex mu_;
  std::optional<v1::LobbyStatus> lobby_;
  absl::Time fetched_at_ = absl::InfinitePast();
  // Until the watcher's stream delivers, the screen is not live.
  std::string problem_ = "connecting to the live view...";
};

class Console {
 public:
  explicit Console(CounterClient* client) : client_(client) {}

  int Run() {
    const bool keys_from_terminal = isatty(STDIN_FILENO) == 1;
    // A script's output should stay readable: the full screen only when a person both types
    // and watches.
    screen_mode_ = keys_from_terminal && isatty(STDOUT_FILENO) == 1;

    v1::LobbyStatus lobby;
    const grpc::Status fetched = client_->GetLobbyStatus(&lobby);
    if (fetched.ok()) {
      if (FindCounter(lobby, client_->counter()) == nullptr) {
        std::cerr << kProgram << ": not found: counter " << client_->counter()
                  << " is not configured in branch " << client_->branch() << "\n";
        return 1;
      }
      client_->LearnServices(lobby);
      view_.Publish(lobby);
    } else if (fetched.error_code() == grpc::StatusCode::NOT_FOUND ||
               fetched.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      // A wrong --branch or --counter will not fix itself; a down server may.
      std::cerr << kProgram << ": " << client_->Describe(fetched) << "\n";
      return 1;
    } else {
      Report(ActionResult{fetched, ""});
    }

    // Order matters: the terminal is restored last, after the screen and the handlers.
    RawMode raw(STDIN_FILENO);
    SignalPipe signals;
    WakePipe wake;
    KeyInput input(STDIN_FILENO, raw.active());
    std::optional<FullScreen> screen;
    std::optional<client::LobbyWatcher> watcher;
    if (screen_mode_) {
      screen.emplace();
      watcher.emplace(client_->channel(), client_->branch(), client_->server(),
                      /*refetch_after_events=*/true,
                      client::LobbyWatcher::Callbacks{
                          .on_status =
                              [this, &wake](const v1::LobbyStatus& s) {
                                view_.Publish(s);
                                wake.Wake();
                              },
                          .on_event = nullptr,
                          .on_problem =
                              [this, &wake](const std::string& p) {
                                view_.SetProblem(p);
                                wake.Wake();
                              },
                      });
      watcher->Start();
    } else if (fetched.ok()) {
      for (const std::string& line : RenderCounterView(lobby, client_->counter(), {})) {
        std::cout << line << "\n";
      }
      std::cout << std::flush;
    }

    bool quit = false;
    while (!quit) {
      if (screen) screen->Draw(Screen());
      while (!quit && input.has_key()) {
        quit = Handle(input.Pop());
        if (screen) screen->Draw(Screen());
      }
      if (quit || input.eof()) break;
      const std::vector<bool> ready =
          WaitReadable({input.fd(), wake.fd(), signals.fd()}, kRedrawEvery);
      if (ready[2] || signals.signal_number() != 0) break;
      if (ready[1]) wake.Drain();
      if (ready[0]) input.ReadAvailable();
    }
    // Join the reader before the screen goes: it may still be calling back into view_.
    if (watcher) watcher->Stop();
    if (signals.signal_number() != 0) return 128 + signals.signal_number();
    // A script learns of failures only from the exit code; a teller has seen them on screen.
    return any_failed_ && !screen_mode_ ? 1 : 0;
  }

 private:
  // Returns true to quit.
  bool Handle(const Key& key) {
    if (pending_transfer_) {
      pending_transfer_ = false;
      if (std::isalpha(static_cast<unsigned char>(key.key))) {
        Act(client_->Transfer(std::string(1, key.key)));
      } else {
        Say("Transfer cancelled");
      }
      return false;
    }
    switch (std::tolower(static_cast<unsigned char>(key.key))) {
      case 'q':
      case 0x04:  // Ctrl-D: quit as a shell would
        return true;
      case 'n':
        Act(client_->CallNext());
        break;
      case 'r':
        Act(client_->Recall());
        break;
      case 's':
        Act(client_->StartService());
        break;
      case 'f':
        Act(CurrentTicketState() == v1::TICKET_STATE_CALLED ? client_->StartAndFinish()
                                                            : client_->Finish());
        break;
      case 'x':
        Act(client_->MarkNoShow());
        break;
      case 't':
        // On a pipe the service may follow on the same line: "t B".
        if (!key.rest.empty()) {
          Act(client_->Transfer(key.rest.substr(0, 1)));
        } else {
          pending_transfer_ = true;
          Say(TransferPrompt());
        }
        break;
      case 'p':
        Act(client_->Pause());
        break;
      case 'o':
        Act(client_->Open());
        break;
      case 'c':
        Act(client_->Close());
        break;
      case '\n':
      case '\r':
      case ' ':
      case KeyInput::kEscape:
        break;
      default:
        any_failed_ = true;
        message_ =
            absl::StrCat("unknown key '", std::string(1, key.key), "' (keys: ", kKeyList, ")");
        message_is_error_ = true;
        if (!screen_mode_) std::cerr << kProgram << ": " << message_ << "\n";
        break;
    }
    return false;
  }

  // Records and shows an action's result, then refreshes the view: the reply says what
  // happened to this counter, the queues changed too.
  void Act(const ActionResult& result) {
    Report(result);
    v1::LobbyStatus lobby;
    if (client_->GetLobbyStatus(&lobby).ok()) {
      client_->LearnServices(lobby);
      view_.Publish(lobby);
    }
  }

  void Report(const ActionResult& result) {
    if (result.ok()) {
      Say(result.message);
      return;
    }
    any_failed_ = true;
    message_ = client_->Describe(result.status);
    message_is_error_ = true;
    if (!screen_mode_) std::cerr << kProgram << ": " << message_ << "\n";
  }

  void Say(const std::string& text) {
    message_ = text;
    message_is_error_ = false;
    if (!screen_mode_) std::cout << text << std::endl;
  }

  // Names the choices, so the teller need not remember the letters.
  std::string TransferPrompt() const {
    std::string prompt = "Transfer to which service?";
    const SharedView::Copy copy = view_.Get();
    if (copy.lobby) {
      const v1::CounterStatus* c = FindCounter(*copy.lobby, client_->counter());
      const std::string current =
          c != nullptr && c->has_current_ticket() ? c->current_ticket().service_code() : "";
      std::string choices;
      for (const v1::ServiceStatus& s : copy.lobby->services()) {
        if (s.service().code() == current) continue;
        absl::StrAppend(&choices, choices.empty() ? "" : "  ", s.service().code(), " ",
                        client::ServiceLabel("", s.service().name_zh(), s.service().name_en()));
      }
      if (!choices.empty()) absl::StrAppend(&prompt, " ", choices);
    }
    absl::StrAppend(&prompt, " (Esc cancels)");
    return prompt;
  }

  v1::TicketState CurrentTicketState() const {
    const SharedView::Copy copy = view_.Get();
    if (!copy.lobby) return v1::TICKET_STATE_UNSPECIFIED;
    const v1::CounterStatus* c = FindCounter(*copy.lobby, client_->counter());
    if (c == nullptr || !c->has_current_ticket()) return v1::TICKET_STATE_UNSPECIFIED;
    return c->current_ticket().state();
  }

  std::vector<std::string> Screen() const {
    const SharedView::Copy copy = view_.Get();
    std::vector<std::string> lines;
    std::string title = "lobbyq 柜员终端 Teller console · ";
    absl::StrAppend(&title,
                    copy.lobby && !copy.lobby->branch_name().empty()
                        ? absl::StrCat(copy.lobby->branch_name(), " (", client_->branch(), ")")
                        : client_->branch());
    absl::StrAppend(&title, "  ", absl::FormatTime("%H:%M:%S", absl::Now(), absl::LocalTimeZone()));
    lines.push_back(title);
    lines.push_back(std::string(78, '='));
    if (copy.lobby) {
      for (std::string& line : RenderCounterView(*copy.lobby, client_->counter(), copy.age)) {
        lines.push_back(std::move(line));
      }
    } else {
      lines.push_back(absl::StrCat("窗口 Counter ", client_->counter(), "  (no view yet)"));
    }
    lines.push_back("");
    if (message_.empty()) {
      lines.push_back("");
    } else {
      // A call says more than one line: why this ticket, its note and details.
      bool first = true;
      for (absl::string_view part : absl::StrSplit(message_, '\n')) {
        lines.push_back(absl::StrCat(message_is_error_ ? "\x1b[31m" : "",
                                     first ? (message_is_error_ ? "! " : "> ") : "  ", part,
                                     message_is_error_ ? "\x1b[0m" : ""));
        first = false;
      }
    }
    lines.push_back(std::string(78, '-'));
    lines.push_back(kKeyHelp1);
    lines.push_back(kKeyHelp2);
    lines.push_back(copy.problem.empty() ? "实时 live"
                                         : absl::StrCat("\x1b[33m", copy.problem, "\x1b[0m"));
    return lines;
  }

  CounterClient* client_;
  SharedView view_;
  bool screen_mode_ = false;
  bool pending_transfer_ = false;
  bool any_failed_ = false;
  std::string message_;
  bool message_is_error_ = false;
};

}  // namespace

int RunConsole(CounterClient* client) { return Console(client).Run(); }

}  // namespace lobbyq::counter
