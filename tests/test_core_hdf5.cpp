// HDF5 I/O: round trip of profiles and scores, provenance, refusal of foreign files, atomic output.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "microreach/cancel.hpp"
#include "microreach/error.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/synth.hpp"

using namespace microreach;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {
fs::path scratch(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("microreach_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}
}  // namespace

TEST_CASE("Profiles and scores survive a round trip through HDF5, NaN and UTF-8 included",
          "[hdf5]") {
  ProfileChunk p;
  generate_chunk(5, 0, 3000, GeneratorConfig{}, ScoringConfig{}, p);
  p.handle[0] = "caf\xC3\xA9_\xF0\x9F\x92\xAA";  // café_💪
  p.avg_views[1] = kMissing;
  p.platform[2] = kUnknown;
  ScoreChunk s;
  score_chunk(p, ScoringConfig{}, s);
  const auto path = scratch("roundtrip.h5").string();
  {
    h5::File f = h5::File::create(path, {h5::kFiletypeScores, 5, "cfg", "test"});
    {
      h5::TableSink sink(f.id(), {1000, 4}, true, true);
      Batch b;
      b.profiles = p;
      b.scores = s;
      sink.consume(b);
    }
    f.close();
  }
  h5::ProfileReader r(path);
  REQUIRE(r.rows() == 3000);
  ProfileChunk q;
  REQUIRE(r.read(q, 5000));
  CHECK(q.handle == p.handle);
  CHECK(q.platform == p.platform);
  CHECK(q.country == p.country);
  CHECK(q.id == p.id);
  CHECK(same_bits(q.followers, p.followers));
  CHECK(same_bits(q.avg_views, p.avg_views));
  CHECK(same_bits(q.true_fake_share, p.true_fake_share));
  CHECK_FALSE(r.read(q, 10));
  ScoreChunk t;
  h5::read_scores(r.file(), 0, 3000, t);
  CHECK(same_bits(t.score, s.score));
  CHECK(t.flags == s.flags);
  CHECK(t.tier == s.tier);
  CHECK(h5::read_attr_string(r.file().id(), "filetype") == h5::kFiletypeScores);
  CHECK(h5::read_attr_ints(r.file().id(), "format_version") ==
        std::vector<int>{h5::kFormatMajor, h5::kFormatMinor});
}

TEST_CASE("Columns the input lacks are left out of the file and read back as missing", "[hdf5]") {
  ProfileChunk p;
  generate_chunk(2, 0, 100, GeneratorConfig{}, ScoringConfig{}, p);
  const auto path = scratch("omit.h5").string();
  {
    h5::File f = h5::File::create(path, {h5::kFiletypeProfiles, 2, "", "test"});
    {
      h5::TableSink sink(f.id(), {64, 0}, false, false,
                         {Column::handle, Column::country, Column::avg_views, Column::followers});
      Batch b;
      b.profiles = p;
      sink.consume(b);
      CHECK(sink.rows() == 100);
    }
    CHECK_FALSE(h5::exists(f.id(), "/profiles/handle"));
    CHECK_FALSE(h5::exists(f.id(), "/profiles/avg_views"));
    CHECK(h5::exists(f.id(), "/profiles/followers"));  // never omitted
    f.close();
  }
  h5::ProfileReader r(path);
  ProfileChunk q;
  REQUIRE(r.read(q, 1000));
  CHECK(q.handle[5].empty());
  CHECK(std::isnan(q.avg_views[5]));
  CHECK(same_bits(q.followers, p.followers));
}

TEST_CASE("Foreign, missing and wrong-version HDF5 files are refused with the reason",
          "[hdf5][errors]") {
  CHECK_THROWS_WITH(h5::ProfileReader(scratch("nope.h5").string()),
                    Contains("nope.h5") && Contains("no such file"));
  const auto text = scratch("text.h5").string();
  std::ofstream(text) << "name,followers\nx,1\n";
  CHECK_THROWS_WITH(h5::ProfileReader(text), Contains("not an HDF5 file"));
  const auto campaign = scratch("campaign.h5").string();
  {
    h5::File f = h5::File::create(campaign, {h5::kFiletypeCampaign, 1, "", ""});
    f.close();
  }
  CHECK_THROWS_WITH(h5::ProfileReader(campaign),
                    Contains("microreach.campaign") && Contains("microreach.profiles"));
  const auto future = scratch("future.h5").string();
  {
    h5::File f = h5::File::create(future, {h5::kFiletypeProfiles, 1, "", ""});
    h5::write_attr(f.id(), "format_version", std::vector<int>{h5::kFormatMajor + 1, 0});
    f.close();
  }
  CHECK_THROWS_WITH(h5::ProfileReader(future),
                    Contains("format version 2.0") && Contains("upgrade"));
  const auto empty = scratch("empty.h5").string();
  {
    h5::File f = h5::File::create(empty, {h5::kFiletypeProfiles, 1, "", ""});
    f.close();
  }
  CHECK_THROWS_WITH(h5::ProfileReader(empty),
                    Contains("/profiles/followers") && Contains("missing"));
  CHECK_THROWS_AS(h5::ProfileReader(empty), InputError);
}

TEST_CASE("AtomicOutput leaves an existing file untouched unless committed", "[hdf5][atomic]") {
  const auto path = scratch("atomic.txt").string();
  std::ofstream(path) << "previous result";
  {
    AtomicOutput out(path);
    std::ofstream(out.temp_path()) << "half-written";
    CHECK(fs::exists(out.temp_path()));
  }  // destroyed without commit: temp removed
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), {});
  CHECK(content == "previous result");
  std::string temp;
  {
    AtomicOutput out(path);
    temp = out.temp_path();
    std::ofstream(temp) << "new result";
    out.commit();
  }
  CHECK_FALSE(fs::exists(temp));
  std::ifstream in2(path);
  std::string c2((std::istreambuf_iterator<char>(in2)), {});
  CHECK(c2 == "new result");
  CHECK_THROWS_WITH(AtomicOutput("/nonexistent_dir_xyz/out.h5"), Contains("does not exist"));
}

TEST_CASE("An n-dimensional dataset is written block by block and read back by block",
          "[hdf5][dataset]") {
  const std::string path = scratch("nd.h5").string();
  {
    h5::File f = h5::File::create(path, {h5::kFiletypeSweep, 1, "", "test"});
    // 4 x 3, chunked and extendible along the rows, written as two 2-row blocks.
    h5::Dataset d =
        h5::Dataset::create<double>(f.id(), "g/m", {{4, 3}, {h5::kUnlimited, 3}, {2, 3}, 0});
    const std::vector<double> top = {0, 1, 2, 3, 4, 5}, bottom = {6, 7, 8, 9, 10, 11};
    d.write(top.data(), {{0, 0}, {2, 3}});
    d.write(bottom.data(), {{2, 0}, {2, 3}});
    d.describe("USD", "a matrix");
    d.extend({5, 3});
    const std::vector<double> last = {12, 13, 14};
    d.write(last.data(), {{4, 0}, {1, 3}});
    // Contiguous strings, whole.
    h5::Dataset s = h5::Dataset::create<std::string>(f.id(), "g/names", {{2}, {}, {}, 0});
    const std::vector<std::string> names = {"a", "ünïcode"};
    s.write(names.data());
    f.close();
  }
  h5::File f = h5::File::open(path, {h5::kFiletypeSweep});
  h5::Dataset d = h5::Dataset::open(f.id(), "g/m", path);
  CHECK(d.dims() == std::vector<std::uint64_t>{5, 3});
  std::vector<double> all(15);
  d.read(all.data());
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i] == double(i));
  std::vector<double> col(5);
  d.read(col.data(), {{0, 1}, {5, 1}});
  CHECK(col == std::vector<double>{1, 4, 7, 10, 13});
  CHECK(h5::read_attr_string(d.id(), "units") == "USD");
  std::vector<std::string> names(2);
  h5::Dataset::open(f.id(), "g/names", path).read(names.data());
  CHECK(names == std::vector<std::string>{"a", "ünïcode"});
  std::vector<std::uint8_t> wrong(15);
  CHECK_THROWS_WITH(d.read(wrong.data()), Contains("wrong type") && Contains("nd.h5"));
  CHECK_THROWS_WITH(h5::Dataset::open(f.id(), "g/absent", path), Contains("missing"));
}
