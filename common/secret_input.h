#pragma once

// Reading a password at a terminal without showing it (and plainly from a
// pipe, for scripts).

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>

namespace lobbyq {

// Prints `prompt` to standard error (at a terminal only) and reads one line
// from standard input without echo.
inline std::string ReadSecretLine(const std::string& prompt) {
  const bool tty = isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::cerr << prompt;
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  return line;
}

}  // namespace lobbyq
