#pragma once
// Internal (not installed): JSON table input shared by TableReader (src/table.cpp) and the
// parallel import source (src/import.cpp). Self-contained: simdjson, the file and errors only.
//
// A table file is either an array of objects ("[{...}, {...}]") or objects one after another
// (NDJSON / JSON Lines, or concatenated objects separated by whitespace). BlockReader cuts the
// file serially into blocks of whole documents: for an array it checks the framing ('[', the
// commas, ']') and blanks the commas, so every block is a plain whitespace-separated stream of
// documents with its newlines intact (lines and columns stay those of the file). The parallel
// stage hands a block to for_each_document, which parses it with simdjson (fully validating:
// every nested value, number and string is RFC 8259 JSON) and, on any error, locates it with a
// strict hand-written scanner to report the line, the column and what was expected.
#include <simdjson.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace microreach::json {

// Deepest nesting accepted (arrays and objects), as simdjson's default.
inline constexpr std::size_t kMaxDepth = 1024;

class BlockReader {
 public:
  // Opens the file; throws InputError (cannot open, UTF-16, empty file, binary data).
  BlockReader(const std::string& path, std::size_t block_bytes, std::size_t max_record_bytes);
  ~BlockReader();
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;

  // The next block of whole documents into `raw` (its capacity holds simdjson's padding past
  // size()). first_line: the file line of raw[0]; first_col0: bytes before raw[0] on that
  // line; offset: its byte offset. A framing error
  // found after some documents is stored in `err` and those documents are returned first;
  // false at the end (err may be set then too).
  bool next(std::string& raw, std::uint64_t& first_line, std::uint64_t& first_col0,
            std::uint64_t& offset, std::exception_ptr& err);
  // Back to the start of the file (for a second pass).
  void rewind();
  // Reads only bytes [begin, end) of the file from now on, begin being the start of a line
  // numbered first_line (one rank's share of objects one after another; not for an array).
  void select(std::uint64_t begin, std::uint64_t end, std::uint64_t first_line);
  bool is_array() const { return array_; }
  // Arrays: the number of elements before the block next() returned last.
  std::uint64_t first_ordinal() const { return first_ordinal_; }
  std::uint64_t file_size() const { return file_size_; }

 private:
  bool read_more(std::size_t want);
  void start();
  [[noreturn]] void fail_at(std::size_t pos, const std::string& what) const;
  std::string path_;
  int fd_ = -1;
  std::size_t block_, max_record_;
  std::uint64_t file_size_ = 0;
  std::string buf_;             // unconsumed file bytes
  std::uint64_t buf_line_ = 1;  // line of buf_[0]
  std::uint64_t buf_offset_ = 0;
  std::uint64_t buf_col0_ = 0;  // column of buf_[0] minus 1 (bytes since the last newline)
  std::uint64_t elements_ = 0, ordinal_ = 0, first_ordinal_ = 0;
  std::uint64_t end_ = ~std::uint64_t{0};  // read nothing past this offset (select)
  bool eof_ = false, array_ = false, closed_ = false, done_ = false, first_ = true;
};

// Position of a byte inside a block, counted forward (each call moves ahead only).
class LineCounter {
 public:
  LineCounter(const char* base, std::uint64_t first_line, std::uint64_t first_col0 = 0)
      : base_(base), pos_(base), line_(first_line), line_start_(base), col0_(first_col0) {}
  // 1-based line and byte column of p (p >= the previous p).
  std::uint64_t line(const char* p) {
    advance(p);
    return line_;
  }
  std::uint64_t column(const char* p) {
    advance(p);
    return static_cast<std::uint64_t>(p - line_start_) + 1 + (line_start_ == base_ ? col0_ : 0);
  }

 private:
  void advance(const char* p);
  const char* base_;
  const char* pos_;
  std::uint64_t line_;
  const char* line_start_;
  std::uint64_t col0_;
};

// One document of a block, as the callback sees it.
struct Document {
  simdjson::dom::element value;
  std::uint64_t line;     // where it starts
  std::uint64_t column;   // byte column of its first character
  std::string_view text;  // its source text
};

// Parses every document of [p, p + n) (padded, as from BlockReader) in order and calls f(doc).
// Throws InputError(path, line, column, message) at the first invalid document, after the
// documents before it went to f.
void for_each_document(simdjson::dom::parser& parser, const char* p, std::size_t n,
                       std::uint64_t first_line, std::uint64_t first_col0, const std::string& path,
                       const std::function<void(const Document&)>& f);

// The union of the top-level keys of the objects in the file, in first-seen order (linear in
// the file size, parallel over blocks). Stops at the first invalid document (its error goes to
// *first_error if given): the second pass reports it in its place.
std::vector<std::string> collect_keys(BlockReader& reader, const std::string& path,
                                      std::exception_ptr* first_error = nullptr);

// A strict RFC 8259 check of the value at q (leading whitespace skipped): one past it, or
// nullptr with `at` and `what` set ("found 'x': expected ...").
const char* check_value(const char* q, const char* e, const char*& at, std::string& what,
                        std::size_t depth = 0);

// Sets `out` to the text of a scalar for a table cell: a string decoded, a number as written
// in shortest form, true/false, "" for null; arrays and objects as minified JSON.
void cell_text(simdjson::dom::element v, std::string& out);

// "an object", "an array", "a string", "a number", "true", "false", "null".
const char* type_name(simdjson::dom::element v);

}  // namespace microreach::json
