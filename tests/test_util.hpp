#pragma once
// Helpers shared by the unit tests: temporary files, profiles built by hand.
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "microreach/profile.hpp"

namespace microreach::test {

// A file in the temp directory holding `bytes`, removed at scope exit. Its name ends in `name`
// (so the extension picks the reader) and is unique per process and call.
struct TempFile {
  std::string path;
  TempFile(const std::string& name, const std::string& bytes) {
    static std::atomic<int> n{0};
    path = (std::filesystem::temp_directory_path() /
            ("mr_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + "_" + name))
               .string();
    std::ofstream(path, std::ios::binary) << bytes;
  }
  ~TempFile() { std::filesystem::remove(path); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

// n Instagram profiles alike: `followers` followers and `likes` likes a post, every other
// column missing; a test then sets what it varies.
inline ProfileChunk instagram_profiles(std::size_t n, double followers, double likes) {
  ProfileChunk p;
  p.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    p.followers[i] = followers;
    p.platform[i] = static_cast<std::uint8_t>(Platform::instagram);
    p.avg_likes[i] = likes;
  }
  return p;
}

}  // namespace microreach::test
