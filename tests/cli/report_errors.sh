#!/usr/bin/env bash
# microreach report / sweep refuse bad input with a clear message, a non-zero exit code and
# no output file (an existing report is left untouched).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
rm -rf "$WORK"; mkdir -p "$WORK"
fixture="$SRC/tests/data/plan/make_fixture.py"
expect() {  # expect CODE PATTERN -- command...
  local code="$1" pattern="$2"; shift 3
  set +e; "$@" > "$WORK/stdout" 2> "$WORK/stderr"; local rc=$?; set -e
  [ "$rc" = "$code" ] || fail "exit $rc (expected $code) from: $* -- $(cat "$WORK/stderr")"
  grep -q -- "$pattern" "$WORK/stderr" || fail "message lacks '$pattern': $(cat "$WORK/stderr")"
}

"$PYTHON" "$fixture" bad "$WORK/scores.h5"
expect 3 "is a 'microreach.scores' file" -- "$MICROREACH" report "$WORK/scores.h5" -o "$WORK/r.html"
[ -e "$WORK/r.html" ] && fail "a report was written for a bad file"
expect 3 "is a 'microreach.scores' file" -- "$PYTHON" "$SRC/scripts/report.py" "$WORK/scores.h5" -o "$WORK/r.html"
expect 3 "no such file" -- "$MICROREACH" report "$WORK/missing.h5" -o "$WORK/r.html"
printf 'not hdf5' > "$WORK/text.h5"
expect 3 "not an HDF5 file" -- "$MICROREACH" report "$WORK/text.h5" -o "$WORK/r.html"

# A file of a future format version.
"$PYTHON" "$fixture" campaign "$WORK/c.h5" --trials 500
cp "$WORK/c.h5" "$WORK/v2.h5"
"$PYTHON" -c "import h5py,numpy as np,sys; f=h5py.File(sys.argv[1],'r+'); f.attrs['format_version']=np.array([2,0],dtype=np.int32)" "$WORK/v2.h5"
expect 3 "format version 2.0" -- "$MICROREACH" report "$WORK/v2.h5" -o "$WORK/r.html"
expect 3 "format version 2.0" -- "$PYTHON" "$SRC/scripts/report.py" "$WORK/v2.h5" -o "$WORK/r.html"

# A campaign file missing a required group: the script names it; the old report survives.
cp "$WORK/c.h5" "$WORK/nosummary.h5"
"$PYTHON" -c "import h5py,sys; f=h5py.File(sys.argv[1],'r+'); del f['summary']" "$WORK/nosummary.h5"
echo "previous report" > "$WORK/keep.html"
expect 3 "has no 'summary'" -- "$MICROREACH" report "$WORK/nosummary.h5" -o "$WORK/keep.html"
[ "$(cat "$WORK/keep.html")" = "previous report" ] || fail "the existing report was overwritten"
ls "$WORK"/.keep.html.tmp-* 2>/dev/null && fail "temporary report left behind"

# No Python, or a Python without the modules: the message gives the apt-get line.
expect 1 "apt-get install" -- "$MICROREACH" report "$WORK/c.h5" -o "$WORK/r.html" --python "$WORK/no-python3"
printf '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n' > "$WORK/python-bare"
chmod +x "$WORK/python-bare"
expect 1 "apt-get install" -- "$MICROREACH" report "$WORK/c.h5" -o "$WORK/r.html" --python "$WORK/python-bare"
[ -e "$WORK/r.html" ] && fail "a report was written without the modules"

# Sweep options.
expect 2 "\-\-over: 'mix=0..2:0.1' is not valid" -- "$MICROREACH" sweep --over mix=0..2:0.1
expect 2 "\-\-objective: 'revenue' is not valid" -- "$MICROREACH" sweep --over micro-count=1..3 --objective revenue
expect 2 "\-\-strategy" -- "$MICROREACH" sweep --over micro-count=1..3 --strategy macro --market-profiles 20000
expect 2 "\-\-range" -- "$MICROREACH" sensitivity --range 150 --market-profiles 20000
expect 2 "\-\-rank-by" -- "$MICROREACH" sensitivity --rank-by median --market-profiles 20000
echo "report_errors: ok"
