// libFuzzer target: the parallel importer (block cutter, fast and general record paths,
// conversion, range checks, strict and skip modes) on arbitrary bytes, with 4 KiB blocks so
// even small inputs span several blocks. Invariants: fuzz_checks.hpp. The same bytes also go
// through the JSON/NDJSON importer (simdjson blocks) whatever their first byte, and every row
// either importer keeps must pass the range checks every input format shares (values.hpp).
#include <tbb/global_control.h>

#include <cstddef>
#include <cstdint>

#include "fuzz_checks.hpp"

namespace {

class InRange : public microreach::BatchSink {
 public:
  void consume(const microreach::Batch& b) override {
    for (std::size_t i = 0; i < b.profiles.size(); ++i)
      MR_FUZZ_CHECK(!microreach::check_profile_ranges(b.profiles, i));
    rows += b.profiles.size();
  }
  std::uint64_t rows = 0;
};

void check_json_import(const std::uint8_t* data, std::size_t n) {
  using namespace microreach;
  const fuzz::MemFile file(data, n);
  for (const TableFormat format : {TableFormat::json, TableFormat::csv}) {
    ImportOptions opt;
    opt.on_error = OnError::skip;
    opt.format = format;
    InRange sink;
    PipelineStats s;
    if (fuzz::import_unscored(file, opt, {&sink}, s)) MR_FUZZ_CHECK(s.rows == sink.rows);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 2);
  microreach::fuzz::fuzz_import(data, size);
  check_json_import(data, size);
  return 0;
}
