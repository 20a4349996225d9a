#include "microreach/import.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "csv_scan.hpp"
#include "json_rows.hpp"
#include "microreach/cancel.hpp"
#include "microreach/dist.hpp"
#include "microreach/error.hpp"
#include "microreach/format.hpp"
#include "microreach/scoring.hpp"
#include "microreach/values.hpp"
#include "read_fully.hpp"
#include "text_sniff.hpp"
#include "value_parse.hpp"

namespace microreach {

namespace {

using F = ImportField;
constexpr F field(Column c) {
  return import_field(c);
}

// Aliases are normalised header names (normalize_header), best first. Derived from the real
// exports in ../shared/data and the names influencer platforms use; docs/import.md lists them.
const std::array<ImportFieldInfo, kImportFieldCount>& field_table() {
  static const std::array<ImportFieldInfo, kImportFieldCount> t = {{
      {"id",
       {"id", "profileid", "userid", "accountid", "influencerid"},
       true,
       "non-negative integer id (default: the record's line, or its ordinal in JSON)"},
      {"handle",
       {"handle", "username", "instagramname", "channelinfo", "userhandle", "screenname",
        "accountname", "account", "instagramhandle", "tiktokhandle", "channelname", "channel",
        "user", "influencer", "name"},
       false,
       "account handle (a leading @ is dropped)"},
      {"platform",
       {"platform", "network", "socialnetwork", "socialplatform", "channeltype"},
       false,
       "instagram, tiktok, youtube, x, facebook or blog"},
      {"niche", {"niche"}, false, "one of the niche names"},
      {"followers",
       {"followers", "followercount", "followerscount", "subscribers", "subscribercount",
        "subscriberscount", "numberoffollowers", "userfollowercount", "nfollowers",
        "totalfollowers", "followerstotal", "fans", "fanscount", "audiencesize", "audience"},
       true,
       "follower count (required)"},
      {"following",
       {"following", "followingcount", "followees", "followeecount", "followeescount",
        "numberofpeopletheyfollow", "numberoffollowing", "userfollowingcount", "follows",
        "followscount"},
       true,
       "accounts followed"},
      {"posts",
       {"posts", "postcount", "postscount", "numberofposts", "mediacount", "usermediacount",
        "media", "uploads", "videocount", "videos", "totalposts"},
       true,
       "number of posts"},
      {"avg_likes",
       {"avglikes", "likesavg", "averagelikes", "likesaverage", "avglikesperpost", "likesperpost",
        "meanlikes", "avglike"},
       true,
       "average likes per post"},
      {"avg_comments",
       {"avgcomments", "commentsavg", "averagecomments", "commentsaverage", "commentsperpost",
        "meancomments"},
       true,
       "average comments per post"},
      {"avg_shares",
       {"avgshares", "sharesavg", "averageshares", "sharesperpost"},
       true,
       "average shares per post"},
      {"avg_views",
       {"avgviews", "viewsavg", "averageviews", "viewsperpost", "avgvideoviews",
        "averagevideoviews", "avgplays"},
       true,
       "average views per post"},
      {"reply_rate",
       {"replyrate", "responserate", "commentreplyrate"},
       true,
       "share of comments answered, 0-1 or %"},
      {"fake_follower_share",
       {"fakefollowershare", "fakefollowers", "fakefollowerspercent", "fakefollowerspct",
        "fakeshare", "fakefollowerrate"},
       true,
       "share of fake followers, 0-1 or %"},
      {"follower_growth_30d",
       {"followergrowth30d", "growth30d", "followergrowth", "monthlygrowth", "30daygrowth",
        "followergrowthrate"},
       true,
       "relative follower growth over 30 days, e.g. 5% or 0.05"},
      {"price_per_post",
       {"priceperpost", "price", "postprice", "costperpost"},
       true,
       "price of one post, USD"},
      {"country",
       {"country", "audiencecountry", "countryname", "location", "topcountry"},
       false,
       "country"},
      {"category",
       {"category", "category1", "categories", "maincategory", "primarycategory", "topic", "topics",
        "genre", "vertical"},
       false,
       "category text, mapped to a niche"},
      {"category2",
       {"category2", "secondarycategory", "subcategory"},
       false,
       "second category, used when the first is empty"},
      {"engagement_rate",
       {"engagementrate", "engrate", "er", "60dayengrate", "30dayengrate", "avgengagementrate",
        "engagementratepercent", "engagementratepct"},
       true,
       "engagements per post / followers, 1.39% or 0.0139; gives avg_likes"},
      {"avg_engagements",
       {"avgengagements", "avgengagement", "engagementaverage", "averageengagement",
        "averageengagements", "engagementsperpost", "engagementperpost", "engagements"},
       true,
       "likes + comments per post; gives avg_likes"},
      {"authentic_engagement",
       {"authenticengagement", "realengagement"},
       true,
       "engagements per post from real accounts; gives fake_follower_share"},
      {"total_likes",
       {"totallikes", "likestotal", "heartcount", "hearts"},
       true,
       "likes over all posts; gives avg_likes = total / posts"},
  }};
  return t;
}

bool is_rate(F f) {
  return f == F::engagement_rate || f == field(Column::reply_rate) ||
         f == field(Column::fake_follower_share) || f == field(Column::follower_growth_30d);
}

std::string shown(std::string_view s, std::size_t max = 60) {
  return format::shown(s, max);
}

std::string fmt_num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

// A number as the shortest text that reads back to it (JSON numbers have no source text here).
std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// UTF-8 that was encoded twice ("CÃ´te d'Ivoire"): every code point is below 256 and, read
// back as bytes, they form valid UTF-8 with at least one multi-byte character.
bool repair_double_utf8(std::string& s) {
  std::string bytes;
  bool high = false;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      bytes += static_cast<char>(c);
      ++i;
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size()) {
      const auto d = static_cast<unsigned char>(s[i + 1]);
      bytes += static_cast<char>(((c & 0x03) << 6) | (d & 0x3F));
      high = true;
      i += 2;
    } else {
      return false;
    }
  }
  if (!high || !valid_utf8(bytes)) return false;
  bool multi = false;
  for (unsigned char c : bytes) multi |= c >= 0x80;
  if (!multi) return false;
  s = std::move(bytes);
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<Platform> platform_from_text(std::string_view s) {
  if (auto p = parse_platform(s)) return p;
  const std::string k = normalize_header(s);
  static const std::pair<std::string_view, Platform> kAliases[] = {
      {"ig", Platform::instagram},
      {"insta", Platform::instagram},
      {"instagramcom", Platform::instagram},
      {"tiktok", Platform::tiktok},
      {"tt", Platform::tiktok},
      {"yt", Platform::youtube},
      {"youtube", Platform::youtube},
      {"twitter", Platform::x},
      {"xtwitter", Platform::x},
      {"twitterx", Platform::x},
      {"fb", Platform::facebook},
      {"facebook", Platform::facebook},
      {"blog", Platform::blog},
      {"website", Platform::blog},
      {"instagram", Platform::instagram},
      {"x", Platform::x}};
  for (const auto& [a, p] : kAliases) {
    if (k == a) return p;
  }
  return std::nullopt;
}

constexpr std::size_t kDefaultBlock = std::size_t{2} << 20;
constexpr std::size_t kNoOrdinal = ~std::size_t{0};

// A problem with one row.
struct RowError {
  int field = -1;  // header index, -1 = the whole row
  std::string text;
  std::string expected;
};

enum class RowResult { kept, rejected };

}  // namespace

// ---------------------------------------------------------------------------------------------
const ImportFieldInfo& import_field_info(ImportField f) {
  return field_table()[static_cast<std::size_t>(f)];
}

std::optional<ImportField> parse_import_field(std::string_view name) {
  const std::string k = normalize_header(name);
  for (std::size_t i = 0; i < kImportFieldCount; ++i) {
    if (normalize_header(field_table()[i].name) == k) return static_cast<ImportField>(i);
  }
  return std::nullopt;
}

std::string import_field_list() {
  std::string s;
  for (std::size_t i = 0; i < kImportFieldCount; ++i) {
    if (i) s += ", ";
    s += field_table()[i].name;
  }
  return s;
}

void ImportOptions::add_map(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    throw ConfigError("--map", text, "expected field=Header, e.g. followers=Subscribers");
  }
  const std::string field = text.substr(0, eq);
  if (!parse_import_field(field)) {
    throw ConfigError("--map", text,
                      "unknown field '" + field + "': expected one of " + import_field_list());
  }
  column_map.emplace_back(field, text.substr(eq + 1));
}

ColumnMapping map_columns(const std::vector<std::string>& header, const ImportOptions& opt,
                          const std::string& path) {
  check_header_names(header, path, 0, false);  // CSV headers were checked with their columns
  ColumnMapping m;
  std::vector<std::string> norm;
  norm.reserve(header.size());
  for (const auto& h : header) norm.push_back(normalize_header(h));
  auto find = [&](std::string_view key) -> int {
    for (std::size_t i = 0; i < norm.size(); ++i) {
      if (norm[i] == key) return static_cast<int>(i);
    }
    return -1;
  };
  std::array<bool, kImportFieldCount> fixed{};
  for (const auto& [field, head] : opt.column_map) {
    const auto f = parse_import_field(field);
    if (!f) {
      throw ConfigError("--map", field + "=" + head,
                        "unknown field: expected one of " + import_field_list());
    }
    const auto i = static_cast<std::size_t>(*f);
    fixed[i] = true;
    m.from_map[i] = true;
    if (trim(head).empty() || head == "-") {
      m.column[i] = -1;  // "--map field=" ignores the column
      continue;
    }
    // Exact header text first, then the normalised name.
    int col = -1;
    for (std::size_t j = 0; j < header.size(); ++j) {
      if (header[j] == head) {
        col = static_cast<int>(j);
        break;
      }
    }
    if (col < 0) col = find(normalize_header(head));
    if (col < 0) {
      throw ConfigError(
          "--map", field + "=" + head,
          path + " has no column '" + head + "'; its header is " + describe_header(header));
    }
    m.column[i] = col;
  }
  // Aliases, best first; a header column feeds one field only (the first that claims it).
  std::vector<bool> used(header.size(), false);
  for (std::size_t i = 0; i < kImportFieldCount; ++i) {
    if (m.column[i] >= 0) used[static_cast<std::size_t>(m.column[i])] = true;
  }
  for (std::size_t i = 0; i < kImportFieldCount; ++i) {
    if (fixed[i]) continue;
    for (auto alias : field_table()[i].aliases) {
      const int col = find(alias);
      if (col >= 0 && !used[static_cast<std::size_t>(col)]) {
        m.column[i] = col;
        used[static_cast<std::size_t>(col)] = true;
        break;
      }
    }
  }
  if (!m.has(field(Column::followers))) {
    std::string names;
    for (auto a : field_table()[static_cast<std::size_t>(field(Column::followers))].aliases) {
      names += (names.empty() ? "" : ", ") + std::string(a);
    }
    throw InputError(path, 1, 0,
                     "no followers column (required): expected a header such as " + names +
                         " (case and punctuation ignored), or --map followers=<header>; the header "
                         "found is " +
                         describe_header(header));
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
struct ImportSource::Impl {
  std::string path;
  ImportOptions opt;
  TableFormat format = TableFormat::csv;
  char delim = ',';
  std::vector<std::string> header;
  ColumnMapping map;
  std::size_t block = kDefaultBlock;
  std::uint64_t file_size = 0;

  // Columns to convert, resolved once.
  std::vector<std::pair<std::uint32_t, F>> numeric_cols, text_cols;
  // Per header column: the numeric field it feeds (-1: text or unused), for the fast path,
  // which is off when one column feeds two numeric fields (--map).
  std::vector<int> column_field;
  bool fast_ok = true;

  // CSV reading state (serial). cr_only: lines end in a bare CR, read as LF.
  int fd = -1;
  bool cr_only = false;
  std::string carry;
  bool eof = false, done = false;
  std::uint64_t next_line = 1, offset = 0;
  // The bytes this source reads: all of the file after the header, or one rank's share
  // (select_bytes). read_pos: the file offset of the next byte read().
  std::uint64_t data_begin = 0, data_line = 1;
  std::uint64_t read_pos = 0, limit = ~std::uint64_t{0};
  std::uint64_t sel_begin = 0, sel_end = 0, sel_line = 0;
  bool selected = false;
  // Distributed NDJSON: the keys (the header) are collected by each rank over its own share
  // once it is selected, and merged (share_header), instead of by every rank over the file.
  bool header_pending = false;

  // JSON reading state (serial), and per header column its slot among the mapped columns
  // (-1: a key no field uses).
  std::unique_ptr<json::BlockReader> json_blocks;
  std::unordered_map<std::string, int> key_index;
  std::vector<int> slot_of;
  std::vector<bool> text_column;  // feeds a text field
  std::size_t slots = 0;

  ~Impl() {
    if (fd >= 0) ::close(fd);
  }

  // The keys of the whole file from each rank's keys of its share: the union in first-seen
  // order over the ranks in order (= over the file in order), up to and including the first
  // rank whose share holds an invalid document, as one process collects them. Collective.
  void share_header() {
    std::exception_ptr first_error;
    const std::vector<std::string> keys = json::collect_keys(*json_blocks, path, &first_error);
    json_blocks->select(sel_begin, sel_end, sel_line);  // back to the start of the share
    std::string blob(1, first_error ? '\1' : '\0');
    for (const std::string& k : keys) {
      const auto n = static_cast<std::uint32_t>(k.size());
      blob.append(reinterpret_cast<const char*>(&n), sizeof n).append(k);
    }
    const std::vector<std::string> all = dist::allgather(blob);
    std::unordered_set<std::string> seen;
    header.clear();
    int stop_rank = -1;
    for (int r = 0; r < static_cast<int>(all.size()) && stop_rank < 0; ++r) {
      const std::string& b = all[static_cast<std::size_t>(r)];
      for (std::size_t i = 1; i + sizeof(std::uint32_t) <= b.size();) {
        std::uint32_t n = 0;
        std::memcpy(&n, b.data() + i, sizeof n);
        i += sizeof n;
        std::string k = b.substr(i, n);
        i += n;
        if (seen.insert(k).second) header.push_back(std::move(k));
      }
      if (!b.empty() && b[0]) stop_rank = r;
    }
    header_pending = false;
    try {
      resolve_columns();
    } catch (const InputError&) {
      // No followers key before the first invalid object: name that fault, from its rank.
      if (stop_rank < 0) throw;
      if (stop_rank == dist::rank()) dist::fail(first_error);
      dist::check();  // throws the fault of stop_rank on every rank
      throw;
    }
  }

  void check_header() const {
    if (header_pending)
      throw std::logic_error(
          "ImportSource: the columns of a distributed NDJSON file are known "
          "once its share is selected (internal error)");
  }

  // ---- opening ----
  void open_csv() {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw InputError(path, 0, 0, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
      file_size = static_cast<std::uint64_t>(st.st_size);
    // Read until the header line (and a possible rule line after it) is complete.
    std::string buf;
    bool sniffed = false;
    for (;;) {
      const bool more = read_more(buf, buf.size() + (std::size_t{1} << 16));
      if (!sniffed && !buf.empty()) {
        sniffed = true;
        if (const std::string kind = text::binary_kind(buf.data(), buf.size()); !kind.empty())
          throw InputError(path, 0, 0, "this is " + kind + ", not CSV text: expected a table");
        cr_only = csv::cr_only_line_ends(buf.data(), buf.size());
        if (cr_only) std::replace(buf.begin(), buf.end(), '\r', '\n');
      }
      if (!more) break;
      const char* b = buf.data();
      const char* e = b + buf.size();
      const char* he = csv::header_end(b, e);
      // also want the line after the header complete, to recognise a rule line
      if (he < e && std::memchr(he, '\n', static_cast<std::size_t>(e - he))) break;
      if (buf.size() > opt.max_record_bytes) {
        throw InputError(path, 1, 0,
                         "the header line is longer than " +
                             std::to_string(opt.max_record_bytes >> 20) +
                             " MiB: expected a header line of column names");
      }
    }
    const char* b = buf.data();
    const char* e = b + buf.size();
    if (buf.size() >= 2 &&
        ((static_cast<unsigned char>(b[0]) == 0xFF && static_cast<unsigned char>(b[1]) == 0xFE) ||
         (static_cast<unsigned char>(b[0]) == 0xFE && static_cast<unsigned char>(b[1]) == 0xFF))) {
      throw InputError(path, 1, 1, "the file is UTF-16 text: expected UTF-8 (save it as UTF-8)");
    }
    const char* p = b;
    if (buf.size() >= 3 && std::memcmp(b, "\xEF\xBB\xBF", 3) == 0) p += 3;
    // Empty lines before the header.
    for (;;) {
      const char* nl =
          static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(e - p)));
      if (!nl || !std::all_of(p, nl, [](char c) { return c == ' ' || c == '\t' || c == '\r'; })) {
        break;
      }
      p = nl + 1;
      ++next_line;
    }
    if (p >= e || std::all_of(p, e, [](char c) { return c == ' ' || c == '\t' || c == '\r'; }))
      throw InputError(path, 0, 0, "the file is empty: expected a header line");
    delim = opt.delimiter ? opt.delimiter : csv::detect_delimiter(p, e);
    const csv::ScanResult hr = csv::find_record_end(p, e, delim, true);
    const char* he = hr.end ? hr.end : e;
    const csv::RecordInfo info = csv::parse_header(p, he, delim, header);
    csv::check_header_line(info, header, path, next_line);
    next_line += info.newlines;
    p = he;
    const char* nl =
        static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(e - p)));
    const char* le = nl ? nl + 1 : e;
    if (p < e && csv::is_rule_line(p, le)) {
      p = le;
      ++next_line;
    }
    offset = static_cast<std::uint64_t>(p - b);
    carry.assign(p, e);
    data_begin = offset;
    data_line = next_line;
  }

  // Appends up to (target - size) bytes; false at EOF with nothing read.
  bool read_more(std::string& s, std::size_t target) {
    const std::size_t old = s.size();
    if (target <= old) return true;
    if (limit - read_pos < target - old) target = old + static_cast<std::size_t>(limit - read_pos);
    s.resize(target);
    if (old == target) eof = true;
    const std::size_t n = read_fully(fd, s.data() + old, target - old, path, eof);
    const std::size_t got = old + n;
    read_pos += n;
    if (read_pos >= limit) eof = true;
    s.resize(got);
    if (cr_only) std::replace(s.begin() + static_cast<std::ptrdiff_t>(old), s.end(), '\r', '\n');
    return got > old;
  }

  void resolve_columns() {
    map = map_columns(header, opt, path);
    column_field.assign(header.size(), -1);
    for (std::size_t i = 0; i < kImportFieldCount; ++i) {
      const int c = map.column[i];
      if (c < 0) continue;
      const auto f = static_cast<F>(i);
      if (field_table()[i].numeric) {
        numeric_cols.emplace_back(static_cast<std::uint32_t>(c), f);
        if (column_field.size() < header.size()) column_field.assign(header.size(), -1);
        if (column_field[static_cast<std::size_t>(c)] >= 0) fast_ok = false;
        column_field[static_cast<std::size_t>(c)] = static_cast<int>(i);
      } else {
        text_cols.emplace_back(static_cast<std::uint32_t>(c), f);
      }
    }
    slot_of.assign(header.size(), -1);
    text_column.assign(header.size(), false);
    slots = 0;
    for (const auto& [c, f] : numeric_cols) {
      if (slot_of[c] < 0) slot_of[c] = static_cast<int>(slots++);
    }
    for (const auto& [c, f] : text_cols) {
      if (slot_of[c] < 0) slot_of[c] = static_cast<int>(slots++);
      text_column[c] = true;
    }
    key_index.clear();
    if (format == TableFormat::json) {
      for (std::size_t j = 0; j < header.size(); ++j)
        key_index.emplace(header[j], static_cast<int>(j));
    }
  }

  // ---- serial block reading ----
  bool read_csv(Batch& b) {
    if (done) return false;
    std::string& raw = b.raw;
    const auto cut = csv::next_block(
        raw, carry, std::max(block, carry.size() + 4096), delim, opt.max_record_bytes,
        [&](std::string& s, std::size_t want) { read_more(s, want); }, [&] { return eof; });
    if (!cut) {
      done = true;
      return false;
    }
    if (cut->kind == csv::BlockCut::too_long) {
      b.error = std::make_exception_ptr(
          InputError(path, next_line, 0,
                     "a record longer than " + std::to_string(opt.max_record_bytes >> 20) +
                         " MiB starts on this line: probably an unmatched quote"));
      done = true;
      carry.clear();
      raw.clear();
    } else if (cut->kind == csv::BlockCut::unterminated) {
      // The records before it are parsed (and may hold an earlier error).
      b.error = std::make_exception_ptr(
          InputError(path, next_line + csv::count_newlines(raw.data(), raw.size()), 0,
                     "a quoted field opened in the record starting on this line "
                     "is never closed: expected a closing '\"' before the end of "
                     "the file"));
    }
    if (eof) done = true;
    const std::uint64_t newlines = csv::count_newlines(raw.data(), raw.size());
    b.raw_first_line = next_line;
    b.raw_offset = offset;
    b.count = static_cast<std::size_t>(newlines + 1);
    next_line += newlines;
    offset += raw.size();
    return true;
  }

  bool read_json(Batch& b) {
    std::uint64_t col0 = 0;
    if (!json_blocks->next(b.raw, b.raw_first_line, col0, b.raw_offset, b.error)) return false;
    // Two numbers for materialize_json in fields a text source does not otherwise use: the
    // column offset of raw[0] on its line, and (arrays) the objects before the block.
    b.begin = col0;
    b.count = json_blocks->is_array() ? static_cast<std::size_t>(json_blocks->first_ordinal())
                                      : kNoOrdinal;
    return true;
  }

  // ---- row conversion (parallel, const) ----
  RowResult convert(const csv::Field* fields, std::size_t nf, std::uint64_t default_id,
                    ProfileChunk& out, std::size_t k, RowError& err, std::string& scratch) const {
    double v[kImportFieldCount];
    for (double& x : v) x = kMissing;
    for (const auto& [idx, f] : numeric_cols) {
      if (!parse_numeric(fields[idx], f, idx, v, err)) return RowResult::rejected;
    }
    return finish(v, fields, nf, default_id, out, k, err, scratch);
  }

  // The number in a numeric field into v[f]; false (err set) if it is not one.
  bool parse_numeric(const csv::Field& fld, F f, std::uint32_t idx, double* v,
                     RowError& err) const {
    const ParsedValue pv = detail::parse_value_fast(fld.p, fld.p + fld.n);
    if (pv.status == ValueStatus::invalid) {
      err = {static_cast<int>(idx), std::string(fld.view()), std::string(kExpectedNumber)};
      return false;
    }
    if (pv.percent && !is_rate(f)) {
      err = {static_cast<int>(idx), std::string(fld.view()),
             "expected a count such as 1234 or 1.2k, not a percentage"};
      return false;
    }
    v[static_cast<std::size_t>(f)] = pv.value;
    return true;
  }

  // The fast path for plain records (no quote at a field start, plain numbers): numbers are
  // parsed straight from the text, fast_float's end pointer doubling as the field end, so a
  // numeric field is read once. Fills fields[0..ncols) and v; returns one past the record, or
  // nullptr to send the record to the general path (which also produces any error).
  const char* fast_record(const char* p, const char* end, csv::Field* fields, double* v) const {
    const std::size_t ncols = column_field.size();
    for (std::size_t c = 0; c < ncols; ++c) {
      const char* s = p;
      const int f = column_field[c];
      if (f >= 0) {
        if (p < end) {
          const char ch = *p;
          if (static_cast<unsigned>(ch - '0') < 10u || ch == '-' || ch == '.') {
            double x;
            if (!detail::parse_plain_number(p, end, x)) {
              const auto r = fast_float::from_chars(p, end, x);
              if (r.ec != std::errc() || !std::isfinite(x)) return nullptr;
              p = r.ptr;
            }
            v[f] = x;
          } else if (ch != delim && ch != '\n') {
            return nullptr;
          }
        }
      } else {
        if (p < end && *p == '"') return nullptr;
        while (p < end && *p != delim && *p != '\n') ++p;
      }
      fields[c] = {s, static_cast<std::uint32_t>(p - s), false};
      if (c + 1 < ncols) {
        if (p < end && *p == delim) {
          ++p;
          continue;
        }
        return nullptr;
      }
    }
    // End of the record: '\n', "\r\n" or the end of the data.
    csv::Field& last = fields[ncols - 1];
    if (p == end) {
      if (last.n > 0 && last.p[last.n - 1] == '\r') --last.n;
      return end;
    }
    if (*p == '\n') {
      if (last.n > 0 && last.p[last.n - 1] == '\r') --last.n;
      return p + 1;
    }
    if (*p == '\r' && p + 1 < end && p[1] == '\n') return p + 2;
    return nullptr;
  }

  RowResult finish(const double* v, const csv::Field* fields, std::size_t nf,
                   std::uint64_t default_id, ProfileChunk& out, std::size_t k, RowError& err,
                   std::string& scratch) const {
    (void)nf;
    auto val = [&](F f) { return v[static_cast<std::size_t>(f)]; };
    auto col = [&](F f) { return map[f]; };
    auto fail = [&](F f, std::string expected) {
      const int c = col(f);
      std::string text;
      if (c >= 0) text = fields[c].p ? std::string(fields[c].view()) : shortest(val(f));
      err = {c, std::move(text), std::move(expected)};
      return RowResult::rejected;
    };

    const double followers = val(field(Column::followers));
    if (is_missing(followers)) {
      // Empty, null or absent alike, in every format (a row of empty fields included).
      return fail(field(Column::followers),
                  "expected the follower count (the followers column is required), "
                  "such as 1234, 1.2k or 3.5M");
    }
    // Ranges: refuse, never clamp.
    static constexpr F kCounts[] = {field(Column::followers),
                                    field(Column::following),
                                    field(Column::posts),
                                    field(Column::avg_likes),
                                    field(Column::avg_comments),
                                    field(Column::avg_shares),
                                    field(Column::avg_views),
                                    field(Column::price_per_post),
                                    F::avg_engagements,
                                    F::authentic_engagement,
                                    F::total_likes};
    for (F f : kCounts) {
      if (val(f) < 0)
        return fail(f, "expected a count >= 0 (negative values are refused, not clamped)");
    }
    if (!is_missing(val(F::engagement_rate)) &&
        (val(F::engagement_rate) < 0 || val(F::engagement_rate) > 1)) {
      return fail(F::engagement_rate,
                  "expected an engagement rate between 0% and 100% (a plain number is a fraction: "
                  "0.0139 or 1.39%)");
    }
    for (F f : {field(Column::reply_rate), field(Column::fake_follower_share)}) {
      if (!is_missing(val(f)) && (val(f) < 0 || val(f) > 1)) {
        return fail(f, "expected a share between 0 and 1 (0% to 100%)");
      }
    }
    if (val(field(Column::follower_growth_30d)) < -1) {
      return fail(field(Column::follower_growth_30d), "expected a relative growth >= -1 (-100%)");
    }
    std::uint64_t id = default_id;
    if (!is_missing(val(field(Column::id)))) {
      const double x = val(field(Column::id));
      if (x < 0 || x != std::floor(x) || x >= 9007199254740992.0) {
        return fail(field(Column::id),
                    "expected a non-negative integer id (or --map id= to ignore the column)");
      }
      id = static_cast<std::uint64_t>(x);
    }

    // Derivations (docs/model.md "Import: deriving fields").
    double likes = val(field(Column::avg_likes));
    F likes_from = field(Column::avg_likes);
    const double comments = val(field(Column::avg_comments));
    const double shares = val(field(Column::avg_shares));
    const double known_other =
        (is_missing(comments) ? 0.0 : comments) + (is_missing(shares) ? 0.0 : shares);
    if (is_missing(likes)) {
      double total = kMissing;
      if (!is_missing(val(F::avg_engagements))) {
        total = val(F::avg_engagements);
        likes_from = F::avg_engagements;
      } else if (!is_missing(val(F::engagement_rate))) {
        total = val(F::engagement_rate) * followers;
        likes_from = F::engagement_rate;
      }
      if (!is_missing(total)) {
        likes = total - known_other;
        if (likes < 0) {
          return fail(likes_from, "expected at least avg_comments + avg_shares (" +
                                      fmt_num(known_other) +
                                      ") engagements per post, as likes are derived from it");
        }
      } else if (!is_missing(val(F::total_likes)) && val(field(Column::posts)) > 0) {
        likes = val(F::total_likes) / val(field(Column::posts));
        likes_from = F::total_likes;
      }
    }
    const double cap = 100.0 * followers;
    if (likes > cap) {
      return fail(likes_from,
                  "expected at most 100 x followers (" + fmt_num(cap) +
                      ") likes per post (an engagement of this size is refused, not clamped)");
    }
    if (comments > cap)
      return fail(field(Column::avg_comments),
                  "expected at most 100 x followers (" + fmt_num(cap) + ") comments per post");
    if (shares > cap)
      return fail(field(Column::avg_shares),
                  "expected at most 100 x followers (" + fmt_num(cap) + ") shares per post");

    double fake = val(field(Column::fake_follower_share));
    const double authentic = val(F::authentic_engagement);
    if (is_missing(fake) && !is_missing(authentic)) {
      double total = val(F::avg_engagements);
      if (is_missing(total) && !is_missing(val(field(Column::avg_likes))))
        total = val(field(Column::avg_likes)) + known_other;
      if (!is_missing(total)) {
        if (authentic > total) {
          return fail(F::authentic_engagement, "expected at most the total engagements per post (" +
                                                   fmt_num(total) +
                                                   "): the authentic part cannot exceed the whole");
        }
        if (authentic > 0 && total > 0) fake = 1.0 - authentic / total;
      }
    }

    // Text columns (the chunk is reused between batches: clear what this row may not set).
    out.handle[k].clear();
    out.country[k].clear();
    std::uint8_t platform =
        opt.default_platform ? static_cast<std::uint8_t>(*opt.default_platform) : kUnknown;
    // Niche: the niche column, else the first category, else the second (resolved at once:
    // the text may live in the scratch buffer).
    std::uint8_t niche = kUnknown, niche_cat = kUnknown, niche_cat2 = kUnknown;
    for (const auto& [idx, f] : text_cols) {
      const csv::Field& fld = fields[idx];
      std::string_view t;
      if (fld.escaped) {
        csv::unescape(fld, scratch);
        t = trim(scratch);
      } else {
        t = trim(fld.view());
      }
      if (t.find('\0') != std::string_view::npos) {
        err = {static_cast<int>(idx), std::string(t),
               "found a NUL byte: expected text (is this a binary file?)"};
        return RowResult::rejected;
      }
      if (!valid_utf8(t)) {
        err = {static_cast<int>(idx), std::string(fld.view()),
               "expected UTF-8 text (save the file as UTF-8)"};
        return RowResult::rejected;
      }
      const bool known = !is_missing_text(t);
      if (f == field(Column::handle)) {
        if (!t.empty() && t.front() == '@') t.remove_prefix(1);
        std::string& h = out.handle[k];
        h.assign(t);
        repair_double_utf8(h);
      } else if (f == field(Column::country)) {
        if (known) {
          std::string& c = out.country[k];
          c.assign(t);
          repair_double_utf8(c);
        }
      } else if (f == field(Column::platform) && known) {
        const auto p = platform_from_text(t);
        if (!p) {
          err = {static_cast<int>(idx), std::string(t),
                 "expected a platform: one of " + platform_list()};
          return RowResult::rejected;
        }
        platform = static_cast<std::uint8_t>(*p);
      } else if (f == field(Column::niche) && known) {
        const auto n = parse_niche(t);
        niche = static_cast<std::uint8_t>(n ? *n : niche_from_category(t));
      } else if (f == F::category && known) {
        niche_cat = static_cast<std::uint8_t>(niche_from_category(t));
      } else if (f == F::category2 && known) {
        niche_cat2 = static_cast<std::uint8_t>(niche_from_category(t));
      }
    }
    if (niche == kUnknown) niche = niche_cat != kUnknown ? niche_cat : niche_cat2;

    out.id[k] = id;
    out.platform[k] = platform;
    out.niche[k] = niche;
    out.followers[k] = followers;
    out.following[k] = val(field(Column::following));
    out.posts[k] = val(field(Column::posts));
    out.avg_likes[k] = likes;
    out.avg_comments[k] = comments;
    out.avg_shares[k] = shares;
    out.avg_views[k] = val(field(Column::avg_views));
    out.reply_rate[k] = val(field(Column::reply_rate));
    out.fake_follower_share[k] = fake;
    out.follower_growth_30d[k] = val(field(Column::follower_growth_30d));
    out.price_per_post[k] = val(field(Column::price_per_post));
    out.true_fake_share[k] = kMissing;
    // The ranges every input format shares (values.hpp), after the derivations.
    if (const auto bad = check_profile_ranges(out, k)) {
      // The source column the value came from: a derived avg_likes or fake share names its own.
      F f = field(bad->column);
      if (bad->column == Column::avg_likes) f = likes_from;
      if (bad->column == Column::fake_follower_share && !map.has(f)) f = F::authentic_engagement;
      return fail(f, bad->expected);
    }
    return RowResult::kept;
  }

  std::string column_label(int idx) const {
    if (idx < 0) return "";
    if (static_cast<std::size_t>(idx) < header.size()) return header[static_cast<std::size_t>(idx)];
    return "#" + std::to_string(idx + 1);
  }
  std::string field_of(int idx) const {
    for (std::size_t i = 0; i < kImportFieldCount; ++i) {
      if (map.column[i] == idx) return std::string(field_table()[i].name);
    }
    return "";
  }

  // Records one refused row: into b.rejects (skip) or as an InputError (strict).
  void reject(Batch& b, std::uint64_t line, const RowError& e, std::string_view raw) const {
    RejectedRow r;
    r.line = line;
    r.column =
        (format == TableFormat::csv && e.field >= 0) ? static_cast<std::uint64_t>(e.field) + 1 : 0;
    r.column_name = column_label(e.field);
    r.text = e.text;
    r.reason = e.expected;
    r.raw.assign(raw);
    if (opt.on_error == OnError::strict) {
      std::string msg;
      if (e.field >= 0) {
        const std::string f = field_of(e.field);
        msg = (format == TableFormat::json ? "key \"" : "column \"") + shown(r.column_name) + "\"";
        if (!f.empty() && normalize_header(f) != normalize_header(r.column_name))
          msg += " (" + f + ")";
        msg += ": found '" + shown(e.text) + "': ";
      }
      msg += e.expected;
      throw InputError(path, line, r.column, msg);
    }
    b.rejects.push_back(std::move(r));
  }

  void materialize_csv(Batch& b) const {
    const char* p = b.raw.data();
    const char* end = p + b.raw.size();
    ProfileChunk& out = b.profiles;
    out.resize(b.count);  // every kept row writes every column: no need to clear first
    std::vector<csv::Field> fields;
    fields.reserve(header.size() + 4);
    std::vector<csv::Field> fast_fields(header.size());
    double v[kImportFieldCount];
    csv::RecordInfo info;
    std::string scratch;
    RowError err;
    std::uint64_t line = b.raw_first_line;
    std::size_t k = 0;
    std::uint64_t rows = 0;
    const std::size_t ncols = header.size();
    while (p < end) {
      const char* rec = p;
      if (fast_ok) {
        for (double& x : v) x = kMissing;
        if (const char* next = fast_record(p, end, fast_fields.data(), v)) {
          const std::uint64_t rec_line = line;
          line += next[-1] == '\n' ? 1 : 0;
          p = next;
          const RowResult r = finish(v, fast_fields.data(), ncols, rec_line, out, k, err, scratch);
          ++rows;
          if (r == RowResult::kept) {
            ++k;
          } else {
            reject(b, rec_line, err,
                   std::string_view(rec, static_cast<std::size_t>(csv::strip_eol(rec, p) - rec)));
          }
          continue;
        }
      }
      p = csv::parse_record(p, end, delim, fields, info);
      const std::uint64_t rec_line = line;
      line += info.newlines;
      if (fields.size() == 1 && fields[0].n == 0 && ncols > 1) continue;  // empty line
      const auto raw =
          std::string_view(rec, static_cast<std::size_t>(csv::strip_eol(rec, p) - rec));
      if (info.error != csv::FieldError::none) {
        ++rows;
        const int f = static_cast<int>(info.error_field);
        reject(b, rec_line,
               {f, std::string(fields[info.error_field].view()),
                info.error == csv::FieldError::text_after_quote
                    ? "expected the delimiter or the end of the line right after the closing quote "
                      "of a quoted field (write a quote inside a quoted field as \"\")"
                    : "expected a closing quote"},
               raw);
        continue;
      }
      if (fields.size() != ncols) {
        if (csv::is_blank_line(rec, p)) continue;
        ++rows;
        const std::size_t c = std::min(fields.size(), ncols);
        reject(
            b, rec_line,
            {static_cast<int>(c), c < fields.size() ? std::string(fields[c].view()) : std::string(),
             "expected " + std::to_string(ncols) + " fields as in the header, found " +
                 std::to_string(fields.size())},
            raw);
        continue;
      }
      const RowResult r = convert(fields.data(), fields.size(), rec_line, out, k, err, scratch);
      ++rows;
      if (r == RowResult::kept) {
        ++k;
      } else {
        reject(b, rec_line, err, raw);
      }
    }
    out.resize(k);
    out.first_row = b.raw_first_line;
    b.rows_read = rows;
  }

  // Objects parsed by simdjson (json_rows.hpp); the values of mapped keys go through the same
  // conversion as CSV fields: a JSON string is its text, a number its value, null an empty
  // field, true/false and nested values their text (refused where a number is expected).
  void materialize_json(Batch& b) const {
    thread_local simdjson::dom::parser parser = [] {
      simdjson::dom::parser p;
      p.threaded = false;
      return p;
    }();
    // Which keys this object had (duplicates): a stamp per header column, a new one per object.
    thread_local std::vector<std::uint64_t> stamp;
    thread_local std::uint64_t object_stamp = 0;
    if (stamp.size() < header.size()) stamp.resize(header.size(), 0);
    ProfileChunk& out = b.profiles;
    out.clear();
    out.resize(std::max<std::size_t>(b.raw.size() / 64, 16));
    std::vector<csv::Field> fields(header.size(), csv::Field{"", 0, false});
    std::vector<std::string> cell(slots);
    std::vector<double> num(slots);
    std::vector<std::string> cache_key;  // the previous object's keys, in order, and columns
    std::vector<int> cache_col;
    std::string scratch;
    RowError err;
    std::size_t k = 0;
    std::uint64_t rows = 0;
    json::for_each_document(
        parser, b.raw.data(), b.raw.size(), b.raw_first_line, b.begin, path,
        [&](const json::Document& d) {
          ++rows;
          // The default id: the object's ordinal in an array, else its line.
          const std::uint64_t id = b.count == kNoOrdinal ? d.line : b.count + rows;
          const auto raw = [&] {
            return d.text.size() > 4096 ? std::string(d.text.substr(0, 4096)) + "..."
                                        : std::string(d.text);
          };
          simdjson::dom::object obj;
          if (d.value.get(obj)) {
            reject(b, d.line,
                   {-1, "",
                    std::string("found ") + json::type_name(d.value) +
                        ": expected an object {\"key\": value, ...} for each record"},
                   raw());
            return;
          }
          ++object_stamp;
          for (const auto& [idx, f] : numeric_cols) fields[idx] = csv::Field{"", 0, false};
          for (const auto& [idx, f] : text_cols) fields[idx] = csv::Field{"", 0, false};
          std::size_t i = 0;
          for (auto field : obj) {
            int col;
            if (i < cache_key.size() && cache_key[i] == field.key) {
              col = cache_col[i];
            } else {
              const auto it = key_index.find(std::string(field.key));
              col = it == key_index.end() ? -1 : it->second;
              if (i < cache_key.size()) {
                cache_key[i].assign(field.key);
                cache_col[i] = col;
              } else {
                cache_key.emplace_back(field.key);
                cache_col.push_back(col);
              }
            }
            ++i;
            if (col < 0) continue;  // a key first seen after an invalid document
            if (stamp[static_cast<std::size_t>(col)] == object_stamp) {
              reject(b, d.line,
                     {col, std::string(field.key),
                      "the key appears twice in this object: expected each key once"},
                     raw());
              return;
            }
            stamp[static_cast<std::size_t>(col)] = object_stamp;
            const int slot = slot_of[static_cast<std::size_t>(col)];
            if (slot < 0) continue;
            const auto sl = static_cast<std::size_t>(slot);
            using T = simdjson::dom::element_type;
            const simdjson::dom::element v = field.value;
            switch (v.type()) {
              case T::STRING: {
                const std::string_view t = v.get_string().value_unsafe();
                fields[col] = {t.data(), static_cast<std::uint32_t>(t.size()), false};
                break;
              }
              case T::NULL_VALUE:
                break;
              case T::INT64:
              case T::UINT64:
              case T::DOUBLE:
                num[sl] = v.get_double().value_unsafe();
                if (!text_column[static_cast<std::size_t>(col)]) {
                  fields[col] = {nullptr, 0, false};  // the value is in num[sl]
                  break;
                }
                [[fallthrough]];
              default:
                json::cell_text(v, cell[sl]);
                fields[col] = {cell[sl].data(), static_cast<std::uint32_t>(cell[sl].size()), false};
                break;
            }
          }
          double vals[kImportFieldCount];
          for (double& x : vals) x = kMissing;
          for (const auto& [idx, f] : numeric_cols) {
            const csv::Field& fld = fields[idx];
            if (fld.p == nullptr) {
              vals[static_cast<std::size_t>(f)] = num[static_cast<std::size_t>(slot_of[idx])];
              continue;
            }
            if (!parse_numeric(fld, f, idx, vals, err)) {
              reject(b, d.line, err, raw());
              return;
            }
          }
          if (k == out.size()) out.resize(2 * k);
          const RowResult r = finish(vals, fields.data(), fields.size(), id, out, k, err, scratch);
          if (r == RowResult::kept) {
            ++k;
          } else {
            reject(b, d.line, err, raw());
          }
        });
    out.resize(k);
    out.first_row = b.raw_first_line;
    b.rows_read = rows;
  }
};

ImportSource::ImportSource(const std::string& path, const ImportOptions& opt,
                           std::size_t batch_rows)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.path = path;
  m.opt = opt;
  // A block of text per batch: the option, else about 128 bytes per requested row, within
  // [256 KiB, 16 MiB].
  if (opt.block_bytes) {
    m.block = opt.block_bytes;
  } else if (batch_rows) {
    m.block =
        std::clamp<std::size_t>(batch_rows * 128, std::size_t{256} << 10, std::size_t{16} << 20);
  }
  TableFormat fmt;
  if (opt.format) {
    fmt = *opt.format;
  } else {
    std::string ext = path.substr(
        path.find_last_of('.') == std::string::npos ? path.size() : path.find_last_of('.'));
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".json" || ext == ".ndjson" || ext == ".jsonl") {
      fmt = TableFormat::json;
    } else if (ext == ".csv" || ext == ".tsv" || ext == ".txt" || ext == ".tab") {
      fmt = TableFormat::csv;
    } else {
      // Ask the table reader (it sniffs the first byte).
      fmt = TableReader::open(path, TableOptions{})->format();
    }
  }
  m.format = fmt;
  if (fmt == TableFormat::json) {
    m.json_blocks = std::make_unique<json::BlockReader>(path, m.block, opt.max_record_bytes);
    m.delim = 0;
    m.file_size = m.json_blocks->file_size();
    if (dist::distributed() && split_refusal().empty()) {
      m.header_pending = true;  // collected per share by select_bytes
      return;
    }
    std::exception_ptr first_error;
    m.header = json::collect_keys(*m.json_blocks, path, &first_error);
    m.json_blocks->rewind();
    try {
      m.resolve_columns();
    } catch (const InputError&) {
      // No followers key before the first invalid object: name the fault itself.
      if (first_error) std::rethrow_exception(first_error);
      throw;
    }
    return;
  }
  m.open_csv();
  m.resolve_columns();
}

ImportSource::~ImportSource() = default;

bool ImportSource::read(Batch& b) {
  return impl_->format == TableFormat::json ? impl_->read_json(b) : impl_->read_csv(b);
}

void ImportSource::materialize(Batch& b) const {
  // Errors go into b.error (rethrown in input order by the pipeline), so the error reported is
  // the first in the file. A row error of this block comes before an error read() found at
  // its end (an unclosed quote, a JSON syntax error).
  try {
    if (impl_->format == TableFormat::json) {
      impl_->materialize_json(b);
    } else {
      impl_->materialize_csv(b);
    }
  } catch (const InputError&) {  // strict: the first bad row of this block
    b.error = std::current_exception();
    b.profiles.clear();
    b.rejects.clear();
  }
}

std::uint64_t ImportSource::size_hint() const {
  return impl_->file_size;
}

std::string ImportSource::describe() const {
  return impl_->path;
}

std::vector<Column> ImportSource::absent_columns() const {
  const ColumnMapping& m = mapping();
  const auto has = [&](F f) { return m.has(f); };
  std::vector<Column> absent;
  const std::pair<Column, bool> present[] = {
      {Column::handle, has(field(Column::handle))},
      {Column::platform, has(field(Column::platform)) || impl_->opt.default_platform.has_value()},
      {Column::niche, has(field(Column::niche)) || has(F::category) || has(F::category2)},
      {Column::following, has(field(Column::following))},
      {Column::posts, has(field(Column::posts))},
      {Column::avg_likes, has(field(Column::avg_likes)) || has(F::avg_engagements) ||
                              has(F::engagement_rate) ||
                              (has(F::total_likes) && has(field(Column::posts)))},
      {Column::avg_comments, has(field(Column::avg_comments))},
      {Column::avg_shares, has(field(Column::avg_shares))},
      {Column::avg_views, has(field(Column::avg_views))},
      {Column::reply_rate, has(field(Column::reply_rate))},
      {Column::fake_follower_share,
       has(field(Column::fake_follower_share)) ||
           (has(F::authentic_engagement) &&
            (has(F::avg_engagements) || has(field(Column::avg_likes))))},
      {Column::follower_growth_30d, has(field(Column::follower_growth_30d))},
      {Column::price_per_post, has(field(Column::price_per_post))},
      {Column::country, has(field(Column::country))},
  };
  for (const auto& [c, ok] : present) {
    if (!ok) absent.push_back(c);
  }
  return absent;
}
const std::vector<std::string>& ImportSource::header() const {
  impl_->check_header();
  return impl_->header;
}
const ColumnMapping& ImportSource::mapping() const {
  impl_->check_header();
  return impl_->map;
}
TableFormat ImportSource::format() const {
  return impl_->format;
}
char ImportSource::delimiter() const {
  return impl_->delim;
}

std::vector<std::string> ImportSource::mapping_report() const {
  const Impl& m = *impl_;
  m.check_header();
  std::vector<std::string> lines;
  auto hdr = [&](F f) { return "\"" + shown(m.header[static_cast<std::size_t>(m.map[f])]) + "\""; };
  for (std::size_t i = 0; i < kImportFieldCount; ++i) {
    const auto f = static_cast<F>(i);
    if (!m.map.has(f)) continue;
    std::string s = std::string(field_table()[i].name) + " <- " + hdr(f);
    if (m.map.from_map[i]) s += " (--map)";
    lines.push_back(s);
  }
  const bool likes = m.map.has(field(Column::avg_likes));
  if (!likes && m.map.has(F::avg_engagements)) {
    lines.push_back(
        "avg_likes = " + hdr(F::avg_engagements) +
        " - avg_comments - avg_shares (the known ones); comments stay missing unless given");
  } else if (!likes && m.map.has(F::engagement_rate)) {
    lines.push_back("avg_likes = " + hdr(F::engagement_rate) +
                    " x followers - avg_comments - avg_shares (the known ones)");
  } else if (!likes && m.map.has(F::total_likes) && m.map.has(field(Column::posts))) {
    lines.push_back("avg_likes = " + hdr(F::total_likes) + " / " + hdr(field(Column::posts)));
  }
  if (!m.map.has(field(Column::fake_follower_share)) && m.map.has(F::authentic_engagement) &&
      (m.map.has(F::avg_engagements) || likes)) {
    lines.push_back(
        "fake_follower_share = 1 - " + hdr(F::authentic_engagement) + " / " +
        (m.map.has(F::avg_engagements) ? hdr(F::avg_engagements) : "(avg_likes + avg_comments)") +
        " (a bare 0 authentic engagement is read as not measured)");
  }
  if (!m.map.has(field(Column::platform))) {
    lines.push_back(
        m.opt.default_platform
            ? "platform = " +
                  std::string(platform_name(static_cast<std::uint8_t>(*m.opt.default_platform))) +
                  " for every row (no platform column; --platform to change)"
            : "platform = unknown (no platform column, --platform none)");
  }
  if (!m.map.has(field(Column::id))) {
    lines.push_back(m.format == TableFormat::csv
                        ? "id = the line number of each record"
                        : (m.json_blocks && m.json_blocks->is_array()
                               ? "id = the ordinal of each object in the array (1, 2, ...)"
                               : "id = the line where each object starts"));
  }
  std::string ignored;
  for (std::size_t j = 0; j < m.header.size(); ++j) {
    bool used = false;
    for (int c : m.map.column) used |= c == static_cast<int>(j);
    if (!used) ignored += (ignored.empty() ? "" : ", ") + ("\"" + shown(m.header[j]) + "\"");
  }
  if (!ignored.empty()) lines.push_back("ignored columns: " + ignored);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Byte ranges (distributed runs).
namespace {

// Reads the file at given offsets (its own descriptor: the reader's stays where it is).
class FileAt {
 public:
  explicit FileAt(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw InputError(path, 0, 0, std::string("cannot open: ") + std::strerror(errno));
  }
  ~FileAt() { ::close(fd_); }
  FileAt(const FileAt&) = delete;
  FileAt& operator=(const FileAt&) = delete;
  // Up to n bytes at `at` (fewer only at the end of the file).
  std::size_t read(std::uint64_t at, char* buf, std::size_t n) const {
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, buf + got, n - got, static_cast<off_t>(at + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        throw InputError(path_, 0, 0, std::string("read failed: ") + std::strerror(errno));
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    return got;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

constexpr std::size_t kScanPiece = std::size_t{1} << 20;

bool json_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

std::string ImportSource::split_refusal() const {
  const Impl& m = *impl_;
  struct stat st {};
  if (::stat(m.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return "not a regular file: a pipe or device is read by one process";
  if (m.format == TableFormat::json && m.json_blocks->is_array())
    return "a JSON array ([{...}, ...]) cannot be cut into parts at object starts: write one "
           "object per line (NDJSON), or run this command as one process";
  return "";
}

std::uint64_t ImportSource::data_begin() const {
  return impl_->format == TableFormat::json ? 0 : impl_->data_begin;
}
std::uint64_t ImportSource::data_first_line() const {
  return impl_->format == TableFormat::json ? 1 : impl_->data_line;
}
std::uint64_t ImportSource::file_bytes() const {
  return impl_->file_size;
}

ImportSource::ScanSummary ImportSource::scan_bytes(std::uint64_t begin, std::uint64_t end) const {
  const Impl& m = *impl_;
  ScanSummary out;
  out.states = csv::StateMachine::kIdentity;
  const bool json = m.format == TableFormat::json;
  const csv::StateMachine sm(json ? ',' : m.delim, m.cr_only);
  const FileAt file(m.path);
  std::string buf(kScanPiece, '\0');
  while (begin < end) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(end - begin, kScanPiece));
    const std::size_t n = file.read(begin, buf.data(), want);
    if (n == 0) break;
    if (!json) out.states = sm.run(out.states, buf.data(), n);
    out.lines += csv::count_newlines(buf.data(), n);
    if (m.cr_only)
      out.lines += static_cast<std::uint64_t>(std::count(buf.data(), buf.data() + n, '\r'));
    begin += n;
    throw_if_cancelled();
  }
  return out;
}

std::pair<std::uint64_t, std::uint64_t> ImportSource::record_start(std::uint64_t pos,
                                                                   int state) const {
  const Impl& m = *impl_;
  const std::uint64_t begin = data_begin();
  if (pos <= begin) return {begin, 0};
  const FileAt file(m.path);
  std::string buf(kScanPiece, '\0');
  std::uint64_t lines = 0;
  if (m.format != TableFormat::json) {
    const csv::StateMachine sm(m.delim, m.cr_only);
    char prev = 0;
    file.read(pos - 1, &prev, 1);
    if (state == csv::StateMachine::field_start && sm.is_newline(prev)) return {pos, 0};
    for (std::uint64_t at = pos;;) {
      const std::size_t n = file.read(at, buf.data(), kScanPiece);
      if (n == 0) return {at, lines};
      for (std::size_t i = 0; i < n; ++i) {
        const char c = buf[i];
        state = sm.step(state, c);
        if (!sm.is_newline(c)) continue;
        ++lines;
        if (state == csv::StateMachine::field_start) return {at + i + 1, lines};
      }
      at += n;
    }
  }
  // Objects one after another: a line end between '}' and '{' (blanks around it), as the
  // one-process reader cuts its blocks (json_rows.cpp).
  char last = 0;  // the last non-blank byte before pos
  for (std::uint64_t to = pos; to > 0 && !last;) {
    const std::uint64_t from = to > kScanPiece ? to - kScanPiece : 0;
    const std::size_t n = file.read(from, buf.data(), static_cast<std::size_t>(to - from));
    for (std::size_t i = n; i-- > 0;)
      if (!json_ws(buf[i])) {
        last = buf[i];
        break;
      }
    to = from;
  }
  char prev = 0;
  file.read(pos - 1, &prev, 1);
  std::uint64_t candidate = prev == '\n' && last == '}' ? pos : 0, candidate_lines = 0;
  for (std::uint64_t at = pos;;) {
    const std::size_t n = file.read(at, buf.data(), kScanPiece);
    if (n == 0) return {at, lines};
    for (std::size_t i = 0; i < n; ++i) {
      const char c = buf[i];
      if (c == '\n') {
        ++lines;
        if (last == '}' && !candidate) {
          candidate = at + i + 1;
          candidate_lines = lines;
        }
      } else if (!json_ws(c)) {
        if (candidate && c == '{') return {candidate, candidate_lines};
        candidate = 0;
        last = c;
      }
    }
    at += n;
  }
}

void ImportSource::select_bytes(std::uint64_t begin, std::uint64_t end, std::uint64_t first_line) {
  Impl& m = *impl_;
  m.selected = true;
  m.sel_begin = begin;
  m.sel_end = end;
  m.sel_line = first_line;
  if (m.format == TableFormat::json) {
    m.json_blocks->select(begin, end, first_line);
    if (m.header_pending) m.share_header();
    return;
  }
  if (::lseek(m.fd, static_cast<off_t>(begin), SEEK_SET) < 0)
    throw InputError(m.path, 0, 0, std::string("cannot seek: ") + std::strerror(errno));
  m.read_pos = begin;
  m.limit = end;
  m.carry.clear();
  m.eof = begin >= end;
  m.done = false;
  m.next_line = first_line;
  m.offset = begin;
}

void ImportSource::rewind_selection() {
  Impl& m = *impl_;
  if (!m.selected)
    throw Error("ImportSource::rewind_selection without a selection (internal error)");
  select_bytes(m.sel_begin, m.sel_end, m.sel_line);
}

std::unique_ptr<ImportSource> make_import_source(const std::string& path, const ImportOptions& opt,
                                                 std::size_t batch_rows) {
  return std::make_unique<ImportSource>(path, opt, batch_rows);
}

bool is_import_path(const std::string& path) {
  const auto dot = path.find_last_of('.');
  if (dot == std::string::npos) return false;
  std::string ext = path.substr(dot);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".csv" || ext == ".tsv" || ext == ".txt" || ext == ".tab" || ext == ".json" ||
         ext == ".ndjson" || ext == ".jsonl";
}

// ---------------------------------------------------------------------------------------------
Dedupe parse_dedupe(const std::string& option, const std::string& text) {
  if (text == "first") return Dedupe::first;
  if (text == "last") return Dedupe::last;
  if (text == "keep") return Dedupe::keep;
  throw ConfigError(option, text,
                    "expected first (keep the first row of each account), last or keep "
                    "(keep every row, only count the duplicates)");
}

std::uint64_t account_key(const ProfileChunk& p, std::size_t i) {
  const std::string& h = p.handle[i];
  if (h.empty()) return 0;
  // FNV-1a over the platform code and the lowered handle, then a final mix.
  std::uint64_t x = 0xcbf29ce484222325ull;
  const auto mix = [&](unsigned char c) {
    x ^= c;
    x *= 0x100000001b3ull;
  };
  mix(p.platform[i]);
  for (char c : h) mix(static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x ? x : 1;
}

DedupeSink::DedupeSink(Dedupe mode, std::vector<BatchSink*> next)
    : mode_(mode), next_(std::move(next)) {}

void DedupeSink::set_counts(std::unordered_map<std::uint64_t, std::uint32_t> counts) {
  seen_ = std::move(counts);
}

void DedupeSink::consume(const Batch& b) {
  const ProfileChunk& p = b.profiles;
  std::vector<std::uint32_t> drop;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const std::uint64_t k = account_key(p, i);
    if (!k) continue;
    if (mode_ == Dedupe::last) {
      auto it = seen_.find(k);
      if (it == seen_.end() || it->second <= 1) continue;  // the last (or only) row
      if (it->second == 2) ++repeated_;
      --it->second;
      ++duplicates_;
      drop.push_back(static_cast<std::uint32_t>(i));
      continue;
    }
    const std::uint32_t n = ++seen_[k];
    if (n == 1) continue;
    ++duplicates_;
    if (n == 2) ++repeated_;
    if (mode_ == Dedupe::first) drop.push_back(static_cast<std::uint32_t>(i));
  }
  if (drop.empty()) {
    for (BatchSink* s : next_) s->consume(b);
    return;
  }
  Batch& f = filtered_;
  f.sequence = b.sequence;
  f.raw_first_line = b.raw_first_line;
  f.raw_offset = b.raw_offset;
  f.rows_read = b.rows_read;
  f.rejects = b.rejects;
  f.profiles.clear();
  f.scores.resize(0);
  f.profiles.first_row = p.first_row;
  const bool scored = b.scores.size() == p.size();
  std::size_t d = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (d < drop.size() && drop[d] == i) {
      ++d;
      continue;
    }
    f.profiles.append_row(p, i);
    if (scored) f.scores.append_row(b.scores, i);
  }
  for (BatchSink* s : next_) s->consume(f);
}

void CountKeysSink::consume(const Batch& b) {
  for (std::size_t i = 0; i < b.profiles.size(); ++i) {
    if (const std::uint64_t k = account_key(b.profiles, i)) ++counts[k];
  }
}

// ---------------------------------------------------------------------------------------------
std::string csv_quote(std::string_view s) {
  bool need = false;
  for (char c : s) {
    if (c == ',' || c == '"' || c == '\n' || c == '\r') {
      need = true;
      break;
    }
  }
  if (!need && !s.empty() && (s.front() == ' ' || s.back() == ' ')) need = true;
  if (!need) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

struct RejectsWriter::Impl {
  std::string path;
  std::FILE* f = nullptr;
};

RejectsWriter::RejectsWriter(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->f = std::fopen(path.c_str(), "wb");
  if (!impl_->f) throw Error(path + ": cannot create the rejects file: " + std::strerror(errno));
  std::fputs("line,column,column_name,text,reason,row\n", impl_->f);
}

RejectsWriter::~RejectsWriter() {
  if (impl_->f) std::fclose(impl_->f);
}

void RejectsWriter::write(const RejectedRow& r) {
  const std::string s = std::to_string(r.line) + "," + std::to_string(r.column) + "," +
                        csv_quote(r.column_name) + "," + csv_quote(r.text) + "," +
                        csv_quote(r.reason) + "," + csv_quote(r.raw) + "\n";
  std::fwrite(s.data(), 1, s.size(), impl_->f);
}

void RejectsWriter::close() {
  if (!impl_->f) return;
  const bool bad = std::ferror(impl_->f) != 0;
  const int rc = std::fclose(impl_->f);
  impl_->f = nullptr;
  if (bad || rc != 0)
    throw Error(impl_->path + ": writing the rejects file failed: " + std::strerror(errno));
}

}  // namespace microreach
