#!/usr/bin/env bash
# Who to hire, like for like: every strategy's hires in the terminal and in `export --hires`
# (one row per hire, '-' = standard output), --max-hires caps micro-top and optimize, plans that
# leave money unspent say so, and errors name the real cause (a pool without the tier, a market
# too small) instead of the budget. On the public exports when they are beside the source tree.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}" "${PYTHON:?}"
fresh_work

"$MICROREACH" -q simulate --market-profiles 30000 --trials 500 --max-hires 50 --show-hires 3 \
  --strategies macro,macro:1,micro-even:10,micro-top,optimize --out c.h5 > c.txt
for s in "Hires of macro:" "Hires of micro-top: 50 accounts" "handle" "expected reach (people)" \
         "spend (USD, fees)" "unspent (USD, kept as cash)" "note: micro-top: stopped at 50 hires"; do
  grep -qF "$s" c.txt || { cat c.txt; fail "terminal lacks '$s'"; }
done
"$MICROREACH" export c.h5 --hires - > hires.csv 2> export.err
grep -q "Wrote .* hires of 5 strategies to standard output" export.err || fail "status not on stderr"
"$MICROREACH" export c.h5 --hires hires_file.csv > /dev/null
cmp hires.csv hires_file.csv || fail "--hires - and --hires FILE differ"
[[ ! -e ./- ]] || fail "'-' was taken as a file name"
"$PYTHON" - <<'PY' || fail "export --hires does not match the campaign file"
import csv, h5py
rows = list(csv.DictReader(open("hires.csv")))
need = {"strategy", "handle", "platform", "tier", "followers", "price", "expected_reach", "score"}
assert need <= set(rows[0]), set(rows[0])
f = h5py.File("c.h5")
n = 0
for i in range(len(f["strategies"])):
    g = f["strategies"][str(i)]
    spec = g.attrs["spec"]
    mine = [r for r in rows if r["strategy"] == spec]
    assert len(mine) == g.attrs["hired"], (spec, len(mine), g.attrs["hired"])
    h = [x.decode() for x in g["hired/handle"][()]]
    assert [r["handle"] for r in mine] == h
    assert [float(r["followers"]) for r in mine] == list(g["hired/followers"][()])
    assert [float(r["expected_reach"]) for r in mine] == list(g["hired/expected_reach"][()])
    assert abs(sum(float(r["fee"]) for r in mine) - g.attrs["cost"]) < 1e-6 * max(1, g.attrs["cost"])
    if spec in ("micro-top", "optimize"):
        assert g.attrs["hired"] <= 50, (spec, g.attrs["hired"])
    n += len(mine)
assert n == len(rows)
# macro spends the budget like a planner would: at least 90 % on the default market.
g = f["strategies/0"]
assert g.attrs["spec"] == "macro" and g.attrs["cost"] >= 0.9 * g.attrs["budget"], g.attrs["cost"]
print(f"export --hires: {n} rows ok")
PY

# A market too small for any plan: named as such, not blamed on the budget.
rc=0; "$MICROREACH" -q simulate --market-profiles 1 --trials 100 2> tiny.err > /dev/null || rc=$?
[[ $rc == 2 ]] || { cat tiny.err; fail "one-profile market: exit $rc"; }
grep -q "market is too small" tiny.err || { cat tiny.err; fail "tiny market message"; }
grep -q "budget" tiny.err && ! grep -q "whatever the budget" tiny.err && fail "blames the budget"

SHARED="${MICROREACH_SHARED_DATA:-$SRC/../shared/data}"
KIM="$SHARED/kim2020_instagram_influencers.txt"
SEP="$SHARED/instagram_sep2022_social_media_influencers.csv"
if [[ -f "$KIM" ]]; then
  # $100k in fashion: macro fills the budget with macro accounts; macro:1 and micro-even:40
  # cannot spend it on this pool, and the table says how much is kept as cash.
  "$MICROREACH" -q simulate --input "$KIM" --niche fashion --budget 100000 --trials 500 \
    --strategies macro,macro:1,micro-even:40,micro-top --max-hires 300 --out kim.h5 > kim.txt
  grep -q "^unspent (USD, kept as cash)" kim.txt || { cat kim.txt; fail "Kim: no unspent row"; }
  grep -q "note: micro-even:40: too few micro accounts cost close to budget / 40" kim.txt \
    || { cat kim.txt; fail "Kim: micro-even:40 does not say why it spends little"; }
  "$PYTHON" -c "
import h5py
f = h5py.File('kim.h5')
g = f['strategies/0']
assert g.attrs['cost'] >= 0.9 * g.attrs['budget'], ('macro spends', g.attrs['cost'])
assert f['strategies/1'].attrs['hired'] == 1
assert f['strategies/3'].attrs['hired'] == 300
" || fail "Kim: spend"
else
  echo "note: $KIM is not here; the Kim 2020 checks are skipped"
fi
if [[ -f "$SEP" ]]; then
  # The Sep 2022 export holds top accounts only: no micro account in fashion.
  rc=0; "$MICROREACH" -q simulate --input "$SEP" --niche fashion --trials 100 \
    --strategies micro-top 2> sep.err > /dev/null || rc=$?
  [[ $rc == 2 ]] || { cat sep.err; fail "Sep 2022 micro-top: exit $rc"; }
  grep -q "needs a micro account in fashion or a related niche" sep.err || { cat sep.err; fail "tier"; }
  grep -q -- "--budget" sep.err && { cat sep.err; fail "Sep 2022: blames --budget"; }
  "$MICROREACH" -q simulate --input "$SEP" --niche fashion --budget 1000000 --trials 200 \
    --strategies macro,macro:1 --show-hires 5 > sep.txt
  grep -q "Hires of macro:1: 1 account" sep.txt || { cat sep.txt; fail "Sep 2022 hires"; }
else
  echo "note: $SEP is not here; the Sep 2022 checks are skipped"
fi
echo "simulate_hires: ok"
