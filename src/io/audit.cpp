#include "microreach/io/audit.hpp"

#include <cstdint>

#include "microreach/audit/model_file.hpp"

namespace microreach::io {
using namespace microreach::audit;

struct FollowerWriter::Impl {
  h5::Handle group;
  h5::ColumnOptions opt;
  std::unique_ptr<h5::ColumnWriter<double>> probability;
  std::unique_ptr<h5::ColumnWriter<std::uint8_t>> flagged;
  std::unique_ptr<h5::ColumnWriter<std::uint64_t>> line;
  std::unique_ptr<h5::ColumnWriter<std::string>> username;
};

FollowerWriter::FollowerWriter(h5::Id file, std::size_t chunk_rows)
    : impl_(std::make_unique<Impl>()) {
  impl_->group = h5::ensure_group(file, "followers");
  impl_->opt = h5::ColumnOptions{chunk_rows, 0};
  const h5::Id g = impl_->group.get();
  impl_->probability = std::make_unique<h5::ColumnWriter<double>>(
      g, "probability", "", "P(fake) from the follower model", impl_->opt);
  impl_->flagged = std::make_unique<h5::ColumnWriter<std::uint8_t>>(
      g, "flagged", "", "1 if probability >= the model threshold", impl_->opt);
  impl_->line = std::make_unique<h5::ColumnWriter<std::uint64_t>>(
      g, "line", "", "1-based line of the follower in the input file", impl_->opt);
}

FollowerWriter::~FollowerWriter() = default;

void FollowerWriter::append(const ClassifiedBlock& b) {
  impl_->probability->append(b.probability);
  impl_->flagged->append(b.flagged);
  impl_->line->append(b.line);
  if (!b.username.empty()) {
    if (!impl_->username)
      impl_->username = std::make_unique<h5::ColumnWriter<std::string>>(
          impl_->group.get(), "username", "", "username as in the input file", impl_->opt);
    impl_->username->append(b.username);
  }
}

void write_audit_summary(h5::Id file, const AuditSummary& s) {
  const LogisticModel& m = *s.model;
  const ShareEstimate& est = s.estimate;
  h5::Handle g = h5::ensure_group(file, "audit");
  const h5::Id id = g.get();
  h5::write_attr(id, "source", s.source);
  h5::write_attr(id, "handle", s.handle);
  h5::write_attr(id, "model", model_to_toml(m));
  h5::write_attr(id, "model_name", s.model_name);
  h5::write_attr(id, "method", interval_method_name(s.method));
  h5::write_attr(id, "confidence", s.confidence);
  h5::write_attr(id, "threshold", m.threshold);
  h5::write_attr(id, "sensitivity", m.accuracy.sensitivity);
  h5::write_attr(id, "specificity", m.accuracy.specificity);
  h5::write_attr(id, "transfer_sd_sensitivity", m.accuracy.transfer_sd_sensitivity);
  h5::write_attr(id, "transfer_sd_specificity", m.accuracy.transfer_sd_specificity);
  h5::write_attr(id, "validation_positives", m.accuracy.positives);
  h5::write_attr(id, "validation_negatives", m.accuracy.negatives);
  h5::write_attr(id, "accuracy_source", s.accuracy_source);
  h5::write_attr(id, "sampled", s.stats.rows);
  h5::write_attr(id, "flagged", s.stats.flagged);
  h5::write_attr(id, "missing_values", s.stats.missing_values);
  h5::write_attr(id, "apparent_share", est.apparent);
  h5::write_attr(id, "apparent_lo", est.apparent_ci.lo);
  h5::write_attr(id, "apparent_hi", est.apparent_ci.hi);
  h5::write_attr(id, "fake_share", est.corrected);
  h5::write_attr(id, "fake_share_lo", est.corrected_ci.lo);
  h5::write_attr(id, "fake_share_hi", est.corrected_ci.hi);
  h5::write_attr(id, "sampling_lo", est.sampling_ci.lo);
  h5::write_attr(id, "sampling_hi", est.sampling_ci.hi);
  h5::write_attr(id, "target_width", s.target_width);
  h5::write_attr(id, "width_reachable", static_cast<std::int64_t>(s.plan.reachable ? 1 : 0));
  h5::write_attr(id, "floor_width", s.plan.floor_width);
  h5::write_attr(id, "total_needed", s.plan.total_needed);
  h5::write_attr(id, "more_needed", s.plan.more_needed);
}

}  // namespace microreach::io
