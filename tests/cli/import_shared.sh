#!/usr/bin/env bash
# The real exports in ../shared/data import strictly and score straight from the file; their
# tiers match their follower counts. Skipped (exit 0 with a note) when shared/ is absent.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
: "${MICROREACH:?}" "${WORK:?}" "${SRC:?}" "${PYTHON:=/usr/bin/python3}"
fresh_work
data="$SRC/../shared/data"
if [ ! -d "$data" ]; then echo "SKIP: $data absent"; exit 0; fi

check() {
  local file=$1 rows=$2
  "$MICROREACH" -q import "$data/$file" --out "$file.h5" > out.txt || fail "$file did not import"
  grep -qF "kept $rows, rejected 0" out.txt || { cat out.txt; fail "$file: expected $rows rows"; }
  "$MICROREACH" -q score --in "$data/$file" --out "$file.scores.h5" --top 3 > score.txt ||
    fail "$file did not score"
  "$PYTHON" - "$file.scores.h5" "$rows" <<'PY' || fail "$file: scores"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    fo = f["profiles/followers"][()]
    tier = f["scores/tier"][()]
    assert len(fo) == int(sys.argv[2])
    bounds = np.array([1e3, 1e4, 1e5, 5e5, 1e6])  # default tier bounds (docs/model.md "Tiers")
    want = np.searchsorted(bounds, fo, side="right")
    pos = fo > 0
    assert np.array_equal(tier[pos], want[pos]), "tiers do not match follower counts"
    s = f["scores/score"][()]
    ok = s[~np.isnan(s)]
    assert len(ok) > 0 and ok.min() >= 0 and ok.max() <= 100
PY
}
check top_insta_influencers_data.csv 200
# 1050 rows, 67 of which repeat an account (same handle): dropped by the default --dedupe first
check instagram_sep2022_social_media_influencers.csv 983
check srf_instagram_labelled_1000_inclprivate.csv 975
check kim2020_instagram_influencers.txt 33935
check instafake_fakeAccountData.json 200
check instafake_realAccountData.json 994
echo "ok"
