#include "counter-client/terminal.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "common/client/format.h"

namespace lobbyq::counter {
namespace {

constexpr char kEnterScreen[] = "\x1b[?1049h\x1b[?25l";
constexpr char kLeaveScreen[] = "\x1b[?25h\x1b[?1049l";

// What the signal handler needs to put the terminal back if the main loop does not get to
// it. Written only while no handler can run on it (set before install, cleared after).
termios g_saved_termios;
std::atomic<int> g_raw_fd{-1};
std::atomic<bool> g_full_screen{false};
std::atomic<int> g_signal_write_fd{-1};
std::atomic<int> g_signal_number{0};

static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");
static_assert(std::atomic<bool>::is_always_lock_free, "used from a signal handler");

void WriteAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

extern "C" void OnSignal(int signo) {
  const int saved_errno = errno;
  if (g_signal_number.exchange(signo) != 0) {
    // Second signal: the main loop is stuck (e.g. in a call); restore and leave now. Only
    // async-signal-safe calls here.
    if (g_full_screen.load()) WriteAll(STDOUT_FILENO, kLeaveScreen, sizeof(kLeaveScreen) - 1);
    const int raw_fd = g_raw_fd.load();
    if (raw_fd >= 0) tcsetattr(raw_fd, TCSANOW, &g_saved_termios);
    _exit(128 + signo);
  }
  const int fd = g_signal_write_fd.load();
  if (fd >= 0) {
    const char byte = 1;
    [[maybe_unused]] ssize_t ignored = write(fd, &byte, 1);
  }
  errno = saved_errno;
}

bool MakePipe(int* read_fd, int* write_fd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return false;
  *read_fd = fds[0];
  *write_fd = fds[1];
  return true;
}

void ClosePipe(int* read_fd, int* write_fd) {
  if (*read_fd >= 0) close(*read_fd);
  if (*write_fd >= 0) close(*write_fd);
  *read_fd = *write_fd = -1;
}

}  // namespace

std::size_t TerminalColumns() {
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

RawMode::RawMode(int fd) : fd_(fd) {
  if (!isatty(fd_) || tcgetattr(fd_, &saved_) != 0) return;
  termios raw = saved_;
  raw.c_lflag &= ~(ICANON | ECHO);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  raw.c_cc[VSUSP] = _POSIX_VDISABLE;
  g_saved_termios = saved_;
  g_raw_fd = fd_;
  if (tcsetattr(fd_, TCSAFLUSH, &raw) != 0) {
    g_raw_fd = -1;
    return;
  }
  active_ = true;
}

RawMode::~RawMode() {
  if (!active_) return;
  tcsetattr(fd_, TCSAFLUSH, &saved_);
  g_raw_fd = -1;
}

FullScreen::FullScreen() {
  std::fputs(kEnterScreen, stdout);
  std::fflush(stdout);
  g_full_screen = true;
}

FullScreen::~FullScreen() {
  g_full_screen = false;
  std::fputs(kLeaveScreen, stdout);
  std::fflush(stdout);
}

void FullScreen::Draw(const std::vector<std::string>& lines) {
  const std::size_t width = TerminalColumns();
  if (lines == shown_ && width == shown_width_) return;
  shown_ = lines;
  shown_width_ = width;
  // Home, overwrite each line and clear its tail, then clear below: no blank flash.
  std::string out = "\x1b[H";
  for (const std::string& line : lines) {
    out += client::TruncateToWidth(line, width);
    // A colour cut off with its line must not bleed into the next.
    if (line.find('\x1b') != std::string::npos) out += "\x1b[0m";
    out += "\x1b[K\n";
  }
  out += "\x1b[J";
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

SignalPipe::SignalPipe() {
  if (!MakePipe(&read_fd_, &write_fd_)) return;
  g_signal_number = 0;
  g_signal_write_fd = write_fd_;
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &old_int_);
  sigaction(SIGTERM, &action, &old_term_);
  sigaction(SIGHUP, &action, &old_hup_);
}

SignalPipe::~SignalPipe() {
  if (read_fd_ < 0) return;
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
  sigaction(SIGHUP, &old_hup_, nullptr);
  g_signal_write_fd = -1;
  ClosePipe(&read_fd_, &write_fd_);
}

int SignalPipe::signal_number() const { return g_signal_number.load(); }

WakePipe::WakePipe() { MakePipe(&read_fd_, &write_fd_); }

WakePipe::~WakePipe() { ClosePipe(&read_fd_, &write_fd_); }

void WakePipe::Wake() {
  if (write_fd_ < 0) return;
  const char byte = 1;
  // A full pipe already means "wake up"; nothing to do about EAGAIN.
  [[maybe_unused]] ssize_t ignored = write(write_fd_, &byte, 1);
}

void WakePipe::Drain() {
  char buffer[64];
  while (read(read_fd_, buffer, sizeof(buffer)) > 0) {
  }
}

std::vector<bool> WaitReadable(const std::vector<int>& fds, absl::Duration timeout) {
  std::vector<pollfd> polled;
  for (int fd : fds) {
    if (fd >= 0) polled.push_back(pollfd{fd, POLLIN, 0});
  }
  const int ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  const int n = poll(polled.data(), polled.size(), ms);
  std::vector<bool> ready(fds.size(), false);
  if (n <= 0) return ready;
  std::size_t j = 0;
  for (std::size_t i = 0; i < fds.size(); ++i) {
    if (fds[i] < 0) continue;
    ready[i] = (polled[j].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
    ++j;
  }
  return ready;
}

void KeyInput::ReadAvailable() {
  if (eof_) return;
  char buffer[256];
  const ssize_t n = read(fd_, buffer, sizeof(buffer));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    eof_ = true;
    if (!raw_) ParseLines(/*flush=*/true);
    return;
  }
  if (raw_) {
    ParseRaw(buffer, static_cast<std::size_t>(n));
  } else {
    partial_line_.append(buffer, static_cast<std::size_t>(n));
    ParseLines(/*flush=*/false);
  }
}

Key KeyInput::Pop() {
  Key key = std::move(keys_.front());
  keys_.pop_front();
  return key;
}

void KeyInput::ParseRaw(const char* data, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) {
    const char c = data[i];
    switch (escape_) {
      case Escape::kNone:
        if (c == kEscape) {
          escape_ = Escape::kStarted;
        } else {
          keys_.push_back(Key{c, ""});
        }
        break;
      case Escape::kStarted:
        if (c == '[' || c == 'O') {
          escape_ = Escape::kSequence;
        } else {
          // A lone Esc followed by an ordinary key.
          keys_.push_back(Key{kEscape, ""});
          escape_ = Escape::kNone;
          --i;
        }
        break;
      case Escape::kSequence:
        // Parameters and intermediates run until a final byte in @..~.
        if (c >= 0x40 && c <= 0x7e) escape_ = Escape::kNone;
        break;
    }
  }
  // A terminal sends a whole escape sequence at once, so an Esc ending the read was the
  // Esc key itself.
  if (escape_ == Escape::kStarted) {
    keys_.push_back(Key{kEscape, ""});
    escape_ = Escape::kNone;
  }
}

void KeyInput::ParseLines(bool flush) {
  std::size_t start = 0;
  for (;;) {
    std::size_t end = partial_line_.find('\n', start);
    if (end == std::string::npos) {
      if (!flush || start >= partial_line_.size()) break;
      end = partial_line_.size();
    }
    const absl::string_view line =
        absl::StripAsciiWhitespace(absl::string_view(partial_line_).substr(start, end - start));
    if (!line.empty()) {
      keys_.push_back(
          Key{line.front(), std::string(absl::StripLeadingAsciiWhitespace(line.substr(1)))});
    }
    start = end + 1;
  }
  partial_line_.erase(0, std::min(start, partial_line_.size()));
}

}  // namespace lobbyq::counter
