#!/usr/bin/env bash
# docs/library.md's example, built as a project of its own against an installed microreach:
# `cmake --install` of this build into a scratch prefix, then a C++-only project that calls
# find_package(microreach), links microreach::sim, and runs (generate, score, campaign).
# Environment: BUILD = the microreach build directory, SRC = the source tree, WORK = scratch.
set -euo pipefail
rm -rf "$WORK" && mkdir -p "$WORK"
cmake --install "$BUILD" --prefix "$WORK/prefix" >"$WORK/install.log"
test -f "$WORK/prefix/lib/cmake/microreach/microreachConfig.cmake"
cmake -S "$SRC/docs/examples/library" -B "$WORK/example" -DCMAKE_PREFIX_PATH="$WORK/prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$WORK/configure.log" 2>&1 || { cat "$WORK/configure.log"; exit 1; }
cmake --build "$WORK/example" -j2 >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
out=$("$WORK/example/microreach_example")
echo "$out"
grep -q "^scored 10000 profiles; best: @" <<<"$out"
grep -q "^macro .*mean profit .* USD, P(loss) 0\.[0-9]" <<<"$out"
grep -q "^micro-even:40 .*mean profit" <<<"$out"
