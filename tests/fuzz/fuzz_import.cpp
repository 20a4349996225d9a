// libFuzzer target: the parallel importer (block cutter, fast and general record paths,
// conversion, range checks, strict and skip modes) on arbitrary bytes, with 4 KiB blocks so
// even small inputs span several blocks. Invariants: fuzz_checks.hpp.
#include <tbb/global_control.h>

#include <cstddef>
#include <cstdint>

#include "fuzz_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 2);
  microreach::fuzz::fuzz_import(data, size);
  return 0;
}
