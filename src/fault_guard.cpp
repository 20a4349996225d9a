#include "microreach/fault_guard.hpp"

#include <link.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>

#include "microreach/cancel.hpp"
#include "microreach/error.hpp"

namespace microreach {
namespace {

// The message is formatted when a scope opens, so the handler only has to write(2) it.
constexpr std::size_t kMessageMax = 8192;
thread_local char t_message[kMessageMax];
thread_local std::size_t t_message_len = 0;
thread_local bool t_active = false;

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGABRT};
constexpr std::size_t kSignalCount = sizeof kSignals / sizeof kSignals[0];
struct sigaction g_previous[kSignalCount];

// The last untrusted input file opened (HDF5 damage can surface after its read: a corrupted
// heap crashes a later allocation), as a preformatted message.
char g_input_message[kMessageMax];
std::atomic<std::size_t> g_input_message_len{0};

// Executable ranges of libhdf5 in this process, found at install time.
struct Range {
  std::uintptr_t lo, hi;
};
Range g_hdf5_text[8];
int g_hdf5_ranges = 0;

int find_hdf5(dl_phdr_info* info, std::size_t, void*) {
  if (!info->dlpi_name || !std::strstr(info->dlpi_name, "libhdf5")) return 0;
  for (int i = 0; i < info->dlpi_phnum && g_hdf5_ranges < 8; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X)) continue;
    const std::uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
    g_hdf5_text[g_hdf5_ranges++] = {lo, lo + ph.p_memsz};
  }
  return 0;
}

bool in_hdf5(const void* context) {
  if (!context) return false;
  const auto* uc = static_cast<const ucontext_t*>(context);
#if defined(__x86_64__)
  const auto pc = static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  const auto pc = static_cast<std::uintptr_t>(uc->uc_mcontext.pc);
#else
  const std::uintptr_t pc = 0;
#endif
  for (int i = 0; i < g_hdf5_ranges; ++i)
    if (pc >= g_hdf5_text[i].lo && pc < g_hdf5_text[i].hi) return true;
  return false;
}

[[noreturn]] void report_and_exit(const char* msg, std::size_t len) {
  const ssize_t w = ::write(2, msg, len);
  (void)w;
  remove_temporary_outputs();
  ::_exit(kExitBadInput);
}

extern "C" void on_fault(int sig, siginfo_t* info, void* context) {
  if (t_active) report_and_exit(t_message, t_message_len);
  // Outside a read, but a damaged input was opened: a fault in HDF5's code, or glibc aborting
  // on a heap HDF5 corrupted while it read that file, is still the file's damage.
  const std::size_t input_len = g_input_message_len.load(std::memory_order_acquire);
  if (input_len > 0 && (sig == SIGABRT || in_hdf5(context)))
    report_and_exit(g_input_message, input_len);
  // Not inside an input reader: a bug. Hand over to whoever handled it before (a sanitizer
  // prints its report) or to the default action (core dump).
  for (std::size_t i = 0; i < kSignalCount; ++i) {
    if (kSignals[i] != sig) continue;
    const struct sigaction& prev = g_previous[i];
    if (prev.sa_flags & SA_SIGINFO) {
      if (prev.sa_sigaction) {
        prev.sa_sigaction(sig, info, context);
        return;
      }
    } else if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN) {
      prev.sa_handler(sig);
      return;
    }
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void note_untrusted_input(const std::string& file) {
  std::string m = "microreach: error: " +
                  InputError::format(file, 0, 0,
                                     "is damaged: the HDF5 library failed after reading it; "
                                     "expected an intact file written by microreach (no output "
                                     "was written)") +
                  "\n";
  if (m.size() > kMessageMax) m = m.substr(m.size() - kMessageMax);
  g_input_message_len.store(0, std::memory_order_release);
  std::memcpy(g_input_message, m.data(), m.size());
  g_input_message_len.store(m.size(), std::memory_order_release);
}

void install_fault_handlers() {
  if (g_hdf5_ranges == 0) dl_iterate_phdr(find_hdf5, nullptr);
  struct sigaction sa {};
  sa.sa_sigaction = on_fault;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  for (std::size_t i = 0; i < kSignalCount; ++i) sigaction(kSignals[i], &sa, &g_previous[i]);
}

InputFaultScope::InputFaultScope(const std::string& file, const std::string& what)
    : outer_(!t_active) {
  if (!outer_) return;
  std::string m = "microreach: error: " +
                  InputError::format(file, 0, 0,
                                     what +
                                         " is damaged: the HDF5 library failed while reading it; "
                                         "expected an intact file written by microreach (no "
                                         "output was written)") +
                  "\n";
  if (m.size() > kMessageMax) m = m.substr(m.size() - kMessageMax);
  std::memcpy(t_message, m.data(), m.size());
  t_message_len = m.size();
  t_active = true;
}

InputFaultScope::~InputFaultScope() {
  if (outer_) t_active = false;
}

void limit_memory_to_physical_ram() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return;  // sanitizers reserve terabytes of address space for their shadow memory
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
  return;
#endif
#endif
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return;
  const rlim_t ram = static_cast<rlim_t>(pages) * static_cast<rlim_t>(page);
  rlimit r{};
  if (::getrlimit(RLIMIT_DATA, &r) != 0) return;
  if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur <= ram) return;  // already tighter
  r.rlim_cur = r.rlim_max == RLIM_INFINITY ? ram : std::min<rlim_t>(ram, r.rlim_max);
  ::setrlimit(RLIMIT_DATA, &r);
}

}  // namespace microreach
