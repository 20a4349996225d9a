#!/usr/bin/env bash
# Same seed, --threads 1 and --threads 2: identical campaign files (every dataset and every
# attribute except the creation time), also with --keep-trials and --precision rounds; a
# different seed changes the numbers. And the default run prints the $25k comparison.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}" "${PYTHON:?}"
fresh_work

common=(simulate --budget 25000 --niche fitness --strategies macro,micro-even:20,micro-top,optimize
        --trials 3000 --market-profiles 60000 --keep-trials)
"$MICROREACH" -q --threads 1 "${common[@]}" --seed 11 --out t1.h5 > t1.txt
"$MICROREACH" -q --threads 2 "${common[@]}" --seed 11 --out t2.h5 > t2.txt
"$MICROREACH" -q --threads 2 "${common[@]}" --seed 12 --out t3.h5 > /dev/null

"$PYTHON" - t1.h5 t2.h5 t3.h5 <<'PY'
import sys
import h5py
import numpy as np

def contents(path):
    out = {}
    with h5py.File(path, "r") as f:
        def attrs(name, obj):
            for k, v in obj.attrs.items():
                if k == "created" or (name == "/" and k == "command"):
                    continue
                a = np.asarray(v)
                out[f"{name}@{k}"] = repr(a.tolist()) if a.dtype.kind in "OSU" else a.tobytes()
        attrs("/", f)
        def visit(name, obj):
            attrs(name, obj)
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()].tobytes() if obj.dtype.kind != "O" else repr(obj[()].tolist())
        f.visititems(visit)
    return out

a, b, c = (contents(p) for p in sys.argv[1:4])
if a.keys() != b.keys():
    sys.exit(f"FAIL: different objects: {sorted(a.keys() ^ b.keys())}")
diff = [k for k in a if a[k] != b[k]]
if diff:
    sys.exit(f"FAIL: --threads 1 and 2 differ in {diff[:10]}")
for need in ("summary/mean", "comparisons/p_a_beats_b", "strategies/3/hired/key", "trials/0/profit",
             "trials/conversion_shock", "model/reach_rate"):
    if need not in a:
        sys.exit(f"FAIL: {need} missing from the campaign file")
if a["summary/mean"] == c["summary/mean"]:
    sys.exit("FAIL: seed 12 gives the same means as seed 11")
with h5py.File(sys.argv[1]) as f:
    if f.attrs["filetype"] != "microreach.campaign" or f.attrs["trials"] != 3000:
        sys.exit("FAIL: wrong filetype or trials attribute")
    if len(f["trials/2/roi"]) != 3000:
        sys.exit("FAIL: per-trial table has the wrong length")
print(f"identical: {len(a)} datasets and attributes")
PY
# Terminal output equal too (apart from the timing lines).
diff <(grep -v -e '^simulated' -e '^candidates' -e '^wrote' t1.txt) <(grep -v -e '^simulated' -e '^candidates' -e '^wrote' t2.txt) \
  || fail "terminal tables differ between thread counts"

# --precision: rounds, identical across thread counts, the trials used reported.
prec=(simulate --strategies macro,micro-even:10 --market-profiles 60000 --trials 1000
      --precision 0.01 --max-trials 200000 --seed 3)
"$MICROREACH" -q --threads 1 "${prec[@]}" --out p1.h5 > p1.txt
"$MICROREACH" -q --threads 2 "${prec[@]}" --out p2.h5 > /dev/null
grep -q "^precision: largest relative standard error .* < 1% after .* rounds" p1.txt \
  || { cat p1.txt; fail "precision line missing"; }
"$PYTHON" -c "
import h5py, numpy as np, sys
a, b = h5py.File('p1.h5'), h5py.File('p2.h5')
assert a.attrs['trials'] == b.attrs['trials'] > 1000, 'precision rounds did not add trials'
assert a.attrs['precision_reached'] == 1 and a.attrs['max_relative_se'] < 0.01
assert a.attrs['rounds'] >= 2
assert np.array_equal(a['summary/mean'][()], b['summary/mean'][()])
" || fail "--precision results differ or are wrong"

# The default run: the \$25k question side by side.
"$MICROREACH" -q simulate --trials 2000 > default.txt
for s in "microreach simulate: \$25,000 in fitness" "macro" "micro-even:40" "micro-top" \
         "unique reach" "conversions" "ROI" "P(loss)" "P(beats macro)"; do
  grep -qF "$s" default.txt || { cat default.txt; fail "default output lacks '$s'"; }
done
echo "simulate_threads: ok"
