#pragma once
// Helpers shared by the simulator tests: hand-built candidates.
#include <cstdint>
#include <string>

#include "microreach/profile.hpp"
#include "microreach/sim/model.hpp"

namespace sim_test {

struct CandidateSpec {
  std::uint64_t key = 1;
  microreach::Platform platform = microreach::Platform::instagram;
  microreach::Niche niche = microreach::Niche::fitness;
  microreach::Tier tier = microreach::Tier::micro;
  double followers = 50'000;
  double fake = 0.1;
  double engagement_per_view = 0.12;
  double share_fraction = 0.05;
  double relevance = 1.0;
  double price = 250;
};

inline microreach::sim::Candidate candidate(const CandidateSpec& s) {
  microreach::sim::Candidate c;
  c.key = s.key;
  c.id = 1000 + s.key;
  c.handle = "acct" + std::to_string(s.key);
  c.platform = static_cast<std::uint8_t>(s.platform);
  c.niche = static_cast<std::uint8_t>(s.niche);
  c.tier = static_cast<std::uint8_t>(s.tier);
  c.followers = s.followers;
  c.fake_share = s.fake;
  c.engagement_per_view = s.engagement_per_view;
  c.share_fraction = s.share_fraction;
  c.relevance = s.relevance;
  c.price = s.price;
  c.score = 50;
  return c;
}

inline microreach::sim::Portfolio portfolio(std::string name,
                                            std::vector<microreach::sim::Candidate> hired) {
  microreach::sim::Portfolio p;
  p.spec = name;
  p.label = std::move(name);
  p.hired = std::move(hired);
  return p;
}

}  // namespace sim_test

// The simulator tests' vocabulary, unqualified in every test file that includes this header
// (a test-only header: the library's own headers never do this).
using namespace microreach;
using namespace microreach::sim;
using sim_test::candidate;
using sim_test::CandidateSpec;
using sim_test::portfolio;
