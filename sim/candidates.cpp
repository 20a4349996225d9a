#include "microreach/sim/candidates.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "microreach/error.hpp"
#include "microreach/import.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/pipeline.hpp"

namespace microreach::sim {
namespace {

bool finite(double v) {
  return std::isfinite(v);
}

double relevance_of(std::uint8_t niche, const CandidateOptions& opt) {
  const auto t = static_cast<std::size_t>(opt.niche);
  return niche < kNicheCount ? opt.scoring.similarity[t][niche] : opt.scoring.similarity_floor;
}

// Keeps the candidates of a scored stream. consume() runs serially in input order, so the
// running row count is the row of each profile in the source: the influencer key.
class CandidateSink : public BatchSink {
 public:
  CandidateSink(const CandidateOptions& opt, CandidatePool& pool) : opt_(opt), pool_(pool) {}
  void consume(const Batch& b) override { add(b.profiles, b.scores); }
  void add(const ProfileChunk& p, const ScoreChunk& s) {
    for (std::size_t r = 0; r < p.size(); ++r) {
      const std::uint64_t key = row_++;
      const bool wanted = (!opt_.wanted_ids.empty() && opt_.wanted_ids.count(p.id[r])) ||
                          (!opt_.wanted_handles.empty() && opt_.wanted_handles.count(p.handle[r]));
      const double rel = relevance_of(p.niche[r], opt_);
      const bool relevant = rel > opt_.scoring.similarity_floor;
      if (!wanted && !relevant) continue;
      Candidate c = make_candidate(p, s, r, key, opt_);
      if (wanted) pool_.wanted.push_back(c);
      if (relevant && hireable(c)) pool_.accounts.push_back(std::move(c));
    }
    pool_.rows = row_;
  }

 private:
  const CandidateOptions& opt_;
  CandidatePool& pool_;
  std::uint64_t row_ = 0;
};

void prepare(CandidateOptions& opt) {
  opt.scoring.target_niche = opt.niche;
}

}  // namespace

bool hireable(const Candidate& c) {
  return finite(c.followers) && c.followers > 0 && finite(c.price) && c.price > 0 &&
         finite(c.score) && c.tier > static_cast<std::uint8_t>(Tier::fan) && c.tier < kTierCount;
}

Candidate make_candidate(const ProfileChunk& p, const ScoreChunk& s, std::size_t r,
                         std::uint64_t key, const CandidateOptions& opt) {
  Candidate c;
  c.key = key;
  c.id = p.id[r];
  c.handle = p.handle[r];
  c.platform = p.platform[r];
  c.niche = p.niche[r];
  c.followers = p.followers[r];
  c.tier = s.tier[r];
  c.fake_share = finite(s.fake_share[r]) ? std::clamp(s.fake_share[r], 0.0, 1.0) : 0.0;
  c.fake_share_lo = s.fake_share_lo[r];
  c.fake_share_hi = s.fake_share_hi[r];
  // Authentic engagements per impression, from the scoring's per-post estimates; where the
  // profile has no engagement counts, the benchmark rate over the tier reach rate.
  const double reach = s.expected_reach[r], eng = s.expected_engagements[r];
  if (finite(reach) && reach > 0 && finite(eng)) {
    c.engagement_per_view = std::clamp(eng / reach, 0.0, 1.0);
  } else if (finite(s.benchmark_rate[r]) && c.tier < kTierCount) {
    c.engagement_per_view =
        std::clamp(s.benchmark_rate[r] / opt.scoring.reach_rate[c.tier], 0.0, 1.0);
  } else {
    c.engagement_per_view = 0.0;
  }
  const double likes = p.avg_likes[r], comments = p.avg_comments[r], shares = p.avg_shares[r];
  if (finite(shares) && shares >= 0 && finite(likes)) {
    const double total = likes + (finite(comments) ? comments : 0.0) + shares;
    c.share_fraction = total > 0 ? shares / total : kMissing;
  }
  c.relevance = relevance_of(c.niche, opt);
  c.price = s.price[r];
  c.score = s.score[r];
  return c;
}

CandidatePool synthetic_market(std::uint64_t profiles, std::uint64_t seed,
                               const GeneratorConfig& gen, CandidateOptions opt) {
  prepare(opt);
  CandidatePool pool;
  pool.source = "synthetic:" + std::to_string(profiles) + ":" + std::to_string(seed);
  GeneratorSource source(seed, profiles, 16384, gen, opt.scoring);
  CandidateSink sink(opt, pool);
  PipelineOptions po;
  po.scoring = &opt.scoring;
  run_pipeline(source, {&sink}, po);
  return pool;
}

CandidatePool load_candidates(const std::string& path, CandidateOptions opt) {
  prepare(opt);
  CandidatePool pool;
  pool.source = path;
  CandidateSink sink(opt, pool);
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return std::tolower(ch); });
  if (ext == ".h5" || ext == ".hdf5" || ext == ".he5") {
    std::string filetype;
    {
      const h5::File f = h5::File::open(path, {h5::kFiletypeProfiles, h5::kFiletypeScores});
      filetype = f.filetype();
    }
    if (filetype == h5::kFiletypeScores) {
      // Scores as stored (the user's weights, audited intervals); relevance for this niche.
      h5::ProfileReader reader(path);
      ProfileChunk p;
      ScoreChunk s;
      std::uint64_t first = 0;
      while (reader.read(p, 65536)) {
        h5::read_scores(reader.file(), first, p.size(), s);
        sink.add(p, s);
        first += p.size();
      }
      return pool;
    }
    Hdf5Source source(path, 16384);
    PipelineOptions po;
    po.scoring = &opt.scoring;
    run_pipeline(source, {&sink}, po);
    return pool;
  }
  if (!is_import_path(path))
    throw ConfigError("--input", path,
                      "an HDF5 file from generate/score (.h5) or an export (.csv, .tsv, .json, "
                      ".ndjson)");
  ImportOptions io;
  auto source = make_import_source(path, io, 16384);
  PipelineOptions po;
  po.scoring = &opt.scoring;
  run_pipeline(*source, {&sink}, po);
  return pool;
}

}  // namespace microreach::sim
