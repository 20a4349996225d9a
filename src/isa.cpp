#include "microreach/isa.hpp"

#include <cstdlib>
#include <string_view>

namespace microreach {

bool cpu_runs_v3_clone() {
#if MICROREACH_V3_CLONE
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
         __builtin_cpu_supports("bmi2");
#else
  return false;
#endif
}

bool v3_clone_by_default() {
  const char* env = std::getenv("MICROREACH_ISA");
  if (env != nullptr && std::string_view(env) == "baseline") return false;
  return cpu_runs_v3_clone();
}

}  // namespace microreach
