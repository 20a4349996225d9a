#!/usr/bin/env bash
# Sanitizer stages of CI: builds the whole project twice and runs the full default test suite
# (ctest labels `unit` and `cli`; not `scale`, no benchmarks) under
#   1. AddressSanitizer + UndefinedBehaviorSanitizer (-fno-sanitize-recover: any report fails),
#   2. ThreadSanitizer, against a libtbb built with TSan from Debian's source of the installed
#      version (see build_tsan_tbb); tests/sanitize/tsan.supp may silence only oneTBB internals.
# The CLI tests run the sanitized `microreach` of the same build.
#
#   bash scripts/ci-sanitize.sh [asan|tsan]...     (default: both)
# Environment: SANITIZE_BUILD_ROOT (default: the source tree; builds go to build-asan/ and
# build-tsan/ under it), JOBS (default: nproc). Compilers and flags: CMakePresets.json.
#
# Every sanitizer report of every process (test binaries and each `microreach` a CLI test
# starts, whatever exit code the test expected) is written to a log directory; the stage fails
# if any report exists, even when the test that caused it passed.
# Needs the packages of scripts/setup.sh --dev (clang, libclang-rt-14-dev) and dpkg-dev (part of
# build-essential), and, for the TSan stage, the oneTBB source package from the mirrors the
# machine's own apt sources name (see write_deb_src_sources).
set -euo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="${SANITIZE_BUILD_ROOT:-$SRC}"
JOBS="${JOBS:-$(nproc)}"
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(asan tsan)

command -v clang++ >/dev/null || { echo "ci-sanitize.sh: clang++ not found (scripts/setup.sh --dev)" >&2; exit 2; }
export CC=clang CXX=clang++  # also for the TSan libtbb build
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi

elapsed() { echo $(($(date +%s) - $1)); }
# Sanitizers slow every step several times; tests/cli/robust_signals.sh allows this long (s)
# from the signal to the exit instead of its default 1 s.
export MICROREACH_SIGNAL_DEADLINE="${MICROREACH_SIGNAL_DEADLINE:-2.5}"

# configure_and_build DIR PRESET: the CMakePresets.json preset (asan-ubsan or tsan), built in DIR.
configure_and_build() {
  local dir="$1" preset="$2"
  (cd "$SRC" && cmake --preset "$preset" -B "$dir" "${generator[@]}" \
    -DMICROREACH_FUZZ=OFF -DMICROREACH_BUILD_TESTS=ON) \
    >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j"$JOBS"
}

# run_tests DIR LOGDIR: the default suite; then fail on any sanitizer log.
run_tests() {
  local dir="$1" logs="$2" rc=0
  (cd "$dir" && ctest --output-on-failure -j"$JOBS" -L 'unit|cli' -LE 'scale|bench' \
    --timeout 900) || rc=$?
  if compgen -G "$logs/*" >/dev/null; then
    echo "!! sanitizer reports (from $logs):"
    for f in "$logs"/*; do
      echo "---- $f"
      head -c 20000 "$f"
    done
    rc=1
  fi
  return $rc
}

# build_for_stage DIR PRESET T0: configures and builds DIR with PRESET and empties the stage's
# sanitizer log folder, $logs (DIR/sanitizer-logs).
build_for_stage() {
  configure_and_build "$1" "$2"
  echo "   built in $(elapsed "$3") s"
  logs="$1/sanitizer-logs"
  rm -rf "$logs" && mkdir -p "$logs"
}

stage_asan() {
  local t0 dir="$ROOT/build-asan" logs
  t0=$(date +%s)
  echo "== sanitizer stage: AddressSanitizer + UndefinedBehaviorSanitizer ($CXX, -O1) in $dir"
  mkdir -p "$dir"
  build_for_stage "$dir" asan-ubsan "$t0"
  MICROREACH_SANITIZER=asan \
  ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:abort_on_error=0:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:detect_invalid_pointer_pairs=0" \
  UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1:exitcode=87" \
  LSAN_OPTIONS="suppressions=$SRC/tests/sanitize/lsan.supp:print_suppressions=0" \
    run_tests "$dir" "$logs"
  echo "== ASan+UBSan stage passed in $(elapsed "$t0") s"
}

# Debian's libtbb is not built with -fsanitize=thread, so TSan cannot see the synchronisation
# inside it (task spawn and steal, the pipeline's hand-over between filters, the wait for a task
# group) and reports every object passed between TBB tasks as a race. oneTBB's own answer is to
# build it with TBB_SANITIZE=thread: this fetches the Debian source package of exactly the
# installed libtbb-dev version (apt-get source, with a private source list: the system's apt
# configuration is left alone), builds libtbb.so.12 with TSan (~1 min on 2 cores) and puts it
# first on LD_LIBRARY_PATH for the tests. Same version, same soname, same ABI as the headers.
# write_deb_src_sources DIR: a private apt source configuration in DIR (sources.list and
# sources.list.d/) with the machine's own enabled `deb` entries turned into `deb-src`, so the
# source package comes from whatever mirror this machine is configured with. Reads the one-line
# format (/etc/apt/sources.list, *.list) and the deb822 format (*.sources); the system's apt
# configuration is left alone.
write_deb_src_sources() {
  local dir="$1" f
  mkdir -p "$dir/sources.list.d"
  : >"$dir/sources.list"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -n -E 's/^[[:space:]]*deb([[:space:]]+\[[^]]*\])?[[:space:]]+/deb-src\1 /p' "$f" >>"$dir/sources.list"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # One stanza per paragraph; a stanza whose Types include deb becomes deb-src only.
    awk 'BEGIN { RS = ""; ORS = "\n\n" }
         /(^|\n)Types:[^\n]*(^|[[:space:]])deb([[:space:]]|\n|$)/ &&
         !/(^|\n)Enabled:[[:space:]]*no/ {
           sub(/(^|\n)Types:[^\n]*/, (substr($0, 1, 6) == "Types:" ? "" : "\n") "Types: deb-src"); print }' \
      "$f" >"$dir/sources.list.d/$(basename "$f")"
  done
  if ! grep -qs . "$dir/sources.list" "$dir"/sources.list.d/*.sources; then
    echo "ci-sanitize.sh: no enabled deb entry in /etc/apt/sources.list{,.d} to derive deb-src from" >&2
    return 1
  fi
}

build_tsan_tbb() {
  local dir="$1" pkg ver work lib
  pkg=$(dpkg-query -W -f='${source:Package}' libtbb-dev)
  ver=$(dpkg-query -W -f='${source:Version}' libtbb-dev)
  work="$dir/tbb-tsan"
  lib="$work/lib"
  if [ -f "$lib/libtbb.so.12" ] && [ "$(cat "$work/version" 2>/dev/null)" = "$pkg=$ver" ]; then
    echo "   reusing TSan-instrumented $pkg $ver ($lib)"
    TSAN_TBB_LIB="$lib"
    return 0
  fi
  command -v dpkg-source >/dev/null || {
    echo "ci-sanitize.sh: dpkg-source is missing (apt-get install dpkg-dev)" >&2; return 1; }
  rm -rf "$work" && mkdir -p "$work/apt/lists/partial" "$work/dl"
  write_deb_src_sources "$work/apt"
  local aptopts=(-q -o "Dir::Etc::SourceList=$work/apt/sources.list" -o "Dir::Etc::SourceParts=$work/apt/sources.list.d"
    -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache::archives=$work/apt")
  echo "   fetching the source of $pkg $ver (Debian) to build a TSan libtbb"
  apt-get "${aptopts[@]}" update >"$work/apt.log" 2>&1 &&
    (cd "$work/dl" && apt-get "${aptopts[@]}" source --download-only "$pkg=$ver" >>"$work/apt.log" 2>&1) || {
    cat "$work/apt.log"
    echo "ci-sanitize.sh: cannot fetch the Debian source of $pkg $ver; the TSan stage needs it" >&2
    return 1
  }
  (cd "$work/dl" && dpkg-source -x ./*.dsc src >>"$work/apt.log" 2>&1) || { cat "$work/apt.log"; return 1; }
  cmake -S "$work/dl/src" -B "$work/build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DTBB_SANITIZE=thread -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBB_STRICT=OFF \
    -DTBBMALLOC_BUILD=OFF -DTBB_ENABLE_IPO=OFF >"$work/configure.log" 2>&1 || {
    cat "$work/configure.log"; return 1; }
  cmake --build "$work/build" --target tbb -j"$JOBS" >"$work/build.log" 2>&1 || {
    tail -50 "$work/build.log"; return 1; }
  mkdir -p "$lib"
  cp -P "$(dirname "$(find "$work/build" -name 'libtbb.so.12' | head -1)")"/libtbb.so* "$lib/"
  echo "$pkg=$ver" >"$work/version"
  rm -rf "$work/dl" "$work/apt"
  TSAN_TBB_LIB="$lib"
}

stage_tsan() {
  local t0 dir="$ROOT/build-tsan" logs
  t0=$(date +%s)
  echo "== sanitizer stage: ThreadSanitizer ($CXX, -O1) in $dir"
  mkdir -p "$dir"
  build_tsan_tbb "$dir"
  echo "   TSan libtbb ready after $(elapsed "$t0") s"
  build_for_stage "$dir" tsan "$t0"
  MICROREACH_SANITIZER=tsan \
  LD_LIBRARY_PATH="$TSAN_TBB_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  TSAN_OPTIONS="log_path=$logs/tsan:suppressions=$SRC/tests/sanitize/tsan.supp:halt_on_error=1:exitcode=66:second_deadlock_stack=1" \
    run_tests "$dir" "$logs"
  # The tests must really have used the instrumented libtbb.
  # (ldd's output captured first: under pipefail, grep -q leaving early makes ldd die of SIGPIPE.)
  local loaded
  loaded=$(LD_LIBRARY_PATH="$TSAN_TBB_LIB" ldd "$dir/microreach")
  grep -q "$TSAN_TBB_LIB/libtbb.so.12" <<<"$loaded" || {
    echo "ci-sanitize.sh: $dir/microreach does not load $TSAN_TBB_LIB/libtbb.so.12" >&2; return 1; }
  echo "== TSan stage passed in $(elapsed "$t0") s"
}

for s in "${stages[@]}"; do
  case "$s" in
    asan) stage_asan ;;
    tsan) stage_tsan ;;
    *) echo "ci-sanitize.sh: unknown stage '$s' (expected asan or tsan)" >&2; exit 2 ;;
  esac
done
