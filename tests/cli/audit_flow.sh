#!/usr/bin/env bash
# The audit flow end to end: fit a model on the shipped SRF labelled followers, evaluate it,
# audit a follower sample (terminal + HDF5), record the result for an account and score a
# population with it: the matched profile takes the audited fake share and interval.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}" "${PYTHON:?}"
fresh_work
SRF="$SRC/data/srf_instagram_labelled_1000_inclprivate.csv"

# 1. fit: same data and seed -> byte-identical model; the shipped default is that model.
"$MICROREACH" -q audit fit "$SRF" --label rating --out m1.toml > fit.txt
"$MICROREACH" -q -j 1 audit fit "$SRF" --label rating --out m2.toml > /dev/null
cmp -s m1.toml m2.toml || fail "the fit differs between runs / thread counts"
grep -q '^format = "microreach.follower-model"' m1.toml || fail "model file has no format line"
grep -q "10-fold cross-validation (seed 1): AUC 0.9" fit.txt || { cat fit.txt; fail "CV AUC not reported"; }
# (numbers compared to 1e-9: the C library's log1p may differ in the last bit between CPUs)
"$PYTHON" - m1.toml "$SRC/data/models/follower-default.toml" <<'PY' \
  || fail "data/models/follower-default.toml is not what 'audit fit' makes from the SRF file"
import math, sys, tomllib
a, b = (tomllib.load(open(p, "rb")) for p in sys.argv[1:3])
def same(x, y, path):
    if isinstance(x, dict):
        assert x.keys() == y.keys(), path
        for k in x: same(x[k], y[k], path + "." + k)
    elif isinstance(x, list):
        assert len(x) == len(y), path
        for i, (u, v) in enumerate(zip(x, y)): same(u, v, f"{path}[{i}]")
    elif isinstance(x, float):
        assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12), (path, x, y)
    else:
        assert x == y, (path, x, y)
same(a, b, "model")
PY

# 2. evaluate: AUC, baseline, precision/recall, calibration, CV.
"$MICROREACH" -q audit evaluate "$SRF" --label rating --model default --cv 5 > eval.txt
for s in "ROC AUC 0.9" "following/followers ratio alone" "precision" "recall (sensitivity)" \
         "calibration" "5-fold cross-validation"; do
  grep -qF "$s" eval.txt || { cat eval.txt; fail "evaluate output lacks '$s'"; }
done

# 3. audit a sample with a known composition: the 98 fake + 200 real SRF rows (fake share
#    98/298 = 32.9%); the corrected interval must cover it.
"$PYTHON" - "$SRF" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
head, data = rows[0], rows[1:]
fake = [r for r in data if r[1] == "TRUE"]
real = [r for r in data if r[1] == "FALSE"][:200]
with open("sample.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(head[2:])            # no label column: an ordinary follower list
    for r in fake + real:
        w.writerow(r[2:])
PY
"$MICROREACH" -q generate -n 50 --seed 3 --out pop.h5 > /dev/null
HANDLE=$("$PYTHON" -c 'import h5py; g = h5py.File("pop.h5", "r")["profiles"]; o = g["handle_offsets"][1:3]; print(g["handle_bytes"][o[0]:o[1]].tobytes().decode())')
"$MICROREACH" -q audit sample.csv --model default --out audit.h5 --width 0.05 \
  --handle "$HANDLE" --append-to audits.csv --keep-usernames > audit.txt
grep -q "followers classified   298" audit.txt || { cat audit.txt; fail "row count"; }
grep -q "estimated fake share" audit.txt || fail "no estimate printed"
"$PYTHON" - "$HANDLE" <<'PY'
import h5py, csv, sys
f = h5py.File("audit.h5", "r")
assert f.attrs["filetype"] in (b"microreach.audit", "microreach.audit"), f.attrs["filetype"]
a = f["audit"].attrs
lo, est, hi = a["fake_share_lo"], a["fake_share"], a["fake_share_hi"]
truth = 98 / 298
assert lo <= truth <= hi, (lo, est, hi, truth)
p = f["followers/probability"][:]
flag = f["followers/flagged"][:]
assert len(p) == 298 and len(f["followers/username"]) == 298
assert int(flag.sum()) == int(a["flagged"]) == int((p >= a["threshold"]).sum())
assert list(f["followers/line"][:3]) == [2, 3, 4]
row = list(csv.DictReader(open("audits.csv")))
assert len(row) == 1 and row[0]["handle"] == sys.argv[1]
assert abs(float(row[0]["fake_share"]) - est) < 1e-5
print("audit ok: %.3f [%.3f, %.3f], truth %.3f" % (est, lo, hi, truth))
PY

# 4. score with the audited share: the matched profile carries it (flag 16 = audited).
"$MICROREACH" -q score --in pop.h5 --audited audits.csv --out scores.h5 --top 0 > score.txt
"$PYTHON" - <<'PY'
import h5py, csv
f = h5py.File("scores.h5", "r")
row = next(csv.DictReader(open("audits.csv")))
s = f["scores"]
assert abs(s["fake_share"][1] - float(row["fake_share"])) < 1e-9
assert abs(s["fake_share_lo"][1] - float(row["lo"])) < 1e-9
assert s["flags"][1] & 16
assert not (s["flags"][0] & 16)
PY
echo "audit_flow: ok"
