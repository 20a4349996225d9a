#pragma once
// Internal (not installed): the CSV record scanner and field splitter shared by TableReader
// (src/table.cpp) and the parallel import source (src/import.cpp). Both use the same state
// machine, so the block cutter and the parser always agree on where a record ends:
//
//   field start --'"'--> quoted --'"'--> quote-in-quoted --'"'--> quoted (a doubled quote)
//   field start --delim--> field start;  field start --'\n'--> end of record
//   field start --other--> unquoted --delim--> field start;  unquoted --'\n'--> end of record
//   quote-in-quoted --delim--> field start;  --'\n'--> end;  --other--> unquoted (an error
//   the splitter reports: text after a closing quote)
//
// A quote inside an unquoted field is literal text. '\r' before '\n' is dropped by the splitter.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "microreach/error.hpp"
#include "microreach/table.hpp"

namespace microreach::csv {

// One field of a record: a view into the record text. `escaped` = the field was quoted and
// contains doubled quotes, so the text must go through unescape() before use.
struct Field {
  const char* p;
  std::uint32_t n;
  bool escaped;
  std::string_view view() const { return {p, n}; }
};

enum class FieldError : std::uint8_t { none, text_after_quote, unterminated };

struct RecordInfo {
  std::uint32_t newlines = 0;  // '\n' characters inside the record, its terminator included
  FieldError error = FieldError::none;
  std::uint32_t error_field = 0;  // 0-based index of the first bad field
};

struct ScanResult {
  const char* end;    // one past the record's '\n' (or the data end at EOF); nullptr = incomplete
  bool unterminated;  // at EOF inside a quoted field
};

// Finds the end of the record starting at p (a record start). With at_eof, the data end closes
// the last record (unless inside quotes: unterminated).
inline ScanResult find_record_end(const char* p, const char* end, char delim, bool at_eof) {
  const char* nl =
      static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
  const char* line_end = nl ? nl : end;
  if (!std::memchr(p, '"', static_cast<std::size_t>(line_end - p))) {
    if (nl) return {nl + 1, false};
    return {at_eof ? end : nullptr, false};
  }
  enum { kStart, kUnquoted, kQuoted, kQuoteInQuoted } st = kStart;
  for (const char* q = p; q < end; ++q) {
    const char c = *q;
    switch (st) {
      case kStart:
        if (c == '"') {
          st = kQuoted;
        } else if (c == '\n') {
          return {q + 1, false};
        } else if (c != delim) {
          st = kUnquoted;
        }
        break;
      case kUnquoted:
        if (c == delim) {
          st = kStart;
        } else if (c == '\n') {
          return {q + 1, false};
        }
        break;
      case kQuoted: {
        const char* r =
            static_cast<const char*>(std::memchr(q, '"', static_cast<std::size_t>(end - q)));
        if (!r) return {nullptr, at_eof};
        q = r;
        st = kQuoteInQuoted;
        break;
      }
      case kQuoteInQuoted:
        if (c == '"') {
          st = kQuoted;
        } else if (c == delim) {
          st = kStart;
        } else if (c == '\n') {
          return {q + 1, false};
        } else {
          st = kUnquoted;
        }
        break;
    }
  }
  if (st == kQuoted) return {nullptr, at_eof};
  return {at_eof ? end : nullptr, false};
}

// The scanner's state machine (above) as a table, to find record starts in the middle of a
// file without reading it from the start (one rank's share of a distributed import): the state
// at a byte offset depends on every byte before it, so each share of the file is run from all
// four states at once, giving a map start state -> end state (four 2-bit fields in a byte);
// the maps, composed in file order, give every share its true start state.
class StateMachine {
 public:
  enum State : std::uint8_t { field_start = 0, unquoted = 1, quoted = 2, quote_in_quoted = 3 };
  static constexpr std::uint8_t kIdentity = 0b11100100;  // every state to itself

  // cr_newline: a file read with bare CRs as line ends (cr_only_line_ends).
  StateMachine(char delim, bool cr_newline) {
    for (int c = 0; c < 256; ++c) cls_[c] = kOther;
    cls_[static_cast<unsigned char>('"')] = kQuote;
    cls_[static_cast<unsigned char>(delim)] = kDelim;
    cls_[static_cast<unsigned char>('\n')] = kNewline;
    if (cr_newline) cls_[static_cast<unsigned char>('\r')] = kNewline;
    for (int m = 0; m < 256; ++m)
      for (int k = 0; k < 4; ++k) {
        int out = 0;
        for (int st = 0; st < 4; ++st) out |= kStep[(m >> (2 * st)) & 3][k] << (2 * st);
        table_[m][k] = static_cast<std::uint8_t>(out);
      }
  }
  // The state after byte c from `state`. A line end that leads to field_start ends a record.
  int step(int state, char c) const { return kStep[state][cls_[static_cast<unsigned char>(c)]]; }
  bool is_newline(char c) const { return cls_[static_cast<unsigned char>(c)] == kNewline; }
  // `map` followed by the bytes [p, p + n).
  std::uint8_t run(std::uint8_t map, const char* p, std::size_t n) const {
    for (std::size_t i = 0; i < n; ++i) map = table_[map][cls_[static_cast<unsigned char>(p[i])]];
    return map;
  }
  static int apply(std::uint8_t map, int state) { return (map >> (2 * state)) & 3; }
  // `first` then `second`.
  static std::uint8_t then(std::uint8_t first, std::uint8_t second) {
    int out = 0;
    for (int st = 0; st < 4; ++st) out |= apply(second, apply(first, st)) << (2 * st);
    return static_cast<std::uint8_t>(out);
  }

 private:
  enum Class : std::uint8_t { kOther = 0, kQuote = 1, kDelim = 2, kNewline = 3 };
  // [state][class], as find_record_end moves.
  static constexpr std::uint8_t kStep[4][4] = {
      {unquoted, quoted, field_start, field_start},    // field start
      {unquoted, unquoted, field_start, field_start},  // unquoted: a quote is text
      {quoted, quote_in_quoted, quoted, quoted},       // quoted: everything but '"' is text
      {unquoted, quoted, field_start, field_start},    // '"' in quoted: "" or the close
  };
  std::uint8_t cls_[256];
  std::uint8_t table_[256][4];
};

// One past the last complete record in [p, end) (p if there is none). When the data holds no
// quote at all this is a single memrchr.
inline const char* last_record_end(const char* p, const char* end, char delim) {
  const auto n = static_cast<std::size_t>(end - p);
  if (!std::memchr(p, '"', n)) {
    const char* nl = static_cast<const char*>(memrchr(p, '\n', n));
    return nl ? nl + 1 : p;
  }
  const char* last = p;
  while (last < end) {
    ScanResult r = find_record_end(last, end, delim, false);
    if (!r.end) break;
    last = r.end;
  }
  return last;
}

// The record without its line terminator.
inline const char* strip_eol(const char* p, const char* rec_end) {
  const char* e = rec_end;
  if (e > p && e[-1] == '\n') --e;
  if (e > p && e[-1] == '\r') --e;
  return e;
}

// Where a block of CSV bytes read so far should end so that it holds whole records only
// (the block readers of the importer and of the audit cut their input with it).
struct BlockCut {
  enum Kind {
    whole,         // keep raw[0, end); raw[end, ...) starts the next block
    more,          // no complete record yet: read more
    unterminated,  // at the end of the file a quoted field never closes in the record at `end`
    too_long,      // no complete record within max_record bytes (an unmatched quote?)
  } kind;
  std::size_t end = 0;
};
// `at_eof`: nothing more will be read, so the last record needs no line end.
inline BlockCut cut_block(std::string_view raw, bool at_eof, char delim, std::size_t max_record) {
  const char* s = raw.data();
  const char* e = s + raw.size();
  if (at_eof) {
    const char* last = last_record_end(s, e, delim);
    if (last < e && find_record_end(last, e, delim, true).unterminated)
      return {BlockCut::unterminated, static_cast<std::size_t>(last - s)};
    return {BlockCut::whole, raw.size()};
  }
  const char* cut = last_record_end(s, e, delim);
  if (cut > s) return {BlockCut::whole, static_cast<std::size_t>(cut - s)};
  return {raw.size() >= max_record ? BlockCut::too_long : BlockCut::more, 0};
}

// The next block of whole records. raw starts as what the previous block left over (carry)
// and grows by read(raw, want), which appends up to `want` bytes in all and makes at_eof() true
// at the end of the input, until cut_block finds its end. For whole and unterminated, raw keeps
// [0, end) and carry takes the rest; for too_long both are left as read. nullopt: nothing is
// left.
template <class Read, class AtEof>
std::optional<BlockCut> next_block(std::string& raw, std::string& carry, std::size_t want,
                                   char delim, std::size_t max_record, Read&& read,
                                   AtEof&& at_eof) {
  raw.assign(carry);
  carry.clear();
  for (;;) {
    if (!at_eof()) read(raw, want);
    if (raw.empty()) return std::nullopt;
    const BlockCut cut = cut_block(raw, at_eof(), delim, max_record);
    if (cut.kind == BlockCut::more) {
      want = std::max<std::size_t>(raw.size() * 2, 64);
      continue;
    }
    if (cut.kind != BlockCut::too_long) {
      carry.assign(raw, cut.end);
      raw.resize(cut.end);
    }
    return cut;
  }
}

// Text of a field with doubled quotes collapsed.
inline void unescape(const Field& f, std::string& out) {
  out.clear();
  if (!f.escaped) {
    out.assign(f.p, f.n);
    return;
  }
  out.reserve(f.n);
  for (std::uint32_t i = 0; i < f.n; ++i) {
    out.push_back(f.p[i]);
    if (f.p[i] == '"' && i + 1 < f.n && f.p[i + 1] == '"') ++i;
  }
}

// A record of nothing but blanks and delimiters (an empty line, or ",,,," from a spreadsheet).
inline bool is_blank_record(const char* p, const char* rec_end, char delim) {
  const char* e = strip_eol(p, rec_end);
  for (const char* q = p; q < e; ++q) {
    if (*q != ' ' && *q != '\t' && *q != delim) return false;
  }
  return true;
}

// A line of nothing but blanks (an empty line): skipped. A line with delimiters (",,,") is a
// row of empty fields, which readers report.
inline bool is_blank_line(const char* p, const char* rec_end) {
  const char* e = strip_eol(p, rec_end);
  for (const char* q = p; q < e; ++q) {
    if (*q != ' ' && *q != '\t' && *q != '\r') return false;
  }
  return true;
}

// A rule line under a header: "=====", "-----", "|---|---|", "---\t---".
inline bool is_rule_line(const char* p, const char* rec_end) {
  const char* e = strip_eol(p, rec_end);
  int marks = 0;
  for (const char* q = p; q < e; ++q) {
    const char c = *q;
    if (c == '=' || c == '-') {
      ++marks;
    } else if (c != '+' && c != '|' && c != ':' && c != ' ' && c != '\t' && c != ',' && c != ';') {
      return false;
    }
  }
  return marks >= 3;
}

// End of the header record: one past the first '\n' outside quotes, for the delimiter that
// splits the first line into the most fields (see detect_delimiter), or end if the data holds
// no complete record yet.
inline const char* header_end(const char* p, const char* end);

// True for a file whose lines end in a bare CR (old Mac style): the first block has a CR not
// followed by LF and no LF at all. Such a file is read with every CR taken as a line end.
inline bool cr_only_line_ends(const char* p, std::size_t n) {
  if (std::memchr(p, '\n', n)) return false;
  return std::memchr(p, '\r', n) != nullptr;
}

}  // namespace microreach::csv

namespace microreach::csv {

inline const char* parse_record(const char* p, const char* end, char delim, std::vector<Field>& out,
                                RecordInfo& info);

// The delimiter among \t , ; | that splits the first line of [p, rec_end) into the most
// fields, with the same quoting rules as data rows ("," if none splits it). Ties go to the
// tab: names in a header hold commas more often than tabs.
inline char detect_delimiter(const char* p, const char* rec_end) {
  const char cands[4] = {'\t', ',', ';', '|'};
  const char* nl =
      static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(rec_end - p)));
  const char* e = strip_eol(p, nl ? nl + 1 : rec_end);
  std::vector<Field> fields;
  RecordInfo info;
  std::size_t best_n = 1;
  char best = ',';
  for (char d : cands) {
    parse_record(p, e, d, fields, info);
    if (fields.size() > best_n) {
      best_n = fields.size();
      best = d;
    }
  }
  return best;
}

inline const char* header_end(const char* p, const char* end) {
  const char* r = find_record_end(p, end, detect_delimiter(p, end), false).end;
  return r ? r : end;
}

// Splits the header record [p, rec_end) into names, by the rules of data rows; the returned
// info reports a quote never closed or text after a closing quote.
inline RecordInfo parse_header(const char* p, const char* rec_end, char delim,
                               std::vector<std::string>& names);

// Throws InputError for a header line that breaks the quoting rules or has bad names.
inline void check_header_line(const RecordInfo& info, const std::vector<std::string>& header,
                              const std::string& path, std::uint64_t line) {
  if (info.error == FieldError::unterminated) {
    throw InputError(path, line, info.error_field + 1,
                     "a quoted header name is never closed: expected a closing '\"'");
  }
  // A quote opened in the header and closed only in the data swallows rows into one name.
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string& h = header[i];
    if (h.size() > 256 && h.find('\n') != std::string::npos) {
      throw InputError(path, line, i + 1,
                       "a quoted header name runs over " +
                           std::to_string(std::count(h.begin(), h.end(), '\n') + 1) +
                           " lines and " + std::to_string(h.size()) +
                           " bytes: probably a quote never closed; expected a name");
    }
  }
  if (info.error == FieldError::text_after_quote) {
    throw InputError(path, line, info.error_field + 1,
                     "text after the closing quote of a quoted header name: expected the "
                     "delimiter or the end of the line right after it (write a quote inside a "
                     "quoted name as \"\")");
  }
  check_header_names(header, path, line, true);
}

inline RecordInfo parse_header(const char* p, const char* rec_end, char delim,
                               std::vector<std::string>& names) {
  std::vector<Field> fields;
  RecordInfo info;
  parse_record(p, rec_end, delim, fields, info);
  names.clear();
  std::string tmp;
  for (const auto& f : fields) {
    unescape(f, tmp);
    names.push_back(tmp);
  }
  return info;
}

// Tokenizes the record starting at p, where [p, end) holds complete records only (a block cut
// by last_record_end, or the rest of the file): the record ends at the first '\n' outside
// quotes, or at end. Same state machine as find_record_end, which finds the same end.
// Returns one past the record.
inline const char* parse_record(const char* p, const char* end, char delim, std::vector<Field>& out,
                                RecordInfo& info) {
  out.clear();
  info = RecordInfo{};
  const char* q = p;
  for (;;) {
    if (q < end && *q == '"') {
      const char* s = q + 1;
      const char* r = s;
      bool escaped = false;
      for (;;) {
        r = static_cast<const char*>(std::memchr(r, '"', static_cast<std::size_t>(end - r)));
        if (!r || r + 1 >= end || r[1] != '"') break;
        escaped = true;
        r += 2;
      }
      if (!r) {
        if (info.error == FieldError::none) {
          info.error = FieldError::unterminated;
          info.error_field = static_cast<std::uint32_t>(out.size());
        }
        out.push_back({s, static_cast<std::uint32_t>(end - s), escaped});
        return end;
      }
      for (const char* m = s;
           (m = static_cast<const char*>(std::memchr(m, '\n', static_cast<std::size_t>(r - m))));
           ++m) {
        ++info.newlines;
      }
      out.push_back({s, static_cast<std::uint32_t>(r - s), escaped});
      q = r + 1;
      if (q < end && *q == '\r' && (q + 1 == end || q[1] == '\n')) ++q;
      if (q < end && *q != delim && *q != '\n') {
        if (info.error == FieldError::none) {
          info.error = FieldError::text_after_quote;
          info.error_field = static_cast<std::uint32_t>(out.size() - 1);
        }
        while (q < end && *q != delim && *q != '\n') ++q;
      }
    } else {
      const char* s = q;
      while (q < end && *q != delim && *q != '\n') ++q;
      const char* fe = q;
      if (fe > s && fe[-1] == '\r' && (q == end || *q == '\n')) --fe;
      out.push_back({s, static_cast<std::uint32_t>(fe - s), false});
    }
    if (q >= end) return end;
    if (*q == '\n') {
      ++info.newlines;
      return q + 1;
    }
    ++q;  // the delimiter
  }
}

}  // namespace microreach::csv

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace microreach::csv {

// Number of '\n' in [p, p+n). SSE2 (baseline on x86-64): compare 16 bytes at a time, subtract
// the 0xFF matches from byte counters, and fold the counters with psadbw every 255 rounds.
inline std::uint64_t count_newlines(const char* p, std::size_t n) {
  std::uint64_t total = 0;
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i nl = _mm_set1_epi8('\n');
  const __m128i zero = _mm_setzero_si128();
  while (n - i >= 16) {
    __m128i acc = _mm_setzero_si128();
    const std::size_t rounds = std::min<std::size_t>((n - i) / 16, 255);
    for (std::size_t r = 0; r < rounds; ++r, i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
    }
    const __m128i sums = _mm_sad_epu8(acc, zero);
    total += static_cast<std::uint64_t>(_mm_cvtsi128_si32(sums)) +
             static_cast<std::uint64_t>(_mm_cvtsi128_si32(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  for (; i < n; ++i) total += p[i] == '\n';
  return total;
}

}  // namespace microreach::csv
