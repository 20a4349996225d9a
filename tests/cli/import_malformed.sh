#!/usr/bin/env bash
# Malformed exports are refused: exit code 3, the right file:line:column and reason on stderr,
# no output file (and an existing output left untouched), no temporary file left behind.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}"
fresh_work

# refuse NAME EXPECTED_LOCATION EXPECTED_TEXT  (file content on stdin)
refuse() {  # refuse NAME WHERE TEXT < CONTENT: importing NAME stops at NAME:WHERE with TEXT
  local name=$1 where=$2 text=$3
  cat > "$name"
  refused 3 "$name$where" "$text" -- import "$name" --out "out_$name.h5"
  [ ! -e "out_$name.h5" ] || fail "$name: an output file was written"
}

refuse bad_number.csv ":4:2:" "found '12,34': expected a number such as 1234, 1.2k, 3.5M or 1.39%" <<'CSV'
handle,followers,avg_likes
a,1000,10
b,2.5k,20
c,"12,34",30
CSV

refuse fields.csv ":4:4:" "expected 3 fields as in the header, found 4" <<'CSV'
handle,followers,avg_likes
a,1000,10
b,2.5k,20
c,12,34,30
CSV

refuse bad_value.csv ":3:2:" "found '12x'" <<'CSV'
handle,followers,avg_likes
a,1000,10
b,12x,20
CSV
grep -qF 'column "followers"' err.txt || fail "column name not reported"

refuse negative.csv ":3:2:" "expected a count >= 0" <<'CSV'
Username,Subscribers
a,1.2M
b,-5
CSV
grep -qF '(followers)' err.txt || fail "field fed by the column not reported"

refuse rate.tsv ":2:3:" "between 0% and 100%" < <(printf 'handle\tfollowers\teng_rate\nx\t1000\t120%%\n')

refuse likes.csv ":5:3:" "at most 100 x followers" <<'CSV'
handle,followers,likes_avg
a,100,1
b,100,2
c,100,3
d,100,10001
CSV

refuse fake.csv ":2:3:" "between 0 and 1" <<'CSV'
handle,followers,fake_followers
a,100,1.5
CSV

refuse quote.csv ":3:1:" "right after the closing quote" <<'CSV'
handle,followers
"ok",1
"bad"x,2
CSV

refuse unclosed.csv ":3:" "never closed" <<'CSV'
handle,followers
a,1
"b,2
c,3
CSV

refuse nofollowers.csv ":1:" "no followers column" <<'CSV'
handle,likes
a,1
CSV
grep -qF '"handle", "likes"' err.txt || fail "header found not listed"

refuse utf8.csv ":2:1:" "expected UTF-8 text" < <(printf 'handle,followers\n\xc3(,5\n')

refuse bad.json ":2:" "key \"followers\": found 'many'" <<'JSON'
[{"handle": "a", "followers": 10},
 {"handle": "b", "followers": "many"}]
JSON

refuse syntax.ndjson ":2:17:" "expected ',' or '}'" <<'JSON'
{"followers": 1}
{"followers": 2 "x": 3}
JSON

# An existing output is never truncated by a refused import.
echo "precious" > keep.h5
printf 'handle,followers\na,-1\n' > neg2.csv
rc=0; "$MICROREACH" -q import neg2.csv --out keep.h5 2> /dev/null || rc=$?
[ "$rc" -eq 3 ] || fail "neg2: exit $rc"
[ "$(cat keep.h5)" = "precious" ] || fail "existing output overwritten"

# Bad options: exit 2 naming the option.
rc=0; "$MICROREACH" -q import neg2.csv --out x.h5 --map folowers=X 2> err.txt || rc=$?
[ "$rc" -eq 2 ] && grep -qF -- "--map" err.txt || fail "bad --map not refused with exit 2"
rc=0; "$MICROREACH" -q import neg2.csv --out x.h5 --rejects r.csv 2> err.txt || rc=$?
[ "$rc" -eq 2 ] && grep -qF -- "--on-error skip" err.txt || fail "--rejects without skip accepted"
rc=0; "$MICROREACH" -q import neg2.csv --out x.h5 --delimiter '::' 2> err.txt || rc=$?
[ "$rc" -eq 2 ] || fail "bad --delimiter accepted"
rc=0; "$MICROREACH" -q import missing.csv --out x.h5 2> err.txt || rc=$?
[ "$rc" -ne 0 ] && grep -qF "missing.csv" err.txt || fail "missing input not reported"
echo "ok"
