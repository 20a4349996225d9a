#pragma once
// Audience audit: reading follower lists (CSV/TSV/JSON through TableReader), classifying them as
// a stream of parallel blocks, and the audited-shares CSV that feeds `microreach score`.
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "microreach/audit/classifier.hpp"
#include "microreach/scoring.hpp"
#include "microreach/table.hpp"

namespace microreach::audit {

// ---------------------------------------------------------------------------------------------
// Reading follower lists (CSV/TSV/JSON through TableReader)
// ---------------------------------------------------------------------------------------------

// Which header column feeds each feature (-1 = none), the username and the label.
struct FollowerColumns {
  std::string path;
  std::vector<std::string> header;
  std::array<int, kFeatureCount> feature{-1, -1, -1, -1, -1, -1, -1, -1};
  int username = -1;
  int label = -1;
  // A column for f, or (username_digits/length) a username column to derive it from.
  bool has(Feature f) const;
  // Distinct header columns to read for these features (+ label, + username if wanted).
  std::vector<int> cells_needed(const std::vector<Feature>& features, bool want_username) const;
};
// Maps the header through feature_aliases(). `label` names the label column (compared after
// normalize_header); empty + require_label looks for label, is_fake, fake, rating. Throws
// InputError (file:1) naming the label and the header found when it is absent.
FollowerColumns resolve_follower_columns(const std::vector<std::string>& header,
                                         const std::string& path, const std::string& label,
                                         bool require_label);

// Parses the cells of one row into raw feature values (counts via parse_value: 1,234 / 1.2k;
// booleans TRUE/FALSE, 1/0, yes/no; a missing form such as "" or NA gives NaN). Throws
// InputError file:line:column with the column name, the text found and what was expected.
class RowParser {
 public:
  RowParser(const FollowerColumns& cols, std::vector<Feature> features, bool want_username);
  // Header column index of each cell the caller must pass, in this order.
  const std::vector<int>& cells() const { return cells_; }
  int username_slot() const { return username_slot_; }
  // x (kFeatureCount values, indexed by Feature) receives the parsed features; *label (if
  // given) 0/1, or -1 if the file has no label.
  // Returns the number of missing values.
  std::uint64_t parse(const std::string_view* cells, std::uint64_t line, double* x,
                      int* label) const;

 private:
  FollowerColumns cols_;
  std::vector<Feature> features_;
  std::vector<int> cells_, slots_;
  std::vector<bool> derived_;
  int label_slot_ = -1, username_slot_ = -1;
};

struct FollowerReadOptions {
  std::string label;  // label column name ("" = none, or auto if require_label)
  bool require_label = false;
  TableOptions table;
};
// Reads a whole labelled or unlabelled follower file into memory (fit, evaluate).
FollowerData read_followers(const std::string& path, const FollowerReadOptions& opt);
// Several files, concatenated; a feature is kept only if every file has it.
FollowerData read_followers(const std::vector<std::string>& paths, const FollowerReadOptions& opt);

// One block of classified rows, delivered in file order.
struct ClassifiedBlock {
  std::uint64_t first_row = 0;        // index of the block's first data row
  std::vector<std::uint64_t> line;    // 1-based line of each row
  std::vector<double> probability;    // P(fake)
  std::vector<std::uint8_t> flagged;  // probability >= threshold
  std::vector<std::uint8_t> label;    // when the file is labelled
  std::vector<std::string> username;  // when kept and present
  std::uint64_t missing_values = 0;
};
struct StreamOptions {
  std::size_t block_rows = 16384;                  // JSON: rows per parallel block
  std::size_t block_bytes = std::size_t{1} << 20;  // CSV/TSV: bytes per parallel block
  std::size_t tokens = 0;                          // blocks in flight; 0 = 4 x concurrency
  bool keep_usernames = false;
};
struct StreamStats {
  std::uint64_t rows = 0, flagged = 0, missing_values = 0, blocks = 0;
  double seconds = 0.0;
};
// Classifies every row of a follower file: CSV/TSV cut into blocks of whole records by a serial
// reader and tokenised, parsed and classified in parallel; JSON through TableReader with the
// parsing and classification of each block in parallel (tbb::parallel_pipeline); `sink` called
// serially in file order (ClassifiedBlock::first_row counts the rows before it).
// Memory is bounded by tokens x block_rows. The first bad row in file order is reported,
// whatever the thread count.
StreamStats classify_followers(const std::string& path, const LogisticModel& model,
                               const FollowerReadOptions& opt, const StreamOptions& sopt,
                               const std::function<void(const ClassifiedBlock&)>& sink);

// ---------------------------------------------------------------------------------------------
// Audited shares for scoring (microreach score --audited FILE)
// ---------------------------------------------------------------------------------------------

// A CSV (or TSV/JSON, via TableReader) with columns handle, fake_share, lo, hi (others are
// ignored). Every value is checked: shares in [0, 1], lo <= fake_share <= hi, a handle given at
// most once. Throws InputError with file:line:column.
AuditedShares load_audited_shares(const std::string& path);

struct AuditRecord {
  std::string handle;
  double fake_share = 0.0, lo = 0.0, hi = 1.0;
  std::uint64_t sampled = 0, flagged = 0;
  std::string method;
  double confidence = 0.95;
  std::string model;
  std::string date;  // ISO 8601 UTC
};
// Adds (or replaces, if the handle is already there) one row in an audits CSV, creating it with
// a header if absent; the file is rewritten atomically.
void append_audit_record(const std::string& path, const AuditRecord& rec);

}  // namespace microreach::audit
