#pragma once
// Containment of crashes inside a third-party parser of untrusted input.
//
// HDF5 1.10.8 (Debian 12) can dereference garbage while it reads a damaged file (e.g. a broken
// global heap of variable-length strings: SIGSEGV in H5HG_read). While an InputFaultScope is
// alive on a thread, a SIGSEGV, SIGBUS, SIGFPE or SIGABRT (glibc's heap checks abort when the
// library frees a pointer it read from the file) raised on that thread is reported as what it
// is - a damaged input file - with the file and the dataset named; every live temporary output
// (AtomicOutput) is removed and the process exits with kExitBadInput (3). A fault outside any
// scope is a bug of ours: it goes on to the previous handler (the sanitizer's, or the default
// crash), so it stays visible. Only the CLI installs the handlers.
#include <string>

namespace microreach {

void install_fault_handlers();
// Caps the heap (RLIMIT_DATA) at the machine's physical memory, so a runaway allocation - HDF5
// reading a size from a damaged file grows its heap by gigabytes a second - fails with an error
// instead of swapping the machine to a halt or waking the OOM killer. No effect in sanitizer
// builds (their shadow memory is address space, not heap).
void limit_memory_to_physical_ram();
// Called when an untrusted input file is opened: from then on a fault whose program counter
// lies in libhdf5, or an abort (glibc's heap checks), anywhere, is reported as that file's
// damage - reading a damaged file can corrupt HDF5's heap so that a later HDF5 call crashes.
void note_untrusted_input(const std::string& file);

class InputFaultScope {
 public:
  // `file` and `what` (e.g. "dataset '/profiles/handle'") end up in the message.
  InputFaultScope(const std::string& file, const std::string& what);
  ~InputFaultScope();
  InputFaultScope(const InputFaultScope&) = delete;
  InputFaultScope& operator=(const InputFaultScope&) = delete;

 private:
  bool outer_;  // false when nested inside another scope on this thread (that one reports)
};

}  // namespace microreach
