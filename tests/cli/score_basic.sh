#!/usr/bin/env bash
# generate + score end to end: outputs readable from Python, deterministic across thread
# counts and chunk sizes, summary and top-K printed, bad options refused cleanly.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${PYTHON:=/usr/bin/python3}"
fresh_work

"$MICROREACH" -q generate --count 30000 --seed 9 --out profiles.h5
[ -f profiles.h5 ] || fail "generate wrote no file"
ls -a | grep -q '\.tmp-' && fail "temporary file left behind"

"$MICROREACH" -q --threads 1 score --in profiles.h5 --niche fitness --top 5 --out s1.h5 --chunk-size 1000 > out1.txt
"$MICROREACH" -q --threads 2 score --in profiles.h5 --niche fitness --top 5 --out s2.h5 --chunk-size 7777 > out2.txt
grep -q "Top 5 by score" out1.txt || fail "no top-K table"
grep -q "By tier:" out1.txt || fail "no tier counts"
grep -q "Score percentiles:" out1.txt || fail "no percentiles"
# Identical tables apart from timing lines.
diff <(grep -v -e "^Scored" -e "^Wrote" out1.txt) <(grep -v -e "^Scored" -e "^Wrote" out2.txt) || fail "summary differs between thread counts"

# Same datasets bit for bit, readable by h5py/pandas without our code.
"$PYTHON" - <<'PY' || fail "HDF5 content check"
import h5py, numpy as np, pandas as pd
a, b = h5py.File("s1.h5", "r"), h5py.File("s2.h5", "r")
assert a.attrs["filetype"] == "microreach.scores", a.attrs["filetype"]
assert list(a.attrs["format_version"]) == [2, 0]
# Scores only: the profiles stay in the input, named with a checksum.
assert "profiles" not in a and a.attrs["profiles_file"] == "profiles.h5"
assert a.attrs["profiles_checksum"] == b.attrs["profiles_checksum"]
for g in ("scores",):
    for k in a[g]:
        x, y = a[g][k][()], b[g][k][()]
        assert x.dtype == y.dtype and x.shape == y.shape, k
        if x.dtype.kind == "f":
            assert np.array_equal(x.view(np.uint64), y.view(np.uint64)), f"{g}/{k} differs"
        else:
            assert np.array_equal(x, y), f"{g}/{k} differs"
df = pd.DataFrame({k: a["scores"][k][()] for k in a["scores"]})
assert len(df) == 30000 and df["score"].between(0, 100).all()
assert a["scores/score"].attrs["units"] == "points"
tiers = list(a["scores/tier"].attrs["categories"])
assert tiers == ["fan", "nano", "micro", "mid", "macro", "mega"], tiers
f = h5py.File("profiles.h5", "r")["profiles/followers"][()]
t = a["scores/tier"][()]
assert ((f >= 10000) & (f < 100000) == (t == 2)).all(), "micro tier does not match followers"
PY

# One pass, no intermediate file: the demo path.
"$MICROREACH" -q score --generate 20000 --seed 3 --niche beauty --top 3 > gen.txt
grep -q "synthetic population (20000 profiles, seed 3)" gen.txt || fail "generate-and-score path"

# Bad input: clear message, right exit code, no output file.
expect() {  # expect CODE PATTERN -- command...
  local code=$1 pattern=$2; shift 3
  set +e; "$@" > stdout.txt 2> stderr.txt; local rc=$?; set -e
  [ "$rc" = "$code" ] || fail "'$*' exited $rc, expected $code ($(cat stderr.txt))"
  grep -q -- "$pattern" stderr.txt || fail "'$*' said '$(cat stderr.txt)', expected '$pattern'"
}
expect 2 "--niche: 'knitting' is not valid" -- "$MICROREACH" score --in profiles.h5 --niche knitting --out bad.h5
expect 2 "w-cost" -- "$MICROREACH" score --in profiles.h5 --w-cost -1 --out bad.h5
expect 2 "tier-bounds" -- "$MICROREACH" score --in profiles.h5 --tier-bounds 1,2 --out bad.h5
expect 3 "missing.h5: no such file" -- "$MICROREACH" score --in missing.h5 --out bad.h5
echo "not hdf5" > fake.h5
expect 3 "fake.h5: is not an HDF5 file" -- "$MICROREACH" score --in fake.h5 --out bad.h5
expect 1 "does not exist" -- "$MICROREACH" score --in profiles.h5 --out no/such/dir/out.h5
expect 2 "count" -- "$MICROREACH" generate --count 0 --out bad.h5
[ -e bad.h5 ] && fail "an output was written for a refused run"

# Options from a config file; a misspelt key is refused, not ignored.
printf '[score]\nniche = "fitness"\ntop = 2\nsimilar = ["fitness:sports=0.8"]\n' > ok.toml
"$MICROREACH" -q --config ok.toml score --generate 2000 > cfg.txt
grep -q "for niche fitness" cfg.txt || fail "config file niche not applied"
grep -q "Top 2 by score" cfg.txt || fail "config file top not applied"
printf '[score]\nnihce = "fitness"\n' > typo.toml
expect 2 "nihce" -- "$MICROREACH" --config typo.toml score --generate 2000

# An existing output survives a failed run untouched.
cp s1.h5 keep.h5; sum=$(md5sum < keep.h5)
expect 3 "no such file" -- "$MICROREACH" score --in missing.h5 --out keep.h5
[ "$(md5sum < keep.h5)" = "$sum" ] || fail "existing output was modified by a failed run"
echo "score_basic: ok"
