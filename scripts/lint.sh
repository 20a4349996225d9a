#!/usr/bin/env bash
# Style and static checks on the whole tree.
#   scripts/lint.sh            no references to sessions, tracker items or outside notes in any
#                              tracked text file, every source file named in a CMake file, then
#                              clang-format --dry-run on every C++ file
#                              git tracks (fails on any difference; the test command runs this)
#   scripts/lint.sh --tidy [BUILD_DIR]
#                              also clang-tidy (.clang-tidy) on every translation unit of
#                              BUILD_DIR/compile_commands.json (default build-test; slow: minutes)
# Fix formatting with: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
tidy=0
if [ "${1:-}" = "--tidy" ]; then tidy=1; shift; fi
build="${1:-build-test}"

# The repository speaks for itself: no comment, doc, script or data file may point at a
# development session or a tracker item by number, or at the domain notes kept outside the
# repository (by section sign or file name); explain the fact where it is used or in docs/
# instead. Binary files (*.png, fuzz crash inputs with NUL bytes) are skipped.
echo "== references outside the repository"
refs='\b(sessions?|issues?) ?#?[0-9]+\b|DOMAIN( ?§|\.md)|§ ?[0-9]'
if git grep -n -I -i -E "$refs" -- . ':!*.png'; then
  echo "lint.sh: the lines above refer to sessions, tracker items or notes outside the repository; say what they meant instead" >&2
  exit 1
fi

# Source lists are explicit (cmake/sources.cmake and the CMakeLists.txt of tests/, bench/,
# tests/fuzz/, src/python/): a file that no CMake file names is never built or run.
echo "== every source, test and benchmark is named in a CMake file"
# The names one CMake file lists: its words, comments dropped. A file counts as listed only
# when its own folder's list names it exactly (a word in a comment elsewhere does not).
# (grep reads all its input: with -q it could stop early and, under pipefail, fail the pipe.)
listed_in() { sed 's/#.*//' "$1" | tr -s ' \t()' '\n' | grep -xF -- "$2" > /dev/null; }
unlisted=0
while read -r f; do
  base=$(basename "$f"); stem=${base%.*}
  case "$f" in
    src/*.cpp | sim/*.cpp) list=cmake/sources.cmake needle=$f ;;
    tests/cli/*.sh | tests/mpi/*.sh | tests/python/test_*.py) list=tests/CMakeLists.txt needle=$stem ;;
    bench/bench_*.cpp) list=bench/CMakeLists.txt needle=$stem ;;
    tests/fuzz/fuzz_*.cpp) list=tests/fuzz/CMakeLists.txt needle=$stem ;;
    tests/*.cpp) list=tests/CMakeLists.txt needle=$base ;;
    *) continue ;;
  esac
  if ! listed_in "$list" "$needle"; then
    echo "$f: not named in $list" >&2
    unlisted=1
  fi
done < <(git ls-files 'src/*.cpp' 'sim/*.cpp' 'tests/*.cpp' 'tests/cli/*.sh' 'tests/mpi/*.sh' \
  'tests/python/test_*.py' 'bench/bench_*.cpp' 'tests/fuzz/fuzz_*.cpp' | grep -v '^src/python/')
if [ "$unlisted" = 1 ]; then
  echo "lint.sh: add the files above to cmake/sources.cmake or the CMakeLists.txt of their folder" >&2
  exit 1
fi

command -v clang-format >/dev/null || { echo "lint.sh: clang-format not found (apt-get install clang-format)" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h')
echo "== clang-format --dry-run on ${#files[@]} files"
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "lint.sh: files above are not formatted as .clang-format says; run: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i" >&2
  exit 1
fi

if [ "$tidy" = 1 ]; then
  command -v run-clang-tidy >/dev/null || { echo "lint.sh: run-clang-tidy not found (apt-get install clang-tidy)" >&2; exit 2; }
  [ -f "$build/compile_commands.json" ] || cmake -S . -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
  echo "== clang-tidy on $build/compile_commands.json"
  run-clang-tidy -quiet -p "$build" -j"$(nproc)" '(src|sim)/.*\.cpp$'
fi
