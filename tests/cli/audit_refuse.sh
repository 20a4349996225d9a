#!/usr/bin/env bash
# Bad audit inputs are refused with a clear message, the right exit code and no output left
# behind (an existing output stays untouched): no label column, a label that is not boolean,
# a model file from elsewhere, a bad cell, a bad option, a bad audited-shares file for score.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}"
fresh_work

# expect CODE TEXT -- command...   (stderr must contain TEXT)
expect() { refused "$@"; }  # expect CODE TEXT -- ARGS (tests/lib/common.sh)

cat > labelled.csv <<'CSV'
username,followers,following,posts,fake
anna,450,300,120,FALSE
bot99123,12,4100,0,TRUE
cara.b,1204,180,35,false
x7x7x7,40,7450,2,1
CSV
cat > nolabel.csv <<'CSV'
username,followers,following,posts
anna,450,300,120
CSV
cat > badlabel.csv <<'CSV'
username,followers,following,posts,fake
anna,450,300,120,FALSE
bot99123,12,4100,0,probably
CSV
cat > badcell.csv <<'CSV'
username,followers,following,posts,has_profile_picture,is_private
anna,450,300,120,TRUE,FALSE
bob,many,300,120,TRUE,FALSE
CSV

# no label column
expect 3 "nolabel.csv:1: no label column 'fake'" -- audit fit nolabel.csv --label fake --out m.toml
[ ! -e m.toml ] || fail "a model was written from a file without labels"
expect 3 "no label column (looked for label, is_fake, fake, rating" -- audit evaluate nolabel.csv
# a label that is not boolean-like
expect 3 "badlabel.csv:3:5: label column 'fake': found 'probably': not boolean-like" -- \
  audit fit badlabel.csv --label fake --out m.toml
# a model file from elsewhere
printf '[server]\nport = 8080\n' > other.toml
expect 3 "other.toml:1:1: not a microreach follower model" -- audit nolabel.csv --model other.toml
printf 'format = "xgboost"\n' > xgb.toml
expect 3 "format is 'xgboost', expected 'microreach.follower-model'" -- audit nolabel.csv --model xgb.toml
expect 3 "labelled.csv:1:1: not a microreach follower model" -- audit nolabel.csv --model labelled.csv
# a bad cell, with an existing output left untouched
echo "keep me" > audit.h5
expect 3 "badcell.csv:3:2: column 'followers': found 'many': expected a count" -- \
  audit badcell.csv --model default --out audit.h5
[ "$(cat audit.h5)" = "keep me" ] || fail "an existing output was overwritten by a failed audit"
# a follower list with no rows
printf 'username,followers,following,posts,has_profile_picture,is_private\n' > empty.csv
expect 3 "empty.csv: no follower rows under the header" -- audit empty.csv --out empty.h5
[ ! -e empty.h5 ] || fail "an audit of an empty list was written"
# a model feature the follower list cannot provide
printf 'username,followers\nanna,3\n' > nofollowing.csv
expect 3 "no column for the model feature 'following'" -- audit nofollowing.csv --model default
# bad options
expect 2 "--width: " -- audit nolabel.csv --width 1.5
expect 2 "--method: 'bayes' is not valid: wilson or clopper-pearson" -- audit nolabel.csv --method bayes
expect 2 "--append-to" -- audit nolabel.csv --append-to a.csv
expect 2 "--features: 'likes' is not valid" -- audit fit labelled.csv --label fake --features likes --out m.toml
# score --audited with a bad file
"$MICROREACH" -q generate -n 20 --out pop.h5 > /dev/null
printf 'handle,fake_share,lo,hi\nsomeone,0.3,0.35,0.5\n' > audits.csv
expect 3 "audits.csv:2:2: handle 'someone': expected lo <= fake_share <= hi" -- \
  score --in pop.h5 --audited audits.csv --out s.h5
[ ! -e s.h5 ] || fail "scores written despite a bad audits file"
printf 'account,share\nsomeone,0.3\n' > audits2.csv
expect 3 "no 'handle' column" -- score --in pop.h5 --audited audits2.csv
echo "audit_refuse: ok"
