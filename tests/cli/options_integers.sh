#!/usr/bin/env bash
# Every whole-number option of every command (found in --help, so new ones are covered too)
# refuses negative, out-of-range and non-decimal values with exit 2, naming the option and
# quoting the value exactly as typed; none wraps modulo 2^64.
set -euo pipefail
: "${MICROREACH:?}" "${WORK:?}"
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK"
fail() { echo "FAIL: $*" >&2; exit 1; }

refused() {  # refused OPTION VALUE -- ARGS...
  local opt=$1 value=$2; shift 3
  set +e
  "$MICROREACH" -q "$@" > out.txt 2> err.txt
  local rc=$?
  set -e
  [[ $rc == 2 ]] || { cat err.txt; fail "exit $rc, expected 2 for: $*"; }
  grep -qF -- "$opt" err.txt || { cat err.txt; fail "message does not name $opt for: $*"; }
  grep -qF -- "$value" err.txt || { cat err.txt; fail "message does not quote '$value' for: $*"; }
  [[ -z $(ls -A | grep -v '^\(out\|err\)\.txt$') ]] || fail "a file was written for: $*"
}

checked=0
for cmd in generate score simulate sweep sensitivity report "audit" "audit fit" "audit evaluate" \
           import export; do
  # shellcheck disable=SC2086
  help=$("$MICROREACH" $cmd --help)
  while read -r opt type; do
    # shellcheck disable=SC2086
    if [[ $type == UINT ]]; then
      refused "$opt" "'-1'" -- $cmd "$opt" -1
      refused "$opt" "'-18446744073709551615'" -- $cmd "$opt" -18446744073709551615
    else
      refused "$opt" "-99999999999999999999" -- $cmd "$opt" -99999999999999999999
    fi
    # shellcheck disable=SC2086
    refused "$opt" "99999999999999999999" -- $cmd "$opt" 99999999999999999999
    # shellcheck disable=SC2086
    refused "$opt" "0x10" -- $cmd "$opt" 0x10
    # shellcheck disable=SC2086
    refused "$opt" "1e3" -- $cmd "$opt" 1e3
    checked=$((checked + 1))
  done < <(grep -oE -- '--[a-z0-9-]+ U?INT\b' <<< "$help" | sort -u)
done
# The global option.
refused "--threads" "-1" -- -j -1 generate
refused "--threads" "99999999999999999999" -- --threads 99999999999999999999 generate
# Examples from the field: these once wrapped to 2^64 - 1, 1 and 2^64 - 5.
refused "--seed" "'-1'" -- generate --seed -1 --count 5 --out x.h5
refused "--count" "'-18446744073709551615'" -- generate --count -18446744073709551615 --out x.h5
refused "--trials" "'-5'" -- simulate --trials -5
(( checked >= 20 )) || fail "only $checked integer options found in --help"
# Leading zeros are decimal, not octal: --top 010 shows ten rows.
"$MICROREACH" -q score --generate 200 --top 010 > top.txt
grep -q "Top 10 by score" top.txt || fail "--top 010 was not read as 10"
echo "options_integers: ok ($checked integer options)"
