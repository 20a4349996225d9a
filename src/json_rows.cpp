#include "json_rows.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <unordered_set>

#include "csv_scan.hpp"
#include "microreach/error.hpp"
#include "microreach/format.hpp"
#include "microreach/values.hpp"
#include "read_fully.hpp"
#include "text_sniff.hpp"

namespace microreach::json {

namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string found(const char* at, const char* e) {
  if (at >= e) return "the end of the file";
  return "'" + format::shown(std::string_view(at, static_cast<std::size_t>(e - at)), 20) + "'";
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool hex4(const char* q, const char* e, std::uint32_t& v) {
  if (e - q < 4) return false;
  v = 0;
  for (int i = 0; i < 4; ++i) {
    const int d = hex_digit(q[i]);
    if (d < 0) return false;
    v = (v << 4) | static_cast<std::uint32_t>(d);
  }
  return true;
}

const char* check_string(const char* q, const char* e, const char*& at, std::string& what) {
  const char* open = q++;
  while (q < e) {
    const auto c = static_cast<unsigned char>(*q);
    if (c == '"') return q + 1;
    if (c == '\\') {
      if (q + 1 >= e) break;
      const char x = q[1];
      if (x == 'u') {
        std::uint32_t cp;
        if (!hex4(q + 2, e, cp)) {
          at = q;
          what = "found " + found(q, e) + ": expected \\u and four hex digits";
          return nullptr;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t lo;
          if (!(e - q >= 12 && q[6] == '\\' && q[7] == 'u' && hex4(q + 8, e, lo) && lo >= 0xDC00 &&
                lo <= 0xDFFF)) {
            at = q;
            what = "a lone UTF-16 surrogate \\u" + std::string(q + 2, 4) +
                   ": expected a surrogate pair";
            return nullptr;
          }
          q += 12;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          at = q;
          what =
              "a lone UTF-16 surrogate \\u" + std::string(q + 2, 4) + ": expected a surrogate pair";
          return nullptr;
        } else {
          q += 6;
        }
        continue;
      }
      if (!std::strchr("\"\\/bfnrt", x) || x == 0) {
        at = q;
        what = "found the escape " + found(q, std::min(e, q + 2)) +
               ": expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX";
        return nullptr;
      }
      q += 2;
      continue;
    }
    if (c < 0x20) {
      at = q;
      what = c == 0 ? "found a NUL byte inside a string: expected text (write it as \\u0000)"
                    : "found the control character " + found(q, q + 1) +
                          " inside a string: expected it escaped (\\n, \\t, \\u00XX)";
      return nullptr;
    }
    if (c < 0x80) {
      ++q;
      continue;
    }
    const int n = utf8_sequence_length(reinterpret_cast<const unsigned char*>(q),
                                       reinterpret_cast<const unsigned char*>(e));
    if (!n) {
      at = q;
      what =
          "found a byte that is not UTF-8 inside a string: expected UTF-8 text (save the file "
          "as UTF-8)";
      return nullptr;
    }
    q += n;
  }
  at = open;
  what = "a string is never closed: expected a closing '\"'";
  return nullptr;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

const char* check_number(const char* q, const char* e, const char*& at, std::string& what) {
  const char* s = q;
  auto bad = [&](const char* where, const char* expected) -> const char* {
    at = s;
    (void)where;
    const char* t = s;
    while (t < e && !is_ws(*t) && *t != ',' && *t != ']' && *t != '}') ++t;
    what = "found " + found(s, t) + ": " + expected;
    return nullptr;
  };
  if (q < e && *q == '-') ++q;
  if (q >= e || !is_digit(*q)) return bad(q, "expected a number (digits after the sign)");
  if (*q == '0') {
    ++q;
    if (q < e && is_digit(*q))
      return bad(q, "expected a number without leading zeros (JSON numbers do not start with 0)");
  } else {
    while (q < e && is_digit(*q)) ++q;
  }
  if (q < e && *q == '.') {
    ++q;
    if (q >= e || !is_digit(*q)) return bad(q, "expected digits after the decimal point");
    while (q < e && is_digit(*q)) ++q;
  }
  if (q < e && (*q == 'e' || *q == 'E')) {
    ++q;
    if (q < e && (*q == '+' || *q == '-')) ++q;
    if (q >= e || !is_digit(*q)) return bad(q, "expected digits in the exponent");
    while (q < e && is_digit(*q)) ++q;
  }
  if (q < e && !is_ws(*q) && *q != ',' && *q != ']' && *q != '}')
    return bad(q, "expected a number such as 12, -3.5 or 1.2e6");
  if (std::find_if(s, q, [](char c) { return c == '.' || c == 'e' || c == 'E'; }) == q) {
    // A whole number is a 64-bit integer to simdjson, as to most JSON readers: beyond that range
    // it is refused rather than rounded, and a decimal point or an exponent makes it a double.
    std::int64_t neg = 0;
    std::uint64_t pos = 0;
    const bool fits = *s == '-' ? std::from_chars(s, q, neg).ec == std::errc()
                                : std::from_chars(s, q, pos).ec == std::errc();
    if (!fits)
      return bad(q, *s == '-' ? "expected a whole number of at least -9223372036854775808 "
                                "(a larger magnitude needs a decimal point or an exponent: "
                                "-2.5e20)"
                              : "expected a whole number of at most 18446744073709551615 "
                                "(a larger one needs a decimal point or an exponent: 2.5e20)");
  }
  double v = 0;
  const auto r = std::from_chars(s, q, v);
  if (r.ec == std::errc::result_out_of_range && !(v == 0.0)) {
    // from_chars reports underflow too: only an overflow is refused
    return bad(q, "expected a number within the range of a double (about 1.8e308)");
  }
  if (r.ec == std::errc::result_out_of_range) {
    // decide overflow vs underflow by the exponent sign
    const char* ex = s;
    while (ex < q && *ex != 'e' && *ex != 'E') ++ex;
    if (ex < q && ex[1] != '-') return bad(q, "expected a number within the range of a double");
  }
  return q;
}

}  // namespace

const char* check_value(const char* q, const char* e, const char*& at, std::string& what,
                        std::size_t depth) {
  while (q < e && is_ws(*q)) ++q;
  if (q >= e) {
    at = q;
    what = "found the end of the file: expected a value";
    return nullptr;
  }
  const char c = *q;
  if (c == '{' || c == '[') {
    if (depth >= kMaxDepth) {
      at = q;
      what = "values nested deeper than " + std::to_string(kMaxDepth) +
             " levels: expected a flat record";
      return nullptr;
    }
    const char close = c == '{' ? '}' : ']';
    ++q;
    while (q < e && is_ws(*q)) ++q;
    if (q < e && *q == close) return q + 1;
    for (;;) {
      if (c == '{') {
        while (q < e && is_ws(*q)) ++q;
        if (q >= e || *q != '"') {
          at = q;
          what = "found " + found(q, e) + ": expected a \"key\" in double quotes";
          return nullptr;
        }
        q = check_string(q, e, at, what);
        if (!q) return nullptr;
        while (q < e && is_ws(*q)) ++q;
        if (q >= e || *q != ':') {
          at = q;
          what = "found " + found(q, e) + ": expected ':' after the key";
          return nullptr;
        }
        ++q;
      }
      q = check_value(q, e, at, what, depth + 1);
      if (!q) return nullptr;
      while (q < e && is_ws(*q)) ++q;
      if (q < e && *q == ',') {
        ++q;
        continue;
      }
      if (q < e && *q == close) return q + 1;
      at = q;
      what = "found " + found(q, e) + ": expected ',' or '" + std::string(1, close) + "'" +
             (c == '{' ? " in the object" : " in the array");
      return nullptr;
    }
  }
  if (c == '"') return check_string(q, e, at, what);
  if (c == '-' || is_digit(c)) return check_number(q, e, at, what);
  for (std::string_view lit : {"true", "false", "null"}) {
    if (static_cast<std::size_t>(e - q) >= lit.size() &&
        std::memcmp(q, lit.data(), lit.size()) == 0) {
      const char* t = q + lit.size();
      if (t >= e || is_ws(*t) || *t == ',' || *t == ']' || *t == '}') return t;
    }
  }
  at = q;
  what = "found " + found(q, e) +
         ": expected a value (a \"string\" in double quotes, a number, true, false, null, an "
         "object or an array)";
  return nullptr;
}

void LineCounter::advance(const char* p) {
  if (p <= pos_) return;
  const char* q = pos_;
  for (;;) {
    const char* nl =
        static_cast<const char*>(std::memchr(q, '\n', static_cast<std::size_t>(p - q)));
    if (!nl) break;
    ++line_;
    line_start_ = nl + 1;
    q = nl + 1;
  }
  pos_ = p;
}

const char* type_name(simdjson::dom::element v) {
  using T = simdjson::dom::element_type;
  switch (v.type()) {
    case T::OBJECT:
      return "an object";
    case T::ARRAY:
      return "an array";
    case T::STRING:
      return "a string";
    case T::BOOL:
      return v.get_bool().value_unsafe() ? "true" : "false";
    case T::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

void cell_text(simdjson::dom::element v, std::string& out) {
  using T = simdjson::dom::element_type;
  char buf[64];
  switch (v.type()) {
    case T::STRING:
      out.assign(v.get_string().value_unsafe());
      return;
    case T::INT64: {
      const auto r = std::to_chars(buf, buf + sizeof buf, v.get_int64().value_unsafe());
      out.assign(buf, r.ptr);
      return;
    }
    case T::UINT64: {
      const auto r = std::to_chars(buf, buf + sizeof buf, v.get_uint64().value_unsafe());
      out.assign(buf, r.ptr);
      return;
    }
    case T::DOUBLE: {
      const auto r = std::to_chars(buf, buf + sizeof buf, v.get_double().value_unsafe());
      out.assign(buf, r.ptr);
      return;
    }
    case T::BOOL:
      out.assign(v.get_bool().value_unsafe() ? "true" : "false");
      return;
    case T::NULL_VALUE:
      out.clear();
      return;
    default:
      out = simdjson::minify(v);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
BlockReader::BlockReader(const std::string& path, std::size_t block_bytes,
                         std::size_t max_record_bytes)
    : path_(path), block_(block_bytes), max_record_(max_record_bytes) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw InputError(path, 0, 0, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      ::close(fd_);
      fd_ = -1;
      throw InputError(path, 0, 0, "is a directory: expected a JSON file");
    }
    if (S_ISREG(st.st_mode)) file_size_ = static_cast<std::uint64_t>(st.st_size);
  }
  start();
}

BlockReader::~BlockReader() {
  if (fd_ >= 0) ::close(fd_);
}

bool BlockReader::read_more(std::size_t want) {
  if (eof_) return false;
  const std::size_t old = buf_.size();
  const std::uint64_t left = end_ - std::min(end_, buf_offset_ + old);
  const std::size_t n =
      static_cast<std::size_t>(std::min<std::uint64_t>(std::max<std::size_t>(want, 4096), left));
  if (n == 0) {
    eof_ = true;
    return false;
  }
  buf_.resize(old + n);
  const std::size_t got = old + read_fully(fd_, buf_.data() + old, n, path_, eof_);
  buf_.resize(got);
  if (buf_offset_ + got >= end_) eof_ = true;
  return got > old;
}

[[noreturn]] void BlockReader::fail_at(std::size_t pos, const std::string& what) const {
  LineCounter lc(buf_.data(), buf_line_, buf_col0_);
  const char* p = buf_.data() + pos;
  const auto line = lc.line(p);
  throw InputError(path_, line, lc.column(p), what);
}

void BlockReader::start() {
  buf_.clear();
  buf_line_ = 1;
  buf_offset_ = 0;
  buf_col0_ = 0;
  eof_ = array_ = closed_ = done_ = false;
  elements_ = ordinal_ = first_ordinal_ = 0;
  while (buf_.size() < (std::size_t{64} << 10) &&
         read_more((std::size_t{64} << 10) - buf_.size())) {
  }
  const auto* b = reinterpret_cast<const unsigned char*>(buf_.data());
  const std::size_t n = buf_.size();
  if (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
    throw InputError(path_, 1, 1, "the file is UTF-16 text: expected UTF-8 (save it as UTF-8)");
  if (const std::string kind = text::binary_kind(buf_.data(), n); !kind.empty())
    throw InputError(path_, 0, 0, "this is " + kind + ", not JSON text: expected JSON objects");
  std::size_t i = 0;
  if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) i = 3;
  for (;;) {
    while (i < buf_.size() && is_ws(buf_[i])) ++i;
    if (i < buf_.size() || !read_more(std::size_t{1} << 16)) break;
  }
  if (i >= buf_.size()) {
    if (first_) throw InputError(path_, 0, 0, "the file is empty: expected JSON objects");
    done_ = true;
  } else if (buf_[i] == '[') {
    array_ = true;
    ++i;
  }
  first_ = false;
  // Keep the bytes up to i in the line/column count: blank them instead of erasing.
  for (std::size_t k = 0; k < i; ++k) {
    if (buf_[k] != '\n') buf_[k] = ' ';
  }
}

void BlockReader::rewind() {
  if (::lseek(fd_, 0, SEEK_SET) < 0)
    throw InputError(path_, 0, 0, std::string("cannot seek: ") + std::strerror(errno));
  start();
}

void BlockReader::select(std::uint64_t begin, std::uint64_t end, std::uint64_t first_line) {
  end_ = end;
  if (begin == 0) {  // the file's own start: its BOM and leading blanks as a one-process run
    rewind();
    return;
  }
  if (::lseek(fd_, static_cast<off_t>(begin), SEEK_SET) < 0)
    throw InputError(path_, 0, 0, std::string("cannot seek: ") + std::strerror(errno));
  buf_.clear();
  buf_line_ = first_line;
  buf_offset_ = begin;
  buf_col0_ = 0;
  eof_ = array_ = closed_ = false;
  done_ = begin >= end;
  first_ = false;
  elements_ = ordinal_ = first_ordinal_ = 0;
}

bool BlockReader::next(std::string& raw, std::uint64_t& first_line, std::uint64_t& first_col0,
                       std::uint64_t& offset, std::exception_ptr& err) {
  raw.clear();
  if (done_) return false;
  std::size_t cut = 0;
  if (!array_) {
    // Objects one after another: cut after a newline between '}' and '{' (in valid JSON such
    // a newline is always between two documents: inside one, values are separated by ',' or
    // ':'), else at the end of the file.
    for (;;) {
      if (!eof_ && buf_.size() < block_) read_more(block_ - buf_.size());
      if (eof_) {
        cut = buf_.size();
        done_ = true;
        break;
      }
      const char* s = buf_.data();
      std::size_t pos = buf_.size();
      while (pos > 0) {
        const char* nl = static_cast<const char*>(memrchr(s, '\n', pos));
        if (!nl) break;
        const auto i = static_cast<std::size_t>(nl - s);
        std::size_t a = i, z = i + 1;
        while (a > 0 && is_ws(s[a - 1])) --a;
        while (z < buf_.size() && is_ws(s[z])) ++z;
        if (a > 0 && s[a - 1] == '}' && z < buf_.size() && s[z] == '{') {
          cut = i + 1;
          break;
        }
        pos = i;
      }
      if (cut) break;
      if (buf_.size() >= max_record_) {
        done_ = true;
        try {
          fail_at(0, "an object longer than " + std::to_string(max_record_ >> 20) +
                         " MiB starts here: probably an unclosed string or brace");
        } catch (const InputError&) {
          err = std::current_exception();
        }
        return true;
      }
      if (!read_more(buf_.size())) {
        cut = buf_.size();
        done_ = true;
        break;
      }
    }
  } else {
    // An array: walk the elements (depth and strings tracked), blanking the commas and ']'.
    bool need_comma = false, any = false;
    std::size_t i = 0;
    auto fail = [&](std::size_t at, const std::string& what) {
      done_ = true;
      try {
        fail_at(at, what);
      } catch (const InputError&) {
        err = std::current_exception();
      }
      cut = any ? i : 0;
    };
    for (;;) {
      while (i < buf_.size() && is_ws(buf_[i])) ++i;
      if (i >= buf_.size()) {
        if (read_more(std::max(block_, buf_.size()))) continue;
        if (closed_) {
          cut = buf_.size();
          done_ = true;
        } else {
          fail(i, "unexpected end of the file: expected ']' closing the array");
        }
        break;
      }
      const char c = buf_[i];
      if (closed_) {
        fail(i, "found " + found(buf_.data() + i, buf_.data() + buf_.size()) +
                    " after the closing ']': expected the end of the file");
        break;
      }
      if (c == ']') {
        buf_[i] = ' ';
        closed_ = true;
        ++i;
        continue;
      }
      if (need_comma) {
        if (c != ',') {
          fail(i, "found " + found(buf_.data() + i, buf_.data() + buf_.size()) +
                      ": expected ',' or ']' after an object");
          break;
        }
        buf_[i] = ' ';
        ++i;
        need_comma = false;
        while (i < buf_.size() && is_ws(buf_[i])) ++i;
        if (i >= buf_.size()) continue;
        if (buf_[i] == ']') {
          fail(i, "found ']' right after ',': expected another object (no trailing comma)");
          break;
        }
        continue;
      }
      if (i >= block_ && any) {
        cut = i;
        break;
      }
      // The end of the element at i.
      std::size_t end = std::string::npos;
      for (;;) {
        const char* s = buf_.data();
        const std::size_t n = buf_.size();
        if (s[i] == '{' || s[i] == '[' || s[i] == '"') {
          int depth = 0;
          bool str = false;
          for (std::size_t q = i; q < n; ++q) {
            const char ch = s[q];
            if (str) {
              if (ch == '\\') {
                ++q;
              } else if (ch == '"') {
                str = false;
                if (depth == 0) {
                  end = q + 1;
                  break;
                }
              }
            } else if (ch == '"') {
              str = true;
            } else if (ch == '{' || ch == '[') {
              ++depth;
            } else if (ch == '}' || ch == ']') {
              if (--depth <= 0) {
                end = q + 1;
                break;
              }
            }
          }
        } else {
          std::size_t q = i;
          while (q < n && !is_ws(s[q]) && s[q] != ',' && s[q] != ']' && s[q] != '}' &&
                 s[q] != '{' && s[q] != '[')
            ++q;
          if (q < n || eof_) end = std::max(q, i + 1);
        }
        if (end != std::string::npos) break;
        if (n - i >= max_record_) break;
        if (!read_more(std::max(block_, n))) break;
      }
      if (end == std::string::npos) {
        if (buf_.size() - i >= max_record_) {
          fail(i, "an object longer than " + std::to_string(max_record_ >> 20) +
                      " MiB starts here: probably an unclosed string or brace");
        } else {
          // the unclosed object goes to the parser, which names what is missing
          cut = buf_.size();
          done_ = true;
        }
        break;
      }
      i = end;
      any = true;
      ++elements_;
      need_comma = true;
    }
    if (!err && closed_) done_ = true;
  }
  raw.reserve(cut + simdjson::SIMDJSON_PADDING);
  raw.assign(buf_.data(), cut);
  raw.append(simdjson::SIMDJSON_PADDING, ' ');
  raw.resize(cut);
  first_line = buf_line_;
  first_col0 = buf_col0_;
  offset = buf_offset_;
  first_ordinal_ = ordinal_;
  ordinal_ = elements_;
  // Drop the consumed bytes, keeping the line and column of the new start.
  const std::uint64_t nls = csv::count_newlines(buf_.data(), cut);
  if (nls) {
    buf_line_ += nls;
    const char* last = static_cast<const char*>(memrchr(buf_.data(), '\n', cut));
    buf_col0_ = static_cast<std::uint64_t>(buf_.data() + cut - (last + 1));
  } else {
    buf_col0_ += cut;
  }
  buf_offset_ += cut;
  buf_.erase(0, cut);
  return cut > 0 || err;
}

// ---------------------------------------------------------------------------------------------
void for_each_document(simdjson::dom::parser& parser, const char* p, std::size_t n,
                       std::uint64_t first_line, std::uint64_t first_col0, const std::string& path,
                       const std::function<void(const Document&)>& f) {
  LineCounter lc(p, first_line, first_col0);
  const char* resume = p;
  bool skip_first = false, ok = true;
  {
    simdjson::dom::document_stream stream;
    const std::size_t batch = std::max<std::size_t>(n + 64, simdjson::dom::MINIMAL_BATCH_SIZE);
    if (parser.parse_many(p, n, batch).get(stream)) {
      ok = false;
    } else {
      for (auto it = stream.begin(); it != stream.end(); ++it) {
        simdjson::dom::element doc;
        if ((*it).get(doc)) {
          ok = false;
          break;
        }
        const char* at = p + it.current_index();
        const std::uint64_t line = lc.line(at);
        std::string_view src = it.source();
        if (src.data() < p || src.data() + src.size() > p + n) src = {};
        f(Document{doc, line, lc.column(at), src});
        resume = at;
        skip_first = true;
      }
      if (ok && stream.truncated_bytes() > 0) ok = false;
    }
  }
  if (ok) return;
  // Something is wrong in this block: walk it with the strict scanner from the first document
  // not yet passed on, to name the fault and where it is.
  const char* e = p + n;
  const char* q = resume;
  const char* at = nullptr;
  std::string what;
  if (skip_first) {
    q = check_value(q, e, at, what);
    if (!q) throw InputError(path, lc.line(at), lc.column(at), what);
  }
  for (;;) {
    while (q < e && is_ws(*q)) ++q;
    if (q >= e) return;
    const char* end = check_value(q, e, at, what);
    if (!end) {
      const auto line = lc.line(at);
      throw InputError(path, line, lc.column(at), what);
    }
    simdjson::dom::element doc;
    const auto line = lc.line(q);
    const auto col = lc.column(q);
    if (const auto code = parser.parse(q, static_cast<std::size_t>(end - q), false).get(doc)) {
      throw InputError(
          path, line, col,
          std::string("this value is not valid JSON: ") + simdjson::error_message(code));
    }
    f(Document{doc, line, col, std::string_view(q, static_cast<std::size_t>(end - q))});
    q = end;
  }
}

// ---------------------------------------------------------------------------------------------
std::vector<std::string> collect_keys(BlockReader& reader, const std::string& path,
                                      std::exception_ptr* first_error) {
  struct Block {
    std::string raw;
    std::uint64_t line = 0, col0 = 0, offset = 0;
    std::exception_ptr err;
    std::vector<std::string> keys;
    bool stop = false;  // an invalid document: keys after it are not collected
  };
  std::vector<std::string> header;
  std::unordered_set<std::string> seen;
  std::atomic<bool> stopped{false};
  bool merged_to_error = false;  // the last stage merged the block with the first error
  const auto tokens = static_cast<std::size_t>(2 * tbb::this_task_arena::max_concurrency());
  tbb::parallel_pipeline(
      tokens, tbb::make_filter<void, std::shared_ptr<Block>>(
                  tbb::filter_mode::serial_in_order,
                  [&](tbb::flow_control& fc) -> std::shared_ptr<Block> {
                    auto b = std::make_shared<Block>();
                    if (stopped || !reader.next(b->raw, b->line, b->col0, b->offset, b->err)) {
                      fc.stop();
                      return nullptr;
                    }
                    if (b->err) stopped = true;
                    return b;
                  }) &
                  tbb::make_filter<std::shared_ptr<Block>, std::shared_ptr<Block>>(
                      tbb::filter_mode::parallel,
                      [&](std::shared_ptr<Block> b) {
                        thread_local simdjson::dom::parser parser = [] {
                          simdjson::dom::parser p;
                          p.threaded = false;
                          return p;
                        }();
                        std::unordered_set<std::string> local;
                        std::vector<std::string> prev;  // the previous object's keys, in order
                        try {
                          for_each_document(parser, b->raw.data(), b->raw.size(), b->line, b->col0,
                                            path, [&](const Document& d) {
                                              simdjson::dom::object obj;
                                              if (d.value.get(obj)) return;
                                              std::size_t i = 0;
                                              for (auto field : obj) {
                                                if (i < prev.size() && prev[i] == field.key) {
                                                  ++i;
                                                  continue;
                                                }
                                                if (i < prev.size()) {
                                                  prev[i] = std::string(field.key);
                                                } else {
                                                  prev.emplace_back(field.key);
                                                }
                                                ++i;
                                                if (!local.emplace(field.key).second) continue;
                                                b->keys.emplace_back(field.key);
                                              }
                                              prev.resize(i);
                                            });
                        } catch (const InputError&) {
                          b->stop = true;
                          b->err = std::current_exception();  // before any framing error at the end
                        }
                        return b;
                      }) &
                  tbb::make_filter<std::shared_ptr<Block>, void>(
                      tbb::filter_mode::serial_in_order, [&](std::shared_ptr<Block> b) {
                        // Blocks after the first invalid document may already be in flight:
                        // their keys are not the file's up to that document.
                        if (merged_to_error) return;
                        for (auto& k : b->keys) {
                          if (seen.insert(k).second) header.push_back(std::move(k));
                        }
                        if (b->err && first_error && !*first_error) *first_error = b->err;
                        if (b->stop || b->err) merged_to_error = stopped = true;
                      }));
  return header;
}

}  // namespace microreach::json
