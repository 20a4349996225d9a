// libFuzzer target: the CSV scanner (one-pass parser against scanner + splitter), the value
// parser (plain-number fast path against fast_float), TableReader (CSV and JSON) and the
// parallel importer, on arbitrary bytes. Invariants in fuzz_checks.hpp.
//   cmake -S . -B build-fuzz -DMICROREACH_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
//         -DCMAKE_C_COMPILER=clang && cmake --build build-fuzz --target fuzz_csv
//   build-fuzz/tests/fuzz/fuzz_csv -max_total_time=300 corpus/ tests/data/import
// or scripts/fuzz.sh.
#include <tbb/global_control.h>

#include <cstddef>
#include <cstdint>

#include "fuzz_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 2);
  microreach::fuzz::fuzz_one(data, size);
  return 0;
}
