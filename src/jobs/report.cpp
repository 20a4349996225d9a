#include "microreach/jobs/report.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "microreach/cancel.hpp"
#include "microreach/error.hpp"
#include "microreach/io/hdf5.hpp"

extern char** environ;

namespace microreach::jobs {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAptLine =
    "sudo apt-get install -y python3 python3-numpy python3-h5py python3-pandas "
    "python3-matplotlib";

fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

// Where report.py may be, in order: --script, $MICROREACH_REPORT_SCRIPT, the installed share
// directory next to the binary (<prefix>/bin -> <prefix>/share/microreach), the source tree
// this binary was built from (this file is <src>/src/jobs/report.cpp), and the source tree
// above a build directory (<src>/build/microreach).
std::string find_script(const ReportOptions& a) {
  std::vector<fs::path> tried;
  const auto usable = [&](const fs::path& p) {
    tried.push_back(p);
    std::error_code ec;
    return fs::is_regular_file(p, ec);
  };
  if (!a.script.empty()) {
    if (usable(a.script)) return a.script;
    throw ConfigError("--script", a.script, "the path of an existing report.py");
  }
  if (const char* env = std::getenv("MICROREACH_REPORT_SCRIPT"); env && *env) {
    if (usable(env)) return env;
    throw ConfigError("MICROREACH_REPORT_SCRIPT", env, "the path of an existing report.py");
  }
  const fs::path exe_dir = executable_dir();
  std::vector<fs::path> candidates;
  if (!exe_dir.empty()) candidates.push_back(exe_dir / ".." / "share" / "microreach" / "report.py");
  const fs::path this_file(__FILE__);
  if (this_file.is_absolute())
    candidates.push_back(this_file.parent_path().parent_path().parent_path() / "scripts" /
                         "report.py");
  if (!exe_dir.empty()) {
    candidates.push_back(exe_dir / ".." / "scripts" / "report.py");
    candidates.push_back(exe_dir / ".." / ".." / "scripts" / "report.py");
  }
  for (const auto& c : candidates)
    if (usable(c)) return fs::weakly_canonical(c).string();
  std::string list;
  for (const auto& t : tried) list += "\n  " + t.string();
  throw Error(
      "cannot find report.py (looked in:" + list +
      ")\nPass --script PATH or set MICROREACH_REPORT_SCRIPT to the scripts/report.py of the "
      "microreach source tree");
}

void check_python(const std::string& python) {
  if (::access(python.c_str(), X_OK) != 0)
    throw Error("microreach report needs " + python +
                " (Debian's python3 with numpy, h5py, pandas and matplotlib), which is " +
                (errno == ENOENT ? "not installed" : "not executable") +
                ". Install them with:\n  " + kAptLine);
}

// Runs argv (no shell), waits, returns the exit status; 128 + signal if it was killed.
int run(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& s : args) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
  if (rc != 0) throw Error("cannot start " + args[0] + ": " + std::strerror(rc));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw Error("waiting for " + args[0] + ": " + std::strerror(errno));
    // SIGINT/SIGTERM reach the child too (same process group); keep waiting for it.
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

void run_report(const ReportOptions& a) {
  // Check the input here first, so its errors read like every other command's.
  { h5::File f = h5::File::open(a.in, {h5::kFiletypeCampaign, h5::kFiletypeSweep}); }
  const std::string script = find_script(a);
  check_python(a.python);
  AtomicOutput out(a.out);
  std::vector<std::string> args = {a.python, script, a.in, "-o", out.temp_path(), "--quiet"};
  if (!a.figures.empty()) args.insert(args.end(), {"--figures", a.figures});
  const int rc = run(args);
  throw_if_cancelled();
  switch (rc) {
    case 0:
      break;
    case 2:
      throw ConfigError("report.py was called with options it does not accept (see above)");
    case 3:
      throw InputError(a.in, 0, 0, "cannot be turned into a report (see the message above)");
    case 4:
      throw Error(
          "report.py needs Python modules that are missing (see above). Install them "
          "with:\n  " +
          std::string(kAptLine));
    default:
      if (rc > 128 && (rc - 128 == SIGINT || rc - 128 == SIGTERM)) throw Interrupted();
      throw Error("report.py failed (exit status " + std::to_string(rc) + "); no report written");
  }
  std::error_code ec;
  if (!fs::is_regular_file(out.temp_path(), ec) || fs::file_size(out.temp_path(), ec) == 0)
    throw Error("report.py exited without writing the report; no report written");
  out.commit();
}

}  // namespace microreach::jobs
