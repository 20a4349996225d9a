// libFuzzer target: scenario files of `microreach simulate --scenario` and follower-model
// files, both TOML read through toml++ (src/toml_reader.cpp).
// Checks in scenario_checks.hpp; run by scripts/fuzz.sh, seeds in
// tests/data/fuzz_corpus/fuzz_scenario.
#include <cstddef>
#include <cstdint>

#include "scenario_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  microreach::fuzz::fuzz_scenario_one(data, size);
  return 0;
}
