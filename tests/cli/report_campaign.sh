#!/usr/bin/env bash
# microreach report on campaign files: a fixture written with h5py (with and without the
# per-trial table) and, when the simulator is built, a real `microreach simulate` file.
# Headless (Agg backend, no display); every number in the HTML must equal the HDF5 file and
# every figure must be a valid PNG (tests/data/plan/check_report.py).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
report_setup

"$PYTHON" "$fixture" campaign "$WORK/c.h5" --trials 3000
"$MICROREACH" report "$WORK/c.h5" -o "$WORK/c.html" --figures "$WORK/cfig" > "$WORK/out.txt"
grep -q "Wrote $WORK/c.html" "$WORK/out.txt" || fail "no 'Wrote' line: $(cat "$WORK/out.txt")"
ls "$WORK"/.c.html.tmp-* 2>/dev/null && fail "temporary report left behind"
"$PYTHON" "$check" "$WORK/c.h5" "$WORK/c.html" "$WORK/cfig" strategies distributions frontier

# Without /trials the distributions come from the summary quantiles.
"$PYTHON" "$fixture" campaign "$WORK/n.h5" --trials 2000 --no-trials
"$PYTHON" "$SRC/scripts/report.py" "$WORK/n.h5" -o "$WORK/n.html" --figures "$WORK/nfig" --quiet
"$PYTHON" "$check" "$WORK/n.h5" "$WORK/n.html" "$WORK/nfig" strategies distributions frontier

# A real campaign file from the simulator.
"$MICROREACH" simulate --trials 3000 --market-profiles 20000 --keep-trials \
  --out "$WORK/sim.h5" > "$WORK/sim.txt"
"$MICROREACH" report "$WORK/sim.h5" -o "$WORK/sim.html" --figures "$WORK/simfig" > /dev/null
"$PYTHON" "$check" "$WORK/sim.h5" "$WORK/sim.html" "$WORK/simfig" strategies distributions frontier
# The HTML is self-contained: no external images, scripts or style sheets.
if grep -Eq '<(img|script|link)[^>]+(src|href)="(http|/|\.\./)' "$WORK/sim.html"; then
  fail "the report refers to external files"
fi
echo "report_campaign: ok"
