#!/usr/bin/env bash
# CSV -> HDF5 -> CSV keeps every value: export writes shortest round-trip numbers, so a second
# import/export gives the same bytes, and the values equal those of the original file.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}" "${PYTHON:=/usr/bin/python3}"
fresh_work
in="$SRC/tests/data/import/full.csv"

"$MICROREACH" -q import "$in" --out a.h5 > /dev/null
"$MICROREACH" export a.h5 --csv a.csv > /dev/null
"$MICROREACH" -q import a.csv --out b.h5 > /dev/null
"$MICROREACH" export b.h5 --csv b.csv > /dev/null
cmp a.csv b.csv || fail "second round trip changed the CSV"
"$PYTHON" - "$in" <<'PY' || fail "values differ from the original file"
import sys, numpy as np, pandas as pd
a = pd.read_csv(sys.argv[1], keep_default_na=False, na_values=[""])
b = pd.read_csv("a.csv", keep_default_na=False, na_values=[""])
assert len(a) == len(b) == 4
for c in a.columns:
    if a[c].dtype.kind in "fi":
        x, y = a[c].to_numpy(float), b[c].to_numpy(float)
        assert np.array_equal(x, y, equal_nan=True), (c, x, y)
    else:
        x = a[c].fillna("").astype(str).tolist()
        y = b[c].fillna("").astype(str).tolist()
        assert x == y, (c, x, y)
PY
# Scores: score --in CSV --out, export all and the top 2.
"$MICROREACH" -q score --in "$in" --out s.h5 --top 0 > /dev/null
"$MICROREACH" export s.h5 --csv s.csv > /dev/null
"$MICROREACH" export s.h5 --csv top.csv --top 2 > /dev/null
"$PYTHON" - <<'PY' || fail "score export"
import pandas as pd
s = pd.read_csv("s.csv"); t = pd.read_csv("top.csv")
assert len(s) == 4 and len(t) == 2
assert {"score", "tier", "engagement", "flags", "missing_components"} <= set(s.columns)
best = s.dropna(subset=["score"]).sort_values(["score", "id"], ascending=[False, True]).head(2)
assert t["id"].tolist() == best["id"].tolist(), (t["id"], best["id"])
PY
rc=0; "$MICROREACH" export a.h5 --csv x.csv --top 3 2> err.txt || rc=$?
[ "$rc" -eq 2 ] || fail "--top on a profiles file accepted (exit $rc)"
echo "ok"
