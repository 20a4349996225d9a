#pragma once
// Import of influencer exports (CSV, TSV, JSON, NDJSON) as a pipeline source: the serial
// read() cuts the file into blocks of whole records (quoted newlines respected), the parallel
// materialize() parses a block into a ProfileChunk. Columns are found by normalised header
// name through built-in aliases or --map; values go through parse_value (values.hpp); derived
// fields follow docs/model.md "Import: deriving fields". Bad rows are refused with
// file:line:column, the column name, the text found and what was expected (strict), or collected
// in Batch::rejects (skip). See docs/import.md.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "microreach/pipeline.hpp"
#include "microreach/profile.hpp"
#include "microreach/table.hpp"

namespace microreach {

// What an import column can feed: every profile column (the ImportField of the same value as
// its Column: import_field(Column::followers)), then source columns that are only used to derive
// profile columns.
enum class ImportField : std::uint8_t {
  category = kColumnCount,  // category text -> niche
  category2,                // used when the first category is empty
  engagement_rate,          // (likes + comments) / followers, "1.39%" or 0.0139 -> avg_likes
  avg_engagements,          // likes + comments per post (e.g. "Engagement average") -> avg_likes
  authentic_engagement,     // engagements from real accounts -> fake_follower_share
  total_likes,              // likes over all posts -> avg_likes = total / posts
  count
};
constexpr ImportField import_field(Column c) {
  return static_cast<ImportField>(c);
}
inline constexpr std::size_t kImportFieldCount = static_cast<std::size_t>(ImportField::count);

struct ImportFieldInfo {
  std::string_view name;                  // --map name
  std::vector<std::string_view> aliases;  // normalised header names, in priority order
  bool numeric;
  std::string_view description;
};
const ImportFieldInfo& import_field_info(ImportField f);
// Exact name, case/punctuation-insensitive ("avg_likes", "Avg Likes"); nullopt if unknown.
std::optional<ImportField> parse_import_field(std::string_view name);
std::string import_field_list();

enum class OnError : std::uint8_t { strict, skip };

struct ImportOptions {
  char delimiter = 0;                                           // 0 = detect
  std::vector<std::pair<std::string, std::string>> column_map;  // field -> header ("" = ignore)
  OnError on_error = OnError::strict;
  std::string rejects_path;     // for the command: where rejected rows go
  std::size_t block_bytes = 0;  // text per pipeline batch; 0 = 2 MiB
  std::optional<Platform> default_platform = Platform::instagram;  // when no platform column
  std::optional<TableFormat> format;  // nullopt = from extension / first byte
  std::size_t max_record_bytes = std::size_t{64} << 20;

  // "field=Header" (as given to --map); throws ConfigError naming --map.
  void add_map(const std::string& text);
};

// Which header column feeds each field (-1 = none) and why.
struct ColumnMapping {
  std::array<int, kImportFieldCount> column;
  std::array<bool, kImportFieldCount> from_map{};  // chosen by --map (else by alias)
  ColumnMapping() { column.fill(-1); }
  int operator[](ImportField f) const { return column[static_cast<std::size_t>(f)]; }
  bool has(ImportField f) const { return (*this)[f] >= 0; }
};

// Resolves the mapping; throws ConfigError for a bad --map and InputError (naming the file and
// listing the header found) when the required followers column is missing.
ColumnMapping map_columns(const std::vector<std::string>& header, const ImportOptions& opt,
                          const std::string& path);

class ImportSource : public ProfileSource {
 public:
  ImportSource(const std::string& path, const ImportOptions& opt, std::size_t batch_rows);
  ~ImportSource() override;

  bool read(Batch& b) override;
  void materialize(Batch& b) const override;
  std::uint64_t size_hint() const override;
  bool progress_in_bytes() const override { return true; }
  std::string describe() const override;
  // Profile columns the file cannot fill (no column, nothing to derive them from): left out
  // of HDF5 output, read back as missing.
  std::vector<Column> absent_columns() const override;

  const std::vector<std::string>& header() const;
  const ColumnMapping& mapping() const;
  TableFormat format() const;
  char delimiter() const;
  // Human-readable lines: "followers <- \"Subscribers\"", derivations, defaults, ignored columns.
  std::vector<std::string> mapping_report() const;

  // ---- one rank's share of a distributed run (docs/scale.md) ----
  // The file is cut into byte ranges at record starts; each rank reads one range, with the
  // file's own line numbers. Empty when this file can be cut, else why not (a JSON array, or
  // input that is not a regular file).
  std::string split_refusal() const;
  // Byte offset and line of the first data record (after the header); the file's size.
  std::uint64_t data_begin() const;
  std::uint64_t data_first_line() const;
  std::uint64_t file_bytes() const;
  // The record scanner run over bytes [begin, end) from each of its states at once: the map
  // start state -> end state (csv::StateMachine; the identity for JSON), and the line ends.
  struct ScanSummary {
    std::uint8_t states = 0;
    std::uint64_t lines = 0;
  };
  ScanSummary scan_bytes(std::uint64_t begin, std::uint64_t end) const;
  // The first record start at or after `pos` (the scanner in `state` there; JSON: the first
  // object starting a line after one that ended an object), or the file's end; and the line
  // ends between `pos` and it.
  std::pair<std::uint64_t, std::uint64_t> record_start(std::uint64_t pos, int state) const;
  // Reads only the records in bytes [begin, end) (begin a record start on line `first_line`).
  void select_bytes(std::uint64_t begin, std::uint64_t end, std::uint64_t first_line);
  // Back to the start of the selection, for a second pass.
  void rewind_selection();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::unique_ptr<ImportSource> make_import_source(const std::string& path, const ImportOptions& opt,
                                                 std::size_t batch_rows);

// True for paths the importer reads (.csv .tsv .txt .tab .json .ndjson .jsonl, any case).
bool is_import_path(const std::string& path);

// Writes rejected rows as CSV: line,column,column_name,text,reason,row (header written first).
class RejectsWriter {
 public:
  explicit RejectsWriter(const std::string& path);  // opens the (temporary) file
  ~RejectsWriter();
  void write(const RejectedRow& r);
  void close();  // flushes; throws Error on a write failure

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- Duplicate accounts ----
// Two rows are the same account when their platform and handle are equal, the handle compared
// case-insensitively (ASCII letters; a leading '@' and surrounding blanks were dropped on
// import). Rows without a handle are never duplicates. first: keep the first row of each
// account; last: keep the last (needs a counting pass over the input first); keep: keep all,
// only count. See docs/import.md "Duplicates".
enum class Dedupe : std::uint8_t { first, last, keep };
// "first", "last" or "keep"; throws ConfigError naming `option`.
Dedupe parse_dedupe(const std::string& option, const std::string& text);

// The key of row i (0 for a row without a handle).
std::uint64_t account_key(const ProfileChunk& p, std::size_t i);

// In the serial output stage, in input order: passes each batch on to `next` without the
// duplicate rows (first/last) and counts them. Memory: one 64-bit key per distinct account.
class DedupeSink : public BatchSink {
 public:
  DedupeSink(Dedupe mode, std::vector<BatchSink*> next);
  // `last`: the number of rows of each key in the whole input (from a CountKeysSink pass).
  void set_counts(std::unordered_map<std::uint64_t, std::uint32_t> counts);
  void consume(const Batch& b) override;
  // Rows that repeat an account seen (first/keep) or seen later (last).
  std::uint64_t duplicates() const { return duplicates_; }
  std::uint64_t accounts_repeated() const { return repeated_; }

 private:
  Dedupe mode_;
  std::vector<BatchSink*> next_;
  std::unordered_map<std::uint64_t, std::uint32_t> seen_;  // key -> rows so far (or left)
  std::uint64_t duplicates_ = 0, repeated_ = 0;
  Batch filtered_;
};

// Counts the rows of each account key (the first pass of --dedupe last).
class CountKeysSink : public BatchSink {
 public:
  void consume(const Batch& b) override;
  std::unordered_map<std::uint64_t, std::uint32_t> counts;
};

// Quotes a CSV field when needed (RFC 4180).
std::string csv_quote(std::string_view s);

}  // namespace microreach
