// Import throughput: value parsing, record splitting, parse-and-convert to columns through the
// pipeline (no sink), and CSV -> HDF5. Bytes/s are of CSV text.
//
//   bench_import                                   # on a generated 300k-row numeric export
//   MICROREACH_BENCH_CSV=/path/data.csv bench_import --benchmark_filter=Import
//   bench_import --write-csv=/path/data.csv --rows=5000000   # the numeric export of the script
//   bench_import --write-ndjson=/path/data.ndjson --rows=5000000   # the same rows as NDJSON
//   bench_import --benchmark_filter=ImportNdjson   # NDJSON parse-and-convert, 1 and 2 threads
//
// scripts/bench_import.py runs this together with pandas and DuckDB on the same file.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "csv_scan.hpp"
#include "microreach/import.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/pipeline.hpp"
#include "microreach/values.hpp"

using namespace microreach;

namespace {

// splitmix64: a deterministic, dependency-free generator for the synthetic export.
struct Mix {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return (next() >> 11) * 0x1.0p-53; }
};

void put_fixed(std::string& s, double v, int decimals) {
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  s.append(buf, static_cast<std::size_t>(n));
}

// A numeric influencer export of about 84 bytes a row (5M rows: ~420 MB): 12 columns, counts and
// rates with the precision exports write.
void append_rows(std::string& s, std::uint64_t first, std::uint64_t n, std::uint64_t seed) {
  Mix r{seed * 0x100000001B3ull + first};
  for (std::uint64_t i = first; i < first + n; ++i) {
    const double f = std::floor(1000.0 * std::pow(1.0 - r.uniform(), -1.0 / 0.8));
    const double followers = std::min(f, 6e8);
    const double likes = followers * 0.03 * (0.5 + r.uniform());
    s += std::to_string(i + 1);
    s += ',';
    put_fixed(s, followers, 0);
    s += ',';
    put_fixed(s, std::floor(50 + 74950 * r.uniform() * r.uniform()), 0);
    s += ',';
    put_fixed(s, std::floor(1 + 99999 * r.uniform() * r.uniform()), 0);
    s += ',';
    put_fixed(s, likes, 3);
    s += ',';
    put_fixed(s, likes * 0.02 * (0.5 + r.uniform()), 3);
    s += ',';
    put_fixed(s, std::floor(likes * 0.01), 0);
    s += ',';
    put_fixed(s, followers * 0.2 * (0.5 + r.uniform()), 3);
    s += ',';
    put_fixed(s, r.uniform(), 6);
    s += ',';
    put_fixed(s, 0.3 * r.uniform(), 6);
    s += ',';
    put_fixed(s, 0.1 * (r.uniform() - 0.3), 6);
    s += ',';
    put_fixed(s, followers * 0.005 * (0.5 + r.uniform()), 4);
    s += '\n';
  }
}

constexpr const char* kHeader =
    "id,followers,following,posts,avg_likes,avg_comments,avg_shares,avg_views,reply_rate,"
    "fake_follower_share,follower_growth_30d,price_per_post\n";

void write_csv(const std::string& path, std::uint64_t rows) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::string s = kHeader;
  const std::uint64_t step = 100000;
  for (std::uint64_t i = 0; i < rows; i += step) {
    append_rows(s, i, std::min(step, rows - i), 42);
    std::fwrite(s.data(), 1, s.size(), f);
    s.clear();
  }
  if (std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
}

// The same rows as NDJSON objects (about 240 bytes a row), for the JSON import benchmarks.
void write_ndjson(const std::string& path, std::uint64_t rows) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::vector<std::string> keys;
  {
    std::string h = kHeader;
    h.pop_back();
    std::size_t a = 0;
    for (std::size_t b; (b = h.find(',', a)) != std::string::npos; a = b + 1)
      keys.push_back(h.substr(a, b - a));
    keys.push_back(h.substr(a));
  }
  std::string csv, js;
  const std::uint64_t step = 100000;
  for (std::uint64_t i = 0; i < rows; i += step) {
    csv.clear();
    js.clear();
    append_rows(csv, i, std::min(step, rows - i), 42);
    std::size_t k = 0;
    js += "{\"";
    for (std::size_t j = 0; j < csv.size(); ++j) {
      const char c = csv[j];
      if (c == ',' || c == '\n') {
        if (c == ',') {
          js += ", \"";
        } else {
          js += "}\n";
          k = 0;
          if (j + 1 < csv.size()) js += "{\"";
          continue;
        }
        ++k;
        continue;
      }
      if (js.back() == '"') js += keys[k] + "\": ";
      js += c;
    }
    std::fwrite(js.data(), 1, js.size(), f);
  }
  if (std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
}

// The file the Import benchmarks read: $MICROREACH_BENCH_CSV, else a generated one.
const std::string& bench_file() {
  static const std::string path = [] {
    if (const char* p = std::getenv("MICROREACH_BENCH_CSV")) return std::string(p);
    const std::string tmp = (std::filesystem::temp_directory_path() /
                             ("microreach_bench_import_" + std::to_string(::getpid()) + ".csv"))
                                .string();
    write_csv(tmp, 300000);
    std::atexit([] {
      std::filesystem::remove((std::filesystem::temp_directory_path() /
                               ("microreach_bench_import_" + std::to_string(::getpid()) + ".csv"))
                                  .string());
    });
    return tmp;
  }();
  return path;
}

// CPU seconds of the whole process (all threads): on a shared machine, bytes per CPU second
// is the stable figure; wall-clock throughput on N free cores is about N times it.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// The NDJSON file the ImportNdjson benchmark reads: $MICROREACH_BENCH_NDJSON, else generated.
const std::string& bench_ndjson() {
  static const std::string path = [] {
    if (const char* p = std::getenv("MICROREACH_BENCH_NDJSON")) return std::string(p);
    const std::string tmp = (std::filesystem::temp_directory_path() /
                             ("microreach_bench_import_" + std::to_string(::getpid()) + ".ndjson"))
                                .string();
    write_ndjson(tmp, 300000);
    std::atexit([] {
      std::filesystem::remove(
          (std::filesystem::temp_directory_path() /
           ("microreach_bench_import_" + std::to_string(::getpid()) + ".ndjson"))
              .string());
    });
    return tmp;
  }();
  return path;
}

class NullSink : public BatchSink {
 public:
  void consume(const Batch& b) override { rows += b.profiles.size(); }
  std::uint64_t rows = 0;
};

void BM_ParseValue(benchmark::State& state) {
  const std::vector<std::string> cells = {"1234",    "48213", "2411.57", "87.25", "0.0312",
                                          "35120.5", "1.2M",  "3.5k",    "1.39%", "1,234,567"};
  double sum = 0;
  for (auto _ : state) {
    for (const auto& c : cells) sum += parse_value(c).value;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(cells.size()));
}
BENCHMARK(BM_ParseValue);

void BM_SplitRecords(benchmark::State& state) {
  std::string text;
  append_rows(text, 0, 50000, 7);
  std::vector<csv::Field> fields;
  csv::RecordInfo info;
  for (auto _ : state) {
    const char* p = text.data();
    const char* e = p + text.size();
    std::size_t n = 0;
    while (p < e) {
      p = csv::parse_record(p, e, ',', fields, info);
      n += fields.size();
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_SplitRecords);

// Parse and convert to columns: the import source through the pipeline, no output.
void import_parse(benchmark::State& state, const std::string& path) {
  const auto bytes = static_cast<std::int64_t>(std::filesystem::file_size(path));
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism,
                              static_cast<std::size_t>(state.range(0)));
  std::uint64_t rows = 0;
  const double cpu0 = process_cpu_seconds();
  for (auto _ : state) {
    auto src = make_import_source(path, ImportOptions{}, 16384);
    NullSink sink;
    PipelineOptions po;
    po.score = false;
    run_pipeline(*src, {&sink}, po);
    rows = sink.rows;
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["MB_per_cpu_s"] =
      static_cast<double>(state.iterations() * bytes) / 1e6 / (process_cpu_seconds() - cpu0);
}
void BM_ImportParse(benchmark::State& state) {
  import_parse(state, bench_file());
}
BENCHMARK(BM_ImportParse)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// NDJSON (the same rows as objects): both passes, the keys and the rows.
void BM_ImportNdjson(benchmark::State& state) {
  import_parse(state, bench_ndjson());
}
BENCHMARK(BM_ImportNdjson)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// CSV -> HDF5 /profiles, as `microreach import` does it.
void BM_ImportToHdf5(benchmark::State& state) {
  const std::string& path = bench_file();
  const auto bytes = static_cast<std::int64_t>(std::filesystem::file_size(path));
  const std::string out = path + ".bench.h5";
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism,
                              static_cast<std::size_t>(state.range(0)));
  const double cpu0 = process_cpu_seconds();
  for (auto _ : state) {
    auto src = make_import_source(path, ImportOptions{}, 16384);
    {
      h5::File file = h5::File::create(out, {h5::kFiletypeProfiles, 0, "", "bench_import"});
      {
        h5::TableSink sink(file.id(), {65536, 0}, false, false, src->absent_columns());
        PipelineOptions po;
        po.score = false;
        run_pipeline(*src, {&sink}, po);
      }
      file.close();
    }
  }
  std::filesystem::remove(out);
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["MB_per_cpu_s"] =
      static_cast<double>(state.iterations() * bytes) / 1e6 / (process_cpu_seconds() - cpu0);
}
BENCHMARK(BM_ImportToHdf5)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  // --write-csv=PATH [--rows=N]: write the synthetic numeric export and exit.
  // --write-ndjson=PATH: the same rows as NDJSON.
  std::string out, out_json;
  std::uint64_t rows = 5000000;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--write-csv=", 12) == 0) out = argv[i] + 12;
    if (std::strncmp(argv[i], "--write-ndjson=", 15) == 0) out_json = argv[i] + 15;
    if (std::strncmp(argv[i], "--rows=", 7) == 0) rows = std::strtoull(argv[i] + 7, nullptr, 10);
  }
  if (!out.empty()) write_csv(out, rows);
  if (!out_json.empty()) write_ndjson(out_json, rows);
  if (!out.empty() || !out_json.empty()) return 0;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
