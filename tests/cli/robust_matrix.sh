#!/usr/bin/env bash
# Table-driven check of tests/robust_matrix.tsv: every bad-input class with its exit code and
# message. For each row with a command: run it, compare the exit code, match stderr against the
# message (grep -E), and check that nothing was written to the output directory $O and that
# the process did not crash. Rows whose command is '-' are checked by the test they name.
set -euo pipefail
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}"
PYTHON="${PYTHON:-/usr/bin/python3}"
rm -rf "$WORK"
mkdir -p "$WORK"
M="$MICROREACH"
W="$WORK/fixtures"
C="$WORK/corpus"
O="$WORK/out"
mkdir -p "$W" "$O"

# ---- fixtures
"$M" -q generate --count 3000 --seed 4 --chunk-size 256 --out "$W/profiles.h5"
"$M" -q score --in "$W/profiles.h5" --chunk-size 256 --top 0 --out "$W/scores.h5" >/dev/null
"$PYTHON" "$SRC/tests/data/corrupt/make_corpus.py" --profiles "$W/profiles.h5" \
  --scores "$W/scores.h5" --out "$C"
printf 'handle,followers,avg_likes\nbob,-5,10\n' >"$W/neg.csv"
printf 'handle,followers,avg_likes\nbob,1.2Q,10\n' >"$W/badnum.csv"
printf 'handle,avg_likes\nbob,10\n' >"$W/nofollow.csv"
printf 'handle,followers,avg_likes\n"bob,100,10\n' >"$W/quote.csv"
printf '[campaign]\nbudget = -5\n' >"$W/neg_budget.toml"
printf '[campaign]\nbudget = 25000\nconversion_rate = 1.5\n' >"$W/bad_probability.toml"
printf 'budget = \n' >"$W/bad_syntax.toml"

ran=0 by_other=0 failed=0
while IFS=$'\t' read -r id class command code message checked; do
  case "$id" in '#'* | id | '') continue ;; esac
  if [ "$command" = "-" ]; then
    by_other=$((by_other + 1))
    continue
  fi
  rm -rf "$O" && mkdir -p "$O"
  rc=0
  # The command is trusted text from the table; eval expands $M, $W, $C and $O.
  eval "$command" >"$WORK/stdout" 2>"$WORK/stderr" </dev/null || rc=$?
  problem=""
  if [ "$rc" != "$code" ]; then
    problem="exit code $rc, expected $code"
  elif ! grep -Eq -- "$message" "$WORK/stderr"; then
    problem="message does not match /$message/"
  elif grep -Eq "Segmentation|Assertion|terminate called|HDF5-DIAG|AddressSanitizer|runtime error" "$WORK/stderr"; then
    problem="crash or library noise on stderr"
  elif [ -n "$(ls -A "$O")" ]; then
    problem="output written despite the failure: $(ls -A "$O")"
  fi
  if [ -n "$problem" ]; then
    echo "FAIL $id ($class): $problem" >&2
    echo "     command: $command" >&2
    sed 's/^/     stderr: /' "$WORK/stderr" | head -5 >&2
    failed=$((failed + 1))
  else
    printf 'ok  %-26s %-22s exit %s\n' "$id" "$class" "$rc"
  fi
  ran=$((ran + 1))
done <"$SRC/tests/robust_matrix.tsv"
echo "robust_matrix: $ran rows run, $failed failed; $by_other rows checked by the tests they name"
[ "$failed" = 0 ] && [ "$ran" -gt 40 ]
