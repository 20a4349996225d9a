#!/usr/bin/env bash
# Every file kind microreach writes stays as it was: tests/data/io/make_files.sh writes a
# small profiles (generate and import), scores, campaign, sweep, sensitivity and audit file
# with fixed seeds, and each must equal the fixture next to it, written the same way by an
# earlier build: same groups, datasets (type, shape, chunks, filters, bytes) and attributes,
# except the provenance attributes naming the build, the time and the command line.
set -euo pipefail
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}" "${PYTHON:?}"
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK"
MICROREACH="$MICROREACH" SRC="$SRC" bash "$SRC/tests/data/io/make_files.sh"
status=0
for f in profiles imported scores campaign sweep sensitivity audit; do
  "$PYTHON" "$SRC/tests/data/io/compare_h5.py" "$SRC/tests/data/io/$f.h5" "$f.h5" || status=1
done
# The comparison itself must see a change: a file with one value altered differs.
cp scores.h5 altered.h5
"$PYTHON" - altered.h5 <<'PY'
import sys
import h5py
with h5py.File(sys.argv[1], "r+") as f:
    f["scores/score"][0] += 1.0
    f.attrs["seed"] = f.attrs["seed"] + 1
PY
if "$PYTHON" "$SRC/tests/data/io/compare_h5.py" scores.h5 altered.h5 > diff.txt; then
  echo "FAIL: compare_h5.py sees no difference in an altered file" >&2; status=1
fi
grep -q "scores/score: values differ" diff.txt || { cat diff.txt; echo "FAIL: value change not named" >&2; status=1; }
grep -q "/@seed" diff.txt || { cat diff.txt; echo "FAIL: attribute change not named" >&2; status=1; }
exit $status
