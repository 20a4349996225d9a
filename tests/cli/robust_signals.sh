#!/usr/bin/env bash
# Ctrl-C / SIGTERM during generate, score, import and simulate:
#  - the process exits with 130 within a second of the signal,
#  - says it was interrupted,
#  - leaves no temporary file beside the output,
#  - leaves an existing output file byte-identical (write-then-rename, never truncate).
# Also: a second signal stops at once, and a read blocked on a stalled pipe cannot delay the
# stop past the watchdog. Deadline per stop: MICROREACH_SIGNAL_DEADLINE seconds (default 1.0).
set -euo pipefail
: "${MICROREACH:?}" "${WORK:?}"
rm -rf "$WORK"
mkdir -p "$WORK"
deadline="${MICROREACH_SIGNAL_DEADLINE:-1.0}"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
now() { date +%s.%N; }
within() { awk -v l="$1" -v d="$deadline" 'BEGIN { exit !(l <= d) }'; }

# no_temp DIR NAME: no ".NAME.tmp-*" left in DIR
no_temp() {
  local left
  left=$(find "$1" -maxdepth 1 -name ".$2.tmp-*" | head -5)
  [ -z "$left" ] || fail "temporary output left behind: $left"
}

# wait_for_temp DIR NAME PID: until the command has started writing (its temp file exists)
wait_for_temp() {
  local i
  for i in $(seq 1 600); do
    if compgen -G "$1/.$2.tmp-*" >/dev/null; then return 0; fi
    kill -0 "$3" 2>/dev/null || fail "the command ended before it started writing ($2)"
    sleep 0.05
  done
  fail "no temporary file for $2 appeared within 30 s"
}

# interrupt LABEL SIGNAL OUT WAIT_MODE -- COMMAND...
# Runs COMMAND (which writes OUT) in the background over an existing OUT, sends SIGNAL once it
# is busy (WAIT_MODE temp: its temporary file exists; a number: after that many seconds), and
# checks exit code, latency, message, temp files and the old OUT.
interrupt() {
  local label="$1" sig="$2" out="$3" mode="$4"
  shift 5
  local dir name before pid t0 t1 rc=0 lat
  dir=$(dirname "$out")
  name=$(basename "$out")
  before=$(sha256sum "$out" | cut -d' ' -f1)
  "$@" 2>"$WORK/$label.err" >"$WORK/$label.out" &
  pid=$!
  if [ "$mode" = temp ]; then
    wait_for_temp "$dir" "$name" "$pid"
    sleep 0.3
  else
    sleep "$mode"
  fi
  kill -0 "$pid" 2>/dev/null || fail "$label: finished before the signal; make the job longer"
  t0=$(now)
  kill "-$sig" "$pid"
  wait "$pid" || rc=$?
  t1=$(now)
  lat=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  [ "$rc" = 130 ] || { cat "$WORK/$label.err" >&2; fail "$label: exit code $rc after SIG$sig, expected 130"; }
  within "$lat" || fail "$label: took ${lat}s to stop after SIG$sig (limit ${deadline}s)"
  grep -q "interrupted" "$WORK/$label.err" || { cat "$WORK/$label.err" >&2; fail "$label: no 'interrupted' message"; }
  no_temp "$dir" "$name"
  [ "$(sha256sum "$out" | cut -d' ' -f1)" = "$before" ] || fail "$label: the existing $name was modified"
  printf 'ok  %-28s SIG%-4s stopped in %.3f s\n' "$label" "$sig" "$lat"
}

M="$MICROREACH"

# Previous outputs, each a valid result of a small run: they must survive untouched.
"$M" -q generate --count 2000 --seed 3 --out "$WORK/profiles.h5"
"$M" -q score --generate 2000 --seed 3 --out "$WORK/scores.h5" --top 0 >/dev/null
cp "$WORK/profiles.h5" "$WORK/imported.h5"
"$M" -q simulate --trials 2000 --out "$WORK/campaign.h5" >/dev/null

interrupt generate INT "$WORK/profiles.h5" temp -- \
  "$M" -q generate --count 400000000 --seed 9 --out "$WORK/profiles.h5"
interrupt generate-term TERM "$WORK/profiles.h5" temp -- \
  "$M" -q generate --count 400000000 --seed 9 --out "$WORK/profiles.h5"
interrupt score INT "$WORK/scores.h5" temp -- \
  "$M" -q score --generate 50000000 --out "$WORK/scores.h5" --top 5
interrupt score-term TERM "$WORK/scores.h5" temp -- \
  "$M" -q score --generate 50000000 --out "$WORK/scores.h5" --top 5
# simulate writes its file after the trials: interrupt it while it simulates.
interrupt simulate INT "$WORK/campaign.h5" 1.0 -- \
  "$M" -q simulate --trials 2000000 --out "$WORK/campaign.h5"
interrupt simulate-term TERM "$WORK/campaign.h5" 1.0 -- \
  "$M" -q simulate --trials 2000000 --out "$WORK/campaign.h5"

# import of a large CSV (~700 MB), interrupted while it parses and writes.
awk 'BEGIN { for (i = 0; i < 1500000; i++)
    printf "user_%d,instagram,%d,%d,%d,fitness,%d\n", i, 5000 + i % 90000, 100 + i % 900, 3 + i % 40, 50 + i % 700 }' \
  >"$WORK/rows.csv"
{
  echo "handle,platform,followers,avg_likes,avg_comments,niche,price"
  for i in 1 2 3 4 5 6 7 8 9 10; do cat "$WORK/rows.csv"; done
} >"$WORK/huge.csv"
rm -f "$WORK/rows.csv"
interrupt import INT "$WORK/imported.h5" temp -- \
  "$M" -q import "$WORK/huge.csv" --out "$WORK/imported.h5"

# import from a pipe that stalls: the reader is blocked in read(); the stop must not wait for
# the writer (EINTR check in the reader, else the watchdog).
mkfifo "$WORK/stalled.csv"
(
  head -2000 "$WORK/huge.csv"
  sleep 60
) >"$WORK/stalled.csv" &
writer=$!
interrupt import-stalled TERM "$WORK/imported.h5" 1.0 -- \
  "$M" -q import "$WORK/stalled.csv" --out "$WORK/imported.h5"
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true

# A second Ctrl-C stops at once, whatever the first one is waiting for.
"$M" -q score --generate 50000000 --out "$WORK/scores.h5" --top 5 2>"$WORK/double.err" >/dev/null &
pid=$!
wait_for_temp "$WORK" scores.h5 "$pid"
before_sig=$(now)
kill -INT "$pid"
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 130 ] || fail "double Ctrl-C: exit code $rc, expected 130"
within "$(awk -v a="$before_sig" -v b="$(now)" 'BEGIN { print b - a }')" || fail "double Ctrl-C: too slow"
no_temp "$WORK" scores.h5
echo "ok  double Ctrl-C                  stopped, exit 130, no temporary file"

rm -f "$WORK/huge.csv"
echo "robust_signals: all interruption checks passed"
