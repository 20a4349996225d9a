// check_output_paths / check_output_target and AtomicOutput: outputs that could destroy data
// are refused with the option, the path as given and the reason.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "microreach/cancel.hpp"
#include "microreach/error.hpp"
#include "microreach/output_path.hpp"

using namespace microreach;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path dir;
  TempDir() {
    dir = fs::temp_directory_path() / ("microreach-output-path-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempDir() { fs::remove_all(dir); }
  std::string file(const std::string& name, const std::string& text = "") const {
    const std::string p = (dir / name).string();
    if (!text.empty()) std::ofstream(p) << text;
    return p;
  }
};
}  // namespace

TEST_CASE("An empty output name is refused naming the option", "[output]") {
  CHECK_THROWS_WITH(check_output_target("--csv", ""),
                    Contains("--csv: '' is not valid") && Contains("'-' for standard output"));
  CHECK_THROWS_AS(check_output_paths({{"--out", "", OutputFormat::binary, true}}, {}), ConfigError);
  // Not given at all (an optional output): nothing to check.
  CHECK_NOTHROW(check_output_paths({{"--out", "", OutputFormat::binary, false}}, {}));
}

TEST_CASE("A FIFO, a link to one and a directory are refused; AtomicOutput too", "[output]") {
  TempDir t;
  const std::string fifo = t.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(check_output_target("--out", fifo),
                    Contains("--out: '" + fifo + "'") && Contains("it is a FIFO"));
  const std::string link = t.file("link");
  fs::create_symlink(fifo, link);
  CHECK_THROWS_WITH(check_output_target("--rejects", link),
                    Contains("--rejects: '" + link + "'") && Contains("a symbolic link to a FIFO"));
  CHECK_THROWS_WITH(AtomicOutput(fifo, "--csv"), Contains("--csv") && Contains("FIFO"));
  CHECK_THROWS_WITH(check_output_target("--out", t.dir.string()), Contains("is a directory"));
  struct stat st {};
  REQUIRE(::stat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));  // untouched
}

TEST_CASE("An output that is an input is refused, by any name", "[output]") {
  TempDir t;
  const std::string in = t.file("in.csv", "a,b\n1,2\n");
  const std::string hard = t.file("hard.csv");
  fs::create_hard_link(in, hard);
  const std::string soft = t.file("soft.csv");
  fs::create_symlink(in, soft);
  for (const std::string& out : {in, hard, soft, (t.dir / "." / "in.csv").string()}) {
    CHECK_THROWS_WITH(
        check_output_paths({{"--out", out, OutputFormat::binary}}, {{"--in", in}}),
        Contains("--out: '" + out + "'") && Contains("a file other than the input --in '" + in));
  }
  // A positional input is named by its path alone.
  CHECK_THROWS_WITH(check_output_paths({{"--csv", in, OutputFormat::text}}, {{"", in}}),
                    Contains("the input '" + in + "'"));
  // A different file, and inputs given as '' or '-', pass.
  CHECK_NOTHROW(check_output_paths({{"--out", t.file("new.h5"), OutputFormat::binary}},
                                   {{"--in", in}, {"--audited", ""}, {"--in", "-"}}));
  std::ifstream back(in);
  std::string line;
  std::getline(back, line);
  CHECK(line == "a,b");
}

TEST_CASE("Two outputs naming one file are refused", "[output]") {
  TempDir t;
  const std::string a = t.file("x.h5");
  const std::string b = (t.dir / "sub" / ".." / "x.h5").string();
  fs::create_directories(t.dir / "sub");
  CHECK_THROWS_WITH(
      check_output_paths({{"--out", a, OutputFormat::binary}, {"--rejects", b, OutputFormat::text}},
                         {}),
      Contains("--rejects: '" + b + "'") && Contains("than --out '" + a + "'"));
  CHECK_THROWS_WITH(
      check_output_paths(
          {{"--out", "-", OutputFormat::text}, {"--rejects", "-", OutputFormat::text}}, {}),
      Contains("a different destination than --out '-'"));
  // A file updated in place cannot be standard output.
  CHECK_THROWS_WITH(check_output_paths({{"--append-to", "-", OutputFormat::update}}, {}),
                    Contains("read and updated in place"));
}

TEST_CASE("AtomicOutput through a link to a regular file replaces the file, keeps the link",
          "[output]") {
  TempDir t;
  const std::string target = t.file("target.txt", "old\n");
  const std::string link = t.file("link.txt");
  fs::create_symlink(target, link);
  {
    AtomicOutput out(link);
    std::ofstream(out.temp_path()) << "new\n";
    out.commit();
  }
  CHECK(fs::is_symlink(link));
  std::ifstream in(target);
  std::string line;
  std::getline(in, line);
  CHECK(line == "new");
}
