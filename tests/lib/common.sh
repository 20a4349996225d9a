# Shared by the end-to-end test scripts (tests/cli/*.sh, tests/mpi/*.sh); source it after
# `set -euo pipefail`:  . "$SRC/tests/lib/common.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }

# A fresh, empty $WORK as the current directory.
fresh_work() { rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK"; }

# refused CODE PATTERN... -- ARGS...: runs `microreach -q ARGS` (stdout to out.txt, stderr to
# err.txt, at most 60 s) and fails unless it exits with CODE, its message holds every PATTERN
# (fixed strings) and no temporary output ('.tmp-' file) is left in the current directory.
refused() {
  local code=$1 patterns=() rc=0
  shift
  while [[ $1 != "--" ]]; do patterns+=("$1"); shift; done
  shift
  timeout 60 "$MICROREACH" -q "$@" > out.txt 2> err.txt < /dev/null || rc=$?
  [[ $rc == "$code" ]] || { cat err.txt >&2; fail "exit $rc, expected $code for: $*"; }
  for p in "${patterns[@]}"; do
    grep -qF -- "$p" err.txt || { cat err.txt >&2; fail "message lacks '$p' for: $*"; }
  done
  if ls -a | grep -q '\.tmp-'; then fail "temporary file left behind: $*"; fi
}

# mpi NP ARGS...: ARGS under mpirun with NP ranks (root allowed, more ranks than cores allowed).
mpi() { local np=$1; shift; "$MPIEXEC" --oversubscribe --allow-run-as-root -np "$np" "$@"; }

# same A B: the HDF5 files A and B hold the same datasets and attributes, provenance aside.
same() { "$PYTHON" "$SRC/tests/mpi/compare_h5.py" "$1" "$2" || fail "$2 differs from $1"; }

# For the report tests: a fresh $WORK (not entered), no display (figures render headless), and
# the plan fixtures' writer ($fixture) and the report checker ($check).
report_setup() {
  rm -rf "$WORK"; mkdir -p "$WORK"
  unset DISPLAY MPLBACKEND || true
  fixture="$SRC/tests/data/plan/make_fixture.py"
  check="$SRC/tests/data/plan/check_report.py"
}
