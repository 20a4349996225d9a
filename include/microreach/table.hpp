#pragma once
// A streaming reader of tables as users bring them: CSV/TSV (RFC 4180 quoting, doubled quotes,
// embedded newlines, a UTF-8 BOM, CRLF, a comma, semicolon, tab or pipe delimiter, detected from
// the header) or JSON (an array of flat objects, or one object per line). Memory is bounded by
// the longest record, whatever the file size.
//
//   auto t = microreach::TableReader::open("followers.csv");
//   auto col = t->find_column("Number.of.followers");       // matches "number of followers"
//   std::vector<std::string> f;
//   while (t->next(f)) use(f[*col], t->line());              // InputError on a malformed row
//
// Details (docs/import.md): blank lines are skipped; a rule line right under the header (only
// '=', '-', '+', '|', ':' and blanks, e.g. "=====" or "|---|---|") is skipped; a quote inside an
// unquoted field is kept as text (as pandas and Python's csv do); text after a closing quote, a
// quote never closed and a record with another field count than the header are errors. JSON
// values: strings decoded, numbers as written, true/false as "true"/"false", null and absent
// keys as "", nested arrays/objects as their JSON text; the header is the union of the keys in
// first-seen order.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace microreach {

enum class TableFormat : std::uint8_t { csv, json };

struct TableOptions {
  char delimiter = 0;  // 0 = detect among , ; \t | from the header line
  // CSV: a record whose field count differs from the header's is an InputError.
  bool check_field_count = true;
  // A record longer than this is refused (usually an unmatched quote swallowing the file).
  std::size_t max_record_bytes = std::size_t{64} << 20;
  // Format: nullopt = from the extension (.json/.ndjson/.jsonl = JSON) or the first byte.
  std::optional<TableFormat> format;
};

class TableReader {
 public:
  // Throws InputError naming the file if it cannot be opened, is empty or has no header.
  static std::unique_ptr<TableReader> open(const std::string& path, const TableOptions& opt = {});
  virtual ~TableReader();
  TableReader(const TableReader&) = delete;
  TableReader& operator=(const TableReader&) = delete;

  virtual const std::vector<std::string>& header() const = 0;
  // Next record (one string per header column); false at the end. Throws InputError
  // (file, line, column, what was found and expected) on a malformed record. For CSV the
  // column is the 1-based field number; for JSON it is the byte column of the bad character.
  virtual bool next(std::vector<std::string>& fields) = 0;
  // 1-based line where the record just read starts.
  virtual std::uint64_t line() const = 0;
  virtual TableFormat format() const = 0;
  // The delimiter in use (CSV), 0 for JSON.
  virtual char delimiter() const { return 0; }

  const std::string& path() const { return path_; }
  // Index of the header column whose normalize_header() equals normalize_header(name).
  std::optional<std::size_t> find_column(std::string_view name) const;

 protected:
  explicit TableReader(std::string path) : path_(std::move(path)) {}

 private:
  std::string path_;
};

// Case- and punctuation-insensitive key of a column name: ASCII letters lowered, ASCII
// characters other than letters and digits dropped, other UTF-8 bytes kept.
// "Number.of.followers" -> "numberoffollowers", "#Followers" -> "followers".
std::string normalize_header(std::string_view name);

// Parses a --delimiter value: ",", ";", "|", "tab" or "\t" (a real tab). Throws ConfigError.
char parse_delimiter(const std::string& option, const std::string& text);

// Checks header names as every reader does: UTF-8 text without NUL bytes, and no name twice
// (compared by normalize_header; empty names may repeat). Throws InputError naming the file,
// the line and the column (1-based; 0 for JSON keys).
void check_header_names(const std::vector<std::string>& header, const std::string& path,
                        std::uint64_t line, bool columns_numbered);

// The header list as one line for error messages: "a", "b", "c".
std::string describe_header(const std::vector<std::string>& header);

}  // namespace microreach
