// The microreach executable: a thin CLI over the library. Errors become one message on stderr
// and a non-zero exit code here, and only here.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <new>

#include "commands.hpp"
#include "microreach/build_info.hpp"
#include "microreach/cancel.hpp"
#include "microreach/dist.hpp"
#include "microreach/error.hpp"
#include "microreach/fault_guard.hpp"
#include "options.hpp"

namespace {

// Leaves after a failure without running static destructors or atexit handlers: after a failed
// write (disk full) HDF5 1.10 keeps the dataset it could not close, and the library shutdown
// those run (H5close, from libhdf5_cpp's termH5cpp) then crashes on it with SIGSEGV in H5D_close.
// Nothing is left to save: the temporary output was removed while the error unwound.
[[noreturn]] void exit_after_error(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  microreach::dist::finalize();
  std::_Exit(code);
}

// In a distributed run only rank 0 reports the (agreed) error; alone, every process does.
void report_error(const char* what) {
  if (microreach::dist::is_root()) std::cerr << "microreach: error: " << what << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace microreach;
  CLI::App app{
      "microreach: score influencer profiles at scale and simulate campaigns with their "
      "uncertainty.\n"
      "Run 'microreach <command> --help' for the options of a command."};
  app.set_version_flag("--version", std::string("microreach ") + build::kVersion + " (" +
                                        build::kGitSha + ")" +
                                        (dist::compiled_with_mpi() ? " with MPI" : ""));
  app.require_subcommand(1);
  app.fallthrough();
  app.option_defaults()->always_capture_default();
  app.set_config("--config", "", "Read options from a TOML file ([command] tables)");
  app.allow_config_extras(
      CLI::config_extras_mode::error);  // a misspelt key is an error, not ignored
  cli::Globals g;
  // MPI ranks (docs/scale.md). A launcher's several copies of a build without MPI are refused.
  try {
    dist::init(&argc, &argv);
  } catch (const Error& e) {
    std::cerr << "microreach: error: " << e.what() << "\n";
    return e.exit_code();
  }
  if (!dist::is_root()) {
    g.quiet = true;  // rank 0 speaks for all: one table, one progress report, one error
    if (!std::freopen("/dev/null", "w", stdout)) std::cout.setstate(std::ios::badbit);
  }
  for (int i = 0; i < argc; ++i) g.command_line += (i ? " " : "") + std::string(argv[i]);
  app.add_option("--threads,-j", g.threads, "Worker threads (0 = all cores)")
      ->check(CLI::Range(0, 1024));  // a bound, not "up to 1.8e308"
  app.add_flag("--quiet,-q", g.quiet, "No progress bar or chatter on stderr");

  cli::add_generate(app, g);
  cli::add_score(app, g);
  cli::add_simulate(app, g);
  cli::add_sweep(app, g);
  cli::add_sensitivity(app, g);
  cli::add_report(app, g);
  cli::add_audit(app, g);
  cli::add_import(app, g);
  cli::add_export(app, g);
  cli::guard_integer_options(app);  // every integer option, before its own range check
  cli::use_toml_config(app);

  install_signal_handlers();
  if (dist::distributed()) remove_outputs_at_first_signal();
  install_fault_handlers();
  limit_memory_to_physical_ram();
  try {
    try {
      app.parse(argc, argv);
      dist::check();  // every rank finished: one failing rank fails the run on all
    } catch (const CLI::ParseError&) {
      throw;  // the same on every rank, before any collective call
    } catch (...) {
      dist::fail(std::current_exception());  // distributed: agree; alone: rethrows unchanged
    }
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    dist::finalize();
    return rc == 0 ? 0 : kExitUsage;
  } catch (const Error& e) {
    report_error(e.what());
    exit_after_error(e.exit_code());
  } catch (const std::bad_alloc&) {
    report_error("out of memory (try a smaller --chunk-size or fewer --threads)");
    exit_after_error(kExitFailure);
  } catch (const std::exception& e) {
    report_error(e.what());
    exit_after_error(kExitFailure);
  }
  dist::finalize();
  return kExitOk;
}
