#include "microreach/text_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "microreach/error.hpp"

namespace microreach {

std::string read_text_file(const std::string& path, std::size_t max_bytes,
                           const std::string& what) {
  // O_NONBLOCK: opening a FIFO with no writer must not hang before fstat() can refuse it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw InputError(path, 0, 0, "cannot open the " + what + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    throw InputError(path, 0, 0, "cannot read the " + what + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw InputError(path, 0, 0, "is a directory, not a " + what);
  if (!S_ISREG(st.st_mode))
    throw InputError(
        path, 0, 0,
        "is not a regular file (a device, FIFO or socket); a " + what + " must be a regular file");
  auto too_big = [&](const std::string& size) {
    return InputError(path, 0, 0,
                      "the " + what + " is " + size + " bytes; at most " +
                          std::to_string(max_bytes) + " bytes are read");
  };
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) throw too_big(std::to_string(st.st_size));
  std::string out;
  out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  for (;;) {
    if (got == out.size()) {
      if (out.size() > max_bytes) throw too_big("more than " + std::to_string(max_bytes));
      out.resize(std::min(out.size() + 4096, max_bytes + 1));  // the file grew while we read it
    }
    const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw InputError(path, 0, 0, "cannot read the " + what + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return out;
}

}  // namespace microreach
