#pragma once
// One fuzz input through the CSV scanner, the value parser, the table reader and the importer,
// with invariants checked. Shared by the libFuzzer target (fuzz_csv.cpp) and the regression test
// that replays tests/data/fuzz_corpus (tests/test_fuzz_corpus.cpp). A broken invariant aborts
// with a message; malformed input may only raise microreach::InputError/ConfigError.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "csv_scan.hpp"
#include "json_rows.hpp"
#include "microreach/error.hpp"
#include "microreach/import.hpp"
#include "microreach/pipeline.hpp"
#include "microreach/table.hpp"
#include "microreach/values.hpp"
#include "value_parse.hpp"

namespace microreach::fuzz {

[[noreturn]] inline void broken(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}
#define MR_FUZZ_CHECK(cond)                         \
  do {                                              \
    if (!(cond)) ::microreach::fuzz::broken(#cond); \
  } while (0)

// The one-pass parser and the record scanner must agree on every record end, and a record
// parsed alone (as the table reader parses what the scanner cut) must give the same fields.
inline void check_scanner(const char* p, const char* end, char delim) {
  std::vector<csv::Field> a, b;
  csv::RecordInfo ia, ib;
  while (p < end) {
    const csv::ScanResult r = csv::find_record_end(p, end, delim, true);
    const char* q = csv::parse_record(p, end, delim, a, ia);
    if (r.unterminated) {
      MR_FUZZ_CHECK(ia.error != csv::FieldError::none);  // (an earlier error may come first)
      return;
    }
    MR_FUZZ_CHECK(r.end == q);
    csv::parse_record(p, r.end, delim, b, ib);
    MR_FUZZ_CHECK(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      MR_FUZZ_CHECK(a[i].view() == b[i].view());
      MR_FUZZ_CHECK(a[i].escaped == b[i].escaped);
    }
    MR_FUZZ_CHECK(ia.error == ib.error);
    MR_FUZZ_CHECK(ia.newlines == ib.newlines);
    MR_FUZZ_CHECK(ia.newlines == csv::count_newlines(p, static_cast<std::size_t>(q - p)));
    MR_FUZZ_CHECK(q > p);
    p = q;
  }
}

inline void check_values(const char* p, std::size_t n) {
  // Every field of the input, as a value.
  std::vector<csv::Field> f;
  csv::RecordInfo info;
  const char* end = p + n;
  for (const char* q = p; q < end;) {
    q = csv::parse_record(q, end, ',', f, info);
    for (const auto& x : f) {
      const ParsedValue v = parse_value(x.view());
      if (v.status == ValueStatus::ok) {
        MR_FUZZ_CHECK(std::isfinite(v.value));
      } else {
        MR_FUZZ_CHECK(std::isnan(v.value));
      }
      const char* s = x.p;
      double plain = 0, ref = 0;
      if (detail::parse_plain_number(s, x.p + x.n, plain)) {
        const auto r = fast_float::from_chars(x.p, x.p + x.n, ref);
        MR_FUZZ_CHECK(r.ec == std::errc() && r.ptr == s);
        MR_FUZZ_CHECK(std::memcmp(&plain, &ref, sizeof ref) == 0);
      }
    }
  }
}

// The input as a file (memfd: no disk) for the table reader and the importer.
class MemFile {
 public:
  MemFile(const std::uint8_t* data, std::size_t n) {
    fd_ = memfd_create("microreach-fuzz", 0);
    if (fd_ < 0) broken("memfd_create");
    for (std::size_t off = 0; off < n;) {
      const ssize_t w = ::write(fd_, data + off, n - off);
      if (w <= 0) broken("write memfd");
      off += static_cast<std::size_t>(w);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() { ::close(fd_); }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

class Tally : public BatchSink {
 public:
  void consume(const Batch& b) override {
    const ProfileChunk& p = b.profiles;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const double f = p.followers[i];
      MR_FUZZ_CHECK(f >= 0 && std::isfinite(f));
      for (double x : {p.following[i], p.posts[i], p.avg_likes[i], p.avg_comments[i],
                       p.avg_shares[i], p.avg_views[i], p.price_per_post[i]}) {
        MR_FUZZ_CHECK(std::isnan(x) || (x >= 0 && std::isfinite(x)));
      }
      MR_FUZZ_CHECK(!(p.avg_likes[i] > 100 * f));
      for (double x : {p.reply_rate[i], p.fake_follower_share[i]}) {
        MR_FUZZ_CHECK(std::isnan(x) || (x >= 0 && x <= 1));
      }
    }
    kept += p.size();
    rejected += b.rejects.size();
    for (const auto& r : b.rejects) MR_FUZZ_CHECK(!r.reason.empty());
  }
  std::uint64_t kept = 0, rejected = 0;
};

inline void check_table(const MemFile& file) {
  try {
    auto t = TableReader::open(file.path());
    std::vector<std::string> row;
    std::uint64_t last_line = 0;
    int errors = 0;  // a thrown error costs ~50 us under ASan: sample the first few
    for (;;) {
      try {
        if (!t->next(row)) break;
      } catch (const InputError&) {
        if (t->format() == TableFormat::json) break;  // JSON syntax errors end the file
        if (++errors > 16) break;
        continue;  // a CSV record is consumed first
      }
      MR_FUZZ_CHECK(row.size() == t->header().size());
      MR_FUZZ_CHECK(t->line() >= last_line);
      last_line = t->line();
    }
  } catch (const InputError&) {
  }
}

// Imports `file` with `opt` in 4 KiB blocks (many blocks even for small inputs) through the
// pipeline, unscored, into `sinks`. Returns false where the input was refused with a message.
inline bool import_unscored(const MemFile& file, ImportOptions opt,
                            const std::vector<BatchSink*>& sinks, PipelineStats& stats) {
  try {
    opt.block_bytes = 4096;
    auto src = make_import_source(file.path(), opt, 256);
    PipelineOptions po;
    po.score = false;
    stats = run_pipeline(*src, sinks, po);
    return true;
  } catch (const InputError&) {
  } catch (const ConfigError&) {
  }
  return false;
}

inline void check_import(const MemFile& file) {
  for (const OnError mode : {OnError::skip, OnError::strict}) {
    ImportOptions opt;
    opt.on_error = mode;
    Tally tally;
    PipelineStats s;
    if (!import_unscored(file, opt, {&tally}, s)) continue;
    MR_FUZZ_CHECK(s.rows == tally.kept);
    MR_FUZZ_CHECK(s.rejected == tally.rejected);
    MR_FUZZ_CHECK(s.rows_read == tally.kept + tally.rejected);
    if (mode == OnError::strict) MR_FUZZ_CHECK(tally.rejected == 0);
  }
}

// The scanner, the value parser and the table reader (fast: no threads).
inline void fuzz_reader(const std::uint8_t* data, std::size_t n) {
  const char* p = reinterpret_cast<const char*>(data);
  for (char delim : {',', ';', '\t'}) check_scanner(p, p + n, delim);
  check_values(p, n);
  check_table(MemFile(data, n));
}

// The parallel importer, strict and skipping.
inline void fuzz_import(const std::uint8_t* data, std::size_t n) {
  check_import(MemFile(data, n));
}

// The whole input as one JSON value: both parsers must say the same.
inline void check_json_agreement(const std::uint8_t* data, std::size_t n) {
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
inline void check_header(const std::uint8_t* data, std::size_t n) {
  const char* p = reinterpret_cast<const char*>(data);
  const char* he = microreach::csv::header_end(p, p + n);
  MR_FUZZ_CHECK(he >= p && he <= p + n);
  const char d = microreach::csv::detect_delimiter(p, he);
  std::vector<std::string> names;
  const auto info = microreach::csv::parse_header(p, he, d, names);
  MR_FUZZ_CHECK(!names.empty());
  MR_FUZZ_CHECK(info.error_field < names.size() || info.error == microreach::csv::FieldError::none);
}

inline void fuzz_one(const std::uint8_t* data, std::size_t n) {
  fuzz_reader(data, n);
  check_json_agreement(data, n);
  check_header(data, n);
  fuzz_import(data, n);
}

}  // namespace microreach::fuzz
