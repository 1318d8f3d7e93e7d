#include "counter-client/rating_pad.h"

#include <cctype>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/client/format.h"
#include "common/client/lobby_watcher.h"
#include "counter-client/terminal.h"
#include "counter-client/view.h"

namespace lobbyq::counter {
namespace {

constexpr char kProgram[] = "lobbyq-counter";
constexpr char kPromptZh[] = "请为本次服务评分";
constexpr char kPromptEn[] = "Please rate our service: 1-5";
// Long enough to read "thank you", short enough to be gone before the next customer.
constexpr absl::Duration kThanksShown = absl::Seconds(4);

bool IsScore(char key) { return key >= '1' && key <= '5'; }
bool IsQuit(char key) { return key == 'q' || key == 'Q' || key == 0x04; }

// Learns from the watcher thread that a ticket was finished at this counter since the pad
// last asked.
class FinishTracker {
 public:
  explicit FinishTracker(uint32_t counter) : counter_(counter) {}

  // Snapshots arrive on (re)connect: a changed "last finished" covers finishes missed while
  // disconnected.
  void OnStatus(const v1::LobbyStatus& lobby) {
    const v1::CounterStatus* c = FindCounter(lobby, counter_);
    if (c == nullptr) return;
    Note(c->last_finished_ticket_id());
  }

  void OnEvent(const v1::LobbyEvent& event) {
    if (event.type() != v1::EVENT_TYPE_TICKET_FINISHED) return;
    const uint32_t at = event.counter() != 0 ? event.counter() : event.ticket().counter();
    if (at != counter_) return;
    Note(event.ticket().ticket_id());
  }

  // The counter is known to have finished no ticket at all.
  bool NothingFinishedYet() {
    std::lock_guard<std::mutex> lock(mu_);
    return known_ && *known_ == 0;
  }

  // True once per finish since the last call; the open prompt covers the rest, since a
  // rating always goes to the ticket last finished.
  bool TakePending() {
    std::lock_guard<std::mutex> lock(mu_);
    const bool pending = pending_;
    pending_ = false;
    return pending;
  }

 private:
  void Note(uint64_t ticket_id) {
    std::lock_guard<std::mutex> lock(mu_);
    if (known_ && ticket_id != 0 && ticket_id != *known_) pending_ = true;
    known_ = ticket_id;
  }

  const uint32_t counter_;
  std::mutex mu_;
  std::optional<uint64_t> known_;  // last finished ticket id seen; unset until first seen
  bool pending_ = false;
};

class RatingPad {
 public:
  RatingPad(CounterClient* client, bool once)
      : client_(client), once_(once), finishes_(client->counter()) {}

  int Run() {
    screen_mode_ = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1;
    if (!once_) {
      v1::LobbyStatus lobby;
      const grpc::Status fetched = client_->GetLobbyStatus(&lobby);
      if (fetched.ok() && FindCounter(lobby, client_->counter()) == nullptr) {
        std::cerr << kProgram << ": not found: counter " << client_->counter()
                  << " is not configured in branch " << client_->branch() << "\n";
        return 1;
      }
      if (fetched.error_code() == grpc::StatusCode::NOT_FOUND ||
          fetched.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
        std::cerr << kProgram << ": " << client_->Describe(fetched) << "\n";
        return 1;
      }
      // A down server may come back; the watcher keeps trying and says so on screen.
      if (fetched.ok()) finishes_.OnStatus(lobby);
    }

    // Order matters: the terminal is restored last, after the screen and the handlers.
    RawMode raw(STDIN_FILENO);
    SignalPipe signals;
    WakePipe wake;
    KeyInput input(STDIN_FILENO, raw.active());
    std::optional<FullScreen> screen;
    if (screen_mode_) screen.emplace();
    std::optional<client::LobbyWatcher> watcher;
    if (!once_) {
      watcher.emplace(client_->channel(), client_->branch(), client_->server(),
                      /*refetch_after_events=*/false,
                      client::LobbyWatcher::Callbacks{
                          .on_status =
                              [this, &wake](const v1::LobbyStatus& s) {
                                finishes_.OnStatus(s);
                                wake.Wake();
                              },
                          .on_event =
                              [this, &wake](const v1::LobbyEvent& e) {
                                finishes_.OnEvent(e);
                                wake.Wake();
                              },
                          .on_problem =
                              [this, &wake](const std::string& p) {
                                SetProblem(p);
                                wake.Wake();
                              },
                      });
      watcher->Start();
    }

    // The pad asks at once, since the customer in front of it may have just been served;
    // unless nobody was ever served here, when there is nothing to rate yet.
    if (!once_ && finishes_.NothingFinishedYet()) {
      state_ = State::kWaiting;
    } else {
      EnterPrompt();
    }
    int exit_code = -1;
    while (exit_code < 0) {
      exit_code = Step(&input);
      if (exit_code >= 0) break;
      if (screen) screen->Draw(Screen());
      // On a pipe, a rating typed ahead stays unread until there is something to rate.
      const bool hold_input = !input.raw() && input.has_key();
      const std::vector<bool> ready = WaitReadable(
          {hold_input || input.eof() ? -1 : input.fd(), wake.fd(), signals.fd()}, absl::Seconds(1));
      if (ready[2] || signals.signal_number() != 0) break;
      if (ready[1]) wake.Drain();
      if (ready[0]) input.ReadAvailable();
    }
    if (watcher) watcher->Stop();
    if (signals.signal_number() != 0) return 128 + signals.signal_number();
    return exit_code < 0 ? 0 : exit_code;
  }

 private:
  enum class State { kPrompt, kThanks, kWaiting };

  // Handles what can be handled now; an exit code to stop, -1 to go on.
  int Step(KeyInput* input) {
    if (state_ == State::kThanks && absl::Now() >= shown_until_) state_ = State::kWaiting;
    if (state_ == State::kWaiting && finishes_.TakePending()) EnterPrompt();

    if (state_ == State::kPrompt) {
      while (input->has_key()) {
        const Key key = input->Pop();
        if (IsQuit(key.key)) return 0;
        if (IsScore(key.key)) return Submit(key.key - '0');
        if (std::isspace(static_cast<unsigned char>(key.key))) continue;
        hint_ = "请按 1-5 / Please press 1-5";
        if (!screen_mode_) std::cout << hint_ << std::endl;
      }
    } else {
      while (input->has_key()) {
        const char key = input->Peek().key;
        if (IsQuit(key)) return 0;
        // Keys pressed with nothing to rate are noise on a pad, but typed-ahead ratings in
        // a script are meant for the next customer.
        if (!input->raw() && IsScore(key)) break;
        input->Pop();
      }
    }
    // Nothing more can be typed: a pad without input has nothing left to do.
    if (input->eof() && !input->has_key()) return 0;
    return -1;
  }

  void EnterPrompt() {
    state_ = State::kPrompt;
    hint_.clear();
    if (!screen_mode_) std::cout << kPromptZh << " / " << kPromptEn << std::endl;
  }

  int Submit(int score) {
    // Finishes until now are covered: the rating goes to the ticket last finished.
    finishes_.TakePending();
    const ActionResult result = client_->Rate(score, /*ticket_id=*/0, /*comment=*/"");
    if (result.ok()) {
      notice_ = {"谢谢您的评价！", "Thank you for your rating!", Stars(score)};
      if (!screen_mode_) std::cout << "谢谢您的评价！/ Thank you! (" << result.message << ")\n";
    } else {
      notice_ = {"抱歉，现在无法评分", "Sorry, rating is not possible now",
                 client_->Describe(result.status)};
      if (!screen_mode_) std::cerr << kProgram << ": " << client_->Describe(result.status) << "\n";
    }
    std::cout << std::flush;
    if (once_) return result.ok() ? 0 : 1;
    state_ = State::kThanks;
    shown_until_ = absl::Now() + kThanksShown;
    return -1;
  }

  static std::string Stars(int score) {
    std::string stars;
    for (int i = 1; i <= 5; ++i) stars += i <= score ? "★" : "☆";
    return stars;
  }

  void SetProblem(const std::string& problem) {
    std::lock_guard<std::mutex> lock(mu_);
    problem_ = problem;
  }

  std::vector<std::string> Screen() const {
    const std::size_t width = std::min<std::size_t>(TerminalColumns(), 100);
    std::vector<std::string> body;
    switch (state_) {
      case State::kPrompt:
        body = {kPromptZh,
                kPromptEn,
                "",
                "1 很不满意   2 不满意   3 一般   4 满意   5 非常满意",
                "1 Very poor  2 Poor     3 OK     4 Good   5 Excellent",
                "",
                hint_};
        break;
      case State::kThanks:
        body = {notice_[0], notice_[1], "", notice_[2]};
        break;
      case State::kWaiting:
        body = {"欢迎光临", "Welcome"};
        break;
    }
    std::vector<std::string> lines(3, "");
    for (const std::string& line : body) lines.push_back(client::Center(line, width));
    lines.push_back("");
    lines.push_back(client::Center(absl::StrCat("窗口 Counter ", client_->counter()), width));
    lines.push_back("");
    std::string problem;
    {
      std::lock_guard<std::mutex> lock(mu_);
      problem = problem_;
    }
    // For staff, out of the customer's way: q quits, and why the pad may not react.
    lines.push_back(problem.empty() ? "q 退出 quit" : absl::StrCat("q 退出 quit   ", problem));
    return lines;
  }

  CounterClient* client_;
  const bool once_;
  bool screen_mode_ = false;
  FinishTracker finishes_;
  State state_ = State::kPrompt;
  absl::Time shown_until_;
  std::string hint_;
  std::vector<std::string> notice_ = {"", "", ""};

  mutable std::mutex mu_;
  std::string problem_ = "connecting to the live view...";  // guarded by mu_
};

}  // namespace

int RunRatingPad(CounterClient* client, bool once) { return RatingPad(client, once).Run(); }

}  // namespace lobbyq::counter
