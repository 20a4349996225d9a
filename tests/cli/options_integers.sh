#!/usr/bin/env bash
# Every whole-number option of every command (found in --help, so new ones are covered too)
# refuses negative, out-of-range and non-decimal values with exit 2, naming the option and
# quoting the value exactly as typed; none wraps modulo 2^64.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}"
fresh_work

refused_option() {  # refused_option OPTION VALUE -- ARGS...: exit 2 naming both, no file
  refused 2 "$@"
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
      refused_option "$opt" "'-1'" -- $cmd "$opt" -1
      refused_option "$opt" "'-18446744073709551615'" -- $cmd "$opt" -18446744073709551615
    else
      refused_option "$opt" "-99999999999999999999" -- $cmd "$opt" -99999999999999999999
    fi
    # shellcheck disable=SC2086
    refused_option "$opt" "99999999999999999999" -- $cmd "$opt" 99999999999999999999
    # shellcheck disable=SC2086
    refused_option "$opt" "0x10" -- $cmd "$opt" 0x10
    # shellcheck disable=SC2086
    refused_option "$opt" "1e3" -- $cmd "$opt" 1e3
    checked=$((checked + 1))
  done < <(grep -oE -- '--[a-z0-9-]+ U?INT\b' <<< "$help" | sort -u)
done
# The global option.
refused_option "--threads" "-1" -- -j -1 generate
refused_option "--threads" "99999999999999999999" -- --threads 99999999999999999999 generate
# Examples from the field: these once wrapped to 2^64 - 1, 1 and 2^64 - 5.
refused_option "--seed" "'-1'" -- generate --seed -1 --count 5 --out x.h5
refused_option "--count" "'-18446744073709551615'" -- generate --count -18446744073709551615 --out x.h5
refused_option "--trials" "'-5'" -- simulate --trials -5
(( checked >= 20 )) || fail "only $checked integer options found in --help"
# Leading zeros are decimal, not octal: --top 010 shows ten rows.
"$MICROREACH" -q score --generate 200 --top 010 > top.txt
grep -q "Top 10 by score" top.txt || fail "--top 010 was not read as 10"
echo "options_integers: ok ($checked integer options)"
