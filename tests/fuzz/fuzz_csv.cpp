// libFuzzer target: the CSV scanner (one-pass parser against scanner + splitter), the value
// parser (plain-number fast path against fast_float) and TableReader (CSV and JSON) on
// arbitrary bytes; fuzz_import.cpp covers the parallel importer. Invariants: fuzz_checks.hpp,
// plus here: the strict JSON scanner (which locates errors) and simdjson (which parses) agree
// on what is valid JSON, and the CSV header rules hold for any first line.
//   cmake -S . -B build-fuzz -DMICROREACH_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
//         -DCMAKE_C_COMPILER=clang && cmake --build build-fuzz --target fuzz_csv
//   build-fuzz/tests/fuzz/fuzz_csv -max_total_time=300 corpus/ tests/data/import
// or scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string>

#include "../../src/csv_scan.hpp"
#include "../../src/json_rows.hpp"
#include "fuzz_checks.hpp"

namespace {

// The whole input as one JSON value: both parsers must say the same.
void check_json_agreement(const std::uint8_t* data, std::size_t n) {
  if (n > (1u << 16)) return;
  std::string buf(reinterpret_cast<const char*>(data), n);
  const std::size_t len = buf.size();
  buf.append(simdjson::SIMDJSON_PADDING, ' ');
  const char* p = buf.data();
  const char* e = p + len;
  const char* at = nullptr;
  std::string what;
  const char* end = microreach::json::check_value(p, e, at, what);
  if (end) {
    while (end < e && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')) ++end;
    if (end != e) end = nullptr;  // trailing text: not one document
  } else {
    MR_FUZZ_CHECK(at >= p && at <= e);
    MR_FUZZ_CHECK(!what.empty());
  }
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const bool simd_ok = !parser.parse(p, len, false).get(doc);
  // Deeper than simdjson's limit is refused by both; the strict scanner says why.
  MR_FUZZ_CHECK(simd_ok == (end != nullptr));
}

// Any header line parses without crashing; names come back as many as the fields.
void check_header(const std::uint8_t* data, std::size_t n) {
  const char* p = reinterpret_cast<const char*>(data);
  const char* he = microreach::csv::header_end(p, p + n);
  MR_FUZZ_CHECK(he >= p && he <= p + n);
  const char d = microreach::csv::detect_delimiter(p, he);
  std::vector<std::string> names;
  const auto info = microreach::csv::parse_header(p, he, d, names);
  MR_FUZZ_CHECK(!names.empty());
  MR_FUZZ_CHECK(info.error_field < names.size() || info.error == microreach::csv::FieldError::none);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  microreach::fuzz::fuzz_reader(data, size);
  check_json_agreement(data, size);
  check_header(data, size);
  return 0;
}
