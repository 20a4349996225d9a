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
echo "ok: import and score of CSV and NDJSON exports identical for np = 1..4"
