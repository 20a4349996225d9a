#!/usr/bin/env bash
# microreach sweep / sensitivity -> microreach report: the sweep's curves obey the model
# (fees never exceed the budget; unique reach never falls as nested micro accounts are added;
# the best point is the best mean; the stored frontier marks exactly the non-dominated
# points), and the report's numbers equal the file's.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
report_setup

# Fixture sweep (layout only).
"$PYTHON" "$fixture" sweep "$WORK/f.h5" --points 12 --trials 1500
"$MICROREACH" report "$WORK/f.h5" -o "$WORK/f.html" --figures "$WORK/ffig" > /dev/null
"$PYTHON" "$check" "$WORK/f.h5" "$WORK/f.html" "$WORK/ffig" sweep distributions frontier tornado

# Real sweep over the number of micro accounts, with the tornado of the best point.
"$MICROREACH" sweep --over micro-count=1..30 --budget 25000 --trials 2000 \
  --market-profiles 20000 --sensitivity --out "$WORK/s.h5" > "$WORK/s.txt"
grep -q "<- best profit" "$WORK/s.txt" || fail "no best point marked in the terminal table"
"$PYTHON" - "$WORK/s.h5" <<'PY'
import sys
import h5py
import numpy as np
f = h5py.File(sys.argv[1], "r")
assert f.attrs["filetype"] == "microreach.sweep", f.attrs["filetype"]
s = f["sweep"]
cost, budget, reach = s["cost"][()], s["budget"][()], s["unique_reach_mean"][()]
assert (cost <= budget * (1 + 1e-12)).all(), "a point's fees exceed its budget"
assert (budget <= float(f.attrs["budget"]) * (1 + 1e-12)).all(), "a point's budget exceeds --budget"
assert (np.diff(reach) >= 0).all(), f"unique reach falls along the nested sweep: {reach}"
best = int(f.attrs["best_point"])
assert best == int(np.argmax(s["profit_mean"][()])) and s["best"][best] == 1
fr = f["frontier"]
m, es, dom = fr["expected_profit"][()], fr["shortfall"][()], fr["dominated"][()]
for i in range(len(m)):
    d = any((m[j] >= m[i]) and (es[j] >= es[i]) and (m[j] > m[i] or es[j] > es[i])
            for j in range(len(m)) if j != i)
    assert d == bool(dom[i]), f"point {i}: dominated={dom[i]}, recomputed {d}"
sens = f["sensitivity"]
assert (np.diff(sens["rank"][()].astype(int)) == 1).all()
eff = sens["effect_mean"][()]
assert (np.diff(eff) <= 0).all(), "sensitivity rows are not in rank order"
counts = f["distributions/profit/counts"][()]
tot = counts.sum(axis=1) + f["distributions/profit/underflow"][()] + f["distributions/profit/overflow"][()]
assert (tot == int(f.attrs["trials"])).all(), "histograms do not count every trial"
print("sweep file: ok")
PY
"$MICROREACH" report "$WORK/s.h5" -o "$WORK/s.html" --figures "$WORK/sfig" > /dev/null
"$PYTHON" "$check" "$WORK/s.h5" "$WORK/s.html" "$WORK/sfig" sweep distributions frontier tornado

# Budget and mix axes, and the sensitivity command.
"$MICROREACH" sweep --over budget=5000..25000:10000 --trials 1000 --market-profiles 20000 \
  --objective roi --out "$WORK/b.h5" > "$WORK/b.txt"
grep -q "<- best roi" "$WORK/b.txt" || fail "no best point for roi"
"$MICROREACH" sweep --over mix=0..1:0.5 --trials 1000 --market-profiles 20000 > "$WORK/m.txt"
"$MICROREACH" sensitivity --strategies macro,micro-top --trials 1000 --market-profiles 20000 \
  --range 10 --out "$WORK/t.h5" > "$WORK/t.txt"
"$MICROREACH" report "$WORK/t.h5" -o "$WORK/t.html" --figures "$WORK/tfig" > /dev/null
"$PYTHON" "$check" "$WORK/t.h5" "$WORK/t.html" "$WORK/tfig" strategies distributions frontier tornado

# Same seed, 1 or 2 threads: the same sweep table.
"$MICROREACH" -j 1 sweep --over micro-count=1..10 --trials 1000 --market-profiles 20000 \
  | grep -v "^Done in" > "$WORK/j1.txt"
"$MICROREACH" -j 2 sweep --over micro-count=1..10 --trials 1000 --market-profiles 20000 \
  | grep -v "^Done in" > "$WORK/j2.txt"
cmp "$WORK/j1.txt" "$WORK/j2.txt" || fail "sweep differs between 1 and 2 threads"
echo "report_sweep: ok"
