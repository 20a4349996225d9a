#pragma once
// Audience audit: the follower model file (a small TOML text) and the built-in default model.
#include <string>

#include "microreach/audit/classifier.hpp"

namespace microreach::audit {

// Model files: a small TOML text. The first key must be format = "microreach.follower-model";
// anything else is refused as "not a microreach follower model".
std::string model_to_toml(const LogisticModel& m);
LogisticModel model_from_toml(const std::string& text, const std::string& source);
LogisticModel load_model(const std::string& path_or_default);      // "default": the built-in model
void save_model(const LogisticModel& m, const std::string& path);  // atomic
const std::string& default_model_text();

}  // namespace microreach::audit
