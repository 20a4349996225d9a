#pragma once
// One fuzz input through the scenario parser (sim/scenario.cpp) and the follower-model reader
// (src/audit/model_file.cpp), both on the bounded toml++ reader, with invariants checked.
// Shared by the libFuzzer target fuzz_scenario.cpp and the regression test that replays
// tests/data/fuzz_corpus/fuzz_scenario (tests/test_fuzz_replay.cpp).
// Invariants: malformed text may only raise microreach::InputError / ConfigError (never another
// exception, never a crash); an accepted scenario validates, and its to_toml() text parses
// back to a scenario whose to_toml() is the same text (a fixed point); the model reader, too,
// raises only InputError / ConfigError.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "microreach/audit/audit.hpp"
#include "microreach/error.hpp"
#include "microreach/sim/scenario.hpp"

namespace microreach::fuzz {

[[noreturn]] inline void scenario_broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz invariant broken: %s: %s\n", what, detail.c_str());
  std::abort();
}

inline void fuzz_scenario_one(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)audit::model_from_toml(std::string(text), "fuzz-model.toml");
  } catch (const InputError&) {
  } catch (const ConfigError&) {
  } catch (const std::exception& e) {
    scenario_broken("model_from_toml threw something other than InputError/ConfigError", e.what());
  }
  sim::Scenario s;
  try {
    s = sim::parse_scenario(text, "fuzz.toml");
  } catch (const InputError&) {
    return;
  } catch (const ConfigError&) {
    return;
  } catch (const std::exception& e) {
    scenario_broken("parse_scenario threw something other than InputError/ConfigError", e.what());
  }
  try {
    s.validate();
  } catch (const std::exception& e) {
    scenario_broken("an accepted scenario does not validate", e.what());
  }
  const std::string once = s.to_toml();
  std::string twice;
  try {
    twice = sim::parse_scenario(once, "fuzz-roundtrip.toml").to_toml();
  } catch (const std::exception& e) {
    scenario_broken("to_toml() of an accepted scenario does not parse back",
                    std::string(e.what()) + "\n--- text:\n" + once);
  }
  if (twice != once)
    scenario_broken("to_toml() is not a fixed point", "first:\n" + once + "\nsecond:\n" + twice);
}

}  // namespace microreach::fuzz
