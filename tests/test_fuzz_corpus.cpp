// Replays tests/data/fuzz_corpus (inputs the libFuzzer target tests/fuzz/fuzz_csv found
// interesting or that once broke an invariant) and the import fixtures through the same checks
// the fuzzer runs: scanner/splitter agreement, value parser invariants, table reader, importer.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz/fuzz_checks.hpp"

TEST_CASE("the fuzz corpus and the import fixtures pass the fuzzer's invariants", "[fuzz]") {
  std::size_t files = 0;
  for (const char* dir : {"/fuzz_corpus", "/import"}) {
    const std::string d = std::string(MICROREACH_TEST_DATA) + dir;
    for (const auto& e : std::filesystem::directory_iterator(d)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      INFO(e.path().string());
      microreach::fuzz::fuzz_one(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      ++files;
    }
  }
  CHECK(files >= 9);
}
