// Audience audit I/O: follower files through TableReader (column aliases, labels, bad cells),
// the streaming classifier (deterministic whatever the threads or block size), and the
// audited-shares CSV read by `microreach score --audited`.
#include <tbb/global_control.h>
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "microreach/audit/audit.hpp"
#include "microreach/error.hpp"

using namespace microreach;
using namespace microreach::audit;

namespace {

// One scratch directory per process: ctest -j runs test cases (and other builds) side by side.
std::filesystem::path scratch_dir() {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("microreach_test_audit_io_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

std::string fixture(const std::string& name, const std::string& text) {
  const auto dir = scratch_dir();
  const auto path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string shared(const std::string& name) {
  return std::string(MICROREACH_SHARED_DATA) + "/" + name;
}

// A small SRF-shaped file (R write.csv quoting), written by the test.
const char* kSrfLike =
    "\"Profile.URL\",\"rating\",\"Username\",\"Number.of.posts\",\"Number.of.people.they.follow\","
    "\"Number.of.followers\",\"has_profile_picture\",\"Private.account\"\n"
    "\"https://instagram.com/anna\",\"FALSE\",\"anna\",120,300,450,\"TRUE\",FALSE\n"
    "\"https://instagram.com/bot99123\",\"TRUE\",\"bot99123\",0,4100,12,\"TRUE\",FALSE\n"
    "\"https://instagram.com/cara.b\",\"FALSE\",\"cara.b\",35,180,\"1,204\",\"TRUE\",TRUE\n"
    "\"https://instagram.com/x7x7x7\",\"TRUE\",\"x7x7x7\",2,7450,40,\"FALSE\",FALSE\n";

LogisticModel toy_model() {
  LogisticModel m;
  m.terms = {{{Feature::followers, 1}, 5.0, 2.0, -1.0},
             {{Feature::following, 1}, 6.0, 1.5, 1.2},
             {{Feature::following, 2}, 40.0, 18.0, 0.4},
             {{Feature::posts, 1}, 3.0, 2.0, -1.5},
             {{Feature::username_digits, 1}, 0.5, 1.2, 0.4}};
  m.intercept = -2.0;
  m.threshold = 0.3;
  m.accuracy = {0.8, 0.9, 100, 900};
  return m;
}

std::string synthetic_follower_csv(std::size_t rows) {
  std::ostringstream o;
  o << "username,followers,following,posts\n";
  for (std::size_t i = 0; i < rows; ++i)
    o << "user" << (i * 7919 % 1000) << "," << (i * 37 % 5000) << "," << (i * 53 % 7500) << ","
      << (i % 300) << "\n";
  return o.str();
}

}  // namespace

TEST_CASE("an SRF-shaped file is read with its R quoting and column names", "[audit]") {
  FollowerReadOptions ro;
  ro.label = "rating";
  const auto d = read_followers(fixture("srf_like.csv", kSrfLike), ro);
  REQUIRE(d.rows == 4);
  CHECK(d.label == std::vector<std::uint8_t>{0, 1, 0, 1});
  CHECK(d.col(Feature::followers) == std::vector<double>{450, 12, 1204, 40});
  CHECK(d.col(Feature::following)[3] == 7450);
  CHECK(d.col(Feature::has_profile_picture) == std::vector<double>{1, 1, 1, 0});
  CHECK(d.col(Feature::is_private) == std::vector<double>{0, 0, 1, 0});
  // digits and length derived from the username
  CHECK(d.col(Feature::username_digits) == std::vector<double>{0, 5, 0, 3});
  CHECK(d.col(Feature::username_length) == std::vector<double>{4, 8, 6, 6});
  CHECK_FALSE(d.has(Feature::bio_length));
  CHECK(d.line == std::vector<std::uint64_t>{2, 3, 4, 5});
}

TEST_CASE("the public labelled sets are read with their own column names", "[audit]") {
  const auto srf = shared("srf_instagram_labelled_1000_inclprivate.csv");
  const auto fake = shared("instafake_fakeAccountData.json");
  const auto real = shared("instafake_realAccountData.json");
  if (!std::filesystem::exists(srf) || !std::filesystem::exists(fake)) {
    WARN("shared data not found beside the source tree (" << MICROREACH_SHARED_DATA
                                                          << "): test skipped");
    return;
  }
  FollowerReadOptions ro;
  ro.label = "rating";
  const auto s = read_followers(srf, ro);
  CHECK(s.rows == 975);  // srf_instagram_labelled_1000_inclprivate.source.txt: 975 rows
  CHECK(std::count(s.label.begin(), s.label.end(), 1) == 98);  // ... 98 fake
  for (const auto& t : default_terms()) CHECK(s.has(t.feature));
  ro.label = "isFake";
  const auto i = read_followers(std::vector<std::string>{fake, real}, ro);
  CHECK(i.rows == 1194);  // instafake.source.txt: 200 fake + 994 real
  CHECK(std::count(i.label.begin(), i.label.end(), 1) == 200);
  for (const auto& t : default_terms()) CHECK(i.has(t.feature));
  CHECK(i.has(Feature::bio_length));
}

TEST_CASE("a file without the label column is refused naming the label and the header", "[audit]") {
  const auto path = fixture("nolabel.csv", "username,followers,following\na,1,2\n");
  FollowerReadOptions ro;
  ro.label = "rating";
  CHECK_THROWS_WITH(read_followers(path, ro),
                    Catch::Contains("nolabel.csv:1: no label column 'rating'") &&
                        Catch::Contains("\"followers\""));
  ro.label.clear();
  ro.require_label = true;
  CHECK_THROWS_WITH(read_followers(path, ro), Catch::Contains("no label column (looked for"));
}

TEST_CASE("a label that is not boolean-like is refused with file:line:column", "[audit]") {
  const auto path = fixture("badlabel.csv",
                            "username,followers,following,posts,fake\n"
                            "a,10,20,3,TRUE\n"
                            "b,10,20,3,maybe\n");
  FollowerReadOptions ro;
  ro.label = "fake";
  CHECK_THROWS_WITH(read_followers(path, ro),
                    Catch::Contains("badlabel.csv:3:5: label column 'fake': found 'maybe': not "
                                    "boolean-like: expected TRUE/FALSE, 1/0"));
  const auto blank = fixture("blanklabel.csv", "followers,following,rating\n1,2,\n");
  ro.label = "rating";
  CHECK_THROWS_WITH(read_followers(blank, ro), Catch::Contains("blanklabel.csv:2:3"));
}

TEST_CASE("bad counts and booleans are refused with file:line:column and the text found",
          "[audit]") {
  FollowerReadOptions ro;
  const auto p1 = fixture("badcount.csv", "username,followers,following\na,12,20\nb,lots,20\n");
  CHECK_THROWS_WITH(read_followers(p1, ro),
                    Catch::Contains("badcount.csv:3:2: column 'followers': found 'lots': "
                                    "expected a count"));
  const auto p2 = fixture("negative.csv", "followers,following\n-5,20\n");
  CHECK_THROWS_WITH(read_followers(p2, ro), Catch::Contains("negative.csv:2:1") &&
                                                Catch::Contains("expected a count >= 0"));
  const auto p3 = fixture("badbool.csv", "followers,is_private\n5,perhaps\n");
  CHECK_THROWS_WITH(read_followers(p3, ro), Catch::Contains("badbool.csv:2:2: column "
                                                            "'is_private': found 'perhaps'"));
  // Export forms are accepted, and missing forms counted.
  const auto p4 = fixture("forms.csv", "followers,following\n1.2k,\"3,400\"\nNA,\n");
  const auto d = read_followers(p4, ro);
  CHECK(d.col(Feature::followers)[0] == 1200);
  CHECK(d.col(Feature::following)[0] == 3400);
  CHECK(std::isnan(d.col(Feature::followers)[1]));
  CHECK(d.missing_values == 2);
}

TEST_CASE("a model feature with no column is named with the headers that would feed it",
          "[audit]") {
  const auto path = fixture("nofollowing.csv", "followers,posts\n1,2\n");
  const auto m = toy_model();
  CHECK_THROWS_WITH(classify_followers(path, m, {}, {}, nullptr),
                    Catch::Contains("nofollowing.csv:1: no column for the model feature "
                                    "'following'") &&
                        Catch::Contains("numberofpeopletheyfollow"));
}

TEST_CASE("streaming classification is identical for any thread count and block size", "[audit]") {
  const auto path = fixture("stream.csv", synthetic_follower_csv(20000));
  const auto m = toy_model();
  const auto d = read_followers(path, {});  // the TableReader path
  const auto expected = m.predict(d);
  for (int threads : {1, 3, 2}) {
    tbb::global_control gc(tbb::global_control::max_allowed_parallelism, threads);
    for (std::size_t block : {100u, 4096u, 1u << 20}) {
      std::vector<double> got;
      std::vector<std::uint64_t> lines;
      StreamOptions so;
      so.block_bytes = block;
      const auto stats = classify_followers(path, m, {}, so, [&](const ClassifiedBlock& b) {
        CHECK(b.first_row == got.size());
        got.insert(got.end(), b.probability.begin(), b.probability.end());
        lines.insert(lines.end(), b.line.begin(), b.line.end());
      });
      CHECK(got == expected);
      CHECK(lines == d.line);
      std::uint64_t flagged = 0;
      for (double p : expected) flagged += p >= m.threshold;
      CHECK(stats.flagged == flagged);
      CHECK(stats.rows == 20000);
    }
  }
}

TEST_CASE("the CSV block reader agrees with TableReader on awkward files", "[audit]") {
  // BOM, CRLF, a rule line under the header, blank records, quoted
  // fields with doubled quotes and embedded newlines, a semicolon delimiter, no final newline.
  const std::string text =
      "\xEF\xBB\xBF"
      "\"user;name\";followers;following;posts\r\n"
      "=====;=====;=====;=====\r\n"
      "\"a\"\"b\";10;200;3\r\n"
      "\r\n"
      ";;;\r\n"
      "\"multi\nline7\";\"1,200\";30;4\r\n"
      "plain99;5;6000;0";
  const auto path = fixture("awkward.csv", text);
  LogisticModel m = toy_model();
  const auto d = read_followers(path, {});
  REQUIRE(d.rows == 3);
  CHECK(d.line == std::vector<std::uint64_t>{3, 6, 8});
  CHECK(d.col(Feature::followers) == std::vector<double>{10, 1200, 5});
  CHECK(d.col(Feature::username_digits) == std::vector<double>{0, 1, 2});
  CHECK(d.username[0] == "a\"b");
  StreamOptions so;
  so.keep_usernames = true;
  for (std::size_t block : {1u, 16u, 1u << 20}) {
    so.block_bytes = block;
    std::vector<double> got;
    std::vector<std::uint64_t> lines;
    std::vector<std::string> users;
    classify_followers(path, m, {}, so, [&](const ClassifiedBlock& b) {
      got.insert(got.end(), b.probability.begin(), b.probability.end());
      lines.insert(lines.end(), b.line.begin(), b.line.end());
      users.insert(users.end(), b.username.begin(), b.username.end());
    });
    CHECK(got == m.predict(d));
    CHECK(lines == d.line);
    CHECK(users == d.username);
  }
  // Field-count and quoting errors carry the same location as TableReader's.
  const auto bad = fixture("fields.csv", "username,followers,following,posts\na,1,2,3\nb,1,2\n");
  CHECK_THROWS_WITH(classify_followers(bad, m, {}, {}, nullptr),
                    Catch::Contains("fields.csv:3:4: found 3 fields, expected 4 as in the header"));
  const auto quote = fixture("quote.csv", "username,followers,following,posts\n\"a\"x,1,2,3\n");
  CHECK_THROWS_WITH(classify_followers(quote, m, {}, {}, nullptr),
                    Catch::Contains("quote.csv:2:1: column 'username': text after the closing"));
  const auto open = fixture("open.csv", "username,followers,following,posts\na,1,2,3\n\"b,1,2,3\n");
  CHECK_THROWS_WITH(classify_followers(open, m, {}, {}, nullptr),
                    Catch::Contains("open.csv:3: a quoted field opened in the record"));
}

TEST_CASE("JSON follower lists stream through TableReader in parallel blocks", "[audit]") {
  std::string json = "[";
  for (int i = 0; i < 3000; ++i)
    json += std::string(i ? "," : "") + "{\"userFollowerCount\": " + std::to_string(i % 700) +
            ", \"userFollowingCount\": " + std::to_string(i * 13 % 7000) +
            ", \"userMediaCount\": " + std::to_string(i % 50) +
            ", \"usernameDigitCount\": " + std::to_string(i % 4) +
            ", \"isFake\": " + std::to_string(i % 5 == 0) + "}";
  json += "]";
  const auto path = fixture("followers.json", json);
  const auto m = toy_model();
  FollowerReadOptions ro;
  ro.label = "isFake";
  const auto d = read_followers(path, ro);
  REQUIRE(d.rows == 3000);
  for (std::size_t rows : {7u, 512u, 100000u}) {
    StreamOptions so;
    so.block_rows = rows;
    std::vector<double> got;
    std::vector<std::uint8_t> labels;
    classify_followers(path, m, ro, so, [&](const ClassifiedBlock& b) {
      got.insert(got.end(), b.probability.begin(), b.probability.end());
      labels.insert(labels.end(), b.label.begin(), b.label.end());
    });
    CHECK(got == m.predict(d));
    CHECK(labels == d.label);
  }
}

TEST_CASE("the first bad row in file order is reported whatever the threads", "[audit]") {
  std::string text = synthetic_follower_csv(30000);
  // Two bad rows, far apart: line 5002 and line 25002.
  auto break_line = [&](std::size_t line) {
    std::size_t pos = 0;
    for (std::size_t l = 1; l < line; ++l) pos = text.find('\n', pos) + 1;
    const std::size_t comma = text.find(',', pos);
    text.replace(comma + 1, text.find(',', comma + 1) - comma - 1, "oops");
  };
  break_line(25002);
  break_line(5002);
  const auto path = fixture("twobad.csv", text);
  for (int threads : {1, 2}) {
    tbb::global_control gc(tbb::global_control::max_allowed_parallelism, threads);
    StreamOptions so;
    so.block_rows = 512;
    CHECK_THROWS_WITH(classify_followers(path, toy_model(), {}, so, nullptr),
                      Catch::Contains("twobad.csv:5002:2: column 'followers': found 'oops'"));
  }
}

TEST_CASE("audited shares are loaded and every bad value is refused", "[audit]") {
  const auto ok = fixture("audits.csv",
                          "handle,fake_share,lo,hi,sampled\n"
                          "anna.fit,0.12,0.08,0.17,400\n"
                          "\"bob, the baker\",5%,1%,9%,200\n");
  const auto s = load_audited_shares(ok);
  REQUIRE(s.by_handle.size() == 2);
  CHECK(s.find("anna.fit")->estimate == 0.12);
  CHECK(s.find("bob, the baker")->hi == Approx(0.09));
  CHECK(s.find("nobody") == nullptr);

  CHECK_THROWS_WITH(load_audited_shares(fixture("a1.csv", "handle,share\nx,0.1\n")),
                    Catch::Contains("a1.csv:1: no 'fake_share' column"));
  CHECK_THROWS_WITH(load_audited_shares(fixture("a2.csv", "handle,fake_share,lo,hi\nx,1.3,0,1\n")),
                    Catch::Contains("a2.csv:2:2: column 'fake_share': found '1.3': expected a "
                                    "share in [0, 1]"));
  CHECK_THROWS_WITH(
      load_audited_shares(fixture("a3.csv", "handle,fake_share,lo,hi\nx,0.2,0.25,0.3\n")),
      Catch::Contains("a3.csv:2:2: handle 'x': expected lo <= fake_share <= hi"));
  CHECK_THROWS_WITH(load_audited_shares(fixture("a4.csv",
                                                "handle,fake_share,lo,hi\nx,0.2,0.1,0.3\n"
                                                "x,0.3,0.1,0.4\n")),
                    Catch::Contains("a4.csv:3:1: handle 'x' is already audited at line 2"));
  CHECK_THROWS_WITH(
      load_audited_shares(fixture("a5.csv", "handle,fake_share,lo,hi\n ,0.2,0.1,0.3\n")),
      Catch::Contains("a5.csv:2:1: column 'handle' is empty"));
}

TEST_CASE("an audit record is appended, and replaces an earlier audit of the same handle",
          "[audit]") {
  const auto dir = scratch_dir() / "append";
  std::filesystem::create_directories(dir);
  const auto path = (dir / "append.csv").string();
  std::filesystem::remove(path);
  AuditRecord r;
  r.handle = "anna.fit";
  r.fake_share = 0.1;
  r.lo = 0.05;
  r.hi = 0.16;
  r.sampled = 400;
  r.flagged = 60;
  r.method = "wilson";
  r.model = "default";
  r.date = "2026-01-01T00:00:00Z";
  append_audit_record(path, r);
  r.handle = "zed, co";
  append_audit_record(path, r);
  r.handle = "anna.fit";
  r.fake_share = 0.2;
  r.hi = 0.3;
  append_audit_record(path, r);
  const auto s = load_audited_shares(path);
  REQUIRE(s.by_handle.size() == 2);
  CHECK(s.find("anna.fit")->estimate == 0.2);
  CHECK(s.find("zed, co")->estimate == 0.1);
  // nothing left behind but the file itself
  for (const auto& e : std::filesystem::directory_iterator(dir))
    CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
}
