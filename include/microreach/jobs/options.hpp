#pragma once
// Options shared by several jobs, as the text a user gave them: each build() validates the text
// and throws ConfigError naming the command-line option (--niche, --map, ...), so a job reports
// a bad value the same way whether it came from the command line, a --config file or Python.
#include <tbb/global_control.h>

#include <memory>
#include <string>
#include <vector>

#include "microreach/config.hpp"
#include "microreach/import.hpp"

namespace microreach::jobs {

// Scoring configuration (--niche, --tier-bounds, --similar, --benchmark, --w-*).
struct ScoringOptions {
  std::string niche;
  std::string tier_bounds;
  std::vector<std::string> similar;
  std::vector<std::string> benchmark;
  Weights weights;
  double suspected_fake_below = ScoringConfig().suspected_fake_below;
  ScoringConfig build() const;
};

// The synthetic population's mixes (--platform-mix, --niche-mix, --known-fake-share) and the
// generator version (--generator-version; "" = the default).
struct GeneratorOptions {
  std::vector<std::string> platform_mix;
  std::vector<std::string> niche_mix;
  double known_fake_share = 0.0;
  std::string version;
  GeneratorConfig build() const;
};

// Reading an export (CSV, TSV, JSON): `microreach import` and `score --in data.csv`.
struct ImportTextOptions {
  std::string delimiter;         // "" = detect
  std::vector<std::string> map;  // field=Header
  std::string on_error = "strict";
  std::string rejects;  // rejects CSV (needs --on-error skip)
  std::string platform = "instagram";
  std::string format;      // "" = from the extension
  std::string block_size;  // "" = automatic; bytes, or with K/M suffix (KiB/MiB)
  // Rows of one account: first, last or keep; "" = first for text exports, and no check for
  // HDF5 and generated input (unless asked: the check holds one key per account in memory).
  std::string dedupe;
  ImportOptions build() const;
};

// How a job runs, the same for every job: threads, progress output, and the command line
// recorded in the provenance of the files it writes.
struct RunContext {
  int threads = 0;        // 0 = all cores
  bool progress = false;  // progress bar on stderr (only shown on a terminal, after 1 s)
  std::string command_line;
};

// Scopes the TBB thread count for one job (threads <= 0: all cores); a negative count is
// refused naming --threads.
std::unique_ptr<tbb::global_control> limit_threads(int threads);
int effective_threads(int threads);

}  // namespace microreach::jobs
