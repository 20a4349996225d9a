#!/usr/bin/env bash
# What a planner saw wrong in the reports, checked on real runs: tornado ticks at their values
# and each panel ranked by its own effect; the sensitivity report's title; the sweep report's
# per-strategy summary; "nothing hired" shown; hire tables, spend and unspent in a campaign
# report; a campaign file with a statistic that is not finite is refused.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}" "${PYTHON:?}"
fresh_work
unset DISPLAY MPLBACKEND || true
check="$PYTHON $SRC/tests/data/plan/check_report_fixes.py $SRC/scripts/report.py"
market=(--market-profiles 20000)

"$MICROREACH" -q sensitivity --strategies macro,micro-top --trials 1000 "${market[@]}" \
  --out t.h5 > /dev/null
"$MICROREACH" report t.h5 -o t.html > /dev/null
$check tornado t.h5 t.html || fail "tornado"
$check sensitivity t.h5 t.html || fail "sensitivity report"

"$MICROREACH" -q sweep --over micro-count=1..20 --trials 800 "${market[@]}" --out s.h5 > /dev/null
"$MICROREACH" report s.h5 -o s.html > /dev/null
$check sweep s.h5 s.html || fail "sweep summary"

# A conversion rate so low that no account adds profit: optimize hires nobody.
"$MICROREACH" -q simulate --strategies macro:1,micro-even:10,optimize --conversion-rate 1e-7 \
  --trials 500 "${market[@]}" --out n.h5 > n.txt
grep -q "note: optimize: nothing hired" n.txt || { cat n.txt; fail "terminal: nothing hired"; }
grep -q "^unspent (USD, kept as cash)" n.txt || { cat n.txt; fail "terminal: no unspent row"; }
"$MICROREACH" report n.h5 -o n.html --figures nfig > /dev/null
$check nothing n.h5 n.html || fail "nothing hired"
$check campaign n.h5 n.html || fail "campaign hires"
"$PYTHON" "$SRC/tests/data/plan/check_report.py" n.h5 n.html nfig strategies distributions frontier \
  || fail "report numbers"

# Statistics that are not finite: refused, naming the dataset and the row.
cp n.h5 bad.h5
"$PYTHON" -c "
import h5py, numpy as np
with h5py.File('bad.h5', 'r+') as f:
    f['summary/p95'][3] = np.inf
"
rc=0; "$MICROREACH" report bad.h5 -o bad.html 2> bad.err || rc=$?
[[ $rc == 3 ]] || { cat bad.err; fail "non-finite statistics: exit $rc, expected 3"; }
grep -q "/summary/p95 row 3" bad.err || { cat bad.err; fail "the message does not name the row"; }
[[ ! -e bad.html ]] || fail "a report was written for a damaged file"
echo "report_fixes: ok"
