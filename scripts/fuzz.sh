#!/usr/bin/env bash
# Builds every libFuzzer target (tests/fuzz/fuzz_*.cpp) with clang and runs each for a bounded
# time, seeded with the test fixtures and tests/data/fuzz_corpus. Exits non-zero when a target
# finds a crash or a broken invariant; the input is saved under $SCRATCH/artifacts (copy it to
# tests/data/fuzz_corpus/ as a regression test: tests/test_fuzz_corpus.cpp replays that folder).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 60; env: BUILD=build-fuzz, SCRATCH=...)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-${FUZZ_SECONDS:-60}}
build=${BUILD:-$here/build-fuzz}
scratch=${SCRATCH:-${TMPDIR:-/tmp}/microreach-fuzz}
jobs=${JOBS:-2}
command -v clang++ > /dev/null || { echo "fuzz.sh: clang++ not found (apt-get install clang)" >&2; exit 2; }

(cd "$here" && cmake --preset fuzz -B "$build" > /dev/null)
targets=()
for src in "$here"/tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$src" .cpp)"); done
cmake --build "$build" -j"$jobs" --target "${targets[@]}"

mkdir -p "$scratch/artifacts"
status=0
for t in "${targets[@]}"; do
  corpus="$scratch/corpus-$t"
  mkdir -p "$corpus"
  echo "== $t: ${seconds}s (corpus $corpus)"
  if ! "$build/tests/fuzz/$t" -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=4096 \
      -timeout=30 -artifact_prefix="$scratch/artifacts/$t-" -print_final_stats=1 \
      "$corpus" "$here/tests/data/import" "$here/tests/data/fuzz_corpus" 2> "$scratch/$t.log"; then
    status=1
    echo "fuzz.sh: $t FAILED; log $scratch/$t.log; inputs:" >&2
    ls -1 "$scratch/artifacts/$t-"* >&2 || true
    grep -m1 -E "invariant broken|ERROR: " "$scratch/$t.log" >&2 || true
  else
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$scratch/$t.log" || true
    grep -E "^#[0-9]+ +DONE" "$scratch/$t.log" | tail -1 || true
  fi
done
exit $status
