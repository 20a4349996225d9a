#pragma once
// Profiles built by hand for the scoring tests.
#include <cstddef>
#include <cstdint>

#include "microreach/profile.hpp"

namespace microreach::test {

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
