#include "microreach/table.hpp"

#include "microreach/values.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "csv_scan.hpp"
#include "json_rows.hpp"
#include "microreach/error.hpp"
#include "microreach/format.hpp"
#include "text_sniff.hpp"

namespace microreach {

namespace {

// Reads start at 64 KiB and double up to 1 MiB: small files stay cheap, large ones stream in
// big reads.
constexpr std::size_t kFirstRead = std::size_t{64} << 10;
constexpr std::size_t kMaxRead = std::size_t{1} << 20;

std::string lower_ext(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const auto dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string e = path.substr(dot + 1);
  for (char& c : e) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return e;
}

std::string shown(std::string_view s, std::size_t max = 40) {
  return format::shown(s, max);
}

// A file read in chunks into a buffer that keeps the unconsumed tail.
class Buffered {
 public:
  Buffered(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      throw InputError(path, 0, 0, std::string("cannot open: ") + std::strerror(errno));
    }
  }
  ~Buffered() {
    if (fd_ >= 0) ::close(fd_);
  }
  Buffered(const Buffered&) = delete;
  Buffered& operator=(const Buffered&) = delete;

  const char* begin() const { return buf_.data() + pos_; }
  const char* end() const { return buf_.data() + len_; }
  std::size_t available() const { return len_ - pos_; }
  bool eof() const { return eof_; }
  std::uint64_t offset_of(const char* p) const {
    return base_ + static_cast<std::uint64_t>(p - buf_.data());
  }
  void consume_to(const char* p) { pos_ = static_cast<std::size_t>(p - buf_.data()); }

  // Reads more data (keeping the unconsumed tail). False at end of file.
  bool fill() {
    if (eof_) return false;
    if (pos_ > 0) {
      std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
      base_ += pos_;
      len_ -= pos_;
      pos_ = 0;
    }
    if (buf_.size() < len_ + chunk_) buf_.resize(len_ + chunk_);
    chunk_ = std::min(chunk_ * 2, kMaxRead);
    for (;;) {
      const ssize_t n = ::read(fd_, buf_.data() + len_, buf_.size() - len_);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw InputError(path_, 0, 0, std::string("read failed: ") + std::strerror(errno));
      }
      if (n == 0) {
        eof_ = true;
        return false;
      }
      if (cr_only_)
        std::replace(buf_.begin() + static_cast<std::ptrdiff_t>(len_),
                     buf_.begin() + static_cast<std::ptrdiff_t>(len_) + n, '\r', '\n');
      len_ += static_cast<std::size_t>(n);
      return true;
    }
  }
  // From now on (and in what is buffered) a CR is a line end: for files with bare-CR lines.
  void set_cr_only() {
    cr_only_ = true;
    std::replace(buf_.begin() + static_cast<std::ptrdiff_t>(pos_),
                 buf_.begin() + static_cast<std::ptrdiff_t>(len_), '\r', '\n');
  }
  void rewind() {
    if (::lseek(fd_, 0, SEEK_SET) < 0) {
      throw InputError(path_, 0, 0, std::string("cannot seek: ") + std::strerror(errno));
    }
    pos_ = len_ = 0;
    base_ = 0;
    eof_ = false;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::string buf_;
  std::size_t pos_ = 0, len_ = 0;
  std::uint64_t base_ = 0;  // file offset of buf_[0]
  std::size_t chunk_ = kFirstRead;
  bool eof_ = false;
  bool cr_only_ = false;
};

// Skips a UTF-8 BOM; refuses UTF-16/32 files with a clear message.
void skip_bom(Buffered& in, const std::string& path) {
  while (in.available() < 4 && in.fill()) {
  }
  const auto* b = reinterpret_cast<const unsigned char*>(in.begin());
  const std::size_t n = in.available();
  if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
    in.consume_to(in.begin() + 3);
  } else if (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) {
    throw InputError(path, 1, 1, "the file is UTF-16 text: expected UTF-8 (save it as UTF-8)");
  }
}

// ---------------------------------------------------------------------------------------------
class CsvTable final : public TableReader {
 public:
  CsvTable(const std::string& path, const TableOptions& opt)
      : TableReader(path), in_(path), opt_(opt) {
    skip_bom(in_, path);
    while (in_.available() < kFirstRead && in_.fill()) {
    }
    if (const std::string kind = text::binary_kind(in_.begin(), in_.available()); !kind.empty())
      throw InputError(path, 0, 0, "this is " + kind + ", not CSV text: expected a table");
    if (csv::cr_only_line_ends(in_.begin(), in_.available())) in_.set_cr_only();
    // Header: first non-blank line.
    for (;;) {
      const char *s, *e;
      if (!raw_record(s, e, true))
        throw InputError(path, 0, 0, "the file is empty: expected a header line");
      // Blank lines before the header are skipped, and the delimiter is detected on the
      // header itself (not on an empty first line).
      const char* le = csv::strip_eol(s, e);
      if (std::all_of(s, le, [](char c) { return c == ' ' || c == '\t'; }) &&
          !(opt.delimiter == '\t' && le > s)) {
        advance(s, e);
        continue;
      }
      delim_ = opt.delimiter ? opt.delimiter : csv::detect_delimiter(s, e);
      const csv::RecordInfo info = csv::parse_header(s, e, delim_, header_);
      csv::check_header_line(info, header_, path, line_);
      advance(s, e);
      break;
    }
    // A rule line right under the header ("=====") is not data.
    const char *s, *e;
    if (raw_record(s, e, false) && csv::is_rule_line(s, e)) advance(s, e);
  }

  const std::vector<std::string>& header() const override { return header_; }
  std::uint64_t line() const override { return rec_line_; }
  TableFormat format() const override { return TableFormat::csv; }
  char delimiter() const override { return delim_; }

  bool next(std::vector<std::string>& out) override {
    const char *s, *e;
    for (;;) {
      if (!raw_record(s, e, false)) return false;
      if (csv::is_blank_record(s, e, delim_)) {
        advance(s, e);
        continue;
      }
      break;
    }
    rec_line_ = line_;
    split(s, e);
    // The record is consumed before any error is thrown, so a caller may catch and go on.
    out.resize(fields_.size());
    for (std::size_t i = 0; i < fields_.size(); ++i) csv::unescape(fields_[i], out[i]);
    advance(s, e);
    if (info_.error != csv::FieldError::none) {
      const std::uint32_t k = info_.error_field;
      throw InputError(path(), rec_line_, k + 1,
                       "column '" + column_name(k) +
                           "': text after the closing quote of a quoted "
                           "field: expected the delimiter or the end of the line right after it");
    }
    if (const void* nul = std::memchr(s, '\0', static_cast<std::size_t>(e - s))) {
      std::size_t k = 0;
      while (k + 1 < fields_.size() && fields_[k + 1].p <= static_cast<const char*>(nul)) ++k;
      throw InputError(path(), rec_line_, k + 1,
                       "column '" + column_name(k) + "': found a NUL byte in '" +
                           shown(fields_[k].view()) + "': expected text (is this a binary file?)");
    }
    if (opt_.check_field_count && fields_.size() != header_.size()) {
      const std::size_t col = std::min(fields_.size(), header_.size()) + 1;
      throw InputError(path(), rec_line_, col,
                       "found " + std::to_string(fields_.size()) + " fields, expected " +
                           std::to_string(header_.size()) + " as in the header");
    }
    return true;
  }

 private:
  std::string column_name(std::size_t k) const {
    return k < header_.size() ? header_[k] : "#" + std::to_string(k + 1);
  }
  // Locates the next complete record in the buffer (reading more as needed).
  bool raw_record(const char*& s, const char*& e, bool header) {
    for (;;) {
      const char delim = delim_ ? delim_ : ',';
      if (in_.available() > 0) {
        csv::ScanResult r = header ? csv::ScanResult{nullptr, false}
                                   : csv::find_record_end(in_.begin(), in_.end(), delim, in_.eof());
        if (header) {  // delimiter unknown yet: parity scan
          const char* he = csv::header_end(in_.begin(), in_.end());
          if (he < in_.end() || in_.eof()) r.end = he;
        }
        if (r.end) {
          s = in_.begin();
          e = r.end;
          return true;
        }
        if (r.unterminated) {
          throw InputError(path(), line_, 0,
                           "a quoted field opened in the record starting here is never closed "
                           "(expected a closing '\"' before the end of the file)");
        }
        if (in_.available() > opt_.max_record_bytes) {
          throw InputError(path(), line_, 0,
                           "a record longer than " + std::to_string(opt_.max_record_bytes >> 20) +
                               " MiB starts here: probably an unmatched quote");
        }
      } else if (in_.eof()) {
        return false;
      }
      in_.fill();
    }
  }
  void split(const char* s, const char* e) { csv::parse_record(s, e, delim_, fields_, info_); }
  void advance(const char* s, const char* e) {
    line_ += static_cast<std::uint64_t>(std::count(s, e, '\n'));
    in_.consume_to(e);
  }

  Buffered in_;
  TableOptions opt_;
  char delim_ = 0;
  std::vector<std::string> header_;
  std::vector<csv::Field> fields_;
  csv::RecordInfo info_;
  std::string tmp_;
  std::uint64_t line_ = 1, rec_line_ = 0;
};

// ---------------------------------------------------------------------------------------------
// JSON: an array of flat objects, or objects one after another (NDJSON), read in blocks and
// parsed by simdjson (json_rows.hpp). The header (the union of the keys in first-seen order)
// takes a first pass over the file.
class JsonTable final : public TableReader {
 public:
  JsonTable(const std::string& path, const TableOptions& opt)
      : TableReader(path), reader_(path, kMaxRead, opt.max_record_bytes) {
    std::exception_ptr first_error;
    header_ = json::collect_keys(reader_, path, &first_error);
    if (header_.empty() && first_error) std::rethrow_exception(first_error);
    for (std::size_t i = 0; i < header_.size(); ++i) index_.emplace(header_[i], i);
    reader_.rewind();
    parser_.threaded = false;
  }

  const std::vector<std::string>& header() const override { return header_; }
  std::uint64_t line() const override { return rec_line_; }
  TableFormat format() const override { return TableFormat::json; }

  bool next(std::vector<std::string>& out) override {
    while (pos_ >= rows_.size()) {
      if (pending_) {
        done_ = true;
        std::exception_ptr e = pending_;
        pending_ = nullptr;
        std::rethrow_exception(e);
      }
      if (done_) return false;
      rows_.clear();
      lines_.clear();
      pos_ = 0;
      std::uint64_t line = 0, col0 = 0, offset = 0;
      std::exception_ptr err;
      if (!reader_.next(raw_, line, col0, offset, err)) {
        done_ = true;
        return false;
      }
      try {
        json::for_each_document(parser_, raw_.data(), raw_.size(), line, col0, path(),
                                [&](const json::Document& d) { add_row(d); });
      } catch (const InputError&) {
        pending_ = std::current_exception();
      }
      if (!pending_) pending_ = err;
    }
    out = std::move(rows_[pos_]);
    rec_line_ = lines_[pos_];
    ++pos_;
    return true;
  }

 private:
  void add_row(const json::Document& d) {
    simdjson::dom::object obj;
    if (d.value.get(obj)) {
      throw InputError(path(), d.line, d.column,
                       std::string("found ") + json::type_name(d.value) +
                           ": expected an object {\"key\": value, ...} for each record");
    }
    ++stamp_now_;
    if (stamp_.size() < header_.size()) stamp_.resize(header_.size(), 0);
    std::vector<std::string> row(header_.size());
    for (auto field : obj) {
      const auto it = index_.find(std::string(field.key));
      if (it == index_.end()) continue;  // first seen after an invalid object
      if (stamp_[it->second] == stamp_now_) {
        throw InputError(path(), d.line, d.column,
                         "the key \"" + shown(field.key) +
                             "\" appears twice in this object: expected each key once");
      }
      stamp_[it->second] = stamp_now_;
      json::cell_text(field.value, row[it->second]);
    }
    rows_.push_back(std::move(row));
    lines_.push_back(d.line);
  }

  json::BlockReader reader_;
  simdjson::dom::parser parser_;
  std::vector<std::string> header_;
  std::unordered_map<std::string, std::size_t> index_;
  std::string raw_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::uint64_t> lines_;
  std::size_t pos_ = 0;
  std::vector<std::uint64_t> stamp_;
  std::uint64_t stamp_now_ = 0;
  std::exception_ptr pending_;
  std::uint64_t rec_line_ = 0;
  bool done_ = false;
};

bool looks_like_json(const std::string& path) {
  Buffered in(path);
  skip_bom(in, path);
  for (;;) {
    for (const char* q = in.begin(); q < in.end(); ++q) {
      if (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') continue;
      return *q == '[' || *q == '{';
    }
    in.consume_to(in.end());
    if (!in.fill()) return false;
  }
}

}  // namespace

TableReader::~TableReader() = default;

std::unique_ptr<TableReader> TableReader::open(const std::string& path, const TableOptions& opt) {
  TableFormat fmt;
  if (opt.format) {
    fmt = *opt.format;
  } else {
    const std::string ext = lower_ext(path);
    if (ext == "json" || ext == "ndjson" || ext == "jsonl") {
      fmt = TableFormat::json;
    } else if (ext == "csv" || ext == "tsv" || ext == "txt" || ext == "tab") {
      fmt = TableFormat::csv;
    } else {
      fmt = looks_like_json(path) ? TableFormat::json : TableFormat::csv;
    }
  }
  if (fmt == TableFormat::json) return std::make_unique<JsonTable>(path, opt);
  return std::make_unique<CsvTable>(path, opt);
}

std::optional<std::size_t> TableReader::find_column(std::string_view name) const {
  const std::string key = normalize_header(name);
  const auto& h = header();
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (normalize_header(h[i]) == key) return i;
  }
  return std::nullopt;
}

std::string normalize_header(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (unsigned char c : name) {
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
      out += static_cast<char>(c);
    }
  }
  // A UTF-8 BOM left in a header cell (files concatenated after the first) is not a name.
  if (out.rfind("\xEF\xBB\xBF", 0) == 0) out.erase(0, 3);
  return out;
}

char parse_delimiter(const std::string& option, const std::string& text) {
  if (text == "," || text == ";" || text == "|" || text == "\t") return text[0];
  if (text == "tab" || text == "\\t" || text == "TAB") return '\t';
  if (text == "comma") return ',';
  if (text == "semicolon") return ';';
  if (text == "pipe") return '|';
  throw ConfigError(option, text, "expected one of ',', ';', '|' or 'tab'");
}

void check_header_names(const std::vector<std::string>& header, const std::string& path,
                        std::uint64_t line, bool columns_numbered) {
  const auto col = [&](std::size_t i) -> std::uint64_t { return columns_numbered ? i + 1 : 0; };
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string& h = header[i];
    if (h.find('\0') != std::string::npos) {
      throw InputError(path, line, col(i),
                       "column name \"" + shown(h, 60) +
                           "\" holds a NUL byte: expected text (is this a binary file?)");
    }
    if (!valid_utf8(h)) {
      throw InputError(path, line, col(i),
                       "column name \"" + shown(h, 60) +
                           "\" is not UTF-8 text: expected UTF-8 (save the file as UTF-8)");
    }
    const std::string key = normalize_header(h);
    if (key.empty()) continue;
    const auto [it, fresh] = seen.emplace(key, i);
    if (!fresh) {
      const std::string& first = header[it->second];
      throw InputError(
          path, line, col(i),
          "column name \"" + shown(h, 60) + "\" repeats " +
              (first == h ? std::string("an earlier column")
                          : "\"" + shown(first, 60) +
                                "\" (the same name, case and punctuation "
                                "ignored)") +
              (columns_numbered ? " (column " + std::to_string(it->second + 1) + ")" : "") +
              ": expected each column once (rename or remove one)");
    }
  }
}

std::string describe_header(const std::vector<std::string>& header) {
  if (header.empty()) return "(no columns)";
  std::string s;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (i) s += ", ";
    s += "\"" + shown(header[i], 60) + "\"";
  }
  return s;
}

}  // namespace microreach
