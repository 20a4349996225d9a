#pragma once
// Audit files (filetype microreach.audit, written by `audit --out`), layout in
// docs/hdf5-layout.md ("Audit files"): /followers, one row per classified follower, and the
// attributes of /audit, the estimate with everything needed to reproduce it.
#include <cstddef>
#include <memory>
#include <string>

#include "microreach/audit/followers.hpp"
#include "microreach/io/hdf5.hpp"

namespace microreach::io {

// Appends classified blocks to /followers (probability, flagged, line; username from the
// first block that carries usernames).
class FollowerWriter {
 public:
  FollowerWriter(h5::Id file, std::size_t chunk_rows);
  ~FollowerWriter();
  FollowerWriter(const FollowerWriter&) = delete;
  FollowerWriter& operator=(const FollowerWriter&) = delete;
  void append(const audit::ClassifiedBlock& b);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What /audit records.
struct AuditSummary {
  std::string source;           // the follower file as given
  std::string handle;           // the audited account (may be empty)
  std::string model_name;       // "default" or the model file
  std::string accuracy_source;  // where the sensitivity and specificity come from
  audit::IntervalMethod method = audit::IntervalMethod::wilson;
  double confidence = 0.95;
  double target_width = 0.0;
  const audit::LogisticModel* model = nullptr;  // required
  audit::StreamStats stats;
  audit::ShareEstimate estimate;
  audit::SamplePlan plan;
};
void write_audit_summary(h5::Id file, const AuditSummary& s);

}  // namespace microreach::io
