#!/usr/bin/env bash
# Duplicate accounts (same platform and handle, any case) are counted on import and by score;
# --dedupe first|last|keep decides which rows stay. Uses the Sep 2022 export when present.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}" "${PYTHON:=/usr/bin/python3}"
fresh_work

cat > d.csv <<'CSV'
handle,followers,platform
alice,100,instagram
Bob,200,instagram
@alice,300,instagram
alice,400,tiktok
bob,500,instagram
,600,instagram
,700,instagram
CSV
followers() { "$PYTHON" -c "import h5py,sys; print(' '.join('%g' % x for x in h5py.File(sys.argv[1])['profiles/followers'][()]))" "$1"; }

"$MICROREACH" -q import d.csv --out first.h5 > out.txt || fail "import"
grep -qF "Duplicates: 2: 2 duplicate rows" out.txt || { cat out.txt; fail "count"; }
[ "$(followers first.h5)" = "100 200 400 600 700" ] || fail "first: $(followers first.h5)"

"$MICROREACH" -q import d.csv --out last.h5 --dedupe last > out.txt || fail "import last"
[ "$(followers last.h5)" = "300 400 500 600 700" ] || fail "last: $(followers last.h5)"

"$MICROREACH" -q import d.csv --out keep.h5 --dedupe keep > out.txt || fail "import keep"
grep -qF "kept (--dedupe keep)" out.txt || fail "keep message"
[ "$(followers keep.h5)" = "100 200 300 400 500 600 700" ] || fail "keep: $(followers keep.h5)"

"$MICROREACH" -q score --in d.csv --top 3 > score.txt || fail "score"
grep -qF "2 duplicate rows" score.txt || { cat score.txt; fail "score does not count"; }
# HDF5 input is checked when asked
"$MICROREACH" -q score --in keep.h5 --dedupe first --top 3 > score.txt || fail "score h5"
grep -qF "2 duplicate rows" score.txt || { cat score.txt; fail "score h5 does not count"; }

if "$MICROREACH" -q import d.csv --out x.h5 --dedupe sometimes 2> err.txt; then fail "bad --dedupe"; fi
grep -q "dedupe" err.txt || fail "message: $(cat err.txt)"

data="$SRC/../shared/data/instagram_sep2022_social_media_influencers.csv"
if [ -f "$data" ]; then
  "$MICROREACH" -q import "$data" --out sep.h5 > out.txt || fail "sep2022"
  grep -qF "kept 983, rejected 0" out.txt || { cat out.txt; fail "sep2022 rows"; }
  grep -qF "Duplicates: 67: 67 duplicate rows" out.txt || { cat out.txt; fail "sep2022 count"; }
fi
echo OK
