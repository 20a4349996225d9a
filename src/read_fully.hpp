#pragma once
// Filling a buffer from a file descriptor, shared by the block readers (CSV import, JSON import,
// follower samples).
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include "microreach/error.hpp"

namespace microreach {

// Reads into [p, p + n) until it is full or the file ends (then sets eof). A read a signal
// interrupted is retried, after on_signal() if given (e.g. a cancellation check, so Ctrl-C does
// not wait for a stalled pipe). Returns the bytes read; a read error throws InputError naming
// `path`.
inline std::size_t read_fully(int fd, char* p, std::size_t n, const std::string& path, bool& eof,
                              void (*on_signal)() = nullptr) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0) {
      if (errno == EINTR) {
        if (on_signal) on_signal();
        continue;
      }
      throw InputError(path, 0, 0, std::string("read failed: ") + std::strerror(errno));
    }
    if (r == 0) {
      eof = true;
      break;
    }
    got += static_cast<std::size_t>(r);
  }
  return got;
}

}  // namespace microreach
