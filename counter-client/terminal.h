#pragma once

#include <deque>
#include <string>
#include <vector>

#include <signal.h>
#include <termios.h>

#include "absl/time/time.h"

// Terminal plumbing for the teller console and the rating pad: single keys on a terminal,
// lines on a pipe, and a way back to a sane terminal on every exit path.
namespace lobbyq::counter {

// Non-canonical, no-echo input on `fd` for the object's lifetime, so one key press is one
// action. Signals stay enabled (Ctrl-C reaches SignalPipe), job control is switched off: a
// stopped console would leave the shell with a raw terminal. Does nothing if `fd` is not a
// terminal.
class RawMode {
 public:
  explicit RawMode(int fd);
  ~RawMode();
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

  bool active() const { return active_; }

 private:
  int fd_;
  bool active_ = false;
  termios saved_{};
};

// The alternate screen with the cursor hidden for the object's lifetime; the shell's
// screen comes back untouched afterwards. Draw() repaints in place without flicker.
class FullScreen {
 public:
  FullScreen();
  ~FullScreen();
  FullScreen(const FullScreen&) = delete;
  FullScreen& operator=(const FullScreen&) = delete;

  // Lines are cut to the terminal's width: a wrapped line would scroll the whole screen.
  // Repainting what is already shown is skipped.
  void Draw(const std::vector<std::string>& lines);

 private:
  std::vector<std::string> shown_;
  std::size_t shown_width_ = 0;
};

// SIGINT, SIGTERM and SIGHUP become a readable fd for the object's lifetime, so the main
// loop leaves through its normal path and every guard above restores what it changed. A
// second signal before that happens restores the terminal itself and exits at once.
class SignalPipe {
 public:
  SignalPipe();
  ~SignalPipe();
  SignalPipe(const SignalPipe&) = delete;
  SignalPipe& operator=(const SignalPipe&) = delete;

  int fd() const { return read_fd_; }
  // The signal that arrived, 0 if none.
  int signal_number() const;

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  struct sigaction old_hup_ {};
};

// Lets another thread interrupt the main loop's wait (e.g. "the lobby changed, redraw").
class WakePipe {
 public:
  WakePipe();
  ~WakePipe();
  WakePipe(const WakePipe&) = delete;
  WakePipe& operator=(const WakePipe&) = delete;

  int fd() const { return read_fd_; }
  void Wake();   // safe from any thread
  void Drain();  // main loop, after the fd polled readable

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

// Columns of the terminal on stdout; 80 when it is not one.
std::size_t TerminalColumns();

// Waits until one of `fds` is readable (or hung up) or `timeout` passes. Negative fds are
// skipped; the result has one entry per fd. A signal counts as nothing ready.
std::vector<bool> WaitReadable(const std::vector<int>& fds, absl::Duration timeout);

struct Key {
  char key = 0;      // the key pressed; on a pipe, the line's first non-blank character
  std::string rest;  // on a pipe, the rest of that line, trimmed; empty for a key press
};

// Keys from a terminal in raw mode (arrow keys and other escape sequences are dropped so
// they cannot trigger actions), or lines from a pipe, so the console can be scripted:
//   printf 'n\nf\nq\n' | lobbyq-counter interactive
class KeyInput {
 public:
  static constexpr char kEscape = 0x1b;

  KeyInput(int fd, bool raw) : fd_(fd), raw_(raw) {}

  int fd() const { return fd_; }
  bool raw() const { return raw_; }
  // Reads what is there; call when fd() polls readable, or it blocks.
  void ReadAvailable();
  // No more input will come; keys already read may still be pending.
  bool eof() const { return eof_; }
  bool has_key() const { return !keys_.empty(); }
  const Key& Peek() const { return keys_.front(); }
  Key Pop();

 private:
  void ParseRaw(const char* data, std::size_t size);
  void ParseLines(bool flush);

  enum class Escape { kNone, kStarted, kSequence };

  int fd_;
  bool raw_;
  bool eof_ = false;
  Escape escape_ = Escape::kNone;
  std::string partial_line_;
  std::deque<Key> keys_;
};

}  // namespace lobbyq::counter
