#include "microreach/table.hpp"

#include "microreach/values.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "csv_scan.hpp"
#include "microreach/error.hpp"

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
  std::string out;
  for (char c : s.substr(0, max)) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  if (s.size() > max) out += "...";
  return out;
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
      len_ += static_cast<std::size_t>(n);
      return true;
    }
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
    // Header: first non-blank record.
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
      split(s, e);
      header_.clear();
      for (const auto& f : fields_) {
        csv::unescape(f, tmp_);
        header_.push_back(tmp_);
      }
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
  void split(const char* s, const char* e) { csv::split_record(s, e, delim_, fields_, info_); }
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
// JSON: an array of flat objects, or objects one after another (NDJSON). Each object is
// located in the buffer first (brace depth outside strings), then parsed from memory.
class JsonTable final : public TableReader {
 public:
  JsonTable(const std::string& path, const TableOptions& opt)
      : TableReader(path), in_(path), opt_(opt) {
    // Pass 1: the header is the union of the keys, in first-seen order.
    start();
    std::unordered_map<std::string, std::size_t> seen;
    while (next_object()) {
      for (auto& kv : kv_) {
        if (seen.emplace(kv.first, header_.size()).second) header_.push_back(kv.first);
      }
    }
    if (objects_ == 0 && !array_)
      throw InputError(path, 0, 0, "the file is empty: expected JSON objects");
    index_ = std::move(seen);
    // Pass 2 reads the records.
    in_.rewind();
    start();
  }

  const std::vector<std::string>& header() const override { return header_; }
  std::uint64_t line() const override { return rec_line_; }
  TableFormat format() const override { return TableFormat::json; }

  bool next(std::vector<std::string>& out) override {
    if (!next_object()) return false;
    out.assign(header_.size(), std::string());
    for (auto& kv : kv_) out[index_.at(kv.first)] = std::move(kv.second);
    return true;
  }

 private:
  void start() {
    line_ = 1;
    last_nl_ = -1;
    array_ = false;
    done_ = false;
    objects_ = 0;
    skip_bom(in_, path());
    skip_ws();
    if (!ensure(1)) return;  // empty: no records
    if (*in_.begin() == '[') {
      array_ = true;
      in_.consume_to(in_.begin() + 1);
    }
  }

  [[noreturn]] void fail(const char* at, const std::string& what) {
    std::uint64_t line = line_;
    std::int64_t last_nl = last_nl_;
    for (const char* q = in_.begin(); q < at; ++q) {
      if (*q == '\n') {
        ++line;
        last_nl = static_cast<std::int64_t>(in_.offset_of(q));
      }
    }
    const auto col =
        static_cast<std::uint64_t>(static_cast<std::int64_t>(in_.offset_of(at)) - last_nl);
    throw InputError(path(), line, col, what);
  }
  std::string found(const char* at) {
    if (at >= in_.end()) return "the end of the file";
    return "'" +
           shown(std::string_view(
               at, static_cast<std::size_t>(std::min<std::ptrdiff_t>(in_.end() - at, 20)))) +
           "'";
  }

  bool ensure(std::size_t n) {
    while (in_.available() < n) {
      if (!in_.fill()) return in_.available() >= n;
    }
    return true;
  }
  void consume(const char* to) {
    for (const char* q = in_.begin(); q < to; ++q) {
      if (*q == '\n') {
        ++line_;
        last_nl_ = static_cast<std::int64_t>(in_.offset_of(q));
      }
    }
    in_.consume_to(to);
  }
  void skip_ws() {
    for (;;) {
      const char* q = in_.begin();
      while (q < in_.end() && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')) ++q;
      consume(q);
      if (q < in_.end() || !in_.fill()) return;
    }
  }

  // Parses the next object into kv_. False at the end.
  bool next_object() {
    if (done_) return false;
    skip_ws();
    if (array_) {
      if (!ensure(1)) fail(in_.end(), "unexpected end of the file: expected ']' closing the array");
      if (*in_.begin() == ']') {
        consume(in_.begin() + 1);
        skip_ws();
        if (in_.available() > 0)
          fail(in_.begin(), "found " + found(in_.begin()) +
                                " after the closing ']': expected the end of the file");
        done_ = true;
        return false;
      }
      if (objects_ > 0) {
        if (*in_.begin() != ',')
          fail(in_.begin(),
               "found " + found(in_.begin()) + ": expected ',' or ']' after an object");
        consume(in_.begin() + 1);
        skip_ws();
      }
    } else if (!ensure(1)) {
      done_ = true;
      return false;
    }
    if (!ensure(1) || *in_.begin() != '{') {
      fail(in_.begin(), "found " + found(in_.begin()) + ": expected '{' starting an object");
    }
    // Locate the matching '}'.
    const char* end = nullptr;
    for (;;) {
      end = object_end(in_.begin(), in_.end());
      if (end) break;
      if (in_.available() > opt_.max_record_bytes) {
        fail(in_.begin(), "an object longer than " + std::to_string(opt_.max_record_bytes >> 20) +
                              " MiB starts here: probably an unclosed string or brace");
      }
      // The buffer may move: rescan from the object start (objects are small).
      if (!in_.fill())
        fail(in_.begin(), "the object starting here is not closed before the end of the file");
    }
    rec_line_ = line_;
    parse_object(in_.begin(), end);
    consume(end);
    ++objects_;
    return true;
  }

  // One past the '}' matching the '{' at p, or nullptr if not in [p, e).
  static const char* object_end(const char* p, const char* e) {
    int depth = 0;
    bool str = false;
    for (const char* q = p; q < e; ++q) {
      const char c = *q;
      if (str) {
        if (c == '\\') {
          ++q;
        } else if (c == '"') {
          str = false;
        }
      } else if (c == '"') {
        str = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return q + 1;
      }
    }
    return nullptr;
  }

  static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  void parse_object(const char* p, const char* e) {
    kv_.clear();
    const char* q = p + 1;
    auto ws = [&] {
      while (q < e && is_ws(*q)) ++q;
    };
    ws();
    if (q < e && *q == '}') return;
    for (;;) {
      ws();
      if (q >= e || *q != '"') fail(q, "found " + found(q) + ": expected a \"key\" in the object");
      std::string key;
      q = parse_string(q, e, key);
      ws();
      if (q >= e || *q != ':')
        fail(q, "found " + found(q) + ": expected ':' after the key \"" + key + "\"");
      ++q;
      ws();
      std::string value;
      q = parse_value(q, e, value, key);
      for (const auto& kv : kv_) {
        if (kv.first == key)
          fail(q, "the key \"" + key + "\" appears twice in this object: expected each key once");
      }
      kv_.emplace_back(std::move(key), std::move(value));
      ws();
      if (q < e && *q == ',') {
        ++q;
        continue;
      }
      if (q < e && *q == '}') return;
      fail(q, "found " + found(q) + ": expected ',' or '}' in the object");
    }
  }

  bool hex4(const char* q, const char* e, std::uint32_t& v) {
    if (e - q < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = q[i];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  // q at the opening quote; returns one past the closing quote.
  const char* parse_string(const char* q, const char* e, std::string& out) {
    out.clear();
    ++q;
    while (q < e) {
      const char c = *q;
      if (c == '"') return q + 1;
      if (c != '\\') {
        out += c;
        ++q;
        continue;
      }
      if (q + 1 >= e) break;
      const char x = q[1];
      q += 2;
      switch (x) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          std::uint32_t cp;
          if (!hex4(q, e, cp))
            fail(q - 2, "found " + found(q - 2) + ": expected \\u and four hex digits");
          q += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t lo;
            if (e - q >= 6 && q[0] == '\\' && q[1] == 'u' && hex4(q + 2, e, lo) && lo >= 0xDC00 &&
                lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              q += 6;
            } else {
              fail(q - 6, "a lone UTF-16 surrogate \\u" + std::string(q - 4, 4) +
                              ": expected a surrogate pair");
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail(q - 6, "a lone UTF-16 surrogate \\u" + std::string(q - 4, 4) +
                            ": expected a surrogate pair");
          }
          append_utf8(out, cp);
          break;
        }
        default:
          fail(q - 2, "found the escape '\\" + std::string(1, x) +
                          "': expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
      }
    }
    fail(q, "unterminated string: expected a closing '\"'");
  }

  const char* parse_value(const char* q, const char* e, std::string& out, const std::string& key) {
    if (q >= e) fail(q, "found the end of the object: expected a value for \"" + key + "\"");
    const char c = *q;
    if (c == '"') return parse_string(q, e, out);
    if (c == '{' || c == '[') {
      const char* end = object_end(q, e);
      if (!end) fail(q, "unclosed nested value for \"" + key + "\"");
      out.assign(q, end);
      return end;
    }
    const char* s = q;
    while (q < e && !is_ws(*q) && *q != ',' && *q != '}' && *q != ']') ++q;
    const std::string_view tok(s, static_cast<std::size_t>(q - s));
    if (tok == "null") {
      out.clear();
    } else if (tok == "true" || tok == "false") {
      out.assign(tok);
    } else {
      bool ok = !tok.empty();
      for (char d : tok) {
        if (!((d >= '0' && d <= '9') || d == '-' || d == '+' || d == '.' || d == 'e' || d == 'E'))
          ok = false;
      }
      if (!ok)
        fail(s, "found " + found(s) + " as the value of \"" + key +
                    "\": expected a string, number, true, false, null, object or array");
      out.assign(tok);
    }
    return q;
  }

  Buffered in_;
  TableOptions opt_;
  std::vector<std::string> header_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::pair<std::string, std::string>> kv_;
  std::uint64_t line_ = 1, rec_line_ = 0, objects_ = 0;
  std::int64_t last_nl_ = -1;
  bool array_ = false, done_ = false;
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
