// The streaming table reader: CSV/TSV quoting rules (RFC 4180), BOM, CRLF, delimiter detection,
// rule lines, JSON arrays and NDJSON, and the errors it raises with their line and column.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "microreach/error.hpp"
#include "microreach/table.hpp"
#include "test_util.hpp"

using namespace microreach;

namespace {

using test::TempFile;

using Rows = std::vector<std::vector<std::string>>;

Rows read_all(const std::string& path, std::vector<std::uint64_t>* lines = nullptr,
              const TableOptions& opt = {}) {
  auto t = TableReader::open(path, opt);
  Rows rows;
  std::vector<std::string> f;
  while (t->next(f)) {
    rows.push_back(f);
    if (lines) lines->push_back(t->line());
  }
  return rows;
}

// Runs `fn` expecting an InputError at line:column with `needle` in its message.
template <class Fn>
void expect_input_error(Fn fn, std::uint64_t line, std::uint64_t column,
                        const std::string& needle) {
  try {
    fn();
    FAIL("no InputError thrown");
  } catch (const InputError& e) {
    INFO(e.what());
    CHECK(e.line() == line);
    CHECK(e.column() == column);
    CHECK(std::string(e.what()).find(needle) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("normalised header names ignore case and punctuation", "[table]") {
  CHECK(normalize_header("Number.of.followers") == "numberoffollowers");
  CHECK(normalize_header("#Followers") == "followers");
  CHECK(normalize_header("60_day_eng_rate") == "60dayengrate");
  CHECK(normalize_header("Authentic engagement\n") == "authenticengagement");
  CHECK(normalize_header(" Name") == "name");
  CHECK(normalize_header("userFollowerCount") == "userfollowercount");
  CHECK(normalize_header("\xEF\xBB\xBFid") == "id");
  CHECK(normalize_header("Pa\xC3\xADs") == "pa\xC3\xADs");  // UTF-8 kept
}

TEST_CASE("quoted fields keep commas, doubled quotes and newlines; lines are counted", "[table]") {
  TempFile f("q.csv",
             "handle,bio,followers\n"
             "\"Tyler, The Creator\",\"says \"\"hi\"\"\",1.2M\n"
             "a,\"two\nlines\",5\n"
             "\"\",,7\n"
             "emoji,\"Kylie \xF0\x9F\xA4\x8D\",9");  // no final newline
  std::vector<std::uint64_t> lines;
  const Rows r = read_all(f.path, &lines);
  REQUIRE(r.size() == 4);
  CHECK(r[0] == std::vector<std::string>{"Tyler, The Creator", "says \"hi\"", "1.2M"});
  CHECK(r[1] == std::vector<std::string>{"a", "two\nlines", "5"});
  CHECK(r[2] == std::vector<std::string>{"", "", "7"});
  CHECK(r[3][1] == "Kylie \xF0\x9F\xA4\x8D");
  CHECK(lines == std::vector<std::uint64_t>{2, 3, 5, 6});
}

TEST_CASE("a BOM and CRLF line ends are transparent", "[table]") {
  TempFile f("bom.csv", "\xEF\xBB\xBFName,Followers\r\n\"x\",1\r\ny,\"2\"\r\n");
  auto t = TableReader::open(f.path);
  CHECK(t->header() == std::vector<std::string>{"Name", "Followers"});
  const Rows r = read_all(f.path);
  CHECK(r == Rows{{"x", "1"}, {"y", "2"}});
  CHECK(t->find_column("followers") == std::optional<std::size_t>(1));
  CHECK_FALSE(t->find_column("posts").has_value());
}

TEST_CASE("blank lines before the header are skipped before detecting the delimiter", "[table]") {
  // Reported by the audit helper: BOM, an empty CRLF line, then a ';' header.
  TempFile f("lead.csv", "\xEF\xBB\xBF\r\n  \n\"a\";b\r\n\"x\"\"y\";1\r\n");
  auto t = TableReader::open(f.path);
  CHECK(t->delimiter() == ';');
  CHECK(t->header() == std::vector<std::string>{"a", "b"});
  std::vector<std::uint64_t> lines;
  CHECK(read_all(f.path, &lines) == Rows{{"x\"y", "1"}});
  CHECK(lines == std::vector<std::uint64_t>{4});
}

TEST_CASE("the delimiter is detected from the header or given", "[table]") {
  TempFile semi("s.csv", "a;b;c\n1,5;2;3\n");
  TempFile tab("t.tsv", "a\tb, c\n1\t2\n");
  TempFile pipe("p.txt", "a|b\n1|2\n");
  CHECK(TableReader::open(semi.path)->delimiter() == ';');
  CHECK(read_all(semi.path) == Rows{{"1,5", "2", "3"}});
  CHECK(TableReader::open(tab.path)->delimiter() == '\t');
  CHECK(read_all(tab.path) == Rows{{"1", "2"}});
  CHECK(read_all(pipe.path) == Rows{{"1", "2"}});
  TableOptions comma;
  comma.delimiter = ',';
  comma.check_field_count = false;
  CHECK(read_all(semi.path, nullptr, comma) == Rows{{"1", "5;2;3"}});
  CHECK(parse_delimiter("--delimiter", "tab") == '\t');
  CHECK(parse_delimiter("--delimiter", ";") == ';');
  CHECK_THROWS_AS(parse_delimiter("--delimiter", "::"), ConfigError);
}

TEST_CASE("a rule line under the header and blank lines are not data", "[table]") {
  // The shape of kim2020_instagram_influencers.txt: a '=' rule under a tab header.
  TempFile f("rule.txt",
             "Username\tCategory\t#Followers\n"
             "=========================\n"
             "makeupbynvs\tbeauty\t1432\n"
             "\n"
             "x\tfood\t2000\n"
             "\t\t\n");
  std::vector<std::uint64_t> lines;
  const Rows r = read_all(f.path, &lines);
  CHECK(r == Rows{{"makeupbynvs", "beauty", "1432"}, {"x", "food", "2000"}});
  CHECK(lines == std::vector<std::uint64_t>{3, 5});
}

TEST_CASE("a quote inside an unquoted field is kept as text", "[table]") {
  TempFile f("bare.csv", "a,b\n5'10\" tall,1\n");
  CHECK(read_all(f.path) == Rows{{"5'10\" tall", "1"}});
}

TEST_CASE("malformed CSV records raise InputError with line and field number", "[table]") {
  TempFile count("count.csv", "a,b,c\n1,2,3\n1,2\n");
  expect_input_error([&] { read_all(count.path); }, 3, 3, "found 2 fields, expected 3");
  TempFile after("after.csv", "a,b\n1,2\n\"x\"y,3\n");
  expect_input_error([&] { read_all(after.path); }, 3, 1, "text after the closing quote");
  TempFile open_quote("open.csv", "a,b\n1,2\n3,\"never closed\n4,5\n");
  expect_input_error([&] { read_all(open_quote.path); }, 3, 0, "never closed");
  TempFile utf16("u16.csv", std::string("\xFF\xFE"
                                        "a\0,\0b\0",
                                        8));
  expect_input_error([&] { read_all(utf16.path); }, 1, 1, "UTF-16");
  TempFile empty("empty.csv", "");
  expect_input_error([&] { read_all(empty.path); }, 0, 0, "empty");
  CHECK_THROWS_AS(TableReader::open("/nonexistent/dir/x.csv"), InputError);
}

TEST_CASE("after a malformed CSV record the reader can go on with the next one", "[table]") {
  TempFile f("goon.csv", "a,b\n1\n2,3\n");
  auto t = TableReader::open(f.path);
  std::vector<std::string> row;
  CHECK_THROWS_AS(t->next(row), InputError);
  REQUIRE(t->next(row));
  CHECK(row == std::vector<std::string>{"2", "3"});
  CHECK(t->line() == 3);
  CHECK_FALSE(t->next(row));
}

TEST_CASE("a record longer than the limit is refused instead of filling memory", "[table]") {
  TempFile f("long.csv", "a,b\n\"" + std::string(5000, 'x') + "\n");
  TableOptions opt;
  opt.max_record_bytes = 1024;
  expect_input_error([&] { read_all(f.path, nullptr, opt); }, 2, 0, "never closed");
}

TEST_CASE("JSON arrays of flat objects read like a table", "[table]") {
  // The shape of instafake_*AccountData.json: one line, integer values.
  TempFile f("a.json",
             "[{\"userFollowerCount\": 25, \"userFollowingCount\": 1937, \"isFake\": 1}, "
             "{\"userFollowerCount\": 324, \"userFollowingCount\": 4122, \"isFake\": 1}]");
  auto t = TableReader::open(f.path);
  CHECK(t->format() == TableFormat::json);
  CHECK(t->header() ==
        std::vector<std::string>{"userFollowerCount", "userFollowingCount", "isFake"});
  CHECK(read_all(f.path) == Rows{{"25", "1937", "1"}, {"324", "4122", "1"}});
}

TEST_CASE("NDJSON: union of keys, escapes, null, booleans and nested values", "[table]") {
  TempFile f("l.ndjson",
             "{\"handle\": \"a\\\"b\\u00e9\\ud83d\\ude00\", \"followers\": 1.2e3}\n"
             "\n"
             "{\"followers\": null, \"verified\": true, \"tags\": [1, {\"x\": \"}\"}]}\n");
  std::vector<std::uint64_t> lines;
  auto t = TableReader::open(f.path);
  CHECK(t->header() == std::vector<std::string>{"handle", "followers", "verified", "tags"});
  const Rows r = read_all(f.path, &lines);
  REQUIRE(r.size() == 2);
  // numbers in their shortest form, nested values as minified JSON
  CHECK(r[0] == std::vector<std::string>{"a\"b\xC3\xA9\xF0\x9F\x98\x80", "1200", "", ""});
  CHECK(r[1] == std::vector<std::string>{"", "", "true", "[1,{\"x\":\"}\"}]"});
  CHECK(lines == std::vector<std::uint64_t>{1, 3});
}

TEST_CASE("JSON syntax errors name the line and column of the bad character", "[table]") {
  TempFile comma("c.json", "[\n {\"a\": 1},\n {\"a\": 2}\n {\"a\": 3}\n]");
  expect_input_error([&] { read_all(comma.path); }, 4, 2, "expected ',' or ']'");
  TempFile value("v.json", "[{\"a\": 1},\n  {\"a\": tru}]");
  expect_input_error([&] { read_all(value.path); }, 2, 9, "expected a value");
  TempFile dup("d.json", "{\"a\": 1, \"a\": 2}");
  expect_input_error([&] { read_all(dup.path); }, 1, 1, "appears twice");
  TempFile open_obj("o.json", "[{\"a\": 1}, {\"a\": 2");
  expect_input_error([&] { read_all(open_obj.path); }, 1, 19, "expected ',' or '}'");
  TempFile trailing("t.json", "[{\"a\": 1}] x");
  expect_input_error([&] { read_all(trailing.path); }, 1, 12, "after the closing ']'");
  TempFile surrogate("s.json", "{\"a\": \"\\ud83d\"}");
  CHECK_THROWS_AS(read_all(surrogate.path), InputError);
}

TEST_CASE("the format follows the extension, else the first byte", "[table]") {
  TempFile j("noext", "  [{\"a\": 1}]");
  TempFile c("noext2", "a,b\n1,2\n");
  CHECK(TableReader::open(j.path)->format() == TableFormat::json);
  CHECK(TableReader::open(c.path)->format() == TableFormat::csv);
  CHECK(describe_header({"a", "b c"}) == "\"a\", \"b c\"");
}

TEST_CASE("large CSV files stream through the 1 MiB buffer without losing records", "[table]") {
  std::string s = "id,text\n";
  for (int i = 0; i < 60000; ++i) {
    s += std::to_string(i) + ",\"row " + std::to_string(i) + (i % 7 == 0 ? "\nsecond line" : "") +
         ", with comma\"\n";
  }
  TempFile f("big.csv", s);
  std::vector<std::uint64_t> lines;
  const Rows r = read_all(f.path, &lines);
  REQUIRE(r.size() == 60000);
  CHECK(r[59999][0] == "59999");
  CHECK(r[7][1] == "row 7\nsecond line, with comma");
  // Line of record i: 2 + i + (records before i with an embedded newline).
  CHECK(lines[59999] == 2 + 59999 + (59998 / 7 + 1));
}
