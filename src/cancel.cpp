#include "microreach/cancel.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "microreach/error.hpp"

namespace microreach {
namespace {

std::atomic<bool> g_cancel{false};
std::atomic<unsigned> g_temp_counter{0};

extern "C" void on_signal(int) {
  g_cancel.store(true, std::memory_order_relaxed);
}

std::string errno_text(int e) {
  return std::strerror(e);
}

}  // namespace

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}
bool cancel_requested() {
  return g_cancel.load(std::memory_order_relaxed);
}
void request_cancel() {
  g_cancel.store(true);
}
void reset_cancel() {
  g_cancel.store(false);
}
void throw_if_cancelled() {
  if (cancel_requested()) throw Interrupted();
}

AtomicOutput::AtomicOutput(std::string final_path) : final_(std::move(final_path)) {
  namespace fs = std::filesystem;
  if (final_.empty()) throw ConfigError("--out", "", "an output file name");
  const fs::path p(final_);
  fs::path dir = p.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error("cannot write '" + final_ + "': the directory '" + dir.string() +
                "' does not exist; create it or choose another --out");
  if (fs::is_directory(p, ec))
    throw Error("cannot write '" + final_ + "': it is a directory; give a file name");
  if (::access(dir.c_str(), W_OK) != 0)
    throw Error("cannot write '" + final_ + "': the directory '" + dir.string() +
                "' is not writable (" + errno_text(errno) + ")");
  temp_ = (dir / ("." + p.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                  std::to_string(g_temp_counter++)))
              .string();
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) ::unlink(temp_.c_str());
}

void AtomicOutput::commit() {
  // Flush file contents to disk before the rename makes them visible under the final name.
  const int fd = ::open(temp_.c_str(), O_RDONLY);
  if (fd < 0) {
    const int e = errno;
    throw Error("cannot finish '" + final_ + "': temporary file '" + temp_ + "' is gone (" +
                errno_text(e) + ")");
  }
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0)
    throw Error("cannot write '" + final_ + "': " + errno_text(e) + " (is the disk full?)");
  if (std::rename(temp_.c_str(), final_.c_str()) != 0) {
    const int e2 = errno;
    throw Error("cannot move the finished output to '" + final_ + "': " + errno_text(e2));
  }
  committed_ = true;
}

}  // namespace microreach
