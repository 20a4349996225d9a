#pragma once
// Run-time choice between the baseline x86-64 code and a copy compiled for x86-64-v3 (AVX2,
// FMA, BMI2), shared by the scoring kernel and the simulator's batch loops. Both copies give
// the same bits (-ffp-contract=off); the v3 copy is only faster.
//
// GCC on x86-64 builds the v3 copy with a target attribute; clang (the sanitizer and fuzz
// builds), a build already at -march with AVX2, and other architectures have one copy only.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__AVX2__)
#define MICROREACH_V3_CLONE 1
#define MICROREACH_TARGET_V3 __attribute__((target("arch=x86-64-v3")))
#else
#define MICROREACH_V3_CLONE 0
#define MICROREACH_TARGET_V3
#endif

namespace microreach {

// True when this build has a v3 copy and this CPU can run it.
bool cpu_runs_v3_clone();
// The copy to start with: the v3 copy where it runs, unless the environment variable
// MICROREACH_ISA=baseline asks for the baseline code.
bool v3_clone_by_default();

}  // namespace microreach
