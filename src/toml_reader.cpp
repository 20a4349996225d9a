#include "microreach/toml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

#include "microreach/error.hpp"
#include "microreach/values.hpp"

// toml++ is used header-only, in this file alone: no library to link, and sanitizer builds
// instrument it with the rest of our code. Arrays and inline tables nest at most this deep.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 1
#define TOML_ENABLE_FORMATTERS 0
#define TOML_MAX_NESTED_VALUES 32
// toml++ checks its own invariants with TOML_ASSERT: compiled out under NDEBUG (the parser then
// goes on past a broken invariant) and abort() otherwise. toml++ 3.3 trips one of them
// (parse_key) on some malformed keys. Here a failed check is an error about the file, in every
// build: NDEBUG is lifted for toml++ alone and TOML_ASSERT throws.
namespace microreach::toml {
struct InternalCheck {
  const char* expr;
};
}  // namespace microreach::toml
#pragma push_macro("NDEBUG")
#undef NDEBUG
#define TOML_ASSERT(expr) \
  ((expr) ? static_cast<void>(0) : throw ::microreach::toml::InternalCheck{#expr})
// In toml++'s noexcept functions a failed check still ends the process, as it did before.
#pragma GCC diagnostic push
#if defined(__clang__)
#pragma GCC diagnostic ignored "-Wexceptions"
#else
#pragma GCC diagnostic ignored "-Wterminate"
#endif
#include <toml++/toml.h>
#pragma GCC diagnostic pop
#pragma pop_macro("NDEBUG")

namespace microreach::toml {
namespace {

static_assert(kMaxValueNesting == TOML_MAX_NESTED_VALUES);

// The code point that starts at t[i] as UTF-8 text, or "byte 0xNN" when it is not UTF-8.
std::string code_point_text(std::string_view t, std::size_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  const int n = utf8_sequence_length(p + i, p + t.size());
  if (n > 0) return "'" + std::string(t.substr(i, static_cast<std::size_t>(n))) + "'";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", p[i]);
  return std::string("the byte ") + hex + " (not UTF-8)";
}

// Two checks before toml++ builds its tree, by a small scanner that knows only strings,
// comments, brackets and where keys stand (line start, [header], after '{' or ',' inside an
// inline table):
//  - the parts of every dotted key and table header are bounded: toml++ parses a.b.c...
//    without recursion but frees and walks the resulting tree recursively, so a key of 100,000
//    parts would overflow the stack;
//  - text other than ASCII stands only inside strings and comments, as TOML allows. Elsewhere
//    toml++ asks whether the code point is whitespace, and for some it reaches undefined
//    behaviour (see swap_code_point below), so the error is given here, with its column
//    counted in code points as toml++ counts.
void check_bare_text(std::string_view t, const std::string& file) {
  std::vector<char> open;  // '[' arrays and '{' inline tables inside values
  bool key = true;         // in a key (or a table header)
  std::size_t parts = 1;
  std::uint64_t line = 1;
  std::size_t line_start = t.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // a byte-order mark
  for (std::size_t i = line_start; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '\n') {
      ++line;
      line_start = i + 1;
      if (open.empty()) {
        key = true;
        parts = 1;
      }
    } else if (c == '#') {
      while (i + 1 < t.size() && t[i + 1] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      const bool multi = i + 2 < t.size() && t[i + 1] == c && t[i + 2] == c;
      i += multi ? 3 : 1;
      for (; i < t.size(); ++i) {
        if (c == '"' && t[i] == '\\') {
          ++i;
        } else if (t[i] == '\n') {
          if (!multi) return;  // unterminated: toml++ reports it
          ++line;
          line_start = i + 1;
        } else if (t[i] == c && (!multi || (i + 2 < t.size() && t[i + 1] == c && t[i + 2] == c))) {
          if (multi) i += 2;
          break;
        }
      }
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      std::uint64_t column = 1;
      for (std::size_t k = line_start; k < i; ++k)
        column += (static_cast<unsigned char>(t[k]) & 0xC0) != 0x80;
      throw InputError(file, line, column,
                       "found " + code_point_text(t, i) +
                           " outside quotes: TOML takes text other than ASCII only inside "
                           "\"strings\" and # comments");
    } else if (key) {
      if (c == '.' && ++parts > kMaxKeyParts)
        throw InputError(file, line, i - line_start + 1,
                         "a key or table name with more than " + std::to_string(kMaxKeyParts) +
                             " dotted parts (a.b.c has three); the files microreach reads use "
                             "at most three");
      if (c == '=' || c == ']') key = false;
      if (c == '}' && !open.empty()) {  // {} : an empty inline table
        open.pop_back();
        key = false;
      }
    } else if (c == '[' || c == '{') {
      open.push_back(c);
      if (c == '{') {
        key = true;
        parts = 1;
      }
    } else if (c == ']' || c == '}') {
      if (!open.empty()) open.pop_back();
    } else if (c == ',' && !open.empty() && open.back() == '{') {
      key = true;
      parts = 1;
    }
  }
}

// toml++ 3.3.0 (Debian 12) reaches __builtin_unreachable() in is_non_ascii_horizontal_whitespace
// for every code point in U+00A1..U+0499, U+2C5E..U+3057 (but U+3000) and U+FB26..U+FEFE (é, §,
// Greek, Cyrillic, kana, Arabic presentation forms...), which it asks about wherever whitespace
// may stand: undefined behaviour that UBSan reports on a comment such as "# café". These are the
// 1018-wide blocks its lookup table marks neither "none" nor "some"; the test that walks every
// code point holds the list to the library. The text toml++ sees has those code points swapped
// with as many private-use ones in plane 15 (which it answers correctly); the swap is its own
// inverse, one code point for one, so lines and columns are unchanged, and strings, keys, value
// texts and messages are swapped back.
struct SwapBlock {
  char32_t from, to, size;
};
constexpr SwapBlock kSwap[] = {
    {0x00A1, 0xF0000, 0x0499 - 0x00A1 + 1},
    {0x2C5E, 0xF0400, 0x2FFF - 0x2C5E + 1},
    {0x3001, 0xF0800, 0x3057 - 0x3001 + 1},
    {0xFB26, 0xF0900, 0xFEFE - 0xFB26 + 1},
};

char32_t swap_code_point(char32_t c) {
  for (const SwapBlock& b : kSwap) {
    if (c >= b.from && c < b.from + b.size) return b.to + (c - b.from);
    if (c >= b.to && c < b.to + b.size) return b.from + (c - b.to);
  }
  return c;
}

// Applies swap_code_point to every well-formed UTF-8 sequence; other bytes pass unchanged (toml++
// reports malformed UTF-8 itself).
std::string swap_unsafe(std::string_view t) {
  std::string out;
  out.reserve(t.size() + t.size() / 8);
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  const auto* e = p + t.size();
  while (p < e) {
    const int n = *p < 0x80 ? 0 : utf8_sequence_length(p, e);
    if (n < 2) {
      out += static_cast<char>(*p++);
      continue;
    }
    char32_t c = n == 2 ? *p & 0x1F : n == 3 ? *p & 0x0F : *p & 0x07;
    for (int k = 1; k < n; ++k) c = (c << 6) | (p[k] & 0x3F);
    append_utf8(out, swap_code_point(c));
    p += n;
  }
  return out;
}

// Byte offsets of line starts, to cut a value's text out of the document by its source region.
// toml++ counts columns in code points: a line with bytes >= 0x80 gets a table of the byte
// offset of each code point (built once, when first needed), so that cutting every value of a
// long line stays linear.
class Lines {
 public:
  explicit Lines(std::string_view t) : t_(t) {
    starts_.push_back(0);
    ascii_.push_back(true);
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t[i] == '\n') {
        starts_.push_back(i + 1);
        ascii_.push_back(true);
      } else if (static_cast<unsigned char>(t[i]) >= 0x80) {
        ascii_.back() = false;
      }
    }
  }
  std::size_t offset(const ::toml::source_position& p) const {
    if (p.line == 0 || p.line > starts_.size() || p.column == 0) return t_.size();
    const std::size_t l = p.line - 1;
    const std::size_t start = starts_[l];
    const std::size_t end = l + 1 < starts_.size() ? starts_[l + 1] : t_.size();
    if (ascii_[l]) return std::min(start + (p.column - 1), end);
    std::vector<std::size_t>& cps = code_points_[l];
    if (cps.empty()) {
      for (std::size_t i = start; i < end; ++i)
        if ((static_cast<unsigned char>(t_[i]) & 0xC0) != 0x80) cps.push_back(i);
      cps.push_back(end);
    }
    return cps[std::min<std::size_t>(p.column - 1, cps.size() - 1)];
  }
  std::string slice(const ::toml::source_region& r) const {
    const std::size_t b = offset(r.begin), e = offset(r.end);
    if (e <= b) return {};
    std::string s(t_.substr(b, e - b));
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
    return swap_unsafe(s);  // the document was swapped for toml++: back to the text as written
  }

 private:
  std::string_view t_;
  std::vector<std::size_t> starts_;
  std::vector<bool> ascii_;
  mutable std::map<std::size_t, std::vector<std::size_t>> code_points_;
};

// A word of advice after toml++'s description of a syntax error, for the mistakes people make
// in hand-written files.
std::string hint(std::string_view t, std::uint32_t line, std::uint32_t column,
                 std::string_view description) {
  std::size_t b = 0;
  for (std::uint32_t l = 1; l < line && b < t.size(); ++l)
    b = std::min(t.find('\n', b), t.size()) + 1;
  const std::string_view text = t.substr(std::min(b, t.size()));
  const std::string_view row = text.substr(0, text.find('\n'));
  if (description.find("redefine") != std::string_view::npos)
    return " (each key and each [table] is set once)";
  if (description.find("control character") != std::string_view::npos && column + 1 >= row.size())
    return " (unterminated string: add the closing quote)";
  const std::size_t eq = row.find('=');
  if (eq == std::string_view::npos) return {};
  const std::size_t v = row.find_first_not_of(" \t", eq + 1);
  if (v == std::string_view::npos || !std::isalpha(static_cast<unsigned char>(row[v]))) return {};
  std::string_view word = row.substr(v);
  word = word.substr(0, word.find_first_of(" \t#,]}\r"));
  if (word == "true" || word == "false" || word == "inf" || word == "nan") return {};
  return " (text needs quotes: \"" + std::string(word) + "\"; booleans are true or false)";
}

class Flattener {
 public:
  Flattener(const Lines& lines, const std::string& file) : lines_(lines), file_(file) {}

  Value convert(const ::toml::node& n, const std::string& key) const {
    Value v;
    v.key = key;
    v.line = n.source().begin.line;
    v.column = n.source().begin.column;
    v.text = lines_.slice(n.source());
    if (const auto* s = n.as_string()) {
      v.kind = Value::Kind::string;
      v.str = swap_unsafe(s->get());
    } else if (const auto* i = n.as_integer()) {
      v.kind = Value::Kind::integer;
      v.i = i->get();
      v.d = static_cast<double>(v.i);
    } else if (const auto* f = n.as_floating_point()) {
      v.kind = Value::Kind::floating;
      v.d = f->get();
      if (!std::isfinite(v.d))
        throw InputError(file_, v.line, v.column,
                         key + " = " + v.text + ": every number must be finite (not inf or nan)");
    } else if (const auto* b = n.as_boolean()) {
      v.kind = Value::Kind::boolean;
      v.b = b->get();
    } else if (const auto* a = n.as_array()) {
      v.kind = Value::Kind::array;
      for (const ::toml::node& item : *a) v.items.push_back(convert(item, key));
    } else if (const auto* t = n.as_table()) {
      v.kind = Value::Kind::table;  // an item of an array of tables: its entries in items
      walk(*t, key, v.items);
    } else {
      v.kind = Value::Kind::date_time;
    }
    return v;
  }

  // Top-level tables: an entry each, followed by their entries.
  void walk(const ::toml::table& t, const std::string& prefix, std::vector<Value>& out) const {
    for (auto&& [k, node] : t) {
      const std::string key =
          prefix.empty() ? swap_unsafe(k.str()) : prefix + "." + swap_unsafe(k.str());
      if (const auto* sub = node.as_table()) {
        Value v;
        v.kind = Value::Kind::table;
        v.key = key;
        v.line = node.source().begin.line;
        v.column = node.source().begin.column;
        v.text = sub->is_inline() ? lines_.slice(node.source()) : "[" + key + "]";
        out.push_back(std::move(v));
        walk(*sub, key, out);
      } else {
        out.push_back(convert(node, key));
      }
    }
  }

 private:
  const Lines& lines_;
  const std::string& file_;
};

}  // namespace

const char* Value::kind_name() const {
  switch (kind) {
    case Kind::table:
      return "a table";
    case Kind::array:
      return "an array";
    case Kind::string:
      return "a \"string\"";
    case Kind::integer:
      return "a whole number";
    case Kind::floating:
      return "a number";
    case Kind::boolean:
      return "true or false";
    case Kind::date_time:
      return "a date or time";
  }
  return "a value";
}

std::vector<Value> parse(std::string_view text, const std::string& file) {
  if (text.size() > kMaxTomlBytes)
    throw InputError(file, 0, 0,
                     "the file is " + std::to_string(text.size()) +
                         " bytes; a TOML file is at most " + std::to_string(kMaxTomlBytes) +
                         " bytes");
  check_bare_text(text, file);
  const std::string safe = swap_unsafe(text);
  ::toml::table doc;
  try {
    doc = ::toml::parse(std::string_view(safe), std::string_view(file));
  } catch (const ::toml::parse_error& e) {
    const auto line = e.source().begin.line, column = e.source().begin.column;
    throw InputError(file, line, column,
                     swap_unsafe(e.description()) + hint(text, line, column, e.description()));
  } catch (const InternalCheck& e) {
    throw InputError(file, 0, 0,
                     std::string("not valid TOML: the TOML parser met a malformed key or value it "
                                 "cannot place (its check '") +
                         e.expr + "' failed)");
  }
  const Lines lines(safe);
  std::vector<Value> out;
  Flattener(lines, file).walk(doc, "", out);
  std::stable_sort(out.begin(), out.end(), [](const Value& a, const Value& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return out;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if ((u < 0x20 && c != '\t') || u == 0x7f) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", u);
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace microreach::toml
