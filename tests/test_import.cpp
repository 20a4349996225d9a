// Import of exports: column mapping, derivations (docs/model.md "Import: deriving fields"),
// every error class with its line and column, skip mode, block and thread independence, the
// HDF5 round trip, and the five real exports in ../shared/data.
#include <tbb/global_control.h>
#include <catch2/catch.hpp>

#include <unistd.h>
#include <atomic>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "microreach/cancel.hpp"
#include "microreach/error.hpp"
#include "microreach/import.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/pipeline.hpp"
#include "microreach/scoring.hpp"
#include "microreach/synth.hpp"
#include "test_util.hpp"

using namespace microreach;

namespace {

const std::string kData = std::string(MICROREACH_TEST_DATA) + "/import/";

using test::TempFile;

class RejectCollector : public BatchSink {
 public:
  void consume(const Batch& b) override {
    rows.insert(rows.end(), b.rejects.begin(), b.rejects.end());
  }
  std::vector<RejectedRow> rows;
};

struct Imported {
  ProfileChunk p;
  ScoreChunk s;
  std::vector<RejectedRow> rejects;
  PipelineStats stats;
};

Imported import_file(const std::string& path, const ImportOptions& opt = {},
                     std::size_t batch_rows = 1024, bool score = false) {
  auto src = make_import_source(path, opt, batch_rows);
  CollectSink sink;
  RejectCollector rc;
  PipelineOptions po;
  ScoringConfig cfg;
  po.score = score;
  po.scoring = &cfg;
  Imported r;
  r.stats = run_pipeline(*src, {&sink, &rc}, po);
  r.p = std::move(sink.profiles);
  r.s = std::move(sink.scores);
  r.rejects = std::move(rc.rows);
  return r;
}

int find_handle(const ProfileChunk& p, const std::string& h) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p.handle[i] == h) return static_cast<int>(i);
  }
  return -1;
}

std::uint8_t code(Niche n) {
  return static_cast<std::uint8_t>(n);
}
std::uint8_t code(Platform p) {
  return static_cast<std::uint8_t>(p);
}

// Imports `bytes` strictly and expects an InputError at line:column naming `needle`.
void expect_refused(const std::string& bytes, std::uint64_t line, std::uint64_t column,
                    const std::string& needle, const ImportOptions& opt = {},
                    const std::string& name = "bad.csv") {
  TempFile f(name, bytes);
  INFO(bytes);
  try {
    import_file(f.path, opt);
    FAIL("accepted");
  } catch (const InputError& e) {
    INFO(e.what());
    CHECK(e.file() == f.path);
    CHECK(e.line() == line);
    CHECK(e.column() == column);
    CHECK(std::string(e.what()).find(needle) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("aliases map the headers of the five real exports", "[import]") {
  const ImportOptions opt;
  using F = ImportField;
  // Headers copied from ../shared/data (see the *.source.txt files).
  const auto sep =
      map_columns({"S.no", "Instagram name", " Name", "Subscribers", "Audience country",
                   "Authentic engagement\n", "Engagement average\n", "Category_1", "Category_2"},
                  opt, "sep.csv");
  CHECK(sep[import_field(Column::handle)] == 1);
  CHECK(sep[import_field(Column::followers)] == 3);
  CHECK(sep[import_field(Column::country)] == 4);
  CHECK(sep[F::authentic_engagement] == 5);
  CHECK(sep[F::avg_engagements] == 6);
  CHECK(sep[F::category] == 7);
  CHECK(sep[F::category2] == 8);
  CHECK(sep[import_field(Column::id)] == -1);  // S.no is a rank with duplicates, not an id
  const auto top =
      map_columns({"rank", "channel_info", "influence_score", "posts", "followers", "avg_likes",
                   "60_day_eng_rate", "new_post_avg_like", "total_likes", "country"},
                  opt, "top.csv");
  CHECK(top[import_field(Column::handle)] == 1);
  CHECK(top[import_field(Column::posts)] == 3);
  CHECK(top[import_field(Column::followers)] == 4);
  CHECK(top[import_field(Column::avg_likes)] == 5);
  CHECK(top[F::engagement_rate] == 6);
  CHECK(top[F::total_likes] == 8);
  CHECK(top[import_field(Column::country)] == 9);
  const auto srf = map_columns(
      {"Profile.URL", "rating", "Username", "Number.of.posts", "Number.of.people.they.follow",
       "Number.of.followers", "has_profile_picture", "Private.account"},
      opt, "srf.csv");
  CHECK(srf[import_field(Column::handle)] == 2);
  CHECK(srf[import_field(Column::posts)] == 3);
  CHECK(srf[import_field(Column::following)] == 4);
  CHECK(srf[import_field(Column::followers)] == 5);
  const auto kim =
      map_columns({"Username", "Category", "#Followers", "#Followees", "#Posts"}, opt, "kim.txt");
  CHECK(kim[import_field(Column::handle)] == 0);
  CHECK(kim[F::category] == 1);
  CHECK(kim[import_field(Column::followers)] == 2);
  CHECK(kim[import_field(Column::following)] == 3);
  CHECK(kim[import_field(Column::posts)] == 4);
  const auto fake = map_columns(
      {"userFollowerCount", "userFollowingCount", "userBiographyLength", "userMediaCount",
       "userHasProfilPic", "userIsPrivate", "usernameDigitCount", "usernameLength", "isFake"},
      opt, "fake.json");
  CHECK(fake[import_field(Column::followers)] == 0);
  CHECK(fake[import_field(Column::following)] == 1);
  CHECK(fake[import_field(Column::posts)] == 3);
  CHECK(fake[import_field(Column::handle)] == -1);
}

TEST_CASE("the alias list covers the documented column names", "[import]") {
  using F = ImportField;
  const ImportOptions opt;
  const std::pair<const char*, F> cases[] = {
      {"follower_count", import_field(Column::followers)},
      {"followers_count", import_field(Column::followers)},
      {"subscribers", import_field(Column::followers)},
      {"# Followers", import_field(Column::followers)},
      {"Number of followers", import_field(Column::followers)},
      {"likes_avg", import_field(Column::avg_likes)},
      {"Avg Likes", import_field(Column::avg_likes)},
      {"eng_rate", F::engagement_rate},
      {"Engagement Rate", F::engagement_rate},
      {"Followees", import_field(Column::following)},
      {"Media Count", import_field(Column::posts)},
      {"Category", F::category}};
  for (const auto& [name, field] : cases) {
    INFO(name);
    // followers itself is required: the other fields are tried beside a plain "followers".
    const auto m = field == import_field(Column::followers)
                       ? map_columns({"x", name}, opt, "x.csv")
                       : map_columns({"followers", name}, opt, "x.csv");
    CHECK(m[field] == 1);
  }
}

TEST_CASE("Option --map overrides aliases, ignores a column, and refuses unknown names",
          "[import]") {
  ImportOptions opt;
  opt.add_map("followers=Fans total");
  opt.add_map("handle=");
  const auto m = map_columns({"username", "Fans total", "followers"}, opt, "x.csv");
  CHECK(m[import_field(Column::followers)] == 1);
  CHECK(m.from_map[static_cast<std::size_t>(import_field(Column::followers))]);
  CHECK(m[import_field(Column::handle)] == -1);
  CHECK_THROWS_AS(opt.add_map("folowers=X"), ConfigError);
  CHECK_THROWS_AS(opt.add_map("followers"), ConfigError);
  ImportOptions bad;
  bad.add_map("followers=Nope");
  try {
    map_columns({"a", "b"}, bad, "x.csv");
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("--map") != std::string::npos);
    CHECK(std::string(e.what()).find("\"a\", \"b\"") != std::string::npos);
  }
}

TEST_CASE("a missing followers column is an error naming it and listing the header found",
          "[import]") {
  TempFile f("nofollowers.csv", "handle,likes_avg\nx,5\n");
  try {
    import_file(f.path);
    FAIL("accepted");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK(m.find("no followers column") != std::string::npos);
    CHECK(m.find("\"handle\", \"likes_avg\"") != std::string::npos);
    CHECK(m.find("--map followers=") != std::string::npos);
  }
}

TEST_CASE("an export shaped like instagram_sep2022 imports with derived likes and fake share",
          "[import]") {
  const Imported r = import_file(kData + "sep2022_shape.csv");
  REQUIRE(r.p.size() == 6);
  CHECK(r.rejects.empty());
  const int a = find_handle(r.p, "alpha.one");
  REQUIRE(a >= 0);
  CHECK(r.p.followers[a] == 47900000.0);
  CHECK(r.p.avg_likes[a] == 620000.0);  // Engagement average: all of it, comments unknown
  CHECK(std::isnan(r.p.avg_comments[a]));
  CHECK(r.p.fake_follower_share[a] == 1.0 - 500000.0 / 620000.0);
  CHECK(r.p.country[a] == "India");
  CHECK(r.p.niche[a] == code(Niche::sports));
  CHECK(r.p.platform[a] == code(Platform::instagram));
  CHECK(r.p.id[a] == 4);  // the record starts on line 4 (the header spans 3 lines)
  const int g = find_handle(r.p, "gamma");
  CHECK(r.p.niche[g] == code(Niche::parenting));  // empty Category_1, Category_2 "Family"
  CHECK(r.p.country[g].empty());
  const int d = find_handle(r.p, "delta");
  CHECK(std::isnan(r.p.fake_follower_share[d]));  // authentic 0 beside 12K: not measured
  CHECK(r.p.followers[d] == 999900.0);
  const int e = find_handle(r.p, "epsilon");
  CHECK(r.p.avg_likes[e] == 0.0);
  CHECK(r.p.niche[e] == kUnknown);
  const int z = find_handle(r.p, "zeta");
  CHECK(r.p.fake_follower_share[z] == 0.0);
  CHECK(r.p.niche[z] == code(Niche::music));
}

TEST_CASE("an export shaped like top_insta derives likes from the rate or the total", "[import]") {
  const Imported r = import_file(kData + "top_insta_shape.csv");
  REQUIRE(r.p.size() == 4);
  CHECK(r.p.avg_likes[0] == 8700000.0);  // avg_likes given: used as is
  CHECK(r.p.posts[0] == 3300.0);
  CHECK(r.p.avg_likes[1] == 0.0162 * 1200000.0);  // 1.62% x 1.2m
  CHECK(r.p.avg_likes[2] == 3.0e9 / 1500.0);      // NaN% rate: total_likes / posts
  CHECK(std::isnan(r.p.avg_likes[3]));            // nothing to derive from
  CHECK(r.p.handle[2] == "gamma gamma");
  CHECK(r.p.country[3] == "C\xC3\xB4te d'Ivoire");  // double-encoded UTF-8 repaired
  CHECK(r.p.country[2].empty());
}

TEST_CASE("a tab export with a rule line maps categories to niches", "[import]") {
  const Imported r = import_file(kData + "kim_shape.txt");
  REQUIRE(r.p.size() == 8);
  const std::uint8_t want[] = {code(Niche::beauty),    code(Niche::travel), code(Niche::fashion),
                               code(Niche::fashion),   code(Niche::pets),   code(Niche::home),
                               code(Niche::parenting), code(Niche::other)};
  for (std::size_t i = 0; i < 8; ++i) {
    INFO(r.p.handle[i]);
    CHECK(r.p.niche[i] == want[i]);
    CHECK(r.p.id[i] == i + 3);  // header, rule line, then one record per line
  }
  CHECK(r.p.following[3] == 0.0);
  CHECK(r.p.posts[1] == 569.0);
}

TEST_CASE("R-style quoting and JSON arrays import", "[import]") {
  const Imported srf = import_file(kData + "srf_shape.csv");
  REQUIRE(srf.p.size() == 2);
  CHECK(srf.p.handle[0] == "__a._");
  CHECK(srf.p.followers[1] == 12.0);
  CHECK(srf.p.following[1] == 7500.0);
  CHECK(srf.p.posts[1] == 30.0);
  const Imported js = import_file(kData + "instafake_shape.json");
  REQUIRE(js.p.size() == 2);
  CHECK(js.p.followers[1] == 4492.0);
  CHECK(js.p.posts[1] == 29.0);
  CHECK(js.p.id[0] == 1);  // the ordinal in the array
  CHECK(js.p.id[1] == 2);
  CHECK(js.p.handle[0].empty());
}

TEST_CASE("NDJSON with platform, niche, category, $ prices and @handles", "[import]") {
  const Imported r = import_file(kData + "mixed.ndjson");
  REQUIRE(r.p.size() == 2);
  CHECK(r.p.handle[0] == "tok_star");
  CHECK(r.p.platform[0] == code(Platform::tiktok));
  CHECK(r.p.niche[0] == code(Niche::gaming));
  CHECK(r.p.avg_views[0] == 2500000.0);
  CHECK(r.p.price_per_post[0] == 1200.0);
  CHECK(r.p.avg_comments[0] == 800.0);
  CHECK(r.p.platform[1] == code(Platform::youtube));
  CHECK(r.p.niche[1] == code(Niche::tech));  // "Computers & Gadgets"
  CHECK(r.p.avg_likes[1] == 0.03 * 250000.0);
  CHECK(r.p.fake_follower_share[1] == 0.12);
  CHECK(r.p.country[1].empty());
}

TEST_CASE("a BOM, CRLF and a semicolon delimiter are handled together", "[import]") {
  const Imported r = import_file(kData + "bom_crlf_semicolon.csv");
  REQUIRE(r.p.size() == 2);
  CHECK(r.p.handle[0] == "semi;colon");
  CHECK(r.p.followers[0] == 12000.0);
  CHECK(r.p.avg_comments[0] == 12.0);
  CHECK(r.p.followers[1] == 1500.0);
  CHECK(r.p.avg_likes[1] == 45.0);  // given likes win over the rate
  CHECK(std::isnan(r.p.avg_comments[1]));
}

TEST_CASE("blank lines before the header do not confuse delimiter detection", "[import]") {
  TempFile f("lead.csv", "\xEF\xBB\xBF\r\n \t\n\"handle\";followers\r\n\"x\"\"y\";1.5k\r\n");
  const Imported r = import_file(f.path);
  REQUIRE(r.p.size() == 1);
  CHECK(r.p.handle[0] == "x\"y");
  CHECK(r.p.followers[0] == 1500.0);
  CHECK(r.p.id[0] == 4);
}

TEST_CASE("a missing platform column uses --platform, or unknown with none", "[import]") {
  TempFile f("p.csv", "followers\n100\n");
  ImportOptions opt;
  opt.default_platform = Platform::tiktok;
  CHECK(import_file(f.path, opt).p.platform[0] == code(Platform::tiktok));
  opt.default_platform.reset();
  CHECK(import_file(f.path, opt).p.platform[0] == kUnknown);
}

TEST_CASE("every bad value class is refused with its line, column, text and expectation",
          "[import]") {
  const std::string h = "handle,followers,avg_likes,engagement_rate,fake_follower_share\n";
  expect_refused(h + "a,100,5,,\nb,12x,5,,\n", 3, 2, "found '12x': expected a number such as");
  expect_refused(h + "a,100,5,,\nb,-5,5,,\n", 3, 2, "expected a count >= 0");
  expect_refused(h + "a,100,5,,\nb,5%,5,,\n", 3, 2, "not a percentage");
  expect_refused(h + "a,100,5,,\nb,,5,,\n", 3, 2, "the followers column is required");
  expect_refused(h + "a,100,,101%,\n", 2, 4, "between 0% and 100%");
  expect_refused(h + "a,100,,1.39,\n", 2, 4, "between 0% and 100%");  // 139 %, not 1.39 %
  expect_refused(h + "a,100,10001,,\n", 2, 3, "at most 100 x followers");
  expect_refused(h + "a,100,,,1.5\n", 2, 5, "between 0 and 1");
  expect_refused(h + "a,100,,,-0.1\n", 2, 5, "between 0 and 1");
  expect_refused(h + "a,100,5,,\nb,100,5\n", 3, 4, "expected 5 fields as in the header, found 3");
  expect_refused(h + "a,100,5,,,\n", 2, 6, "expected 5 fields as in the header, found 6");
  expect_refused(h + "\"a\"x,100,5,,\n", 2, 1, "right after the closing quote");
  expect_refused(h + "a,100,5,,\n\"b,100,5,,\n", 3, 0, "never closed");
  expect_refused(h + "\xC3(,100,5,,\n", 2, 1, "expected UTF-8 text");
  expect_refused("handle,platform,followers\na,myspace,5\n", 2, 2, "expected a platform");
  expect_refused("id,followers\n1.5,5\n", 2, 1, "non-negative integer id");
  // Derived values are checked too: 2% of 100 followers is 2 likes, minus 5 comments < 0.
  expect_refused("followers,avg_comments,engagement_rate\n100,5,2%\n", 2, 3,
                 "as likes are derived from it");
  expect_refused("followers,avg_engagements,authentic_engagement\n100,50,60\n", 2, 3,
                 "cannot exceed the whole");
  // The message names the column as the file writes it, and the field it feeds.
  expect_refused("Subscribers\n1.2.3\n", 2, 1, "column \"Subscribers\" (followers)");
  // JSON: no column numbers, the key is named.
  expect_refused("[{\"followers\": 5},\n {\"followers\": \"lots\"}]", 2, 0,
                 "key \"followers\": found 'lots'", {}, "bad.json");
}

TEST_CASE("strict import reports the first bad row of the file whatever the block size",
          "[import]") {
  std::string s = "handle,followers\n";
  for (int i = 0; i < 20000; ++i)
    s += "h" + std::to_string(i) + "," + std::to_string(1000 + i) + "\n";
  s += "bad,oops\n";  // line 20002
  // Later blocks hold bad rows too; some finish parsing before the first one does.
  for (int i = 0; i < 20000; ++i) s += (i % 50 ? "late,5\n" : "late,-1\n");
  TempFile f("first.csv", s);
  for (std::size_t block : {std::size_t{4096}, std::size_t{1} << 20}) {
    ImportOptions opt;
    opt.block_bytes = block;
    try {
      import_file(f.path, opt);
      FAIL("accepted");
    } catch (const InputError& e) {
      CHECK(e.line() == 20002);
      CHECK(e.column() == 2);
    }
  }
}

TEST_CASE("a bad row is reported before an unclosed quote later in the file", "[import]") {
  std::string s = "handle,followers\nx,12x\n";
  for (int i = 0; i < 20000; ++i) s += "h,1000\n";
  s += "\"never closed,5\n";
  ImportOptions opt;
  opt.block_bytes = 4096;
  expect_refused(s, 2, 2, "found '12x'", opt);
  std::string j = "[{\"followers\": \"12x\"},\n";
  for (int i = 0; i < 5000; ++i) j += "{\"followers\": 5},\n";
  j += "{\"followers\": }]";
  // JSON errors come in file order too: the bad value before the syntax error.
  expect_refused(j, 1, 0, "found '12x'", opt, "bad.json");
  std::string k = "[{\"followers\": 12},\n";
  for (int i = 0; i < 5000; ++i) k += "{\"followers\": 5},\n";
  k += "{\"followers\": }]";
  expect_refused(k, 5002, 15, "expected a value", opt, "bad2.json");
}

TEST_CASE("With --on-error skip, good rows are kept and each bad row is listed with its reason",
          "[import]") {
  TempFile f("skip.csv",
             "handle,followers,avg_likes\n"
             "ok1,100,5\n"
             "bad1,abc,5\n"
             "ok2,200,\n"
             "\n"
             "bad2,100,20000\n"
             "bad3,100\n"
             ",,\n"
             "ok3,\"1,234\",7\n");
  ImportOptions opt;
  opt.on_error = OnError::skip;
  const Imported r = import_file(f.path, opt);
  CHECK(r.p.size() == 3);
  CHECK(r.stats.rows == 3);
  CHECK(r.stats.rejected == 4);
  CHECK(r.stats.rows_read == 7);  // a blank line is not a row; a row of empty fields is
  REQUIRE(r.rejects.size() == 4);
  CHECK(r.rejects[0].line == 3);
  CHECK(r.rejects[0].column == 2);
  CHECK(r.rejects[0].column_name == "followers");
  CHECK(r.rejects[0].text == "abc");
  CHECK(r.rejects[0].raw == "bad1,abc,5");
  CHECK(r.rejects[1].line == 6);
  CHECK(r.rejects[1].column == 3);
  CHECK(r.rejects[1].reason.find("100 x followers") != std::string::npos);
  CHECK(r.rejects[2].line == 7);
  CHECK(r.rejects[3].line == 8);
  CHECK(r.rejects[3].reason.find("follower count") != std::string::npos);
  CHECK(r.p.handle == std::vector<std::string>{"ok1", "ok2", "ok3"});
  CHECK(r.p.followers[2] == 1234.0);
}

TEST_CASE("an unclosed quote stops even a skipping import: the rest of the file is one field",
          "[import]") {
  TempFile f("open.csv", "handle,followers\na,1\n\"b,2\nc,3\n");
  ImportOptions opt;
  opt.on_error = OnError::skip;
  CHECK_THROWS_AS(import_file(f.path, opt), InputError);
}

TEST_CASE("results do not depend on block size or thread count", "[import]") {
  // Quoted newlines, doubled quotes and CRLF straddle many block boundaries.
  std::string s = "handle,bio,followers,avg_likes,engagement_rate\r\n";
  for (int i = 0; i < 30000; ++i) {
    s += "\"h" + std::to_string(i) + "\",\"line one\r\nline \"\"two\"\", " + std::to_string(i) +
         "\"," + std::to_string(1000 + 7 * i) + "," + (i % 3 ? std::to_string(i % 500) : "") + "," +
         (i % 3 ? "" : "2.5%") + "\r\n";
  }
  TempFile f("det.csv", s);
  ImportOptions small;
  small.block_bytes = 4096;
  Imported a, b;
  {
    tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
    a = import_file(f.path, small);
  }
  {
    tbb::global_control two(tbb::global_control::max_allowed_parallelism, 2);
    b = import_file(f.path);
  }
  REQUIRE(a.p.size() == 30000);
  REQUIRE(b.p.size() == 30000);
  CHECK(a.p.handle == b.p.handle);
  CHECK(a.p.id == b.p.id);
  CHECK(a.p.followers == b.p.followers);
  for (std::size_t i = 0; i < a.p.size(); ++i) {
    const double x = a.p.avg_likes[i], y = b.p.avg_likes[i];
    if (!(x == y)) REQUIRE(std::memcmp(&x, &y, sizeof x) == 0);
  }
  CHECK(a.p.id[29999] == 2 + 2 * 29999);  // each record spans two lines
  CHECK(a.p.avg_likes[3] == 0.025 * (1000 + 21));
}

TEST_CASE("CSV -> HDF5 keeps every value bit for bit", "[import]") {
  const Imported r = import_file(kData + "full.csv");
  REQUIRE(r.p.size() == 4);
  CHECK(r.p.handle[1] == "quote \"q\" \xF0\x9F\x98\x80");
  CHECK(r.p.country[2] == "multi\nline");
  CHECK(r.p.avg_views[2] == 3.3333333333333335);
  CHECK(r.p.followers[3] == 12345.678901234567);
  const std::string h5path = (std::filesystem::temp_directory_path() /
                              ("mr_import_rt_" + std::to_string(::getpid()) + ".h5"))
                                 .string();
  {
    h5::File file = h5::File::create(h5path, {h5::kFiletypeProfiles, 0, "", "test"});
    {
      h5::ProfileWriter w(file.id(), {}, false);
      w.append(r.p);
    }
    file.close();
  }
  h5::ProfileReader reader(h5path);
  ProfileChunk back;
  REQUIRE(reader.read(back, 100));
  std::filesystem::remove(h5path);
  REQUIRE(back.size() == r.p.size());
  CHECK(back.id == r.p.id);
  CHECK(back.handle == r.p.handle);
  CHECK(back.platform == r.p.platform);
  CHECK(back.niche == r.p.niche);
  CHECK(back.country == r.p.country);
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    const auto* x = r.p.numeric(static_cast<Column>(c));
    if (!x) continue;
    const auto* y = back.numeric(static_cast<Column>(c));
    INFO(column_info(static_cast<Column>(c)).name);
    REQUIRE(x->size() == y->size());
    CHECK(std::memcmp(x->data(), y->data(), x->size() * sizeof(double)) == 0);
  }
}

TEST_CASE("the five real exports in shared/data import strictly and score sanely", "[import]") {
  const std::string dir = MICROREACH_SHARED_DATA;
  if (!std::filesystem::is_directory(dir)) {
    WARN("shared data directory absent: " << dir);
    return;
  }
  struct Case {
    const char* file;
    std::size_t rows;
  };
  // Row counts from the *.source.txt notes.
  const Case cases[] = {{"top_insta_influencers_data.csv", 200},
                        {"instagram_sep2022_social_media_influencers.csv", 1050},
                        {"srf_instagram_labelled_1000_inclprivate.csv", 975},
                        {"kim2020_instagram_influencers.txt", 33935},
                        {"instafake_fakeAccountData.json", 200},
                        {"instafake_realAccountData.json", 994}};
  const ScoringConfig cfg;
  for (const auto& c : cases) {
    INFO(c.file);
    const Imported r = import_file(dir + "/" + c.file, {}, 4096, /*score=*/true);
    CHECK(r.p.size() == c.rows);
    CHECK(r.stats.rejected == 0);
    REQUIRE(r.s.size() == r.p.size());
    for (std::size_t i = 0; i < r.p.size(); ++i) {
      REQUIRE(r.p.followers[i] >= 0);
      // The scoring leaves the tier unknown for 0 followers (no benchmark at size 0).
      const auto want = r.p.followers[i] > 0
                            ? static_cast<std::uint8_t>(tier_of(r.p.followers[i], cfg))
                            : kUnknown;
      REQUIRE(r.s.tier[i] == want);
    }
  }
  const Imported top = import_file(dir + "/top_insta_influencers_data.csv", {}, 4096, true);
  const int cr = find_handle(top.p, "cristiano");
  REQUIRE(cr >= 0);
  CHECK(top.p.followers[cr] == 475800000.0);
  CHECK(top.p.avg_likes[cr] == 8700000.0);
  CHECK(top.s.tier[cr] == static_cast<std::uint8_t>(Tier::mega));
  const int rk = find_handle(top.p, "rkive");  // the NaN% row
  REQUIRE(rk >= 0);
  CHECK(std::isnan(top.s.score[rk]) == false);
  const Imported sep =
      import_file(dir + "/instagram_sep2022_social_media_influencers.csv", {}, 4096, true);
  const int ty = find_handle(sep.p, "tylerthecreator");
  if (ty >= 0) CHECK(sep.p.followers[ty] > 1e6);
  const Imported kim = import_file(dir + "/kim2020_instagram_influencers.txt");
  const int mk = find_handle(kim.p, "makeupbynvs");
  REQUIRE(mk >= 0);
  CHECK(kim.p.followers[mk] == 1432.0);
  CHECK(kim.p.niche[mk] == code(Niche::beauty));
  CHECK(kim.p.id[mk] == 3);
  const int gio = find_handle(kim.p, "gio");
  REQUIRE(gio >= 0);
  CHECK(kim.p.niche[gio] == code(Niche::fashion));  // "fashion 0.5"
}

// ---- JSON conformance: every value a reader keeps is valid JSON ----
TEST_CASE("JSON values nested in a row must be valid JSON", "[import][json]") {
  // JSONTestSuite n_ cases, alone and nested inside a record.
  // (value, the offset of the fault in it, what the message names)
  const std::vector<std::tuple<std::string, std::size_t, std::string>> bad = {
      {"[1,,2]", 3, "expected a value"},
      {"{'a':0}", 1, "expected a \"key\""},
      {"-01", 0, "leading zeros"},
      {"2.", 0, "digits after the decimal point"},
      {"1eE2", 0, "digits in the exponent"},
      {"[1,]", 3, "expected a value"},
      {"tru", 0, "expected a value"},
      {"\"a\tb\"", 2, "control character"},
      {"[\"\\x\"]", 2, "escape"},
      {"1e400", 0, "range of a double"},
      {"18446744073709551616", 0, "at most 18446744073709551615"},
      {"-9223372036854775809", 0, "at least -9223372036854775808"},
  };
  for (const auto& [v, off, needle] : bad) {
    const std::string doc = "{\"followers\": 5, \"extra\": " + v + "}\n";
    expect_refused("{\"followers\": 1}\n" + doc, 2, doc.find(v) + off + 1, needle, {},
                   "bad.ndjson");
  }
  // and as the value of a column the importer reads
  expect_refused("{\"followers\": -01}\n", 1, 15, "leading zeros", {}, "lz.ndjson");
  expect_refused("[{\"followers\": 2.}]", 1, 16, "decimal point", {}, "dp.json");
  expect_refused("{\"followers\": " + std::string(31, '2') + "}\n", 1, 15,
                 "found '22222222222222222222...': expected a whole number of at most", {},
                 "big.ndjson");
  expect_refused("{\"followers\": 5, \"x\": [1,,2]}\n", 1, 26, "expected a value", {}, "n.ndjson");
  // the edges of the 64-bit range, and a larger number written as a double, are kept
  TempFile edge("edge.ndjson",
                "{\"followers\": 7, \"a\": 18446744073709551615, \"b\": -9223372036854775808, "
                "\"c\": 2.5e20, \"d\": " +
                    std::string(31, '2') + ".0}\n");
  const Imported r = import_file(edge.path);
  REQUIRE(r.p.size() == 1);
  CHECK(r.p.followers[0] == 7.0);
}

TEST_CASE("a JSON object with 200k keys is read in linear time", "[import][json]") {
  std::string s = "{\"followers\": 12";
  for (int i = 0; i < 200000; ++i) s += ", \"k" + std::to_string(i) + "\": " + std::to_string(i);
  s += "}\n{\"followers\": 3}\n";
  TempFile f("wide.ndjson", s);
  // CPU seconds of the whole process (all threads), not wall time: a loaded machine or a
  // sanitizer build waits longer but does not compute more.
  const std::clock_t c0 = std::clock();
  const Imported r = import_file(f.path);
  const double cpu_secs = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  REQUIRE(r.p.size() == 2);
  CHECK(r.p.followers[0] == 12.0);
  CHECK(cpu_secs < 10.0);  // quadratic key handling takes minutes here
  TempFile dup("dup.ndjson", "{\"followers\": 1, \"a\": 1, \"b\": 2, \"a\": 3}\n");
  CHECK_THROWS_WITH(import_file(dup.path), Catch::Contains("appears twice"));
}

TEST_CASE("a missing required value is refused the same way in JSON and CSV", "[import][json]") {
  for (const std::string v : {"null", "\"\"", "\"NaN\"", "\"  \""}) {
    INFO(v);
    expect_refused("{\"followers\": 10}\n{\"handle\": \"x\", \"followers\": " + v + "}\n", 2, 0,
                   "expected the follower count", {}, "m.ndjson");
  }
  expect_refused("{\"followers\": 10}\n{\"handle\": \"x\"}\n", 2, 0, "expected the follower count",
                 {}, "absent.ndjson");
  expect_refused("[{\"followers\": 10},\n {}]", 2, 0, "expected the follower count", {}, "e.json");
  expect_refused("handle,followers\nx,10\ny,\n", 3, 2, "expected the follower count");
  expect_refused("handle,followers\nx,10\n,\n", 3, 2, "expected the follower count");
  // an optional value: null, "", "NaN" and absent are all missing, as an empty CSV field
  TempFile j("opt.ndjson",
             "{\"followers\": 1, \"avg_likes\": null}\n{\"followers\": 1, \"avg_likes\": \"\"}\n"
             "{\"followers\": 1, \"avg_likes\": \"NaN\"}\n{\"followers\": 1}\n"
             "{\"followers\": 1, \"avg_likes\": 7}\n");
  TempFile c("opt.csv", "followers,avg_likes\n1,\n1,\"\"\n1,NaN\n1,\n1,7\n");
  const Imported a = import_file(j.path), b = import_file(c.path);
  REQUIRE(a.p.size() == 5);
  REQUIRE(b.p.size() == 5);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(std::isnan(a.p.avg_likes[i]));
    CHECK(std::isnan(b.p.avg_likes[i]));
  }
  CHECK(a.p.avg_likes[4] == 7.0);
  CHECK(b.p.avg_likes[4] == 7.0);
  // a boolean or a nested value where a number is expected is refused, not read as missing
  expect_refused("{\"followers\": true}\n", 1, 0, "found 'true'", {}, "b.ndjson");
  expect_refused("{\"followers\": [5]}\n", 1, 0, "found '[5]'", {}, "a.ndjson");
}

TEST_CASE("NDJSON import gives the same rows for any block size and thread count, as an array",
          "[import][json]") {
  std::string nd, arr = "[";
  for (int i = 0; i < 3000; ++i) {
    const std::string o = "{\"handle\": \"u" + std::to_string(i) +
                          "\", \"followers\": " + std::to_string(1000 + 7 * i) +
                          ", \"avg_likes\": \"" + std::to_string(i % 50) +
                          ".5\", \"tags\": {\"a\": [1, 2]}}";
    nd += o + "\n";
    arr += (i ? ",\n" : "\n") + o;
  }
  arr += "\n]\n";
  TempFile n("same.ndjson", nd), a("same.json", arr);
  const Imported base = import_file(n.path);
  REQUIRE(base.p.size() == 3000);
  CHECK(base.p.id[0] == 1);
  CHECK(base.p.id[2999] == 3000);
  for (std::size_t block : {std::size_t{512}, std::size_t{4096}, std::size_t{1} << 20}) {
    for (int threads : {1, 2, 3}) {
      tbb::global_control gc(tbb::global_control::max_allowed_parallelism,
                             static_cast<std::size_t>(threads));
      ImportOptions opt;
      opt.block_bytes = block;
      for (const std::string* path : {&n.path, &a.path}) {
        const Imported r = import_file(*path, opt);
        REQUIRE(r.p.size() == 3000);
        CHECK(r.p.followers == base.p.followers);
        CHECK(r.p.avg_likes == base.p.avg_likes);
        CHECK(r.p.handle == base.p.handle);
        CHECK(r.p.id == base.p.id);  // line in NDJSON, ordinal in the array: the same here
      }
    }
  }
  // a syntax error in a late block is reported at its line and column
  ImportOptions opt;
  opt.block_bytes = 1024;
  expect_refused(nd + "{\"followers\": 01}\n", 3001, 15, "leading zeros", opt, "late.ndjson");
  expect_refused(arr.substr(0, arr.size() - 3) + ",\n {\"followers\": 1} {}]", 3002, 19,
                 "expected ',' or ']'", opt, "late.json");
}

TEST_CASE("the columns of an NDJSON file are its keys up to the first invalid object",
          "[import][json]") {
  // followers appears only after an invalid object: the invalid object is the error, for any
  // block size and thread count (blocks after it may be parsed before it is).
  std::string nd;
  for (int i = 0; i < 4000; ++i) {
    if (i == 2600) {
      nd += "{\"handle\": \"x\", \"posts\": 3,}\n";  // line 2601
      continue;
    }
    nd += "{\"handle\": \"u" + std::to_string(i) + "\", \"posts\": " + std::to_string(i % 9);
    nd += i > 3000 ? ", \"followers\": " + std::to_string(100 + i) + "}\n" : "}\n";
  }
  for (std::size_t block : {std::size_t{512}, std::size_t{4096}, std::size_t{1} << 20})
    for (int threads : {1, 2, 4}) {
      tbb::global_control gc(tbb::global_control::max_allowed_parallelism,
                             static_cast<std::size_t>(threads));
      ImportOptions opt;
      opt.block_bytes = block;
      INFO("block " << block << ", threads " << threads);
      expect_refused(nd, 2601, 28, "expected a \"key\" in double quotes", opt, "keys.ndjson");
    }
}

// ---- CSV conformance: the header obeys the rules of data rows ----
TEST_CASE("the CSV header line obeys the quoting rules of data rows", "[import][csv]") {
  expect_refused("\"handle,followers\nx,1\n", 1, 1, "never closed");
  expect_refused("\"handle\"x,followers\nx,1\n", 1, 1, "text after the closing quote");
  expect_refused("handle,\"followers\"\"\n" + std::string(300, 'x') + "\n\"x\",1\n", 1, 2,
                 "probably a quote never closed");
  // a quote inside an unquoted name is text, as in data rows
  TempFile q("q.csv", "han\"dle,followers\na,1\n\"b\",2\n");
  const Imported r = import_file(q.path);
  REQUIRE(r.p.size() == 2);
  CHECK(r.p.followers[1] == 2.0);
  // a quoted name may span lines (the Sep 2022 export has them)
  TempFile m("m.csv", "\"Handle\nname\",followers\na,1\n");
  CHECK(import_file(m.path).p.id[0] == 3);
}

TEST_CASE("header names are unique UTF-8 text", "[import][csv]") {
  expect_refused("handle,followers,Followers\nx,1,2\n", 1, 3, "repeats");
  expect_refused("followers,handle,followers\n1,x,2\n", 1, 3, "repeats");
  expect_refused("hand\xFFle,followers\nx,1\n", 1, 1, "not UTF-8");
  expect_refused("{\"followers\": 1, \"Followers\": 2}\n", 0, 0, "repeats", {}, "d.ndjson");
  // empty names may repeat (unnamed spreadsheet columns)
  TempFile e("e.csv", "followers,,\n1,a,b\n");
  CHECK(import_file(e.path).p.size() == 1);
}

TEST_CASE("rows of empty fields, too many fields, bare CR line ends, NUL bytes, binary files",
          "[import][csv]") {
  expect_refused("handle,followers\nx,1\n,,,\n", 3, 3, "expected 2 fields");
  expect_refused("handle,followers\nx,1\ny,2,3\n", 3, 3, "expected 2 fields");
  TempFile cr("cr.csv", "handle,followers\rx,1\ry,2\r\rz,3");
  const Imported r = import_file(cr.path);
  REQUIRE(r.p.size() == 3);
  CHECK(r.p.id == std::vector<std::uint64_t>{2, 3, 5});
  CHECK(r.p.handle[2] == "z");
  expect_refused(std::string("handle,followers\nx,1\na\0b,2\n", 27), 3, 1, "NUL byte");
  // a NUL byte is shown, not a place where the message stops
  expect_refused(std::string("handle,followers\nx,1\nab,1\0"
                             "2\n",
                             28),
                 3, 2, "'1\\x002'");
  std::string h5 = "\x89HDF\r\n\x1a\n";
  h5 += std::string(4000, '\0');
  expect_refused(h5, 0, 0, "an HDF5 file", {}, "p.csv");
  std::string bin;
  for (int i = 0; i < 70000; ++i) bin += static_cast<char>((i * 7919) % 256);
  expect_refused(bin, 0, 0, "binary data", {}, "b.csv");
  expect_refused(bin, 0, 0, "binary data", {}, "b.json");
}

// ---- One set of range checks for every input format ----
TEST_CASE("values out of range are refused in CSV, JSON and HDF5 input alike", "[import][ranges]") {
  expect_refused("handle,followers\nx,2e10\n", 2, 2, "between 0 and 1e+10");
  expect_refused("{\"followers\": 2e10}\n", 1, 0, "between 0 and 1e+10", {}, "r.ndjson");
  expect_refused("handle,followers,price\nx,10,-1\n", 2, 3, "expected a count >= 0");
  expect_refused("handle,followers,posts\nx,10,1e9\n", 2, 3, "a post count between 0 and 1e+08");
  expect_refused("{\"followers\": 10, \"fake_follower_share\": 7}\n", 1, 0, "share between 0 and 1",
                 {}, "s.ndjson");
  // HDF5: the pipeline checks what the file holds, naming the dataset and the index.
  const std::vector<std::pair<std::function<void(ProfileChunk&)>, std::string>> cases = {
      {[](ProfileChunk& p) { p.followers[3] = -5; }, "dataset /profiles/followers, index 3"},
      {[](ProfileChunk& p) { p.followers[4] = std::nan(""); }, "/profiles/followers, index 4"},
      {[](ProfileChunk& p) { p.followers[5] = 1e308; }, "/profiles/followers, index 5"},
      {[](ProfileChunk& p) { p.fake_follower_share[6] = 7; }, "/profiles/fake_follower_share"},
      {[](ProfileChunk& p) { p.platform[7] = 9; }, "/profiles/platform"},
      {[](ProfileChunk& p) { p.niche[8] = 200; }, "/profiles/niche"},
      {[](ProfileChunk& p) { p.price_per_post[9] = -1; }, "/profiles/price_per_post, index 9"},
  };
  for (const auto& [damage, needle] : cases) {
    ProfileChunk p;
    generate_chunk(3, 0, 50, GeneratorConfig{}, ScoringConfig{}, p);
    damage(p);
    TempFile f("bad.h5", "");
    {
      h5::File file = h5::File::create(f.path, {h5::kFiletypeProfiles, 3, "", "test"});
      {
        h5::TableSink sink(file.id(), {64, 0}, false, false);
        Batch b;
        b.profiles = p;
        sink.consume(b);
      }
      file.close();
    }
    Hdf5Source src(f.path, 16);
    CollectSink sink;
    PipelineOptions po;
    po.score = false;
    INFO(needle);
    CHECK_THROWS_WITH(run_pipeline(src, {&sink}, po), Catch::Contains(needle));
  }
}

namespace {

// Imports bytes [begin, end) of `path` (a distributed run's share) and appends what it read.
void import_part(const std::string& path, std::uint64_t begin, std::uint64_t end,
                 std::uint64_t line, std::vector<std::uint64_t>& ids,
                 std::vector<std::string>& handles, std::vector<std::uint64_t>& reject_lines) {
  ImportOptions opt;
  opt.on_error = OnError::skip;
  opt.block_bytes = 4096;
  auto src = make_import_source(path, opt, 256);
  src->select_bytes(begin, end, line);
  CollectSink sink;
  RejectCollector rc;
  PipelineOptions po;
  po.score = false;
  run_pipeline(*src, {&sink, &rc}, po);
  for (std::size_t i = 0; i < sink.profiles.size(); ++i) {
    ids.push_back(sink.profiles.id[i]);
    handles.push_back(sink.profiles.handle[i]);
  }
  for (const auto& r : rc.rows) reject_lines.push_back(r.line);
}

// For every byte offset of the data: the scanner's state there from two partial scans, the
// first record start at or after it, and the file read as the two parts on either side of
// that start gives the rows, ids (line numbers) and rejected lines of reading it whole.
void check_every_cut(const std::string& name, const std::string& bytes) {
  TempFile f(name, bytes);
  INFO(name);
  std::vector<std::uint64_t> ids, rejects;
  std::vector<std::string> handles;
  {
    auto whole = make_import_source(f.path, ImportOptions{}, 256);
    REQUIRE(whole->split_refusal().empty());
    import_part(f.path, whole->data_begin(), whole->file_bytes(), whole->data_first_line(), ids,
                handles, rejects);
  }
  REQUIRE(ids.size() >= 5);
  ImportOptions skip;
  skip.on_error = OnError::skip;
  auto src = make_import_source(f.path, skip, 256);
  const std::uint64_t begin = src->data_begin(), size = src->file_bytes();
  for (std::uint64_t at = begin; at <= size; ++at) {
    INFO("cut at byte " << at);
    const std::uint64_t mid = begin + (at - begin) / 2;
    const auto a = src->scan_bytes(begin, mid);
    const auto b = src->scan_bytes(mid, at);
    const auto apply = [](std::uint8_t map, int state) { return (map >> (2 * state)) & 3; };
    const int state = apply(b.states, apply(a.states, 0));
    const auto [start, lines] = src->record_start(at, state);
    REQUIRE(start >= at);
    std::vector<std::uint64_t> ids2, rejects2;
    std::vector<std::string> handles2;
    const std::uint64_t line = src->data_first_line() + a.lines + b.lines + lines;
    import_part(f.path, begin, start, src->data_first_line(), ids2, handles2, rejects2);
    import_part(f.path, start, size, line, ids2, handles2, rejects2);
    REQUIRE(ids2 == ids);
    REQUIRE(handles2 == handles);
    REQUIRE(rejects2 == rejects);
  }
}

}  // namespace

TEST_CASE("a CSV cut at any byte splits at the next record start into parts read as the whole",
          "[import][dist]") {
  // Quoted newlines and delimiters, doubled quotes, a quote inside an unquoted field (text), a
  // blank line, CRLF endings, rejected rows: the cut must land on a record start every time.
  check_every_cut("cut.csv",
                  "handle,followers,bio\n"
                  "a,100,\"one\ntwo\"\n"
                  "b,2k,say \"hi\" there\n"
                  "\n"
                  "c,x,\"bad, \"\"row\"\"\n\"\n"
                  "d,300,\"\"\"q\"\"\nz\"\r\n"
                  "e,400,\"x\ny\nz\"\n"
                  "f,-1,plain\n"
                  "g,500,\"end\"");
  // Bare CR line ends (old Mac files) are line ends everywhere.
  check_every_cut("cr.csv", "handle,followers\ra,1\rb,2\r\"c\r\",3\rd,4\re,5\r");
}

TEST_CASE("NDJSON cut at any byte splits at the next object starting a line", "[import][dist]") {
  check_every_cut("cut.ndjson",
                  "{\"handle\": \"a\", \"followers\": 1}\n"
                  "{\"handle\": \"b}\\n{\", \"followers\": 2}\n"
                  "\n"
                  "  {\"handle\": \"c\",\n   \"followers\": \"x\"}\n"
                  "{\"handle\": \"d\", \"followers\": 4}  \n"
                  "{\"handle\": \"e\", \"followers\": 5}\n"
                  "{\"handle\": \"f\", \"followers\": 6}\n");
}

TEST_CASE("a JSON array is not cut into byte ranges", "[import][dist]") {
  TempFile f("arr.json", "[{\"handle\": \"a\", \"followers\": 1}]\n");
  auto src = make_import_source(f.path, ImportOptions{}, 256);
  CHECK(src->split_refusal().find("NDJSON") != std::string::npos);
}
