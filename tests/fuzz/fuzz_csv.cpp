// libFuzzer target: the CSV scanner (one-pass parser against scanner + splitter), the value
// parser (plain-number fast path against fast_float) and TableReader (CSV and JSON) on
// arbitrary bytes; fuzz_import.cpp covers the parallel importer. Invariants: fuzz_checks.hpp,
// including that the strict JSON scanner (which locates errors) and simdjson (which parses)
// agree on what is valid JSON, and that the CSV header rules hold for any first line.
//   cmake -S . -B build-fuzz -DMICROREACH_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
//         -DCMAKE_C_COMPILER=clang && cmake --build build-fuzz --target fuzz_csv
//   build-fuzz/tests/fuzz/fuzz_csv -max_total_time=300 corpus/ tests/data/import
// or scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>

#include "fuzz_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  microreach::fuzz::fuzz_reader(data, size);
  microreach::fuzz::check_json_agreement(data, size);
  microreach::fuzz::check_header(data, size);
  return 0;
}
