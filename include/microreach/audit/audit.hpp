#pragma once
// Audience audit: how many of an account's followers are fake, and how sure are we.
//
//  1. A follower classifier: L2-regularised logistic regression on signals a follower list
//     carries (counts log-transformed, features standardised; the standardisation is stored
//     with the model). Fitted by Newton's method (IRLS) in plain C++.
//  2. The fake share of an account from a random sample of its followers: the share the
//     classifier flags (Wilson or Clopper-Pearson interval), corrected for the classifier's
//     measured sensitivity and specificity (Rogan-Gladen), with the uncertainty of those two
//     propagated into the interval; the sample size that gives a target interval width.
//  3. Validation: ROC AUC, precision/recall at the threshold, calibration, k-fold CV.
// Every formula is in docs/model.md, section "Audience audit".
//
// The whole audit API: audit/stats.hpp, audit/classifier.hpp, audit/model_file.hpp,
// audit/followers.hpp (the library microreach::audit, src/audit/).
#include "microreach/audit/classifier.hpp"
#include "microreach/audit/followers.hpp"
#include "microreach/audit/model_file.hpp"
#include "microreach/audit/stats.hpp"
