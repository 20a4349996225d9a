// libFuzzer target: HDF5 files from elsewhere through the input path of `score --in` and
// `export` (structure-aware: the bytes choose attributes, datasets, types, shapes and values;
// see hdf5_checks.hpp). Run by scripts/fuzz.sh; seeds in tests/data/fuzz_corpus/fuzz_hdf5.
#include <cstddef>
#include <cstdint>

#include "hdf5_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  microreach::fuzz::fuzz_hdf5_one(data, size);
  return 0;
}
