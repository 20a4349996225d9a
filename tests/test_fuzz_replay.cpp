// Replays the corpora of the fuzz targets (tests/fuzz/fuzz_scenario.cpp,
// tests/fuzz/fuzz_hdf5.cpp): every input in tests/data/fuzz_corpus/fuzz_scenario and
// tests/data/fuzz_corpus/fuzz_hdf5 - seeds, and every input a fuzzer ever crashed on - goes
// through the same checks the fuzzer runs. A broken invariant aborts the test binary.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz/hdf5_checks.hpp"
#include "fuzz/scenario_checks.hpp"

namespace {

template <class F>
std::size_t replay(const char* target, F one) {
  std::size_t files = 0;
  const std::string d = std::string(MICROREACH_TEST_DATA) + "/fuzz_corpus/" + target;
  for (const auto& e : std::filesystem::directory_iterator(d)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(e.path().string());
    one(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    ++files;
  }
  return files;
}

}  // namespace

TEST_CASE("the scenario fuzz corpus passes the scenario parser's invariants", "[fuzz]") {
  CHECK(replay("fuzz_scenario", microreach::fuzz::fuzz_scenario_one) >= 4);
}

TEST_CASE("the HDF5 fuzz corpus passes the HDF5 input path's invariants", "[fuzz]") {
  CHECK(replay("fuzz_hdf5", microreach::fuzz::fuzz_hdf5_one) >= 4);
}
