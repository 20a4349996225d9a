#!/usr/bin/env bash
# Reproduces the validation figures of docs/model.md "Audience audit": cross-validation on one
# labelled set, test on the other (SRF, CC BY-SA, shipped in data/; InstaFake, CC BY-NC, read
# from ../shared/data beside the clone), the comparison with the following/followers rule, and
# audits of follower samples with a known fake share drawn from InstaFake.
#
#   scripts/audit_validation.sh [BUILD_DIR] [SHARED_DATA_DIR]
set -euo pipefail
. "$(dirname "$0")/audit_env.sh"
SRF="$SRC/data/srf_instagram_labelled_1000_inclprivate.csv"
FAKE="$D/instafake_fakeAccountData.json"
REAL="$D/instafake_realAccountData.json"
[ -f "$FAKE" ] || { echo "no $FAKE: the InstaFake files are not shipped (CC BY-NC)" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
LIN=followers,following,posts,has_profile_picture,is_private,username_digits,username_length

echo "## 1. SRF: 10-fold cross-validation of the default model's fit"
"$M" -q audit evaluate "$SRF" --label rating --model default --cv 10
echo
echo "## 2. Trained on SRF (the default model), tested on InstaFake"
"$M" -q audit evaluate "$FAKE" "$REAL" --label isFake --model default
echo
echo "## 3. Trained on InstaFake (10-fold CV), tested on SRF"
"$M" -q audit fit "$FAKE" "$REAL" --label isFake --out "$W/insta.toml"
"$M" -q audit evaluate "$SRF" --label rating --model "$W/insta.toml"
echo
echo "## 4. The linear specification (no squared counts), both directions"
"$M" -q audit fit "$SRF" --label rating --features "$LIN" --out "$W/srf_linear.toml" | tail -2
"$M" -q audit evaluate "$FAKE" "$REAL" --label isFake --model "$W/srf_linear.toml" | sed -n 2,3p
"$M" -q audit fit "$FAKE" "$REAL" --label isFake --features "$LIN" --out "$W/insta_linear.toml" | tail -2
"$M" -q audit evaluate "$SRF" --label rating --model "$W/insta_linear.toml" | sed -n 2,3p
echo
echo "## 5. Audits of InstaFake samples with a known fake share (default model)"
# InstaFake split in two halves (stratified, seed 1): 'labelled' measures Se/Sp on this
# population (--accuracy-from), samples of 300 followers with a known share come from the other.
/usr/bin/python3 - "$FAKE" "$REAL" "$W" <<'PY'
import json, random, sys
fake = json.load(open(sys.argv[1])); real = json.load(open(sys.argv[2])); w = sys.argv[3]
rng = random.Random(1)
rng.shuffle(fake); rng.shuffle(real)
lab = fake[:100] + real[:497]
json.dump(lab, open(f"{w}/labelled.json", "w"))
pool_f, pool_r = fake[100:], real[497:]
for share in (0.05, 0.15, 0.30):
    nf = round(300 * share)
    s = rng.sample(pool_f, nf) + rng.sample(pool_r, 300 - nf)
    json.dump(s, open(f"{w}/sample_{int(share * 100):02d}.json", "w"))
PY
printf "%-10s %-58s %s\n" "true share" "default model, Se/Sp cross-validated on SRF" "Se/Sp measured on the labelled InstaFake half"
for s in 05 15 30; do
  a=$("$M" -q audit "$W/sample_$s.json" --model default | grep "estimated fake share" | sed 's/ *estimated fake share *//; s/ (95%.*//')
  b=$("$M" -q audit "$W/sample_$s.json" --model default --accuracy-from "$W/labelled.json" --label isFake \
      | grep "estimated fake share" | sed 's/ *estimated fake share *//; s/ (95%.*//')
  printf "%-10s %-58s %s\n" "0.$s" "$a" "$b"
done
