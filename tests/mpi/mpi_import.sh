#!/usr/bin/env bash
# A CSV or NDJSON export read by N ranks (each a byte range cut at record starts) gives the
# one-process run's file, bit for bit, for import and score at np = 1..4: the rows kept, their
# line-number ids, the rejected rows (--on-error skip, the --rejects file and the first rows on
# stderr), --dedupe first/last/keep across ranks, and the printed summary (with and without an
# output file). Quoted fields with newlines, blank lines and CRLF line ends cross the cut
# points; several blocks per rank.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}" "${PYTHON:?}" "${MPIEXEC:?}"
fresh_work
# The printed report without its timings, the rejects file named alike.
report() { grep -v "^Scored\|^Wrote" "$1" | sed 's/rej\([0-9]*\)-[0-9]\.csv/rej\1.csv/'; }

"$PYTHON" "$SRC/tests/mpi/make_exports.py" 3000 1 bad.csv bad.ndjson --bad
"$PYTHON" "$SRC/tests/mpi/make_exports.py" 2500 2 crlf.csv crlf.ndjson --bad --crlf
"$PYTHON" "$SRC/tests/mpi/make_exports.py" 2000 3 good.csv good.ndjson
small=(--chunk-size 256 --block-size 4K)
runs=(
  "import good.csv"
  "import bad.ndjson --on-error skip --dedupe last --rejects REJECTS"
  "import crlf.csv --on-error skip --dedupe keep --rejects REJECTS"
  "score --in bad.csv --on-error skip --dedupe last --niche fitness --top 10"
  "score --in crlf.ndjson --on-error skip --top 10 --rejects REJECTS"
)
for i in "${!runs[@]}"; do
  read -r -a args <<< "${runs[$i]//REJECTS/rej$i.csv}"
  "$MICROREACH" --threads 2 "${args[@]}" "${small[@]}" --out "ref$i.h5" > "ref$i.txt" 2> "ref$i.err"
  [ -s "ref$i.h5" ] || fail "run $i: no serial output"
  nps=(2 3 4)
  [ "$i" = 0 ] && nps=(1 2 3 4)  # one rank is the one-process path: once is enough
  for np in "${nps[@]}"; do
    read -r -a args <<< "${runs[$i]//REJECTS/rej$i-$np.csv}"
    mpi "$np" "$MICROREACH" --threads 1 "${args[@]}" "${small[@]}" --out "out$i-$np.h5" \
      > "out$i-$np.txt" 2> "out$i-$np.err" || { cat "out$i-$np.err"; fail "np=$np: ${runs[$i]} failed"; }
    same "ref$i.h5" "out$i-$np.h5"
    diff <(report "ref$i.txt") <(report "out$i-$np.txt") || fail "np=$np: ${runs[$i]}: another report"
    diff <(grep "^rejected" "ref$i.err" || true) <(grep "^rejected" "out$i-$np.err" || true) ||
      fail "np=$np: ${runs[$i]}: other rejected rows on stderr"
    if [ -f "rej$i.csv" ]; then
      cmp "rej$i.csv" "rej$i-$np.csv" || fail "np=$np: ${runs[$i]}: another rejects file"
    fi
    ls -A | grep -q '\.tmp-\|\.rank[0-9]' && fail "np=$np: ${runs[$i]} left a temporary file"
  done
done
# Without --out (the summary only): the rows are parsed again in the second pass instead of
# read back from a spill file; the same report.
sum=(score --in bad.ndjson --on-error skip --dedupe last --top 10 "${small[@]}")
"$MICROREACH" --threads 2 "${sum[@]}" > sum.txt 2> sum.err
for np in 2 3; do
  mpi "$np" "$MICROREACH" --threads 1 "${sum[@]}" > "sum$np.txt" 2> "sum$np.err"
  diff <(report sum.txt) <(report "sum$np.txt") || fail "np=$np: score without --out: another report"
  diff <(grep "^rejected" sum.err) <(grep "^rejected" "sum$np.err") ||
    fail "np=$np: score without --out: other rejected rows on stderr"
done

# The tests above must exercise what they claim: rejected rows, duplicates, several ranks' rows.
grep -q "rejected [1-9]" ref1.txt || fail "bad.ndjson has no rejected rows"
grep -q "Duplicates: [1-9]" ref0.txt || fail "good.csv has no duplicate accounts"
grep -q "^rejected: bad.csv:[0-9]*:" ref3.err || fail "score bad.csv: no rejected rows on stderr"
[ "$(wc -l < rej2.csv)" -gt 20 ] || fail "crlf.csv: too few rejected rows"

# A JSON array cannot be cut at object starts: refused under mpirun, nothing written.
printf '[{"handle": "a", "followers": 10},\n {"handle": "b", "followers": 20}]\n' > arr.json
set +e
mpi 2 "$MICROREACH" -q import arr.json --out arr.h5 > /dev/null 2> arr.err
rc=$?
set -e
[ "$rc" = 2 ] || fail "JSON array under mpirun: exit $rc, expected 2"
grep -q "JSON array.*NDJSON" arr.err || fail "JSON array: the message does not say what to do"
[ ! -e arr.h5 ] || fail "JSON array: an output was written"

# --dedupe on an HDF5 profiles file (duplicates kept at import): each rank counts the accounts
# of its rows, the counts are exchanged in rank order, and the rows dropped, the scores file
# and the report are the one-process run's.
"$MICROREACH" -q import good.csv --dedupe keep --out dup.h5
for mode in first last keep; do
  d=(score --in dup.h5 --dedupe "$mode" --niche fitness --top 10 "${small[@]}")
  "$MICROREACH" --threads 2 "${d[@]}" --out "dref-$mode.h5" > "dref-$mode.txt"
  grep -q "uplicate" "dref-$mode.txt" || fail "dup.h5 --dedupe $mode: no duplicates reported"
  for np in 2 3 4; do
    mpi "$np" "$MICROREACH" --threads 1 "${d[@]}" --out "d$np-$mode.h5" > "d$np-$mode.txt" ||
      fail "np=$np: score dup.h5 --dedupe $mode failed"
    same "dref-$mode.h5" "d$np-$mode.h5"
    diff <(report "dref-$mode.txt") <(report "d$np-$mode.txt") ||
      fail "np=$np: score dup.h5 --dedupe $mode: another report"
    mpi "$np" "$MICROREACH" --threads 1 "${d[@]}" > "s$np-$mode.txt" ||
      fail "np=$np: score dup.h5 --dedupe $mode without --out failed"
    diff <(report "dref-$mode.txt") <(report "s$np-$mode.txt") ||
      fail "np=$np: score dup.h5 --dedupe $mode without --out: another report"
  done
done

# An NDJSON file's columns are its keys, collected by each rank over its own range and merged in
# rank order. late.ndjson: keys first seen in the last quarter (another rank's range) and in
# another order; the same columns and file as one process. nokey.ndjson: followers appears only
# after an invalid object, so that object is the error, named as one process names it.
"$PYTHON" - <<'EOF'
import json
with open("late.ndjson", "w") as f, open("nokey.ndjson", "w") as g:
    for i in range(4000):
        o = {"handle": f"acc{i}", "followers": 1000 + i}
        if i > 2000: o["posts"] = 10 + i % 7
        if i > 3000: o = {"country": "DE", **o, "avg_likes": 50 + i % 13}
        if i % 5 == 0: o = dict(reversed(list(o.items())))
        f.write(json.dumps(o) + "\n")
        if i == 2600:
            g.write('{"handle": "x", "posts": 3,}\n')
        else:
            g.write(json.dumps({"handle": f"acc{i}", "posts": i % 9, **({"followers": i} if i > 3000 else {})}) + "\n")
EOF
"$MICROREACH" --threads 2 import late.ndjson --block-size 4K --out late.h5 > /dev/null 2> late.err
grep -q "(JSON, 5 columns)" late.err || fail "late.ndjson: not 5 columns in one process"
set +e
"$MICROREACH" -q import nokey.ndjson --block-size 4K --out nokey.h5 2> nokey.err
rc1=$?
set -e
for np in 2 3 4; do
  mpi "$np" "$MICROREACH" --threads 1 import late.ndjson --block-size 4K --out "late$np.h5" \
    > /dev/null 2> "late$np.err" || { cat "late$np.err"; fail "np=$np: import late.ndjson failed"; }
  same late.h5 "late$np.h5"
  diff late.err "late$np.err" || fail "np=$np: late.ndjson: another column mapping"
  set +e
  mpi "$np" "$MICROREACH" -q --threads 1 import nokey.ndjson --block-size 4K --out "nokey$np.h5" \
    2> "nokey$np.err"
  rc=$?
  set -e
  [ "$rc" = "$rc1" ] || fail "np=$np: nokey.ndjson: exit $rc, one process $rc1"
  # The one-process message, after "rank R: " (R: whichever rank's range holds line 2601).
  [ "$(grep "^microreach: error: rank [1-9]: " "nokey$np.err" | head -1 |
       sed 's/rank [0-9]: //')" = "$(head -1 nokey.err)" ] ||
    { cat nokey.err "nokey$np.err"; fail "np=$np: nokey.ndjson: not the one-process error"; }
  [ ! -e "nokey$np.h5" ] || fail "np=$np: nokey.ndjson: an output was written"
done
grep -q ":2601:28: .*expected a \"key\"" nokey.err || fail "nokey.ndjson: not the invalid object"
echo "ok: import and score of CSV and NDJSON exports identical for np = 1..4"
