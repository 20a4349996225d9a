// HDF5 I/O: round trip of profiles and scores, provenance, refusal of foreign files, atomic output.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "fuzz/hdf5_checks.hpp"
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
                    Contains("format version 3.0") && Contains("upgrade"));
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

TEST_CASE("Format 1 profiles and scores files still read, the same rows as format 2", "[hdf5]") {
  const std::string v1 = std::string(MICROREACH_TEST_DATA) + "/io/profiles_v1.h5";
  h5::ProfileReader r1(v1);
  CHECK(r1.file().format_major() == 1);
  REQUIRE(r1.rows() == 300);
  ProfileChunk a;
  REQUIRE(r1.read(a, 1000));
  CHECK_FALSE(a.handle[0].empty());
  CHECK_FALSE(a.country[0].empty());
  // Rewritten in format 2 (byte buffer + offsets, country codes), every value comes back.
  const auto path = scratch("v2_of_v1.h5").string();
  {
    h5::File f = h5::File::create(path, {h5::kFiletypeProfiles, 11, "", "test"});
    {
      h5::ProfileWriter w(f.id(), {64, 0}, true);
      ProfileChunk half1, half2;
      for (std::size_t i = 0; i < 300; ++i) (i < 100 ? half1 : half2).append_row(a, i);
      half2.country[5].clear();  // a missing country: code 65535
      a.country[105].clear();
      w.append(half1);
      w.append(half2);
    }
    f.close();
  }
  h5::ProfileReader r2(path);
  CHECK(r2.file().format_major() == 2);
  ProfileChunk b;
  REQUIRE(r2.read(b, 1000));
  CHECK(b.handle == a.handle);
  CHECK(b.country == a.country);
  CHECK(b.platform == a.platform);
  CHECK(same_bits(b.followers, a.followers));
  CHECK(same_bits(b.true_fake_share, a.true_fake_share));
  h5::ProfileChecksum ca, cb;
  ca.add(a);
  cb.add(b);
  CHECK(ca.hex() == cb.hex());
  // A format-1 scores file holds its own /profiles and reads as before.
  const std::string s1 = std::string(MICROREACH_TEST_DATA) + "/io/scores_v1.h5";
  h5::ProfileReader rs(s1);
  REQUIRE(rs.rows() == 300);
  ScoreChunk sc;
  h5::read_scores(rs.file(), 0, 300, sc);
  CHECK(sc.score[0] >= 0);
  CHECK(sc.score[0] <= 100);
}

TEST_CASE("A scores file refers to its profiles file and refuses it once moved or changed",
          "[hdf5]") {
  ProfileChunk p;
  generate_chunk(9, 0, 2500, GeneratorConfig{}, ScoringConfig{}, p);
  ScoreChunk s;
  score_chunk(p, ScoringConfig{}, s);
  const auto prof = scratch("ref_profiles.h5").string(), sc = scratch("ref_scores.h5").string();
  auto write_profiles = [&](const ProfileChunk& rows) {
    h5::File f = h5::File::create(prof, {h5::kFiletypeProfiles, 9, "", "test"});
    {
      h5::ProfileWriter w(f.id(), {512, 0}, true);
      w.append(rows);
    }
    f.close();
  };
  write_profiles(p);
  {
    h5::File f = h5::File::create(sc, {h5::kFiletypeScores, 9, "", "test"});
    {
      h5::TableSink sink(f.id(), {512, 0}, true, true, {}, sc, prof);
      // Two batches: the checksum does not depend on how rows are split.
      ProfileChunk p1, p2;
      ScoreChunk s1, s2;
      for (std::size_t i = 0; i < 2500; ++i) {
        (i < 1000 ? p1 : p2).append_row(p, i);
        (i < 1000 ? s1 : s2).append_row(s, i);
      }
      Batch b1, b2;
      b1.profiles = p1;
      b1.scores = s1;
      b2.profiles = p2;
      b2.scores = s2;
      sink.consume(b1);
      sink.consume(b2);
    }
    f.close();
  }
  {
    h5::File f = h5::File::open(sc, {h5::kFiletypeScores});
    CHECK_FALSE(h5::exists(f.id(), "/profiles"));
    CHECK(h5::read_attr_string(f.id(), "profiles_file") == "ref_profiles.h5");
  }
  {
    h5::ProfileReader r(sc);
    REQUIRE(r.rows() == 2500);
    CHECK(r.data_file().path() != r.file().path());
    ProfileChunk q;
    REQUIRE(r.read(q, 4000));
    CHECK(q.handle == p.handle);
    CHECK(same_bits(q.followers, p.followers));
    ScoreChunk t;
    h5::read_scores(r.file(), 0, 2500, t);
    CHECK(same_bits(t.score, s.score));
  }
  ProfileChunk changed = p;
  changed.followers[1234] += 1;
  write_profiles(changed);
  CHECK_THROWS_WITH(h5::ProfileReader(sc), Contains("ref_scores.h5") &&
                                               Contains("changed since it was scored") &&
                                               Contains("re-score"));
  fs::remove(prof);
  CHECK_THROWS_WITH(h5::ProfileReader(sc), Contains("ref_profiles.h5") &&
                                               Contains("no longer exists") &&
                                               Contains("--self-contained"));
  CHECK_THROWS_AS(h5::ProfileReader(sc), InputError);
}

TEST_CASE("A sparse file declaring 10^10 rows is refused before anything is read", "[hdf5]") {
  const auto path = scratch("sparse.h5").string();
  {
    h5::File f = h5::File::create(path, {h5::kFiletypeProfiles, 1, "", "test"});
    h5::Dataset::create<double>(f.id(), "/profiles/followers",
                                {{10000000000ULL}, {h5::kUnlimited}, {65536}, 0});
    f.close();
  }
  CHECK_THROWS_WITH(h5::ProfileReader(path), Contains("sparse.h5") &&
                                                 Contains("'/profiles/followers'") &&
                                                 Contains("declares 10000000000 elements"));
}

TEST_CASE("The format-2 fuzz seed builds a profiles file the reader accepts", "[hdf5]") {
  // The fuzz target must start from a readable format-2 file (handle bytes + offsets, country
  // codes with their dictionary), or it would only explore refusals.
  std::ifstream in(
      std::string(MICROREACH_TEST_DATA) + "/fuzz_corpus/fuzz_hdf5/profiles_format2.bin",
      std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() > 100);
  const auto path = scratch("fuzz_seed.h5").string();
  fuzz::Bytes b(bytes.data(), bytes.size());
  fuzz::build_file(path, b);
  h5::ProfileReader r(path);
  CHECK(r.file().format_major() == 2);
  REQUIRE(r.rows() == 5);
  ProfileChunk c;
  REQUIRE(r.read(c, 10));
  CHECK(c.handle == std::vector<std::string>{"anna", ".fitb", "enji", "cafe", "_xy"});
  CHECK(c.country == std::vector<std::string>{"US", "DE", "", "JP", "US"});
  CHECK(c.followers[0] == 1200.0);
}
